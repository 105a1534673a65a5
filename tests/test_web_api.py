"""The JSON API over real HTTP (uvicorn on 127.0.0.1): every endpoint, every error, every role."""

from __future__ import annotations

import io
import json
import re
import socket
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pdfkit
import pypdf
import pytest

from letters import audit
from letters.settings import Settings
from support.server import LiveServer
from support.webhome import WEB_PASSWORD, WEB_ROLES, WebHome, copy_web_home

LIMIT = 256 * 1024
READING = [("GET", "/api/search?q=partnership"), ("GET", "/api/letters/{id}"),
           ("GET", "/api/letters/{id}/pdf"), ("GET", "/api/partners"),
           ("GET", "/api/partners/cloudflare")]
AUDITING = [("GET", "/api/audit"), ("GET", "/api/partners/cloudflare/export")]


@pytest.fixture(scope="module")
def reading(web_template: WebHome, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[LiveServer, WebHome]]:
    """A server on a copy of the web home that no test of this module changes."""
    home = copy_web_home(web_template, tmp_path_factory.mktemp("api-reading") / "home")
    with LiveServer(Settings(home=home.path, max_upload_bytes=LIMIT)) as server:
        yield server, home


@pytest.fixture
def writing(web_template: WebHome, tmp_path: Path) -> Iterator[tuple[LiveServer, WebHome]]:
    """A server on a fresh copy of the web home, for one test that changes it."""
    home = copy_web_home(web_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path, max_upload_bytes=LIMIT)) as server:
        yield server, home


def client(server: LiveServer, home: WebHome, role: str | None) -> httpx.Client:
    """An HTTP client with the role's bearer token (none for None)."""
    headers = {"Authorization": f"Bearer {home.tokens[role]}"} if role else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=60)


def new_pdf(tag: str) -> bytes:
    """A one-page letter no other test uploads."""
    return pdfkit.text_pdf([["**COUNCIL OF EUROPE", "The Secretary General", "",
                             "Strasbourg, 17 November 2020", "", "Mr Example", "IBM", "",
                             f"A letter for the test {tag}.", "", "Marija Pejčinović Burić",
                             "Secretary General"]])


