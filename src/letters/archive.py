"""The archive store: the source of truth, readable without this program.

Layout, one directory per letter, named by the SHA-256 of its original:

    archive/letters/<sha[:2]>/<sha>/original.pdf    the uploaded bytes, never modified
                                    record.json     the record (models.Letter)
                                    text.json       {"pages": [...]} the extracted (or OCR) text
                                    history.jsonl   every change to the record: who, when, before, after
                                    derived/        thumbnails, OCR copy: remade at will

A letter is staged under `archive/.staging/` and renamed into place in one step, so a crash
leaves either no letter or a whole one. Every write to a letter (archiving, correcting, linking)
holds that letter's lock, `archive/.locks/<id>`, so writers in any thread or process take turns and
the record always equals the replay of its history.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from letters import faults
from letters.fsutil import append_line, fsync_dir, lock_exclusive, read_lines, write_atomic, write_durable
from letters.models import Letter

ORIGINAL = "original.pdf"
RECORD = "record.json"
TEXT = "text.json"
HISTORY = "history.jsonl"
LOCK = ".staging.lock"  # beside .staging/: the lock of the step moving a staged letter into place
DERIVED = "derived"
LOCKS = ".locks"  # one empty lock file per letter written since: see Archive.writing
ID_LENGTH = 16

_held = threading.local()  # the letter locks this thread holds (a lock is taken once per thread)


def now_iso(at: datetime | None = None) -> str:
    """The time `at` (default: now), UTC, to the second, ISO 8601."""
    at = datetime.now(UTC) if at is None else at.astimezone(UTC)
    return at.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def letter_id(sha256: str) -> str:
    """The stable, URL-safe id of the letter whose original has this digest."""
    return sha256[:ID_LENGTH]


@dataclass
class Archive:
    """The archive directory and the operations on it. It tells no one of its writes: the
    application layer (`parts.Parts.add` and `update`) keeps the catalog in step."""

    root: Path

    @property
    def letters_dir(self) -> Path:
        """Where the letters' directories live."""
        return self.root / "letters"

    def letter_dir(self, sha256: str) -> Path:
        """The directory of the letter whose original has this digest."""
        return self.letters_dir / sha256[:2] / sha256

    def _dir_for_id(self, letter_id: str) -> Path | None:
        if len(letter_id) != ID_LENGTH or not all(c in "0123456789abcdef" for c in letter_id):
            return None
        shard = self.letters_dir / letter_id[:2]
        if not shard.is_dir():
            return None
        for entry in shard.iterdir():
            if entry.name.startswith(letter_id) and (entry / RECORD).exists():
                return entry
        return None

    @contextmanager
    def writing(self, *letter_ids: str) -> Iterator[None]:
        """Hold the write locks of these letters: other threads and processes wait their turn.

        Taken in sorted order; a lock this thread already holds is not taken again.
        """
        held: set[str] = getattr(_held, "ids", set())
        _held.ids = held
        wanted = sorted(set(letter_ids) - held)
        handles = []
        try:
            if wanted:
                (self.root / LOCKS).mkdir(parents=True, exist_ok=True)
            for ident in wanted:
                handle = open(self.root / LOCKS / ident, "a+b")  # noqa: SIM115 - closed below
                handles.append(handle)
                lock_exclusive(handle.fileno(), "refusal.lock_busy_letter", id=ident)
                held.add(ident)
            yield
        finally:
            for ident, handle in zip(wanted, handles, strict=False):
                held.discard(ident)
                handle.close()  # closing the file releases its lock

    def digest(self, letter_id: str) -> str:
        """The SHA-256 of the original of that letter (KeyError when there is none)."""
        found = self._dir_for_id(letter_id)
        if found is None:
            raise KeyError(letter_id)
        return found.name

    def has(self, sha256: str) -> bool:
        """Whether a complete letter with this original is archived."""
        return (self.letter_dir(sha256) / RECORD).exists()

    def get(self, letter_id: str) -> Letter | None:
        """The record of that letter, or None."""
        found = self._dir_for_id(letter_id)
        return _read_record(found) if found else None

    def by_sha(self, sha256: str) -> Letter | None:
        """The record of the letter whose original has this digest, or None."""
        path = self.letter_dir(sha256)
        return _read_record(path) if (path / RECORD).exists() else None

    def pages(self, letter_id: str) -> list[str]:
        """The stored text of each page."""
        found = self._dir_for_id(letter_id)
        if found is None:
            raise KeyError(letter_id)
        return _read_pages(found)

    def pages_by_sha(self, sha256: str) -> list[str]:
        """The stored text of each page of the letter whose original has this digest (found
        without looking through its shard, as `pages` must)."""
        path = self.letter_dir(sha256)
        if not (path / RECORD).exists():
            raise KeyError(sha256)
        return _read_pages(path)

    def original_path(self, letter_id: str) -> Path:
        """The path of the untouched original."""
        found = self._dir_for_id(letter_id)
        if found is None:
            raise KeyError(letter_id)
        return found / ORIGINAL

    def derived_dir(self, letter_id: str) -> Path:
        """Where derived files (thumbnails, OCR copy) of that letter go."""
        found = self._dir_for_id(letter_id)
        if found is None:
            raise KeyError(letter_id)
        return found / DERIVED

    def records(self) -> Iterator[Letter]:
        """Every archived letter, in directory order (a record naming another directory's
        original or id is none)."""
        if not self.letters_dir.is_dir():
            return
        for shard in sorted(self.letters_dir.iterdir()):
            if not shard.is_dir():
                continue
            for entry in sorted(shard.iterdir()):
                if (entry / RECORD).exists():
                    letter = _read_record(entry)
                    if letter.sha256 == entry.name and letter.id == letter_id(entry.name):
                        yield letter  # else put in by hand over another letter: verify says so

    def add(self, source: Path, letter: Letter, pages: list[str],
            derived: dict[str, bytes] | None = None) -> bool:
        """Archive a letter in one atomic step; False when that original is already archived."""
        final = self.letter_dir(letter.sha256)
        if (final / RECORD).exists():
            return False
        staging = self.root / ".staging" / f"{letter.sha256}-{os.getpid()}"
        if staging.exists():
            shutil.rmtree(staging)
        try:
            self._stage(staging, source, letter, pages, derived)
            final.parent.mkdir(parents=True, exist_ok=True)
            with self.writing(letter.id):
                return self._move_into_place(staging, final)
        except BaseException:  # a full disk, say: leave no half-staged letter behind
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def _stage(self, staging: Path, source: Path, letter: Letter, pages: list[str],
               derived: dict[str, bytes] | None) -> None:
        staging.mkdir(parents=True)
        _copy_durably(source, staging / ORIGINAL)
        os.chmod(staging / ORIGINAL, 0o444)
        text = _dumps({"pages": pages})
        write_durable(staging / TEXT, text)
        write_durable(staging / RECORD, _dumps(letter.to_record()))
        # The record as added and the digest of its text: what `letters verify` replays and checks.
        event = {"at": letter.added_at, "by": letter.added_by, "action": "added",
                 "changes": {}, "record": letter.to_record(),
                 "text_sha256": hashlib.sha256(text).hexdigest()}
        write_durable(staging / HISTORY, (json.dumps(event, ensure_ascii=False) + "\n").encode())
        for name, data in (derived or {}).items():
            write_durable(staging / DERIVED / name, data)
        if derived:
            fsync_dir(staging / DERIVED)
        fsync_dir(staging)

    def _move_into_place(self, staging: Path, final: Path) -> bool:
        # Held (by every process archiving) from the last check to the rename, so that a process
        # archiving the same original at the same time never takes a complete letter for a
        # crash's leftover and removes it.
        with open(self.root / LOCK, "a+b") as lock:
            lock_exclusive(lock.fileno(), "refusal.lock_busy_archive")
            if (final / RECORD).exists():
                shutil.rmtree(staging, ignore_errors=True)
                return False  # another process archived the same original first
            if final.exists():  # a directory left by a crash before its record was renamed in
                shutil.rmtree(final)
            try:
                os.rename(staging, final)
            except OSError:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            fsync_dir(final.parent)
        faults.point("archive.added")
        return True

    def update(self, letter_id: str, changes: dict[str, Any], by: str,
               action: str = "corrected") -> Letter:
        """Change fields of a record; the previous values go to the letter's history."""
        with self.writing(letter_id):
            return self._update_locked(letter_id, changes, by, action)

    def _update_locked(self, letter_id: str, changes: dict[str, Any], by: str,
                       action: str) -> Letter:
        found = self._dir_for_id(letter_id)
        if found is None:
            raise KeyError(letter_id)
        current = _read_record(found).to_record()
        changes = _keeping_aside(current, changes, action)
        before = {k: current.get(k) for k in changes}
        current.update(changes)
        letter = Letter.from_json(current)
        event = {"at": now_iso(), "by": by, "action": action,
                 "changes": {k: {"before": before[k], "after": changes[k]} for k in changes}}
        size = (found / HISTORY).stat().st_size
        append_line(found / HISTORY, json.dumps(event, ensure_ascii=False))
        try:
            faults.point("archive.history")
            write_atomic(found / RECORD, _dumps(letter.to_record()))
        except BaseException:  # a full disk, say: the change is refused, so its event goes
            with contextlib.suppress(OSError):
                os.truncate(found / HISTORY, size)
            raise
        faults.point("archive.record")
        return letter

    def complete(self, sha256: str) -> bool:
        """Finish the record write of a change that a crash interrupted after its history event
        was written (the history is written first: its last event is the change as intended);
        whether the record was rewritten. Only a record still holding exactly the event's
        `before` values is completed; any other disagreement is `letters verify`'s to report."""
        directory = self.letter_dir(sha256)
        if not (directory / RECORD).exists():
            return False
        with self.writing(letter_id(sha256)):
            try:
                record = json.loads((directory / RECORD).read_text(encoding="utf-8"))
                lines = read_lines(directory / HISTORY)
                last = json.loads(next(line for line in reversed(lines) if line.strip()))
            except (OSError, ValueError, StopIteration):
                return False
            changes = last.get("changes") if isinstance(last, dict) else None
            if (not isinstance(record, dict) or not isinstance(changes, dict) or not changes
                    or not all(isinstance(c, dict) for c in changes.values())):
                return False
            if all(record.get(k) == c.get("after") for k, c in changes.items()):
                return False  # written whole
            if not all(record.get(k) == c.get("before") for k, c in changes.items()):
                return False
            record.update({k: c.get("after") for k, c in changes.items()})
            write_atomic(directory / RECORD, _dumps(Letter.from_json(record).to_record()))
            return True

    def history(self, letter_id: str) -> list[dict[str, Any]]:
        """The letter's history, oldest first."""
        found = self._dir_for_id(letter_id)
        if found is None:
            raise KeyError(letter_id)
        lines = read_lines(found / HISTORY)
        return [json.loads(line) for line in lines if line.strip()]

    def staging_now(self, sha256: str) -> bool:
        """Whether a running process is staging the letter with this original (an add under
        way: its directory is not in place yet)."""
        for entry in (self.root / ".staging").glob(f"{sha256}-*"):
            pid = entry.name.rsplit("-", 1)[-1]
            if pid.isdigit() and (int(pid) == os.getpid() or process_alive(int(pid))):
                return True
        return False

    def stale_staging(self) -> Iterator[Path]:
        """Staged letters whose ingest is no longer running (named after the staging process)."""
        staging = self.root / ".staging"
        if not staging.is_dir():
            return
        for entry in sorted(staging.iterdir()):
            pid = entry.name.rsplit("-", 1)[-1]
            if not (pid.isascii() and pid.isdigit() and process_alive(int(pid))):
                yield entry

    def clean_staging(self) -> int:
        """Remove what interrupted ingests left in the staging area; how many were removed."""
        removed = 0
        for entry in list(self.stale_staging()):
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
        return removed


