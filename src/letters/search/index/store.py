"""The index of one home: opening, writing, rebuilding and searching it, whatever the engine.

`index/` is derived from `archive/` and can be rebuilt from it at any time. Beside the engine's
files it holds `SCHEMA_VERSION` and `ENGINE` (which engine made it). An index that is missing,
of another version or engine, or damaged is rebuilt when it is opened (`open_index`, at start-up)
or by `letters reindex`, never during a search: a search on an index damaged meanwhile raises
IndexUnavailable (the web answers 503). A rebuild is made in a sibling directory and swapped in,
so a crash never leaves no index. Every write goes through one writer that waits for a file lock
shared by all processes (`index.lock` beside the index), commits or re-raises, and never drops a
write.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Protocol

from letters import faults, pool
from letters.archive import RECORD, TEXT, Archive, letter_id, read_record
from letters.fsutil import fsync_dir, write_atomic
from letters.messages import msg
from letters.models import Letter
from letters.registry import Registry
from letters.search import _planning, _snippets
from letters.search.index.documents import FACET_FIELDS, SCHEMA_VERSION, Document, document
from letters.search.index.lowering import Lowering
from letters.search.index.marking import SNIPPET_CHARS, Marks, suggest
from letters.search.index.protocol import Engine, IndexDamaged, Progress, Reader, TooCostly, Writer

log = logging.getLogger("letters.search.index")

LOCK_TIMEOUT = 300.0
#: Positions of phrase words one search may read, by default (`Settings.phrase_positions`).
PHRASE_POSITIONS = 200_000
VERSION_FILE = "SCHEMA_VERSION"
ENGINE_FILE = "ENGINE"
UNAVAILABLE = msg("query.index_unavailable")


#: Segments an index may have before a merge is started, in the background (never inside an
#: update: a merge takes a minute on a large index, and the update's callers hold letter locks).
MERGE_AT = 8
#: Seconds a background merge waits for the index's lock before leaving it to the next update.
MERGE_WAIT = 5.0


class IndexBusy(RuntimeError):
    """Another process kept the index locked for longer than the writer would wait."""


class Journal(Protocol):
    """Which letters the index may lack the current record of (the catalog's `unindexed`)."""

    def unindexed(self, shas: list[str] | None = None) -> dict[str, int]:
        """The marks of these letters (None: all) not yet indexed as they stand."""

    def indexed(self, marks: dict[str, int]) -> None:
        """A commit holds the records read after these marks were: they go."""


def open_index(index_dir: Path, archive: Archive, registry: Callable[[], Registry],
               max_query_chars: int = 500, engine: str = "whoosh",
               progress: Progress | None = None, positions: int = PHRASE_POSITIONS,
               journal: Journal | None = None) -> Index:
    """The index for this process, opened now: rebuilt from the archive (with `progress`) when
    it is missing, damaged, or made by another engine or schema version."""
    index = Index(index_dir, archive, registry, max_query_chars=max_query_chars, engine=engine,
                  positions=positions, journal=journal)
    index.ensure(progress)
    return index


class Index:
    """The search index of one home: updates, removals, searches, rebuilds."""

    def __init__(self, index_dir: Path, archive: Archive, registry: Callable[[], Registry],
                 max_query_chars: int = 500, lock_timeout: float = LOCK_TIMEOUT,
                 engine: str = "whoosh", positions: int = PHRASE_POSITIONS,
                 journal: Journal | None = None, merge_at: int = MERGE_AT) -> None:
        self.index_dir = Path(index_dir)
        self.journal = journal
        self.merge_at = merge_at
        self._merging: threading.Thread | None = None
        self.archive = archive
        self.registry = registry
        self.max_query_chars = max_query_chars
        self.positions = positions
        self.lock_timeout = lock_timeout
        self.engine: Engine = engine_named(engine)
        self._lock = threading.RLock()
        self._held: list[Reader | None] = [None]  # the open reader, closed with the Index
        weakref.finalize(self, _release, self._held)
        self._identity: tuple[int, int] | None = None

    # -- public ----------------------------------------------------------------------------
    def update(self, letters: Iterable[Letter], texts: Mapping[str, list[str]] | None = None,
               marks: Mapping[str, int] | None = None) -> None:
        """Add or replace these letters, in one commit that merges no segment (see `merge`).
        A letter's text is `texts[sha256]` when given (what the caller has just written), else
        read from the archive. With `marks` (the journal's marks these very records got when
        the catalog stored them), those marks go, and the archive is not read again (a letter
        changed since has a newer mark, which stays); without, the journal's mark of a letter
        goes only when the record indexed is the one the archive holds once the index is
        locked."""
        registry = self.registry()
        texts = texts or {}
        documents = [(letter, document(letter, texts[letter.sha256] if letter.sha256 in texts
                                       else self.archive.pages(letter.id), registry))
                     for letter in letters]
        if not documents:
            return
        with self._writer() as writer:
            held = dict(marks) if marks is not None else self._marks(
                [letter.sha256 for letter, _ in documents])
            for letter, doc in documents:
                if (marks is None and letter.sha256 in held
                        and _differs(self.archive.get(letter.id), letter)):
                    del held[letter.sha256]  # an older record: indexed again from the journal
                writer.delete(doc.id)
                writer.add(doc)
        self._indexed(held)
        self._merge_soon()

    def segments(self) -> int:
        """How many segments the index on disk has (merged by `merge`)."""
        return self.engine.segments(self.index_dir)

    def merge(self, wait: float | None = None) -> None:
        """Merge the index's small segments, holding only the index's lock (never a letter's),
        waiting for it `wait` seconds at most (IndexBusy), by default as long as a writer."""
        with self._file_lock(wait):
            self._recover_swap()
            if self._problem() is None:
                self.engine.merge(self.index_dir)

    def _merge_soon(self) -> None:
        """Start a merge on a thread of its own when the segments have piled up."""
        with self._lock:
            if self._merging is not None and self._merging.is_alive():
                return
            try:
                if self.segments() < self.merge_at:
                    return
            except (OSError, IndexDamaged):
                return
            self._merging = threading.Thread(target=self._merge_quietly, name="letters-merge")
            self._merging.start()

    def _merge_quietly(self) -> None:
        try:
            self.merge(wait=MERGE_WAIT)
        except IndexBusy:
            return  # another process writes the index: the next update tries again
        except Exception as error:  # the index stays as it was: the next update tries again
            log.warning("The search index could not be merged (%s).", error)

    def wait_for_merge(self) -> None:
        """Wait for a merge started in the background to end."""
        merging = self._merging
        if merging is not None:
            merging.join()

    def _marks(self, shas: list[str] | None) -> dict[str, int]:
        if self.journal is None:
            return {}
        try:
            return self.journal.unindexed(shas)
        except (OSError, sqlite3.Error) as error:
            log.warning("The index journal could not be read (%s).", error)
            return {}

    def _indexed(self, marks: dict[str, int]) -> None:
        if self.journal is not None and marks:
            try:
                self.journal.indexed(marks)
            except (OSError, sqlite3.Error) as error:  # kept: indexed again at the next start
                log.warning("The index journal could not be written (%s).", error)

    def remove(self, ids: Iterable[str]) -> None:
        """Take these letters out of the index."""
        wanted = list(ids)
        if not wanted:
            return
        with self._writer() as writer:
            for letter_id in wanted:
                writer.delete(letter_id)

    def search(self, request: _planning.SearchRequest) -> _planning.SearchResult:
        """Run a search; QueryError for a malformed query or filter, IndexUnavailable when the
        index cannot be read (it is not rebuilt here)."""
        plan = _planning.plan(request, self.registry(), self.max_query_chars)
        with self._lock:
            reader = self._current()
            try:
                return self._run(request, plan, reader)
            except IndexDamaged as error:
                log.error("The search index is damaged (%s).", error)
                self._close()
                raise _planning.IndexUnavailable(UNAVAILABLE) from None
            except TooCostly as error:
                raise _planning.QueryError(msg("query.too_costly", limit=error.limit)) from None

    def _run(self, request: _planning.SearchRequest, plan: _planning.Plan,
             reader: Reader) -> _planning.SearchResult:
        lowering = Lowering(self.engine, reader)
        # past the last letter a page is empty: never ask an engine to rank more than it holds
        offset = min(plan.offset, reader.count())
        found = reader.search(lowering.lower(plan.where), plan.order, offset, plan.limit,
                              plan.facets, positions=self.positions)
        marks = Marks.of(plan.query, self.engine) if plan.highlight else Marks()
        hits = []
        for record, content, score in found.hits:
            text = content[:SNIPPET_CHARS]
            spans = marks.spans(text, self.engine) if marks else []
            hits.append(_planning.Hit(letter=Letter.from_json(json.loads(record)),
                                      snippet=_snippets.make(text, spans) if plan.highlight
                                      else [], score=score))
        facets = {name: found.facets.get(name, {}) for name in FACET_FIELDS} if plan.facets else {}
        hint = suggest(lowering, plan.query, request.q) if plan.text else None
        return _planning.SearchResult(total=found.total, page=request.page,
                                      per_page=request.per_page, hits=hits, facets=facets,
                                      suggestion=hint)

    def spans(self, q: str, text: str) -> list[tuple[int, int]]:
        """Where the words of query `q` occur in `text`: sorted, non-overlapping offsets."""
        from letters.search import _language

        query = _language.parse(q, self.max_query_chars)
        return _snippets.merge(Marks.of(query, self.engine).spans(text, self.engine))

    def ensure(self, progress: Progress | None = None) -> None:
        """Make sure a usable index is on disk: rebuild it when it is not (start-up only)."""
        with self._lock:
            self._close()
            problem = self._problem()
            if problem is None:
                try:
                    self._open()
                    return
                except IndexDamaged as error:
                    problem = f"the search index is damaged ({error})"
            with self._file_lock():
                self._recover_swap()
                if self._problem() is None:
                    try:  # another process has repaired it meanwhile
                        self._open()
                        return
                    except IndexDamaged:
                        pass
                if not (problem.endswith("missing") and not any(True for _ in self.archive.records())):
                    log.warning("%s; rebuilding it from the archive.",
                                problem[0].upper() + problem[1:])
                self._rebuild_locked(progress)
            self._open()

    def rebuild(self, progress: Progress | None = None, procs: int = 1) -> int:
        """Rebuild the index from the archive alone; the number of letters indexed.

        With `procs` > 1 the engine may use that many processes or threads.
        """
        with self._file_lock():
            self._recover_swap()
            count = self._rebuild_locked(progress, procs)
        with self._lock:
            self._close()
        return count

    def count(self) -> int:
        """How many letters the index holds."""
        with self._lock:
            return self._current().count()

    def ids(self) -> set[str]:
        """The ids of the letters the index holds."""
        with self._lock:
            return self._current().ids()

    def close(self) -> None:
        """Release the open reader (the index stays on disk)."""
        with self._lock:
            self._close()

    # -- reading ---------------------------------------------------------------------------
    @property
    def _reader(self) -> Reader | None:
        return self._held[0]

    @_reader.setter
    def _reader(self, reader: Reader | None) -> None:
        self._held[0] = reader

    def _current(self) -> Reader:
        """A reader on the latest commit; IndexUnavailable when the index cannot be read."""
        if (self._reader is not None and self._identity == _identity(self.index_dir)
                and self.engine.refresh(self._reader, self.index_dir)):
            return self._reader
        self._close()
        problem = self._problem()
        if problem is not None:
            log.error("%s.", problem[0].upper() + problem[1:])
            raise _planning.IndexUnavailable(UNAVAILABLE)
        try:
            return self._open()
        except IndexDamaged as error:
            log.error("The search index is damaged (%s).", error)
            raise _planning.IndexUnavailable(UNAVAILABLE) from None

    def _open(self) -> Reader:
        self._reader = self.engine.open(self.index_dir)
        self._identity = _identity(self.index_dir)
        return self._reader

    def _close(self) -> None:
        if self._reader is not None:
            with contextlib.suppress(Exception):  # a damaged index may fail to close
                self._reader.close()
        self._reader = None
        self._identity = None

    def _problem(self) -> str | None:
        """Why the index on disk cannot be used as it is (missing, other engine or schema)."""
        if not self.index_dir.is_dir():
            return "the search index is missing"
        made_by = _read(self.index_dir / ENGINE_FILE, self.engine.name)
        if made_by != self.engine.name:
            return (f"the search index was made by the {made_by} engine, "
                    f"this program uses {self.engine.name}")
        if not self.engine.owns(self.index_dir):
            return "the search index is missing"
        version = _read(self.index_dir / VERSION_FILE, "unknown")
        if version != SCHEMA_VERSION:
            return (f"the search index has schema version {version}, "
                    f"this program uses version {SCHEMA_VERSION}")
        return None

    # -- writing ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def _writer(self) -> Iterator[Writer]:
        """The one writer: waits for the lock, commits on success, cancels and re-raises."""
        with self._file_lock():
            self._recover_swap()
            if self._problem() is not None:
                raise _planning.IndexUnavailable(UNAVAILABLE)
            try:
                with self.engine.writer(self.index_dir, merge=False) as writer:
                    yield writer
                    faults.point("index.commit")
            except IndexDamaged as error:
                log.error("The search index is damaged (%s).", error)
                raise _planning.IndexUnavailable(UNAVAILABLE) from None

    @contextlib.contextmanager
    def _file_lock(self, wait: float | None = None) -> Iterator[None]:
        """Hold the lock all writers share, across processes, waiting for it if needed (at most
        `wait` seconds, by default the writers' `lock_timeout`)."""
        path = self.index_dir.parent / f"{self.index_dir.name}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        timeout = self.lock_timeout if wait is None else wait
        with open(path, "a+b") as handle:
            deadline = time.monotonic() + timeout
            pause = 0.01
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexBusy(
                            f"The search index stayed locked by another process for "
                            f"{timeout:.0f} seconds; try again when it has finished."
                        ) from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.2)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _rebuild_locked(self, progress: Progress | None, procs: int = 1) -> int:
        """Build a new index beside the current one and swap it in (the lock is held). The
        letters' files are read and their documents made by worker processes for a large
        archive (`pool`); this process only hands the documents to the engine's writer."""
        parent = self.index_dir.parent
        parent.mkdir(parents=True, exist_ok=True)
        marks = self._marks(None)
        directories = letter_directories(self.archive)
        reading = functools.partial(documents_of, self.registry())
        fresh = Path(tempfile.mkdtemp(prefix=f".{self.index_dir.name}-new-", dir=parent))
        count = 0
        try:
            with pool.readers(len(directories)) as read:  # forked before the writer's threads
                self.engine.create(fresh)
                with self.engine.writer(fresh, procs=procs) as writer:
                    for done, doc in enumerate(read(reading, directories), 1):
                        if doc is not None:
                            writer.add(doc)
                            count += 1
                        if progress is not None:
                            progress(done, len(directories))
            write_atomic(fresh / ENGINE_FILE, (self.engine.name + "\n").encode())
            write_atomic(fresh / VERSION_FILE, (SCHEMA_VERSION + "\n").encode())
            self._swap(fresh)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        self._indexed(marks)
        return count

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


