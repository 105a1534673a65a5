"""Partners: the list and one partner's page, their JSON twins (`/api/partners`,
`/api/partners/{slug}`, each from the same `Letters` call as its page) and the founding-documents
export."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.background import BackgroundTask

from letters import export
from letters.web import contract
from letters.web.auth import Identity, address
from letters.web.contract import answers, download
from letters.web.render import render
from letters.web.routing import api_routes, auditor, page_routes, reader
from letters.web.state import web
from letters.web.timeline import build as build_timeline

router = page_routes()
api_router = api_routes()


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
        "export_problem": app.export_problem(slug) if who.can("auditor") else None,
    })


@api_router.get("/partners", summary="The registry of partners",
                **answers(list[contract.PartnerEntry], 401))
def partners(request: Request, who: Identity = reader) -> list[dict[str, Any]]:
    """Every partner with its number of letters, as `letters partners --json`."""
    return [entry.to_json() for entry in web(request).letters.partners()]


@api_router.get("/partners/{slug}", summary="One partner, its letters and founding documents",
                **answers(contract.PartnerDetail, 401, 404))
def partner(slug: str, request: Request, who: Identity = reader) -> dict[str, Any]:
    """The registry entry with `letters` (by date) and `founding_documents`."""
    return web(request).letters.partner(slug).to_json()


@api_router.get("/partners/{slug}/export", summary="The founding-documents bundle (zip)",
                response_class=FileResponse,
                **download("application/zip", 401, 403, 404, 409, description="The bundle"))
def export_partner(slug: str, request: Request, who: Identity = auditor) -> FileResponse:
    """A zip that `sha256sum -c` verifies without this program; auditor. 409 with one sentence
    naming each letter when an original is not the one archived: no bundle is made."""
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
