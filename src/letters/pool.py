"""Rebuilds from the archive: the letters' files read and parsed by worker processes, the results
handed back in order to the one process that writes (the catalog or the search index).

Workers are forked, only for large archives (where reading and parsing the files is most of the
time) and only from a process running one thread (`letters reindex`, a command's start): a fork
of a process with threads (a server) could inherit a lock held by another thread, and starting
workers afresh (`spawn`) would run again the main script of a program that does not guard it.
Elsewhere the same work is done in the process itself.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.pool import AsyncResult
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: Below this many items the work is done in this process: starting workers would cost more.
PARALLEL_AT = 2000
#: Items handed to a worker at once.
CHUNK = 200
#: Chunks per worker read ahead of the writer.
AHEAD = 4


def jobs_for(count: int, jobs: int | None = None) -> int:
    """How many worker processes `count` items are worth (0: none, work in this process)."""
    wanted = (os.cpu_count() or 1) if jobs is None else jobs
    alone = threading.active_count() == 1
    return wanted if wanted > 1 and count >= PARALLEL_AT and alone else 0


def mapped(function: Callable[[list[Item]], list[Result]], items: Sequence[Item],
           jobs: int | None = None) -> Iterator[Result]:
    """`function` applied to `items` in chunks (it answers one result per item), the results in
    the items' order: by `jobs` worker processes (default: one per core) when there are many."""
    with readers(len(items), jobs) as read:
        yield from read(function, items)


Reading = Callable[[Callable[[list[Item]], list[Result]], Sequence[Item]], Iterator[Result]]


@contextlib.contextmanager
def readers(count: int, jobs: int | None = None) -> Iterator[Reading[Any, Any]]:
    """Within: a `mapped` for `count` items whose worker processes, if any, are started now
    (before the caller starts threads of its own, such as a search engine's writer's)."""
    workers = jobs_for(count, jobs)
    if not workers:
        yield _here
        return
    with multiprocessing.get_context("fork").Pool(workers) as processes:

        def read(function: Callable[[list[Item]], list[Result]],
                 items: Sequence[Item]) -> Iterator[Result]:
            ahead: deque[AsyncResult[list[Result]]] = deque()
            for chunk in _chunks(items):  # a few chunks ahead of the writer, never them all
                ahead.append(processes.apply_async(function, (chunk,)))
                if len(ahead) > AHEAD * workers:
                    yield from ahead.popleft().get()
            while ahead:
                yield from ahead.popleft().get()

        yield read


def _chunks(items: Sequence[Item]) -> Iterator[list[Item]]:
    for start in range(0, len(items), CHUNK):
        yield list(items[start:start + CHUNK])


def _here(function: Callable[[list[Item]], list[Result]],
          items: Sequence[Item]) -> Iterator[Result]:
    for chunk in _chunks(items):
        yield from function(chunk)
