"""What `letters verify` checks beyond fixity: that the parts of the archive agree.

- a record equals the replay of its history (the record added, then each change in order);
- a letter's text still has the SHA-256 recorded when it was added;
- every letter the audit log says was added is present, and every letter present was added;
- the search index holds exactly the archive's letters;
- no temporary file or staged letter was left behind (by a crash, or planted).

Each check reads only: it works on a read-only archive.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from letters.archive import HISTORY, RECORD, TEXT, letter_id
from letters.messages import Message, msg
from letters.preservation import audit

if TYPE_CHECKING:
    from letters.search import SearchIndex

#: A temporary file older than this (seconds) is no write in progress but a leftover.
STALE_SECONDS = 60.0
REINDEX = msg("integrity.reindex")

#: One problem: the letter's id (or None), the file, what is wrong.
Found = tuple[str | None, Path, Message]


def check_replay(directory: Path) -> list[tuple[Path, Message]]:
    """The record against the replay of its history, and the text against its recorded digest."""
    history = _history(directory / HISTORY)
    record = _json(directory / RECORD)
    if history is None or not isinstance(record, dict):
        return []  # unreadable: fixity reports it
    if not history:
        return [(directory / HISTORY, msg("integrity.history_empty"))]
    found: list[tuple[Path, Message]] = []
    added = history[0]
    if not (isinstance(added.get("record"), dict) and isinstance(added.get("text_sha256"), str)):
        return [(directory / HISTORY, msg("integrity.history_without_digests"))]
    replayed: dict[str, Any] = dict(added.get("record") or {})
    for event in history[1:]:
        changes = event.get("changes")
        if isinstance(changes, dict):
            replayed.update({k: c.get("after") for k, c in changes.items() if isinstance(c, dict)})
    differ = sorted(k for k, v in replayed.items() if record.get(k) != v)
    if differ:
        found.append((directory / RECORD, msg("integrity.replay", fields=", ".join(differ))))
    digest = added.get("text_sha256")
    text = directory / TEXT
    if (isinstance(digest, str) and text.is_file()
            and hashlib.sha256(text.read_bytes()).hexdigest() != digest):
        found.append((text, msg("integrity.text_replaced")))
    return found


def stale_temporaries(directory: Path, now: float | None = None) -> Iterator[Path]:
    """Temporary files (`.tmp-*`) of that directory older than a write takes."""
    now = time.time() if now is None else now
    for entry in sorted(directory.glob(".tmp-*")):
        try:
            if now - entry.lstat().st_mtime > STALE_SECONDS:
                yield entry
        except FileNotFoundError:
            continue  # the write it belonged to has just finished


def check_audit_trail(archive_dir: Path, present: dict[str, Path]) -> list[Found]:
    """Every letter the audit log records as added is present; every letter present was added,
    by an event the log vouches for (`audit.trusted`): a letter whose only upload event is
    unauthenticated or after a break in the log is a problem, and so is the break itself."""
    trusted, chain = audit.trusted(archive_dir)
    added = _uploads(trusted)
    claimed = _uploads(_events(archive_dir))
    found: list[Found] = []
    if not chain.ok:
        found.append((None, archive_dir / audit.LOG,
                      msg("integrity.audit_broken", problem=str(chain.problem))))
    for ident, upload in sorted(added.items()):
        if ident not in present:
            sha = str(upload.get("sha256") or ident)
            found.append((ident, archive_dir / "letters" / sha[:2] / sha,
                          msg("integrity.letter_missing", at=str(upload.get("at")),
                              who=str(upload.get("who")), filename=str(upload.get("filename")),
                              reindex=REINDEX)))
    for ident, directory in sorted(present.items()):
        if ident not in added:
            found.append((ident, directory, msg("integrity.upload_untrusted") if ident in claimed
                          else msg("integrity.not_uploaded")))
    return found


def _uploads(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The first upload event of each letter id, with when and who."""
    added: dict[str, dict[str, Any]] = {}
    for event in events:
        what = event.get("what")
        if event.get("action") == "upload" and isinstance(what, dict) and what.get("id"):
            added.setdefault(str(what["id"]), {**what, "at": event.get("at"),
                                                "who": event.get("who")})
    return added


def check_index(index: Callable[[], SearchIndex], index_dir: Path, present: dict[str, Path]
                ) -> list[Found]:
    """The search index (`index` opens it; `index_dir`: where it lives) holds exactly the
    archive's letters (read through its public API)."""
    try:
        indexed: set[str] = index().ids()
    except (OSError, RuntimeError, ValueError) as error:
        return [(None, index_dir, msg("integrity.index_unreadable", why=str(error),
                                      reindex=REINDEX))]
    found: list[Found] = [(ident, index_dir, msg("integrity.index_extra", reindex=REINDEX))
                          for ident in sorted(indexed - set(present))]
    found += [(ident, index_dir, msg("integrity.index_missing", reindex=REINDEX))
              for ident in sorted(set(present) - indexed)]
    return found


def letters_present(archive_dir: Path) -> dict[str, Path]:
    """The id and directory of every letter directory holding a record."""
    found: dict[str, Path] = {}
    letters = archive_dir / "letters"
    if letters.is_dir():
        for record in letters.glob(f"??/*/{RECORD}"):
            found[letter_id(record.parent.name)] = record.parent
    return found


def _events(archive_dir: Path) -> list[dict[str, Any]]:
    try:
        return [e for e in audit.events(archive_dir) if isinstance(e, dict)]
    except (OSError, ValueError):
        return []  # a damaged log: `letters audit verify` says where


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _history(path: Path) -> list[dict[str, Any]] | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        events = [json.loads(line) for line in lines if line.strip()]
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return [e for e in events if isinstance(e, dict)]
