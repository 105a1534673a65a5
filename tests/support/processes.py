"""The real `letters` command in processes of its own (or in the test's, for what it prints), and
what tests of served processes need: a free port, a health check, and the programs still running
on a folder's files."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest


def run(home: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `letters --home HOME ARGS` in a process of its own; what it did."""
    return subprocess.run([sys.executable, "-m", "letters", "--home", str(home), *args],
                          input=stdin, capture_output=True, text=True, env=env, timeout=timeout)


def in_process(capsys: pytest.CaptureFixture[str], home: Path, *args: str,
               stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `letters --home HOME ARGS` in this process (`letters.cli.main`), as `run` does in a
    process of its own: for tests of what a command prints and its exit status, which need no
    process of their own (a process start costs some 0.3 s of CPU)."""
    from letters.cli import main

    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = main(["--home", str(home), *args])
        except SystemExit as exit_:  # a usage error found by argparse
            code = exit_.code if isinstance(exit_.code, int) else 2
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["letters", "--home", str(home), *args], code, out, err)


def letters(home: Path, *args: str, stdin: str = "") -> str:
    """Run the command line on the home, which must succeed; its standard output."""
    done = run(home, *args, stdin=stdin)
    assert done.returncode == 0, done.stderr
    return done.stdout


def free_port() -> int:
    """A TCP port of 127.0.0.1 nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def healthy(url: str) -> bool:
    """Whether the server at `url` answers 200 on /healthz."""
    try:
        return httpx.get(f"{url}/healthz", timeout=10).status_code == 200
    except httpx.TransportError:
        return False


def programs_using(folder: Path) -> list[str]:
    """The command lines of running programs that name a path in that folder."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        if str(folder) in args:
            found.append(args)
    return found
