"""What an engine does for the index, and the engine-neutral queries it runs.

`store.Index` keeps everything engines share (the lock, the schema version, rebuilds and their
swap, snippets, did-you-mean); an engine (`whoosh_engine`, `tantivy_engine`) stores documents,
analyses text and runs the primitive queries of `lowering` in its own way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from letters.search.index.documents import Document

if TYPE_CHECKING:
    from letters.models import Letter
    from letters.search._planning import SearchRequest, SearchResult

Kind = Literal["folded", "english", "french"]
Order = Literal["relevance", "date", "-date"]


# -- primitive queries -------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """Documents whose `field` holds `term` (an analysed term, or a keyword value)."""

    field: str
    term: str
    boost: float = 1.0


@dataclass(frozen=True)
class AnyTerm:
    """Documents whose `field` holds any of `terms` (a pattern's words, looked up beforehand)."""

    field: str
    terms: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Sequence:
    """Documents whose `field` holds these terms one after the other (a phrase)."""

    field: str
    terms: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Days:
    """Documents dated within [start, end] (either may be None: open)."""

    start: date | None
    end: date | None


@dataclass(frozen=True)
class All:
    """Every document."""


@dataclass(frozen=True)
class Nothing:
    """No document."""


@dataclass(frozen=True)
class Bool:
    """Every `must`, at least one `should` (when any), no `must_not`."""

    must: tuple[Primitive, ...] = ()
    should: tuple[Primitive, ...] = ()
    must_not: tuple[Primitive, ...] = ()


Primitive = Term | AnyTerm | Sequence | Days | All | Nothing | Bool


@dataclass
class Found:
    """What an engine found: the total, the page's stored records and texts, facet counts."""

    total: int
    hits: list[tuple[str, str, float]]  # (record JSON, content, score)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


# -- engines -----------------------------------------------------------------------------------
class IndexDamaged(RuntimeError):
    """The files of an index are damaged (not merely missing or of another version)."""


class TooCostly(RuntimeError):
    """A search needs more work than its engine's budget allows (`limit`: the budget, in the
    positions of phrase words read); the search is refused, never left to run on."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} positions of phrase words to read")
        self.limit = limit


class Writer(Protocol):
    """Changes to one index, committed together when the writer's block ends."""

    def add(self, document: Document) -> None:
        """Add a document (its id must not be in the index: `delete` it first)."""

    def delete(self, letter_id: str) -> None:
        """Remove the document of this letter, if any."""


class Reader(Protocol):
    """One commit of an index, for searching."""

    def count(self) -> int:
        """How many documents."""

    def ids(self) -> set[str]:
        """The ids of the documents."""

    def search(self, query: Primitive, order: Order, offset: int, limit: int,
               facets: bool, positions: int | None = None) -> Found:
        """Run a primitive query: the total, one page in this order, facet counts if asked;
        TooCostly when its phrases would read more than `positions` positions of their words
        (None: no limit; an engine whose phrase matching is compiled and linear may not count)."""

    def known(self, field: str, term: str) -> int:
        """In how many documents `field` holds `term`."""

    def expand(self, field: str, prefix: str, limit: int) -> list[str]:
        """The first `limit` terms of `field` starting with `prefix`, in order."""

    def near(self, field: str, word: str, distance: int, limit: int) -> list[str]:
        """Terms of `field` within `distance` edits of `word` (sharing its first letter), at
        most `limit` of them, found in work bounded by `limit` whatever the index holds."""

    def close(self) -> None:
        """Release the files."""


class Engine(Protocol):
    """One search engine's index in one directory."""

    name: str

    def analyze(self, kind: Kind, text: str) -> list[tuple[int, int, str]]:
        """The terms `kind` analysis makes of `text`, with their character offsets."""

    def create(self, path: Path) -> None:
        """Make an empty index in `path` (an empty directory)."""

    def owns(self, path: Path) -> bool:
        """Whether `path` holds an index of this engine (damaged or not)."""

    def open(self, path: Path) -> Reader:
        """A reader of the latest commit; IndexDamaged when the files are damaged."""

    def writer(self, path: Path, procs: int = 1,
               merge: bool = True) -> AbstractContextManager[Writer]:
        """A writer: commits when its block ends (merging segments only when `merge`), cancels
        and re-raises on an exception."""

    def segments(self, path: Path) -> int:
        """How many segments the index in `path` has."""

    def merge(self, path: Path) -> None:
        """Merge the small segments of the index in `path` (its lock is held)."""

    def refresh(self, reader: Reader, path: Path) -> bool:
        """Bring `reader` to the latest commit in `path` if it can; False: open a new one."""


Progress = Callable[[int, int], None]


class SearchIndex(Protocol):
    """The search index as the rest of the program uses it, whatever its engine (`store.Index`)."""

    def update(self, letters: Iterable[Letter], texts: Mapping[str, list[str]] | None = None,
               marks: Mapping[str, int] | None = None) -> None:
        """Index these letters (again), replacing what the index held for them (`texts`, by
        digest: the text in hand, else read from the archive; `marks`: the journal's marks of
        these records, see `store.Index.update`)."""

    def remove(self, ids: Iterable[str]) -> None:
        """Take these letters out of the index."""

    def search(self, request: SearchRequest) -> SearchResult:
        """One page of results (search.QueryError for a malformed query)."""

    def spans(self, q: str, text: str) -> list[tuple[int, int]]:
        """Where the words of the query `q` are in `text`."""

    def rebuild(self, progress: Progress | None = None, procs: int = 1) -> int:
        """Rebuild the index from the archive; how many letters it holds."""

    def count(self) -> int:
        """How many letters the index holds."""

    def ids(self) -> set[str]:
        """The ids of the letters the index holds."""

    def close(self) -> None:
        """Release the files."""
