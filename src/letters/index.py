"""The search index: the only module that talks to Whoosh.

`index/` is derived from `archive/` and can be rebuilt from it at any time. The schema is defined
once (`SCHEMA`) and its version is written beside the index (`index/SCHEMA_VERSION`); a missing,
outdated or damaged index is rebuilt from the archive with a warning in the log. A rebuild is
made in a sibling directory and swapped in, so a crash never leaves no index. Every write goes
through one writer that waits for a file lock shared by all processes (`index.lock` beside the
index), commits or re-raises, and never drops a write.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import gc
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting
from whoosh.analysis import Filter, RegexTokenizer, StemFilter
from whoosh.fields import BOOLEAN, DATETIME, ID, STORED, TEXT, Schema
from whoosh.index import FileIndex
from whoosh.qparser import MultifieldParser, SingleQuotePlugin
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from letters import querytext, searching, snippets
from letters.archive import Archive
from letters.fsutil import fsync_dir, write_atomic
from letters.models import Letter
from letters.registry import Registry
from letters.textnorm import fold

log = logging.getLogger(__name__)

#: Bump whenever SCHEMA or an analyzer changes: an index of another version is rebuilt.
SCHEMA_VERSION = "1"
VERSION_FILE = "SCHEMA_VERSION"
LOCK_TIMEOUT = 300.0


class IndexBusy(RuntimeError):
    """Another process kept the index locked for longer than the writer would wait."""


# -- analysis ------------------------------------------------------------------------------
_fold = functools.lru_cache(maxsize=200_000)(fold)


class FoldFilter(Filter):
    """NFKC, lower case, no diacritics: "Pejčinović" and "Pejcinovic" become the same term."""

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = _fold(token.text)
            yield token


class CaseFilter(Filter):
    """NFKC and lower case, keeping accents (the French stemmer reads them)."""

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = unicodedata.normalize("NFKC", token.text).casefold()
            yield token


FOLDED = RegexTokenizer() | FoldFilter()
ENGLISH = RegexTokenizer() | FoldFilter() | StemFilter(lang="en")
FRENCH = RegexTokenizer() | CaseFilter() | StemFilter(lang="fr") | FoldFilter()

# -- schema --------------------------------------------------------------------------------
SCHEMA = Schema(
    id=ID(stored=True, unique=True, sortable=True),
    record=STORED(),  # the Letter record as JSON, so a hit needs no read of the archive
    content=TEXT(analyzer=FOLDED, stored=True),  # the full text, unstemmed: phrases, snippets
    text_en=TEXT(analyzer=ENGLISH, phrase=False),  # the full text again, stemmed, when English
    text_fr=TEXT(analyzer=FRENCH, phrase=False),  # ... and when French
    title=TEXT(analyzer=FOLDED),
    partner=TEXT(analyzer=FOLDED),  # slug, name, aliases and former names
    signatory=TEXT(analyzer=FOLDED),  # the Secretary General's slug, name and spellings
    signed_by=TEXT(analyzer=FOLDED),
    partner_slug=ID(sortable=True),
    signatory_slug=ID(sortable=True),
    date=DATETIME(),
    date_asc=ID(sortable=True),  # "2020-02-06", or "~" (after every date) when unknown
    date_desc=ID(sortable=True),  # the date with each digit d as 9-d, so ascending is newest first
    year=ID(sortable=True),
    direction=ID(sortable=True),
    language=ID(sortable=True),
    ocr=BOOLEAN(),
    status=ID(sortable=True),
)
STEMMED = frozenset({"text_en", "text_fr"})
UNSTEMMED = frozenset({"content", "title", "partner", "signatory", "signed_by"})
#: Free text searches these; a match in a name ranks above a mention in the body.
DEFAULT_FIELDS = ("content", "text_en", "text_fr", "title", "partner", "signatory", "signed_by")
BOOSTS = {"partner": 4.0, "signatory": 3.0, "signed_by": 2.0, "title": 2.0}
FACET_FIELDS = {"partner": "partner_slug", "signatory": "signatory_slug", "year": "year",
                "language": "language", "direction": "direction"}
SPELLING_FIELDS = ("content", "partner", "signatory", "title")
NO_DATE = "~"


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
        self._searcher: Searcher | None = None
        self._identity: tuple[int, int] | None = None

    # -- public ----------------------------------------------------------------------------
    def update(self, letters: Iterable[Letter]) -> None:
        """Add or replace these letters (their text is read from the archive)."""
        registry = self.registry()
        documents = [_document(letter, self.archive.pages(letter.id), registry)
                     for letter in letters]
        if not documents:
            return
        with self._writer() as writer:
            for document in documents:
                writer.update_document(**document)
        self._refresh()

    def remove(self, ids: Iterable[str]) -> None:
        """Take these letters out of the index."""
        wanted = list(ids)
        if not wanted:
            return
        with self._writer() as writer:
            for letter_id in wanted:
                writer.delete_by_term("id", letter_id)
        self._refresh()

    def search(self, request: searching.SearchRequest) -> searching.SearchResult:
        """Run a search; raises searching.QueryError for a malformed query or filter."""
        text = querytext.prepare(request.q, self.max_query_chars).strip()
        if request.page < 1 or request.per_page < 1:
            raise searching.QueryError("page and per_page must be 1 or more")
        filters = self._filters(request)
        with self._lock:
            query = _parse(text)
            try:
                return self._run(self._current(), request, query, text, filters)
            except (searching.QueryError, IndexBusy):
                raise
            except Exception as error:  # a damaged index shows itself here at the latest
                failure = f"the search index could not be read ({_describe(error)})"
            self._close()
            self._repair(failure, force=True)
            return self._run(self._current(), request, query, text, filters)

    def spans(self, q: str, text: str) -> list[tuple[int, int]]:
        """Where the words of query `q` occur in `text`: sorted, non-overlapping offsets."""
        prepared = querytext.prepare(q, self.max_query_chars).strip()
        if not prepared:
            return []
        return snippets.merge(_Marks.of(_parse(prepared)).spans(text))

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the index from the archive alone; the number of letters indexed."""
        with self._file_lock():
            self._recover_swap()
            count = self._rebuild_locked(progress)
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

    def _refresh(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._current()

    def _close(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):  # a damaged index may fail to close
                self._searcher.close()
        self._ix = self._searcher = None
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

    def _rebuild_locked(self, progress: Callable[[int, int], None] | None) -> int:
        """Build a new index beside the current one and swap it in (the lock is held)."""
        parent = self.index_dir.parent
        records = list(self.archive.records())
        registry = self.registry()
        fresh = Path(tempfile.mkdtemp(prefix=f".{self.index_dir.name}-new-", dir=parent))
        try:
            writer = whoosh_index.create_in(str(fresh), SCHEMA).writer()
            try:
                for done, letter in enumerate(records, 1):
                    writer.add_document(**_document(letter, self._stored_pages(letter), registry))
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

    # -- searching -------------------------------------------------------------------------
    def _filters(self, request: searching.SearchRequest) -> wq.Query | None:
        parts: list[wq.Query] = []
        registry = self.registry()
        if request.partner:
            if registry.partner(request.partner) is None:
                raise searching.QueryError(f'there is no partner "{request.partner}"')
            parts.append(wq.Term("partner_slug", request.partner))
        if request.signatory:
            if registry.sg(request.signatory) is None:
                raise searching.QueryError(
                    f'there is no Secretary General "{request.signatory}"')
            parts.append(wq.Term("signatory_slug", request.signatory))
        if request.direction:
            if request.direction not in querytext.DIRECTIONS:
                raise searching.QueryError('direction must be "incoming" or "outgoing"')
            parts.append(wq.Term("direction", request.direction))
        if request.language:
            if not (len(request.language) == 2 and request.language.isalpha()):
                raise searching.QueryError('language must be a two-letter code, e.g. "en" or "fr"')
            parts.append(wq.Term("language", request.language.lower()))
        if request.status:
            if request.status not in querytext.STATUSES:
                raise searching.QueryError('status must be "ok" or "needs_review"')
            parts.append(wq.Term("status", request.status))
        start = querytext.parse_date(request.date_from, "from") if request.date_from else None
        end = querytext.parse_date(request.date_to, "to") if request.date_to else None
        if start and end and start > end:
            raise searching.QueryError(f"the from date {start} comes after the to date {end}")
        if start or end:
            parts.append(wq.DateRange("date", _midnight(start) if start else None,
                                      _midnight(end) if end else None))
        return wq.And(parts) if parts else None

    def _run(self, searcher: Searcher, request: searching.SearchRequest, query: wq.Query,
             text: str, filters: wq.Query | None) -> searching.SearchResult:
        if searcher.reader().doc_count_all() == 0:  # no segment at all: no columns to sort on
            return searching.SearchResult(
                total=0, page=request.page, per_page=request.per_page, hits=[],
                facets={name: {} for name in FACET_FIELDS} if request.facets else {})
        order = request.sort if text or request.sort != "relevance" else "date"
        groups = ({name: sorting.FieldFacet(name_) for name, name_ in FACET_FIELDS.items()}
                  if request.facets else None)
        results = searcher.search(query, filter=filters, limit=None, sortedby=_order(order),
                                  groupedby=groups, maptype=sorting.Count)
        total = results.scored_length()
        marks = _Marks.of(query) if request.highlight else None
        hits: list[searching.Hit] = []
        first = (request.page - 1) * request.per_page
        for n in range(first, min(total, first + request.per_page)):
            stored = searcher.stored_fields(results.docnum(n))
            letter = Letter.from_json(json.loads(stored["record"]))
            key = results.score(n)
            score = -float(key[0]) if order == "relevance" else 0.0
            snippet = marks.snippet(stored.get("content", "")) if marks is not None else ""
            hits.append(searching.Hit(letter=letter, snippet=snippet, score=score))
        facets = ({name: dict(sorted((str(k), v) for k, v in results.groups(name).items() if k))
                   for name in FACET_FIELDS} if request.facets else {})
        suggestion = _suggest(searcher.reader(), query, request.q) if text else None
        return searching.SearchResult(total=total, page=request.page, per_page=request.per_page,
                                      hits=hits, facets=facets, suggestion=suggestion)


# -- documents -----------------------------------------------------------------------------
def _document(letter: Letter, pages: list[str], registry: Registry) -> dict[str, Any]:
    """The index document of one letter."""
    text = "\n\n".join(pages)
    document: dict[str, Any] = {
        "id": letter.id,
        "record": json.dumps(letter.to_json(), ensure_ascii=False),
        "content": text,
        "title": letter.title or "",
        "partner": _partner_names(letter.partner, registry),
        "signatory": _signatory_names(letter.signatory, registry),
        "signed_by": letter.signed_by or "",
        "language": (letter.language or "").lower(),
        "ocr": bool(letter.ocr),
        "status": letter.status,
        "date_asc": NO_DATE,
        "date_desc": NO_DATE,
    }
    if document["language"] != "fr":
        document["text_en"] = text
    if document["language"] != "en":
        document["text_fr"] = text
    if letter.partner:
        document["partner_slug"] = letter.partner
    if letter.signatory:
        document["signatory_slug"] = letter.signatory
    if letter.direction:
        document["direction"] = letter.direction
    day = _day(letter.date)
    if day is not None:
        iso = day.isoformat()
        document.update(date=_midnight(day), year=iso[:4], date_asc=iso,
                        date_desc=iso.translate(_INVERT))
    if not document["language"]:
        del document["language"]
    return document


_INVERT = str.maketrans("0123456789", "9876543210")


def _partner_names(slug: str | None, registry: Registry) -> str:
    if slug is None:
        return ""
    partner = registry.partner(slug)
    names = [name.name for name in partner.names()] if partner else []
    return "\n".join([slug, *names])


def _signatory_names(slug: str | None, registry: Registry) -> str:
    if slug is None:
        return ""
    sg = registry.sg(slug)
    names = [sg.name, *sg.variants] if sg else []
    return "\n".join([slug, *names])


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


# -- queries -------------------------------------------------------------------------------
def _parser() -> MultifieldParser:
    parser = MultifieldParser(list(DEFAULT_FIELDS), SCHEMA, fieldboosts=BOOSTS)
    parser.remove_plugin_class(SingleQuotePlugin)
    return parser


def _parse(text: str) -> wq.Query:
    """The Whoosh query for a prepared query string; an empty one finds every letter."""
    if not text:
        return wq.Every()
    try:
        parsed = _parser().parse(text)
    except Exception:
        raise searching.QueryError(
            "the query could not be read: check its quotes, parentheses and field:value parts"
        ) from None
    for node in _nodes(parsed):
        error = getattr(node, "error", None)
        if error:
            raise searching.QueryError(f"the query could not be read: {error}")
    query: wq.Query = parsed.accept(_unstemmed_only).normalize()
    if query is wq.NullQuery:
        raise searching.QueryError(
            'the query has nothing to search for: use words, "phrases" or field:value')
    return query


def _unstemmed_only(node: wq.Query) -> wq.Query:
    """Phrases, prefixes and wildcards are matched on the exact (unstemmed) text only."""
    exact = (wq.Phrase, wq.Prefix, wq.Wildcard, wq.FuzzyTerm)
    if isinstance(node, exact) and getattr(node, "fieldname", None) in STEMMED:
        return wq.NullQuery
    return node


def _nodes(query: wq.Query) -> Iterator[wq.Query]:
    yield query
    for child in query.children():
        yield from _nodes(child)


def _order(order: str) -> list[sorting.FacetType]:
    if order == "relevance":
        return [sorting.ScoreFacet(), sorting.FieldFacet("id")]
    if order == "-date":
        return [sorting.FieldFacet("date_desc"), sorting.FieldFacet("id")]
    return [sorting.FieldFacet("date_asc"), sorting.FieldFacet("id")]


@dataclass
class _Marks:
    """The words a query looks for, to mark them in a letter's text."""

    folded: set[str] = field(default_factory=set)
    english: set[str] = field(default_factory=set)
    french: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    patterns: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, query: wq.Query) -> _Marks:
        """The marks of a query (words under NOT are not marked)."""
        marks = cls()
        marks._collect(query)
        return marks

    def _collect(self, query: wq.Query) -> None:
        if isinstance(query, wq.Not):
            return
        if isinstance(query, wq.AndNot):
            self._collect(query.a)
            return
        fieldname = getattr(query, "fieldname", None)
        words: list[str] = []
        if isinstance(query, wq.Term) and isinstance(query.text, str):
            words = [query.text]
        elif isinstance(query, wq.Phrase):
            words = list(query.words)
        if fieldname in UNSTEMMED:
            if isinstance(query, wq.Prefix):
                if query.text:  # "*" alone marks nothing
                    self.prefixes.add(query.text)
            elif isinstance(query, wq.Wildcard):
                if query.text.strip("*?"):
                    self.patterns.add(query.text)
            else:
                self.folded.update(words)
        elif fieldname == "text_en":
            self.english.update(words)
        elif fieldname == "text_fr":
            self.french.update(words)
        for child in query.children():
            self._collect(child)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the query's words occur in the text (character offsets)."""
        found: list[tuple[int, int]] = []
        if self.folded or self.prefixes or self.patterns:
            for token in FOLDED(text, chars=True):
                word = token.text
                if (word in self.folded or any(word.startswith(p) for p in self.prefixes)
                        or any(fnmatchcase(word, p) for p in self.patterns)):
                    found.append((token.startchar, token.endchar))
        for analyzer, words in ((ENGLISH, self.english), (FRENCH, self.french)):
            if words:
                found.extend((token.startchar, token.endchar)
                             for token in analyzer(text, chars=True) if token.text in words)
        return found

    def snippet(self, text: str) -> str:
        """The snippet of this text: escaped, the query's words in <mark>."""
        return snippets.make(text, self.spans(text))


