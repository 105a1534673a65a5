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

import contextlib
import errno
import fcntl
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letters.archive import now_iso
from letters.errors import Explained
from letters.fsutil import append_line, lock_exclusive, private_key, read_lines, write_atomic
from letters.messages import Message, msg

LOG = "audit.jsonl"
HEAD = "audit-head.json"
KEY = "audit.key"  # in the home's private directory, never in the archive
ANCHOR = "audit-anchor.json"  # a copy of the head in the home's private directory
REFUSED = "audit-refused.jsonl"  # the writes refused because the log disagreed with its head
GENESIS = "0" * 64
log = logging.getLogger(__name__)


@dataclass
class ChainCheck:
    """The result of verifying the chain."""

    events: int
    ok: bool
    broken_at: int | None = None  # 1-based number of the first broken event
    problem: str | None = None
    refused: int = 0  # writes refused because the log disagreed with its head


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


def _head_mac(key: bytes, count: int, last: str, size: int | None = None) -> str:
    return _mac(key, f"{count}\n{last}" + ("" if size is None else f"\n{size}"))


class AuditRefused(Explained, OSError):
    """The log cannot take an event: it no longer agrees with its head (or the key is gone).

    The write is refused, never built on: re-signing a head over a truncated or rewritten log
    would launder the damage. The refusal is kept for the auditor (`refused`)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.strerror = str(self.message)  # read by the callers that report a failed write


def record(archive_dir: Path, action: str, who: str, what: dict[str, Any] | None = None,
           address: str | None = None) -> dict[str, Any]:
    """Append one event (who, when, what, from which address) to the chain, authenticated, after
    checking that the log is the one the stored head (and its anchor in `.letters/`) recorded;
    AuditRefused when it is not."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    path = archive_dir / LOG
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        lock_exclusive(fd, "refusal.lock_busy_audit")
        try:
            key = _writing_key(archive_dir, fd)
            count, previous, size = _checked_tail(archive_dir, fd, key)
        except AuditRefused as refused:
            _alarm(archive_dir, action, who, refused.message)
            raise
        event = {"at": now_iso(), "who": who, "action": action, "what": what or {},
                 "address": address, "prev": previous}
        event["mac"] = _event_mac(key, event)
        line = json.dumps(event, ensure_ascii=False, sort_keys=True)
        data = (line + "\n").encode("utf-8")
        written = os.write(fd, data)  # one write of the whole line (O_APPEND)
        if written != len(data):  # a full disk: take the part back, never leave it torn
            os.ftruncate(fd, size)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(fd)
        try:
            _write_head(archive_dir, key, count + 1, _digest(line), size + len(data))
        except OSError:  # a full disk: an event without its head is taken back, else a second
            if (_read_head(archive_dir) or {}).get("events") != count + 1:  # one would break
                os.ftruncate(fd, size)  # the chain (one event beyond the head is allowed)
                os.fsync(fd)
            raise
    finally:
        os.close(fd)
    return event


def check_writable(archive_dir: Path, action: str, who: str) -> None:
    """AuditRefused (kept for the auditor) when the log would refuse the event of `action`:
    asked before a change is made, so that nothing changes that its event could not record."""
    path = archive_dir / LOG
    if not path.exists():
        if _read_head(archive_dir) or _read_anchor(archive_dir):
            refusal = AuditRefused(msg("integrity.audit_emptied", events=str(
                (_read_head(archive_dir) or _read_anchor(archive_dir) or {}).get("events"))))
            _alarm(archive_dir, action, who, refusal.message)
            raise refusal
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        # exclusive, and waited for a bounded time: a log another program holds refuses the
        # change now, before it is made, never after it
        lock_exclusive(fd, "refusal.lock_busy_audit")
        try:
            if key_path(archive_dir).is_file():
                _checked_tail(archive_dir, fd, key_path(archive_dir).read_bytes().strip())
            elif (anchor_path(archive_dir).exists() or (_read_head(archive_dir) or {}).get("mac")
                  or _has_authenticated_event(fd)):
                raise AuditRefused(msg("integrity.audit_key_missing",
                                       key=str(key_path(archive_dir))))
        except AuditRefused as refused:
            _alarm(archive_dir, action, who, refused.message)
            raise
    finally:
        os.close(fd)


