"""Uploads wait their turn without holding a server thread, and only so many may wait.

One upload is ingested at a time (reading PDFs is the slow part, done by worker processes); the
others wait on the event loop. Past `size` waiting, an upload is refused at once (503) before its
body is read, so slow work never takes every thread and `/healthz` and the pages keep answering.

With a directory (`.letters/uploads/`), the places and the turn are file locks, so that every
server process of one home (`letters serve --workers N`) shares one queue: a place is one of
`size + 1` slot files locked without waiting, the turn a lock file waited for on a thread.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from letters.messages import ENGLISH

BUSY = ENGLISH["refusal.upload_busy"]
RETRY_AFTER = "60"
log = logging.getLogger("letters.web")


class Busy(Exception):
    """The upload queue is full."""


class UploadQueue:
    """Admits an upload when fewer than `size` are waiting; hands out turns one at a time."""

    def __init__(self, size: int, directory: Path | None = None) -> None:
        self.size = size
        self._admitted = 0  # ingesting or waiting in this process (changed on the event loop only)
        self._turn: asyncio.Lock | None = None
        self.directory = _usable(directory)

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Hold a place in the queue (Busy when it is full) for the whole upload."""
        if self._admitted > self.size:
            raise Busy(BUSY)
        with self._slot():
            self._admitted += 1
            try:
                yield
            finally:
                self._admitted -= 1

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait, on the event loop, until no other upload is being ingested (by any process)."""
        if self._turn is None:
            self._turn = asyncio.Lock()
        async with self._turn:
            if self.directory is None:
                yield
                return
            fd = os.open(self.directory / "turn.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing releases the lock

    @contextmanager
    def _slot(self) -> Iterator[None]:
        """One of the `size + 1` places shared by the processes (Busy when all are taken)."""
        if self.directory is None:
            yield
            return
        for number in range(self.size + 1):
            fd = os.open(self.directory / f"slot-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield
            finally:
                os.close(fd)
            return
        raise Busy(BUSY)


def _usable(directory: Path | None) -> Path | None:
    """The directory of the shared queue, made if needed; None (this process alone) when it
    cannot be."""
    if directory is None:
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "turn.lock").touch()
    except OSError as error:
        log.warning("Uploads are queued by this process alone: %s (%s).", directory, error)
        return None
    return directory
