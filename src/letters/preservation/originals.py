"""Whether an original is still the one archived: the one check of every path that ships one.

An original is archived under its SHA-256: the name of its letter directory, the record's `sha256`
and the record of its `added` history event all say it. `check` re-hashes the bytes and compares;
the export packs only originals that pass (on the copy it packs, so bytes changed in between
never reach a bundle), and the download of an original says whether it passed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from letters.archive import HISTORY, Archive
from letters.errors import Explained
from letters.fsutil import sha256_of
from letters.messages import Message, msg
from letters.models import Letter


@dataclass(frozen=True)
class Original:
    """A letter's original: where it is and, when it is not the one archived, why."""

    letter: Letter
    path: Path
    problem: Message | None = None

    @property
    def intact(self) -> bool:
        """The bytes are those the letter was archived under."""
        return self.problem is None


class OriginalsAltered(Explained):
    """Originals that are not the ones archived: nothing is shipped that claims they are."""


def archived_digest(directory: Path, letter: Letter) -> str | None:
    """The SHA-256 the letter was archived under, or None when its directory, its record and its
    `added` history event do not agree on one."""
    added = _added_record(directory / HISTORY)
    said = {directory.name, letter.sha256}
    if added is not None:
        said.add(str(added.get("sha256")))
    return said.pop() if len(said) == 1 else None


def check(archive: Archive, letter: Letter, path: Path | None = None,
          name: Message | None = None) -> Original:
    """The original of `letter` (or the copy of it at `path`) against the digest it was archived
    under; `name` says the letter in words in the problem (default: its date and partner)."""
    original = archive.original_path(letter.id)
    bytes_at = path or original
    words = name or in_words(letter, letter.partner or "")
    expected = archived_digest(original.parent, letter)
    try:
        actual = sha256_of(bytes_at)
    except FileNotFoundError:
        return Original(letter, original, msg("integrity.shipped_missing", letter=words))
    except OSError as error:
        return Original(letter, original, msg("integrity.shipped_unreadable", letter=words,
                                              why=str(error.strerror)))
    if expected is None or actual != expected:
        return Original(letter, original, msg("integrity.shipped_altered", letter=words))
    return Original(letter, original)


def in_words(letter: Letter, partner: str) -> Message:
    """The letter as a person names it: its date, who wrote it to whom."""
    date = letter.date or "?"
    if letter.direction == "outgoing" and partner:
        return msg("integrity.shipped_letter_outgoing", date=date, partner=partner)
    if letter.direction == "incoming" and partner:
        return msg("integrity.shipped_letter_incoming", date=date, partner=partner)
    return msg("integrity.shipped_letter_other", date=date, filename=letter.filename or letter.id)


def refusal(partner: str, problems: list[Message]) -> OriginalsAltered:
    """The export of `partner`'s founding documents refused, naming every original at fault."""
    said = problems[-1]
    for problem in reversed(problems[:-1]):
        said = msg("integrity.shipped_and", first=problem, rest=said)
    return OriginalsAltered(msg("integrity.shipped_export_refused", partner=partner, problems=said))


def _added_record(path: Path) -> dict[str, object] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            first = handle.readline()
        event = json.loads(first)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    record = event.get("record") if isinstance(event, dict) else None
    return record if isinstance(record, dict) else None