def _writing_key(archive_dir: Path, fd: int) -> bytes:
    """The key, made on the first event of a home; AuditRefused when a home that has recorded
    authenticated events lost it (a new key would make every earlier event look forged)."""
    path = key_path(archive_dir)
    if path.is_file():
        return path.read_bytes().strip()
    head = _read_head(archive_dir)
    if (anchor_path(archive_dir).exists() or (head or {}).get("mac")
            or _has_authenticated_event(fd)):
        raise AuditRefused(msg("integrity.audit_key_missing", key=str(path)))
    return private_key(path)


def _has_authenticated_event(fd: int) -> bool:
    with os.fdopen(os.dup(fd), "rb") as handle:
        handle.seek(0)
        return any(b'"mac": ' in line for line in handle)


def _checked_tail(archive_dir: Path, fd: int, key: bytes) -> tuple[int, str, int]:
    """The number of events, the digest of the last one and the log's size, once the log is
    checked against the head and its anchor; AuditRefused naming the disagreement otherwise.

    The one allowed difference: a single event this program appended and authenticated whose
    head a crash did not let it write (its `prev` is the head's last digest)."""
    size = os.fstat(fd).st_size
    head = _read_head(archive_dir)
    anchor = _read_anchor(archive_dir)
    if size == 0:
        if head or anchor:
            held = (head or anchor or {}).get("events")
            raise AuditRefused(msg("integrity.audit_emptied", events=str(held)))
        return 0, GENESIS, 0
    if os.pread(fd, 1, size - 1) != b"\n":
        raise AuditRefused(msg("integrity.audit_torn"))
    if head is None:
        if anchor is not None or _has_authenticated_event(fd):
            raise AuditRefused(msg("integrity.audit_head_missing"))
        count, digest = _count(fd)  # an older version's log, written before heads: its chain alone
        return count, digest, size
    if head.get("mac") is not None:
        if _check_head_mac(key, head) is not None:
            raise AuditRefused(msg("integrity.audit_head_forged"))
    elif anchor is not None or _has_authenticated_event(fd):
        raise AuditRefused(msg("integrity.audit_head_forged"))
    events, last = head.get("events"), head.get("last")
    if not isinstance(events, int) or not isinstance(last, str):
        raise AuditRefused(msg("integrity.audit_head_forged"))
    if anchor is not None and (anchor.get("events"), anchor.get("last")) != (events, last) \
            and not _anchor_one_behind(fd, anchor, events):
        raise AuditRefused(msg("integrity.audit_anchor_differs", events=str(events),
                               anchored=str(anchor.get("events"))))
    recorded = head.get("bytes")
    if not isinstance(recorded, int):  # a head written before sizes: count once
        count, digest = _count(fd)
        recorded = size if (count, digest) == (events, last) else -1
    if recorded == size and _digest(_last_line(fd) or "") == last:
        return events, last, size
    if recorded < size:
        extra = os.pread(fd, size - recorded, recorded).decode("utf-8", "replace")
        if extra.count("\n") == 1 and _appended_by_us(key, extra.rstrip("\n"), last):
            return events + 1, _digest(extra.rstrip("\n")), size
    raise AuditRefused(msg("integrity.audit_differs", events=str(events)))


def _anchor_one_behind(fd: int, anchor: dict[str, Any], events: int) -> bool:
    """A crash between writing the head and its anchor: the anchor names the event before last."""
    try:
        last = json.loads(_last_line(fd) or "")
    except ValueError:
        return False
    return (anchor.get("events") == events - 1 and isinstance(last, dict)
            and last.get("prev") == anchor.get("last"))


