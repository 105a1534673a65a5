"""Hardening over real HTTP: headers on every answer, CSRF on every form, login throttling per
account and per address, sessions that expire, escaping, and a server that binds locally.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from itsdangerous import TimestampSigner

from letters.cli import build_parser
from letters.preservation import audit
from letters.users import secret_key
from letters.web import saying
from letters.web.auth import CSRF_MESSAGE, SESSION_COOKIE
from support.roles import RULES, app_routes, is_api, path_values
from support.server import LiveServer
from support.web import browser, from_address, text_of, try_login
from support.webhome import WEB_PASSWORD, WebHome

WEB = Path(__file__).resolve().parents[1] / "src" / "letters" / "web"
CHANGING = ("POST", "PUT", "PATCH", "DELETE")


# -- headers ------------------------------------------------------------------------------------
def assert_hardened(response: httpx.Response, what: str) -> None:
    """The headers every answer must carry."""
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("x-frame-options") == "DENY", what
    assert headers.get("referrer-policy") == "same-origin", what
    policy = headers.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], what
    assert "'self'" in directives.get("script-src", []), what
    assert "'unsafe-inline'" not in directives["script-src"], what
    assert "'unsafe-eval'" not in directives["script-src"], what
    assert directives.get("object-src") == ["'none'"], what
    assert "cache-control" in headers, what


def test_every_kind_of_answer_carries_the_security_headers(site: tuple[LiveServer, WebHome]
                                                           ) -> None:
    server, home = site
    letter = home.ids["google-out.pdf"]
    token = {"Authorization": f"Bearer {home.tokens['reader']}"}
    with browser(server, "reader") as http:
        answers = {
            "search page": http.get("/?q=partnership"),
            "letter page": http.get(f"/letters/{letter}"),
            "original": http.get(f"/letters/{letter}/original.pdf"),
            "login redirect": httpx.get(f"{server.url}/partners"),
            "403 page": http.get("/upload"),
            "404 page": http.get("/letters/unknown"),
            "405 page": http.put("/partners"),
            "400 page": http.get("/?from=yesterday"),
            "static css": http.get("/static/letters.css"),
            "static 404": http.get("/static/nothing.css"),
            "api": httpx.get(f"{server.url}/api/search?q=privacy", headers=token),
            "api 401": httpx.get(f"{server.url}/api/search"),
            "api 404": httpx.get(f"{server.url}/api/letters/unknown", headers=token),
            "api 400": httpx.get(f"{server.url}/api/search?q=%22open", headers=token),
            "api pdf": httpx.get(f"{server.url}/api/letters/{letter}/pdf", headers=token),
            "healthz": httpx.get(f"{server.url}/healthz"),
            "openapi": httpx.get(f"{server.url}/openapi.json"),
            "docs": httpx.get(f"{server.url}/docs"),
            "docs redirect": httpx.get(f"{server.url}/docs/oauth2-redirect"),
        }
    assert answers["404 page"].status_code == 404 and answers["405 page"].status_code == 405
    assert answers["api 401"].status_code == 401 and answers["api 400"].status_code == 400
    for what, response in answers.items():
        assert_hardened(response, what)
    for what in ("search page", "letter page", "api", "403 page"):
        policy = answers[what].headers["content-security-policy"]
        assert "script-src 'self';" in policy and "default-src 'self'" in policy, what
    assert answers["static css"].headers["cache-control"].startswith("public")
    assert answers["letter page"].headers["cache-control"] == "no-store"


def test_the_api_documentation_runs_only_its_own_inline_scripts(site: tuple[LiveServer, WebHome]
                                                                ) -> None:
    server, _ = site
    for path in ("/docs", "/docs/oauth2-redirect"):
        response = httpx.get(f"{server.url}{path}")
        scripts = re.findall(r"<script>(.*?)</script>", response.text, re.S)
        assert scripts, path
        policy = response.headers["content-security-policy"]
        for script in scripts:
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy, path
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_a_server_error_carries_the_security_headers_too(fresh: tuple[LiveServer, WebHome]
                                                         ) -> None:
    server, home = fresh
    letter = home.ids["google-out.pdf"]
    record = server.app.state.web.letters.archive.original_path(letter).parent / "record.json"
    record.write_text("{ not json", encoding="utf-8")
    token = {"Authorization": f"Bearer {home.tokens['reader']}"}
    with browser(server, "reader") as http:
        page = http.get(f"/letters/{letter}")
    api = httpx.get(f"{server.url}/api/letters/{letter}", headers=token)
    assert page.status_code == 500 and api.status_code == 500
    assert "Traceback" not in page.text and set(api.json()) == {"detail"}
    assert_hardened(page, "500 page")
    assert_hardened(api, "500 api")
    assert page.headers["cache-control"] == "no-store"


# -- CSRF ---------------------------------------------------------------------------------------
def forms(server: LiveServer) -> list[tuple[str, str]]:
    """Every route that changes something and answers a form (not the JSON API)."""
    return sorted((m, p) for m, p in app_routes(server) if m in CHANGING and not is_api(p))


def test_every_form_refuses_a_post_without_its_csrf_token(site: tuple[LiveServer, WebHome]
                                                          ) -> None:
    server, home = site
    values = path_values(home)
    posted = forms(server)
    assert ("POST", "/upload") in posted and ("POST", "/fixity") in posted
    log = server.app.state.web.letters.settings.archive_dir / audit.LOG
    for method, path in posted:
        rule = RULES[(method, path)]
        url = rule.url or path.format(**values)
        with browser(server, rule.role) as http:
            http.get("/login")  # a visitor gets a CSRF cookie with the page of a form
            before = log.read_bytes()
            for fields in ({"note": (None, "1")}, {"csrf": (None, "forged"), "note": (None, "1")}):
                multipart = http.request(method, url, files=fields)
                plain = http.request(method, url, data={k: v[1] for k, v in fields.items()})
                for response in (multipart, plain):
                    if (method, path) == ("POST", "/upload") and response is plain:
                        assert response.status_code == 415  # a file upload must be multipart
                        continue
                    assert response.status_code == 403, (path, response.status_code)
                    assert CSRF_MESSAGE in response.text.replace("&#39;", "'"), path
            assert log.read_bytes() == before, f"{path} recorded an event for a refused form"


def test_cookie_sessions_need_the_csrf_header_on_every_changing_api_call(
        site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    values = path_values(home)
    calls = sorted((m, p) for m, p in app_routes(server) if m in CHANGING and is_api(p))
    assert ("POST", "/api/letters") in calls and ("POST", "/api/fixity") in calls
    log = server.app.state.web.letters.settings.archive_dir / audit.LOG
    with browser(server, "admin") as http:
        before = log.read_bytes()
        for method, path in calls:
            url = RULES[(method, path)].url or path.format(**values)
            for headers in ({}, {"X-CSRF-Token": "forged"}):
                response = http.request(method, url, json={}, headers=headers)
                assert response.status_code == 403, (path, response.status_code, response.text)
                assert response.json()["detail"] == CSRF_MESSAGE
        assert log.read_bytes() == before


# -- logins -------------------------------------------------------------------------------------
def test_failed_logins_are_slowed_per_account_from_any_address(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    statuses = []
    for n in range(10):  # ten guesses at the reader's password, from five addresses
        with from_address(server, f"127.0.0.{2 + n % 5}") as http:
            statuses.append(try_login(http, "reader", f"guess {n}").status_code)
    with from_address(server, "127.0.0.9") as http:
        blocked = try_login(http, "reader", WEB_PASSWORD.format(role="reader"))
        other = try_login(http, "archivist", WEB_PASSWORD.format(role="archivist"))
    assert statuses == [401] * 10
    assert blocked.status_code == 429
    assert "Too many failed logins for this user name" in blocked.text
    assert SESSION_COOKIE not in blocked.headers.get("set-cookie", "")
    assert other.status_code == 303  # the address and the other accounts are not blocked
    addresses = {e["address"] for e in audit.events(
        server.app.state.web.letters.settings.archive_dir) if e["action"] == "login_failed"}
    assert addresses == {f"127.0.0.{n}" for n in range(2, 7)}


def test_failed_logins_are_slowed_per_address_whatever_the_name(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    with from_address(server, "127.0.0.20") as http:
        statuses = [try_login(http, f"user{n}", "guess").status_code for n in range(10)]
        blocked = try_login(http, "reader", WEB_PASSWORD.format(role="reader"))
    with from_address(server, "127.0.0.21") as http:
        elsewhere = try_login(http, "reader", WEB_PASSWORD.format(role="reader"))
    assert statuses == [401] * 10
    assert blocked.status_code == 429 and "Too many failed logins from your address" in blocked.text
    assert elsewhere.status_code == 303


def test_a_huge_user_name_is_cut_before_it_is_logged(fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    with browser(server, None) as http:
        assert try_login(http, "x" * 100_000, "guess").status_code == 401
    event = audit.events(server.app.state.web.letters.settings.archive_dir)[-1]
    assert event["action"] == "login_failed"
    assert event["who"] == "x" * 100 and event["what"] == {"user": "x" * 100}


# -- sessions -----------------------------------------------------------------------------------
def test_a_session_past_its_time_opens_nothing(fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    state = server.app.state.web
    seconds = state.letters.settings.session_seconds
    # a session whose end has passed on the server, in a cookie signed just now
    expired_id, _ = state.sessions.start("auditor", now=time.time() - seconds - 60)
    # a live session in a cookie whose signature dates from longer ago than a session lasts
    live_id, _ = state.sessions.start("auditor")
    old_signer = TimestampSigner(secret_key(state.letters.settings), salt="letters-session")
    old_signer.get_timestamp = lambda: int(time.time()) - seconds - 60  # type: ignore[method-assign]
    cookies = {"expired on the server": state.signer.sign(expired_id).decode(),
               "cookie too old": old_signer.sign(live_id).decode(),
               "live": state.signer.sign(live_id).decode()}
    answers = {}
    for what, value in cookies.items():
        with httpx.Client(base_url=server.url, cookies={SESSION_COOKIE: value}) as http:
            answers[what] = http.get("/audit")
    assert answers["live"].status_code == 200  # the cookies are well made: only time refuses
    for what in ("expired on the server", "cookie too old"):
        assert answers[what].status_code == 303, what
        assert answers[what].headers["location"] == "/login?next=%2Faudit", what
    with browser(server, "reader") as http:
        cookie = next(c for c in http.cookies.jar if c.name == SESSION_COOKIE)
    assert cookie.expires is not None and cookie.expires - time.time() <= seconds


# -- escaping -----------------------------------------------------------------------------------
#: Every place that bypasses autoescaping, and why it is safe. A new one fails the test below.
UNESCAPED = {
    ("highlight.py", 'Markup("".join(pieces))'): "escaped text and literal <mark> tags (letter "
                                                   "text, snippets)",
}


def test_nothing_bypasses_escaping_but_the_known_places() -> None:
    found = set()
    for path in sorted(WEB.rglob("*")):
        if path.suffix not in (".py", ".html"):
            continue
        text = path.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", ""), f"{path.name} marks a value safe"
        assert "autoescape false" not in text and "autoescape=False" not in text, path.name
        for call in re.findall(r"Markup\((?:[^()]|\([^()]*\))*\)", text):
            found.add((path.name, call))
    assert found == set(UNESCAPED)


def test_serve_binds_the_loopback_address_unless_told(tmp_path: Path) -> None:
    args = build_parser().parse_args(["serve", "--home", str(tmp_path)])
    assert args.host == "127.0.0.1"
    told = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert (told.host, told.port) == ("0.0.0.0", 9000)


def test_security_headers(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server) as http:
        response = http.get("/login")
        css = http.get("/static/letters.css")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in response.text and ' style="' not in response.text  # CSP-ready
    assert css.status_code == 200 and "@media print" in css.text
    assert css.headers["cache-control"].startswith("public")


# -- the cost of what a client sends ------------------------------------------------------------
#: 3 KB that a matcher with backtracking reads in cubic time against "Letter from {sg_part}{signer},
#: to {who}, Strasbourg, {when}" (16 s a request, holding the GIL, before messages had codes).
CRAFTED = "Letter from " + ", to " * 500


@pytest.mark.timeout(60)  # a guard only: the bound is the work counted below
def test_a_crafted_identifier_is_said_in_french_by_its_code_never_matched(
        site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    table = saying.catalog("fr")
    before = table.scanned
    with browser(server, "reader") as http:
        api = http.get(f"/api/partners/{quote(CRAFTED)}", headers={"Accept-Language": "fr"})
        page = http.get(f"/partners/{quote(CRAFTED)}", params={"lang": "fr"})
        image = http.get(f"/letters/{quote(CRAFTED)}/pages/1.png", params={"lang": "fr"})
        sg = http.get(f"/secretaries-general/{quote(CRAFTED)}", params={"lang": "fr"})
    assert api.status_code == 404 and api.json() == {
        "detail": f"Aucun partenaire n’a l’identifiant « {CRAFTED} ».", "code": "missing.partner"}
    assert page.status_code == 404
    assert f"Aucun partenaire n’a l’identifiant « {CRAFTED.strip()} »" in text_of(page.text)
    assert image.status_code == 404
    assert f"Aucune lettre n’a l’identifiant « {CRAFTED.strip()} »" in text_of(image.text)
    assert sg.status_code == 404
    assert f"Aucun Secrétaire Général n’a l’identifiant « {CRAFTED.strip()} »" in text_of(sg.text)
    assert table.scanned == before  # said by their codes: nothing was matched against the catalog


@pytest.mark.timeout(60)  # a guard only: the bound is the work counted below
def test_a_crafted_stored_title_is_shown_in_french_at_a_bounded_cost(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    app = server.app.state.web.letters
    letter_id = home.ids["cloudflare-out.pdf"]
    title = CRAFTED[:1500]
    app.correct(letter_id, {"title": title}, by="archivist")
    table = saying.catalog("fr")
    before = table.scanned
    with browser(server, "reader") as http:
        page = http.get(f"/letters/{letter_id}", params={"lang": "fr"})
    assert page.status_code == 200
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page.text, re.S)
    assert heading is not None and html.unescape(heading.group(1)).strip() == title.strip()
    # the history shows the title's change, looked for among the catalog's sentences: each of the
    # few sentences a page says is read a bounded number of times, whatever it holds
    assert table.scanned - before <= 10 * saying.DEPTH * len(table.patterns) * len(title)
