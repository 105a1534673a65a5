"""The audit trail: an append-only log of events in `archive/audit.jsonl`, hash-chained.

Each event carries the SHA-256 of the previous event's line, so an edited, deleted or reordered
event breaks the chain and `letters audit verify` names the first broken one. Nothing follows the
last event, so `audit-head.json` beside the log anchors the chain's end: the number of events and
the digest of the last one. An edited last event or deleted last events then show too.

A chain alone can be rewritten by whoever can write `archive/`: edit an event and recompute every
digest after it. So each event and the head also carry an HMAC (`mac`) under a key kept outside the
archive, `.letters/audit.key` (made when the first event is recorded). Without the key an edited,
re-chained, appended or truncated log cannot be made to verify, and the first event whose code is
wrong is named. Events recorded before the key existed (an older version's log) are checked by
their chain alone; after the first authenticated event every event must be authenticated.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letters.archive import now_iso
from letters.fsutil import append_whole, private_key, write_atomic

LOG = "audit.jsonl"
HEAD = "audit-head.json"
KEY = "audit.key"  # in the home's private directory, never in the archive
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


def key_path(archive_dir: Path) -> Path:
    """Where the key authenticating the log of that archive is kept (the home's `.letters/`)."""
    return archive_dir.parent / ".letters" / KEY


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _event_mac(key: bytes, event: dict[str, Any]) -> str:
    body = {k: v for k, v in event.items() if k != "mac"}
    return _mac(key, json.dumps(body, ensure_ascii=False, sort_keys=True))


def _head_mac(key: bytes, count: int, last: str) -> str:
    return _mac(key, f"{count}\n{last}")


def record(archive_dir: Path, action: str, who: str, what: dict[str, Any] | None = None,
           address: str | None = None) -> dict[str, Any]:
    """Append one event (who, when, what, from which address) to the chain, authenticated."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    path = archive_dir / LOG
    with open(path, "a+", encoding="utf-8") as handle:
        key = private_key(key_path(archive_dir))  # made once the log is known to be writable
        fcntl.flock(handle, fcntl.LOCK_EX)
        count, previous = _tail(archive_dir, handle)
        event = {"at": now_iso(), "who": who, "action": action, "what": what or {},
                 "address": address, "prev": previous}
        event["mac"] = _event_mac(key, event)
        line = json.dumps(event, ensure_ascii=False, sort_keys=True)
        append_whole(handle.fileno(), (line + "\n").encode("utf-8"))  # whole, or not at all
        _write_head(archive_dir, key, count + 1, _digest(line))
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


def _write_head(archive_dir: Path, key: bytes, count: int, last: str) -> None:
    head = {"events": count, "last": last, "mac": _head_mac(key, count, last)}
    data = json.dumps(head, sort_keys=True) + "\n"
    write_atomic(archive_dir / HEAD, data.encode("utf-8"))


def events(archive_dir: Path) -> list[dict[str, Any]]:
    """Every event, oldest first."""
    path = archive_dir / LOG
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def verify(archive_dir: Path) -> ChainCheck:
    """Check that every event carries the digest of the one before it and, once the log is
    authenticated, its own code; then that the head is the one recorded after the last event."""
    path = archive_dir / LOG
    key_file = key_path(archive_dir)
    key = key_file.read_bytes().strip() if key_file.is_file() else None
    if not path.exists():
        head = _read_head(archive_dir)
        if head is not None and head.get("events"):
            return ChainCheck(0, False, 1, f"the audit log is missing, but it held "
                              f"{head.get('events')} events")
        if key is not None:
            return ChainCheck(0, False, 1, "the audit log is missing, but this home has recorded "
                                           "events (its audit key exists)")
        return ChainCheck(events=0, ok=True)
    with open(path, encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)  # no event half-written while the log and head are read
        lines = [line for line in handle.read().splitlines() if line.strip()]
        head = _read_head(archive_dir)
    previous = GENESIS
    authenticated = False
    for number, line in enumerate(lines, start=1):
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            return ChainCheck(len(lines), False, number, f"event {number} is not valid JSON")
        if not isinstance(event, dict):
            return ChainCheck(len(lines), False, number, f"event {number} is not an event")
        problem = _check_mac(key, event, authenticated)
        if problem:
            return ChainCheck(len(lines), False, number,
                              f"event {number} ({event.get('action')} at {event.get('at')}) {problem}")
        authenticated = authenticated or "mac" in event
        if event.get("prev") != previous:
            return ChainCheck(len(lines), False, number,
                              f"event {number} ({event.get('action')} at {event.get('at')}) does not "
                              "follow the event before it: an event was edited, deleted or reordered")
        previous = _digest(line)
    if key is not None and not authenticated:
        return ChainCheck(len(lines), False, len(lines) + 1,
                          "the audit log holds no authenticated event, but this home has recorded "
                          "some (its audit key exists): the log was emptied or replaced")
    if authenticated or (head or {}).get("mac"):
        problem = _check_head_mac(key, head)
        if problem:
            return ChainCheck(len(lines), False, len(lines) + 1 if head is None else len(lines),
                              problem)
    return _check_head(lines, head)


def _check_mac(key: bytes | None, event: dict[str, Any], authenticated: bool) -> str | None:
    """Why the event's authentication code is wrong, or None when it is right (or, before the
    first authenticated event, absent)."""
    mac = event.get("mac")
    if mac is None:
        if authenticated:
            return ("carries no authentication code: it was not recorded by this program but "
                    "added to the log by hand")
        return None
    if key is None:
        return (f"is authenticated, but the audit key ({KEY} in the home's .letters/) is missing: "
                "the log cannot be checked")
    if not isinstance(mac, str) or not hmac.compare_digest(mac, _event_mac(key, event)):
        return ("is not the event that was recorded: its authentication code does not match, so "
                "it was edited or added to the log by hand")
    return None


def _check_head_mac(key: bytes | None, head: dict[str, Any] | None) -> str | None:
    """Why the head cannot be trusted, or None."""
    if head is None:
        return (f"{HEAD}, which records the end of the audit log, is missing: the last events "
                "may have been deleted")
    if key is None:
        return f"the audit key ({KEY} in the home's .letters/) is missing: the log cannot be checked"
    events, last, mac = head.get("events"), head.get("last"), head.get("mac")
    if not (isinstance(events, int) and isinstance(last, str) and isinstance(mac, str)
            and hmac.compare_digest(mac, _head_mac(key, events, last))):
        return (f"{HEAD}, which records the end of the audit log, was not written by this "
                "program: the log was truncated or rewritten")
    return None


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