def assert_error(response: httpx.Response, status: int) -> str:
    """The response is a JSON error with that status and one plain sentence."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in response.text and "\n" not in body["detail"]
    return str(body["detail"])


# -- the open endpoints ------------------------------------------------------------------------
def test_health_openapi_and_docs_need_no_login(reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    with client(server, home, None) as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        schema = http.get("/openapi.json").json()
        paths = schema["paths"]
        assert set(paths["/api/letters/{letter_id}"]) == {"get", "patch"}
        assert set(paths["/api/letters"]) == {"post"}
        for path in ("/api/search", "/api/letters/{letter_id}/pdf", "/api/partners",
                     "/api/partners/{slug}", "/api/partners/{slug}/export", "/api/audit",
                     "/healthz"):
            assert "get" in paths[path], path
        assert not any(p.startswith(("/letters", "/upload", "/login")) for p in paths)
        docs = http.get("/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()


# -- roles ---------------------------------------------------------------------------------------
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


# -- search --------------------------------------------------------------------------------------
def test_search_returns_records_snippets_and_facets(reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    with client(server, home, "reader") as http:
        found = http.get("/api/search", params={"q": "cybercrime"}).json()
    assert (found["total"], found["page"], found["per_page"]) == (1, 1, 20)
    [hit] = found["hits"]
    assert hit["id"] == home.ids["google-out.pdf"] and hit["partner"] == "google"
    assert "<mark>cybercrime</mark>" in hit["snippet"]
    for key in ("partner", "signatory", "year", "language"):
        assert key in found["facets"]
    assert found["facets"]["partner"] == {"google": 1}


def test_errors_are_english_with_their_code_unless_french_is_asked_for(
        reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    with client(server, home, "reader") as http:
        english = http.get("/api/search", params={"q": '"open'})
        french = http.get("/api/search", params={"q": '"open'},
                          headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"})
        missing = http.get("/api/letters/0000000000000000", headers={"Accept-Language": "fr"})
    assert assert_error(english, 400) == 'unbalanced quote: a phrase needs a closing "'
    assert english.json()["code"] == "query.unbalanced_quote"
    assert assert_error(french, 400) == ("guillemet non fermé : une expression entre guillemets "
                                         "doit être refermée par \"")
    assert french.json()["code"] == "query.unbalanced_quote"
    assert assert_error(missing, 404) == "Aucune lettre n’a l’identifiant « 0000000000000000 »."
    assert "code" not in missing.json()  # a sentence of the web layer: no code


def test_search_filters_sort_and_pages(reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    with client(server, home, "reader") as http:
        everything = http.get("/api/search").json()  # no query: by date, oldest first
        dates = [h["date"] for h in everything["hits"]]
        assert everything["total"] == 4 and dates == sorted(dates)
        by_relevance = http.get("/api/search", params={"sort": "relevance"}).json()
        assert by_relevance["total"] == 4
        newest = http.get("/api/search", params={"sort": "-date"}).json()
        assert [h["date"] for h in newest["hits"]] == sorted(dates, reverse=True)
        cloudflare = http.get("/api/search", params={"partner": "cloudflare"}).json()
        assert {h["direction"] for h in cloudflare["hits"]} == {"outgoing", "incoming"}
        french = http.get("/api/search", params={"language": "fr", "signatory": ""}).json()
        assert [h["partner"] for h in french["hits"]] == ["ripe-ncc"]
        dated = http.get("/api/search", params={"from": "2018-01-01", "to": "2018-12-31"}).json()
        assert {h["date"][:4] for h in dated["hits"]} == {"2018"} and dated["total"] == 2
        second = http.get("/api/search", params={"sort": "date", "per_page": 1, "page": 2}).json()
        assert (second["page"], second["per_page"], second["total"]) == (2, 1, 4)
        assert [h["id"] for h in second["hits"]] == [everything["hits"][1]["id"]]


@pytest.mark.parametrize("params", [
    {"q": '"unclosed'}, {"q": "partner:"}, {"sort": "alphabetical"}, {"page": "0"},
    {"page": "two"}, {"per_page": "1000"}, {"from": "2018-13-01"}, {"to": "yesterday"},
    {"from": "2019-01-01", "to": "2018-01-01"}, {"direction": "sideways"},
    {"partner": "no-such-partner"}, {"signatory": "nobody"}, {"q": "x" * 600},
])
def test_a_malformed_search_is_400(reading: tuple[LiveServer, WebHome],
                                   params: dict[str, str]) -> None:
    server, home = reading
    with client(server, home, "reader") as http:
        assert_error(http.get("/api/search", params=params), 400)


# -- letters -------------------------------------------------------------------------------------
def test_letter_record_text_and_original(reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    letter_id = home.ids["cloudflare-out.pdf"]
    with client(server, home, "reader") as http:
        record = http.get(f"/api/letters/{letter_id}").json()
        original = http.get(f"/api/letters/{letter_id}/pdf")
    assert record["id"] == letter_id and record["partner"] == "cloudflare"
    assert record["date"] == "2018-05-23" and record["direction"] == "outgoing"
    assert "Cloudflare to the Digital Partnership" in record["text"]
    for field in ("sha256", "filename", "pages", "signatory", "signed_by", "language", "ocr",
                  "digital_signatures", "status", "added_at", "added_by"):
        assert field in record
    assert original.headers["content-type"] == "application/pdf"
    assert original.content == home.sources["cloudflare-out.pdf"].read_bytes()
    assert 'filename="cloudflare-out.pdf"' in original.headers["content-disposition"]


@pytest.mark.parametrize("path", ["/api/letters/0000000000000000", "/api/letters/..%2F.letters%2Fsecret.key",
                                  "/api/letters/0000000000000000/pdf", "/api/partners/nobody",
                                  "/api/partners/nobody/export", "/api/no-such-thing"])
def test_unknown_is_404(reading: tuple[LiveServer, WebHome], path: str) -> None:
    server, home = reading
    with client(server, home, "admin") as http:
        assert_error(http.get(path), 404)


def test_correct_keeps_the_previous_values(writing: tuple[LiveServer, WebHome]) -> None:
    server, home = writing
    letter_id = home.ids["ripe-fr.pdf"]
    with client(server, home, "archivist") as http:
        changed = http.patch(f"/api/letters/{letter_id}", json={"date": "2020-02-07"})
        assert changed.status_code == 200 and changed.json()["date"] == "2020-02-07"
        assert http.get(f"/api/letters/{letter_id}").json()["date"] == "2020-02-07"
        unknown_field = http.patch(f"/api/letters/{letter_id}", json={"sha256": "0" * 64})
        assert "cannot be corrected" in assert_error(unknown_field, 422)
        bad_date = http.patch(f"/api/letters/{letter_id}", json={"date": "7 February"})
        assert_error(bad_date, 422)
        not_json = http.patch(f"/api/letters/{letter_id}", content=b"{date: 1",
                              headers={"Content-Type": "application/json"})
        assert_error(not_json, 400)
        a_list = http.patch(f"/api/letters/{letter_id}", json=["date"])
        assert_error(a_list, 400)
        assert_error(http.patch("/api/letters/0000000000000000", json={"date": "2020-01-01"}),
                     404)
        assert_error(http.patch(f"/api/letters/{letter_id}", content=b" " * 70_000), 413)
    history = server.app.state.web.letters.archive.history(letter_id)
    assert history[-1]["by"] == "archivist"
    assert history[-1]["changes"]["date"] == {"before": "2020-02-06", "after": "2020-02-07"}


# -- upload --------------------------------------------------------------------------------------
def test_upload_several_files_one_result_each(writing: tuple[LiveServer, WebHome]) -> None:
    server, home = writing
    existing = home.sources["google-out.pdf"].read_bytes()
    files = [("file", ("new letter.pdf", new_pdf("several"))),
             ("file", ("again.pdf", existing)),
             ("file", ("notes.pdf", b"Just some notes, not a PDF.")),
             ("file", ("../../../escape.pdf", new_pdf("escape")))]
    with client(server, home, "archivist") as http:
        response = http.post("/api/letters", files=files)
    assert response.status_code == 201, response.text
    results = response.json()
    assert [r["result"] for r in results] == ["added", "duplicate", "rejected", "added"]
    assert [r["path"] for r in results] == ["new letter.pdf", "again.pdf", "notes.pdf",
                                           "escape.pdf"]
    assert results[0]["filename"] == "new letter.pdf" and results[0]["added_by"] == "archivist"
    assert results[1]["id"] == home.ids["google-out.pdf"]
    assert results[2]["error"].startswith("not a PDF") and results[2]["code"] == "refusal.not_pdf"
    assert results[3]["filename"] == "escape.pdf"
    assert not (home.path.parent / "escape.pdf").exists()
    app = server.app.state.web.letters
    assert app.get(results[0]["id"]).filename == "new letter.pdf"
    uploads = [e for e in audit.events(app.settings.archive_dir)
               if e["action"] == "upload" and e["who"] == "archivist"]
    assert [e["what"]["id"] for e in uploads] == [results[0]["id"], results[3]["id"]]
    assert {e["address"] for e in uploads} == {"127.0.0.1"}


def test_upload_errors(writing: tuple[LiveServer, WebHome], tmp_path: Path) -> None:
    server, home = writing
    app = server.app.state.web.letters
    before = len(list(app.archive.records()))
    encrypted = io.BytesIO()
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(new_pdf("encrypted")))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    writer.write(encrypted)
    with client(server, home, "archivist") as http:
        not_pdf = http.post("/api/letters", files={"file": ("letter.pdf", b"<html>no</html>")})
        assert "not a PDF" in assert_error(not_pdf, 415)
        assert not_pdf.json()["results"][0]["result"] == "rejected"
        locked = http.post("/api/letters", files={"file": ("locked.pdf", encrypted.getvalue())})
        assert "encrypted" in assert_error(locked, 422)
        nothing = http.post("/api/letters", files={"other": ("x.pdf", new_pdf("other field"))})
        assert "field 'file'" in assert_error(nothing, 400)
        raw = http.post("/api/letters", content=new_pdf("raw"),
                        headers={"Content-Type": "application/pdf"})
        assert "multipart/form-data" in assert_error(raw, 415)
        large = http.post("/api/letters", files={"file": ("big.pdf", b"%PDF-1.4\n" + b"0" * LIMIT)})
        assert "larger than the limit" in assert_error(large, 413)
    assert len(list(app.archive.records())) == before


def raw_request(server: LiveServer, head: str, body: Iterator[bytes]) -> bytes:
    """Send a request head and body chunks on a plain socket; the answer (a JSON error)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head.encode("latin-1"))
        for chunk in body:
            sock.sendall(chunk)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            data = sock.recv(4096)
            if not data:
                break
            answer += data
        return answer


