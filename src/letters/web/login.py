"""Logging in and out through a form; the session lives in a signed, HttpOnly cookie."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from letters.preservation.audit import AuditRefused
from letters.web import i18n
from letters.web.auth import (
    address,
    checked_form,
    clear_session_cookie,
    identify_quietly,
    set_session_cookie,
)
from letters.web.render import language, render
from letters.web.state import Web, web
from letters.web.urls import path_for

router = APIRouter(include_in_schema=False)


def safe_next(request: Request, target: str | None) -> str:
    """Where to go after logging in: a path on this site only (else the search page)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return path_for(request, "search_page")
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    """The login form."""
    return render(request, "login.html", {"next": safe_next(request, request.query_params.get("next")),
                                          "error": None, "name_value": ""})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    """Check the password; on success start a new session and go where the user was going."""
    state = web(request)
    fields = await checked_form(request)
    # no user name is longer than 64 characters: a longer one is cut before it is logged
    name, password = fields.get("name", "").strip()[:100], fields.get("password", "")
    target = safe_next(request, fields.get("next"))
    where = address(request)
    t = i18n.translator(language(request))
    context: dict[str, Any] = {"next": target, "name_value": name, "error": None}
    key = where or "unknown"
    account = f"account:{name[:64]}"  # per user name too: many addresses cannot share guesses
    refused = state.logins.attempt(key, account)  # counted now, before the password is checked
    if refused is not None:
        context["error"] = t("login.throttled" if refused == key else "login.throttled_account")
        return render(request, "login.html", context, status=429)
    user = await run_in_threadpool(state.users.authenticate, name, password) if name else None
    if user is None:
        _note(state, "login_failed", name or "(empty)", {"user": name}, where)
        context["error"] = t("login.failed")
        return render(request, "login.html", context, status=401)
    state.logins.refund(key)  # the address's other failures stay counted
    state.logins.succeeded(account)
    previous = identify_quietly(request)
    if previous.session_id:
        state.sessions.end(previous.session_id)
    session_id, _ = state.sessions.start(user.name)
    _note(state, "login", user.name, {"user": user.name}, where)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, session_id)
    return response


@router.get("/logout", response_class=HTMLResponse)
def logout_page(request: Request) -> HTMLResponse:
    """The address typed or followed: the logout button (logging out changes state, so by POST)."""
    return render(request, "logout.html")


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session."""
    state = web(request)
    await checked_form(request)
    who = identify_quietly(request)
    if who.session_id:
        state.sessions.end(who.session_id)
        _note(state, "logout", who.name, {"user": who.name}, address(request))
    response = RedirectResponse(path_for(request, "search_page"), status_code=303)
    clear_session_cookie(request, response)
    return response


def _note(state: Web, action: str, who: str, what: dict[str, Any], where: str | None) -> None:
    """Record a login or logout. A log that refuses it does not lock everyone out (the auditor
    must be able to come and see why): the refusal is kept with the audit log's alarms."""
    with contextlib.suppress(AuditRefused):
        state.letters.record(action, who, what, where)
