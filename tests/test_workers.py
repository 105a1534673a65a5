"""Worker pool: results in order of completion, and limits that cost one task, not the caller."""

from __future__ import annotations

import ctypes
import os
import time
from pathlib import Path

import pytest

from letters.ingest.workers import Pool, TaskFailed
from letters.pdf import ocr
from support.slowstart import started_slowly


def behave(task: str) -> str:
    """A task that does what its name says (run in the worker process)."""
    if task == "loop":
        while True:
            time.sleep(0.01)
    if task == "hog":
        blocks = []
        while True:
            blocks.append(bytearray(64 * 1024 * 1024))
    if task == "segfault":
        ctypes.string_at(0)
    if task == "exit":
        os._exit(3)
    if task == "raise":
        raise ValueError("bad value")
    return f"{task}:{os.getpid()}"


#: Long enough for any task but "loop" on a loaded machine (at load 20, 3 s was not).
TASK_SECONDS = 6.0


def run(tasks: list[str], jobs: int = 1) -> dict[int, object]:
    with Pool(behave, jobs=jobs, timeout=TASK_SECONDS, memory_bytes=512 * 1024 * 1024) as pool:
        return dict(pool.map(tasks))


def test_results_for_every_task() -> None:
    results = run(["a", "b", "c"])
    assert [str(results[i]).split(":")[0] for i in range(3)] == ["a", "b", "c"]
    assert len({str(r).split(":")[1] for r in results.values()}) == 1, "one worker reused"


def test_limits_cost_one_task_and_the_next_task_still_runs() -> None:
    results = run(["loop", "ok1", "hog", "ok2", "segfault", "ok3", "exit", "raise", "ok4"])
    failures = {i: str(r) for i, r in results.items() if isinstance(r, TaskFailed)}
    assert failures[0] == "timeout"
    assert failures[2] == "memory"
    assert failures[4].startswith("crash")
    assert failures[6].startswith("crash")
    assert failures[7].startswith("ValueError: bad value")
    assert [str(results[i]).split(":")[0] for i in (1, 3, 5, 8)] == ["ok1", "ok2", "ok3", "ok4"]


def test_two_jobs_use_two_processes() -> None:
    results = run(["a", "b", "c", "d"], jobs=2)
    assert len({str(r).split(":")[1] for r in results.values()}) == 2


def test_a_later_pool_of_the_same_kind_takes_the_idle_worker_and_another_kind_does_not() -> None:
    """A process keeps its pools' idle workers for the next pool alike (starting and warming up
    a worker costs more than most letters), emptied of what their tasks left."""
    with Pool(leave_litter, jobs=1, timeout=30.0) as pool:
        litter = str(dict(pool.map(["ok"]))[0])
    assert not os.path.exists(litter) and os.path.isdir(os.path.dirname(litter))
    with Pool(leave_litter, jobs=1, timeout=30.0) as pool:
        again = str(dict(pool.map(["ok"]))[0])
    assert os.path.dirname(again) == os.path.dirname(litter), "the same worker, kept idle"
    first, second = run(["a"])[0], run(["b"])[0]
    assert str(first).split(":")[1] == str(second).split(":")[1]
    with Pool(behave, jobs=1, timeout=TASK_SECONDS, memory_bytes=256 * 1024 * 1024) as pool:
        other = dict(pool.map(["c"]))[0]
    assert str(other).split(":")[1] != str(first).split(":")[1], "other limits: another worker"


