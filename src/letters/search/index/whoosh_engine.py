"""The Whoosh engine: the index's fields, analysis and primitive queries through Whoosh's public
API. The only module that imports Whoosh."""

from __future__ import annotations

import contextlib
import functools
import gc
import pickle
import secrets
import struct
import unicodedata
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from whoosh import matching, sorting
from whoosh import query as wq
from whoosh.analysis import Filter, RegexTokenizer, StemFilter
from whoosh.codec.base import Segment
from whoosh.fields import DATETIME, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.query.spans import SpanNear2
from whoosh.searching import Searcher
from whoosh.util import IDCHARS
from whoosh.writing import MERGE_SMALL, NO_MERGE, IndexWriter

from letters.search.index.documents import FACET_FIELDS, KEYWORDS, Document
from letters.search.index.protocol import (
    All,
    AnyTerm,
    Bool,
    Days,
    Found,
    IndexDamaged,
    Kind,
    Nothing,
    Order,
    Primitive,
    Sequence,
    Term,
    TooCostly,
)
from letters.textnorm import fold


def _segment_id(cls: type[Segment], size: int = 16) -> str:
    return "".join(secrets.choice(IDCHARS) for _ in range(size))


# Whoosh names a new segment with Python's global random generator, which a test framework
# (Hypothesis) or a fork may put back to a state it had before: a later segment then got the name
# of one still in the index and the commit failed on an assertion. Names drawn by `secrets` do not
# repeat so.
Segment._random_id = classmethod(_segment_id)

T = TypeVar("T")
_fold = functools.lru_cache(maxsize=200_000)(fold)
#: The positions of phrase words the running search may still read (None: no limit). Whoosh
#: matches phrases in Python, position by position (one letter holding "council" 64,000 times
#: made a phrase of 10 words take 17 s, of 60 words 193 s): a search that would read more than
#: its budget is refused (TooCostly) before it reads them.
_POSITIONS_LEFT: ContextVar[list[int] | None] = ContextVar("positions_left", default=None)


class FoldFilter(Filter):
    """NFKC, lower case, no diacritics: "Pejčinović" and "Pejcinovic" become the same term."""

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = _fold(token.text)
            yield token


class CaseFilter(Filter):
    """NFKC and lower case, keeping accents (the stemmers read them)."""

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = unicodedata.normalize("NFKC", token.text).casefold()
            yield token


FOLDED = RegexTokenizer() | FoldFilter()
#: Stemmed first, folded after: the stemmers read accents ("agréer" is not "agreer").
ENGLISH = RegexTokenizer() | CaseFilter() | StemFilter(lang="en") | FoldFilter()
FRENCH = RegexTokenizer() | CaseFilter() | StemFilter(lang="fr") | FoldFilter()
ANALYZERS = {"folded": FOLDED, "english": ENGLISH, "french": FRENCH}

SCHEMA = Schema(
    record=STORED(),
    content=TEXT(analyzer=FOLDED, stored=True),
    text_en=TEXT(analyzer=ENGLISH, phrase=False),
    text_fr=TEXT(analyzer=FRENCH, phrase=False),
    vocab_en=TEXT(analyzer=FOLDED, phrase=False),
    vocab_fr=TEXT(analyzer=FOLDED, phrase=False),
    title=TEXT(analyzer=FOLDED),
    partner=TEXT(analyzer=FOLDED),
    signatory=TEXT(analyzer=FOLDED),
    signed_by=TEXT(analyzer=FOLDED),
    day=DATETIME(),
    date_asc=NUMERIC(bits=64, signed=False, sortable=True),
    date_desc=NUMERIC(bits=64, signed=False, sortable=True),
    **{name: ID(stored=name == "id", unique=name == "id", sortable=True) for name in KEYWORDS},
)


