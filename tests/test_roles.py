"""Every route of the application against every role, over real HTTP.

RULES names, for each route the application has, the least role it needs and what a permitted
call answers. The routes are read from the application itself, so a new route without its line in
RULES fails `test_every_route_has_a_rule`: add one line for it (and, if a plain call cannot show
it working, a `send` function that makes a real one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field

import httpx
import pdfkit
import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from conftest import WEB_PASSWORD, WEB_ROLES, LiveServer, WebHome, copy_web_home
from letters import fixity
from letters.settings import Settings
from letters.users import allows

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, *WEB_ROLES)
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
        return open_client(self.server, None if self.role == ANONYMOUS else self.role)


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


def csrf_of(page: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no CSRF field"
    return found.group(1)


@contextmanager
def open_client(server: LiveServer, role: str | None) -> Iterator[httpx.Client]:
    """A client keeping cookies, logged in through the form as the role's user when given."""
    with httpx.Client(base_url=server.url, timeout=60) as http:
        if role:
            done = http.post("/login", data={"csrf": csrf_of(http.get("/login").text),
                                             "name": role,
                                             "password": WEB_PASSWORD.format(role=role)})
            assert done.status_code == 303, done.text
        yield http


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
    with open_client(caller.server, None) as http:
        return http.post(url, data={"csrf": csrf_of(http.get("/login").text), "name": "reader",
                                    "password": WEB_PASSWORD.format(role="reader")})


def log_out(caller: Caller, method: str, url: str) -> httpx.Response:
    with caller.fresh() as http:  # not the shared client: its session must live on
        return http.post(url, data={"csrf": csrf_of(http.get("/login").text)})


RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/openapi.json"): Rule(None),
    ("GET", "/docs"): Rule(None),
    ("GET", "/docs/oauth2-redirect"): Rule(None),
    ("GET", "/docs/openapi.json"): Rule(None),
    ("GET", "/healthz"): Rule(None),
    ("GET", "/login"): Rule(None),
    ("POST", "/login"): Rule(None, 303, log_in),
    ("POST", "/logout"): Rule(None, 303, log_out),
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
    ("GET", "/api/partners/{slug}/exchanges"): Rule("reader"),
    # admins (the change is refused as unknown: a plain call has no action)
    ("GET", "/admin/users"): Rule("admin"),
    ("POST", "/admin/users"): Rule("admin", None),
    ("POST", "/admin/users/{name}"): Rule("admin", None),
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


def verdict(rule: Rule, role: str, open_reading: bool) -> str:
    """'allowed', 'login' (no credentials) or 'forbidden' (the wrong role)."""
    if rule.role is None or (role != ANONYMOUS and allows(role, rule.role)):
        return "allowed"
    if role == ANONYMOUS:
        return "allowed" if open_reading and rule.role == "reader" else "login"
    return "forbidden"


def call(caller: Caller, method: str, path: str, rule: Rule) -> httpx.Response:
    """Call the route as the rule says, with its path parameters filled in."""
    url = rule.url or path.format(**caller.params)
    if rule.send is not None:
        return rule.send(caller, method, url)
    if is_api(path):
        return caller.api(method, url)
    if method == "GET":
        return caller.http.get(url)
    return caller.http.request(method, url, data={"csrf": caller.csrf()})


def check(response: httpx.Response, rule: Rule, expected: str, path: str) -> None:
    """The answer is the one the verdict calls for."""
    status, text = response.status_code, response.text[:300]
    if expected == "allowed":
        if rule.ok is None:
            assert status < 500 and status not in (401, 403), (status, text)
            assert not response.headers.get("location", "").startswith("/login"), text
        else:
            assert status == rule.ok, (status, text)
    elif expected == "login":
        if is_api(path):
            assert status == 401, (status, text)
            assert response.headers["www-authenticate"].startswith("Bearer")
        else:
            assert status == 303, (status, text)
            assert response.headers["location"].startswith("/login?next=%2F")
    else:
        assert status == 403, (status, text)
        assert f"This needs the {rule.role} role" in response.text


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(web_template: WebHome, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[LiveServer, WebHome]]:
    """A server, reading closed, on a copy of the web home checked once for fixity."""
    home = copy_web_home(web_template, tmp_path_factory.mktemp("roles") / "home")
    with LiveServer(Settings(home=home.path)) as server:
        fixity.verify(server.app.state.web.letters, by="setup")
        yield server, home


@pytest.fixture(scope="module")
def callers(site: tuple[LiveServer, WebHome]) -> Iterator[dict[str, Caller]]:
    """One logged-in client per role, and one anonymous."""
    server, home = site
    with ExitStack() as stack:
        yield {role: Caller(server, home, role, stack.enter_context(open_client(
            server, None if role == ANONYMOUS else role)), path_values(home)) for role in ROLES}


@pytest.fixture(scope="module")
def open_site(web_template: WebHome, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[LiveServer, WebHome]]:
    """A server with open reading, on its own copy of the web home."""
    home = copy_web_home(web_template, tmp_path_factory.mktemp("roles-open") / "home")
    with LiveServer(Settings(home=home.path, open_reading=True)) as server:
        fixity.verify(server.app.state.web.letters, by="setup")
        yield server, home


# -- tests --------------------------------------------------------------------------------------
def test_every_route_has_a_rule(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    served = app_routes(server)
    assert sorted(served - RULES.keys()) == [], "routes without a line in RULES"
    assert sorted(RULES.keys() - served) == [], "lines of RULES for routes that do not exist"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(RULES), ids=lambda r: f"{r[0]} {r[1]}")
def test_role_matrix(callers: dict[str, Caller], route: tuple[str, str], role: str) -> None:
    method, path = route
    rule = RULES[route]
    response = call(callers[role], method, path, rule)
    check(response, rule, verdict(rule, role, open_reading=False), path)


def test_open_reading_opens_reading_and_nothing_else(open_site: tuple[LiveServer, WebHome]
                                                     ) -> None:
    server, home = open_site
    with open_client(server, None) as http:
        caller = Caller(server, home, ANONYMOUS, http, path_values(home))
        opened = []
        for (method, path), rule in sorted(RULES.items()):
            expected = verdict(rule, ANONYMOUS, open_reading=True)
            check(call(caller, method, path, rule), rule, expected, path)
            if rule.role == "reader":
                opened.append(path)
    assert "/" in opened and "/api/letters/{letter_id}/pdf" in opened


def test_static_files_are_public(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with open_client(server, None) as http:
        assert http.get("/static/letters.css").status_code == 200
        assert http.get("/static/letters.js").status_code == 200
        assert http.get("/static/no-such-file.css").status_code == 404
