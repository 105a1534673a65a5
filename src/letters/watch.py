"""The watched folder: PDFs an archivist drops in a folder are ingested, each once, and moved to
`done/` or `rejected/` (with the reason beside it).

A file is first claimed by renaming it into `.processing/` under a name no other file has, so two
watchers never take the same file and a kill at any moment loses nothing: what is left in
`.processing/` is taken first by the next sweep (a letter already archived comes back as a
duplicate and goes to `done/`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from letters.fsutil import append_line, write_atomic
from letters.messages import Message
from letters.models import IngestResult

PROCESSING, DONE, REJECTED = ".processing", "done", "rejected"
REASON_SUFFIX = ".reason.txt"
LOG_NAME = "watch.log"
_SEPARATOR = "--"  # a claimed file is `.processing/<token>--<name as dropped>`

#: Ingests files given with the names they were dropped under; one result per file, each handed
#: to the callback as soon as it is known.
Ingest = Callable[[list[Path], dict[Path, str], Callable[[IngestResult], None]], list[IngestResult]]


@dataclass(frozen=True)
class Dropped:
    """What became of one dropped file."""

    name: str
    result: str  # "added", "duplicate" or "rejected"
    moved_to: str  # relative to the watched folder: done/NAME or rejected/NAME
    letter: str | None
    error: str | None  # why it was rejected, in English
    refusal: str | dict[str, Any] | None  # the same as a message, stored (Message.to_record)
    at: str

    def to_json(self) -> dict[str, Any]:
        """The JSON of one line of the log."""
        return asdict(self)

    @property
    def reason(self) -> Message | None:
        """Why it was rejected, as a message to say in the reader's language."""
        return None if self.refusal is None else Message.from_record(self.refusal)

    def line(self) -> str:
        """One line of text for the folder's log and the command line."""
        what = self.letter or ""
        if self.error:
            what = self.error
        return f"{self.at} {self.result:<9} {self.name} -> {self.moved_to}" + (f": {what}" if what else "")


class Folder:
    """A watched folder and its `done/`, `rejected/` and `.processing/` subfolders."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.processing = root / PROCESSING
        self._sizes: dict[str, tuple[int, int]] = {}

    def prepare(self) -> None:
        """Make the subfolders (refusing a folder that is not there)."""
        if not self.root.is_dir():
            raise NotADirectoryError(f"{self.root} is not a folder")
        for name in (PROCESSING, DONE, REJECTED):
            (self.root / name).mkdir(exist_ok=True)

    def dropped(self, settled: bool) -> list[Path]:
        """The PDFs waiting at the top of the folder, by name. With `settled`, only those whose size
        and modification time have not changed since the last look (a copy still being written
        is left for a later sweep)."""
        found: dict[str, tuple[int, int]] = {}
        ready = []
        for entry in sorted(os.scandir(self.root), key=lambda e: e.name):
            if entry.name.startswith(".") or not entry.name.lower().endswith(".pdf"):
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            stat = entry.stat(follow_symlinks=False)
            found[entry.name] = (stat.st_size, stat.st_mtime_ns)
            if not settled or self._sizes.get(entry.name) == found[entry.name]:
                ready.append(Path(entry.path))
        self._sizes = found
        return ready

    def left_over(self) -> list[Path]:
        """Files claimed by a sweep that was stopped before it moved them on."""
        return sorted(p for p in self.processing.iterdir() if p.is_file())

    def claim(self, path: Path) -> Path | None:
        """Move a dropped file into `.processing/` (None when another watcher took it first)."""
        token = f"{time.time_ns():x}{os.getpid():x}"
        target = self.processing / f"{token}{_SEPARATOR}{path.name}"
        try:
            os.rename(path, target)
        except FileNotFoundError:
            return None
        return target

    @staticmethod
    def dropped_name(claimed: Path) -> str:
        """The name a claimed file was dropped under."""
        return claimed.name.partition(_SEPARATOR)[2] or claimed.name

    def settle(self, claimed: Path, result: IngestResult) -> Dropped:
        """Move a claimed file to `done/` or `rejected/` (the reason written beside it first), never
        over another file, and say so in the folder's log."""
        name = self.dropped_name(claimed)
        rejected = result.result == "rejected"
        place = self.root / (REJECTED if rejected else DONE)
        at = datetime.now(UTC).isoformat(timespec="seconds")
        for target in _free_names(place, name):
            if rejected:
                reason = f"{result.error}\n" + (f"({result.refusal.code})\n" if result.refusal
                                                  and result.refusal.code else "")
                write_atomic(target.with_name(target.name + REASON_SUFFIX), reason.encode())
            try:
                os.link(claimed, target)
            except FileExistsError:
                continue
            os.unlink(claimed)
            break
        letter = result.letter.id if result.letter else None
        refusal = result.refusal.to_record() if result.refusal else None
        dropped = Dropped(name, result.result, f"{place.name}/{target.name}", letter, result.error,
                          refusal, at)
        append_line(self.root / LOG_NAME, dropped.line())
        return dropped


def _free_names(place: Path, name: str) -> Iterator[Path]:
    """`name`, then `stem-2.pdf`, `stem-3.pdf`... in `place`, skipping names taken."""
    stem, suffix = os.path.splitext(name)
    number = 1
    while True:
        candidate = place / (name if number == 1 else f"{stem}-{number}{suffix}")
        if not candidate.exists():
            yield candidate
        number += 1


class Journal:
    """The home's record of what the watched folders did (`.letters/watch.jsonl`), of which the
    upload page shows the last lines."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def add(self, dropped: Dropped) -> None:
        """Append one line."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        append_line(self.path, json.dumps(dropped.to_json(), ensure_ascii=False))

    def recent(self, limit: int = 20, tail_bytes: int = 65536) -> list[Dropped]:
        """The last `limit` results, newest first, read from the end of the file only."""
        try:
            with open(self.path, "rb") as file:
                file.seek(0, os.SEEK_END)
                size = file.tell()
                file.seek(max(0, size - tail_bytes))
                data = file.read()
        except FileNotFoundError:
            return []
        lines = data.split(b"\n")
        if size > tail_bytes:
            lines = lines[1:]  # the first may be cut
        out = []
        for raw in reversed(lines):
            try:
                fields = json.loads(raw)
                out.append(Dropped(**fields))
            except (ValueError, TypeError):
                continue
            if len(out) == limit:
                break
        return out


def sweep(folder: Folder, ingest: Ingest, journal: Journal, settled: bool = False,
          each: Callable[[Dropped], None] | None = None) -> list[Dropped]:
    """Ingest what was left in `.processing/` and what is waiting in the folder, moving each file on
    as soon as its result is known."""
    folder.prepare()
    claimed = folder.left_over()
    claimed += [c for p in folder.dropped(settled) if (c := folder.claim(p)) is not None]
    if not claimed:
        return []
    by_path = {str(c): c for c in claimed}
    outcome: list[Dropped] = []

    def moved(result: IngestResult) -> None:
        dropped = folder.settle(by_path.pop(result.path), result)
        journal.add(dropped)
        outcome.append(dropped)
        if each:
            each(dropped)

    for result in ingest(claimed, {c: folder.dropped_name(c) for c in claimed}, moved):
        if result.path in by_path:  # a result the callback did not see
            moved(result)
    return outcome
