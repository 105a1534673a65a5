"""The audit trail: an append-only log of events in `archive/audit.jsonl`, hash-chained.

Each event carries the SHA-256 of the previous event's line, so an edited, deleted or reordered
event breaks the chain and `letters audit verify` names the first broken one. Nothing follows the
last event, so `audit-head.json` beside the log anchors the chain's end: the number of events and
the digest of the last one. An edited last event or deleted last events then show too. (A log
without a head, from an older version, is checked by its chain alone.)
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
from letters.fsutil import write_atomic

LOG = "audit.jsonl"
HEAD = "audit-head.json"
GENESIS = "0" * 64


@dataclass
class ChainCheck:
    """The result of verifying the chain."""

    events: int
    ok: bool
    broken_at: int | None = None  # 1-based number of the first broken event
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
        count, previous = _tail(archive_dir, handle)
        event = {"at": now_iso(), "who": who, "action": action, "what": what or {},
                 "address": address, "prev": previous}
        line = json.dumps(event, ensure_ascii=False, sort_keys=True)
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
        _write_head(archive_dir, count + 1, _digest(line))
    return event


def _tail(archive_dir: Path, handle: Any) -> tuple[int, str]:
    """The number of events and the digest of the last one: from the head when it agrees with the
    log's last line (the usual case, without reading the whole log), else by reading the log."""
    last = _last_line(handle.fileno())
    if last is None:
        return 0, GENESIS
    digest = _digest(last)
    try:
        head = json.loads((archive_dir / HEAD).read_text(encoding="utf-8"))
        if head.get("last") == digest and isinstance(head.get("events"), int):
            return int(head["events"]), digest
    except (OSError, ValueError):
        pass
    handle.seek(0)
    return sum(1 for line in handle if line.strip()), digest


def _last_line(fd: int, block: int = 8192) -> str | None:
    """The last non-empty line of the file, read from its end."""
    end = os.lseek(fd, 0, os.SEEK_END)
    data = b""
    position = end
    while position > 0:
        step = min(block, position)
        position -= step
        data = os.pread(fd, step, position) + data
        lines = [x for x in data.split(b"\n") if x.strip()]
        if len(lines) >= 2 or (position == 0 and lines):
            return lines[-1].decode("utf-8")
    return None


def _write_head(archive_dir: Path, count: int, last: str) -> None:
    data = json.dumps({"events": count, "last": last}, sort_keys=True) + "\n"
    write_atomic(archive_dir / HEAD, data.encode("utf-8"))


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
        head = _read_head(archive_dir)
        if head is not None and head.get("events"):
            return ChainCheck(0, False, 1, f"the audit log is missing, but it held "
                              f"{head.get('events')} events")
        return ChainCheck(events=0, ok=True)
    with open(path, encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)  # no event half-written while the log and head are read
        lines = [line for line in handle.read().splitlines() if line.strip()]
        head = _read_head(archive_dir)
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
    return _check_head(lines, head)


def _read_head(archive_dir: Path) -> dict[str, Any] | None:
    """The head, None when there is none; a damaged head reads as {} (and fails the check)."""
    path = archive_dir / HEAD
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _check_head(lines: list[str], head: dict[str, Any] | None) -> ChainCheck:
    """Compare the chain's end with the head written after the last event."""
    count = len(lines)
    if head is None:
        return ChainCheck(count, True)
    expected, last = head.get("events"), head.get("last")
    if not isinstance(expected, int) or not isinstance(last, str) or expected < 1:
        return ChainCheck(count, False, count or None,
                          f"{HEAD}, which records the end of the audit log, is damaged")
    if expected > count:
        return ChainCheck(count, False, count + 1,
                          f"event {count + 1} is missing: the log holds {count} events but "
                          f"{expected} were recorded, so the last events were deleted")
    anchor = lines[expected - 1]
    if _digest(anchor) != last:
        return ChainCheck(count, False, expected,
                          f"event {expected} ({_describe(anchor)}) is not the event that was "
                          "recorded there: it was edited or replaced")
    if count - expected <= 1:  # equal, or a crash between appending an event and the head
        return ChainCheck(count, True)
    return ChainCheck(count, False, expected + 1,
                      f"event {expected + 1} ({_describe(lines[expected])}) and those after it "
                      "were not recorded by this program: they were added to the log by hand")


def _describe(line: str) -> str:
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return "not valid JSON"
    return f"{event.get('action')} at {event.get('at')}"
