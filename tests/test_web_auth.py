"""Who may do what over real HTTP: bearer tokens and the role each page and endpoint needs."""

from __future__ import annotations

import httpx
import pytest

from support.api import assert_error, client, new_pdf
from support.server import LiveServer
from support.web import browser, text_of
from support.webhome import WEB_ROLES, WebHome

READING = [("GET", "/api/search?q=partnership"), ("GET", "/api/letters/{id}"),
           ("GET", "/api/letters/{id}/pdf"), ("GET", "/api/partners"),
           ("GET", "/api/partners/cloudflare")]
AUDITING = [("GET", "/api/audit"), ("GET", "/api/partners/cloudflare/export")]


def test_roles_guard_the_pages(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with browser(server, "reader") as http:
        upload = http.get("/upload")
        assert upload.status_code == 403
        assert "This needs the archivist role; reader is a reader." in text_of(upload.text)
        french = http.get("/upload?lang=fr")  # the role needed and the role held, said in French
        assert french.status_code == 403
        assert "Il faut pour cela le rôle archiviste ; reader est lecteur." in text_of(french.text)
        assert "needs" not in text_of(french.text)
        http.get("/?lang=en")
        letter = http.get(f"/letters/{home.ids['google-out.pdf']}").text
        assert "Correct the record" not in letter and 'href="/upload"' not in letter
    with browser(server, "auditor") as http:
        assert http.get("/upload").status_code == 403
        partner = http.get("/partners/cloudflare").text
        assert "/api/partners/cloudflare/export" in partner
    with browser(server, "archivist") as http:
        assert http.get("/upload").status_code == 200
        assert "/api/partners/cloudflare/export" not in http.get("/partners/cloudflare").text


@pytest.mark.parametrize(("method", "path"), READING + AUDITING + [
    ("POST", "/api/letters"), ("PATCH", "/api/letters/{id}")])
def test_no_credentials_is_401(reading: tuple[LiveServer, WebHome], method: str,
                               path: str) -> None:
    server, home = reading
    with client(server, home, None) as http:
        response = http.request(method, path.format(id=home.ids["google-out.pdf"]))
    assert_error(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_bad_or_revoked_token_is_401(writing: tuple[LiveServer, WebHome]) -> None:
    server, home = writing
    with httpx.Client(base_url=server.url) as http:
        made_up = http.get("/api/partners", headers={"Authorization": "Bearer lt_made-up"})
        assert "not valid" in assert_error(made_up, 401)
        basic = http.get("/api/partners", headers={"Authorization": "Basic YTpi"})
        assert "Bearer" in assert_error(basic, 401)
    server.app.state.web.users.revoke_tokens("reader", by="test")
    with client(server, home, "reader") as http:
        assert_error(http.get("/api/partners"), 401)


@pytest.mark.parametrize("role", WEB_ROLES)
def test_every_role_reads(reading: tuple[LiveServer, WebHome], role: str) -> None:
    server, home = reading
    with client(server, home, role) as http:
        for method, path in READING:
            response = http.request(method, path.format(id=home.ids["google-out.pdf"]))
            assert response.status_code == 200, (path, response.text)


@pytest.mark.parametrize(("role", "allowed"), [
    ("reader", False), ("archivist", True), ("auditor", False), ("admin", True)])
def test_upload_and_correct_need_the_archivist_role(writing: tuple[LiveServer, WebHome],
                                                    role: str, allowed: bool) -> None:
    server, home = writing
    letter_id = home.ids["google-out.pdf"]
    with client(server, home, role) as http:
        posted = http.post("/api/letters", files={"file": ("x.pdf", new_pdf(role))})
        patched = http.patch(f"/api/letters/{letter_id}", json={"title": f"Checked by {role}"})
    if allowed:
        assert posted.status_code == 201, posted.text
        assert patched.status_code == 200 and patched.json()["title"] == f"Checked by {role}"
    else:
        assert f"needs the archivist role; {role} is" in assert_error(posted, 403)
        assert_error(patched, 403)
        assert server.app.state.web.letters.get(letter_id).title != f"Checked by {role}"


@pytest.mark.parametrize(("role", "allowed"), [
    ("reader", False), ("archivist", False), ("auditor", True), ("admin", True)])
def test_audit_and_export_need_the_auditor_role(reading: tuple[LiveServer, WebHome], role: str,
                                                allowed: bool) -> None:
    server, home = reading
    with client(server, home, role) as http:
        for method, path in AUDITING:
            response = http.request(method, path)
            if allowed:
                assert response.status_code == 200, response.text
            else:
                assert "needs the auditor role" in assert_error(response, 403)
