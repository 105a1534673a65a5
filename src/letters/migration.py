"""Bring the histories of an archive made by an older version up to what `letters verify` checks.

Histories written by earlier versions start with an `added` event holding neither the record as
added nor the SHA-256 of the letter's text, so a record rewritten outside the program, or a
replaced text, could not be told. `add_digests` gives each such event the record as added (the
record now, with every later change undone) and the digest of the text now: what is archived at
that moment is vouched for from then on. It is run once, by a person (`letters migrate`), and
recorded as one audit event naming the letters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from letters.archive import HISTORY, RECORD, TEXT, Archive, letter_id
from letters.fsutil import read_lines, write_atomic


def lacks_digests(event: dict[str, Any]) -> bool:
    """An `added` event written before histories carried the record and the text's digest."""
    return not (isinstance(event.get("record"), dict) and isinstance(event.get("text_sha256"), str))


def add_digests(archive: Archive, record: Callable[[dict[str, Any]], object]) -> list[str]:
    """Give every history whose `added` event lacks them the record as added and its text's
    SHA-256; `record` is called once with what was done (for the audit log) when any was; the
    ids of the letters migrated."""
    done: list[str] = []
    for directory in sorted(archive.letters_dir.glob(f"??/*/{RECORD}")):
        ident = letter_id(directory.parent.name)
        with archive.writing(ident):
            if _migrate(directory.parent):
                done.append(ident)
    if done:
        record({"ids": done, "added": ["record", "text_sha256"]})
    return done


def _migrate(directory: Path) -> bool:
    lines = read_lines(directory / HISTORY)
    events = [json.loads(line) for line in lines if line.strip()]
    if not events or not lacks_digests(events[0]):
        return False
    current: dict[str, Any] = json.loads((directory / RECORD).read_text(encoding="utf-8"))
    for event in reversed(events[1:]):  # undo each change, newest first
        changes = event.get("changes")
        if isinstance(changes, dict):
            current.update({k: c.get("before") for k, c in changes.items() if isinstance(c, dict)})
    events[0] = {**events[0], "record": current,
                 "text_sha256": hashlib.sha256((directory / TEXT).read_bytes()).hexdigest()}
    write_atomic(directory / HISTORY, "".join(json.dumps(e, ensure_ascii=False) + "\n"
                                              for e in events).encode("utf-8"))
    return True