def _appended_by_us(key: bytes, line: str, previous: str) -> bool:
    try:
        event = json.loads(line)
    except ValueError:
        return False
    return (isinstance(event, dict) and event.get("prev") == previous
            and isinstance(event.get("mac"), str)
            and hmac.compare_digest(event["mac"], _event_mac(key, event)))


def _count(fd: int) -> tuple[int, str]:
    """The number of events and the digest of the last one, by reading the whole log."""
    count, last = 0, GENESIS
    with os.fdopen(os.dup(fd), "rb") as handle:
        handle.seek(0)
        for raw in handle:
            if raw.strip():
                count += 1
                last = _digest(raw.decode("utf-8").rstrip("\n"))
    return count, last


def _alarm(archive_dir: Path, action: str, who: str, why: Message) -> None:
    """Keep a refused write where the auditor looks (`letters audit verify`, the audit page)."""
    log.error("audit log: refused to record %s by %s: %s", action, who, why)
    with contextlib.suppress(OSError):  # the refusal is still raised and logged
        append_line(refused_path(archive_dir),
                    json.dumps({"at": now_iso(), "action": action, "who": who, "why": str(why)},
                               ensure_ascii=False))


def refused(archive_dir: Path) -> list[dict[str, Any]]:
    """The writes the log refused (newest last): each `at`, `action`, `who`, `why`."""
    try:
        lines = read_lines(refused_path(archive_dir))
    except OSError:
        return []
    found = []
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict):
            found.append(item)
    return found


def refused_path(archive_dir: Path) -> Path:
    """Where refused writes are kept (the home's `.letters/`)."""
    return archive_dir.parent / ".letters" / REFUSED


def anchor_path(archive_dir: Path) -> Path:
    """The copy of the head kept outside the archive (the home's `.letters/`)."""
    return archive_dir.parent / ".letters" / ANCHOR


def _read_anchor(archive_dir: Path) -> dict[str, Any] | None:
    return _read_object(anchor_path(archive_dir))


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


def _write_head(archive_dir: Path, key: bytes, count: int, last: str, size: int) -> None:
    head = {"events": count, "last": last, "bytes": size, "mac": _head_mac(key, count, last, size)}
    data = (json.dumps(head, sort_keys=True) + "\n").encode("utf-8")
    write_atomic(archive_dir / HEAD, data)
    anchor = anchor_path(archive_dir)
    anchor.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_atomic(anchor, data)


def events(archive_dir: Path) -> list[dict[str, Any]]:
    """Every event, oldest first."""
    path = archive_dir / LOG
    if not path.exists():
        return []
    return [json.loads(x) for x in read_lines(path) if x.strip()]


def verify(archive_dir: Path) -> ChainCheck:
    """Check that every event carries the digest of the one before it and, once the log is
    authenticated, its own code; then that the head (and its anchor in `.letters/`) is the one
    recorded after the last event. `refused` counts the writes refused since the log disagreed."""
    check = _verify(archive_dir)
    check.refused = len(refused(archive_dir))
    return check


