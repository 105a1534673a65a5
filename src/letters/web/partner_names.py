"""The registry from the web: add a partner, add another or a former name, relink letters.

Each change is audited; afterwards the letters the registry now links to the partner are offered
for relinking (`review.relink_candidates`), and the archivist picks which to link.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from letters import audit, registry, review
from letters.errors import NotFound
from letters.models import Letter, Partner, is_iso_date
from letters.registry import RegistryError
from letters.service import Letters
from letters.textnorm import fold
from letters.web import i18n
from letters.web.auth import CSRF_FIELD, Identity, address, check_api_csrf, check_csrf, need
from letters.web.jsonbody import json_object, text_field
from letters.web.render import language, render
from letters.web.state import web

router = APIRouter()
archivist = Depends(need("archivist"))
#: A relink form holds one checkbox per letter offered: room for many.
MAX_RELINK_FIELDS = 2000
KINDS = ("company", "association")


# -- the changes (shared by the pages and the API) ------------------------------------------------
def _day(value: str | None) -> str | None:
    if value is None:
        return None
    if not is_iso_date(value):
        raise RegistryError(f"'{value}' is not a date of the form YYYY-MM-DD.")
    return value


def slug_for(name: str) -> str:
    """A slug made from a name: 'Acme Robotics GmbH' -> 'acme-robotics-gmbh'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


def add_partner(app: Letters, slug: str | None, name: str | None, kind: str | None,
                joined: str | None, by: str, where: str | None) -> Partner:
    """Register a partner (RegistryError with a sentence when it cannot be), audited."""
    if not name:
        raise RegistryError("The name must not be empty.")
    slug = slug or slug_for(name)
    if kind not in KINDS:
        raise RegistryError("The kind must be 'company' or 'association'.")
    partner = registry.add_partner(app.settings.archive_dir, slug, name, kind, by=by,
                                   joined=_day(joined))
    audit.record(app.settings.archive_dir, "registry", by,
                 {"op": "add_partner", "slug": partner.slug, "name": partner.name,
                  "kind": partner.kind, "joined": partner.joined}, where)
    app.registry_changed(partner.slug)
    return partner


def add_name(app: Letters, slug: str, name: str | None, since: str | None, until: str | None,
             by: str, where: str | None) -> Partner:
    """Give a partner another name, or a former one with its dates, audited and re-indexed."""
    _partner(app, slug)
    if not name:
        raise RegistryError("The name must not be empty.")
    partner = registry.add_alias(app.settings.archive_dir, slug, name, by=by, since=_day(since),
                                 until=_day(until))
    audit.record(app.settings.archive_dir, "registry", by,
                 {"op": "add_alias", "slug": slug, "name": name, "since": since,
                  "until": until}, where)
    app.registry_changed(slug)
    return partner


def relink(app: Letters, slug: str, ids: list[Any], by: str, where: str | None) -> list[Letter]:
    """Link these letters to the partner (corrections kept in their history), audited."""
    _partner(app, slug)
    if not ids:
        raise RegistryError("Choose at least one letter to link to the partner.")
    if any(not isinstance(x, str) for x in ids):
        raise RegistryError("'ids' must be a list of letter ids.")
    for letter_id in ids:
        if app.archive.get(letter_id) is None:
            raise RegistryError(f"There is no letter with the id '{letter_id}'.")
    unique = list(dict.fromkeys(ids))
    letters = review.relink(app, unique, slug, by, where)
    audit.record(app.settings.archive_dir, "relink", by, {"slug": slug, "ids": unique}, where)
    return letters


def _partner(app: Letters, slug: str) -> Partner:
    app.reload_registry()
    partner = app.registry.partner(slug)
    if partner is None:
        raise NotFound(f"There is no partner with the slug '{slug}'.")
    return partner


def candidates_json(candidates: list[review.Candidate]) -> list[dict[str, Any]]:
    """Letters offered for relinking: the record and what recognition found."""
    return [{"letter": c.letter.to_json(), "evidence": c.evidence} for c in candidates]


# -- pages ---------------------------------------------------------------------------------------
async def _form(request: Request, max_fields: int = 20) -> tuple[dict[str, str], list[str]]:
    """A form's single fields and its 'id' checkboxes, once its CSRF token is found right."""
    form = await request.form(max_files=0, max_fields=max_fields)
    fields = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    check_csrf(request, fields.get(CSRF_FIELD))
    return fields, [v for v in form.getlist("id") if isinstance(v, str)]


@router.get("/partners/new", response_class=HTMLResponse, include_in_schema=False)
def new_partner_form(request: Request, who: Identity = archivist) -> HTMLResponse:
    """The form registering a partner."""
    return render(request, "partner_new.html", {"section": "partners", "error": None,
                                                "values": {}})


@router.post("/partners/new", response_class=HTMLResponse, include_in_schema=False)
async def new_partner(request: Request, who: Identity = archivist) -> Response:
    """Register the partner, then offer the letters it now matches."""
    app = web(request).letters
    fields, _ = await _form(request)
    try:
        partner = await run_in_threadpool(
            add_partner, app, fields.get("slug") or None, fields.get("name") or None,
            fields.get("kind"), fields.get("joined") or None, who.name, address(request))
    except RegistryError as error:
        return render(request, "partner_new.html", {"section": "partners", "error": str(error),
                                                    "values": fields}, status=422)
    return RedirectResponse(f"/partners/{partner.slug}/relink?added=partner", status_code=303)


