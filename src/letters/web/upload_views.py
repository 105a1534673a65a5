"""Upload: the form (`/upload`) and its JSON twin (`POST /api/letters`), both receiving with
`upload.received` and ingesting with `upload.ingest`."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse

from letters.web import contract, i18n, upload
from letters.web.auth import Identity, address, check_api_csrf, check_csrf
from letters.web.contract import answers
from letters.web.render import language, render
from letters.web.routing import api_routes, archivist, page_routes
from letters.web.state import web

router = page_routes()
api_router = api_routes()


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, who: Identity = archivist) -> HTMLResponse:
    """The upload form."""
    return render(request, "upload.html", {"section": "upload", "results": None, "error": None,
                                           "watched": web(request).letters.watched()})


@router.post("/upload", response_class=HTMLResponse)
async def upload_files(request: Request, who: Identity = archivist) -> HTMLResponse:
    """Receive several files; show each file's own result."""
    state = web(request)
    context: dict[str, Any] = {"section": "upload", "results": None, "error": None,
                               "watched": state.letters.watched()}
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


@api_router.post("/letters", status_code=201, summary="Upload letters (multipart, field 'file')",
                 openapi_extra=contract.UPLOAD_BODY,
                 **answers(contract.list_of(contract.IngestLine), 400, 401, 403, 408, 413, 415, 422, 503,
                           status=201,
                           description="One result per file; at least one added or found archived",
                           s415=contract.UploadRefused, s422=contract.UploadRefused))
async def upload_letters(request: Request, who: Identity = archivist
                         ) -> list[contract.Answer] | JSONResponse:
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
    return contract.each(contract.IngestLine, lines)
