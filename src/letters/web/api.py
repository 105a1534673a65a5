"""The JSON API under /api, as INTERFACE.md describes it."""

from __future__ import annotations

import json
import shutil
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from letters import audit, exchanges, export, registry, snippets
from letters.models import Letter
from letters.searching import SearchResult
from letters.service import Letters
from letters.web import auditing, upload
from letters.web.auth import Identity, address, check_api_csrf, need
from letters.web.searchform import SearchForm
from letters.web.state import web

router = APIRouter(prefix="/api", tags=["api"])
MAX_JSON_BYTES = 64 * 1024
reader = Depends(need("reader"))
archivist = Depends(need("archivist"))
auditor = Depends(need("auditor"))


def search_json(result: SearchResult) -> dict[str, Any]:
    """A page of search results as INTERFACE.md gives it."""
    return {
        "total": result.total, "page": result.page, "per_page": result.per_page,
        "hits": [{**hit.letter.to_json(), "snippet": snippets.as_html(hit.snippet)}
                 for hit in result.hits],
        "facets": result.facets, "suggestion": result.suggestion,
    }


@router.get("/search", summary="Search the letters")
def search(
    request: Request,
    q: str = Query("", description="the query, in the query language"),
    partner: str = Query("", description="partner slug"),
    signatory: str = Query("", description="Secretary General slug"),
    direction: str = Query("", description="outgoing or incoming"),
    language: str = Query("", description="en or fr"),
    date_from: str = Query("", alias="from", description="YYYY-MM-DD, inclusive"),
    date_to: str = Query("", alias="to", description="YYYY-MM-DD, inclusive"),
    sort: str = Query("", description="relevance, date or -date"),
    page: str = Query("", description="page number, from 1"),
    per_page: str = Query("", description="hits per page, 1 to 100"),
    status: str = Query("", description="ok or needs_review"),
    who: Identity = reader,
) -> dict[str, Any]:
    """Search; a malformed query or filter is 400."""
    # the parameters above describe the API in OpenAPI; they are read and checked by SearchForm,
    # as the search page reads them, so that both answer a bad parameter alike
    app = web(request).letters
    form = SearchForm.from_params(request.query_params)
    return search_json(app.search(form.to_request()))


@router.get("/letters/{letter_id}", summary="One letter: its record and text")
def letter(letter_id: str, request: Request, who: Identity = reader) -> dict[str, Any]:
    """The record and `text`."""
    app = web(request).letters
    record = app.get(letter_id)
    return {**record.to_json(), "text": app.text(letter_id)}


@router.get("/letters/{letter_id}/pdf", summary="The original PDF",
            response_class=FileResponse)
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
    """The original as a download under the name it was uploaded with (made safe)."""
    record = app.get(letter_id)
    return FileResponse(app.archive.original_path(letter_id), media_type="application/pdf",
                        filename=download_name(record.filename, record.id),
                        headers={"Cache-Control": "private, max-age=3600"})


@router.post("/letters", status_code=201, summary="Upload letters (multipart, field 'file')")
async def upload_letters(request: Request, who: Identity = archivist) -> JSONResponse:
    """One result per file as `ingest --json` prints it; 201 when any letter was added or found."""
    check_api_csrf(request, who)
    state = web(request)
    try:
        async with upload.received(request, state) as received:
            if not received.files:
                raise HTTPException(400, "Send at least one PDF in the multipart field 'file'.")
            results = await upload.ingest(state, received, who.name, address(request))
    except upload.UploadRefused as refused:
        return JSONResponse({"detail": refused.detail}, status_code=refused.status,
                            headers=refused.headers)
    lines = [r.to_json() for r in results]
    status = upload.status_of(received, results)
    if status != 201:
        first = next(r for r in results if r.result == "rejected")
        return JSONResponse({"detail": f"{first.path}: {first.error}", "results": lines},
                            status_code=status)
    return JSONResponse(lines, status_code=201)


@router.patch("/letters/{letter_id}", summary="Correct a letter's record")
async def correct(letter_id: str, request: Request, who: Identity = archivist) -> dict[str, Any]:
    """Apply the fields sent; the previous values go to the letter's history."""
    check_api_csrf(request, who)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_JSON_BYTES:
            raise HTTPException(413, "A correction is a small JSON object: this one is too large.")
    try:
        changes = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        changes = None
    if not isinstance(changes, dict):
        raise HTTPException(400, "The body must be a JSON object with the fields to correct.")
    confirm = changes.pop("confirm_pairing", False) is True
    app = web(request).letters
    record: Letter = await run_in_threadpool(app.correct, letter_id, changes, who.name,
                                             address(request), confirm)
    return record.to_json()


def partner_counts(app: Letters) -> Counter[str | None]:
    """How many archived letters each partner has."""
    return app.catalog.partner_counts()


@router.get("/partners", summary="The registry of partners")
def partners(request: Request, who: Identity = reader) -> list[dict[str, Any]]:
    """Every partner with its number of letters, as `letters partners --json`."""
    app = web(request).letters
    counts = partner_counts(app)
    return [registry.partner_json(p, counts[p.slug])
            for p in sorted(app.registry.partners.values(), key=lambda p: p.slug)]


@router.get("/partners/{slug}", summary="One partner, its letters and founding documents")
def partner(slug: str, request: Request, who: Identity = reader) -> dict[str, Any]:
    """The registry entry with `letters` (by date) and `founding_documents`."""
    app = web(request).letters
    letters = exchanges.letters_of(app, slug)
    found = exchanges.founding_documents_for(app, slug)
    by_id = {x.id: x for x in letters}
    entry = app.registry.partners[slug]
    return {
        **registry.partner_json(entry, len(letters)),
        "letter_count": len(letters),
        "letters": [x.to_json() for x in letters],
        "founding_documents": [by_id[i].to_json() for i in found.ids()] if found else [],
        "founding_exchange": {**found.to_json(), "missing": found.missing()} if found else None,
    }


@router.get("/partners/{slug}/export", summary="The founding-documents bundle (zip)",
            response_class=FileResponse)
def export_partner(slug: str, request: Request, who: Identity = auditor) -> FileResponse:
    """A zip that `sha256sum -c` verifies without this program; auditor."""
    app = web(request).letters
    scratch = Path(tempfile.mkdtemp(prefix="letters-export-"))
    try:
        out = export.export_bundle(app, slug, scratch / export.bundle_name(slug), by=who.name,
                                   address=address(request))
    except BaseException:
        _remove(scratch)
        raise
    return FileResponse(out, media_type="application/zip", filename=out.name,
                        background=BackgroundTask(_remove, scratch))


def _remove(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


@router.get("/audit", summary="Audit events, newest first")
def audit_events(request: Request, limit: int | None = Query(None, ge=1),
                 who: Identity = auditor,
                 chosen: auditing.AuditFilter = auditing.filters) -> list[dict[str, Any]]:
    """The audit log, newest first, filtered by who, action, from, to and letter; auditor."""
    events = chosen.select(audit.events(web(request).letters.settings.archive_dir)[::-1])
    return events[:limit] if limit else events


@router.get("/secretaries-general", summary="The Secretaries General")
def secretaries_general(request: Request, who: Identity = reader) -> list[dict[str, Any]]:
    """Every Secretary General with the term of office and the number of letters."""
    app = web(request).letters
    counts = app.catalog.signatory_counts()
    return [{"slug": s.slug, "name": s.name, "term_start": s.term_start, "term_end": s.term_end,
             "letters": counts[s.slug]}
            for s in sorted(app.registry.secretaries_general.values(), key=lambda s: s.term_start)]
