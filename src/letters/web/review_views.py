"""The archivists' review queue (letters that need review, and exchanges lacking a letter) and
the review view of one letter (`/review/{id}`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from letters.curation.corrections import NothingToConfirm
from letters.curation.review import ACTIONS, MAX_BATCH, OTHER, REASON_KINDS, QueuePage
from letters.errors import InvalidCorrection
from letters.paging import PER_PAGE, paging
from letters.web import contract
from letters.web.auth import MAX_FORM_FIELDS, Identity, address, checked_form
from letters.web.letter_views import letter_context, typed_reason
from letters.web.pager import pager
from letters.web.render import language, problem_text, render
from letters.web.review_page import review_context
from letters.web.routing import archivist
from letters.web.search_views import FROM_ONE
from letters.web.state import web
from letters.web.urls import path_for

router = APIRouter()


def _queue(request: Request) -> tuple[QueuePage, dict[str, str | None]]:
    """The page of the queue the request asks for (`page`, `per_page`, `reason`), and its
    filters as links keep them."""
    params = request.query_params
    kind = params.get("reason", "").strip() or None
    shown = web(request).letters.review_page(paging(params.get("page"), params.get("per_page")),
                                             kind)
    return shown, {"reason": kind}


def _page_context(request: Request, shown: QueuePage, filters: dict[str, str | None]
                  ) -> dict[str, Any]:
    app = web(request).letters
    return {
        "section": "review", "letters": shown.letters, "queue": shown,
        "pager": pager(request, "review_page", shown.paging, shown.total, len(shown.letters),
                       filters),
        "reason_kinds": [*REASON_KINDS, OTHER], "batch_actions": ACTIONS,
        "per_page": shown.paging.per_page if shown.paging.per_page != PER_PAGE else None,
        "incomplete": app.incomplete_exchanges(), "batch": None, "batch_error": None,
        "set_aside_now": request.query_params.get("set_aside"),
        "partner_choices": app.choices().partners, "proposals": app.pairing_proposals(),
    }


@router.get("/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(request: Request, who: Identity = archivist) -> HTMLResponse:
    """The queue: one page of the letters needing review, oldest first (filtered by kind of
    reason), each with a checkbox for the actions on the selected letters; then the incomplete
    exchanges."""
    shown, filters = _queue(request)
    return render(request, "review.html", _page_context(request, shown, filters))


@router.post("/review", response_class=HTMLResponse, include_in_schema=False)
async def review_batch(request: Request, who: Identity = archivist) -> HTMLResponse:
    """The action chosen on the letters selected in the queue, one change (and audit event) per
    letter; the queue again, saying what was done and what could not be."""
    app = web(request).letters
    form = await checked_form(request, MAX_FORM_FIELDS + MAX_BATCH)
    ids = [x for x in (await request.form()).getlist("ids") if isinstance(x, str)]
    error: str | None = None
    batch = None
    try:
        batch = await run_in_threadpool(
            app.review_batch, ids, str(form.get("action") or ""), who.name, address(request),
            typed_reason(form), str(form.get("partner") or "") or None)
    except InvalidCorrection as refused:
        error = problem_text(refused, language(request))
    shown, filters = await run_in_threadpool(_queue, request)
    context = await run_in_threadpool(_page_context, request, shown, filters)
    lang = language(request)
    context.update(batch=batch, batch_error=error, selected=set(ids) if error else set(),
                   refused=[(i, problem_text(e, lang)) for i, e in batch.refused] if batch else [])
    return render(request, "review.html", context, status=422 if error else 200)


@router.get("/review/{letter_id}", response_class=HTMLResponse, include_in_schema=False)
def review_letter(letter_id: str, request: Request, who: Identity = archivist) -> HTMLResponse:
    """One letter to review: its page image beside the correction form."""
    letter = web(request).letters.get(letter_id)
    context = letter_context(request, letter)
    return render(request, "review_letter.html", review_context(request, letter, context))


@router.get("/api/review", tags=["api"], summary="The review queue",
            **contract.answers(contract.ReviewQueue, 400, 401, 403))
def review_queue(
    request: Request,
    page: str = Query("", description="page number, from 1", json_schema_extra=FROM_ONE),
    per_page: str = Query("", description="letters per page, 1 to 1000 (default 100)",
                          json_schema_extra=contract.ONE_TO_THOUSAND),
    reason: str = Query("", description="only letters with a reason of this kind",
                        json_schema_extra=contract.one_of(*REASON_KINDS, OTHER)),
    who: Identity = archivist,
) -> dict[str, Any]:
    """One page of the letters needing review (oldest first, with their reasons; `letters_total`
    of them in all, `reasons` by kind) and the incomplete exchanges."""
    app = web(request).letters
    shown, _ = _queue(request)
    return {
        "total": shown.total,
        **shown.paging.to_json(shown.total),
        "reason": shown.kind,
        "reasons": shown.kinds,
        "letters": [x.to_json() for x in shown.letters],
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
