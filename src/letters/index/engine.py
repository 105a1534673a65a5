"""Searching one commit of the index fast: sets as bitmaps, cached columns, rankings and pages.

Whoosh alone visits, scores and sorts every matching letter on every search, and counts the
facets document by document: seconds on 100,000 letters. Here a search is split in parts that
are each computed once and kept:

- per segment (segments never change once written, so this survives commits): the columns
  (id, dates, facet fields), the documents of each facet value, and the documents matching each
  term or query, as bitmaps (`bitmaps`);
- per commit (`Snapshot`): the same sets over the whole index, the order of the letters by
  date, the relevance ranking of each query, and whole result pages.

Matches are computed from their parts (`a AND b` is the intersection of two cached sets, `a
NOT b` a difference, so a negation costs no more than its terms), totals and facet counts are
bit counts, and a page is read from a cached order: only the ranking of a new query pays
Whoosh's full scoring. Deleted letters are removed by intersecting with the commit's live set.
"""

from __future__ import annotations

import heapq
import json
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from whoosh import query as wq
from whoosh import sorting
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from letters import searching
from letters.index import bitmaps
from letters.index.queries import Marks, suggest
from letters.index.schema import FACET_FIELDS, text_of
from letters.models import Letter

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: Columns read into memory per segment: the facet fields, the filters, the sort keys.
COLUMNS = ("id", "date_asc", "date_desc", "status", *FACET_FIELDS.values())
SEGMENT_QUERIES = 2048  # cached match sets per segment (one per term or sub-query)
SNAPSHOT_QUERIES = 512  # cached match sets per commit
RANKINGS = 32  # cached relevance rankings per commit (one list of every matching letter each)
PAGES = 512  # cached result pages per commit
#: Fields whose terms are answered from the columns rather than the postings.
VALUE_FIELDS = frozenset({"status", *FACET_FIELDS.values()})


class LRU(Generic[K, V]):
    """A dict that forgets its least recently used entries beyond `size`; safe across threads
    (values are made outside its lock: two threads may make the same one, the last is kept)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, make: Callable[[], V]) -> V:
        """The value of `key`, made (and kept) if it is not known."""
        known = self.peek(key)
        if known is not None:
            return known
        value = make()
        with self._lock:
            self._items[key] = value
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def peek(self, key: K) -> V | None:
        """The value of `key` if it is known, else None."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class Segment:
    """What is known of one segment: its columns and the documents matching queries in it."""

    size: int
    columns: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, dict[str, int]] = field(default_factory=dict)
    queries: LRU[str, int] = field(default_factory=lambda: LRU(SEGMENT_QUERIES))

    def column(self, reader: IndexReader, name: str) -> list[str]:
        """The values of a sortable field, one per document ("" when it has none)."""
        if name not in self.columns:
            if self.size == 0 or not reader.has_column(name):
                self.columns[name] = [""] * self.size
            else:
                texts: dict[Any, str] = {}
                self.columns[name] = [texts.setdefault(value, text_of(value))
                                      for value in reader.column_reader(name)]
        return self.columns[name]

    def value_sets(self, reader: IndexReader, name: str) -> dict[str, int]:
        """For each value of a column, the documents that have it."""
        if name not in self.values:
            groups: dict[str, list[int]] = {}
            for docnum, value in enumerate(self.column(reader, name)):
                groups.setdefault(value, []).append(docnum)
            self.values[name] = {value: bitmaps.from_ids(docnums, self.size)
                                 for value, docnums in groups.items()}
        return self.values[name]


class Segments:
    """The `Segment` records of an index, by segment id, kept while the segment exists."""

    def __init__(self) -> None:
        self._known: dict[str, Segment] = {}
        self.lock = threading.Lock()

    def of(self, ids: list[tuple[str, int]]) -> list[Segment]:
        """The records of these (segment id, size) pairs; forgets segments no longer used."""
        with self.lock:
            kept = {key: self._known.get(key) or Segment(size) for key, size in ids}
            self._known = kept
            return [kept[key] for key, _size in ids]


@dataclass
class _Part:
    searcher: Searcher
    offset: int
    segment: Segment


@dataclass
class Ranking:
    """Every letter matching a query, best first (ties by id), with its score."""

    docnums: array[int]
    scores: array[float]