def test_the_next_test_takes_the_idle_worker_and_another_environment_does_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest names the running test in os.environ (PYTEST_CURRENT_TEST): that says nothing of
    what a worker runs with, so the next test's pool takes the idle worker; a variable a worker
    would inherit still makes another kind."""
    first = run(["a"])[0]
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "tests/test_elsewhere.py::test_next (call)")
    second = run(["b"])[0]
    assert str(second).split(":")[1] == str(first).split(":")[1], "the same worker, kept idle"
    monkeypatch.setenv("LETTERS_TEST_SOMETHING_INHERITED", "1")
    third = run(["c"])[0]
    assert str(third).split(":")[1] != str(first).split(":")[1], "another environment"


def leave_litter(task: str) -> str:
    """Write a temporary file, then overrun (like an OCR killed mid-page)."""
    import tempfile

    handle, name = tempfile.mkstemp()
    os.close(handle)
    if task == "loop":
        while True:
            time.sleep(0.01)
    return name


def test_a_replaced_worker_leaves_no_temporary_files() -> None:
    with Pool(leave_litter, jobs=1, timeout=TASK_SECONDS) as pool:
        first = str(dict(pool.map(["ok"]))[0])
        assert os.path.exists(first)
        assert str(dict(pool.map(["loop"]))[0]) == "timeout"
        assert not os.path.exists(first), "the killed worker's scratch directory is removed"
        second = str(dict(pool.map(["ok"]))[0])
        assert os.path.exists(second) and os.path.dirname(second) != os.path.dirname(first)
    assert not os.path.exists(second)


def test_a_parent_that_exits_without_closing_its_pool_leaves_no_scratch_directory() -> None:
    """multiprocessing terminates daemon workers at exit: each removes its scratch on SIGTERM
    (empty /tmp/letters-worker-* directories were piling up after test sessions)."""
    import subprocess
    import sys
    from pathlib import Path

    script = ("from letters.ingest.workers import Pool\n"
              "pool = Pool(abs, jobs=2)\n"
              "assert [r for _, r in pool.map([-1, -2])] in ([1, 2], [2, 1])\n"
              "print('\\n'.join(w.scratch for w in pool._workers), flush=True)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    scratches = [Path(line) for line in done.stdout.split()]
    assert len(scratches) == 2 and all("letters-worker-" in p.name for p in scratches)
    assert [p for p in scratches if p.exists()] == []


def parent_killed(during_task: bool) -> Path:
    """Run a pool in a process killed with SIGKILL between tasks or during one; its worker's
    scratch directory, which existed then."""
    import signal
    import subprocess
    import sys

    script = ("import os, signal, threading, time\n"
              "from letters.ingest.workers import Pool\n"
              "pool = Pool(time.sleep, jobs=1)\n"
              "list(pool.map([0]))\n"
              "print(pool._workers[0].scratch, flush=True)\n"
              "assert os.path.isdir(pool._workers[0].scratch)\n"
              + ("threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGKILL)).start()\n"
                 "list(pool.map([0.4]))\n" if during_task else
                 "os.kill(os.getpid(), signal.SIGKILL)\n"))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    scratch = Path(done.stdout.strip())
    assert "letters-worker-" in scratch.name
    for _ in range(400):  # the worker sees its parent gone within a second; allow a loaded machine
        if not scratch.exists():
            break
        time.sleep(0.05)
    return scratch


def test_an_idle_worker_whose_parent_is_killed_removes_its_scratch_directory() -> None:
    """kill -9 of a parent between tasks: the worker sees its pipe closed (EOFError)."""
    assert not parent_killed(during_task=False).exists()


def test_a_worker_whose_parent_is_killed_during_a_task_removes_its_scratch_directory() -> None:
    """kill -9 of a parent during a task: the worker's answer finds no one to take it."""
    assert not parent_killed(during_task=True).exists()


def child_thread_limit(_: object) -> str:
    """OMP_THREAD_LIMIT as a program started the way OCR starts Tesseract sees it ('' unset)."""
    done = ocr._run(["sh", "-c", 'printf %s "${OMP_THREAD_LIMIT-}"'])
    return done.stdout.decode()


def thread_limits(jobs: int) -> set[object]:
    with Pool(child_thread_limit, jobs=jobs, environment=ocr.side_by_side(jobs)) as pool:
        return {result for _, result in pool.map(list(range(2 * jobs)))}


def test_tesseracts_side_by_side_run_on_one_thread_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)  # conftest sets it for the tests
    assert thread_limits(jobs=2) == {"1"}
    assert thread_limits(jobs=1) == {""}, "a lone Tesseract keeps its threads"
    monkeypatch.setenv("OMP_THREAD_LIMIT", "3")
    assert thread_limits(jobs=2) == {"3"}, "the user's own limit is kept"


def test_a_slow_start_is_not_counted_in_the_first_tasks_time(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """A worker that takes longer to start than a task may run (a loaded machine) still runs its
    first task: the task's time counts from the worker's start."""
    monkeypatch.setenv("LETTERS_TEST_SLOW_START", "3")  # what the worker's import of it sleeps
    with Pool(started_slowly, jobs=1, timeout=1.0) as pool:
        assert str(dict(pool.map(["a"]))[0]).startswith("a:")
