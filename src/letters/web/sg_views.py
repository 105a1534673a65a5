"""The Secretaries General: their list and one's page, and the list as JSON
(`/api/secretaries-general`), from the same `Letters` call as the list page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from letters.paging import Paging, paging
from letters.web import contract
from letters.web.auth import Identity
from letters.web.contract import answers
from letters.web.pager import pager
from letters.web.render import render
from letters.web.routing import api_routes, page_routes, paged, reader
from letters.web.state import web

router = page_routes()
api_router = api_routes()


@router.get("/secretaries-general", response_class=HTMLResponse)
def sgs_page(request: Request, who: Identity = reader) -> HTMLResponse:
    """The Secretaries General and their terms of office."""
    overview = web(request).letters.secretaries_general()
    return render(request, "sgs.html", {"section": "sgs", "sgs": overview.people,
                                        "counts": overview.counts})


@router.get("/secretaries-general/{slug}", response_class=HTMLResponse)
def sg_page(slug: str, request: Request, who: Identity = reader) -> HTMLResponse:
    """A Secretary General: term of office and one page of the letters by date (`page`,
    `per_page`)."""
    params = request.query_params
    shown = web(request).letters.secretary_general(
        slug, paging(params.get("page"), params.get("per_page")))
    return render(request, "sg.html", {
        "section": "sgs", "sg": shown.person, "letters": shown.letters,
        "pager": pager(request, "sg_page", shown.paging, shown.total, len(shown.letters),
                       slug=slug)})


@api_router.get("/secretaries-general/{slug}", summary="One Secretary General and the letters",
                **answers(contract.SecretaryGeneralDetail, 400, 401, 404))
def secretary_general(slug: str, request: Request, who: Identity = reader,
                      shown: Paging = paged) -> contract.Answer:
    """The term of office and one page of the letters signed (by date; `letters_total` in
    all)."""
    return contract.answer(contract.SecretaryGeneralDetail,
                           web(request).letters.secretary_general(slug, shown).to_json())


@api_router.get("/secretaries-general", summary="The Secretaries General",
                **answers(contract.list_of(contract.SecretaryGeneralEntry), 401))
def secretaries_general(request: Request, who: Identity = reader) -> list[contract.Answer]:
    """Every Secretary General with the term of office and the number of letters."""
    return contract.each(contract.SecretaryGeneralEntry,
                         web(request).letters.secretaries_general().to_json())
