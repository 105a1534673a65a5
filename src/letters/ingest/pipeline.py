"""The ingestion pipeline: hash, refuse duplicates, analyse in a limited worker, archive, index."""

from __future__ import annotations

import errno
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from letters.archive import letter_id
from letters.copies import copy_reasons
from letters.fsutil import sha256_of
from letters.ingest.analysis import Analysis, Task, analyse
from letters.ingest.workers import Pool, TaskFailed
from letters.messages import Message, msg
from letters.models import NO_TITLE, IngestResult, Letter, status_of
from letters.pdf import ocr
from letters.pdf.header import HEADER_WINDOW, header_problem

if TYPE_CHECKING:
    from letters.catalog import Catalog
    from letters.parts import Parts
    from letters.search import SearchIndex

@dataclass(frozen=True)
class Limits:
    """What a worker reading one file may take: seconds, and bytes of memory."""

    timeout: float
    memory_bytes: int


#: Letters archived between two index commits (a kill in between is mended by the next start).
INDEX_BATCH = 64
#: What the indexer's thread is handed: letters, and their texts and journal marks by digest.
_Work = tuple[list[Letter], dict[str, list[str]] | None, dict[str, int] | None]


def expand(paths: list[Path]) -> list[Path]:
    """The files to ingest: files as given, directories searched recursively for `*.pdf`."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() == ".pdf"
                                and p.is_file()))
        else:
            files.append(path)
    return files


def disk_reason(error: OSError) -> str:
    """Why the disk refused a write, in words."""
    return str(disk_message(error))


def storage_message(error: OSError | sqlite3.Error) -> Message:
    """Why the disk refused a write, whether a file's or the catalog's (SQLite's)."""
    if isinstance(error, OSError):
        return disk_message(error)
    said = str(error).lower()
    if "full" in said:
        return msg("refusal.disk_full")
    if "readonly" in said or "read-only" in said:
        return msg("refusal.disk_read_only")
    if "unable to open" in said:  # its directory may not be written (read-only, or permissions)
        return msg("refusal.not_permitted")
    return msg("refusal.disk_refused", why=str(error))


def disk_message(error: OSError) -> Message:
    """Why the disk refused a write."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return msg("refusal.disk_full")
    if error.errno == errno.EROFS:
        return msg("refusal.disk_read_only")
    if error.errno == errno.EFBIG:
        return msg("refusal.file_too_large")
    if error.errno in (errno.EACCES, errno.EPERM):
        return msg("refusal.not_permitted")
    return msg("refusal.disk_refused", why=str(error.strerror or error))


class Run:
    """What went wrong for the run as a whole (beside each file's own result), in sentences."""

    def __init__(self) -> None:
        self.not_archived: list[str] = []  # why, for each file the disk refused
        self.unaudited: list[str] = []
        self.unindexed: str | None = None
        self.uncatalogued: str | None = None

    def sentences(self) -> list[str]:
        """One sentence per kind of failure."""
        out = []
        if self.not_archived:
            out.append(f"{len(self.not_archived)} file{'s were' if len(self.not_archived) != 1 else ' was'} "
                       f"not archived because {self.not_archived[0]}: ingest them again once the "
                       "disk has room and is writable.")
        if self.unaudited:
            out.append(f"The audit log could not be written ({self.unaudited[0]}): "
                       f"{len(self.unaudited)} event{'s are' if len(self.unaudited) != 1 else ' is'} "
                       "missing from it.")
        if self.uncatalogued:
            out.append(f"The catalog could not be updated ({self.uncatalogued}): the letters are "
                       "archived, and the catalog catches up when it is next opened (or run "
                       "`letters reindex`).")
        if self.unindexed:
            out.append(f"The search index could not be updated ({self.unindexed}): the letters are "
                       "archived, and indexed at the next start once the disk has room (or run "
                       "`letters reindex`).")
        return out


def failure_sentence(failure: TaskFailed) -> Message:
    """What the archivist is told of a worker that did not finish."""
    reason = str(failure)
    if reason == "timeout":
        return msg("refusal.too_slow")
    if reason == "memory":
        return msg("refusal.too_big")
    if reason.startswith("crash"):
        return msg("refusal.reader_crashed")
    return msg("refusal.reader_failed", why=reason.splitlines()[0][:120])


def _precheck(path: Path) -> Message | None:
    """Reject at once what needs no parser: missing, empty, not a PDF."""
    if not path.is_file():
        return msg("refusal.not_found")
    with open(path, "rb") as handle:
        return header_problem(handle.read(HEADER_WINDOW))


def ingest_files(parts: Parts, limits: Limits, paths: list[Path], by: str, jobs: int = 1,
                 progress: Callable[[IngestResult], None] | None = None,
                 names: dict[Path, str] | None = None, address: str | None = None,
                 run: Run | None = None) -> list[IngestResult]:
    """Ingest files; one result per file, in input order, whatever happens to the others (a
    full or read-only disk included: `run` then holds a sentence for the run as a whole);
    each file is read by a worker held to `limits`."""
    names = names or {}
    run = run or Run()
    archive = parts.archive
    archive.clean_staging()
    results: dict[int, IngestResult] = {}
    todo: list[tuple[int, Path, str]] = []
    seen: dict[str, int] = {}

    def done(index: int, result: IngestResult) -> None:
        results[index] = result
        _audit_refused(parts, result, by, names.get(paths[index], paths[index].name), address, run)
        if progress:
            progress(result)

    for index, path in enumerate(paths):
        error = _precheck(path)
        if error:
            done(index, IngestResult(str(path), "rejected", refusal=error))
            continue
        sha = sha256_of(path)
        existing = archive.by_sha(sha)
        if existing is not None:
            done(index, IngestResult(str(path), "duplicate", letter=existing))
        elif sha in seen:
            todo.append((index, path, sha))  # resolved after its twin is archived
        else:
            seen[sha] = index
            todo.append((index, path, sha))

    first = [(i, p, s) for i, p, s in todo if seen.get(s) == i]
    tasks = [Task(str(p), str(archive.root), parts.today().isoformat()) for _, p, _ in first]
    indexer = Indexer(parts.index)
    indexer.add(_left_unindexed(parts))
    batch = Batch()  # indexed in batches: one commit per batch
    catalog = parts.catalog
    try:
        with _pairing_at_the_end(catalog, run), Pool(
                analyse, jobs=jobs, timeout=limits.timeout, memory_bytes=limits.memory_bytes,
                environment=ocr.side_by_side(jobs)) as pool:
            for position, outcome in pool.map(tasks):
                index, path, sha = first[position]
                result = _archive_one(parts, path, sha, outcome, by, names.get(path, path.name),
                                      address, run, batch)
                if len(batch.letters) >= INDEX_BATCH:
                    indexer.add(batch.letters, batch.texts, batch.marks)
                    batch = Batch()
                    _pair(catalog.flush, run)  # the partners of the letters archived so far
                done(index, result)
    finally:
        # even when interrupted: what is archived gets indexed
        indexer.add(batch.letters, batch.texts, batch.marks)
        try:
            indexer.finish()
        except OSError as error:  # the letters are archived; the run says what to do
            run.unindexed = disk_reason(error)
    for index, path, sha in todo:
        if index not in results:
            twin = archive.by_sha(sha)
            done(index, IngestResult(str(path), "duplicate", letter=twin) if twin else
                 IngestResult(str(path), "rejected", refusal=results[seen[sha]].refusal))
    return [results[i] for i in range(len(paths))]


def _pair(flush: Callable[[], None], run: Run) -> None:
    """Pair the partners of the letters archived so far; a full or read-only disk leaves them
    marked stale in the catalog, paired at its next opening (the run says so)."""
    try:
        flush()
    except (OSError, sqlite3.Error) as error:
        run.uncatalogued = str(storage_message(error))


@contextmanager
def _pairing_at_the_end(catalog: Catalog, run: Run) -> Iterator[None]:
    """The catalog's `deferred`, its pairing at the end told to the run when the disk refuses."""
    with catalog.deferred(pair_at_end=False):
        yield
    _pair(catalog.flush, run)  # not after an error: the partners stay marked stale


def _left_unindexed(parts: Parts) -> list[Letter]:
    """Letters whose record an earlier write left out of the index (a run killed, or the disk
    was full): the catalog's `unindexed` journal, not a listing of the archive or the index."""
    try:
        marked = sorted(parts.catalog.unindexed())
    except (OSError, sqlite3.Error):  # the next opening of the index catches them up
        return []
    return [letter for sha in marked if (letter := parts.archive.by_sha(sha)) is not None]


@dataclass
class Batch:
    """Letters archived and catalogued since the last index commit, with the text and the
    journal's mark of each (by digest): what the indexer is handed, never read again."""

    letters: list[Letter] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)
    marks: dict[str, int] = field(default_factory=dict)

    def append(self, letter: Letter, pages: list[str], mark: int | None) -> None:
        """One letter more (`mark` None: the catalog could not store it, so no mark goes)."""
        self.letters.append(letter)
        self.texts[letter.sha256] = pages
        if mark is not None:
            self.marks[letter.sha256] = mark


class Indexer:
    """Indexes archived letters in batches on a thread of its own, so that the next files are
    archived meanwhile (the worker processes read PDFs; this process archives and indexes)."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self._batches: queue.Queue[_Work | None] = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="letters-indexer", daemon=True)
        self._thread.start()

    def add(self, letters: list[Letter], texts: dict[str, list[str]] | None = None,
            marks: dict[str, int] | None = None) -> None:
        """Index these letters soon (a previous batch's error is raised by `finish`): with
        their `texts` and journal `marks` by digest when given (`SearchIndex.update`)."""
        if letters:
            self._batches.put((list(letters), texts, marks))

    def finish(self) -> None:
        """Wait until every batch is indexed; raise the first error, if any."""
        self._batches.put(None)
        self._thread.join()
        self._raise()

    def _run(self) -> None:
        while (work := self._batches.get()) is not None:
            letters, texts, marks = work
            try:  # after a failed batch too: the disk may have room again
                self.index.update(letters, texts, marks)
            except BaseException as error:  # handed to the ingesting thread by _raise
                self._error = self._error or error

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error


def _audit(parts: Parts, action: str, by: str, what: dict[str, object], address: str | None,
           run: Run) -> None:
    try:
        parts.record(action, by, what, address)
    except OSError as error:
        run.unaudited.append(disk_reason(error))


def _audit_refused(parts: Parts, result: IngestResult, by: str, filename: str,
                   address: str | None, run: Run) -> None:
    """Audit the files that added nothing (an added letter is audited when it is archived)."""
    if result.result == "duplicate":
        _audit(parts, "upload_duplicate", by,
               {"id": result.letter.id if result.letter else None, "filename": filename}, address,
               run)
    elif result.result == "rejected":
        _audit(parts, "upload_rejected", by, {"filename": filename, "error": result.error}, address,
               run)


def _archive_one(parts: Parts, path: Path, sha: str, outcome: Analysis | TaskFailed, by: str,
                 filename: str, address: str | None, run: Run, batch: Batch) -> IngestResult:
    """Archive and catalogue one analysed file (`Parts.add`), put in `batch` to be indexed
    with the text and record in hand; its result."""
    if isinstance(outcome, TaskFailed):
        return IngestResult(str(path), "rejected", refusal=failure_sentence(outcome))
    if outcome.error:
        return IngestResult(str(path), "rejected", refusal=outcome.error)
    reasons = [*outcome.reasons, *copy_reasons(parts.catalog, parts.archive, parts.registry,
                                               outcome.partner, outcome.direction, outcome.date,
                                               outcome.pages)]
    letter = Letter(
        id=letter_id(sha), sha256=sha, filename=os.path.basename(filename), pages=outcome.page_count,
        partner=outcome.partner, signatory=outcome.signatory, signed_by=outcome.signed_by,
        date=outcome.date, direction=outcome.direction,  # type: ignore[arg-type]
        language=outcome.language, ocr=outcome.ocr, digital_signatures=outcome.signatures,
        status=status_of(reasons), added_at=parts.now_iso(), added_by=by,
        title=None if outcome.title is None else str(outcome.title),
        recognised_title=outcome.title or NO_TITLE, reasons=reasons, evidence=outcome.evidence,
        ocr_confidence=outcome.ocr_confidence, pdf_metadata=outcome.metadata,
    )
    mark: int | None = None
    try:
        mark = parts.add(path, letter, outcome.pages, derived=outcome.derived)
        added = mark is not None
    except Exception as error:
        if parts.archive.has(sha):  # archived; only what is derived from it (the catalog) lags
            run.uncatalogued = (str(storage_message(error))
                                if isinstance(error, OSError | sqlite3.Error) else str(error))
            added = True
        elif isinstance(error, OSError | sqlite3.Error):  # the disk, or the catalog's journal
            reason = storage_message(error)
            run.not_archived.append(str(reason))
            return IngestResult(str(path), "rejected", refusal=msg("refusal.not_archived",
                                                                 reason=reason))
        else:
            raise
    if not added:
        existing = parts.archive.by_sha(sha)
        return IngestResult(str(path), "duplicate", letter=existing)
    batch.append(letter, outcome.pages, mark)
    _audit(parts, "upload", by, {"id": letter.id, "sha256": sha, "filename": letter.filename},
           address, run)
    return IngestResult(str(path), "added", letter=letter)
