"""Fixity: every original still has the digest it was archived under, and nothing else crept in.

The digest of each original is its letter directory's name (and its record's `sha256`), so no
separate manifest is needed: an original is re-hashed and compared with both. The records, texts
and histories beside it are checked to parse. Anything in the archive the layout of `archive.py`
does not define is reported as unexpected, down to the working directories: `derived/` holds only
the OCR copy and page thumbnails, `.locks/` only empty lock files named by letter ids, `.staging/`
only staged letters (`<sha>-<pid>`); staged letters of ingests no longer running and `.tmp-*`
files older than a write takes are reported as leftovers. `integrity` adds the checks that the parts agree:
records and their histories, texts and their digests, the archive, the audit log and the index.

The last report is kept in the private directory (`.letters/fixity-last.json`): it is derived
data, not part of the archive. A read-only home is checked all the same; the report then says it
could not be saved or audited (`notes`).
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from letters import registry
from letters.archive import (
    DERIVED,
    HISTORY,
    LOCK,
    LOCKS,
    ORIGINAL,
    RECORD,
    TEXT,
    Archive,
    letter_id,
    now_iso,
)
from letters.fsutil import sha256_of, write_atomic
from letters.messages import Message, msg, written
from letters.pairing import decisions
from letters.preservation import audit, integrity

if TYPE_CHECKING:
    from letters.catalog import Catalog
    from letters.search import SearchIndex

LAST_REPORT = "fixity-last.json"
#: What the archive root may hold besides `letters/`.
ROOT_ENTRIES = {"letters", audit.LOG, audit.HEAD, registry.CHANGES_FILE, ".staging", LOCK, LOCKS,
                "README.md", "README.txt", decisions.FILE}
LETTER_FILES = {ORIGINAL, RECORD, TEXT, HISTORY, DERIVED}
LEFTOVER = msg("integrity.leftover")
UNEXPECTED = msg("integrity.unexpected")
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
SHARD_RE = re.compile(r"^[0-9a-f]{2}$")
ID_RE = re.compile(r"^[0-9a-f]{16}$")
STAGED_RE = re.compile(r"^[0-9a-f]{64}-[0-9]+$")
#: What `derived/` holds: the OCR copy, page thumbnails, and writes in progress.
DERIVED_RE = re.compile(r"^(ocr\.pdf|page-[0-9]+-w[0-9]+\.png)$")


class Kind(StrEnum):
    """The kinds of problem `letters verify` finds: one piece of advice each, said to the reader
    of the command line (`advice`, the command to run) or of the web (`fixity.todo.<kind>`, what
    to tell the administrator), never two that contradict."""

    ALTERED = "altered"  # an original whose bytes changed
    ORIGINAL_MISSING = "original_missing"
    UNREADABLE = "unreadable"  # a file the disk or its permissions do not let be read
    DAMAGED = "damaged"  # a record, text or history missing or not readable as written
    RECORD_EDITED = "record_edited"  # record.json changed outside the program
    TEXT_REPLACED = "text_replaced"
    OLD_HISTORY = "old_history"  # written before histories carried the digests
    UNEXPECTED = "unexpected"  # a file the layout does not define
    LEFTOVER = "leftover"  # what an interrupted write left
    PLANTED = "planted"  # a letter no trusted audit event added, or one repeating another's id
    LETTER_MISSING = "letter_missing"  # added, says the audit log, and gone
    STALE = "stale"  # the catalog or the search index behind the archive
    AUDIT = "audit"  # the audit log is broken
    OTHER = "other"  # a report saved by an older version, said in its own words


#: The kind of every problem code `verify` reports.
KINDS: dict[str, Kind] = {
    "integrity.original_altered": Kind.ALTERED,
    "integrity.original_missing": Kind.ORIGINAL_MISSING,
    "integrity.original_unreadable": Kind.UNREADABLE,
    "integrity.history_not_text": Kind.UNREADABLE,
    **dict.fromkeys(("integrity.other_digest", "integrity.text_without_pages",
                     "integrity.history_missing", "integrity.history_line",
                     "integrity.history_empty", "integrity.file_missing",
                     "integrity.file_not_json"), Kind.DAMAGED),
    "integrity.replay": Kind.RECORD_EDITED,
    "integrity.id_not_its_own": Kind.RECORD_EDITED,
    "integrity.text_replaced": Kind.TEXT_REPLACED,
    "integrity.history_without_digests": Kind.OLD_HISTORY,
    "integrity.unexpected": Kind.UNEXPECTED,
    "integrity.leftover": Kind.LEFTOVER,
    "integrity.id_repeated": Kind.PLANTED,
    "integrity.not_uploaded": Kind.PLANTED,
    "integrity.upload_untrusted": Kind.PLANTED,
    "integrity.letter_missing": Kind.LETTER_MISSING,
    **dict.fromkeys(("integrity.index_unreadable", "integrity.index_extra",
                     "integrity.index_missing", "integrity.catalog_missing",
                     "integrity.catalog_disagrees", "integrity.catalog_extra"), Kind.STALE),
    "integrity.audit_broken": Kind.AUDIT,
}


def kind_of(message: Message) -> Kind:
    """The kind of a problem (OTHER for a sentence saved before codes)."""
    return KINDS.get(message.code, Kind.OTHER)


def advice(kind: Kind) -> Message:
    """What to do about a problem of that kind, as a command-line user does it."""
    return msg(f"integrity.advice_{kind.value}")


@dataclass
class Problem:
    """One thing wrong: the letter (when there is one), the file, what is wrong."""

    id: str | None
    path: str
    message: Message

    @property
    def problem(self) -> str:
        """What is wrong, in English."""
        return str(self.message)

    @property
    def kind(self) -> Kind:
        """What kind of problem it is (what to do about it follows from the kind)."""
        return kind_of(self.message)

    def to_json(self) -> dict[str, Any]:
        """The problem in JSON: its English sentence, its code and parameters, its kind and the
        advice to a command-line user."""
        stored = self.message.to_record()
        code, params = (stored["code"], stored["params"]) if isinstance(stored, dict) else ("", {})
        return {"id": self.id, "path": self.path, "problem": self.problem, "code": code,
                "params": params, "kind": self.kind.value, "advice": str(advice(self.kind))}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Problem:
        """A problem of a saved report (one saved before codes: its English sentence)."""
        said = (Message.from_record({"code": data["code"], "params": data.get("params")})
                if data.get("code") else written(str(data.get("problem") or "")))
        return cls(data.get("id"), str(data.get("path") or ""), said)


@dataclass
class FixityReport:
    """The outcome of a fixity check (the JSON of `letters verify --json`)."""

    checked: int
    ok: int
    problems: list[Problem] = field(default_factory=list)
    at: str = ""
    #: What could not be done (a read-only home: the report was not saved).
    notes: list[Message] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON-ready dict (its notes in English sentences)."""
        return {**asdict(replace(self, problems=[], notes=[])),
                "problems": [problem.to_json() for problem in self.problems],
                "notes": [str(note) for note in self.notes]}


