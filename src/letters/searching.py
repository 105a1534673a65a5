"""The search request and result types: the index's public contract, free of any engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from letters.models import Letter

Sort = Literal["relevance", "date", "-date"]
FACETS = ("partner", "signatory", "year", "language", "direction")


class QueryError(ValueError):
    """A malformed query; the message points at the problem in one line."""


@dataclass
class SearchRequest:
    """What to search for: a query in the query language plus filters, order and page."""

    q: str = ""
    partner: str | None = None
    signatory: str | None = None
    direction: str | None = None
    language: str | None = None
    date_from: str | None = None  # YYYY-MM-DD, inclusive
    date_to: str | None = None  # YYYY-MM-DD, inclusive
    status: str | None = None
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = True
    highlight: bool = True


@dataclass
class Hit:
    """One matching letter with its snippet (safe HTML: escaped text, terms in <mark>)."""

    letter: Letter
    snippet: str
    score: float = 0.0


@dataclass
class SearchResult:
    """A page of hits, the total, facet counts over the whole result set, a suggestion."""

    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None  # a corrected query ("Kapersky" -> "Kaspersky"), if any
