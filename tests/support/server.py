"""The real application served over HTTP in a thread; full scans of the archive in its requests raise."""

from __future__ import annotations

import asyncio
import contextvars
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from letters.settings import Settings

#: Letters whose text one request may read (a letter page reads its own, relinking reads the few
#: letters naming the partner); more is a scan of the archive's texts.
MAX_TEXTS_PER_REQUEST = 10
_REQUEST: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("request", default=None)


class FullScan(AssertionError):
    """A request path read every record or text of the archive."""


class NoFullScans:
    """ASGI middleware marking each request, so that the archive refuses full scans inside it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        token = _REQUEST.set([0])
        try:
            await self.app(scope, receive, send)
        finally:
            _REQUEST.reset(token)


@contextmanager
def in_request() -> Iterator[None]:
    """Act as a request of the live server does (for the test of the guard itself)."""
    token = _REQUEST.set([0])
    try:
        yield
    finally:
        _REQUEST.reset(token)


def _guard_scans() -> None:
    """Make Archive.records, Catalog.rebuild and reading many texts raise inside a request."""
    from letters.archive import Archive
    from letters.catalog import Catalog

    if getattr(Archive, "guarded", False):
        return
    records, pages, rebuild = Archive.records, Archive.pages, Catalog.rebuild

    def guarded_records(self: Archive) -> Iterator[Any]:
        if _REQUEST.get() is not None:
            raise FullScan("Archive.records() on a request path: read the catalog instead")
        return records(self)

    def guarded_pages(self: Archive, letter_id: str) -> list[str]:
        read = _REQUEST.get()
        if read is not None:
            read[0] += 1
            if read[0] > MAX_TEXTS_PER_REQUEST:
                raise FullScan("a request path read the text of many letters")
        return pages(self, letter_id)

    def guarded_rebuild(self: Catalog, *args: Any, **kwargs: Any) -> int:
        if _REQUEST.get() is not None:
            raise FullScan("the catalog was rebuilt on a request path")
        return rebuild(self, *args, **kwargs)

    Archive.records = guarded_records  # type: ignore[method-assign]
    Archive.pages = guarded_pages  # type: ignore[method-assign]
    Catalog.rebuild = guarded_rebuild  # type: ignore[method-assign]
    Archive.guarded = True  # type: ignore[attr-defined]


def _uvicorn(config: Any) -> Any:
    """uvicorn's server, made to stop as soon as it is told (`stop`) rather than at its next tick
    (every 0.1 s), and without the pause of 0.1 s its shutdown gives every connection."""
    import uvicorn

    class Server(uvicorn.Server):
        stopping: asyncio.Event
        loop: asyncio.AbstractEventLoop | None = None  # set once the main loop runs

        async def main_loop(self) -> None:
            self.stopping = asyncio.Event()
            self.loop = asyncio.get_running_loop()
            ticks = asyncio.ensure_future(super().main_loop())
            stop = asyncio.ensure_future(self.stopping.wait())
            await asyncio.wait([ticks, stop], return_when=asyncio.FIRST_COMPLETED)
            ticks.cancel()
            stop.cancel()

        async def shutdown(self, sockets: Any = None) -> None:
            for server in self.servers:
                server.close()
            for connection in list(self.server_state.connections):
                connection.shutdown()
            # as uvicorn's: the answers being sent and their tasks end first (closing the files
            # they send), but looked at every few milliseconds rather than every 100
            while self.server_state.connections or self.server_state.tasks:
                await asyncio.sleep(0.005)
            for server in self.servers:
                await server.wait_closed()

        def stop(self) -> None:
            self.should_exit = True  # seen at once by a main loop not yet running
            if self.loop is not None:
                self.loop.call_soon_threadsafe(self.stopping.set)

    return Server(config)


class LiveServer:
    """The real application served by uvicorn on 127.0.0.1, in a thread, on a free port; full
    scans of the archive inside its requests raise `FullScan` (see `_guard_scans`)."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from letters.web.app import create_app

        _guard_scans()
        self.app = create_app(settings)
        # IPPROTO_TCP, as uvicorn's own sockets: asyncio sets TCP_NODELAY on TCP sockets only, and
        # without it each answer waits some 40 ms for the client's delayed acknowledgement.
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(NoFullScans(self.app), log_level="warning", http="h11", ws="none",
                                lifespan="off", access_log=False, proxy_headers=False)  # as serve
        self.server = _uvicorn(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]},
                                       daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                return self
            if not self.thread.is_alive():
                break
            time.sleep(0.01)
        raise RuntimeError("the test server did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
        self.thread.join(timeout=10)
        self.socket.close()
