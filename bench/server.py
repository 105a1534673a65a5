"""`letters serve` in a subprocess on 127.0.0.1, for the HTTP and load benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

#: The positions of phrase words a search may read (LETTERS_PHRASE_POSITIONS): the benchmarks
#: measure Whoosh at 100,000 letters, whose common phrases read millions of them, so they lift
#: the budget that refuses such searches by default.
PHRASE_POSITIONS = 1_000_000_000


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """The program's own server (`letters serve`) on a home, reading open to all."""

    def __init__(self, home: Path, log: Path, engine: str = "whoosh") -> None:
        self.home = home
        self.log = log
        self.engine = engine
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> None:
        """Start the server and wait until /healthz answers (the index is opened at start-up)."""
        env = {**os.environ, "LETTERS_OPEN_READING": "1", "LETTERS_HOME": str(self.home),
               "LETTERS_SEARCH_ENGINE": self.engine,
               "LETTERS_PHRASE_POSITIONS": str(PHRASE_POSITIONS),
               # no scheduled fixity check hashing every original beside the measured requests
               "LETTERS_FIXITY_EVERY_HOURS": "0"}
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "letters", "--home", str(self.home), "serve",
                 "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped at start-up; see {self.log}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {timeout:.0f} s; see {self.log}")

    def memory(self) -> dict[str, float]:
        """Resident memory of the server process, MB: now (VmRSS) and peak (VmHWM)."""
        assert self.process is not None
        values: dict[str, float] = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
        return values

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 15 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
