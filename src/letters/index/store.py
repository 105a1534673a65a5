"""The index of one home: opening, writing, rebuilding and searching it.

`index/` is derived from `archive/` and can be rebuilt from it at any time. The schema's version
is written beside the index (`index/SCHEMA_VERSION`); a missing, outdated or damaged index is
rebuilt from the archive with a warning in the log. A rebuild is made in a sibling directory and
swapped in, so a crash never leaves no index. Every write goes through one writer that waits for
a file lock shared by all processes (`index.lock` beside the index), commits or re-raises, and
never drops a write.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from letters import querytext, searching, snippets
from letters.archive import Archive
from letters.fsutil import fsync_dir, write_atomic
from letters.index.engine import Segments, Snapshot
from letters.index.queries import Marks, filters, parse
from letters.index.schema import FACET_FIELDS, SCHEMA, SCHEMA_VERSION, VERSION_FILE, text_of
from letters.index.schema import document as build_document
from letters.models import Letter
from letters.registry import Registry

log = logging.getLogger(__name__)

LOCK_TIMEOUT = 300.0


class IndexBusy(RuntimeError):
    """Another process kept the index locked for longer than the writer would wait."""


# -- the index -----------------------------------------------------------------------------
def open_index(index_dir: Path, archive: Archive, registry: Callable[[], Registry],
               max_query_chars: int = 500) -> Index:
    """The index for this process, opened now (rebuilt from the archive if missing or damaged)."""
    index = Index(index_dir, archive, registry, max_query_chars=max_query_chars)
    index.count()
    return index


class Index:
    """The search index of one home: updates, removals, searches, rebuilds."""

    def __init__(self, index_dir: Path, archive: Archive, registry: Callable[[], Registry],
                 max_query_chars: int = 500, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.index_dir = Path(index_dir)
        self.archive = archive
        self.registry = registry
        self.max_query_chars = max_query_chars
        self.lock_timeout = lock_timeout
        self._lock = threading.RLock()
        self._ix: FileIndex | None = None
        self._held: list[Searcher | None] = [None]  # the open searcher, closed with the Index
        weakref.finalize(self, _release, self._held)
        self._snapshot: Snapshot | None = None
        self._segments = Segments()
        self._identity: tuple[int, int] | None = None

    # -- public ----------------------------------------------------------------------------
    def update(self, letters: Iterable[Letter]) -> None:
        """Add or replace these letters (their text is read from the archive)."""
        registry = self.registry()
        documents = [build_document(letter, self.archive.pages(letter.id), registry)
                     for letter in letters]
        if not documents:
            return
        with self._writer() as writer:
            for document in documents:
                writer.update_document(**document)

    def remove(self, ids: Iterable[str]) -> None:
        """Take these letters out of the index."""
        wanted = list(ids)
        if not wanted:
            return
        with self._writer() as writer:
            for letter_id in wanted:
                writer.delete_by_term("id", letter_id)

    def search(self, request: searching.SearchRequest) -> searching.SearchResult:
        """Run a search; raises searching.QueryError for a malformed query or filter."""
        text = querytext.prepare(request.q, self.max_query_chars).strip()
        if request.page < 1 or request.per_page < 1:
            raise searching.QueryError("page and per_page must be 1 or more")
        wanted = filters(request, self.registry())
        query = parse(text)
        snapshot = self._snapshot  # a page made on the commit still on disk needs no lock
        if snapshot is not None and snapshot.version == _version(self.index_dir):
            page = snapshot.cached(request, query, text, wanted)
            if page is not None:
                return page
        with self._lock:
            try:
                return self._run(request, query, text, wanted)
            except (searching.QueryError, IndexBusy):
                raise
            except Exception as error:  # a damaged index shows itself here at the latest
                failure = f"the search index could not be read ({_describe(error)})"
            self._close()
            self._repair(failure, force=True)
            return self._run(request, query, text, wanted)

    def _run(self, request: searching.SearchRequest, query: wq.Query, text: str,
             wanted: wq.Query | None) -> searching.SearchResult:
        searcher = self._current()
        if searcher.reader().doc_count_all() == 0:  # no segment at all: nothing to read
            return searching.SearchResult(
                total=0, page=request.page, per_page=request.per_page, hits=[],
                facets={name: {} for name in FACET_FIELDS} if request.facets else {})
        if self._snapshot is None or self._snapshot.searcher is not searcher:
            version = (self._identity, searcher.reader().generation())
            self._snapshot = Snapshot(searcher, self._segments, version)
        return self._snapshot.search(request, query, text, wanted)

    def spans(self, q: str, text: str) -> list[tuple[int, int]]:
        """Where the words of query `q` occur in `text`: sorted, non-overlapping offsets."""
        prepared = querytext.prepare(q, self.max_query_chars).strip()
        if not prepared:
            return []
        return snippets.merge(Marks.of(parse(prepared)).spans(text))

    def rebuild(self, progress: Callable[[int, int], None] | None = None, procs: int = 1) -> int:
        """Rebuild the index from the archive alone; the number of letters indexed.

        With `procs` > 1 the letters are analysed in that many subprocesses (forked by Whoosh:
        only for a process without threads, such as `letters reindex`), each writing a segment.
        """
        with self._file_lock():
            self._recover_swap()
            count = self._rebuild_locked(progress, procs)
        with self._lock:
            self._close()
            self._current()
        return count

    def count(self) -> int:
        """How many letters the index holds."""
        with self._lock:
            found: int = self._current().doc_count()
            return found

    def ids(self) -> set[str]:
        """The ids of the letters the index holds."""
        with self._lock:
            return _ids(self._current().reader())

    @property
    def _searcher(self) -> Searcher | None:
        return self._held[0]

    @_searcher.setter
    def _searcher(self, searcher: Searcher | None) -> None:
        self._held[0] = searcher

    def close(self) -> None:
        """Release the open searcher (the index stays on disk)."""
        with self._lock:
            self._close()

    # -- reading ---------------------------------------------------------------------------
    def _current(self) -> Searcher:
        """A searcher on the latest commit, opening (or repairing) the index when needed."""
        if self._searcher is not None and self._identity == _identity(self.index_dir):
            try:
                if not self._searcher.up_to_date():
                    self._refresh_searcher()
                return self._searcher
            except Exception as error:
                failure = f"the search index could not be read ({_describe(error)})"
            self._close()
            self._repair(failure, force=True)
        self._close()
        opened, problem = self._try_open()
        if opened is None:
            self._repair(problem or "the search index is damaged")
            opened, problem = self._try_open()
            if opened is None:
                raise RuntimeError(f"{problem}, even after rebuilding it")
        self._ix, self._searcher = opened
        self._identity = _identity(self.index_dir)
        return self._searcher

    def _refresh_searcher(self) -> None:
        """A searcher on the latest commit, from the index already open.

        Not `Searcher.refresh()`: it reuses the readers of unchanged segments, and those keep
        the deletions they were opened with, so a replaced letter would be counted twice.
        """
        assert self._searcher is not None and self._ix is not None
        fresh = self._ix.searcher()
        with contextlib.suppress(Exception):
            self._searcher.close()
        self._searcher = fresh
        self._snapshot = None

    def _close(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):  # a damaged index may fail to close
                self._searcher.close()
        self._ix = self._searcher = None
        self._snapshot = None
        self._identity = None

    def _try_open(self) -> tuple[tuple[FileIndex, Searcher] | None, str | None]:
        """The index and a searcher, checked by reading a little of every part; or the problem."""
        problem = self._problem()
        if problem is not None:
            return None, problem
        with _quiet_leaks():
            try:
                return _open_checked(self.index_dir), None
            except Exception as error:
                problem = f"the search index is damaged ({_describe(error)})"
            gc.collect()
        return None, problem

    def _problem(self) -> str | None:
        """Why the index on disk cannot be used as it is (missing, other schema), or None."""
        if not self.index_dir.is_dir():
            return "the search index is missing"
        problem: str | None = None
        with _quiet_leaks():
            try:
                if not whoosh_index.exists_in(str(self.index_dir)):
                    problem = "the search index is missing"
            except Exception as error:
                problem = f"the search index is damaged ({_describe(error)})"
            if problem is not None:
                gc.collect()
        if problem is not None:
            return problem
        version_file = self.index_dir / VERSION_FILE
        version = version_file.read_text().strip() if version_file.exists() else "unknown"
        if version != SCHEMA_VERSION:
            return (f"the search index has schema version {version}, "
                    f"this program uses version {SCHEMA_VERSION}")
        return None

    def _repair(self, problem: str, force: bool = False) -> None:
        """Rebuild from the archive, unless (not forced) another process has repaired it."""
        with _quiet_leaks():
            gc.collect()
        with self._file_lock():
            self._recover_swap()
            if not force:
                opened, current = self._try_open()
                if opened is not None:
                    opened[1].close()
                    return
                problem = current or problem
            self._rebuild_because(problem)

    def _rebuild_because(self, problem: str) -> None:
        """Say why (unless a new home merely has no index yet) and rebuild (the lock is held)."""
        if not (problem.endswith("missing") and not any(True for _ in self.archive.records())):
            log.warning("%s; rebuilding it from the archive.", problem[0].upper() + problem[1:])
        self._rebuild_locked(None)

    # -- writing ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def _writer(self) -> Iterator[IndexWriter]:
        """The one writer: waits for the lock, commits on success, cancels and re-raises."""
        with self._file_lock():
            self._recover_swap()
            opened, problem = self._try_open()
            if opened is None:
                self._rebuild_because(problem or "the search index is damaged")
                opened, problem = self._try_open()
                if opened is None:
                    raise RuntimeError(f"{problem}, even after rebuilding it")
            ix, probe = opened
            probe.close()
            writer = ix.writer(timeout=self.lock_timeout)
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Hold the lock all writers share, across processes, waiting for it if needed."""
        path = self.index_dir.parent / f"{self.index_dir.name}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+b") as handle:
            deadline = time.monotonic() + self.lock_timeout
            pause = 0.01
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexBusy(
                            f"The search index stayed locked by another process for "
                            f"{self.lock_timeout:.0f} seconds; try again when it has finished."
                        ) from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.2)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _rebuild_locked(self, progress: Callable[[int, int], None] | None, procs: int = 1) -> int:
        """Build a new index beside the current one and swap it in (the lock is held)."""
        parent = self.index_dir.parent
        records = list(self.archive.records())
        registry = self.registry()
        fresh = Path(tempfile.mkdtemp(prefix=f".{self.index_dir.name}-new-", dir=parent))
        try:
            options: dict[str, Any] = {}
            if procs > 1 and len(records) >= 2 * procs:
                options = {"procs": procs, "multisegment": True, "limitmb": 256,
                           "batchsize": min(100, len(records) // procs)}
            writer = whoosh_index.create_in(str(fresh), SCHEMA).writer(**options)
            try:
                for done, letter in enumerate(records, 1):
                    writer.add_document(**build_document(letter, self._stored_pages(letter), registry))
                    if progress is not None:
                        progress(done, len(records))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            write_atomic(fresh / VERSION_FILE, (SCHEMA_VERSION + "\n").encode())
            self._swap(fresh)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        return len(records)

    def _stored_pages(self, letter: Letter) -> list[str]:
        try:
            return self.archive.pages(letter.id)
        except (OSError, KeyError, ValueError) as error:
            log.warning("Letter %s has no readable stored text (%s); it is indexed without it.",
                        letter.id, _describe(error))
            return []

    def _swap(self, fresh: Path) -> None:
        parent = self.index_dir.parent
        old = parent / f".{self.index_dir.name}-old-{os.getpid()}-{time.monotonic_ns()}"
        if self.index_dir.exists():
            os.rename(self.index_dir, old)
        os.rename(fresh, self.index_dir)
        fsync_dir(parent)
        shutil.rmtree(old, ignore_errors=True)

    def _recover_swap(self) -> None:
        """Finish or undo a swap that a crash interrupted; clear what rebuilds left (locked)."""
        parent = self.index_dir.parent
        if not parent.is_dir():
            return
        name = self.index_dir.name
        fresh = [p for p in parent.glob(f".{name}-new-*") if (p / VERSION_FILE).exists()]
        old = list(parent.glob(f".{name}-old-*"))
        if not self.index_dir.exists():
            for candidates in (fresh, old):
                if candidates:
                    newest = max(candidates, key=lambda p: p.stat().st_mtime)
                    os.rename(newest, self.index_dir)
                    fsync_dir(parent)
                    break
        for leftover in [*parent.glob(f".{name}-new-*"), *parent.glob(f".{name}-old-*")]:
            shutil.rmtree(leftover, ignore_errors=True)


# -- files ---------------------------------------------------------------------------------
def _open_checked(index_dir: Path) -> tuple[FileIndex, Searcher]:
    """Open the index and read a little of every part of it, so damage shows now."""
    # Without mmap: Whoosh's mapped segment files kept ~750 MB resident for 100,000 letters
    # (their pages, and copies of them); read through file handles the server holds ~50 MB.
    ix = FileStorage(str(index_dir), supports_mmap=False).open_index(schema=SCHEMA)
    searcher = ix.searcher()
    try:
        reader = searcher.reader()
        _ids(reader)
        docnums = list(reader.all_doc_ids())
        if docnums:
            searcher.stored_fields(docnums[0])
            searcher.stored_fields(docnums[-1])
        for name in ("id", "content"):
            for _term in zip(range(3), reader.lexicon(name), strict=False):
                pass
        searcher.search(wq.Every(), limit=1)
    except BaseException:
        with contextlib.suppress(Exception):
            searcher.close()
        raise
    return ix, searcher


def _ids(reader: IndexReader) -> set[str]:
    if reader.doc_count_all() == 0:  # no segment at all: no columns either
        return set()
    column = reader.column_reader("id")
    return {text_of(column[docnum]) for docnum in reader.all_doc_ids()}


@contextlib.contextmanager
def _quiet_leaks() -> Iterator[None]:
    """Let the files Whoosh leaves open on a damaged index be closed without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _version(index_dir: Path) -> tuple[tuple[int, int] | None, int]:
    """The index directory's identity and its latest commit (generation), read without Whoosh."""
    generations = [int(match.group(1)) for name in _listdir(index_dir)
                   if (match := _TOC.fullmatch(name))]
    return _identity(index_dir), max(generations, default=-1)


_TOC = re.compile(r"_MAIN_(\d+)\.toc")


def _listdir(path: Path) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []



def _describe(error: BaseException) -> str:
    detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


def _release(held: list[Searcher | None]) -> None:
    """Close the searcher of an Index that is being forgotten (it holds its segments' files)."""
    if held[0] is not None:
        with contextlib.suppress(Exception):
            held[0].close()
        held[0] = None
