"""Every route of the application against every role, over real HTTP.

support.roles.RULES names, for each route the application has, the least role it needs and what a permitted
call answers. The routes are read from the application itself, so a new route without its line in
RULES fails `test_every_route_has_a_rule`: add one line for it (and, if a plain call cannot show
it working, a `send` function that makes a real one).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from letters.settings import Settings
from letters.users import allows
from support.roles import ANONYMOUS, RULES, Caller, Rule, app_routes, is_api, path_values
from support.server import LiveServer
from support.web import browser
from support.webhome import WEB_ROLES, WebHome, copy_web_home

ROLES = (ANONYMOUS, *WEB_ROLES)


def verdict(rule: Rule, role: str, open_reading: bool) -> str:
    """'allowed', 'login' (no credentials) or 'forbidden' (the wrong role)."""
    if rule.role is None or (role != ANONYMOUS and allows(role, rule.role)):
        return "allowed"
    if role == ANONYMOUS:
        return "allowed" if open_reading and rule.role == "reader" and not rule.login else "login"
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
        server.app.state.web.letters.verify(by="setup")
        yield server, home


@pytest.fixture(scope="module")
def callers(site: tuple[LiveServer, WebHome]) -> Iterator[dict[str, Caller]]:
    """One logged-in client per role, and one anonymous."""
    server, home = site
    with ExitStack() as stack:
        yield {role: Caller(server, home, role, stack.enter_context(browser(
            server, None if role == ANONYMOUS else role)), path_values(home)) for role in ROLES}


@pytest.fixture(scope="module")
def open_site(web_template: WebHome, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[LiveServer, WebHome]]:
    """A server with open reading, on its own copy of the web home."""
    home = copy_web_home(web_template, tmp_path_factory.mktemp("roles-open") / "home")
    with LiveServer(Settings(home=home.path, open_reading=True)) as server:
        server.app.state.web.letters.verify(by="setup")
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
    with browser(server, None) as http:
        caller = Caller(server, home, ANONYMOUS, http, path_values(home))
        opened = []
        for (method, path), rule in sorted(RULES.items()):
            expected = verdict(rule, ANONYMOUS, open_reading=True)
            check(call(caller, method, path, rule), rule, expected, path)
            if rule.role == "reader" and not rule.login:
                opened.append(path)
    assert "/" in opened and "/api/letters/{letter_id}/pdf" in opened


def test_static_files_are_public(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, None) as http:
        assert http.get("/static/letters.css").status_code == 200
        assert http.get("/static/letters.js").status_code == 200
        assert http.get("/static/no-such-file.css").status_code == 404
