"""The search request and result types, and the one check of a request: free of any engine.

The web page, the JSON API and the command line all hand a `SearchRequest` to the index, which
reads it with `plan()`: the query parsed into its syntax tree, every filter checked with the
same sentences whoever asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from letters.errors import IndexUnavailable, QueryError
from letters.messages import msg
from letters.models import Letter
from letters.search import _language
from letters.search import _syntax as qs

if TYPE_CHECKING:
    from letters.registry import Registry

__all__ = ["DEFAULT_PER_PAGE", "FACETS", "MAX_PER_PAGE", "SORTS", "Hit", "IndexUnavailable", "Plan",
           "QueryError", "SearchRequest", "SearchResult", "Snippet", "Sort", "plan"]

Sort = Literal["relevance", "date", "-date"]
SORTS: tuple[Sort, ...] = ("relevance", "date", "-date")
FACETS = ("partner", "signatory", "year", "language", "direction")
#: Hits on a page unless asked otherwise, and the most a page of the search page or of
#: /api/search may hold (web/searchform checks it, the OpenAPI document states it from here).
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
#: A snippet: the letter's text in parts, each marked True when it is a searched word.
Snippet = list[tuple[str, bool]]


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
    per_page: int = DEFAULT_PER_PAGE
    facets: bool = True
    highlight: bool = True


@dataclass
class Hit:
    """One matching letter with its snippet (text parts, the searched words marked)."""

    letter: Letter
    snippet: Snippet
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


@dataclass(frozen=True)
class Plan:
    """A checked request: what to find (the query and the filters as one tree), what to mark,
    in which order, which slice."""

    where: qs.Node  # the query AND the filters
    query: qs.Node  # the query alone: its words are marked and spell-checked
    text: bool  # whether the user typed something to search for (else: browsing)
    order: Sort
    offset: int
    limit: int
    facets: bool
    highlight: bool


def plan(request: SearchRequest, registry: Registry, max_query_chars: int = 500) -> Plan:
    """The request checked and parsed; QueryError with one sentence for what is not valid."""
    query = _language.parse(request.q, max_query_chars)
    filters: list[qs.Node] = []
    if request.partner:
        if registry.partner(request.partner) is None:
            raise QueryError(msg("query.no_partner", value=request.partner))
        filters.append(qs.Value("partner", request.partner))
    if request.signatory:
        if registry.sg(request.signatory) is None:
            raise QueryError(msg("query.no_sg", value=request.signatory))
        filters.append(qs.Value("signatory", request.signatory))
    if request.direction:
        filters.append(qs.Value("direction", _language.check_direction(request.direction)))
    if request.language:
        filters.append(qs.Value("language", _language.check_language(request.language)))
    if request.status:
        filters.append(qs.Value("status", _language.check_status(request.status)))
    start = _language.parse_date(request.date_from, "from") if request.date_from else None
    end = _language.parse_date(request.date_to, "to") if request.date_to else None
    if start and end and start > end:
        raise QueryError(msg("query.dates_reversed", start=start.isoformat(), end=end.isoformat()))
    if start or end:
        filters.append(qs.DateRange(start, end))
    if request.sort not in SORTS:
        raise QueryError(msg("query.bad_sort"))
    if request.page < 1 or request.per_page < 1:
        raise QueryError(msg("query.bad_page"))
    if not request.status and not any(isinstance(node, qs.Value) and node.field == "status"
                                      for node, _ in qs.walk(query)):
        filters.append(qs.Not(qs.Value("status", "set_aside")))  # shown only when asked for
    text = not isinstance(query, qs.Every)
    return Plan(
        where=qs.conjunction([query, *filters]), query=query, text=text,
        # browsing (no query text) has no relevance, so goes by date
        order=request.sort if text or request.sort != "relevance" else "date",
        offset=(request.page - 1) * request.per_page, limit=request.per_page,
        facets=request.facets, highlight=request.highlight,
    )
