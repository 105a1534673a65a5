"""The Secretaries General: their list and one's page, and the list as JSON
(`/api/secretaries-general`), from the same `Letters` call as the list page."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from letters.web import contract
from letters.web.auth import Identity
from letters.web.contract import answers
from letters.web.render import render
from letters.web.routing import api_routes, page_routes, reader
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
    """A Secretary General: term of office and letters by date."""
    shown = web(request).letters.secretary_general(slug)
    return render(request, "sg.html", {"section": "sgs", "sg": shown.person,
                                       "letters": shown.letters})


@api_router.get("/secretaries-general", summary="The Secretaries General",
                **answers(list[contract.SecretaryGeneralEntry], 401))
def secretaries_general(request: Request, who: Identity = reader) -> list[dict[str, Any]]:
    """Every Secretary General with the term of office and the number of letters."""
    return web(request).letters.secretaries_general().to_json()
