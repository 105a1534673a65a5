"""The real `letters` command in processes of its own (or in this one, where its own process
proves nothing more), and what tests of served processes need: a free port, a health check, and
the programs still running on a folder's files."""

from __future__ import annotations

import contextlib
import gc
import io
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from multiprocessing.process import BaseProcess
from pathlib import Path

import httpx


def run(home: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `letters --home HOME ARGS` in a process of its own; what it did."""
    return subprocess.run([sys.executable, "-m", "letters", "--home", str(home), *args],
                          input=stdin, capture_output=True, text=True, env=env, timeout=timeout)


def invoke(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `letters --home HOME ARGS` in this process (`letters.cli.main`), its output captured as
    `run` captures a process's: for what a command does where a process of its own proves
    nothing more (each command runs so elsewhere; a fault, LETTERS_FAULT, needs `run`)."""
    from letters.cli import main

    argv = ["--home", str(home), *args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _stdin(stdin):
        try:
            status = main(argv)
        except SystemExit as leaving:  # argparse's usage errors
            status = leaving.code if isinstance(leaving.code, int) else 1
    gc.collect()  # what the command opened is closed, as at a process's end (the catalog's WAL)
    return subprocess.CompletedProcess(["letters", *argv], status, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _stdin(text: str) -> Iterator[None]:
    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved



#: One interpreter that has imported the command line and the web application, from which
#: `forked` forks each command (multiprocessing's fork server: a single thread, nothing else).
_WARM = multiprocessing.get_context("forkserver")
_WARM.set_forkserver_preload(["letters.cli", "letters.cli.serve", "letters.web.app", "uvicorn",
                              "httpx"])


def forked(home: Path, *args: str, env: dict[str, str] | None = None, out: Path,
           err: Path | None = None) -> BaseProcess:
    """`letters --home HOME ARGS` started in a process of its own, forked from an interpreter
    that has imported the command line and the web application already (a new interpreter and
    its imports cost 0.3-1 s of CPU): what it runs, how it ends or dies are a process's, the
    console script's own start aside (each command's is run elsewhere). `env`: variables it runs
    with besides this process's (LETTERS_FAULT); its standard output goes to the file `out`, its
    errors to `err` (to `out` when not given)."""
    process = _WARM.Process(target=_command, args=(
        ["--home", str(home), *args], {**os.environ, **(env or {})}, str(out), str(err or out)))
    process.start()
    return process


def ran(home: Path, *args: str, env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """What `letters --home HOME ARGS` did in a `forked` process, as `run` tells it."""
    with tempfile.TemporaryDirectory() as folder:
        out, err = Path(folder) / "out", Path(folder) / "err"
        process = forked(home, *args, env=env, out=out, err=err)
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired(["letters", *args], timeout)
        return subprocess.CompletedProcess(["letters", *args], process.exitcode,
                                           _text(out), _text(err))


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _command(argv: list[str], env: dict[str, str], out: str, err: str) -> None:
    """In the forked process: what `letters ARGV` would do, its output written to files."""
    for descriptor, path in ((1, out), (2, err)):
        opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(opened, descriptor)
        os.close(opened)
    os.environ.clear()  # the caller's environment now, not the fork server's at its start
    os.environ.update(env)
    from letters.cli import main

    try:
        status = main(argv)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    sys.exit(status)  # as a process ends: its daemon workers are stopped

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
