"""What the catalog reads of the archive's files: the letter directories, a record, the dates
its stored text cites, who paired it by hand."""

from __future__ import annotations

import json
from pathlib import Path

from letters.archive import HISTORY, TEXT, Archive, letter_id
from letters.archive import read_record as archive_record
from letters.models import Letter
from letters.pairing import exchanges as pairing


def directories(archive: Archive) -> dict[str, Path]:
    """Every letter directory of the archive by its name (the original's digest)."""
    found: dict[str, Path] = {}
    root = archive.letters_dir
    if not root.is_dir():
        return found
    for shard in root.iterdir():
        if shard.is_dir() and len(shard.name) == 2:
            for entry in shard.iterdir():
                if len(entry.name) == 64:
                    found[entry.name] = entry
    return found


def linked_by(directory: Path) -> str | None:
    """Who last paired this letter by hand, as its history says."""
    try:
        lines = (directory / HISTORY).read_text(encoding="utf-8").splitlines()
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
