"""A letter: its page, original, page thumbnails and correction form, and their JSON twins
(`/api/letters/{id}`, its PDF, PATCH), the page and the JSON both from `Letters.get`."""

from __future__ import annotations

import unicodedata
from functools import partial
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from letters.curation.aside import AsideRefused, no_reason
from letters.errors import InvalidCorrection, NotFound
from letters.messages import msg
from letters.models import ASIDE_REASONS, Letter
from letters.pairing import exchanges
from letters.pairing.listing import PAIR_CHOICES
from letters.pdf import thumbnails
from letters.search import split
from letters.service import Letters
from letters.web import contract
from letters.web.auth import Identity, address, check_api_csrf, checked_form
from letters.web.citation import citation
from letters.web.contract import answers, json_body
from letters.web.jsonbody import json_model, json_object
from letters.web.render import language, problem_text, render
from letters.web.review_page import FULL, LARGE, review_context, viewer_context
from letters.web.routing import api_routes, archivist, page_routes, reader
from letters.web.searchform import plain_digits
from letters.web.state import web
from letters.web.urls import path_for

router = page_routes()
api_router = api_routes()
#: Fields the correction form offers, in order.
FORM_FIELDS = ("date", "partner", "signatory", "direction", "signed_by", "language", "title")
#: The longest typed value carried from one page of the viewer to another.
MAX_TYPED = 500


def letter_context(request: Request, letter: Letter) -> dict[str, Any]:
    """What the letter page shows."""
    app = web(request).letters
    shown = app.letter_reading(letter)
    q = request.query_params.get("q", "")[:web(request).settings.max_query_chars]
    return {
        "letter": letter, "q": q, "section": "search",
        "text_pages": [split(text, app.spans(q, text)) for text in shown.pages],
        "history": shown.history,
        "other": shown.other,
        "citation": citation(letter, shown.partner_name, shown.signatory, language(request)),
        "permalink": str(request.url_for("letter_page", letter_id=letter.id)),
        "choices": app.choices(),
        "form_fields": FORM_FIELDS,
        # values typed before the viewer's page turned come back in the address (not saved)
        "values": {field: request.query_params[field][:MAX_TYPED]
                   if field in request.query_params else getattr(letter, field) or ""
                   for field in FORM_FIELDS},
        "errors": {},
        "saved": request.query_params.get("saved") == "1",
        "ocr_percent": _percent(letter.ocr_confidence),
        "pair_choices": app.pair_choices(letter),
        "pair_limit": PAIR_CHOICES,
        "original_problem": app.original(letter.id).problem,
        **viewer_context(request.query_params, letter),
    }


def turned(form: Any) -> dict[str, str | None] | None:
    """The viewer's page and zoom a button of the correction form asks for (`goto_page` or
    `goto_zoom`, the other one as it was: `view_page`, `view_zoom`; the letter page's search
    words, `view_q`), None when it asks for neither (the form is then saved)."""
    goto_page, goto_zoom = str(form.get("goto_page", "")), str(form.get("goto_zoom", ""))
    if not any(plain_digits(x) and len(x) < 6 for x in (goto_page, goto_zoom)):
        return None
    page = goto_page or str(form.get("view_page", ""))
    zoom = goto_zoom or str(form.get("view_zoom", ""))
    return {"page": page[:5] if plain_digits(page) else None,
            "zoom": zoom[:5] if plain_digits(zoom) and zoom != "100" else None,
            "q": str(form.get("view_q", ""))[:MAX_TYPED] or None}


def _percent(confidence: float | None) -> int | None:
    if confidence is None:
        return None
    return round(confidence * 100 if confidence <= 1 else confidence)


@router.get("/letters/{letter_id}", response_class=HTMLResponse, name="letter_page")
def letter_page(letter_id: str, request: Request, who: Identity = reader) -> HTMLResponse:
    """One letter: record with evidence, signatures, text, pages, citation, history."""
    letter = web(request).letters.get(letter_id)
    return render(request, "letter.html", letter_context(request, letter))


