"""Uploads wait their turn without holding a server thread, and only so many may wait; page images
are drawn only so many at once.

One upload is ingested at a time (reading PDFs is the slow part, done by worker processes); the
others wait on the event loop. Past `size` waiting, an upload is refused at once (503) before its
body is read, so slow work never takes every thread and `/healthz` and the pages keep answering.
A page image not drawn yet takes a `pdftoppm` process: one per reader at a time and `renders`
in all; the others wait their turn, a few per reader (429 beyond) and a few in all (503 beyond),
each refusal a sentence with Retry-After; images already drawn are sent without a turn.

With a directory (`.letters/uploads/`), the places and the turn are file locks, so that every
server process of one home (`letters serve --workers N`) shares one queue: a place is one of
`size + 1` slot files locked without waiting, the turn a lock file waited for on a thread.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from letters.messages import ENGLISH, Message, msg

BUSY = ENGLISH["refusal.upload_busy"]
RETRY_AFTER = "60"
log = logging.getLogger("letters.web")
#: Seconds a reader refused a page image is asked to wait (a page takes about a second to draw).
RENDER_RETRY_AFTER = "5"


class Refused(Exception):
    """Not now: `status` (429 or 503), why (`message`) and when to try again (`retry_after`)."""

    def __init__(self, status: int, message: Message, retry_after: str) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message
        self.retry_after = retry_after


class Renders:
    """Turns to draw page images: `size` at once in all and one at a time per reader; a reader's
    next ones wait their turn (a letter page asks for every page's image at once), up to
    `PER_READER` in all (429 beyond), and `WAITING` per turn at most wait in all (503 beyond)."""

    #: A reader's page images drawn or waiting at once, at most: more than the 6 connections a
    #: browser opens to one site, so a letter page's own images never get a 429.
    PER_READER = 8
    #: Requests waiting for a turn, per turn of `size`, at most (each holds a server thread).
    WAITING = 8
    #: Seconds a request waits for its turn before it is refused (503).
    PATIENCE = 60.0

    def __init__(self, size: int) -> None:
        self.size = size
        self._changed = threading.Condition()
        self._running: Counter[str] = Counter()  # by reader
        self._waiting: Counter[str] = Counter()

    def waiting(self, reader: str) -> int:
        """How many of a reader's requests wait for a turn."""
        with self._changed:
            return self._waiting[reader]

    def _free(self, reader: str) -> bool:
        return not self._running[reader] and self._running.total() < self.size

    @contextmanager
    def turn(self, reader: str) -> Iterator[None]:
        """Hold a turn for `reader` while drawing, waiting for it if need be (Refused when the
        reader has too many, or too many wait)."""
        with self._changed:
            if not self._free(reader):
                if self._running[reader] + self._waiting[reader] >= self.PER_READER:
                    raise Refused(429, msg("refusal.render_yours", most=self.PER_READER),
                                  RENDER_RETRY_AFTER)
                if self._waiting.total() >= self.WAITING * self.size:
                    raise Refused(503, msg("refusal.render_busy"), RENDER_RETRY_AFTER)
                self._waiting[reader] += 1
                try:
                    if not self._changed.wait_for(lambda: self._free(reader), self.PATIENCE):
                        raise Refused(503, msg("refusal.render_busy"), RENDER_RETRY_AFTER)
                finally:
                    self._waiting[reader] -= 1
                    self._waiting += Counter()  # drop readers at zero
            self._running[reader] += 1
        try:
            yield
        finally:
            with self._changed:
                self._running[reader] -= 1
                self._running += Counter()
                self._changed.notify_all()


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
