"""Logging in over real HTTP: sessions in cookies, CSRF on forms and on the API, logout,
throttled failures, and open reading."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pdfkit

from letters.preservation import audit
from letters.settings import Settings
from support.api import assert_error
from support.server import LiveServer
from support.web import browser, csrf_of, text_of
from support.webhome import WEB_PASSWORD, WebHome, copy_web_home

OPEN_BANNER = "Open reading: anyone who can reach this site"


def test_reading_needs_a_login_by_default(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with browser(server) as http:
        for path in ("/", "/?q=privacy", f"/letters/{home.ids['google-out.pdf']}", "/partners",
                     "/secretaries-general", "/upload"):
            response = http.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=%2F")
        assert http.get("/login").status_code == 200


def test_login_sets_a_safe_cookie_and_returns_to_the_page(site: tuple[LiveServer, WebHome]
                                                          ) -> None:
    server, _ = site
    with browser(server) as http:
        form = http.get("/login?next=/partners").text
        assert 'name="next" value="/partners"' in form
        response = http.post("/login", data={"csrf": csrf_of(form), "name": "reader",
                                             "password": WEB_PASSWORD.format(role="reader"),
                                             "next": "/partners"})
        assert response.status_code == 303 and response.headers["location"] == "/partners"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("letters_session=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie
        page = http.get("/partners")
        assert page.status_code == 200 and "Signed in as reader (reader)" in text_of(page.text)
    events = audit.events(server.app.state.web.letters.settings.archive_dir)
    assert events[-1]["action"] == "login" and events[-1]["who"] == "reader"
    assert events[-1]["address"] == "127.0.0.1"


def test_next_cannot_leave_the_site(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server) as http:
        for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
            form = http.get("/login").text
            response = http.post("/login", data={
                "csrf": csrf_of(form), "name": "reader", "next": target,
                "password": WEB_PASSWORD.format(role="reader")})
            assert response.headers["location"] == "/", target


def test_wrong_password_is_refused_and_audited(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server) as http:
        form = http.get("/login").text
        response = http.post("/login", data={"csrf": csrf_of(form), "name": "reader",
                                             "password": "not the password"})
        assert response.status_code == 401
        assert "The user name or the password is not right." in text_of(response.text)
        assert "letters_session" not in response.headers.get("set-cookie", "")
        assert http.get("/").status_code == 303
    events = audit.events(server.app.state.web.letters.settings.archive_dir)
    assert events[-1]["action"] == "login_failed" and events[-1]["what"] == {"user": "reader"}


def test_forms_without_the_csrf_token_are_refused(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server) as http:
        http.get("/login")
        for data in ({}, {"csrf": "forged"}):
            response = http.post("/login", data={"name": "reader", **data,
                                                 "password": WEB_PASSWORD.format(role="reader")})
            assert response.status_code == 403
            assert "The form has expired or did not come from this site" in response.text
    with browser(server, "archivist") as http:
        assert http.post("/logout", data={"csrf": "forged"}).status_code == 403
        assert http.get("/upload").status_code == 200  # still logged in
        before = len(list(server.app.state.web.letters.archive.records()))
        letter = pdfkit.text_pdf([["A letter sent by a forged form."]])
        refused = http.post("/upload", files={"file": ("x.pdf", letter)})
        assert refused.status_code == 403
        assert len(list(server.app.state.web.letters.archive.records())) == before


def test_logout_ends_the_session(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "reader") as http:
        page = http.get("/").text
        cookie = http.cookies["letters_session"]
        response = http.post("/logout", data={"csrf": csrf_of(page)})
        assert response.status_code == 303 and response.headers["location"] == "/"
        assert http.get("/").status_code == 303
    with httpx.Client(base_url=server.url, cookies={"letters_session": cookie}) as replay:
        assert replay.get("/").status_code == 303  # the old cookie opens nothing
    events = audit.events(server.app.state.web.letters.settings.archive_dir)
    assert events[-1]["action"] == "logout"


def test_a_tampered_cookie_opens_nothing(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "reader") as http:
        value = http.cookies["letters_session"]
    session_id, _, rest = value.partition(".")
    forged = session_id[:-1] + ("A" if session_id[-1] != "A" else "B") + "." + rest
    with httpx.Client(base_url=server.url, cookies={"letters_session": forged}) as http:
        assert http.get("/").status_code == 303


def test_many_failed_logins_are_throttled(fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    with browser(server) as http:
        statuses = []
        for _ in range(11):
            form = http.get("/login").text
            statuses.append(http.post("/login", data={"csrf": csrf_of(form), "name": "reader",
                                                      "password": "guess"}).status_code)
        form = http.get("/login").text
        right = http.post("/login", data={"csrf": csrf_of(form), "name": "reader",
                                          "password": WEB_PASSWORD.format(role="reader")})
    assert statuses == [401] * 10 + [429]
    assert right.status_code == 429 and "Too many failed logins" in right.text


def test_open_reading_is_open_and_says_so(web_template: WebHome, tmp_path: Path) -> None:
    home = copy_web_home(web_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path, open_reading=True)) as server, \
            browser(server) as http:
        assert "set-cookie" not in http.get("/partners").headers  # reading leaves no cookie
        for path in ("/", "/?q=privacy", f"/letters/{home.ids['google-out.pdf']}", "/partners",
                     "/partners/cloudflare", "/secretaries-general", "/login", "/nowhere"):
            response = http.get(path)
            assert response.status_code in (200, 404), path
            assert OPEN_BANNER in text_of(response.text), path
        assert http.get(f"/letters/{home.ids['google-out.pdf']}/original.pdf").status_code == 200
        assert http.get("/api/search").status_code == 200
        assert http.get("/upload").status_code == 303  # writing still needs a login
        assert http.get("/api/audit").status_code == 401
    with LiveServer(Settings(home=home.path)) as closed, browser(closed, "reader") as http:
        assert OPEN_BANNER not in text_of(http.get("/").text)


def test_cookie_sessions_need_the_csrf_header(writing: tuple[LiveServer, WebHome]) -> None:
    server, home = writing
    letter_id = home.ids["google-out.pdf"]
    with httpx.Client(base_url=server.url, timeout=60) as http:
        form = http.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        logged_in = http.post("/login", data={"csrf": csrf, "name": "archivist",
                                              "password": WEB_PASSWORD.format(role="archivist")})
        assert logged_in.status_code == 303
        assert http.get(f"/api/letters/{letter_id}").status_code == 200
        refused = http.patch(f"/api/letters/{letter_id}", json={"title": "No token"})
        assert "form has expired" in assert_error(refused, 403)
        page = http.get(f"/letters/{letter_id}").text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        accepted = http.patch(f"/api/letters/{letter_id}", json={"title": "With token"},
                              headers={"X-CSRF-Token": token})
        assert accepted.status_code == 200 and accepted.json()["title"] == "With token"


def test_the_logout_address_offers_the_button(fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    with browser(server, "reader") as http:
        page = http.get("/logout")
        assert page.status_code == 200
        assert "You are signed in as reader. Log out here:" in text_of(page.text)
        out = http.post("/logout", data={"csrf": csrf_of(page.text)})
        assert out.status_code == 303
        after = http.get("/logout?lang=fr")
        assert after.status_code == 200 and "Vous n’êtes pas connecté." in text_of(after.text)
        assert http.head("/logout").status_code == 200