@dataclass(frozen=True)
class Checked:
    """What `verify` checks, and where: the directories of the home, and how to open the
    catalog and the index (opened only when the archive is there; an error opening is a note)."""

    home: Path
    archive_dir: Path
    private_dir: Path
    index_dir: Path
    catalog: Callable[[], Catalog]
    index: Callable[[], SearchIndex]


def verify(target: Checked, by: str = "system", address: str | None = None) -> FixityReport:
    """Check every letter of the archive, save the report and record an audit event.

    A home without an archive yields an empty report and is left untouched.
    """
    report = check(target.archive_dir, target.home)
    if not target.archive_dir.is_dir():
        return report
    try:
        _check_catalog(target.catalog(), target.home, report)
    except (OSError, sqlite3.Error) as error:  # a read-only home whose catalog must be repaired
        report.notes.append(msg("integrity.catalog_unopened", why=str(error)))
    check_agreement(target, report)
    try:
        write_atomic(target.private_dir / LAST_REPORT,
                     (json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n").encode())
    except OSError as error:
        report.notes.append(msg("integrity.report_unsaved", directory=str(target.private_dir),
                                why=str(error.strerror)))
    try:
        audit.record(target.archive_dir, "verify", by,
                     {"checked": report.checked, "ok": report.ok, "problems": len(report.problems)},
                     address)
    except OSError as error:
        report.notes.append(msg("integrity.check_unaudited", why=str(error.strerror)))
    return report


def check_agreement(target: Checked, report: FixityReport) -> None:
    """Add the problems of the archive against its audit log and its search index."""
    present = integrity.letters_present(target.archive_dir)
    found = (integrity.check_audit_trail(target.archive_dir, present)
             + integrity.check_index(target.index, target.index_dir, present))
    already = {p.id for p in report.problems}
    report.ok -= len({ident for ident, _, _ in found if ident in present and ident not in already})
    for ident, path, what in found:
        report.problems.append(Problem(ident, _relative(path, target.home), what))


def last_report(private_dir: Path) -> dict[str, Any] | None:
    """The last saved fixity report (kept in `private_dir`), or None when the archive was never
    checked."""
    path = private_dir / LAST_REPORT
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def last_check(private_dir: Path, archive_dir: Path) -> dict[str, Any] | None:
    """The last fixity report with `by`, who ran it (from the archive's audit log), or None."""
    report = last_report(private_dir)
    if report is None:
        return None
    # the report is saved just before its event is recorded: the last such event is its own
    at = str(report.get("at") or "")
    counts = {"checked": report.get("checked"), "ok": report.get("ok"),
              "problems": len(report.get("problems") or [])}
    runs = (e for e in audit.events(archive_dir)[::-1]
            if e.get("action") == "verify" and str(e.get("at") or "") >= at
            and e.get("what") == counts)
    last = next(runs, None)
    return {**report, "by": last.get("who") if last else None}


def check(archive_dir: Path, home: Path) -> FixityReport:
    """Check the archive under `archive_dir`; paths in the report are relative to `home`."""
    report = FixityReport(checked=0, ok=0, at=now_iso())

    def problem(ident: str | None, path: Path, what: Message) -> None:
        report.problems.append(Problem(ident, _relative(path, home), what))

    if not archive_dir.is_dir():
        return report
    for entry in sorted(archive_dir.iterdir()):
        if entry.name not in ROOT_ENTRIES and not _in_progress(entry):
            problem(None, entry, UNEXPECTED)
    for entry in [*integrity.stale_temporaries(archive_dir), *Archive(archive_dir).stale_staging()]:
        problem(None, entry, LEFTOVER)
    for entry in _strays(archive_dir):
        problem(None, entry, UNEXPECTED)
    letters_dir = archive_dir / "letters"
    if not letters_dir.is_dir():
        return report
    ids = {letter_id(path.name) for path in letters_dir.glob("??/*") if SHA_RE.match(path.name)}
    for shard in sorted(letters_dir.iterdir()):
        if not (shard.is_dir() and SHARD_RE.match(shard.name)):
            problem(None, shard, UNEXPECTED)
            continue
        for directory in sorted(shard.iterdir()):
            if not (directory.is_dir() and SHA_RE.match(directory.name)
                    and directory.name.startswith(shard.name)):
                problem(None, directory, UNEXPECTED)
                continue
            found = _check_letter(directory, ids)
            report.checked += 1
            if not found:
                report.ok += 1
            for path, what in found:
                problem(letter_id(directory.name), path, what)
    return report


def _check_catalog(catalog: Catalog, home: Path, report: FixityReport) -> None:
    """Add the letters whose catalog row disagrees with their record (or is missing)."""
    flagged = {p.id for p in report.problems}
    for sha, path, what in catalog.disagreements():
        ident = letter_id(sha)
        if ident not in flagged and what.code != "integrity.catalog_extra":
            report.ok -= 1
            flagged.add(ident)
        report.problems.append(Problem(ident, _relative(path, home), what))


def _check_letter(directory: Path, ids: set[str]) -> list[tuple[Path, Message]]:
    """The problems of one letter directory, named after the original's digest (`ids`: the ids
    of every letter directory)."""
    found: list[tuple[Path, Message]] = []
    sha = directory.name
    original = directory / ORIGINAL
    if not original.is_file():
        found.append((original, msg("integrity.original_missing")))
    else:
        try:
            actual = sha256_of(original)
        except OSError as error:
            found.append((original, msg("integrity.original_unreadable", why=str(error.strerror))))
        else:
            if actual != sha:
                found.append((original, msg("integrity.original_altered")))
    record = _load_json(directory / RECORD, found)
    if isinstance(record, dict) and record.get("id") != letter_id(sha):
        other = str(record.get("id"))
        found.append((directory / RECORD, msg("integrity.id_repeated", id=other) if other in ids
                      else msg("integrity.id_not_its_own", id=other)))
    elif isinstance(record, dict) and record.get("sha256") != sha:
        found.append((directory / RECORD, msg("integrity.other_digest")))
    text = _load_json(directory / TEXT, found)
    if text is not None and not (isinstance(text, dict) and isinstance(text.get("pages"), list)):
        found.append((directory / TEXT, msg("integrity.text_without_pages")))
    _check_history(directory / HISTORY, found)
    found += integrity.check_replay(directory)
    found += [(entry, LEFTOVER) for entry in integrity.stale_temporaries(directory)]
    for entry in sorted(directory.iterdir()):
        if entry.name == DERIVED and entry.is_dir():
            found += _check_derived(entry)
            continue
        if entry.name not in LETTER_FILES and not _in_progress(entry):
            found.append((entry, UNEXPECTED))
    return found


def _check_derived(derived: Path) -> list[tuple[Path, Message]]:
    """`derived/` holds the OCR copy and page thumbnails, and the renders and writes in progress
    (`.thumb-*`, `.tmp-*`: old ones are leftovers); anything else is unexpected."""
    found: list[tuple[Path, Message]] = []
    stale = set(integrity.stale_temporaries(derived))
    for path in sorted(derived.iterdir()):
        working = path.name.startswith((".tmp-", ".thumb-"))
        if working and (path in stale or _older_than_a_write(path)):
            found.append((path, LEFTOVER))
        elif not working and not (DERIVED_RE.match(path.name) and path.is_file()
                                  and not path.is_symlink()):
            found.append((path, UNEXPECTED))
    return found


def _older_than_a_write(path: Path) -> bool:
    try:
        return time.time() - path.lstat().st_mtime > integrity.STALE_SECONDS
    except FileNotFoundError:
        return False


def _strays(archive_dir: Path) -> list[Path]:
    """What hides in the archive's working directories: in `.locks/` anything but an empty lock
    file named by a letter's id; in `.staging/` anything but a staged letter (`<sha>-<pid>`)."""
    found = []
    locks = archive_dir / LOCKS
    if locks.is_dir():
        found += [entry for entry in sorted(locks.iterdir())
                  if not (ID_RE.match(entry.name) and entry.is_file() and not entry.is_symlink()
                          and entry.stat().st_size == 0)]
    elif locks.exists():
        found.append(locks)
    staging = archive_dir / ".staging"
    if staging.is_dir():
        found += [entry for entry in sorted(staging.iterdir())
                  if not (STAGED_RE.match(entry.name) and entry.is_dir())]
    elif staging.exists():
        found.append(staging)
    return found


def _load_json(path: Path, found: list[tuple[Path, Message]]) -> Any:
    if not path.is_file():
        found.append((path, msg("integrity.file_missing", file=path.name)))
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        found.append((path, msg("integrity.file_not_json", file=path.name)))
        return None


def _check_history(path: Path, found: list[tuple[Path, Message]]) -> None:
    if not path.is_file():
        found.append((path, msg("integrity.history_missing")))
        return
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        found.append((path, msg("integrity.history_not_text")))
        return
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            json.loads(line)
        except json.JSONDecodeError:
            found.append((path, msg("integrity.history_line", n=number)))
            return


def _in_progress(entry: Path) -> bool:
    """A file being written atomically right now (fsutil.write_atomic's temporary name)."""
    return entry.name.startswith(".tmp-")


def _relative(path: Path, home: Path) -> str:
    try:
        return path.relative_to(home).as_posix()
    except ValueError:
        return path.as_posix()
