"""Uploading over real HTTP: the upload form and POST /api/letters, results per file, limits."""

from __future__ import annotations

import io
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pdfkit
import pypdf
import pytest

from letters.preservation import audit
from letters.settings import Settings
from support.api import LIMIT, assert_error, client, new_pdf
from support.server import LiveServer
from support.web import browser, csrf_of, text_of
from support.webhome import WebHome, copy_web_home

EVIL_NAME = "<img src=x onerror=alert(1)>.pdf"


def test_upload_form_shows_each_file_result(fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    new = pdfkit.text_pdf([["**COUNCIL OF EUROPE", "The Secretary General", "",
                            "Strasbourg, 17 November 2020", "", "Mr Example", "IBM", "",
                            "Welcome to the partnership.", "", "Marija Pejčinović Burić",
                            "Secretary General"]])
    with browser(server, "archivist") as http:
        token = csrf_of(http.get("/upload").text)
        response = http.post("/upload", data={"csrf": token}, files=[
            ("file", (EVIL_NAME, new)),
            ("file", ("google again.pdf", home.sources["google-out.pdf"].read_bytes())),
            ("file", ("notes.pdf", b"plain text"))])
        empty = http.post("/upload", data={"csrf": token}, files=[("file", ("", b""))])
    assert response.status_code == 200
    text = text_of(response.text)
    assert f"Added {EVIL_NAME} 17 November 2020 · IBM · Marija Pejčinović Burić" in text
    assert "<img" not in response.text and "&lt;img src=x onerror=alert(1)&gt;" in response.text
    assert "Already in the archive google again.pdf" in text
    assert f'href="/letters/{home.ids["google-out.pdf"]}">Open the letter already archived' in (
        response.text)
    assert "Rejected notes.pdf not a PDF" in text
    added = [x for x in server.app.state.web.letters.archive.records() if x.partner == "ibm"]
    assert len(added) == 1 and added[0].added_by == "archivist"
    assert empty.status_code == 400 and "Choose at least one PDF file." in empty.text


def test_upload_form_too_large(web_template: WebHome, tmp_path: Path) -> None:
    home = copy_web_home(web_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path, max_upload_bytes=100_000)) as server, \
            browser(server, "archivist") as http:
        token = csrf_of(http.get("/upload").text)
        response = http.post("/upload", data={"csrf": token},
                             files=[("file", ("big.pdf", b"%PDF-1.4\n" + b"0" * 200_000))])
        french = http.post("/upload", data={"csrf": token}, headers={"Accept-Language": "fr"},
                           files=[("file", ("big.pdf", b"%PDF-1.4\n" + b"0" * 200_000))])
        garbled = http.post("/upload", headers={"Accept-Language": "fr",
                                                 "Content-Type": "multipart/form-data; boundary=x"},
                            content=b"--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n")
        api = httpx.post(f"{server.url}/api/letters", content=b"x", headers={
            "Authorization": f"Bearer {home.tokens['archivist']}", "Content-Type": "text/plain"})
    assert response.status_code == 413
    assert "The upload is larger than the limit of 100000 bytes" in text_of(response.text)
    assert french.status_code == 413
    assert "Le dépôt dépasse la limite de 100000 octets" in text_of(french.text)
    assert garbled.status_code == 400  # a refusal said in French from its code
    assert "Le dépôt s’est interrompu avant la fin de sa dernière partie." in text_of(garbled.text)
    assert api.status_code == 415 and api.json() == {  # the JSON keeps its English
        "detail": "Send the letters as multipart/form-data, one 'file' field per PDF."}


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


def test_too_large_is_refused_while_streaming(writing: tuple[LiveServer, WebHome],
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    server, home = writing
    # the server runs in this process: its spool goes to a folder no other test process shares
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    leftovers: set[Path] = set()
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
