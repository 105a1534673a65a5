"""The auditors' side over real HTTP: the audit log and its filters, fixity, export, signatures.

And the audit trail itself: each action a person takes through the web is an event naming who,
when, what and from which address.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import sys
import zipfile
from typing import Any

import httpx
import pdfkit
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata

from letters.cli import main
from letters.preservation import audit, fixity
from support.api import assert_error, client
from support.pdfs import throwaway_signer
from support.server import LiveServer
from support.web import browser, csrf_of, text_of
from support.webhome import WEB_PASSWORD, WebHome

SIGNER = "Pat <b>Example</b>, Digital Partnership Officer"
HONEST = "integrity checked, signer not verified against a trust list"


def table_of(page: str) -> str:
    """The visible text of the body of a page's first table."""
    found = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    return text_of(found.group(1)) if found else ""


def events_of(server: LiveServer) -> list[dict[str, Any]]:
    """The audit log of the server's archive, oldest first."""
    return audit.events(server.app.state.web.letters.settings.archive_dir)


def new_pdf(tag: str) -> bytes:
    """A letter no other test uploads."""
    return pdfkit.text_pdf([["**COUNCIL OF EUROPE", "The Secretary General", "",
                             "Strasbourg, 17 November 2020", "", "Mr Example", "IBM", "",
                             f"A letter for the audit test {tag}.", "",
                             "Marija Pejčinović Burić", "Secretary General"]])


def failed_login(server: LiveServer, name: str) -> httpx.Response:
    with browser(server, None) as http:
        return http.post("/login", data={"csrf": csrf_of(http.get("/login").text), "name": name,
                                         "password": "not the password"})


def bearer(home: WebHome, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {home.tokens[role]}"}


# -- the audit trail ------------------------------------------------------------------------------
def test_every_web_action_is_an_event_with_its_address(fresh: tuple[LiveServer, WebHome]
                                                       ) -> None:
    server, home = fresh
    google = home.ids["google-out.pdf"]
    assert failed_login(server, "archivist").status_code == 401
    with browser(server, "archivist") as http:
        page = http.get("/upload").text
        added = http.post("/upload", data={"csrf": csrf_of(page)},
                          files=[("file", ("new.pdf", new_pdf("page"))),
                                 ("file", ("again.pdf", home.sources["google-out.pdf"].read_bytes())),
                                 ("file", ("broken.pdf", b"%PDF-1.4 nothing else"))])
        assert added.status_code == 200
        corrected = http.post(f"/letters/{google}/correct",
                              data={"csrf": csrf_of(http.get(f"/letters/{google}").text),
                                    "title": "Corrected through the form"})
        assert corrected.status_code == 303
    with httpx.Client(base_url=server.url, headers=bearer(home, "archivist")) as api:
        assert api.post("/api/letters", files={"file": ("api.pdf", new_pdf("api"))}
                        ).status_code == 201
        assert api.patch(f"/api/letters/{google}", json={"title": "Corrected by API"}
                         ).status_code == 200
    with browser(server, "auditor") as http:
        assert http.get("/api/partners/cloudflare/export").status_code == 200
        assert http.post("/fixity", data={"csrf": csrf_of(http.get("/fixity").text)}
                         ).status_code == 303
    events = [e for e in events_of(server) if e["who"] != "setup"]
    actions = [(e["action"], e["who"]) for e in events]
    # The three files of one upload are answered (and audited) in the order they finish.
    assert sorted(actions[2:5]) == [("upload", "archivist"), ("upload_duplicate", "archivist"),
                                    ("upload_rejected", "archivist")]
    assert actions[:2] + actions[5:] == [
        ("login_failed", "archivist"), ("login", "archivist"),
        ("correct", "archivist"), ("upload", "archivist"), ("correct", "archivist"),
        ("login", "auditor"), ("export", "auditor"), ("verify", "auditor")]
    for event in events:
        assert event["address"] == "127.0.0.1", event
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["at"]), event
    by_action = {e["action"]: e["what"] for e in events}
    assert by_action["login_failed"] == {"user": "archivist"}
    assert by_action["upload_duplicate"] == {"id": google, "filename": "again.pdf"}
    assert by_action["upload_rejected"]["filename"] == "broken.pdf"
    assert by_action["correct"] == {"id": google, "fields": ["title"]}
    assert by_action["export"]["partner"] == "cloudflare"
    assert by_action["verify"] == {"checked": 6, "ok": 6, "problems": 0}
    assert audit.verify(server.app.state.web.letters.settings.archive_dir).ok


