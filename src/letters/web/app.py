"""The web application: one Letters object, pages, the JSON API, errors without stack traces."""

from __future__ import annotations

import logging
import sqlite3
from http import HTTPStatus
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.routing import iter_route_contexts
from itsdangerous import TimestampSigner
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from letters import __version__
from letters import messages as said
from letters.errors import InvalidCorrection, LockBusy, NotFound
from letters.ingest.pipeline import storage_message
from letters.preservation import audit
from letters.preservation.originals import OriginalsAltered
from letters.search import IndexUnavailable, QueryError
from letters.service import Letters
from letters.settings import Settings, from_env
from letters.users import Sessions, secret_key
from letters.web import (
    account,
    admin,
    apidocs,
    auditing,
    contract,
    exchange_links,
    i18n,
    languages,
    letter_views,
    login,
    partner_names,
    partner_views,
    review_views,
    saying,
    search_views,
    sg_views,
    upload_views,
    urls,
)
from letters.web.admission import Refused, Renders, UploadQueue
from letters.web.auth import LoginRequired
from letters.web.render import compiled_environment, render
from letters.web.state import Web
from letters.web.throttle import Throttle
from letters.web.urls import path_for

STATIC = Path(__file__).parent / "static"
#: The web by feature: each module holds its pages (`router`) and their JSON twins (`api_router`).
#: The feature modules, each with a router of pages (`router`) and one of the JSON API
#: (`api_router`); the archivists' come first, so that `/partners/new` is not read as a slug.
FEATURES = (review_views, partner_names, exchange_links, search_views, letter_views,
            upload_views, partner_views, auditing, sg_views)
log = logging.getLogger("letters.web")

#: One plain sentence for each error status, when nothing more precise is known.
SENTENCES = {
    400: "The request is not valid.",
    401: "Log in, or send an API token as 'Authorization: Bearer TOKEN'.",
    403: "Your role does not allow this.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The upload is too large.",
    415: "That is not a PDF.",
    503: "The server is busy: try again in a few minutes.",
    422: "The request could not be processed.",
    500: "Something went wrong on the server; the error has been logged.",
}
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
#: The API documentation's pages (and Swagger UI's files): they get apidocs.policy instead.
NO_CSP = (apidocs.DOCS, "/redoc")
#: Files that may be cached (the pages may not).
STATIC_PATHS = ("/static/", apidocs.ASSETS + "/")


def is_api(request: Request) -> bool:
    """Whether the request is for the JSON API (errors as JSON) rather than a page."""
    path = request.url.path
    return path == "/api" or path.startswith("/api/") or path in ("/healthz", "/openapi.json")


def _sentence(status: int, detail: object) -> str | said.Message:
    if isinstance(detail, said.Message):
        return detail
    if isinstance(detail, str) and detail and detail != HTTPStatus(status).phrase:
        return detail
    return SENTENCES.get(status, HTTPStatus(status).phrase + ".")


def error_response(request: Request, status: int, detail: str | said.Message,
                   headers: dict[str, str] | None = None) -> Response:
    """JSON `{"detail": ...}` under /api (in English unless the request's Accept-Language
    asks for another language of the site; with the `code` of a domain message), a friendly
    page elsewhere."""
    if is_api(request):
        lang = i18n.choose(None, None, request.headers.get("accept-language"))
        if isinstance(detail, said.Message):
            body = {"detail": saying.say(detail, lang), **({"code": detail.code} if detail.code
                                                             else {})}
        else:
            body = {"detail": saying.translate(detail, lang)}
        return JSONResponse(body, status_code=status, headers=headers)
    try:
        return render(request, "error.html", {"status": status, "detail": detail},
                      status=status, headers=headers)
    except Exception:  # the error page itself failed: still no stack trace for the user
        log.exception("the error page could not be rendered")
        return PlainTextResponse(str(detail), status_code=status, headers=headers)


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (one path may have several routes)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        pattern = getattr(route, "path_regex", None)
        if pattern is not None and pattern.match(request.url.path):
            methods.update(route.methods or ())
    if "GET" in methods:
        methods.add("HEAD")  # HeadAsGet answers HEAD wherever GET is served
    return ", ".join(sorted(methods))


_DOCS_CSP = apidocs.policy(apidocs.TITLE)


def with_security_headers(path: str, headers: list[tuple[bytes, bytes]]
                          ) -> list[tuple[bytes, bytes]]:
    """The response's headers plus those every response gets (any it set itself are kept)."""
    present = {k.lower() for k, _ in headers}
    extra = [(b"x-content-type-options", b"nosniff"),
             (b"referrer-policy", b"same-origin"),
             (b"x-frame-options", b"DENY"),
             (b"content-security-policy", (_DOCS_CSP if path.startswith(NO_CSP) else CSP).encode())]
    if b"cache-control" not in present:
        value = b"public, max-age=3600" if path.startswith(STATIC_PATHS) else b"no-store"
        extra.append((b"cache-control", value))
    return headers + [h for h in extra if h[0] not in present]


class SecurityHeaders:
    """Headers every response gets: no sniffing, no framing, a strict CSP on our pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(path, list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """HEAD answers as GET would, without the body (the routes declare GET only)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