def letter_directories(archive: Archive) -> list[str]:
    """The archive's letter directories holding a record, in `Archive.records`' order."""
    if not archive.letters_dir.is_dir():
        return []
    return [str(entry) for shard in sorted(archive.letters_dir.iterdir()) if shard.is_dir()
            for entry in sorted(shard.iterdir()) if (entry / RECORD).exists()]


def documents_of(registry: Registry, directories: list[str]) -> list[Document | None]:
    """The index document of the letter in each directory (None: it holds no record of its own,
    `Archive.records`); its stored text, or none when it cannot be read (with a warning)."""
    found: list[Document | None] = []
    for name in directories:
        directory = Path(name)
        letter = read_record(directory)
        if letter.sha256 != directory.name or letter.id != letter_id(directory.name):
            found.append(None)  # put in by hand over another letter: `letters verify` says so
            continue
        try:
            pages: list[str] = json.loads((directory / TEXT).read_text(encoding="utf-8"))["pages"]
        except (OSError, KeyError, ValueError, TypeError) as error:
            log.warning("Letter %s has no readable stored text (%s); it is indexed without it.",
                        letter.id, error)
            pages = []
        found.append(document(letter, pages, registry))
    return found


def engine_named(name: str) -> Engine:
    """The engine of this name (`whoosh` or `tantivy`): imported only when chosen."""
    if name == "whoosh":
        from letters.search.index.whoosh_engine import WhooshEngine

        return WhooshEngine()
    if name == "tantivy":
        from letters.search.index.tantivy_engine import TantivyEngine

        return TantivyEngine()
    raise ValueError(f'the search engine must be "whoosh" or "tantivy", not "{name}"')


def _release(held: list[Reader | None]) -> None:
    """Close the reader of an Index that is being forgotten (it holds its segments' files)."""
    if held[0] is not None:
        with contextlib.suppress(Exception):
            held[0].close()
        held[0] = None


def _differs(current: Letter | None, indexed: Letter) -> bool:
    return current is None or current.to_record() != indexed.to_record()


def _read(path: Path, default: str) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return default


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino
