"""Durable file writes: temporary file, fsync, rename; appends that reach the disk."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in that directory durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A handle whose content replaces `path` in one step when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a reader sees the old or the new file, never a part."""
    with atomic_output(path) as handle:
        handle.write(data)


def write_durable(path: Path, data: bytes) -> None:
    """Write a new file and fsync it, without a rename: for files in a directory that is itself
    renamed into place (the staging area), where a half-written file is never seen."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_lines(path: Path) -> list[str]:
    """The lines of a file `append_line` writes, split at "\n" alone: a JSON line may hold
    U+2028, U+0085 and the like, at which `str.splitlines` would cut it in two."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n") if text else []
    return lines[:-1] if text.endswith("\n") else lines


def append_line(path: Path, line: str) -> None:
    """Append one line (no newline inside) and fsync it."""
    if "\n" in line:
        raise ValueError("a log line cannot hold a newline")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        append_whole(handle.fileno(), (line + "\n").encode("utf-8"))


def append_whole(fd: int, data: bytes) -> None:
    """Append `data` to the file open at `fd` in one write and fsync it; when the disk takes
    only part of it (full) or none, the file is cut back to where it ended, so that no torn line
    is ever left (the error is raised)."""
    end = os.lseek(fd, 0, os.SEEK_END)
    try:
        written = os.write(fd, data)
        if written != len(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, end)
        raise


def private_key(path: Path) -> bytes:
    """The secret key kept in that file, made (random, readable by the owner only) on first use;
    when two processes make it at once, both use the one linked in first."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}-{os.getpid()}-{threading.get_ident()}")
        with atomic_output(tmp) as handle:
            handle.write(secrets.token_hex(32).encode("ascii"))
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # fails if another process made the key first: keep theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_bytes().strip()


#: Seconds a writer waits for a lock that another program holds before it gives up.
LOCK_WAIT = 60.0


def lock_exclusive(fd: int, busy: str, wait: float | None = None, **params: str) -> None:
    """Hold an exclusive lock on the open file `fd`, waiting at most `wait` seconds (LOCK_WAIT)
    for whoever holds it (errors.LockBusy with the message `busy` and `params` when it stays
    taken)."""
    from letters.errors import LockBusy
    from letters.messages import msg

    limit = LOCK_WAIT if wait is None else wait
    deadline = time.monotonic() + limit
    pause = 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockBusy(msg(busy, seconds=f"{limit:g}", **params)) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