def _verify(archive_dir: Path) -> ChainCheck:
    path = archive_dir / LOG
    key_file = key_path(archive_dir)
    key = key_file.read_bytes().strip() if key_file.is_file() else None
    anchor = _read_anchor(archive_dir)
    if not path.exists() or path.stat().st_size == 0:
        head = _read_head(archive_dir)
        for kept in (head, anchor):
            if kept is not None and kept.get("events"):
                return ChainCheck(0, False, 1, f"the audit log is missing or empty, but it held "
                                  f"{kept.get('events')} events")
        if key is not None:
            return ChainCheck(0, False, 1, "the audit log is missing, but this home has recorded "
                                           "events (its audit key exists)")
        return ChainCheck(events=0, ok=True)
    with open(path, encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)  # no event half-written while the log and head are read
        text = handle.read()
        head = _read_head(archive_dir)
    lines = [line for line in text.splitlines() if line.strip()]
    if not text.endswith("\n"):
        return ChainCheck(len(lines), False, len(lines),
                          f"event {len(lines)} is half-written (the log does not end with a whole "
                          "line): a write was interrupted, or the log was cut")
    previous = GENESIS
    authenticated = False
    before: dict[str, Any] | None = None
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
            if before is not None and "mac" not in before:  # an unauthenticated event: edited?
                return ChainCheck(len(lines), False, number - 1,
                                  f"event {number - 1} ({before.get('action')} at "
                                  f"{before.get('at')}) was edited, or the event after it was "
                                  f"deleted: event {number} does not carry its digest")
            return ChainCheck(len(lines), False, number,
                              f"event {number} ({event.get('action')} at {event.get('at')}) does not "
                              "follow the event before it: an event was edited, deleted or reordered")
        previous = _digest(line)
        before = event
    if key is not None and not authenticated:
        return ChainCheck(len(lines), False, len(lines) + 1,
                          "the audit log holds no authenticated event, but this home has recorded "
                          "some (its audit key exists): the log was emptied or replaced")
    if authenticated or (head or {}).get("mac") or anchor is not None:
        problem = _check_head_mac(key, head)
        if problem:
            return ChainCheck(len(lines), False, len(lines) + 1 if head is None else len(lines),
                              problem)
    return _check_anchor(lines, head, anchor) or _check_head(lines, head)


def trusted(archive_dir: Path) -> tuple[list[dict[str, Any]], ChainCheck]:
    """The events the log vouches for, and the check of its chain: every event when the chain is
    intact; else only the authenticated events before the break (an unauthenticated event before
    it may have been rewritten with the chain recomputed)."""
    check = verify(archive_dir)
    try:
        found = [e for e in events(archive_dir) if isinstance(e, dict)]
    except (OSError, ValueError):
        return [], check
    if check.ok:
        return found, check
    key_file = key_path(archive_dir)
    if not key_file.is_file():
        return [], check
    key = key_file.read_bytes().strip()
    before = found[:max((check.broken_at or 1) - 1, 0)]
    return [e for e in before if isinstance(e.get("mac"), str)
            and hmac.compare_digest(e["mac"], _event_mac(key, e))], check


def _check_anchor(lines: list[str], head: dict[str, Any] | None,
                  anchor: dict[str, Any] | None) -> ChainCheck | None:
    """The anchor kept in `.letters/` against the head: equal, or one event behind it (a crash
    between writing the two)."""
    if anchor is None or head is None:
        return None
    events, anchored = head.get("events"), anchor.get("events")
    if (anchored, anchor.get("last")) == (events, head.get("last")):
        return None
    if (isinstance(events, int) and isinstance(anchored, int) and anchored == events - 1
            and 0 < anchored <= len(lines) and _digest(lines[anchored - 1]) == anchor.get("last")):
        return None
    return ChainCheck(len(lines), False, min(len(lines), anchored) + 1
                      if isinstance(anchored, int) and anchored >= 0 else len(lines),
                      f"{HEAD} records {events} events but its copy in the home's .letters/ "
                      f"({ANCHOR}) records {anchored}: the log and its head were replaced")


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
    events, last, mac, size = head.get("events"), head.get("last"), head.get("mac"), head.get("bytes")
    if not (isinstance(events, int) and isinstance(last, str) and isinstance(mac, str)
            and (size is None or isinstance(size, int))
            and hmac.compare_digest(mac, _head_mac(key, events, last, size))):
        return (f"{HEAD}, which records the end of the audit log, was not written by this "
                "program: the log was truncated or rewritten")
    return None


def _read_head(archive_dir: Path) -> dict[str, Any] | None:
    """The head, None when there is none; a damaged head reads as {} (and fails the check)."""
    return _read_object(archive_dir / HEAD)


def _read_object(path: Path) -> dict[str, Any] | None:
    """A JSON object kept in a file: None when there is no file, {} when it cannot be read."""
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
