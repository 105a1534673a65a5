"""The archivist's review view: one page of the letter, large, beside the correction form, with
the pages of the letter and the next letter of the review queue one link away."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from letters import review
from letters.models import Letter
from letters.service import Letters
from letters.web.auth import Identity, need
from letters.web.render import render
from letters.web.state import web

router = APIRouter(include_in_schema=False)
archivist = Depends(need("archivist"))
#: Width in pixels of the page image the review view shows.
LARGE = 1000


def next_in_queue(app: Letters, letter: Letter) -> Letter | None:
    """The letter after this one in the review queue (oldest first), else the queue's first other."""
    waiting = [x for x in review.queue(app) if x.id != letter.id]
    after = [x for x in waiting if (x.added_at, x.id) > (letter.added_at, letter.id)]
    chosen = after or waiting
    return chosen[0] if chosen else None


def review_context(request: Request, letter: Letter, base: dict[str, Any]) -> dict[str, Any]:
    """The letter page's context (`base`) plus what the review view needs."""
    app = web(request).letters
    raw = request.query_params.get("page", "1")
    page = min(max(int(raw) if raw.isdigit() else 1, 1), max(letter.pages, 1))
    return {**base, "section": "review", "review_view": True, "page": page, "large": LARGE,
            "next_letter": next_in_queue(app, letter),
            "confirmed_now": request.query_params.get("confirmed") == "1"}


@router.get("/review/{letter_id}", response_class=HTMLResponse)
def review_letter(letter_id: str, request: Request, who: Identity = archivist) -> HTMLResponse:
    """One letter to review: its page image beside the correction form."""
    from letters.web.pages import letter_context

    letter = web(request).letters.get(letter_id)
    return render(request, "review_letter.html",
                  review_context(request, letter, letter_context(request, letter)))