@router.post("/letters/{letter_id}/correct", response_class=HTMLResponse)
async def correct_letter(letter_id: str, request: Request,
                         who: Identity = archivist) -> Response:
    """The archivist's correction form: only the fields that changed are sent.

    A refused correction shows the form again with every value as typed and each error beside
    its field (and in a summary linking to it).
    """
    app = web(request).letters
    form = await checked_form(request)
    letter = await run_in_threadpool(app.get, letter_id)
    typed = {field: str(form[field]) for field in FORM_FIELDS if field in form}
    in_review = form.get("back") == "review"  # sent from the review view: back there
    view = turned(form)
    if view is not None:
        # the viewer's page turned or zoomed: nothing saved, what was typed carried along
        kept = {field: value for field, value in typed.items()
                if value != (getattr(letter, field) or "")}
        return RedirectResponse(path_for(
            request, "review_letter" if in_review else "letter_page", letter_id=letter_id,
            query={**view, **kept}, fragment="" if in_review else "viewer"), status_code=303)
    lang = language(request)
    changes, refused = app.form_changes(letter, typed)
    errors = {field: problem_text(error, lang) for field, error in refused.items()}
    pairing: dict[str, Any] = {}
    if changes and not errors:
        try:
            await run_in_threadpool(app.correct, letter_id, changes, who.name, address(request),
                                    form.get("confirm_pairing") == "1")
        except InvalidCorrection as error:
            errors[error.field or "form"] = problem_text(error, lang)
            if isinstance(error, exchanges.PairingChange):  # offered again, to be confirmed
                pairing = changes
    if errors:
        context = letter_context(request, letter)
        context.update(values={**context["values"], **typed}, errors=errors,
                       pairing_change=pairing, **viewer_context(
                           {"page": str(form.get("view_page", "")),
                            "zoom": str(form.get("view_zoom", ""))}, letter))
        if in_review:
            return render(request, "review_letter.html",
                          review_context(request, letter, context), status=422)
        return render(request, "letter.html", context, status=422)
    back = "review_letter" if in_review else "letter_page"
    return RedirectResponse(path_for(request, back, letter_id=letter_id, query={"saved": 1},
                                     fragment="correct"), status_code=303)


@router.get("/letters/{letter_id}/pages/{page}.png")
def page_thumbnail(letter_id: str, page: str, request: Request, size: str = "",
                   who: Identity = reader) -> FileResponse:
    """A thumbnail of one page (`?size=large`: as wide as the review view shows it; `?size=full`:
    twice that, the full-size image), made on first request."""
    app = web(request).letters
    if not plain_digits(page):
        app.get(letter_id)  # an unknown letter is said first
        raise NotFound(msg("missing.page_name", id=letter_id, page=page))
    try:
        reader = who.name if who.user else f"{who.name}@{address(request)}"
        path = app.thumbnail(letter_id, int(page),
                             width={"large": LARGE, "full": FULL}.get(size, thumbnails.WIDTH),
                             turn=partial(web(request).renders.turn, reader))
    except thumbnails.ThumbnailError as error:
        raise HTTPException(422, str(error)) from None
    return FileResponse(path, media_type="image/png",
                        headers={"Cache-Control": "private, max-age=86400"})


@router.get("/letters/{letter_id}/original.pdf")
def download(letter_id: str, request: Request, who: Identity = reader) -> FileResponse:
    """The original PDF, as a download."""
    return original_response(web(request).letters, letter_id)


@api_router.get("/letters/{letter_id}", summary="One letter: its record and text",
                **answers(contract.LetterWithText, 401, 404))
def letter(letter_id: str, request: Request, who: Identity = reader) -> contract.Answer:
    """The record and `text`."""
    app = web(request).letters
    record = app.get(letter_id)
    return contract.answer(contract.LetterWithText, {**record.to_json(), "text": app.text(letter_id)})


@api_router.get("/letters/{letter_id}/pdf", summary="The original PDF", response_class=FileResponse,
                **contract.download("application/pdf", 401, 404, description="The original bytes"))
def original(letter_id: str, request: Request, who: Identity = reader) -> FileResponse:
    """The original bytes, never modified."""
    return original_response(web(request).letters, letter_id)


def download_name(filename: str | None, letter_id: str) -> str:
    """The name a download is offered under: the uploaded name without control or format
    characters (direction overrides make `invoice<RLO>fdp.exe` look like `invoiceexe.pdf`),
    ending in `.pdf`."""
    name = "".join(c for c in filename or "" if unicodedata.category(c) not in ("Cc", "Cf"))
    name = name.replace("/", "_").replace("\\", "_").strip(" .")[:200]
    if not name:
        return f"{letter_id}.pdf"
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


def original_response(app: Letters, letter_id: str) -> FileResponse:
    """The original as a download under the name it was uploaded with (made safe).

    An original that is no longer the one archived is still served (it is what the archive
    holds, and whoever investigates needs it), but never as the original: its name starts with
    `altered-`, `X-Original-Intact: no` says so, and it is not cached."""
    original = app.original(letter_id)
    name = download_name(original.letter.filename, original.letter.id)
    headers = {"Cache-Control": "private, max-age=3600", "X-Original-Intact": "yes"}
    if not original.intact:
        name = f"altered-{name}"
        headers = {"Cache-Control": "no-store", "X-Original-Intact": "no"}
    return FileResponse(original.path, media_type="application/pdf", filename=name,
                        headers=headers)


