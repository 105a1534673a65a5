"""Who is asking: bearer tokens, session cookies, role checks and CSRF protection."""

from __future__ import annotations

import functools
import hmac
import ipaddress
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from itsdangerous import BadSignature
from starlette.requests import Request
from starlette.responses import Response

from letters.messages import Message, msg
from letters.users import Session, User, allows
from letters.web.state import web

SESSION_COOKIE = "letters_session"
CSRF_COOKIE = "letters_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_MESSAGE = ("The form has expired or did not come from this site: reload the page and try "
                "again.")
ANONYMOUS = "anonymous"
#: A plain form (login, logout, correction) has a handful of fields and no file.
MAX_FORM_FIELDS = 20
#: How the OpenAPI document declares the credentials (`identify` reads them).
BEARER = HTTPBearer(scheme_name="bearer", auto_error=False,
                    description="An API token: made on `/account`, or by `letters users token NAME`.")
SESSION = APIKeyCookie(name=SESSION_COOKIE, scheme_name="session", auto_error=False,
                       description="A browser's login session; its API calls that change "
                                   "something send the X-CSRF-Token header.")
_token = Security(BEARER)
_cookie = Security(SESSION)


class LoginRequired(Exception):
    """No credentials where some are needed: 401 for the API, the login form for pages."""


@dataclass
class Identity:
    """The user behind a request (None when anonymous) and how they proved it."""

    user: User | None
    session_id: str | None = None
    session: Session | None = None
    token: bool = False

    @property
    def name(self) -> str:
        """The user name, or 'anonymous'."""
        return self.user.name if self.user else ANONYMOUS

    def can(self, role: str) -> bool:
        """Whether this user has that role's rights."""
        return self.user is not None and allows(self.user.role, role)


def identify(request: Request) -> Identity:
    """The identity of the request, from a bearer token or the session cookie (cached)."""
    cached: Identity | None = getattr(request.state, "identity", None)
    if cached is not None:
        return cached
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(401, "Send the API token as 'Authorization: Bearer TOKEN'.",
                                headers={"WWW-Authenticate": "Bearer"})
        user = web(request).users.user_for_token(token.strip())
        if user is None:
            raise HTTPException(401, "The API token is not valid or has been revoked.",
                                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        identity = Identity(user, token=True)
    else:
        identity = _from_cookie(request)
    request.state.identity = identity
    return identity


def identify_quietly(request: Request) -> Identity:
    """The identity, or anonymous when the credentials are bad (for error pages)."""
    try:
        return identify(request)
    except HTTPException:
        return Identity(None)


def _from_cookie(request: Request) -> Identity:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return Identity(None)
    state = web(request)
    try:
        session_id = state.signer.unsign(
            raw, max_age=state.settings.session_seconds).decode("ascii")
    except (BadSignature, UnicodeDecodeError):
        return Identity(None)
    session = state.sessions.get(session_id)
    user = state.users.get(session.user) if session else None
    if session is None or user is None or user.disabled:
        return Identity(None)
    return Identity(user, session_id=session_id, session=session)


def need(role: str) -> Callable[[Request], Identity]:
    """A dependency letting through only users with that role (readers too when reading is open)."""

    def check(request: Request,
              token: HTTPAuthorizationCredentials | None = _token,
              cookie: str | None = _cookie) -> Identity:
        who = identify(request)
        if who.user is None:
            if role == "reader" and web(request).settings.open_reading:
                return who
            raise LoginRequired()
        if not who.can(role):
            raise HTTPException(403, needs_role(role, who.user))
        return who

    check.__name__ = f"need_{role}"
    check.role = role  # type: ignore[attr-defined]  # read by web.contract
    return check


def needs_role(role: str, user: User) -> Message:
    """Why a user may not do what needs `role`: the role needed and the one they have."""
    article = "an" if user.role[:1] in "aeiou" else "a"
    return msg("user.needs_role", role=msg(f"user.role_{role}"), name=user.name,
               current=msg(f"user.{article}_{user.role}"))


def address(request: Request) -> str | None:
    """The client's address (for the audit log and the login limit): the peer's, or, when the peer
    is a trusted proxy, the last address in X-Forwarded-For that is not a trusted proxy."""
    peer = request.client.host if request.client else None
    trusted = _trusted(request)
    if peer is None or not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",")]
    for hop in reversed([h for h in hops if h]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a forged or garbled chain: believe only the proxy itself
        if not _is_trusted(hop, trusted):
            return hop
        peer = hop
    return peer


def _trusted(request: Request) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return _networks(web(request).settings.trusted_proxies)


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network,
                                                 ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted(host: str, trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
                ) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


# -- CSRF -------------------------------------------------------------------------------------
def _anonymous_csrf(request: Request) -> str | None:
    raw = request.cookies.get(CSRF_COOKIE)
    if not raw:
        return None
    try:
        return web(request).signer.unsign(raw).decode("ascii")
    except (BadSignature, UnicodeDecodeError):
        return None


def csrf_token(request: Request) -> str:
    """The token a form of this page must send back: the session's, or a visitor's cookie's."""
    who = identify_quietly(request)
    if who.session is not None:
        return who.session.csrf
    token = getattr(request.state, "new_csrf", None) or _anonymous_csrf(request)
    if token is None:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse (403) a form or a cookie-authenticated API call without the right token."""
    who = identify(request)
    expected = who.session.csrf if who.session is not None else _anonymous_csrf(request)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise HTTPException(403, CSRF_MESSAGE)


async def checked_form(request: Request, max_fields: int = MAX_FORM_FIELDS) -> dict[str, str]:
    """A plain form's fields, read once its CSRF token is found right (403 otherwise); a field
    sent several times (checkboxes) is in `(await request.form()).getlist(name)`."""
    form = await request.form(max_files=0, max_fields=max_fields)
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    check_csrf(request, fields.get(CSRF_FIELD))
    return fields


def check_api_csrf(request: Request, who: Identity) -> None:
    """A browser session calling the API must send the CSRF token in a header; tokens need not."""
    if who.session is not None and not who.token:
        check_csrf(request, request.headers.get(CSRF_HEADER))


# -- cookies ----------------------------------------------------------------------------------
def _secure(request: Request) -> bool:
    """Whether cookies must be Secure: always when configured, else when the request came over
    HTTPS, directly or (X-Forwarded-Proto) through a trusted proxy."""
    if web(request).settings.secure_cookies or request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return forwarded == "https" and peer is not None and _is_trusted(peer, _trusted(request))


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    """Give the browser its session: signed, HttpOnly, SameSite=Lax, lasting the session."""
    state = web(request)
    response.set_cookie(SESSION_COOKIE, state.signer.sign(session_id).decode("ascii"),
                        max_age=state.settings.session_seconds, httponly=True,
                        samesite="lax", secure=_secure(request), path="/")


def clear_session_cookie(request: Request, response: Response) -> None:
    """Forget the session in the browser."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=_secure(request))


def set_pending_cookies(request: Request, response: Response) -> None:
    """Set a visitor's new CSRF cookie if this page made one."""
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(CSRF_COOKIE, web(request).signer.sign(token).decode("ascii"),
                            httponly=True, samesite="lax", secure=_secure(request), path="/")