#: The actions of `Archive.update` that take a letter out of, and back from, being set aside.
SET_ASIDE, RESTORED = "set_aside", "restored"


def _keeping_aside(current: dict[str, Any], changes: dict[str, Any],
                   action: str) -> dict[str, Any]:
    """The changes as they may be saved: a letter set aside stays set aside (with its reason)
    until it is restored; a status another change computes for it becomes the status it will
    be restored to."""
    if action == SET_ASIDE or current.get("status") != "set_aside":
        return changes
    if action == RESTORED:
        return {**changes, "aside_reason": None, "aside_from": None}
    kept = dict(changes)
    if "status" in kept:
        kept["aside_from"] = kept.pop("status")
    kept.pop("aside_reason", None)
    return kept


def process_alive(pid: int) -> bool:
    """Whether another process with that id is running (this process counts as not)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dumps(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _read_pages(directory: Path) -> list[str]:
    data = json.loads((directory / TEXT).read_text(encoding="utf-8"))
    pages: list[str] = data["pages"]
    return pages


def _read_record(directory: Path) -> Letter:
    return read_record(directory)


def read_record(directory: Path, history: list[str] | None = None) -> Letter:
    """The record of a letter directory as its history says: values in `record.json` that its
    history does not account for (written outside this program) are not believed, and
    `letters verify` names them. `history`: the lines of its history, when already read."""
    data = json.loads((directory / RECORD).read_text(encoding="utf-8"))
    replayed = replay(directory, history)
    if replayed and any(data.get(k) != v for k, v in replayed.items()):
        data = {**data, **replayed}
    return Letter.from_json(data)


def replay(directory: Path, history: list[str] | None = None) -> dict[str, Any] | None:
    """The record as its history tells it (the record added, then each change in order), or None
    when the history cannot tell it (unreadable, or written before it held the record);
    `history`: its lines, when already read."""
    try:
        lines = read_lines(directory / HISTORY) if history is None else history
        events = [json.loads(line) for line in lines if line.strip()]
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not events or not isinstance(events[0], dict) or not isinstance(events[0].get("record"), dict):
        return None
    record: dict[str, Any] = dict(events[0]["record"])
    for event in events[1:]:
        changes = event.get("changes") if isinstance(event, dict) else None
        if isinstance(changes, dict):
            record.update({k: c.get("after") for k, c in changes.items() if isinstance(c, dict)})
    return record


def _copy_durably(source: Path, target: Path) -> None:
    with open(source, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)
        dst.flush()
        os.fsync(dst.fileno())
