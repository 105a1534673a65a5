"""The JSON API under /api, as INTERFACE.md describes it."""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from letters import export, snippets
from letters.models import Letter
from letters.searching import SORTS, SearchResult
from letters.service import Letters
from letters.web import auditing, contract, upload
from letters.web.auth import Identity, address, check_api_csrf, need
from letters.web.contract import DATE, answers, choice, download, json_body, one_of
from letters.web.jsonbody import json_object
from letters.web.searchform import SearchForm
from letters.web.state import web

router = APIRouter(prefix="/api", tags=["api"])
reader = Depends(need("reader"))
archivist = Depends(need("archivist"))
auditor = Depends(need("auditor"))
#: What the search parameters accept, for the document (SearchForm checks them).
TWO_LETTERS = choice("[a-zA-Z]{2}")
#: A whole number from 1 written in at most 9 digits (leading zeros included).
FROM_ONE = choice(*(f"0{{{zeros}}}[1-9][0-9]{{0,{8 - zeros}}}" for zeros in range(9)))
ONE_TO_HUNDRED = choice("0{0,8}[1-9]", "0{0,7}[1-9][0-9]", "0{0,6}100")


def search_json(result: SearchResult) -> dict[str, Any]:
    """A page of search results as INTERFACE.md gives it."""
    return {
        "total": result.total, "page": result.page, "per_page": result.per_page,
        "hits": [{**hit.letter.to_json(), "snippet": snippets.as_html(hit.snippet)}
                 for hit in result.hits],
        "facets": result.facets, "suggestion": result.suggestion,
    }


@router.get("/search", summary="Search the letters", **answers(contract.SearchPage, 400, 401, 503))
def search(
    request: Request,
    q: str = Query("", description="the query, in the query language"),  # maxLength: install
    partner: str = Query("", description="partner slug"),
    signatory: str = Query("", description="Secretary General slug"),
    direction: str = Query("", description="outgoing or incoming", json_schema_extra=one_of(
        "outgoing", "incoming")),
    language: str = Query("", description="en or fr", json_schema_extra=TWO_LETTERS),
    date_from: str = Query("", alias="from", description="YYYY-MM-DD, inclusive",
                           json_schema_extra=DATE),
    date_to: str = Query("", alias="to", description="YYYY-MM-DD, inclusive",
                         json_schema_extra=DATE),
    sort: str = Query("", description="relevance, date or -date",
                      json_schema_extra=one_of(*SORTS)),
    page: str = Query("", description="page number, from 1", json_schema_extra=FROM_ONE),
    per_page: str = Query("", description="hits per page, 1 to 100",
                          json_schema_extra=ONE_TO_HUNDRED),
    status: str = Query("", description="ok or needs_review",
                        json_schema_extra=one_of("ok", "needs_review")),
    who: Identity = reader,
) -> dict[str, Any]:
    """Search; a malformed query or filter is 400."""
    # the parameters above describe the API in OpenAPI (their schemas say what is valid without
    # FastAPI checking it); SearchForm reads and checks them as the search page does, so that both
    # answer a bad parameter alike
    app = web(request).letters
    form = SearchForm.from_params(request.query_params)
    return search_json(app.search(form.to_request()))


@router.get("/letters/{letter_id}", summary="One letter: its record and text",
            **answers(contract.LetterWithText, 401, 404))
def letter(letter_id: str, request: Request, who: Identity = reader) -> dict[str, Any]:
    """The record and `text`."""
    app = web(request).letters
    record = app.get(letter_id)
    return {**record.to_json(), "text": app.text(letter_id)}


@router.get("/letters/{letter_id}/pdf", summary="The original PDF", response_class=FileResponse,
            **download("application/pdf", 401, 404, description="The original bytes"))
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
    record, path = app.original_path(letter_id)
    return FileResponse(path, media_type="application/pdf",
                        filename=download_name(record.filename, record.id),
                        headers={"Cache-Control": "private, max-age=3600"})


@router.post("/letters", status_code=201, summary="Upload letters (multipart, field 'file')",
             openapi_extra=contract.UPLOAD_BODY,
             **answers(list[contract.IngestLine], 400, 401, 403, 413, 415, 422, 503, status=201,
                       description="One result per file; at least one added or found archived",
                       s415=contract.UploadRefused, s422=contract.UploadRefused))
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


@router.patch("/letters/{letter_id}", summary="Correct a letter's record",
              openapi_extra=json_body(contract.Correction),
              **answers(contract.LetterRecord, 400, 401, 403, 404, 413, 422))
async def correct(letter_id: str, request: Request, who: Identity = archivist) -> dict[str, Any]:
    """Apply the fields sent; the previous values go to the letter's history."""
    check_api_csrf(request, who)
    changes = await json_object(request, "the fields to correct")
    confirm = changes.pop("confirm_pairing", False) is True
    app = web(request).letters
    record: Letter = await run_in_threadpool(app.correct, letter_id, changes, who.name,
                                             address(request), confirm)
    return record.to_json()


@router.get("/partners", summary="The registry of partners",
            **answers(list[contract.PartnerEntry], 401))
def partners(request: Request, who: Identity = reader) -> list[dict[str, Any]]:
    """Every partner with its number of letters, as `letters partners --json`."""
    return [entry.to_json() for entry in web(request).letters.partners()]


@router.get("/partners/{slug}", summary="One partner, its letters and founding documents",
            **answers(contract.PartnerDetail, 401, 404))
def partner(slug: str, request: Request, who: Identity = reader) -> dict[str, Any]:
    """The registry entry with `letters` (by date) and `founding_documents`."""
    return web(request).letters.partner(slug).to_json()


@router.get("/partners/{slug}/export", summary="The founding-documents bundle (zip)",
            response_class=FileResponse,
            **download("application/zip", 401, 403, 404, description="The bundle"))
def export_partner(slug: str, request: Request, who: Identity = auditor) -> FileResponse:
    """A zip that `sha256sum -c` verifies without this program; auditor."""
    app = web(request).letters
    scratch = Path(tempfile.mkdtemp(prefix="letters-export-"))
    try:
        out = app.export_bundle(slug, scratch / export.bundle_name(slug), by=who.name,
                                   address=address(request))
    except BaseException:
        _remove(scratch)
        raise
    return FileResponse(out, media_type="application/zip", filename=out.name,
                        background=BackgroundTask(_remove, scratch))


def _remove(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


@router.get("/audit", summary="Audit events, newest first",
            **answers(list[contract.AuditEvent], 400, 401, 403))
def audit_events(request: Request, limit: int | None = Query(None, ge=1),
                 who: Identity = auditor,
                 chosen: auditing.AuditFilter = auditing.filters) -> list[dict[str, Any]]:
    """The audit log, newest first, filtered by who, action, from, to and letter; auditor."""
    events = chosen.select(web(request).letters.audit_events())
    return events[:limit] if limit else events


@router.get("/secretaries-general", summary="The Secretaries General",
            **answers(list[contract.SecretaryGeneralEntry], 401))
def secretaries_general(request: Request, who: Identity = reader) -> list[dict[str, Any]]:
    """Every Secretary General with the term of office and the number of letters."""
    return web(request).letters.secretaries_general().to_json()