class WhooshEngine:
    """An index in a directory, through Whoosh."""

    name = "whoosh"

    def analyze(self, kind: Kind, text: str) -> list[tuple[int, int, str]]:
        """The terms of `text` under one analysis, with their character offsets."""
        return [(token.startchar, token.endchar, token.text)
                for token in ANALYZERS[kind](text, chars=True)]

    def create(self, path: Path) -> None:
        """An empty index in `path`."""
        FileStorage(str(path)).create_index(SCHEMA)

    def owns(self, path: Path) -> bool:
        """Whether `path` holds a Whoosh table of contents."""
        return any(path.glob("_MAIN_*.toc"))

    def open(self, path: Path) -> WhooshReader:
        """A reader, after reading a little of every part of the index so that damage shows."""
        with _quiet_leaks():
            try:
                return WhooshReader(_open_checked(path))
            except Exception as error:
                problem = _describe(error)
            gc.collect()  # outside the handler: the files of the damaged index are freed now
        raise IndexDamaged(problem)

    @contextlib.contextmanager
    def writer(self, path: Path, procs: int = 1, merge: bool = True) -> Iterator[WhooshWriter]:
        """A writer that commits when the block ends (without merging segments unless `merge`:
        Whoosh's MERGE_SMALL may take minutes), cancels and re-raises on an exception."""
        try:
            ix = FileStorage(str(path), supports_mmap=False).open_index(schema=SCHEMA)
        except Exception as error:
            raise IndexDamaged(_describe(error)) from None
        options: dict[str, Any] = {}
        if procs > 1:
            options = {"procs": procs, "multisegment": True, "limitmb": 256}
        writer = ix.writer(**options)
        try:
            yield WhooshWriter(writer)
        except BaseException:
            writer.cancel()
            raise
        try:
            writer.commit(mergetype=None if merge else NO_MERGE)
        except BaseException:
            _abandon(writer)
            raise

    def segments(self, path: Path) -> int:
        """How many segments the latest commit has."""
        ix = FileStorage(str(path), supports_mmap=False).open_index(schema=SCHEMA)
        return len(ix._segments())

    def merge(self, path: Path) -> None:
        """Merge the small segments (Whoosh's MERGE_SMALL, in a commit adding nothing)."""
        ix = FileStorage(str(path), supports_mmap=False).open_index(schema=SCHEMA)
        ix.writer().commit(mergetype=MERGE_SMALL)

    def refresh(self, reader: Any, path: Path) -> bool:
        """Whether the reader sees the latest commit (else a new one is opened)."""
        try:
            return bool(reader.searcher.up_to_date())
        except Exception:
            return False


def _abandon(writer: IndexWriter) -> None:
    """Free what a writer whose commit failed (a full disk) holds: its files and the index's write
    lock, which Whoosh keeps otherwise until the writer is collected, so for as long as anything
    holds the commit's error (an ingest's indexer keeps it for its caller): each later writer of
    the process failed meanwhile (LockError). What the commit had written is left unnamed by the
    index (its table of contents is written last), and Whoosh removes it at a later commit."""
    with contextlib.suppress(Exception):
        writer.cancel()
    lock = getattr(writer, "writelock", None)
    if lock is not None and getattr(lock, "fd", None) is not None:
        lock.release()


class WhooshWriter:
    """Adds and deletes documents through one Whoosh writer."""

    def __init__(self, writer: IndexWriter) -> None:
        self.writer = writer

    def add(self, document: Document) -> None:
        """Add one letter's document."""
        fields: dict[str, Any] = {
            "record": document.record, "content": document.content, "title": document.title,
            "partner": document.partner, "signatory": document.signatory,
            "signed_by": document.signed_by, "date_asc": document.date_asc,
            "date_desc": document.date_desc, **document.keywords()}
        for language, text in (("en", document.text_en), ("fr", document.text_fr)):
            if text is not None:
                fields[f"text_{language}"] = fields[f"vocab_{language}"] = text
        if document.day is not None:
            fields["day"] = _midnight(document.day)
        self.writer.add_document(**fields)

    def delete(self, letter_id: str) -> None:
        """Remove one letter's document."""
        self.writer.delete_by_term("id", letter_id)


#: What reading a damaged segment raises: the signs of corruption (other errors are bugs).
CORRUPTION = (OSError, EOFError, UnicodeError, OverflowError, struct.error, zlib.error,
              pickle.UnpicklingError)
#: Errors that mean corruption only when Whoosh's own file decoding raises them (a garbled column
#: gives "ValueError: bad typecode" from whoosh.columns); raised anywhere else they are bugs.
DECODING = (ValueError, IndexError, KeyError, TypeError)
STORAGE_MODULES = ("whoosh.filedb.", "whoosh.codec.", "whoosh.columns", "whoosh.reading",
                   "whoosh.util.numlists")


