"""Uploads wait their turn without holding a server thread, and only so many may wait.

One upload is ingested at a time (reading PDFs is the slow part, done by worker processes); the
others wait on the event loop. Past `size` waiting, an upload is refused at once (503) before its
body is read, so slow work never takes every thread and `/healthz` and the pages keep answering.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from letters.messages import ENGLISH

BUSY = ENGLISH["refusal.upload_busy"]
RETRY_AFTER = "60"


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
