"""What the catalog reads of the archive's files: the letter directories, a record, the dates
its stored text cites, who paired it by hand."""

from __future__ import annotations

import json
import os
from pathlib import Path

from letters.archive import HISTORY, RECORD, TEXT, Archive, letter_id
from letters.archive import read_record as archive_record
from letters.fsutil import read_lines
from letters.models import Letter
from letters.pairing import exchanges as pairing


def directories(archive: Archive) -> dict[str, Path]:
    """Every letter directory of the archive by its name (the original's digest)."""
    found: dict[str, Path] = {}
    root = archive.letters_dir
    if not root.is_dir():
        return found
    for shard in os.scandir(root):  # names first: 100,000 `Path.iterdir` entries cost seconds
        if len(shard.name) == 2 and shard.is_dir():
            folder = root / shard.name
            for name in os.listdir(shard.path):
                if len(name) == 64:
                    found[name] = folder / name
    return found


def linked_by(directory: Path) -> str | None:
    """Who last paired this letter by hand, as its history says."""
    try:
        lines = read_lines(directory / HISTORY)
    except OSError:
        return None
    for line in reversed(lines):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("action") == "linked":
            by = event.get("by")
            return by if isinstance(by, str) else None
    return None


def read_record(directory: Path) -> Letter:
    """The record in a letter directory, as its history says (`archive.read_record`)."""
    return archive_record(directory)


def own_record(directory: Path) -> Letter | None:
    """The record of a letter directory when it is that directory's (its digest and id are the
    directory's), else None: a record put in by hand repeating another letter's id or digest is
    never catalogued over the genuine one (`letters verify` reports it)."""
    letter = read_record(directory)
    return letter if belongs(directory, letter) else None


def belongs(directory: Path, letter: Letter) -> bool:
    """The record names the original of its own directory."""
    return letter.sha256 == directory.name and letter.id == letter_id(directory.name)


def cited_of(directory: Path) -> frozenset[str]:
    """The dates a letter's stored text cites (none when the text cannot be read)."""
    try:
        pages = json.loads((directory / TEXT).read_text(encoding="utf-8"))["pages"]
        return pairing.cited_dates("\n".join(pages))
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()


#: A row of the catalog's `letters` table, in its columns' order.
Row = tuple[str, str, str | None, str | None, str | None, str | None, str, str, str | None,
            str | None, str, str, str]


def row_of(directory: Path, letter: Letter, cited: frozenset[str]) -> Row:
    """The catalog row of a letter (its record as stored, the dates its text cites)."""
    record = json.dumps(letter.to_record(), ensure_ascii=False, sort_keys=True)
    linked = linked_by(directory) if letter.exchange else None
    return (letter.sha256, letter.id, letter.partner, letter.signatory, letter.date,
            letter.direction, letter.status, letter.added_at, letter.exchange, linked,
            json.dumps(sorted(cited)), codes_of(letter), record)


def codes_of(letter: Letter) -> str:
    """The codes of a letter's reasons, as the catalog keeps them for counting the review queue
    by kind without reading records: a JSON list, sorted, each once ("" for a reason stored as a
    sentence, without a code)."""
    return json.dumps(sorted({reason.code for reason in letter.reasons}))


def rows(directories: list[str]) -> list[Row | None]:
    """The catalog row of each letter directory (None: it holds no record of its own); what
    a rebuild's workers read and parse."""
    found: list[Row | None] = []
    for name in directories:
        directory = Path(name)
        letter = own_record(directory) if (directory / RECORD).exists() else None
        found.append(None if letter is None else row_of(directory, letter, cited_of(directory)))
    return found
