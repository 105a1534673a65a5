"""Rebuilds' worker processes: results in order, read elsewhere, never forked from a process
running threads."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from letters import pool

WORKERS = """
import os, sys
from letters import pool
pool.PARALLEL_AT = 1
pool.CHUNK = 3

def pids(chunk):
    return [(item, os.getpid()) for item in chunk]

found = list(pool.mapped(pids, list(range(40)), jobs=2))
print(os.getpid(), [item for item, _ in found] == list(range(40)),
      len({pid for _, pid in found} - {os.getpid()}))
"""


def test_workers_read_in_other_processes_and_answer_in_order() -> None:
    done = subprocess.run([sys.executable, "-c", WORKERS], capture_output=True, text=True,
                          check=True, timeout=120)
    _, in_order, workers = done.stdout.split()
    assert in_order == "True"
    assert int(workers) >= 1  # some chunks were read by another process than the caller


def test_a_process_running_threads_reads_by_itself() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert pool.jobs_for(10 * pool.PARALLEL_AT, 2) == 0
        assert list(pool.mapped(lambda chunk: [x * 2 for x in chunk], list(range(5)), 2)) == [
            0, 2, 4, 6, 8]
    finally:
        stop.set()
        other.join()


def test_a_small_archive_is_read_in_process() -> None:
    assert pool.jobs_for(pool.PARALLEL_AT - 1, 2) == 0
    assert pool.jobs_for(10, 1) == 0


def test_a_worker_that_fails_fails_the_rebuild(tmp_path: Path) -> None:
    script = WORKERS.replace("return [(item, os.getpid()) for item in chunk]",
                             "raise ValueError('unreadable')")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode != 0 and "ValueError: unreadable" in done.stderr
