"""Search: the search page (`/`) and its JSON twin (`/api/search`), both from `Letters.search`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from letters.search import MAX_PER_PAGE, SORTS, QueryError, SearchResult
from letters.service import Letters
from letters.web import contract, i18n
from letters.web.auth import Identity
from letters.web.contract import DATE, answers, choice, one_of
from letters.web.render import language, render
from letters.web.routing import api_routes, page_routes, reader
from letters.web.search_json import search_json
from letters.web.searchform import SearchForm, page_count, page_numbers
from letters.web.state import web

router = page_routes()
api_router = api_routes()
FACETS = ("partner", "signatory", "year", "direction", "language")
#: What the search parameters accept, for the document (SearchForm checks them).
TWO_LETTERS = choice("[a-zA-Z]{2}")
#: A whole number from 1 written in at most 9 digits (leading zeros included).
FROM_ONE = choice(*(f"0{{{zeros}}}[1-9][0-9]{{0,{8 - zeros}}}" for zeros in range(9)))


def up_to(most: int, digits: int = 9) -> list[str]:
    """Regular expressions that together take exactly the whole numbers from 1 to `most`, written
    in at most `digits` digits (leading zeros included), as `searchform.whole_number` reads them."""
    top = str(most)
    shorter = [(width, f"[1-9]{'[0-9]' * (width - 1)}") for width in range(1, len(top))]
    as_long = []  # as many digits as `most`: the same as it up to digit i, then below it
    for i, digit in enumerate(top):
        low, high = (1 if i == 0 else 0), int(digit) - 1
        if high >= low:
            as_long.append((len(top), f"{top[:i]}[{low}-{high}]{'[0-9]' * (len(top) - i - 1)}"))
    as_long.append((len(top), top))
    return [f"0{{0,{digits - width}}}{pattern}" for width, pattern in shorter + as_long]


#: per_page: from 1 to MAX_PER_PAGE.
PER_PAGE_RANGE = choice(*up_to(MAX_PER_PAGE))


@dataclass
class FacetItem:
    """One value of a facet: its label, count, the search that toggles it, whether it is on."""

    label: str
    count: int
    query: dict[str, str]
    active: bool


def facet_items(form: SearchForm, result: SearchResult, app: Letters,
                t: Any) -> dict[str, list[FacetItem]]:
    """The facets of a result as links narrowing (or widening) the search."""
    out: dict[str, list[FacetItem]] = {}
    for facet in FACETS:
        counts = result.facets.get(facet) or {}
        items = []
        # years in their order; other values by count, most first
        order = ((lambda kv: str(kv[0])) if facet == "year"
                 else (lambda kv: (-kv[1], str(kv[0]))))
        for value, count in sorted(counts.items(), key=order):
            if facet == "year":
                start, end = f"{value}-01-01", f"{value}-12-31"
                active = form.date_from == start and form.date_to == end
                query = form.query(date_from="" if active else start, date_to="" if active else end)
                label = str(value)
            else:
                active = getattr(form, facet) == value
                query = form.query(**{facet: "" if active else str(value)})
                label = _facet_label(facet, str(value), app, t)
            items.append(FacetItem(label, count, query, active))
        if items:
            out[facet] = items
    return out


def _facet_label(facet: str, value: str, app: Letters, t: Any) -> str:
    if facet in ("partner", "signatory"):
        return app.display_name(value) or value
    if facet == "direction":
        return str(t(f"direction.{value}"))
    if facet == "language":
        return str(t(f"language.{value}"))
    return value


@router.get("/", response_class=HTMLResponse, name="search_page")
def search_page(request: Request, who: Identity = reader) -> HTMLResponse:
    """The search page: one box, filters, facets, sorted and paged results."""
    app = web(request).letters
    form = SearchForm.from_params(request.query_params)
    t = i18n.translator(language(request))
    context: dict[str, Any] = {
        "form": form, "section": "search", "error": None, "result": None, "facets": {},
        "pages": [], "last_page": 1, "hits": [],
        "choices": app.choices(),
    }
    try:
        result = app.search(form.to_request())
    except QueryError as error:
        context["error"] = error.message
        return render(request, "search.html", context, status=400)
    last = page_count(result.total, result.per_page)
    context.update(
        result=result,
        hits=[(hit.letter, hit.snippet) for hit in result.hits],
        facets=facet_items(form, result, app, t), last_page=last,
        pages=page_numbers(result.page, last),
    )
    return render(request, "search.html", context)


@api_router.get("/search", summary="Search the letters", **answers(contract.SearchPage, 400, 401, 503))
def search(
    request: Request,
    q: str = Query("", description="the query, in the query language"),  # maxLength: install
    partner: str = Query("", description="partner slug"),
    signatory: str = Query("", description="Secretary General slug"),
    direction: str = Query("", description="outgoing or incoming", json_schema_extra=one_of(
        "outgoing", "incoming")),
    language: str = Query("", description="en or fr", json_schema_extra=TWO_LETTERS),
    date_from: str = Query("", alias="from", description="YYYY-MM-DD, inclusive",
                           json_schema_extra=DATE),
    date_to: str = Query("", alias="to", description="YYYY-MM-DD, inclusive",
                         json_schema_extra=DATE),
    sort: str = Query("", description="relevance, date or -date",
                      json_schema_extra=one_of(*SORTS)),
    page: str = Query("", description="page number, from 1", json_schema_extra=FROM_ONE),
    per_page: str = Query("", description="hits per page, 1 to 100",
                          json_schema_extra=PER_PAGE_RANGE),
    status: str = Query("", description="ok, needs_review or set_aside (letters set aside are "
                                        "left out unless asked for)",
                        json_schema_extra=one_of("ok", "needs_review", "set_aside")),
    who: Identity = reader,
) -> dict[str, Any]:
    """Search; a malformed query or filter is 400."""
    # the parameters above describe the API in OpenAPI (their schemas say what is valid without
    # FastAPI checking it); SearchForm reads and checks them as the search page does, so that both
    # answer a bad parameter alike
    app = web(request).letters
    form = SearchForm.from_params(request.query_params)
    return search_json(app.search(form.to_request()))
