"""Uploads wait their turn without holding a server thread, and only so many may wait; page images
are drawn only so many at once.

One upload is ingested at a time (reading PDFs is the slow part, done by worker processes); the
others wait on the event loop. Past `size` waiting, an upload is refused at once (503) before its
body is read, so slow work never takes every thread and `/healthz` and the pages keep answering.
A page image not drawn yet takes a `pdftoppm` process: one per reader at a time (429) and
`renders` in all (503), each refusal a sentence with Retry-After; images already drawn are sent
without a turn.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from letters.messages import ENGLISH, Message, msg

BUSY = ENGLISH["refusal.upload_busy"]
RETRY_AFTER = "60"
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
    """Turns to draw page images: one per reader at a time, `size` in all (no waiting: a reader
    refused asks again after Retry-After)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._running: Counter[str] = Counter()  # by reader

    @contextmanager
    def turn(self, reader: str) -> Iterator[None]:
        """Hold a turn for `reader` while drawing (Refused when they have one or none is free)."""
        with self._lock:
            if self._running[reader]:
                raise Refused(429, msg("refusal.render_yours"), RENDER_RETRY_AFTER)
            if sum(self._running.values()) >= self.size:
                raise Refused(503, msg("refusal.render_busy"), RENDER_RETRY_AFTER)
            self._running[reader] += 1
        try:
            yield
        finally:
            with self._lock:
                self._running[reader] -= 1
                if not self._running[reader]:
                    del self._running[reader]


class Busy(Exception):
    """The upload queue is full."""


class UploadQueue:
    """Admits an upload when fewer than `size` are waiting; hands out turns one at a time."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._admitted = 0  # ingesting or waiting (changed on the event loop only)
        self._turn: asyncio.Lock | None = None

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Hold a place in the queue (Busy when it is full) for the whole upload."""
        if self._admitted > self.size:
            raise Busy(BUSY)
        self._admitted += 1
        try:
            yield
        finally:
            self._admitted -= 1

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait, on the event loop, until no other upload is being ingested."""
        if self._turn is None:
            self._turn = asyncio.Lock()
        async with self._turn:
            yield
