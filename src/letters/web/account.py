"""Each user's own account (`/account`): their role, a new password, their own API tokens."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from letters.messages import Message
from letters.users import UserError
from letters.web.auth import Identity, LoginRequired, address, checked_form
from letters.web.render import render
from letters.web.routing import page_routes, reader
from letters.web.state import web
from letters.web.urls import path_for

router = page_routes()
#: What the page's forms may say was done (`?done=`).
DONE = ("password", "new_token", "revoke_token")


def _signed_in(who: Identity) -> str:
    if who.user is None:  # reading may be open to visitors, an account is not
        raise LoginRequired()
    return who.user.name


def _page(request: Request, name: str, status: int = 200, **more: Any) -> HTMLResponse:
    app = web(request).letters
    done = request.query_params.get("done")
    return render(request, "account.html", {
        "section": "account", "tokens": app.user_tokens(name), "error": None, "field": None,
        "new_token": None, "done": done if done in DONE else None, **more}, status=status)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, who: Identity = reader) -> HTMLResponse:
    """The signed-in user's account: role, password form, API tokens."""
    return _page(request, _signed_in(who))


@router.post("/account/password", response_class=HTMLResponse)
async def change_own_password(request: Request, who: Identity = reader) -> Response:
    """Change one's own password, given the current one (other sessions end, this one stays)."""
    name = _signed_in(who)
    fields = await checked_form(request)
    try:
        await run_in_threadpool(web(request).letters.change_own_password, name,
                                fields.get("current", ""), fields.get("password", ""),
                                who.session_id, address(request))
    except UserError as error:
        return _refused(request, name, error.message,
                        "current" if error.message.code == "user.wrong_password" else "password")
    return RedirectResponse(path_for(request, "account_page", query={"done": "password"}),
                            status_code=303)


@router.post("/account/tokens", response_class=HTMLResponse)
async def own_token(request: Request, who: Identity = reader) -> Response:
    """Create one of one's own API tokens, with a name; the answer shows it, once."""
    name = _signed_in(who)
    fields = await checked_form(request)
    label = fields.get("label", "").strip()
    try:
        token = await run_in_threadpool(web(request).letters.new_token, name, name,
                                        address(request), label)
    except UserError as error:
        return _refused(request, name, error.message, "label")
    return _page(request, name, new_token=(name, label, token))


@router.post("/account/tokens/revoke", response_class=HTMLResponse)
async def revoke_own_token(request: Request, who: Identity = reader) -> Response:
    """Revoke one of one's own API tokens."""
    name = _signed_in(who)
    fields = await checked_form(request)
    try:
        await run_in_threadpool(web(request).letters.revoke_token, name, fields.get("token", ""),
                                name, address(request))
    except UserError as error:
        return _refused(request, name, error.message, None)
    return RedirectResponse(path_for(request, "account_page", query={"done": "revoke_token"}),
                            status_code=303)


def _refused(request: Request, name: str, error: Message, field: str | None) -> HTMLResponse:
    return _page(request, name, status=422, error=error, field=field)
