"""The admins' pages: users and their tokens, changed through the same `Users` methods as
`letters users`, so both record the same audit events."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from letters.messages import Message, msg
from letters.users import ROLES, UserError, Users
from letters.web.auth import Identity, address, checked_form
from letters.web.render import render
from letters.web.routing import admin
from letters.web.state import web
from letters.web.urls import path_for

router = APIRouter(include_in_schema=False)
#: What the form of one user may ask; each is one `Users` method.
ACTIONS = ("role", "password", "disable", "enable", "revoke_tokens", "revoke_token", "remove")
#: Changes an admin may not make to their own account here (they could lock every admin out).
NOT_TO_ONESELF = ("role", "disable", "remove")


def _page(request: Request, error: Message | None = None, status: int = 200) -> HTMLResponse:
    users = web(request).users
    rows = [(user, users.tokens(user.name)) for user in users.all()]
    return render(request, "admin_users.html", {
        "section": "users", "rows": rows, "roles": ROLES, "error": error,
        "done": request.query_params.get("done") in ACTIONS + ("added",)}, status=status)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, who: Identity = admin) -> HTMLResponse:
    """Every user, their role, tokens and state, with the forms changing them."""
    return _page(request)


@router.post("/admin/users", response_class=HTMLResponse)
async def add_user(request: Request, who: Identity = admin) -> Response:
    """Create a user."""
    fields = await checked_form(request)
    try:
        await run_in_threadpool(web(request).users.add, fields.get("name", "").strip(),
                                fields.get("role", ""), fields.get("password", ""), who.name,
                                address(request))
    except UserError as error:
        return _page(request, error.message, status=422)
    return RedirectResponse(path_for(request, "users_page", query={"done": "added"}),
                            status_code=303)


@router.post("/admin/users/{name}", response_class=HTMLResponse)
async def change_user(name: str, request: Request, who: Identity = admin) -> Response:
    """Change one user: role, password, disabled or not, tokens, or remove them."""
    fields = await checked_form(request)
    action = fields.get("action", "")
    if action not in ACTIONS:
        return _page(request, msg("user.choose_action"), status=400)
    if name == who.name and action in NOT_TO_ONESELF:
        return _page(request, msg("user.not_to_oneself"), status=422)
    try:
        await run_in_threadpool(apply, web(request).users, name, action, fields, who.name,
                                address(request))
    except UserError as error:
        return _page(request, error.message, status=422)
    return RedirectResponse(path_for(request, "users_page", query={"done": action}),
                            status_code=303)


def apply(users: Users, name: str, action: str, fields: dict[str, str], by: str,
          where: str | None) -> None:
    """Make one change to a user (raises UserError with a sentence)."""
    if action == "role":
        users.set_role(name, fields.get("role", ""), by, where)
    elif action == "password":
        users.set_password(name, fields.get("password", ""), by, where)
    elif action in ("disable", "enable"):
        users.set_disabled(name, action == "disable", by, where)
    elif action == "revoke_tokens":
        users.revoke_tokens(name, by, where)
    elif action == "revoke_token":
        users.revoke_token_id(name, fields.get("token", ""), by, where)
    else:
        users.remove(name, by, where)
