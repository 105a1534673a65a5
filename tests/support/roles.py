"""The role matrix: for each route of the app, the least role it needs and how to call it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import httpx
import pdfkit
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from support.server import LiveServer
from support.web import browser, csrf_of
from support.webhome import WEB_PASSWORD, WebHome

ANONYMOUS = "anonymous"


#: Where routes are documented, not served: OpenAPI and its pages are open to anyone.
API_PREFIXES = ("/api/", "/healthz", "/openapi.json", "/docs")


@dataclass
class Caller:
    """One role calling the server: a browser-like client (session cookie) and its API token."""

    server: LiveServer
    home: WebHome
    role: str
    http: httpx.Client
    params: dict[str, str] = field(default_factory=dict)

    def csrf(self) -> str:
        """The CSRF token the forms of this client's pages carry."""
        return csrf_of(self.http.get("/login").text)

    def api(self, method: str, url: str, **options: object) -> httpx.Response:
        """An API call with the role's bearer token (none when anonymous)."""
        headers = {} if self.role == ANONYMOUS else {
            "Authorization": f"Bearer {self.home.tokens[self.role]}"}
        return self.http.request(method, url, headers=headers, **options)  # type: ignore[arg-type]

    def fresh(self) -> AbstractContextManager[httpx.Client]:
        """A new client, logged in as this role (anonymous: not logged in)."""
        return browser(self.server, None if self.role == ANONYMOUS else self.role)


Send = Callable[[Caller, str, str], httpx.Response]


@dataclass(frozen=True)
class Rule:
    """Who may call a route (the least role; None: anyone) and what a permitted call answers.

    `ok` None accepts any answer that is not a refusal (for forms whose valid input is not known
    here); `url` replaces the path when its parameters need other values than `path_values`;
    `send` makes the call when a plain GET, or a POST of the CSRF token alone, does not do.
    """

    role: str | None
    ok: int | None = 200
    send: Send | None = None
    url: str | None = None
    #: Needs a signed-in user even when reading is open to visitors (one's own account).
    login: bool = False


def is_api(path: str) -> bool:
    """Whether the route answers in JSON (401 when anonymous) rather than with pages (login)."""
    return path.startswith(API_PREFIXES)


def new_pdf(tag: str) -> bytes:
    """A letter no other call uploads."""
    return pdfkit.text_pdf([["**COUNCIL OF EUROPE", "The Secretary General", "",
                             "Strasbourg, 17 November 2020", "", "Mr Example", "IBM", "",
                             f"A letter uploaded by the role matrix: {tag}.", "",
                             "Marija Pejčinović Burić", "Secretary General"]])


# -- how some routes are called ------------------------------------------------------------------
def upload_page(caller: Caller, method: str, url: str) -> httpx.Response:
    return caller.http.post(url, data={"csrf": caller.csrf()},
                            files={"file": ("matrix.pdf", new_pdf(f"page {caller.role}"))})


def upload_api(caller: Caller, method: str, url: str) -> httpx.Response:
    return caller.api(method, url, files={"file": ("matrix.pdf", new_pdf(f"api {caller.role}"))})


def correct_api(caller: Caller, method: str, url: str) -> httpx.Response:
    return caller.api(method, url, json={"title": f"Corrected as {caller.role}"})


def log_in(caller: Caller, method: str, url: str) -> httpx.Response:
    with browser(caller.server, None) as http:
        return http.post(url, data={"csrf": csrf_of(http.get("/login").text), "name": "reader",
                                    "password": WEB_PASSWORD.format(role="reader")})


def log_out(caller: Caller, method: str, url: str) -> httpx.Response:
    with caller.fresh() as http:  # not the shared client: its session must live on
        return http.post(url, data={"csrf": csrf_of(http.get("/login").text)})


RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/openapi.json"): Rule(None),
    ("GET", "/docs"): Rule(None),
    ("GET", "/docs/oauth2-redirect"): Rule(None),
    ("GET", "/docs/reference"): Rule(None),
    ("GET", "/healthz"): Rule(None),
    ("GET", "/login"): Rule(None),
    ("POST", "/login"): Rule(None, 303, log_in),
    ("POST", "/logout"): Rule(None, 303, log_out),
    ("GET", "/logout"): Rule(None),
    # reading
    ("GET", "/"): Rule("reader"),
    ("GET", "/letters/{letter_id}"): Rule("reader"),
    ("GET", "/letters/{letter_id}/pages/{page}.png"): Rule("reader"),
    ("GET", "/letters/{letter_id}/original.pdf"): Rule("reader"),
    ("GET", "/partners"): Rule("reader"),
    ("GET", "/partners/{slug}"): Rule("reader"),
    ("GET", "/secretaries-general"): Rule("reader"),
    ("GET", "/secretaries-general/{slug}"): Rule("reader", url="/secretaries-general/jagland"),
    ("GET", "/api/search"): Rule("reader"),
    ("GET", "/api/letters/{letter_id}"): Rule("reader"),
    ("GET", "/api/letters/{letter_id}/pdf"): Rule("reader"),
    ("GET", "/api/partners"): Rule("reader"),
    ("GET", "/api/partners/{slug}"): Rule("reader"),
    ("GET", "/api/secretaries-general"): Rule("reader"),
    # archivists
    ("GET", "/upload"): Rule("archivist"),
    ("POST", "/upload"): Rule("archivist", 200, upload_page),
    ("POST", "/letters/{letter_id}/correct"): Rule("archivist", 303),
    ("GET", "/review/{letter_id}"): Rule("archivist"),
    ("POST", "/api/letters"): Rule("archivist", 201, upload_api),
    ("PATCH", "/api/letters/{letter_id}"): Rule("archivist", 200, correct_api),
    # auditors
    ("GET", "/audit"): Rule("auditor"),
    ("GET", "/fixity"): Rule("auditor"),
    ("POST", "/fixity"): Rule("auditor", 303),
    ("GET", "/api/audit"): Rule("auditor"),
    ("GET", "/api/fixity"): Rule("auditor"),
    ("POST", "/api/fixity"): Rule("auditor"),
    ("GET", "/api/partners/{slug}/export"): Rule("auditor"),
    # archivists: review queue, registry, exchanges
    ("GET", "/review"): Rule("archivist"),
    ("GET", "/api/review"): Rule("archivist"),
    ("POST", "/letters/{letter_id}/confirm"): Rule("archivist", None),
    ("POST", "/review"): Rule("archivist", None),
    ("POST", "/letters/{letter_id}/set-aside"): Rule("archivist", None),
    ("POST", "/letters/{letter_id}/restore"): Rule("archivist", None),
    ("POST", "/api/letters/{letter_id}/set-aside"): Rule("archivist", None),
    ("POST", "/api/letters/{letter_id}/restore"): Rule("archivist", None),
    ("GET", "/partners/new"): Rule("archivist"),
    ("POST", "/partners/new"): Rule("archivist", None),
    ("GET", "/partners/{slug}/names"): Rule("archivist"),
    ("POST", "/partners/{slug}/names"): Rule("archivist", None),
    ("GET", "/partners/{slug}/relink"): Rule("archivist"),
    ("POST", "/partners/{slug}/relink"): Rule("archivist", None),
    ("POST", "/api/partners"): Rule("archivist", None),
    ("POST", "/api/partners/{slug}/names"): Rule("archivist", None),
    ("GET", "/api/partners/{slug}/relink"): Rule("archivist"),
    ("POST", "/api/partners/{slug}/relink"): Rule("archivist", None),
    ("POST", "/letters/{letter_id}/exchange"): Rule("archivist", None),
    ("PUT", "/api/letters/{letter_id}/exchange"): Rule("archivist", None),
    ("DELETE", "/api/letters/{letter_id}/exchange"): Rule("archivist", None),
    ("GET", "/api/secretaries-general/{slug}"): Rule("reader", url="/api/secretaries-general/jagland"),
    ("GET", "/api/partners/{slug}/exchanges"): Rule("reader"),
    ("POST", "/partners/{slug}/pairing-proposal"): Rule("archivist", None),
    ("POST", "/api/partners/{slug}/pairing-proposal"): Rule("archivist", None),
    # admins (the change is refused as unknown: a plain call has no action)
    ("GET", "/admin/users"): Rule("admin"),
    ("POST", "/admin/users"): Rule("admin", None),
    ("POST", "/admin/users/{name}"): Rule("admin", None),
    ("GET", "/account"): Rule("reader", login=True),
    ("POST", "/account/password"): Rule("reader", None, login=True),
    ("POST", "/account/tokens"): Rule("reader", None, login=True),
    ("POST", "/account/tokens/revoke"): Rule("reader", None, login=True),
}


def path_values(home: WebHome) -> dict[str, str]:
    """A value for each path parameter, naming something that exists."""
    return {"letter_id": home.ids["google-out.pdf"], "slug": "cloudflare", "page": "1",
            "name": "reader"}


def app_routes(server: LiveServer) -> set[tuple[str, str]]:
    """Every (method, path) the application serves, HEAD aside, static files aside."""
    found = set()
    for route in iter_route_contexts(server.app.routes):
        if isinstance(route.original_route, Mount):
            continue
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, str(route.path)))
    return found
