"""The pages: search, letters, partners, Secretaries General, upload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from letters import exchanges
from letters.errors import InvalidCorrection, NotFound
from letters.models import Letter
from letters.pdf import thumbnails
from letters.searching import QueryError, SearchResult
from letters.service import Letters
from letters.web import i18n, upload
from letters.web.api import original_response
from letters.web.auth import Identity, address, check_csrf, checked_form, need
from letters.web.citation import citation
from letters.web.highlight import mark, snippet_html
from letters.web.render import language, problem_text, render
from letters.web.review_view import LARGE, review_context
from letters.web.searchform import SearchForm, page_count, page_numbers, plain_digits
from letters.web.state import web
from letters.web.timeline import build as build_timeline
from letters.web.urls import path_for

router = APIRouter(include_in_schema=False)
reader = Depends(need("reader"))
archivist = Depends(need("archivist"))
FACETS = ("partner", "signatory", "year", "direction", "language")
#: Fields the correction form offers, in order.
FORM_FIELDS = ("date", "partner", "signatory", "direction", "signed_by", "language", "title")


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
        hits=[(hit.letter, snippet_html(hit.snippet)) for hit in result.hits],
        facets=facet_items(form, result, app, t), last_page=last,
        pages=page_numbers(result.page, last),
    )
    return render(request, "search.html", context)


def letter_context(request: Request, letter: Letter) -> dict[str, Any]:
    """What the letter page shows."""
    app = web(request).letters
    shown = app.letter_reading(letter)
    q = request.query_params.get("q", "")[:web(request).settings.max_query_chars]
    return {
        "letter": letter, "q": q, "section": "search",
        "text_pages": [mark(text, app.spans(q, text)) for text in shown.pages],
        "history": shown.history,
        "other": shown.other,
        "citation": citation(letter, shown.partner, shown.signatory, "\n".join(shown.pages),
                             language(request)),
        "permalink": str(request.url_for("letter_page", letter_id=letter.id)),
        "choices": app.choices(),
        "form_fields": FORM_FIELDS,
        "values": {field: getattr(letter, field) or "" for field in FORM_FIELDS},
        "errors": {},
        "saved": request.query_params.get("saved") == "1",
        "ocr_percent": _percent(letter.ocr_confidence),
        "pair_choices": app.pair_choices(letter),
    }


def _percent(confidence: float | None) -> int | None:
    if confidence is None:
        return None
    return round(confidence * 100 if confidence <= 1 else confidence)


@router.get("/letters/{letter_id}", response_class=HTMLResponse, name="letter_page")
def letter_page(letter_id: str, request: Request, who: Identity = reader) -> HTMLResponse:
    """One letter: record with evidence, signatures, text, pages, citation, history."""
    letter = web(request).letters.get(letter_id)
    return render(request, "letter.html", letter_context(request, letter))


@router.get("/review/{letter_id}", response_class=HTMLResponse)
def review_letter(letter_id: str, request: Request, who: Identity = archivist) -> HTMLResponse:
    """One letter to review: its page image beside the correction form."""
    letter = web(request).letters.get(letter_id)
    return render(request, "review_letter.html",
                  review_context(request, letter, letter_context(request, letter)))


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
    in_review = form.get("back") == "review"  # sent from the review view: back there
    if errors:
        context = letter_context(request, letter)
        context.update(values={**context["values"], **typed}, errors=errors,
                       pairing_change=pairing)
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
    """A thumbnail of one page (`?size=large`: as wide as the review view shows it), made on
    first request."""
    app = web(request).letters
    if not plain_digits(page):
        app.get(letter_id)  # an unknown letter is said first
        raise NotFound(f"The letter {letter_id} has no page '{page}'.")
    try:
        path = app.thumbnail(letter_id, int(page),
                             width=LARGE if size == "large" else thumbnails.WIDTH)
    except thumbnails.ThumbnailError as error:
        raise HTTPException(422, str(error)) from None
    return FileResponse(path, media_type="image/png",
                        headers={"Cache-Control": "private, max-age=86400"})


@router.get("/letters/{letter_id}/original.pdf")
def download(letter_id: str, request: Request, who: Identity = reader) -> FileResponse:
    """The original PDF, as a download."""
    return original_response(web(request).letters, letter_id)


@router.get("/partners", response_class=HTMLResponse)
def partners_page(request: Request, who: Identity = reader) -> HTMLResponse:
    """Every partner, with the timeline of the partnership."""
    app = web(request).letters
    entries = sorted(app.partners(), key=lambda entry: entry.partner.name.casefold())
    derived = app.joined_from_letters()
    return render(request, "partners.html", {
        "section": "partners", "entries": entries, "derived": derived,
        "timeline": build_timeline([entry.partner for entry in entries], derived),
    })


@router.get("/partners/{slug}", response_class=HTMLResponse)
def partner_page(slug: str, request: Request, who: Identity = reader) -> HTMLResponse:
    """A partner: founding documents first, former names, every letter by date."""
    app = web(request).letters
    overview = app.partner(slug)
    return render(request, "partner.html", {
        "section": "partners", "partner": overview.partner, "letters": overview.letters,
        "founding": overview.founding, "exchange": overview.exchange,
        "exchanges": app.exchange_rows(slug, overview.letters),
        "derived": ({slug: overview.exchange.date}
                    if overview.exchange and overview.exchange.date else {}),
    })


@router.get("/secretaries-general", response_class=HTMLResponse)
def sgs_page(request: Request, who: Identity = reader) -> HTMLResponse:
    """The Secretaries General and their terms of office."""
    overview = web(request).letters.secretaries_general()
    return render(request, "sgs.html", {"section": "sgs", "sgs": overview.people,
                                        "counts": overview.counts})


@router.get("/secretaries-general/{slug}", response_class=HTMLResponse)
def sg_page(slug: str, request: Request, who: Identity = reader) -> HTMLResponse:
    """A Secretary General: term of office and letters by date."""
    shown = web(request).letters.secretary_general(slug)
    return render(request, "sg.html", {"section": "sgs", "sg": shown.person,
                                       "letters": shown.letters})


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, who: Identity = archivist) -> HTMLResponse:
    """The upload form."""
    return render(request, "upload.html", {"section": "upload", "results": None, "error": None})


@router.post("/upload", response_class=HTMLResponse)
async def upload_files(request: Request, who: Identity = archivist) -> HTMLResponse:
    """Receive several files; show each file's own result."""
    state = web(request)
    context: dict[str, Any] = {"section": "upload", "results": None, "error": None}
    try:
        async with upload.received(request, state) as received:
            # the token travels in the multipart body, so it is checked once the body is in; a
            # refused form leaves nothing behind: its files are removed, none was ingested
            check_csrf(request, received.fields.get("csrf"))
            if not received.files:
                context["error"] = i18n.translator(language(request))("upload.none")
                return render(request, "upload.html", context, status=400)
            results = await upload.ingest(state, received, who.name, address(request))
    except upload.UploadRefused as refused:
        context["error"] = refused.message
        return render(request, "upload.html", context, status=refused.status,
                      headers=refused.headers)
    context["results"] = results
    return render(request, "upload.html", context)
