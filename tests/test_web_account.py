"""Each user's own account page over real HTTP: their password and their own API tokens."""

from __future__ import annotations

import re

import httpx

from letters.preservation import audit
from support.server import LiveServer
from support.web import browser, csrf_of, text_of, try_login
from support.webhome import WEB_PASSWORD, WebHome

Fresh = tuple[LiveServer, WebHome]


def api(server: LiveServer, token: str) -> int:
    return httpx.get(f"{server.url}/api/partners", timeout=60,
                     headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_user_makes_names_and_revokes_their_own_tokens(fresh: Fresh) -> None:
    server, home = fresh
    with browser(server, "reader") as http:
        page = http.get("/account")
        assert page.status_code == 200
        assert "You are signed in as reader, with the role reader." in text_of(page.text)
        made = http.post("/account/tokens", data={"csrf": csrf_of(page.text),
                                                  "label": "weekly report"})
        assert made.status_code == 200
        token = re.search(r'id="new-token" value="(lt_[^"]+)"', made.text)
        assert token, "the new token is shown"
        assert "shown only once" in text_of(made.text)
        assert api(server, token.group(1)) == 200
        again = http.get("/account")
        assert token.group(1) not in again.text  # shown once only
        listed = text_of(again.text)
        assert "weekly report" in listed and "last used" in listed and "never" in listed
        token_id = re.findall(r'name="token" value="([0-9a-f]+)"', again.text)
        assert len(token_id) == 2  # the setup's token and the new one
        events = audit.events(home.path / "archive")
        assert events[-1]["action"] == "token_created" and events[-1]["who"] == "reader"
        assert events[-1]["what"]["label"] == "weekly report"
        newest = events[-1]["what"]["token"]
        gone = http.post("/account/tokens/revoke", data={"csrf": csrf_of(again.text),
                                                         "token": newest})
        assert gone.status_code == 303
        assert "the token is revoked" in text_of(http.get(gone.headers["location"]).text)
        assert api(server, token.group(1)) == 401
        assert api(server, home.tokens["reader"]) == 200  # the other token is untouched
        french = text_of(http.get("/account?lang=fr").text)
        assert "Vos jetons d’API" in french and "avec le rôle lecteur" in french


def test_a_user_changes_their_own_password(fresh: Fresh) -> None:
    server, _ = fresh
    old = WEB_PASSWORD.format(role="archivist")
    with browser(server, "archivist") as http, browser(server, "archivist") as elsewhere:
        page = http.get("/account")
        wrong = http.post("/account/password", data={"csrf": csrf_of(page.text),
                                                     "current": "not it at all",
                                                     "password": "a brand new passphrase"})
        assert wrong.status_code == 422
        assert 'id="current-error"' in wrong.text and 'aria-invalid="true"' in wrong.text
        assert "That is not your current password." in text_of(wrong.text)
        weak = http.post("/account/password", data={"csrf": csrf_of(page.text), "current": old,
                                                    "password": "aaaaaaaa"})
        assert weak.status_code == 422 and 'id="password-error"' in weak.text
        done = http.post("/account/password", data={"csrf": csrf_of(page.text), "current": old,
                                                    "password": "a brand new passphrase"})
        assert done.status_code == 303
        assert http.get("/account").status_code == 200  # this session goes on
        assert elsewhere.get("/account").status_code == 303  # the other one has ended
    with httpx.Client(base_url=server.url, timeout=60) as http:
        assert try_login(http, "archivist", old).status_code == 401
        assert try_login(http, "archivist", "a brand new passphrase").status_code == 303


def test_the_account_page_needs_a_login(fresh: Fresh) -> None:
    server, _ = fresh
    with browser(server) as http:
        answer = http.get("/account")
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
