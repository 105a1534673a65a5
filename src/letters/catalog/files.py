"""What the catalog reads of the archive's files: the letter directories, a record, the dates
its stored text cites, who paired it by hand."""

from __future__ import annotations

import hashlib
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


def paths(archive: Archive) -> list[str]:
    """The path of every letter directory of the archive, in the order of their names (what a
    rebuild hands its workers: plain strings, no `Path` made for each)."""
    root = str(archive.letters_dir)
    if not os.path.isdir(root):
        return []
    found = [(name, os.path.join(shard.path, name)) for shard in os.scandir(root)
             if len(shard.name) == 2 and shard.is_dir()
             for name in os.listdir(shard.path) if len(name) == 64]
    return [path for _, path in sorted(found)]


def linked_by(directory: Path, history: list[str] | None = None) -> str | None:
    """Who last paired this letter by hand, as its history (`history`: its lines, when already
    read) says."""
    lines = history if history is not None else history_of(directory)
    for line in reversed(lines or []):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("action") == "linked":
            by = event.get("by")
            return by if isinstance(by, str) else None
    return None


def history_of(directory: Path) -> list[str] | None:
    """The lines of a letter's history, None when it cannot be read."""
    try:
        return read_lines(directory / HISTORY)
    except (OSError, UnicodeDecodeError):
        return None


def read_record(directory: Path, history: list[str] | None = None) -> Letter:
    """The record in a letter directory, as its history says (`archive.read_record`)."""
    return archive_record(directory, history)


def own_record(directory: Path, history: list[str] | None = None) -> Letter | None:
    """The record of a letter directory when it is that directory's (its digest and id are the
    directory's), else None: a record put in by hand repeating another letter's id or digest is
    never catalogued over the genuine one (`letters verify` reports it)."""
    letter = read_record(directory, history)
    return letter if belongs(directory, letter) else None


def belongs(directory: Path, letter: Letter) -> bool:
    """The record names the original of its own directory."""
    return letter.sha256 == directory.name and letter.id == letter_id(directory.name)


#: The dates found in texts before, by the digest of their text file (`Catalog.rebuild` sets it
#: from the catalog it replaces, before its workers start, then empties it).
KNOWN: dict[str, str] = {}


def cited_of(directory: Path) -> tuple[frozenset[str], str | None]:
    """The dates a letter's stored text cites (none when the text cannot be read), with the
    digest of its text file (None when it cannot be read)."""
    found, digest = text_cites(directory)
    return frozenset(json.loads(found)), digest


def text_cites(directory: Path, known: dict[str, str] | None = None) -> tuple[str, str | None]:
    """The dates a letter's stored text cites, as the catalog keeps them (a JSON list), and the
    digest of its text file (None when it cannot be read: no dates). `known`: the dates already
    found in texts, by digest, taken for a text file of the same bytes instead of reading it."""
    try:
        raw = (directory / TEXT).read_bytes()
    except OSError:
        return "[]", None
    digest = hashlib.sha256(raw).hexdigest()
    if known and digest in known:
        return known[digest], digest
    try:
        pages = json.loads(raw.decode("utf-8"))["pages"]
        return json.dumps(sorted(pairing.cited_dates("\n".join(pages)))), digest
    except (ValueError, KeyError, TypeError):
        return "[]", digest


#: A row of the catalog's `letters` table, in its columns' order.
Row = tuple[str, str, str | None, str | None, str | None, str | None, str, str, str | None,
            str | None, str, str, str, str | None]


def row_of(directory: Path, letter: Letter, cited: frozenset[str] | str, text: str | None,
           history: list[str] | None = None) -> Row:
    """The catalog row of a letter (its record as stored, the dates its text cites, as a set
    or as the catalog keeps them, and `text`, the digest of the text they were found in, when
    known; `history`: the lines of its history, when already read)."""
    record = json.dumps(letter.to_record(), ensure_ascii=False, sort_keys=True)
    linked = linked_by(directory, history) if letter.exchange else None
    return (letter.sha256, letter.id, letter.partner, letter.signatory, letter.date,
            letter.direction, letter.status, letter.added_at, letter.exchange, linked,
            cited if isinstance(cited, str) else json.dumps(sorted(cited)), codes_of(letter),
            record, text)


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
        history = history_of(directory)  # read once, for the record and for `linked_by`
        try:
            letter = own_record(directory, history)
        except FileNotFoundError:
            if os.path.exists(os.path.join(name, RECORD)):
                raise
            letter = None
        found.append(None if letter is None else
                     row_of(directory, letter, *text_cites(directory, KNOWN), history))
    return found