def test_too_large_is_refused_from_content_length_alone(writing: tuple[LiveServer, WebHome]
                                                        ) -> None:
    server, home = writing
    head = (f"POST /api/letters HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer "
            f"{home.tokens['archivist']}\r\nContent-Type: multipart/form-data; boundary=xyz\r\n"
            f"Content-Length: {10**9}\r\n\r\n")
    answer = raw_request(server, head, iter([]))  # not one byte of the body is sent
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert answer.endswith(b'"The upload is larger than the limit of 262144 bytes: send fewer or '
                           b'smaller files."}')


def test_too_large_is_refused_while_streaming(writing: tuple[LiveServer, WebHome]) -> None:
    server, home = writing
    spool = Path(tempfile.gettempdir())
    leftovers = set(spool.glob("letters-upload-*"))
    head = (f"POST /api/letters HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer "
            f"{home.tokens['archivist']}\r\nContent-Type: multipart/form-data; boundary=xyz\r\n"
            "Transfer-Encoding: chunked\r\n\r\n")

    def chunks() -> Iterator[bytes]:
        part = (b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
                b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n")
        yield b"%x\r\n%s\r\n" % (len(part), part)
        block = b"0" * 65536
        for _ in range(LIMIT // len(block) + 2):  # past the limit, and the body never ends
            yield b"%x\r\n%s\r\n" % (len(block), block)

    answer = raw_request(server, head, chunks())
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert set(spool.glob("letters-upload-*")) == leftovers  # the partial file was removed


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


# -- partners, audit, export ---------------------------------------------------------------------
def test_partners_and_one_partner(reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    with client(server, home, "reader") as http:
        partners = http.get("/api/partners").json()
        cloudflare = http.get("/api/partners/cloudflare").json()
    assert len(partners) == 27
    by_slug = {p["slug"]: p for p in partners}
    assert set(by_slug["cloudflare"]) >= {"slug", "name", "kind", "aliases", "joined", "letters"}
    assert (by_slug["cloudflare"]["letters"], by_slug["apple"]["letters"]) == (2, 0)
    assert by_slug["cloudflare"]["joined"] == "2018-05-23"
    assert cloudflare["name"] == "Cloudflare" and cloudflare["letter_count"] == 2
    assert [x["date"] for x in cloudflare["letters"]] == ["2018-05-23", "2018-05-30"]
    assert [x["id"] for x in cloudflare["founding_documents"]] == [
        home.ids["cloudflare-out.pdf"], home.ids["cloudflare-in.pdf"]]
    assert cloudflare["founding_exchange"]["complete"] is True


def test_audit_is_newest_first(writing: tuple[LiveServer, WebHome]) -> None:
    server, home = writing
    with client(server, home, "archivist") as http:
        http.patch(f"/api/letters/{home.ids['google-out.pdf']}", json={"title": "Latest"})
    with client(server, home, "auditor") as http:
        events = http.get("/api/audit").json()
        two = http.get("/api/audit", params={"limit": 2}).json()
        assert_error(http.get("/api/audit", params={"limit": "many"}), 400)
    assert events[0]["action"] == "correct" and events[0]["who"] == "archivist"
    assert [e["at"] for e in events] == sorted((e["at"] for e in events), reverse=True)
    assert events[-1]["action"] == "upload"  # the first letter of the home's setup
    assert two == events[:2]


def test_export_is_a_bundle_sha256sum_verifies(reading: tuple[LiveServer, WebHome],
                                               tmp_path: Path) -> None:
    server, home = reading
    with client(server, home, "auditor") as http:
        response = http.get("/api/partners/cloudflare/export")
        empty = http.get("/api/partners/apple/export")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "cloudflare-founding-documents.zip" in response.headers["content-disposition"]
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(tmp_path)
    bag = tmp_path / "cloudflare-founding-documents"
    check = subprocess.run(["sha256sum", "-c", "manifest-sha256.txt"], cwd=bag,
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    originals = sorted(p.read_bytes() for p in (bag / "data" / "originals").iterdir())
    assert originals == sorted(home.sources[n].read_bytes()
                               for n in ("cloudflare-out.pdf", "cloudflare-in.pdf"))
    assert "no letters in the archive" in assert_error(empty, 404)
    records = json.loads((bag / "data" / "records.json").read_text(encoding="utf-8"))
    assert {r["id"] for r in records} == {home.ids["cloudflare-out.pdf"],
                                          home.ids["cloudflare-in.pdf"]}


def test_the_command_line_and_the_api_list_the_same_partners(
        reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    with client(server, home, "reader") as http:
        answered = http.get("/api/partners").json()
    printed = subprocess.run([sys.executable, "-m", "letters", "--home", str(home.path),
                              "partners", "--json"], capture_output=True, text=True, timeout=300)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == answered
    assert sum(entry["letters"] for entry in answered) > 0
