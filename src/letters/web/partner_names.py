"""The registry from the web: add a partner, add another or a former name, relink letters.

Each change is audited; afterwards the letters the registry now links to the partner are offered
for relinking (`review.relink_candidates`), and the archivist picks which to link.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from letters.models import Partner
from letters.partners import NO_IDS, NOT_IDS, candidates_json
from letters.registry import CloseName, RegistryError, check_kind
from letters.service import Letters
from letters.web import contract, i18n
from letters.web.auth import CSRF_FIELD, Identity, address, check_api_csrf, check_csrf
from letters.web.contract import answers, json_body
from letters.web.jsonbody import json_model
from letters.web.render import language, problem_text, render
from letters.web.routing import api_routes, archivist, page_routes
from letters.web.state import web
from letters.web.urls import path_for

router = page_routes()
api_router = api_routes()
#: A relink form holds one checkbox per letter offered: room for many.
MAX_RELINK_FIELDS = 2000


# -- pages ---------------------------------------------------------------------------------------
async def _form(request: Request, max_fields: int = 20) -> tuple[dict[str, str], list[str]]:
    """A form's single fields and its 'id' checkboxes, once its CSRF token is found right."""
    form = await request.form(max_files=0, max_fields=max_fields)
    fields = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    check_csrf(request, fields.get(CSRF_FIELD))
    return fields, [v for v in form.getlist("id") if isinstance(v, str)]


@router.get("/partners/new", response_class=HTMLResponse)
def new_partner_form(request: Request, who: Identity = archivist) -> HTMLResponse:
    """The form registering a partner."""
    return render(request, "partner_new.html", {"section": "partners", "error": None,
                                                "values": {}})


@router.post("/partners/new", response_class=HTMLResponse)
async def new_partner(request: Request, who: Identity = archivist) -> Response:
    """Register the partner, then offer the letters it now matches."""
    app = web(request).letters
    fields, _ = await _form(request)
    try:
        partner = await run_in_threadpool(
            app.add_partner, fields.get("slug") or None, fields.get("name") or None,
            fields.get("kind"), fields.get("joined") or None, who.name, address(request),
            fields.get("force") == "1")
    except CloseName as close:  # asked first: a name of that partner instead, or a new one
        return render(request, "partner_new.html", {"section": "partners", "error": None,
                                                    "close": close.partner, "values": fields},
                      status=200)
    except RegistryError as error:
        return render(request, "partner_new.html", {"section": "partners", "error": str(error),
                                                    "values": fields}, status=422)
    return _to_relink(request, partner.slug, added="partner")


@router.get("/partners/{slug}/names", response_class=HTMLResponse)
def names_form(slug: str, request: Request, who: Identity = archivist) -> HTMLResponse:
    """The form adding another or a former name."""
    partner = web(request).letters.registered(slug)
    return render(request, "partner_names.html", {"section": "partners", "partner": partner,
                                                  "error": None, "values": {}})


@router.post("/partners/{slug}/names", response_class=HTMLResponse)
async def add_name_page(slug: str, request: Request, who: Identity = archivist) -> Response:
    """Add the name, then offer the letters the partner now matches."""
    app = web(request).letters
    partner = app.registered(slug)
    fields, _ = await _form(request)
    try:
        await run_in_threadpool(app.add_name, slug, fields.get("name") or None,
                                fields.get("since") or None, fields.get("until") or None,
                                who.name, address(request), fields.get("force") == "1")
    except CloseName as close:
        return render(request, "partner_names.html", {"section": "partners", "partner": partner,
                                                      "error": None, "close": close.partner,
                                                      "values": fields}, status=200)
    except RegistryError as error:
        return render(request, "partner_names.html", {"section": "partners", "partner": partner,
                                                      "error": str(error), "values": fields},
                      status=422)
    return _to_relink(request, slug, added="name")


def _to_relink(request: Request, slug: str, **notice: str) -> RedirectResponse:
    """After a change: to the partner's relink page, saying what was done."""
    return RedirectResponse(path_for(request, "relink_form", slug=slug, query=notice),
                            status_code=303)


def _relink_page(request: Request, slug: str, error: str | None = None,
                 status: int = 200) -> HTMLResponse:
    app = web(request).letters
    partner = app.registered(slug)
    t = i18n.translator(language(request))
    notice = None
    added = request.query_params.get("added")
    if added in ("partner", "name"):
        notice = t(f"relink.added_{added}")
    relinked = request.query_params.get("relinked", "")
    if relinked.isdigit():
        notice = t("relink.done", n=int(relinked), name=partner.name)
    return render(request, "relink.html", {
        "section": "partners", "partner": partner, "notice": notice, "error": error,
        "candidates": app.relink_candidates(slug),
    }, status=status)


