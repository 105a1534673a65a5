"""The archivists' review queue (letters that need review, and exchanges lacking a letter) and
the review view of one letter (`/review/{id}`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from letters.corrections import NothingToConfirm
from letters.web import contract
from letters.web.auth import Identity, address, checked_form
from letters.web.letter_views import FORM_FIELDS, letter_context
from letters.web.render import render
from letters.web.review_view import review_context
from letters.web.routing import archivist
from letters.web.state import web
from letters.web.urls import path_for

router = APIRouter()
#: The longest typed value carried from one page of the review view to another.
MAX_TYPED = 500


@router.get("/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(request: Request, who: Identity = archivist) -> HTMLResponse:
    """The queue: letters needing review, oldest first, then the incomplete exchanges."""
    app = web(request).letters
    return render(request, "review.html", {
        "section": "review", "letters": app.review_queue(), "incomplete": app.incomplete_exchanges(),
        "proposals": app.pairing_proposals(),
    })


@router.get("/review/{letter_id}", response_class=HTMLResponse, include_in_schema=False)
def review_letter(letter_id: str, request: Request, who: Identity = archivist) -> HTMLResponse:
    """One letter to review: its page image beside the correction form."""
    letter = web(request).letters.get(letter_id)
    context = letter_context(request, letter)
    # values typed before turning the page come back in the address (not yet saved)
    context["values"] = {**context["values"], **{
        field: request.query_params[field][:MAX_TYPED] for field in FORM_FIELDS
        if field in request.query_params}}
    return render(request, "review_letter.html", review_context(request, letter, context))


@router.get("/api/review", tags=["api"], summary="The review queue",
            **contract.answers(contract.ReviewQueue, 401, 403))
def review_queue(request: Request, who: Identity = archivist) -> dict[str, Any]:
    """Letters needing review (oldest first, with their reasons) and incomplete exchanges."""
    app = web(request).letters
    letters = app.review_queue()
    return {
        "total": len(letters),
        "letters": [x.to_json() for x in letters],
        "incomplete_exchanges": [row.to_json() for row in app.incomplete_exchanges()],
        "pairing_proposals": [x.to_json() for x in app.pairing_proposals()],
    }


@router.post("/letters/{letter_id}/confirm", include_in_schema=False)
async def confirm_letter(letter_id: str, request: Request, who: Identity = archivist) -> Response:
    """Confirm the partner, Secretary General, date and direction that hold a value, as they stand."""
    app = web(request).letters
    form = await checked_form(request)
    try:
        await run_in_threadpool(app.confirm, letter_id, who.name, address(request))
    except NothingToConfirm as error:
        raise HTTPException(409, str(error)) from None
    back = "review_letter" if form.get("back") == "review" else "letter_page"
    return RedirectResponse(path_for(request, back, letter_id=letter_id, query={"confirmed": 1}),
                            status_code=303)
