"""Worker processes for untrusted work: each runs under a memory limit and every task under a time
limit, so a hostile or broken file costs one rejected task, never the caller.

A worker is a long-lived spawned process (so its start-up cost is paid once per batch, not per
file); it is killed and replaced when a task overruns its time or the process dies. A pool's idle
workers are kept for the process's next pool of the same kind (`KEEP_IDLE`), so that a server's or
a test session's next ingest does not start and warm up new ones.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import resource
import secrets
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any, Generic, NoReturn, TypeVar

T = TypeVar("T")
R = TypeVar("R")
_CONTEXT = multiprocessing.get_context("spawn")
#: How often a worker checks that the process that started it is still there.
ORPHAN_CHECK_SECONDS = 0.5
#: Idle workers a process keeps for its next pool of the same kind (function, limits, environment):
#: a new worker costs some 1-1.5 s of CPU (an interpreter, then Lingua's models and the common
#: word lists on its first letter), paid so once per process rather than once per ingest or upload.
KEEP_IDLE = 4
#: Seconds a new worker may take to start (an interpreter and its imports) before its first task,
#: whose own time limit counts from then on: a loaded machine starts processes slowly.
START_WAIT = 120.0
#: Variables that say what the process is doing now, not what a worker runs with: pytest names
#: the running test in PYTEST_CURRENT_TEST, so keyed on it a test session would start (and warm
#: up) new workers for each test, idle ones of the same function, limits and home-free state
#: notwithstanding (a task names its home: nothing of one home stays in a worker for the next).
NOT_OF_THE_KIND = frozenset({"PYTEST_CURRENT_TEST"})


class TaskFailed(Exception):
    """The task did not finish: it overran, exhausted memory, crashed, or raised."""


@dataclass
class _Worker:
    process: BaseProcess
    conn: multiprocessing.connection.Connection
    scratch: str  # the worker's temporary directory, removed with it (a killed task leaves files)
    ready: bool = False  # it said it has started: a task's time counts from then on


def _orphaned(parent: int, scratch: str) -> None:
    """Watch the process that started this worker; once it is gone (kill -9 of an ingest), remove
    the scratch directory and kill this worker with whatever it runs (OCR)."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    _clean(scratch)
    os.killpg(os.getpid(), signal.SIGKILL)


def _clean(scratch: str) -> None:
    """Kill the programs this worker runs, then remove its scratch directory (again while a program
    started meanwhile still writes into it)."""
    for _ in range(50):
        for child in _children():
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        shutil.rmtree(scratch, ignore_errors=True)
        if not os.path.exists(scratch):
            return
        time.sleep(0.05)


def _children() -> list[int]:
    """The process ids of this process's children (from /proc; none where it is missing)."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as handle:
                found += [int(pid) for pid in handle.read().split()]
    return found


def _leave(scratch: str) -> NoReturn:
    """Remove the scratch directory and end this worker at once."""
    _clean(scratch)
    os._exit(0)


def _serve(conn: multiprocessing.connection.Connection, function: Callable[[Any], Any],
           memory_bytes: int, scratch: str, parent: int, environment: dict[str, str]) -> None:
    os.setpgrp()  # its own process group: killing the worker kills the programs it runs (OCR)
    # made here, not by the parent: a parent killed while this process starts leaves no directory
    os.mkdir(scratch, 0o700)
    # multiprocessing terminates daemon workers (SIGTERM) when a parent exits without close()
    signal.signal(signal.SIGTERM, lambda *_: _leave(scratch))
    threading.Thread(target=_orphaned, args=(parent, scratch), daemon=True).start()
    os.environ.update(environment)  # what the programs it runs inherit
    os.environ["TMPDIR"] = tempfile.tempdir = scratch
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except EOFError:  # the parent is gone (kill -9 between tasks): leave as the watcher would
            _leave(scratch)
        if task is None:
            return
        answer: tuple[str, Any]
        try:
            answer = ("ok", function(task))
        except MemoryError:
            answer = ("error", "memory")
        except BaseException as error:  # noqa: BLE001 - everything is reported, nothing escapes
            answer = ("error", f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
        try:
            conn.send(answer)
        except OSError:  # the parent is gone (kill -9 during the task): leave no scratch behind
            _leave(scratch)


_idle: list[tuple[object, int, _Worker]] = []  # (kind, the process owning it, worker), oldest first
_idle_lock = threading.Lock()


def _emptied(scratch: str) -> bool:
    """Remove what a finished task left in a worker's scratch directory; whether it is empty."""
    try:
        for entry in os.scandir(scratch):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
    except OSError:
        return False
    return True


def _stop(workers: list[_Worker]) -> None:
    """Stop workers: ask each to leave, then kill those still there; remove their scratch."""
    for worker in workers:
        with contextlib.suppress(BrokenPipeError, OSError):
            worker.conn.send(None)
    for worker in workers:
        worker.process.join(2)
        if worker.process.is_alive():
            _kill(worker.process)
            worker.process.join(2)
        worker.conn.close()
        shutil.rmtree(worker.scratch, ignore_errors=True)


def _kill(process: BaseProcess) -> None:
    """Kill a worker and whatever it started (pdftoppm, tesseract), which would outlive it."""
    if process.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    process.kill()