def _suggest(reader: IndexReader, query: wq.Query, original: str) -> str | None:
    """The query with each word the index does not know replaced by the nearest one it knows."""
    words = sorted({node.text for node in _nodes(query) if isinstance(node, wq.Term)
                    and node.fieldname == "content" and isinstance(node.text, str)})
    corrected = original
    for word in words:
        if len(word) < 3 or word.isdigit() or _known(reader, word):
            continue
        better = _nearest(reader, word)
        if better:
            corrected = querytext.replace_word(corrected, word, better)
    return corrected if corrected != original else None


def _known(reader: IndexReader, word: str) -> bool:
    if any((name, word) in reader for name in UNSTEMMED):
        return True
    return any((name, token.text) in reader
               for name, analyzer in (("text_en", ENGLISH), ("text_fr", FRENCH))
               for token in analyzer(word))


def _nearest(reader: IndexReader, word: str) -> str | None:
    """The closest known word (fewest edits, then most frequent), if any is near enough."""
    for distance in (1, 2):
        candidates: set[str] = set()
        for name in SPELLING_FIELDS:
            candidates.update(reader.corrector(name).suggest(word, limit=5, maxdist=distance,
                                                             prefix=1))
        if candidates:
            return max(sorted(candidates),
                       key=lambda c: sum(reader.doc_frequency(n, c) for n in SPELLING_FIELDS))
    return None


# -- files ---------------------------------------------------------------------------------
def _open_checked(index_dir: Path) -> tuple[FileIndex, Searcher]:
    """Open the index and read a little of every part of it, so damage shows now."""
    ix = whoosh_index.open_dir(str(index_dir), schema=SCHEMA)
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
    return {_text(column[docnum]) for docnum in reader.all_doc_ids()}


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


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _describe(error: BaseException) -> str:
    detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__