@router.get("/partners/{slug}/relink", response_class=HTMLResponse)
def relink_form(slug: str, request: Request, who: Identity = archivist) -> HTMLResponse:
    """The letters the registry now links to this partner, each with a checkbox."""
    return _relink_page(request, slug)


@router.post("/partners/{slug}/relink", response_class=HTMLResponse)
async def relink_page(slug: str, request: Request, who: Identity = archivist) -> Response:
    """Link the letters ticked to the partner."""
    app = web(request).letters
    app.registered(slug)
    fields, ids = await _form(request, MAX_RELINK_FIELDS)
    try:
        done = await run_in_threadpool(app.relink, slug, ids, who.name, address(request),
                                       fields.get("confirm_pairing") == "1")
    except RegistryError as error:
        return await run_in_threadpool(_relink_page, request, slug,
                                       problem_text(error, language(request)), 422)
    return _to_relink(request, slug, relinked=str(len(done)))


# -- the API -------------------------------------------------------------------------------------
def _refused(error: RegistryError) -> HTTPException:
    return HTTPException(422, str(error))


@api_router.post("/partners", status_code=201, summary="Register a partner",
             openapi_extra=json_body(contract.NewPartner),
             **answers(contract.PartnerChanged, 400, 401, 403, 413, 422, 503, status=201))
async def api_add_partner(request: Request, who: Identity = archivist) -> contract.Answer:
    """JSON {"slug", "name", "kind", "joined"}: 201 with the entry and the letters it matches."""
    check_api_csrf(request, who)
    asked = await json_model(request, contract.NewPartner, "the partner's slug, name and kind",
                             {"kind": _kind_refused})
    app = web(request).letters
    try:
        partner = await run_in_threadpool(
            app.add_partner, asked.slug, asked.name, asked.kind, asked.joined, who.name,
            address(request), asked.force)
    except RegistryError as error:
        raise _refused(error) from None
    return await run_in_threadpool(_changed, app, partner)


@api_router.post("/partners/{slug}/names", status_code=201,
             summary="Give a partner another or a former name",
             openapi_extra=json_body(contract.NewName),
             **answers(contract.PartnerChanged, 400, 401, 403, 404, 413, 422, 503, status=201))
async def api_add_name(slug: str, request: Request, who: Identity = archivist) -> contract.Answer:
    """JSON {"name", "since", "until"}: 201 with the entry and the letters it now matches."""
    check_api_csrf(request, who)
    app = web(request).letters
    app.registered(slug)
    asked = await json_model(request, contract.NewName,
                             "the name and, for a former name, its dates")
    try:
        partner = await run_in_threadpool(
            app.add_name, slug, asked.name, asked.since, asked.until, who.name, address(request),
            asked.force)
    except RegistryError as error:
        raise _refused(error) from None
    return await run_in_threadpool(_changed, app, partner)


def _kind_refused(error: Mapping[str, Any]) -> Exception | None:
    """The registry's sentence for a kind it does not know (None: 'kind' missing or not text,
    said as any field's)."""
    if error["type"] != "literal_error":
        return None
    try:
        check_kind(error["input"])
    except RegistryError as refused:
        return _refused(refused)
    return None


def _ids_refused(error: Mapping[str, Any]) -> Exception:
    """The sentence of the domain for `ids` that are none, or not a list of ids."""
    return _refused(RegistryError(NO_IDS if error["type"] == "too_short" else NOT_IDS))


def _changed(app: Letters, partner: Partner) -> contract.Answer:
    return contract.answer(contract.PartnerChanged, app.with_candidates(partner))


@api_router.get("/partners/{slug}/relink",
            summary="The letters the registry now links to a partner",
            **answers(contract.list_of(contract.Candidate), 401, 403, 404))
def api_candidates(slug: str, request: Request, who: Identity = archivist) -> list[contract.Answer]:
    """Letters not linked to the partner that recognition now links to it, with the evidence."""
    app = web(request).letters
    app.registered(slug)
    return contract.each(contract.Candidate, candidates_json(app.relink_candidates(slug)))


@api_router.post("/partners/{slug}/relink",
             summary="Link letters to a partner", openapi_extra=json_body(contract.RelinkRequest),
             **answers(contract.Relinked, 400, 401, 403, 404, 413, 422, 503))
async def api_relink(slug: str, request: Request, who: Identity = archivist) -> contract.Answer:
    """JSON {"ids": [...]}: each letter's partner becomes this one (kept in its history)."""
    check_api_csrf(request, who)
    app = web(request).letters
    app.registered(slug)
    asked = await json_model(request, contract.RelinkRequest, "the 'ids' of the letters to link",
                             {"ids": _ids_refused})
    try:
        letters = await run_in_threadpool(app.relink, slug, asked.ids, who.name,
                                          address(request), asked.confirm_pairing)
    except RegistryError as error:
        raise _refused(error) from None
    return contract.answer(contract.Relinked, {"relinked": [x.to_json() for x in letters]})