class Pool(Generic[T, R]):
    """N worker processes applying `function` to tasks, with per-task time and memory limits;
    `environment`: variables set in each worker, and so in the programs it starts."""

    def __init__(self, function: Callable[[T], R], jobs: int = 1, timeout: float = 120.0,
                 memory_bytes: int = 0, environment: dict[str, str] | None = None) -> None:
        self.function = function
        self.environment = dict(environment or {})
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self._workers: list[_Worker] = []
        self._running: dict[int, tuple[int, float]] = {}  # the tasks of the last map under way

    def _kind(self) -> object:
        """What makes two pools' workers alike: the function, the limits and the environment the
        workers started with (os.environ included: a worker inherits it at its start), but
        NOT_OF_THE_KIND."""
        return (self.function, self.memory_bytes, sorted(self.environment.items()),
                sorted((name, value) for name, value in os.environ.items()
                       if name not in NOT_OF_THE_KIND))

    def _kept(self) -> _Worker | None:
        """An idle worker of the same kind kept by this process, if any is still alive: the one
        idle since the shortest time (the warmest; the others age out past KEEP_IDLE)."""
        kind, me = self._kind(), os.getpid()
        with _idle_lock:
            found = next((place for place in reversed(range(len(_idle)))
                          if _idle[place][1] == me and _idle[place][0] == kind), None)
            if found is None:
                return None
            worker = _idle.pop(found)[2]
        if worker.process.is_alive():
            return worker
        _stop([worker])
        return None

    def _start(self) -> _Worker:
        parent, child = _CONTEXT.Pipe()
        scratch = os.path.join(tempfile.gettempdir(), f"letters-worker-{secrets.token_hex(8)}")
        process = _CONTEXT.Process(target=_serve, args=(child, self.function, self.memory_bytes,
                                                        scratch, os.getpid(), self.environment),
                                   daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent, scratch)

    def map(self, tasks: Sequence[T]) -> Iterator[tuple[int, R | TaskFailed]]:
        """Run every task; yield (task index, result or TaskFailed) as each finishes."""
        while len(self._workers) < min(self.jobs, max(1, len(tasks))):
            self._workers.append(self._kept() or self._start())
        pending = list(enumerate(tasks))
        running: dict[int, tuple[int, float]] = {}  # worker slot -> (task index, deadline)
        self._running = running
        while pending or running:
            self._dispatch(pending, running)
            by_conn = {self._workers[slot].conn: slot for slot in running}
            soonest = min(deadline for _, deadline in running.values())
            ready = multiprocessing.connection.wait(list(by_conn),
                                                    timeout=max(0.0, soonest - time.monotonic()))
            finished: list[tuple[int, R | TaskFailed]] = []
            for conn in ready:
                slot = by_conn[conn]  # type: ignore[index]
                index, _ = running.pop(slot)
                finished.append((index, self._receive(slot)))
            now = time.monotonic()
            for slot, (index, deadline) in list(running.items()):
                if now >= deadline:
                    running.pop(slot)
                    self._replace(slot)
                    finished.append((index, TaskFailed("timeout")))
            self._dispatch(pending, running)  # keep the workers busy while the caller works
            yield from finished

    def _dispatch(self, pending: list[tuple[int, T]], running: dict[int, tuple[int, float]]) -> None:
        """Give a pending task to every idle worker."""
        for slot, worker in enumerate(self._workers):
            if slot not in running and pending:
                index, task = pending.pop(0)
                try:
                    self._await_start(worker)
                    worker.conn.send(task)
                except (BrokenPipeError, EOFError, OSError):
                    self._replace(slot)
                    self._await_start(self._workers[slot])
                    self._workers[slot].conn.send(task)
                running[slot] = (index, time.monotonic() + self.timeout)

    @staticmethod
    def _await_start(worker: _Worker) -> None:
        """Wait (at most START_WAIT) for a new worker to say it has started, so that a loaded
        machine's slow start is not counted in its first task's time."""
        if not worker.ready and worker.conn.poll(START_WAIT):
            status, _ = worker.conn.recv()
            worker.ready = status == "ready"

    def _receive(self, slot: int) -> Any:
        try:
            status, value = self._workers[slot].conn.recv()
        except (EOFError, OSError):
            code = self._workers[slot].process.exitcode
            self._replace(slot)
            return TaskFailed(f"crash (exit code {code})")
        if status == "ok":
            return value
        if value == "memory":
            self._replace(slot)  # a worker that ran out of memory may be in a poor state
        return TaskFailed(value)

    def _replace(self, slot: int) -> None:
        old = self._workers[slot]
        _kill(old.process)
        old.process.join(5)
        old.conn.close()
        shutil.rmtree(old.scratch, ignore_errors=True)
        self._workers[slot] = self._start()

    def close(self) -> None:
        """Keep the idle workers for this process's next pool of the same kind (their scratch
        directories emptied), at most KEEP_IDLE in all; stop the others."""
        kind, me = self._kind(), os.getpid()
        stopping = []
        for slot, worker in enumerate(self._workers):
            idle = (slot not in self._running and worker.process.is_alive() and worker.ready
                    and not worker.conn.poll() and _emptied(worker.scratch))
            if not idle:
                stopping.append(worker)
                continue
            with _idle_lock:
                _idle.append((kind, me, worker))
                stopping += [old for _, _, old in _idle[:-KEEP_IDLE]]
                del _idle[:-KEEP_IDLE]
        _stop(stopping)
        self._workers = []

    def __enter__(self) -> Pool[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
