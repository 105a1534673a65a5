"""Partners: the list and one partner's page, their JSON twins (`/api/partners`,
`/api/partners/{slug}`, each from the same `Letters` call as its page) and the founding-documents
export."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.background import BackgroundTask

from letters import export
from letters.paging import Paging, paging
from letters.web import contract
from letters.web.auth import Identity, address
from letters.web.contract import answers, download
from letters.web.exchange_links import PROPOSAL_NOTICES
from letters.web.pager import pager
from letters.web.render import render
from letters.web.routing import api_routes, auditor, page_routes, paged, reader
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
        "signatories": app.signatories_from_letters(),
        "timeline": build_timeline([entry.partner for entry in entries], derived),
    })


@router.get("/partners/{slug}", response_class=HTMLResponse)
def partner_page(slug: str, request: Request, who: Identity = reader) -> HTMLResponse:
    """A partner: founding documents first, former names, then one page of its letters by
    date, in their exchanges (`page`, `per_page`)."""
    app = web(request).letters
    params = request.query_params
    overview = app.partner(slug, paging(params.get("page"), params.get("per_page")))
    return render(request, "partner.html", {
        "section": "partners", "partner": overview.partner, "letters": overview.letters,
        "founding": overview.founding, "exchange": overview.exchange,
        "proposal": overview.proposal, "proposal_notices": PROPOSAL_NOTICES,
        "exchanges": app.exchange_rows_holding(slug, overview.letters),
        "pager": pager(request, "partner_page", overview.paging, overview.total,
                       len(overview.letters), slug=slug),
        "derived": ({slug: overview.exchange.date}
                    if overview.exchange and overview.exchange.date else {}),
        "export_problem": app.export_problem(slug) if who.can("auditor") else None,
    })


@api_router.get("/partners", summary="The registry of partners",
                **answers(contract.list_of(contract.PartnerEntry), 401))
def partners(request: Request, who: Identity = reader) -> list[contract.Answer]:
    """Every partner with its number of letters, as `letters partners --json`."""
    return contract.each(contract.PartnerEntry,
                         (entry.to_json() for entry in web(request).letters.partners()))


@api_router.get("/partners/{slug}", summary="One partner, its letters and founding documents",
                **answers(contract.PartnerDetail, 400, 401, 404))
def partner(slug: str, request: Request, who: Identity = reader, shown: Paging = paged
            ) -> contract.Answer:
    """The registry entry with one page of `letters` (by date; `letters_total` in all) and the
    `founding_documents`, always whole."""
    return contract.answer(contract.PartnerDetail,
                           web(request).letters.partner(slug, shown).to_json())


@api_router.get("/partners/{slug}/export", summary="The founding-documents bundle (zip)",
                response_class=FileResponse,
                **download("application/zip", 401, 403, 404, 409, 503,
                                  description="The bundle"))
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
