"""Exchanges by hand: archivists pair two letters, or take a letter out of its exchange."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from letters.errors import InvalidCorrection
from letters.web import contract
from letters.web.auth import Identity, address, check_api_csrf, checked_form
from letters.web.contract import answers, json_body
from letters.web.jsonbody import Refusal, json_model
from letters.web.letter_views import letter_context
from letters.web.render import language, problem_text, render
from letters.web.routing import api_routes, archivist, page_routes, reader
from letters.web.state import web
from letters.web.urls import path_for

router = page_routes()
api_router = api_routes()
#: What the partner page says after a decision on its pairing proposal (`?proposal=`).
PROPOSAL_NOTICES = ("accepted", "dismissed", "changed")


@router.post("/letters/{letter_id}/exchange", response_class=HTMLResponse)
async def exchange_form(letter_id: str, request: Request, who: Identity = archivist) -> Response:
    """The letter page's exchange form: action=link with other=ID (or other_id=ID, typed), or
    action=unlink."""
    app = web(request).letters
    fields = await checked_form(request)
    action = fields.get("action")
    try:
        if action == "link":
            other = fields.get("other_id", "").strip() or fields.get("other", "").strip()
            await run_in_threadpool(app.pair, letter_id, other, who.name, address(request))
        elif action == "unlink":
            await run_in_threadpool(app.unlink, letter_id, who.name, address(request))
        else:
            raise InvalidCorrection("Choose whether to pair the letter or take it out of its "
                                    "exchange.", code="choose_pairing")
    except InvalidCorrection as error:
        letter = await run_in_threadpool(app.get, letter_id)
        context = await run_in_threadpool(letter_context, request, letter)
        context["exchange_error"] = problem_text(error, language(request))
        return render(request, "letter.html", context, status=422)
    done = "linked" if action == "link" else "unlinked"
    return RedirectResponse(path_for(request, "letter_page", letter_id=letter_id,
                                     query={"exchange": done}, fragment="exchange-form"),
                            status_code=303)


@api_router.put("/letters/{letter_id}/exchange",
            summary="Pair a letter with the other letter of its exchange",
            openapi_extra=json_body(contract.LinkRequest),
            **answers(contract.ExchangeRow, 400, 401, 403, 404, 413, 422, 503))
async def api_link(letter_id: str, request: Request, who: Identity = archivist) -> contract.Answer:
    """JSON {"other": ID}: the exchange as it now stands; 422 when the two cannot be paired."""
    check_api_csrf(request, who)
    app = web(request).letters
    app.get(letter_id)
    asked = await json_model(request, contract.LinkRequest, "the id of the 'other' letter")
    row = await run_in_threadpool(app.pair, letter_id, asked.other, who.name, address(request))
    return contract.answer(contract.ExchangeRow, row.to_json())


@api_router.delete("/letters/{letter_id}/exchange",
               summary="Take a letter out of its exchange",
               **answers(contract.Unlinked, 401, 403, 404, 503))
async def api_unlink(letter_id: str, request: Request,
                     who: Identity = archivist) -> contract.Answer:
    """The letter, and the one it was paired with, stand alone from now on."""
    check_api_csrf(request, who)
    app = web(request).letters
    changed = await run_in_threadpool(app.unlink, letter_id, who.name,
                                      address(request))
    return contract.answer(contract.Unlinked, {"unlinked": changed})


@api_router.get("/partners/{slug}/exchanges",
            summary="A partner's exchanges of letters",
            **answers(contract.list_of(contract.ExchangeRow), 401, 404))
def api_exchanges(slug: str, request: Request, who: Identity = reader) -> list[contract.Answer]:
    """Every exchange of the partner, oldest first; an incomplete one says what is missing."""
    return contract.each(contract.ExchangeRow,
                         (row.to_json() for row in web(request).letters.exchange_rows(slug)))


@router.post("/partners/{slug}/pairing-proposal")
async def proposal_form(slug: str, request: Request, who: Identity = archivist) -> Response:
    """The partner page's decision on its pairing proposal: action=accept or action=dismiss,
    `proposed` the ids shown (a proposal changed since is shown again, not decided)."""
    app = web(request).letters
    fields = await checked_form(request)
    action = fields.get("action")
    if action not in ("accept", "dismiss"):
        raise HTTPException(400, "Choose whether to accept or dismiss the proposal.")
    shown = [i for i in fields.get("proposed", "").split(",") if i]
    try:
        await run_in_threadpool(app.decide_proposal, slug, action == "accept", who.name,
                                address(request), shown)
    except InvalidCorrection:
        return RedirectResponse(path_for(request, "partner_page", slug=slug,
                                         query={"proposal": "changed"},
                                         fragment="proposal-title"), status_code=303)
    return RedirectResponse(path_for(request, "partner_page", slug=slug,
                                     query={"proposal": f"{action}ed"}, fragment="founding-title"),
                            status_code=303)


#: A decision's body refused in one sentence per field (400).
DECISION_REFUSED: dict[str, Refusal] = {
    "decision": lambda _: HTTPException(400, "'decision' must be \"accept\" or \"dismiss\"."),
    "proposed": lambda _: HTTPException(400, "'proposed' must be a list of letter ids."),
}


@api_router.post("/partners/{slug}/pairing-proposal",
             summary="Accept or dismiss a partner's proposed change of founding exchange",
             openapi_extra=json_body(contract.ProposalDecision),
             **answers(contract.ProposalDecided, 400, 401, 403, 404, 413, 422, 503))
async def api_decide_proposal(slug: str, request: Request,
                              who: Identity = archivist) -> contract.Answer:
    """JSON {"decision": "accept"|"dismiss", "proposed"?: [ids]}: accept makes the proposed
    exchange the founding one; dismiss keeps the founding exchange and stops proposing this
    change; both audited with the founding exchange before and after. 404 when the partner has
    no proposal; 422 when `proposed` is not the proposal any more."""
    check_api_csrf(request, who)
    app = web(request).letters
    app.partner(slug)
    asked = await json_model(request, contract.ProposalDecision,
                             "the 'decision', accept or dismiss", DECISION_REFUSED)
    decision = asked.decision
    try:
        done = await run_in_threadpool(app.decide_proposal, slug, decision == "accept",
                                       who.name, address(request), asked.proposed)
    except InvalidCorrection as error:
        raise HTTPException(422, str(error)) from None
    founding = app.founding_documents(slug)
    return contract.answer(contract.ProposalDecided, {
        "decision": decision, "proposal": done.to_json(),
        "founding_exchange": ({**founding.to_json(), "missing": founding.missing()}
                              if founding else None)})