@router.get("/partners/{slug}/names", response_class=HTMLResponse, include_in_schema=False)
def names_form(slug: str, request: Request, who: Identity = archivist) -> HTMLResponse:
    """The form adding another or a former name."""
    partner = _partner(web(request).letters, slug)
    return render(request, "partner_names.html", {"section": "partners", "partner": partner,
                                                  "error": None, "values": {}})


@router.post("/partners/{slug}/names", response_class=HTMLResponse, include_in_schema=False)
async def add_name_page(slug: str, request: Request, who: Identity = archivist) -> Response:
    """Add the name, then offer the letters the partner now matches."""
    app = web(request).letters
    partner = _partner(app, slug)
    fields, _ = await _form(request)
    try:
        await run_in_threadpool(add_name, app, slug, fields.get("name") or None,
                                fields.get("since") or None, fields.get("until") or None,
                                who.name, address(request))
    except RegistryError as error:
        return render(request, "partner_names.html", {"section": "partners", "partner": partner,
                                                      "error": str(error), "values": fields},
                      status=422)
    return RedirectResponse(f"/partners/{slug}/relink?added=name", status_code=303)


def _relink_page(request: Request, slug: str, error: str | None = None,
                 status: int = 200) -> HTMLResponse:
    app = web(request).letters
    partner = _partner(app, slug)
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
        "candidates": review.relink_candidates(app, slug),
    }, status=status)


@router.get("/partners/{slug}/relink", response_class=HTMLResponse, include_in_schema=False)
def relink_form(slug: str, request: Request, who: Identity = archivist) -> HTMLResponse:
    """The letters the registry now links to this partner, each with a checkbox."""
    return _relink_page(request, slug)


@router.post("/partners/{slug}/relink", response_class=HTMLResponse, include_in_schema=False)
async def relink_page(slug: str, request: Request, who: Identity = archivist) -> Response:
    """Link the letters ticked to the partner."""
    app = web(request).letters
    _partner(app, slug)
    _, ids = await _form(request, MAX_RELINK_FIELDS)
    try:
        done = await run_in_threadpool(relink, app, slug, ids, who.name, address(request))
    except RegistryError as error:
        return await run_in_threadpool(_relink_page, request, slug, str(error), 422)
    return RedirectResponse(f"/partners/{slug}/relink?relinked={len(done)}", status_code=303)


# -- the API -------------------------------------------------------------------------------------
def _refused(error: RegistryError) -> JSONResponse:
    return JSONResponse({"detail": str(error)}, status_code=422)


@router.post("/api/partners", status_code=201, tags=["api"], summary="Register a partner")
async def api_add_partner(request: Request, who: Identity = archivist) -> Response:
    """JSON {"slug", "name", "kind", "joined"}: 201 with the entry and the letters it matches."""
    check_api_csrf(request, who)
    data = await json_object(request, "the partner's slug, name and kind")
    app = web(request).letters
    try:
        partner = await run_in_threadpool(
            add_partner, app, text_field(data, "slug"), text_field(data, "name", required=True),
            text_field(data, "kind", required=True), text_field(data, "joined"), who.name,
            address(request))
    except RegistryError as error:
        return _refused(error)
    return await run_in_threadpool(_changed, app, partner)


@router.post("/api/partners/{slug}/names", status_code=201, tags=["api"],
             summary="Give a partner another or a former name")
async def api_add_name(slug: str, request: Request, who: Identity = archivist) -> Response:
    """JSON {"name", "since", "until"}: 201 with the entry and the letters it now matches."""
    check_api_csrf(request, who)
    app = web(request).letters
    _partner(app, slug)
    data = await json_object(request, "the name and, for a former name, its dates")
    try:
        partner = await run_in_threadpool(
            add_name, app, slug, text_field(data, "name", required=True),
            text_field(data, "since"), text_field(data, "until"), who.name, address(request))
    except RegistryError as error:
        return _refused(error)
    return await run_in_threadpool(_changed, app, partner)


def _changed(app: Letters, partner: Partner) -> JSONResponse:
    entry = app.registry.partner(partner.slug) or partner
    count = sum(1 for x in app.archive.records() if x.partner == partner.slug)
    return JSONResponse({**registry.partner_json(entry, count),
                         "candidates": candidates_json(review.relink_candidates(app, entry.slug))},
                        status_code=201)


@router.get("/api/partners/{slug}/relink", tags=["api"],
            summary="The letters the registry now links to a partner")
def api_candidates(slug: str, request: Request, who: Identity = archivist) -> list[dict[str, Any]]:
    """Letters not linked to the partner that recognition now links to it, with the evidence."""
    app = web(request).letters
    _partner(app, slug)
    return candidates_json(review.relink_candidates(app, slug))


@router.post("/api/partners/{slug}/relink", tags=["api"],
             summary="Link letters to a partner")
async def api_relink(slug: str, request: Request, who: Identity = archivist) -> Response:
    """JSON {"ids": [...]}: each letter's partner becomes this one (kept in its history)."""
    check_api_csrf(request, who)
    app = web(request).letters
    _partner(app, slug)
    data = await json_object(request, "the 'ids' of the letters to link")
    ids = data.get("ids")
    if not isinstance(ids, list):
        return _refused(RegistryError("'ids' must be a list of letter ids."))
    try:
        letters = await run_in_threadpool(relink, app, slug, ids, who.name, address(request))
    except RegistryError as error:
        return _refused(error)
    return JSONResponse({"relinked": [x.to_json() for x in letters]})
