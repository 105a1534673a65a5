"""The audit trail: an append-only log of events in `archive/audit.jsonl`, hash-chained.

Each event carries the SHA-256 of the previous event's line, so an edited, deleted or reordered
event breaks the chain and `letters audit verify` names the first broken one.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letters.archive import now_iso

LOG = "audit.jsonl"
GENESIS = "0" * 64


@dataclass
class ChainCheck:
    """The result of verifying the chain."""

    events: int
    ok: bool
    broken_at: int | None = None  # 1-based line of the first broken event
    problem: str | None = None


def _digest(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def record(archive_dir: Path, action: str, who: str, what: dict[str, Any] | None = None,
           address: str | None = None) -> dict[str, Any]:
    """Append one event (who, when, what, from which address) to the chain."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    path = archive_dir / LOG
    with open(path, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        last = None
        for last in handle:  # noqa: B007 - only the last line is wanted
            pass
        previous = _digest(last.rstrip("\n")) if last else GENESIS
        event = {"at": now_iso(), "who": who, "action": action, "what": what or {},
                 "address": address, "prev": previous}
        handle.write(json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return event


def events(archive_dir: Path) -> list[dict[str, Any]]:
    """Every event, oldest first."""
    path = archive_dir / LOG
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def verify(archive_dir: Path) -> ChainCheck:
    """Check that every event carries the digest of the one before it."""
    path = archive_dir / LOG
    if not path.exists():
        return ChainCheck(events=0, ok=True)
    lines = path.read_text(encoding="utf-8").splitlines()
    previous = GENESIS
    for number, line in enumerate(lines, start=1):
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            return ChainCheck(len(lines), False, number, f"event {number} is not valid JSON")
        if event.get("prev") != previous:
            return ChainCheck(len(lines), False, number,
                              f"event {number} ({event.get('action')} at {event.get('at')}) does not "
                              "follow the event before it: an event was edited, deleted or reordered")
        previous = _digest(line)
    return ChainCheck(len(lines), True)