class Snapshot:
    """One commit of the index, with the sets, orders, rankings and pages computed on it."""

    def __init__(self, searcher: Searcher, segments: Segments, version: Hashable = None) -> None:
        self.searcher = searcher
        self.version = version  # what the index on disk looks like at this commit
        self.size: int = searcher.reader().doc_count_all()
        subs = searcher.subsearchers or [(searcher, 0)]
        keys = [(sub.reader().segment().segment_id(), sub.reader().doc_count_all())
                for sub, _offset in subs]
        self.parts = [_Part(sub, offset, record)
                      for (sub, offset), record in zip(subs, segments.of(keys), strict=True)]
        self.live = self._combine(lambda part: bitmaps.full(part.segment.size) & ~bitmaps.from_ids(
            part.searcher.reader().deleted_docs_set or (), part.segment.size))
        self._matches: LRU[str, int] = LRU(SNAPSHOT_QUERIES)
        self._rankings: LRU[str, Ranking] = LRU(RANKINGS)
        self._pages: LRU[Hashable, searching.SearchResult] = LRU(PAGES)
        self._columns: dict[str, list[str]] = {}
        self._values: dict[str, dict[str, int]] = {}
        self._orders: dict[str, tuple[array[int], array[int]]] = {}

    # -- the search ------------------------------------------------------------------------
    def search(self, request: searching.SearchRequest, query: wq.Query, text: str,
               filters: wq.Query | None) -> searching.SearchResult:
        """The page of results of a request (kept, so the same request is answered at once)."""
        order = _order(request, text)
        return self._pages.get(_page_key(request, query, text, filters, order),
                               lambda: self._search(request, query, text, filters, order))

    def cached(self, request: searching.SearchRequest, query: wq.Query, text: str,
               filters: wq.Query | None) -> searching.SearchResult | None:
        """The page of results if it was already made on this commit (touches no Whoosh object,
        so it needs no lock), else None."""
        return self._pages.peek(_page_key(request, query, text, filters, _order(request, text)))

    def _search(self, request: searching.SearchRequest, query: wq.Query, text: str,
                filters: wq.Query | None, order: str) -> searching.SearchResult:
        found = self.matches(query)
        if filters is not None:
            found &= self.matches(filters)
        total = found.bit_count()
        first = (request.page - 1) * request.per_page
        wanted = min(request.per_page, max(0, total - first))
        if wanted == 0:
            chosen: list[tuple[int, float]] = []
        elif order == "relevance":
            chosen = self._from_ranking(self.ranking(query), found, total, first, wanted)
        else:
            chosen = self._from_order(order, found, total, first, wanted)
        marks = Marks.of(query) if request.highlight else None
        hits = [self._hit(docnum, marks, score) for docnum, score in chosen]
        facets = self.facets(found) if request.facets else {}
        hint = suggest(self.searcher.reader(), query, request.q) if text else None
        return searching.SearchResult(total=total, page=request.page, per_page=request.per_page,
                                      hits=hits, facets=facets, suggestion=hint)

    def _hit(self, docnum: int, marks: Marks | None, score: float) -> searching.Hit:
        stored = self.searcher.stored_fields(docnum)
        letter = Letter.from_json(json.loads(stored["record"]))
        snippet = marks.snippet(stored.get("content", "")) if marks is not None else ""
        return searching.Hit(letter=letter, snippet=snippet, score=score)

    # -- sets ------------------------------------------------------------------------------
    def matches(self, query: wq.Query) -> int:
        """The live documents matching a query, as a bitmap."""
        return self._matches.get(repr(query), lambda: self._evaluate(query) & self.live)

    def _evaluate(self, query: wq.Query) -> int:
        if isinstance(query, wq.Every) or (isinstance(query, wq.Not) and not query.query):
            return self.live
        if query is wq.NullQuery:
            return 0
        if isinstance(query, (wq.And, wq.Require)):
            result = self.live
            for child in query.children():
                result &= self.matches(child)
            return result
        if isinstance(query, (wq.Or, wq.DisjunctionMax)) and not getattr(query, "minmatch", 0):
            result = 0
            for child in query.children():
                result |= self.matches(child)
            return result
        if isinstance(query, wq.Not):
            return self.live & ~self.matches(query.query)
        if isinstance(query, wq.AndNot):
            return self.matches(query.a) & ~self.matches(query.b)
        if isinstance(query, wq.AndMaybe):
            return self.matches(query.a)
        if isinstance(query, wq.Term) and query.fieldname in VALUE_FIELDS:
            value = text_of(query.text)
            return self.value_set(query.fieldname, value)
        return self._combine(lambda part: part.segment.queries.get(
            repr(query), lambda: bitmaps.from_ids(part.searcher.docs_for_query(query),
                                                  part.segment.size)))

    def value_set(self, name: str, value: str) -> int:
        """The documents whose column `name` holds `value`."""
        if name not in self._values:
            values: dict[str, int] = {}
            for part in self.parts:
                for key, bits in part.segment.value_sets(part.searcher.reader(), name).items():
                    values[key] = values.get(key, 0) | (bits << part.offset)
            self._values[name] = values
        return self._values[name].get(value, 0) & self.live

    def facets(self, found: int) -> dict[str, dict[str, int]]:
        """For each facet, how many of the found letters have each value."""
        counts: dict[str, dict[str, int]] = {}
        for name, column in FACET_FIELDS.items():
            self.value_set(column, "")
            counted = ((value, (found & bits).bit_count())
                       for value, bits in self._values[column].items() if value)
            counts[name] = dict(sorted((value, n) for value, n in counted if n))
        return counts

    def _combine(self, local: Callable[[_Part], int]) -> int:
        result = 0
        for part in self.parts:
            result |= local(part) << part.offset
        return result

    # -- orders ----------------------------------------------------------------------------
    def column(self, name: str) -> list[str]:
        """A column over the whole index, indexed by document number."""
        if name not in self._columns:
            values: list[str] = []
            for part in self.parts:
                values.extend(part.segment.column(part.searcher.reader(), name))
            self._columns[name] = values
        return self._columns[name]

    def ranking(self, query: wq.Query) -> Ranking:
        """Every letter matching the query by relevance: Whoosh scores them, once per commit."""
        def rank() -> Ranking:
            # Sorted by ScoreFacet, not plainly scored: a plain search gives prefixes and
            # wildcards a constant score, the facet their terms' own (so "cyber*" ranks).
            results = self.searcher.search(query, limit=None, sortedby=sorting.ScoreFacet())
            ids = self.column("id")
            scored = sorted((key, ids[docnum], docnum) for key, docnum in results.top_n)
            return Ranking(array("i", [docnum for _s, _i, docnum in scored]),
                           array("d", [-negative for negative, _i, _d in scored]))
        return self._rankings.get(repr(query), rank)

    def _from_ranking(self, ranking: Ranking, found: int, total: int, first: int,
                      wanted: int) -> list[tuple[int, float]]:
        if total == len(ranking.docnums):  # no filter took anything away
            places: Iterable[int] = range(first, first + wanted)
        else:
            places = _take(ranking.docnums, bitmaps.flags(found, self.size), first, wanted)
        return [(ranking.docnums[place], ranking.scores[place]) for place in places]

    def _from_order(self, order: str, found: int, total: int, first: int,
                    wanted: int) -> list[tuple[int, float]]:
        if order not in self._orders:
            keys, ids = self.column("date_desc" if order == "-date" else "date_asc"), self.column("id")
            ordered = array("i", sorted(range(self.size), key=lambda d: (keys[d], ids[d])))
            position = array("i", bytes(4 * self.size))
            for rank, docnum in enumerate(ordered):
                position[docnum] = rank
            self._orders[order] = (ordered, position)
        ordered, position = self._orders[order]
        if total * 16 < self.size:  # few letters: sort them rather than walk the whole order
            chosen = heapq.nsmallest(first + wanted, bitmaps.members(found, self.size),
                                     key=position.__getitem__)[first:]
        else:
            chosen = [ordered[place] for place in
                      _take(ordered, bitmaps.flags(found, self.size), first, wanted)]
        return [(docnum, 0.0) for docnum in chosen]


def _order(request: searching.SearchRequest, text: str) -> str:
    """The order of the results: browsing (no query text) has no relevance, so goes by date."""
    return request.sort if text or request.sort != "relevance" else "date"


def _page_key(request: searching.SearchRequest, query: wq.Query, text: str,
              filters: wq.Query | None, order: str) -> Hashable:
    return (repr(query), repr(filters), order, request.page, request.per_page, request.facets,
            request.highlight, request.q if text else "")


def _take(ordered: array[int], flags: bytes, first: int, wanted: int) -> list[int]:
    """The places in `ordered` of its flagged documents number `first` to `first + wanted`."""
    chosen: list[int] = []
    skipped = 0
    for place, docnum in enumerate(ordered):
        if flags[docnum]:
            if skipped < first:
                skipped += 1
                continue
            chosen.append(place)
            if len(chosen) == wanted:
                break
    return chosen