def test_user_changes_are_events(fresh: tuple[LiveServer, WebHome],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # users are managed on the command line of the server's machine: no address, its OS user
    server, home = fresh
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
    assert main(["users", "add", "clerk", "--role", "reader", "--home", str(home.path)]) == 0
    assert main(["users", "token", "clerk", "--home", str(home.path)]) == 0
    added, token = events_of(server)[-2:]
    assert added["action"] == "user_added" and added["what"] == {"user": "clerk", "role": "reader"}
    assert token["action"] == "token_created" and token["what"]["user"] == "clerk"
    assert sorted(token["what"]) == ["token", "user"]  # which token: its id, as `tokens` lists
    assert added["who"] and added["who"] != "clerk" and "address" in added
    with browser(server, "auditor") as http:
        page = text_of(http.get("/audit?action=user_added").text)
    assert "User added" in page and "clerk" in page and "this computer (command line)" in page


# -- the audit page -------------------------------------------------------------------------------
def test_the_audit_page_filters_and_pages(fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    google = home.ids["google-out.pdf"]
    with httpx.Client(base_url=server.url, headers=bearer(home, "archivist")) as api:
        api.patch(f"/api/letters/{google}", json={"title": "One"})
        api.patch(f"/api/letters/{home.ids['ripe-fr.pdf']}", json={"title": "Two"})
    failed_login(server, "nobody")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    with browser(server, "auditor") as http:
        everything = http.get("/audit")
        by_archivist = http.get("/audit", params={"who": "archivist"}).text
        corrections = http.get("/audit", params={"action": "correct"}).text
        about_google = http.get("/audit", params={"letter": google}).text
        long_ago = text_of(http.get("/audit", params={"from": "2001-01-01",
                                                       "to": "2001-12-31"}).text)
        recent = text_of(http.get("/audit", params={"from": today, "to": today,
                                                     "action": "correct"}).text)
        first = http.get("/audit", params={"per_page": "2"}).text
        second = http.get("/audit", params={"per_page": "2", "page": "2"}).text
        bad = http.get("/audit", params={"from": "last week"})
        api = http.get("/api/audit", params={"action": "correct", "letter": google}).json()
        api_bad = http.get("/api/audit", params={"to": "2020-02-30"})
    assert everything.status_code == 200
    assert "The audit log is intact: its" in text_of(everything.text)
    assert "Failed login" in text_of(everything.text) and "nobody" in text_of(everything.text)
    assert "2 events" in text_of(by_archivist)
    assert table_of(by_archivist).count("Record corrected") == 2
    assert "Letter added" not in table_of(by_archivist) and "setup" not in table_of(by_archivist)
    assert corrections.count("<tr>") == 1 + 2  # the header row and two corrections
    assert f'<a href="/letters/{google}">{google}</a>' in corrections
    assert "Fields: Title" in table_of(corrections).replace(" :", ":")
    # the letter's upload (by setup) and its correction, not the other letters
    assert "2 events" in text_of(about_google)
    assert "Letter added" in table_of(about_google) and "Record corrected" in table_of(about_google)
    assert home.ids["ripe-fr.pdf"] not in table_of(about_google)
    assert "No event matches these filters." in long_ago and "0 events" in long_ago
    assert "2 events" in recent
    assert 'rel="next" href="/audit?per_page=2&amp;page=2"' in first
    assert 'aria-current="page"' in second and first != second
    assert bad.status_code == 400
    assert "The date 'last week' is not a date: write it as YYYY-MM-DD." in text_of(bad.text)
    assert 'value="last week"' in bad.text  # shown back to be corrected
    assert [(e["action"], e["what"]["id"]) for e in api] == [("correct", google)]
    assert api_bad.status_code == 400 and "2020-02-30" in api_bad.json()["detail"]


def test_the_audit_page_says_when_the_chain_is_broken(fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    log = server.app.state.web.letters.settings.archive_dir / audit.LOG
    lines = log.read_text(encoding="utf-8").splitlines()
    second = json.loads(lines[1])
    second["who"] = "someone else"
    lines[1] = json.dumps(second, ensure_ascii=False, sort_keys=True)
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with browser(server, "auditor") as http:
        page = http.get("/audit")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "The audit log has been tampered with, from event 2" in text  # the event edited
    assert "its authentication code does not match" in text
    assert "The audit log is intact" not in text
    # the auditor's login could not be recorded over the edited log: never re-signed, but said
    assert "Writes the audit log refused because it no longer agreed with its head: 1" in text
    assert len(log.read_text(encoding="utf-8").splitlines()) == len(lines)

    with browser(server, "auditor") as http:
        french = text_of(http.get("/audit?lang=fr").text)
    assert "Le journal d’audit a été altéré, à partir de l’événement 2" in french
    assert "son code d’authentification ne correspond pas" in french
    assert "authentication code" not in french


def test_the_audit_page_says_user_changes_in_french(fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    app = server.app.state.web.letters
    app.set_role("reader", "archivist", by="admin")
    app.set_disabled("reader", True, by="admin")
    app.new_token("auditor", by="admin", label="weekly")
    with browser(server, "auditor") as http:
        english = text_of(http.get("/audit?action=user_role_set").text)
        french = text_of(http.get("/audit?action=user_role_set&lang=fr").text)
        disabled = text_of(http.get("/audit?action=user_disabled&lang=fr").text)
        token = text_of(http.get("/audit?action=token_created&lang=fr").text)
    assert english.index("Before: reader") < english.index("After: archivist")
    assert french.index("Avant : lecteur") < french.index("Après : archiviste")
    assert "Utilisateur désactivé" in disabled and "user_disabled" not in disabled
    assert "Jeton : " in token and "Nom du jeton : weekly" in token


def test_a_truncated_log_refuses_changes_before_they_are_made(
        fresh: tuple[LiveServer, WebHome]) -> None:
    """Never a change its event cannot record, never a head re-signed over the truncation."""
    server, home = fresh
    archive = server.app.state.web.letters.settings.archive_dir
    lines = (archive / audit.LOG).read_text(encoding="utf-8").splitlines()
    (archive / audit.LOG).write_text("".join(x + "\n" for x in lines[:-2]), encoding="utf-8")
    (archive / audit.HEAD).unlink()
    ident = home.ids["ripe-fr.pdf"]
    with httpx.Client(base_url=server.url, headers=bearer(home, "archivist")) as api:
        before = api.get(f"/api/letters/{ident}").json()["title"]
        answer = api.patch(f"/api/letters/{ident}", json={"title": "Changed"},
                           headers={"Accept-Language": "fr"})
        after = api.get(f"/api/letters/{ident}").json()["title"]
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("Le journal d’audit ne peut pas enregistrer ceci")
    assert after == before
    assert len((archive / audit.LOG).read_text(encoding="utf-8").splitlines()) == len(lines) - 2
    assert not (archive / audit.HEAD).exists()
    assert [r["action"] for r in audit.refused(archive)] == ["correct"]


def test_only_auditors_see_the_auditors_menu(fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    for role, shown in (("reader", False), ("archivist", False), ("auditor", True),
                        ("admin", True)):
        with browser(server, role) as http:
            page = http.get("/partners").text
        assert ('href="/audit"' in page) is shown, role
        assert ('href="/fixity"' in page) is shown, role


# -- fixity -------------------------------------------------------------------------------------
def test_fixity_page_runs_a_check_and_shows_each_problem(fresh: tuple[LiveServer, WebHome]
                                                         ) -> None:
    server, home = fresh
    app = server.app.state.web.letters
    with browser(server, "auditor") as http:
        before = text_of(http.get("/fixity").text)
        assert http.get("/api/fixity").status_code == 404
        refused = http.post("/fixity", data={})
        assert refused.status_code == 403
        assert fixity_reports(server) == 0
        ran = http.post("/fixity", data={"csrf": csrf_of(http.get("/fixity").text)})
        assert ran.status_code == 303 and ran.headers["location"] == "/fixity?done=1"
        clean = text_of(http.get("/fixity?done=1").text)
        google = home.ids["google-out.pdf"]
        original = app.archive.original_path(google)
        original.write_bytes(original.read_bytes() + b"\n% appended")
        with httpx.Client(base_url=server.url, headers=bearer(home, "admin")) as api:
            report = api.post("/api/fixity").json()
            last = api.get("/api/fixity").json()
        damaged = http.get("/fixity")
    assert "The archive has not been checked yet." in before
    assert "The check has just run" in clean and "Every original is intact." in clean
    assert "By auditor" in clean and "Letters checked 4" in clean and "Intact 4" in clean
    assert report["checked"] == 4 and report["ok"] == 3 and report["by"] == "admin"
    assert [p["id"] for p in report["problems"]] == [google]
    assert "has been altered" in report["problems"][0]["problem"]
    assert last == report
    text = text_of(damaged.text)
    assert "By admin" in text and "Intact 3" in text and "Problems 1" in text
    assert "The original has been altered" in text
    assert "Tell the archive's administrator: the original must be restored from a backup" in text
    assert f'<a href="/letters/{google}">{google}</a>' in damaged.text


def test_a_record_changed_by_hand_is_named_as_such_with_one_advice(
        fresh: tuple[LiveServer, WebHome]) -> None:
    """Not "the catalog disagrees (run letters reindex)" beside "restore from a backup": one kind,
    one advice for the web reader; the letter is shown as its history says meanwhile."""
    server, home = fresh
    ident = home.ids["cloudflare-in.pdf"]
    path = server.app.state.web.letters.archive.original_path(ident).parent / "record.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**record, "date": "1999-01-01", "title": "Forged title"}),
                    encoding="utf-8")
    with browser(server, "auditor") as http:
        http.post("/fixity", data={"csrf": csrf_of(http.get("/fixity").text)})
        page = text_of(http.get("/fixity").text)
        french = text_of(http.get("/fixity?lang=fr").text)
        letter = http.get(f"/letters/{ident}").text
    assert "Problems 1" in page
    assert "record.json was changed outside this program: it disagrees with its own history" in page
    assert ("Tell the archive's administrator: record.json was changed outside the program and "
            "must be restored from a backup") in page
    assert "reindex" not in page and "catalog" not in page
    assert "record.json a été modifié en dehors de ce programme" in french
    assert "Forged title" not in letter and "1999" not in letter


def test_a_check_whose_report_cannot_be_saved_says_so_in_french(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    settings = server.app.state.web.letters.settings
    with browser(server, "auditor") as http:
        form = {"csrf": csrf_of(http.get("/fixity").text)}
        (settings.private_dir / fixity.LAST_REPORT).mkdir()  # where the report goes: it cannot
        french = http.post("/fixity", data=form, headers={"Accept-Language": "fr"})
        english = http.post("/fixity", data=form)
    assert french.status_code == 200 and english.status_code == 200  # shown at once
    text = text_of(french.text)
    assert f"Le rapport n’a pas pu être enregistré dans {settings.private_dir} (" in text
    assert "could not be" not in text and "Lettres contrôlées 4" in text
    assert f"The report could not be saved in {settings.private_dir} (" in text_of(english.text)


def fixity_reports(server: LiveServer) -> int:
    return sum(1 for e in events_of(server) if e["action"] == "verify")


# -- export -------------------------------------------------------------------------------------
def test_auditors_export_from_the_partner_page_with_their_session(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    with browser(server, "auditor") as http:
        page = http.get("/partners/cloudflare").text
        link = re.search(r'<a href="([^"]+)" download>Download the founding-documents bundle',
                         page)
        assert link, "the partner page has no export link"
        bundle = http.get(html.unescape(link.group(1)))
    assert bundle.status_code == 200 and bundle.headers["content-type"] == "application/zip"
    assert bundle.headers["content-disposition"] == (
        'attachment; filename="cloudflare-founding-documents.zip"')
    names = zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()
    assert "cloudflare-founding-documents/manifest-sha256.txt" in names
    with browser(server, "archivist") as http:
        assert "founding-documents bundle" not in http.get("/partners/cloudflare").text
        assert http.get(html.unescape(link.group(1))).status_code == 403


# -- digital signatures -------------------------------------------------------------------------
def signed_letters() -> dict[str, bytes]:
    """The same kind of letter signed and intact, signed then altered, signed then updated."""
    def letter(tag: str) -> bytes:
        pdf = pdfkit.text_pdf([["Cloudflare, Inc.", "San Francisco, 30 May 2018", "",
                                "Dear Secretary General,", f"We are pleased to join ({tag}).",
                                "", "Matthew Prince"]])
        out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)),
                               PdfSignatureMetadata(field_name="PartnerSignature"),
                               signer=throwaway_signer(SIGNER, organisation=None))
        return out.getvalue()

    intact = letter("intact")
    altered = letter("altered")
    at = altered.index(b"ReportLab Generated")  # a comment inside the signed bytes
    altered = altered[:at] + b"X" + altered[at + 1:]
    writer = IncrementalPdfFileWriter(io.BytesIO(letter("updated")))
    writer.root["/Note"] = generic.TextStringObject("added after signing")
    writer.update_root()
    updated = io.BytesIO()
    writer.write(updated)
    return {"intact.pdf": intact, "altered.pdf": altered, "updated.pdf": updated.getvalue()}


def test_the_letter_page_shows_each_signature_honestly(fresh: tuple[LiveServer, WebHome]
                                                       ) -> None:
    server, home = fresh
    with httpx.Client(base_url=server.url, headers=bearer(home, "archivist"), timeout=120) as api:
        results = api.post("/api/letters", files=[("file", (name, data))
                                                  for name, data in signed_letters().items()])
        assert results.status_code == 201, results.text
        ids = {r["path"]: r["id"] for r in results.json()}
        unsigned = home.ids["google-out.pdf"]
    with browser(server, "reader") as http:
        pages = {name: http.get(f"/letters/{ids[name]}").text for name in ids}
        plain = text_of(http.get(f"/letters/{unsigned}").text)
        french = text_of(http.get(f"/letters/{ids['altered.pdf']}?lang=fr").text)
    shown = {name: text_of(page) for name, page in pages.items()}
    for name, text in shown.items():
        assert SIGNER in text, name  # the certificate's name, as text
        assert "<b>Example</b>" not in pages[name] and "&lt;b&gt;Example&lt;/b&gt;" in pages[name]
        assert "The signer is not verified against a trust list" in text, name
        assert re.search(r"\d{1,2} \w+ \d{4}, \d\d:\d\d UTC", text), name  # as every time
        assert "Field: PartnerSignature" in text
    assert "Intact" in shown["intact.pdf"] and HONEST in shown["intact.pdf"]
    assert "Altered" not in shown["intact.pdf"] and "Modified after" not in shown["intact.pdf"]
    assert "Altered: the signed content changed" in shown["altered.pdf"]
    assert "Modified after signing (the signed content is intact)" in shown["updated.pdf"]
    assert "document was changed after signing" in shown["updated.pdf"]
    assert "The PDF holds no digital signature." in plain
    assert "Altérée : le contenu signé a changé" in french
    assert "Le signataire n’est pas vérifié auprès d’une liste de confiance" in french


def test_a_wrong_password_for_the_audit_is_a_failed_login_event(fresh: tuple[LiveServer, WebHome]
                                                                ) -> None:
    server, _ = fresh
    with browser(server, None) as http:
        form = http.get("/login?next=/audit").text
        response = http.post("/login", data={"csrf": csrf_of(form), "name": "auditor",
                                             "password": WEB_PASSWORD.format(role="reader"),
                                             "next": "/audit"})
    assert response.status_code == 401
    event = events_of(server)[-1]
    assert (event["action"], event["who"], event["address"]) == ("login_failed", "auditor",
                                                                 "127.0.0.1")


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
