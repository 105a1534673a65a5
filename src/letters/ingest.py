"""The ingestion pipeline: hash, refuse duplicates, analyse in a limited worker, archive, index."""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from letters import audit
from letters.analysis import Analysis, Task, analyse
from letters.archive import letter_id, now_iso
from letters.fsutil import sha256_of
from letters.models import IngestResult, Letter
from letters.workers import Pool, TaskFailed

if TYPE_CHECKING:
    from letters.index import Index
    from letters.service import Letters

#: Letters archived between two index commits (a kill in between is mended by the next ingest).
INDEX_BATCH = 64


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


def failure_sentence(failure: TaskFailed) -> str:
    """The archivist's sentence for a worker that did not finish."""
    reason = str(failure)
    if reason == "timeout":
        return "too slow to read: it took longer than the time allowed and was stopped"
    if reason == "memory":
        return "too big to read: it needs more memory than allowed (a decompression bomb?)"
    if reason.startswith("crash"):
        return "damaged: reading it crashed the PDF reader"
    return "damaged: the PDF reader failed on it (" + reason.splitlines()[0][:120] + ")"


def _precheck(path: Path) -> str | None:
    """Reject at once what needs no parser: missing, empty, not a PDF."""
    if not path.is_file():
        return "not found: there is no such file"
    if path.stat().st_size == 0:
        return "empty file: it holds no bytes"
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        return "not a PDF: the file does not start with a PDF header"
    return None


def ingest_files(app: Letters, paths: list[Path], by: str, jobs: int = 1,
                 progress: Callable[[IngestResult], None] | None = None,
                 names: dict[Path, str] | None = None, address: str | None = None
                 ) -> list[IngestResult]:
    """Ingest files; one result per file, in input order, whatever happens to the others."""
    names = names or {}
    archive = app.archive
    archive.clean_staging()
    results: dict[int, IngestResult] = {}
    todo: list[tuple[int, Path, str]] = []
    seen: dict[str, int] = {}
    indexed = app.index.ids()
    unindexed: list[Letter] = []  # indexed in batches: one commit per batch, not per letter

    def done(index: int, result: IngestResult) -> None:
        results[index] = result
        _audit_refused(app, result, by, names.get(paths[index], paths[index].name), address)
        if progress:
            progress(result)

    for index, path in enumerate(paths):
        error = _precheck(path)
        if error:
            done(index, IngestResult(str(path), "rejected", error=error))
            continue
        sha = sha256_of(path)
        existing = archive.by_sha(sha)
        if existing is not None:
            if existing.id not in indexed:  # archived by a run that was killed before indexing
                unindexed.append(existing)
            done(index, IngestResult(str(path), "duplicate", letter=existing))
        elif sha in seen:
            todo.append((index, path, sha))  # resolved after its twin is archived
        else:
            seen[sha] = index
            todo.append((index, path, sha))

    first = [(i, p, s) for i, p, s in todo if seen.get(s) == i]
    tasks = [Task(str(p), str(archive.root), app.today().isoformat()) for _, p, _ in first]
    settings = app.settings
    indexer = Indexer(app.index)
    catalog = app.catalog
    try:
        with catalog.deferred(), Pool(analyse, jobs=jobs, timeout=settings.extract_timeout,
                                      memory_bytes=settings.extract_memory_bytes) as pool:
            for position, outcome in pool.map(tasks):
                index, path, sha = first[position]
                result = _archive_one(app, path, sha, outcome, by, names.get(path, path.name),
                                      address)
                if result.result == "added" and result.letter:
                    unindexed.append(result.letter)
                if len(unindexed) >= INDEX_BATCH:
                    indexer.add(unindexed)
                    unindexed = []
                    catalog.flush()  # the partners of the letters archived so far, paired
                done(index, result)
    finally:
        indexer.add(unindexed)  # even when interrupted: what is archived gets indexed
        indexer.finish()
    for index, path, sha in todo:
        if index not in results:
            twin = archive.by_sha(sha)
            done(index, IngestResult(str(path), "duplicate", letter=twin) if twin else
                 IngestResult(str(path), "rejected", error=results[seen[sha]].error))
    return [results[i] for i in range(len(paths))]


class Indexer:
    """Indexes archived letters in batches on a thread of its own, so that the next files are
    archived meanwhile (the worker processes read PDFs; this process archives and indexes)."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._batches: queue.Queue[list[Letter] | None] = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="letters-indexer", daemon=True)
        self._thread.start()

    def add(self, letters: list[Letter]) -> None:
        """Index these letters soon (raises what a previous batch raised)."""
        self._raise()
        if letters:
            self._batches.put(list(letters))

    def finish(self) -> None:
        """Wait until every batch is indexed; raise the first error, if any."""
        self._batches.put(None)
        self._thread.join()
        self._raise()

    def _run(self) -> None:
        while (batch := self._batches.get()) is not None:
            if self._error is None:
                try:
                    self.index.update(batch)
                except BaseException as error:  # handed to the ingesting thread by _raise
                    self._error = error

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error


def _audit_refused(app: Letters, result: IngestResult, by: str, filename: str,
                   address: str | None) -> None:
    """Audit the files that added nothing (an added letter is audited when it is archived)."""
    if result.result == "duplicate":
        audit.record(app.settings.archive_dir, "upload_duplicate", by,
                     {"id": result.letter.id if result.letter else None, "filename": filename}, address)
    elif result.result == "rejected":
        audit.record(app.settings.archive_dir, "upload_rejected", by,
                     {"filename": filename, "error": result.error}, address)


def _archive_one(app: Letters, path: Path, sha: str, outcome: Analysis | TaskFailed, by: str,
                 filename: str, address: str | None) -> IngestResult:
    if isinstance(outcome, TaskFailed):
        return IngestResult(str(path), "rejected", error=failure_sentence(outcome))
    if outcome.error:
        return IngestResult(str(path), "rejected", error=outcome.error)
    letter = Letter(
        id=letter_id(sha), sha256=sha, filename=os.path.basename(filename), pages=outcome.page_count,
        partner=outcome.partner, signatory=outcome.signatory, signed_by=outcome.signed_by,
        date=outcome.date, direction=outcome.direction,  # type: ignore[arg-type]
        language=outcome.language, ocr=outcome.ocr, digital_signatures=outcome.signatures,
        status="needs_review" if outcome.reasons else "ok", added_at=now_iso(), added_by=by,
        title=outcome.title, reasons=outcome.reasons, evidence=outcome.evidence,
        ocr_confidence=outcome.ocr_confidence, pdf_metadata=outcome.metadata,
    )
    if not app.archive.add(path, letter, outcome.pages, derived=outcome.derived):
        existing = app.archive.by_sha(sha)
        return IngestResult(str(path), "duplicate", letter=existing)
    audit.record(app.settings.archive_dir, "upload", by,
                 {"id": letter.id, "sha256": sha, "filename": letter.filename}, address)
    return IngestResult(str(path), "added", letter=letter)