def _raised_in_storage(error: BaseException) -> bool:
    """Whether the innermost frame of `error` is in Whoosh's code that decodes index files."""
    trace = error.__traceback__
    if trace is None:
        return False
    while trace.tb_next is not None:
        trace = trace.tb_next
    module = str(trace.tb_frame.f_globals.get("__name__", ""))
    return module.startswith(STORAGE_MODULES)


def _reading(method: Callable[..., T]) -> Callable[..., T]:
    """The reader's method, with the errors of damaged files raised as IndexDamaged."""
    @functools.wraps(method)
    def read(*args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except CORRUPTION as error:
            raise IndexDamaged(_describe(error)) from None
        except DECODING as error:
            if not _raised_in_storage(error):
                raise
            raise IndexDamaged(_describe(error)) from None
    return read


class WhooshReader:
    """One commit of a Whoosh index."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher

    @_reading
    def count(self) -> int:
        """How many documents."""
        return int(self.searcher.doc_count())

    @_reading
    def ids(self) -> set[str]:
        """The ids of the documents."""
        return _ids(self.searcher)

    @_reading
    def search(self, query: Primitive, order: Order, offset: int, limit: int,
               facets: bool, positions: int | None = None) -> Found:
        """Run a primitive query (TooCostly when its phrases would read more than `positions`
        positions of their words)."""
        budget = _POSITIONS_LEFT.set(None if positions is None else [positions, positions])
        try:
            return self._search(query, order, offset, limit, facets)
        finally:
            _POSITIONS_LEFT.reset(budget)

    def _search(self, query: Primitive, order: Order, offset: int, limit: int,
                facets: bool) -> Found:
        compiled = _compile(query)
        if compiled is wq.NullQuery:
            return Found(0, [], {name: {} for name in FACET_FIELDS} if facets else {})
        by = {"relevance": sorting.MultiFacet([sorting.ScoreFacet(), sorting.FieldFacet("id")]),
              "date": sorting.FieldFacet("date_asc"),
              "-date": sorting.FieldFacet("date_desc")}[order]
        groups = ({name: sorting.FieldFacet(field) for name, field in FACET_FIELDS.items()}
                  if facets else None)
        results = self.searcher.search(compiled, limit=offset + limit, sortedby=by,
                                       groupedby=groups, maptype=sorting.Count)
        hits = []
        for place in range(offset, min(offset + limit, results.scored_length())):
            stored = results.fields(place)
            score = -results.score(place)[0] if order == "relevance" else 0.0
            hits.append((stored["record"], stored.get("content", ""), float(score)))
        counts: dict[str, dict[str, int]] = {}
        if facets:
            for name in FACET_FIELDS:
                counts[name] = dict(sorted((_text(value), n) for value, n in
                                           results.groups(name).items() if value))
        return Found(len(results), hits, counts)

    @_reading
    def known(self, field: str, term: str) -> int:
        """In how many documents `field` holds `term`."""
        return int(self.searcher.reader().doc_frequency(field, term))

    @_reading
    def expand(self, field: str, prefix: str, limit: int) -> list[str]:
        """The first `limit` terms of `field` beginning with `prefix`."""
        return [_text(term) for term in
                islice(self.searcher.reader().expand_prefix(field, prefix), limit)]

    @_reading
    def near(self, field: str, word: str, distance: int, limit: int) -> list[str]:
        """Terms of `field` within `distance` edits of `word`, sharing its first letter, at most
        `limit` of them: each segment's word list is walked by an automaton that skips to the next
        possible match (a reader of several segments would otherwise measure the distance to
        every word beginning with the same letter, 40 s over many similar words)."""
        found: set[str] = set()
        for segment, _offset in self.searcher.reader().leaf_readers():
            if len(found) >= limit:
                break
            if field in segment.indexed_field_names():
                words = segment.terms_within(field, word, distance, prefix=1)
                found.update(_text(term) for term in islice(words, limit - len(found)))
        return sorted(found)

    def close(self) -> None:
        """Release the segment files."""
        self.searcher.close()


def _compile(query: Primitive) -> wq.Query:
    """A primitive query as a Whoosh query."""
    if isinstance(query, Term):
        return wq.Term(query.field, query.term, boost=query.boost)
    if isinstance(query, AnyTerm):
        return wq.Or([wq.Term(query.field, term) for term in query.terms], boost=query.boost)
    if isinstance(query, Sequence):
        return _CountedPhrase(query.field, list(query.terms), boost=query.boost)
    if isinstance(query, Days):
        start = _midnight(query.start) if query.start else None
        end = _midnight(query.end) if query.end else None
        return wq.DateRange("day", start, end)
    if isinstance(query, All):
        return wq.Every()
    if isinstance(query, Nothing):
        return wq.NullQuery
    assert isinstance(query, Bool)
    parts = [_compile(part) for part in query.must]
    if query.should:
        parts.append(wq.Or([_compile(part) for part in query.should]))
    # NOT as And(..., Not(x)), never AndNot: Whoosh's AndNot matcher lets through documents
    # that a union of terms on the right matches (found by the conformance suite)
    parts = [part for part in parts if not isinstance(part, wq.Every)]  # Every AND x is x
    parts.extend(wq.Not(_compile(part)) for part in query.must_not)
    if not parts:
        return wq.Every()
    return parts[0] if len(parts) == 1 else wq.And(parts)


class _CountedPhrase(wq.Phrase):
    """A phrase whose matching spends the search's budget of positions before reading them."""

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        """Whoosh's phrase matcher (Phrase.matcher), counting the positions it reads."""
        if self.fieldname not in searcher.schema:
            return matching.NullMatcher()
        field = searcher.schema[self.fieldname]
        if not field.format or not field.format.supports("positions"):
            return matching.NullMatcher()
        reader = searcher.reader()
        terms = []
        for word in self.words:
            try:
                text = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (self.fieldname, text) not in reader:
                return matching.NullMatcher()
            terms.append(wq.Term(self.fieldname, text))
        near = _CountedNear(terms, slop=self.slop, ordered=True, mindist=1)
        found = near.matcher(searcher, context)
        return found if self.boost == 1.0 else matching.WrappingMatcher(found, boost=self.boost)


class _CountedNear(SpanNear2):
    """Whoosh's ordered span query, with a matcher that counts the positions it reads."""

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        """The matcher of the terms, counting."""
        return _CountedNearMatcher([q.matcher(searcher, context) for q in self.qs],
                                   slop=self.slop, ordered=self.ordered, mindist=self.mindist)


class _CountedNearMatcher(SpanNear2.SpanNear2Matcher):
    def _get_spans(self) -> Any:
        left = _POSITIONS_LEFT.get()
        if left is not None:  # the words' positions in this letter, about to be read
            left[0] -= sum(int(m.weight()) for m in self.ms)
            if left[0] < 0:
                raise TooCostly(left[1])
        return super()._get_spans()


def _open_checked(path: Path) -> Searcher:
    """A searcher on the index, checked by reading a little of every part of it."""
    # Without mmap: mapped segment files kept ~750 MB resident for 100,000 letters.
    ix = FileStorage(str(path), supports_mmap=False).open_index(schema=SCHEMA)
    searcher = ix.searcher()
    try:
        reader = searcher.reader()
        docnums = list(reader.all_doc_ids())
        if docnums:
            searcher.stored_fields(docnums[0])
            searcher.stored_fields(docnums[-1])
        for name in ("id", "content"):
            for _term in islice(reader.lexicon(name), 3):
                pass
        searcher.search(wq.Every(), limit=1)
        _ids(searcher)
    except BaseException:
        with contextlib.suppress(Exception):
            searcher.close()
        raise
    return searcher


def _ids(searcher: Searcher) -> set[str]:
    reader = searcher.reader()
    if reader.doc_count_all() == 0:  # no segment at all: no columns either
        return set()
    column = reader.column_reader("id")
    return {_text(column[docnum]) for docnum in reader.all_doc_ids()}


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


@contextlib.contextmanager
def _quiet_leaks() -> Iterator[None]:
    """Let the files Whoosh leaves open on a damaged index be closed without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield


def _describe(error: BaseException) -> str:
    detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__