def _install_error_handlers(app: FastAPI) -> None:
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return error_response(request, exc.status_code, _sentence(exc.status_code, exc.detail),
                              headers or None)

    async def login_required(request: Request, exc: Exception) -> Response:
        if is_api(request):
            return error_response(request, 401, SENTENCES[401], {"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(path_for(request, "login_form", query={"next": target}),
                                status_code=303)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = ".".join(str(x) for x in first.get("loc", ())[1:]) or "request"
        message = str(first.get("msg", "is not valid")).rstrip(".")
        return error_response(request, 400, f"The parameter '{where}' is not valid: {message}.")

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotFound)
        return error_response(request, 404, exc.message if str(exc) else SENTENCES[404])

    async def bad_query(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, QueryError)
        return error_response(request, 400, exc.message if str(exc) else SENTENCES[400])

    async def index_unavailable(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, IndexUnavailable)
        return error_response(request, 503, exc.message)

    async def audit_refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, audit.AuditRefused)
        return error_response(request, 503, exc.message)

    async def original_altered(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, OriginalsAltered)
        return error_response(request, 409, exc.message)

    async def bad_correction(request: Request, exc: Exception) -> Response:
        return error_response(request, 422, str(exc) or SENTENCES[422])

    async def not_now(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        return error_response(request, exc.status, exc.message, {"Retry-After": exc.retry_after})

    async def lock_busy(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LockBusy)
        return error_response(request, 503, exc.message, {"Retry-After": "30"})

    async def disk_refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, OSError | sqlite3.Error)
        reason = storage_message(exc)
        if reason.code == "refusal.disk_refused":  # not the disk saying no: a fault of ours
            return await server_error(request, exc)
        log.error("a write was refused on %s %s: %s", request.method, request.url.path, exc)
        return error_response(request, 503, said.msg("refusal.not_written", reason=reason))

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        response = error_response(request, 500, SENTENCES[500])
        # answered outside the middleware stack (by Starlette's ServerErrorMiddleware)
        response.raw_headers[:] = with_security_headers(request.url.path, response.raw_headers)
        return response

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(QueryError, bad_query)
    app.add_exception_handler(IndexUnavailable, index_unavailable)
    app.add_exception_handler(InvalidCorrection, bad_correction)
    app.add_exception_handler(Refused, not_now)
    app.add_exception_handler(LockBusy, lock_busy)
    app.add_exception_handler(audit.AuditRefused, audit_refused)
    app.add_exception_handler(OriginalsAltered, original_altered)
    app.add_exception_handler(OSError, disk_refused)
    app.add_exception_handler(sqlite3.Error, disk_refused)
    app.add_exception_handler(Exception, server_error)


def create_app(letters: Letters | Settings) -> FastAPI:
    """The web view and the JSON API over one archive, served by the process's one `Letters`
    (`letters serve` passes its own; given settings alone, as tests do, it makes that one)."""
    letters = letters if isinstance(letters, Letters) else Letters(letters)
    settings = letters.settings
    state = Web(
        letters=letters, settings=settings, users=letters.users, sessions=Sessions(settings),
        signer=TimestampSigner(secret_key(settings), salt="letters-session"),
        templates=compiled_environment(), logins=Throttle(path=settings.private_dir / "logins.sqlite"),
        uploads=UploadQueue(settings.upload_queue, settings.private_dir / "uploads"),
        renders=Renders(settings.renders),
    )
    app = FastAPI(
        title="letters", version=__version__, docs_url=None, redoc_url=None,
        openapi_url="/openapi.json", generate_unique_id_function=contract.operation_id,
        description="The archive of the Council of Europe's Digital Partnership "
                    "exchange-of-letters agreements. Authenticate with "
                    "`Authorization: Bearer TOKEN` (made on your account page, `/account`, or by "
                    "`letters users token NAME`). A plain reference: `/docs/reference`.",
    )
    app.state.web = state
    state.letters.open_index()  # at start-up: an index to rebuild is rebuilt now, not in a request

    @app.get("/healthz", tags=["health"], summary="Health check",
             **contract.answers(contract.Health))
    async def healthz() -> contract.Health:
        """200 while the server is up (answered on the event loop: no worker thread needed)."""
        return contract.Health(status="ok")

    app.include_router(apidocs.router)
    app.mount(apidocs.ASSETS, apidocs.assets(), name="docs-static")
    for feature in FEATURES:
        app.include_router(feature.api_router)
    app.include_router(login.router)
    for feature in FEATURES:
        app.include_router(feature.router)
    app.include_router(admin.router)
    app.include_router(account.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    _install_error_handlers(app)
    contract.install(app, settings)
    urls.prepare(app)  # with the templates compiled: a first request costs what a later one does
    languages.prepare()
    return app


def from_environment() -> FastAPI:
    """The app over the home and settings of the environment (`LETTERS_HOME`...): what each
    process of `letters serve --workers N` builds."""
    return settled(create_app(from_env()))


def settled(web: FastAPI) -> FastAPI:
    """The app, once everything its start made is kept out of the garbage collector's full
    collections (`gc.freeze`): those objects live as long as the server, and the first full
    collection, which the first page request used to set off, walked them all (80-100 ms at
    10,000 letters)."""
    import gc

    gc.collect()
    gc.freeze()
    return web
