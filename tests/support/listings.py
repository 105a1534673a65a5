"""Counting the directories a piece of code lists (os.scandir, os.listdir: what Path.iterdir,
Path.glob and glob use), to show that its cost does not grow with the archive."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


class Listings:
    """The directories listed while `counting` is on, each with how many entries it held."""

    def __init__(self) -> None:
        self.listed: list[tuple[Path, int]] = []

    def under(self, root: Path) -> list[tuple[Path, int]]:
        """The listings of `root` and of the directories below it."""
        return [(path, size) for path, size in self.listed
                if path == root or root in path.parents]

    def entries_under(self, root: Path) -> int:
        """How many entries the listings of `root` and below read in all."""
        return sum(size for _, size in self.under(root))


@contextmanager
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Listings]:
    """Record every directory listed by this process (any thread) within."""
    found = Listings()
    real_scandir, real_listdir = os.scandir, os.listdir

    def note(path: Any) -> None:
        if isinstance(path, int):  # a listing by file descriptor (shutil.rmtree): not a path
            return
        where = Path(os.fsdecode(path) if path is not None else ".").resolve()
        try:
            found.listed.append((where, len(real_listdir(where))))
        except OSError:
            found.listed.append((where, 0))

    def scandir(path: Any = ".") -> Any:
        note(path)
        return real_scandir(path)

    def listdir(path: Any = ".") -> list[str]:
        note(path)
        return real_listdir(path)

    with monkeypatch.context() as patch:
        patch.setattr(os, "scandir", scandir)
        patch.setattr(os, "listdir", listdir)
        yield found
