"""The archivist's review view (`/review/{id}`, served with the letter pages): one page of the
letter, large, beside the correction form, with the pages of the letter and the next letter of the
review queue one link away."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from letters.models import Letter
from letters.web.searchform import plain_digits
from letters.web.state import web

#: Width in pixels of the page image the review view shows.
LARGE = 1000


def review_context(request: Request, letter: Letter, base: dict[str, Any]) -> dict[str, Any]:
    """The letter page's context (`base`) plus what the review view needs."""
    app = web(request).letters
    raw = request.query_params.get("page", "1")
    page = min(max(int(raw) if plain_digits(raw) and len(raw) < 6 else 1, 1), max(letter.pages, 1))
    return {**base, "section": "review", "review_view": True, "page": page, "large": LARGE,
            "next_letter": app.next_in_queue(letter),
            "confirmed_now": request.query_params.get("confirmed") == "1"}