@api_router.patch("/letters/{letter_id}", summary="Correct a letter's record",
                  openapi_extra=json_body(contract.Correction),
                  **answers(contract.LetterRecord, 400, 401, 403, 404, 413, 422, 503))
async def correct(letter_id: str, request: Request, who: Identity = archivist) -> contract.Answer:
    """Apply the fields sent; the previous values go to the letter's history."""
    check_api_csrf(request, who)
    changes = await json_object(request, "the fields to correct")
    confirm = changes.pop("confirm_pairing", False) is True
    app = web(request).letters
    record: Letter = await run_in_threadpool(app.correct, letter_id, changes, who.name,
                                             address(request), confirm)
    return contract.answer(contract.LetterRecord, record.to_json())


def typed_reason(form: Any) -> str:
    """The reason a set-aside form gives: the kind chosen, or the words typed for "other"."""
    kind = str(form.get("reason") or "")
    return kind if kind in ASIDE_REASONS else str(form.get("reason_text") or "")


@router.post("/letters/{letter_id}/set-aside", response_class=HTMLResponse)
async def set_aside_letter(letter_id: str, request: Request,
                           who: Identity = archivist) -> Response:
    """Set a letter aside from its page or the review view (back there, or to the next letter
    of the queue when sent from the review view)."""
    app = web(request).letters
    form = await checked_form(request)
    in_review = form.get("back") == "review"
    try:
        await run_in_threadpool(app.set_aside, letter_id, typed_reason(form), who.name,
                                address(request))
    except AsideRefused as error:
        letter = await run_in_threadpool(app.get, letter_id)
        context = letter_context(request, letter)
        context["aside_error"] = problem_text(error, language(request))
        if in_review:
            return render(request, "review_letter.html",
                          review_context(request, letter, context), status=422)
        return render(request, "letter.html", context, status=422)
    if in_review:
        return RedirectResponse(path_for(request, "review_page", query={"set_aside": letter_id}),
                                status_code=303)
    return RedirectResponse(path_for(request, "letter_page", letter_id=letter_id,
                                     query={"saved": 1}), status_code=303)


@router.post("/letters/{letter_id}/restore", response_class=HTMLResponse)
async def restore_letter(letter_id: str, request: Request, who: Identity = archivist) -> Response:
    """Take back a letter set aside, from its page."""
    app = web(request).letters
    await checked_form(request)
    await run_in_threadpool(app.restore, letter_id, who.name, address(request))
    return RedirectResponse(path_for(request, "letter_page", letter_id=letter_id,
                                     query={"saved": 1}), status_code=303)


@api_router.post("/letters/{letter_id}/set-aside", summary="Set a letter aside",
                 openapi_extra=json_body(contract.SetAside),
                 **answers(contract.LetterRecord, 400, 401, 403, 404, 409, 413, 422, 503))
async def api_set_aside(letter_id: str, request: Request, who: Identity = archivist
                        ) -> contract.Answer:
    """The letter leaves the review queue, search results (unless asked for) and pairing, with
    the reason; its original, text and history stay. 409 when it is set aside already."""
    check_api_csrf(request, who)
    asked = await json_model(request, contract.SetAside, "the reason",
                             {"reason": lambda _: HTTPException(422, str(no_reason()))})
    app = web(request).letters
    try:
        record: Letter = await run_in_threadpool(app.set_aside, letter_id, asked.reason,
                                                 who.name, address(request))
    except AsideRefused as error:
        raise HTTPException(409 if error.code == "aside_already" else 422, str(error)) from None
    return contract.answer(contract.LetterRecord, record.to_json())


@api_router.post("/letters/{letter_id}/restore", summary="Take back a letter set aside",
                 **answers(contract.LetterRecord, 401, 403, 404, 409, 503))
async def api_restore(letter_id: str, request: Request, who: Identity = archivist
                      ) -> contract.Answer:
    """The record, back to the status it had before it was set aside (409 when it is not)."""
    check_api_csrf(request, who)
    app = web(request).letters
    try:
        record: Letter = await run_in_threadpool(app.restore, letter_id, who.name,
                                                 address(request))
    except AsideRefused as error:
        raise HTTPException(409, str(error)) from None
    return contract.answer(contract.LetterRecord, record.to_json())
