"""The admins' pages: users and their tokens, changed through the same `Letters` calls as
`letters users`, so both record the same audit events."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from letters.messages import Message, msg
from letters.service import Letters
from letters.users import ROLES, UserError
from letters.web.auth import Identity, address, checked_form
from letters.web.render import render
from letters.web.routing import admin, page_routes
from letters.web.state import web
from letters.web.urls import path_for

router = page_routes()
#: What the form of one user may ask; each is one `Letters` call.
ACTIONS = ("role", "password", "disable", "enable", "revoke_tokens", "revoke_token", "remove",
           "new_token")
#: Changes an admin may not make to their own account here (they could lock every admin out).
NOT_TO_ONESELF = ("role", "disable", "remove")
#: Which field of "Add a user" each refusal is about (shown beside it).
ADD_FIELD = {"user.bad_name": "name", "user.reserved_name": "name", "user.exists": "name",
             "user.not_a_role": "role", "user.weak_password": "password"}


def _page(request: Request, error: Message | None = None, status: int = 200,
          **more: Any) -> HTMLResponse:
    app = web(request).letters
    done, whom = request.query_params.get("done"), request.query_params.get("user", "")
    changed = app.user(whom) if done in ACTIONS + ("added",) else None
    return render(request, "admin_users.html", {
        "section": "users", "rows": app.user_rows(), "roles": ROLES, "error": error,
        "done": done if changed is not None or done == "remove" else None, "done_user": whom,
        "done_role": changed.role if changed else None, "add_error": None, "typed": {},
        "new_token": None, **more}, status=status)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, who: Identity = admin) -> HTMLResponse:
    """Every user, their role, tokens and state, with the forms changing them."""
    return _page(request)


@router.post("/admin/users", response_class=HTMLResponse)
async def add_user(request: Request, who: Identity = admin) -> Response:
    """Create a user."""
    fields = await checked_form(request)
    name, role = fields.get("name", "").strip(), fields.get("role", "")
    try:
        await run_in_threadpool(web(request).letters.add_user, name, role,
                                fields.get("password", ""), who.name, address(request))
    except UserError as error:
        field = ADD_FIELD.get(error.message.code, "name")
        return _page(request, None, status=422, add_error=(field, error.message),
                     typed={"name": name, "role": role})
    return RedirectResponse(path_for(request, "users_page", query={"done": "added", "user": name}),
                            status_code=303)


@router.post("/admin/users/{name}", response_class=HTMLResponse)
async def change_user(name: str, request: Request, who: Identity = admin) -> Response:
    """Change one user: role, password, disabled or not, tokens, or remove them (once the admin
    has confirmed it on the page this answers first)."""
    fields = await checked_form(request)
    action = fields.get("action", "")
    if action not in ACTIONS:
        return _page(request, msg("user.choose_action"), status=400)
    if name == who.name and action in NOT_TO_ONESELF:
        return _page(request, msg("user.not_to_oneself"), status=422)
    app = web(request).letters
    if action == "remove" and fields.get("confirm") != "yes":
        if app.user(name) is None:
            return _page(request, msg("user.no_such_user", name=name), status=422)
        return render(request, "admin_confirm.html", {"section": "users", "name": name,
                                                      "tokens": len(app.user_tokens(name))})
    try:
        token = await run_in_threadpool(apply, app, name, action, fields, who.name,
                                        address(request))
    except UserError as error:
        return _page(request, error.message, status=422)
    if token is not None:  # shown once, in this answer only (never in an address)
        return _page(request, new_token=(name, fields.get("label", "").strip(), token))
    return RedirectResponse(path_for(request, "users_page", query={"done": action, "user": name}),
                            status_code=303)


def apply(app: Letters, name: str, action: str, fields: dict[str, str], by: str,
          where: str | None) -> str | None:
    """Make one change to a user (raises UserError with a sentence); a new token is returned."""
    if action == "role":
        app.set_role(name, fields.get("role", ""), by, where)
    elif action == "password":
        app.set_password(name, fields.get("password", ""), by, where)
    elif action in ("disable", "enable"):
        app.set_disabled(name, action == "disable", by, where)
    elif action == "revoke_tokens":
        app.revoke_tokens(name, by, where)
    elif action == "revoke_token":
        app.revoke_token(name, fields.get("token", ""), by, where)
    elif action == "new_token":
        return app.new_token(name, by, where, fields.get("label", ""))
    else:
        app.remove_user(name, by, where)
    return None
