"""The JSON of a page of search results, as INTERFACE.md gives it, made once: `/api/search`
answers it whole, `letters search --json` prints its total and hits."""

from __future__ import annotations

from typing import Any

from letters.search import Hit, SearchResult
from letters.web.highlight import snippet_json


def hit_json(hit: Hit) -> dict[str, Any]:
    """One hit: the letter's JSON and its snippet as HTML (escaped text, words in <mark>)."""
    return {**hit.letter.to_json(), "snippet": snippet_json(hit.snippet)}


def search_json(result: SearchResult) -> dict[str, Any]:
    """A page of search results as INTERFACE.md gives it."""
    return {
        "total": result.total, "page": result.page, "per_page": result.per_page,
        "hits": [hit_json(hit) for hit in result.hits],
        "facets": result.facets, "suggestion": result.suggestion,
    }
