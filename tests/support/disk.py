"""Disk faults: a folder made read-only for the running process."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make `path` read-only for this process: a read-only bind mount for root (whom file modes
    do not stop), file modes otherwise."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True)
            yield
        finally:
            subprocess.run(["umount", str(path)], check=True)
        return
    modes = {p: p.stat().st_mode for p in [path, *path.rglob("*")]}
    for p, mode in modes.items():
        p.chmod(mode & ~0o222)
    try:
        yield
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


@contextmanager
def small_disk(path: Path, size: str) -> Iterator[Callable[[str], None]]:
    """A file system of `size` (tmpfs, "1m") mounted at `path`, a real disk that fills up; the
    context gives a function that grows it ("8m") in place. Mounting needs root (as the tests'
    machines run them)."""
    assert os.geteuid() == 0, "a small disk is a tmpfs mount: run the tests as root"
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)

    def grow(bigger: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={bigger}", str(path)], check=True)

    try:
        yield grow
    finally:  # lazily: files this process still holds open (an index reader) close later
        subprocess.run(["umount", "--lazy", str(path)], check=True)
