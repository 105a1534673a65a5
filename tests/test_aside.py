"""Setting letters aside and restoring them, through the real app over HTTP and the real command
line: out of the review queue, search results (unless asked for) and pairing; original, text and
history kept; audited; `letters verify` clean."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pdfkit
import pytest

from letters.cli import main
from letters.preservation import audit
from letters.service import Letters
from letters.settings import Settings
from support.api import client
from support.server import LiveServer
from support.web import browser, csrf_of, text_of
from support.webhome import WebHome, copy_web_home

#: A press release (needs review: not a letter) and a later Cloudflare letter (an exchange of its own).
EXTRA = {
    "press.pdf": [
        "**COUNCIL OF EUROPE", "Press release", "", "Strasbourg, 12 March 2021", "",
        "The Council of Europe welcomes Acme Robotics GmbH to its Digital Partnership.", "",
        "Press contact: press@example.org"],
    "cloudflare-later.pdf": [
        "**COUNCIL OF EUROPE", "The Secretary General", "", "Strasbourg, 4 June 2022", "",
        "Mr Matthew Prince", "Chief Executive Officer", "Cloudflare, Inc.",
        "101 Townsend Street, San Francisco", "", "Dear Mr Prince,", "",
        "I write to you about the annual meeting of the Digital Partnership.", "",
        "Yours sincerely,", "", "Marija Pejčinović Burić", "Secretary General"],
}


@pytest.fixture(scope="module")
def aside_template(web_template: WebHome, tmp_path_factory: pytest.TempPathFactory) -> WebHome:
    """The web home plus a press release and a later Cloudflare letter."""
    root = tmp_path_factory.mktemp("aside")
    home = copy_web_home(web_template, root / "home")
    files = [pdfkit.write_text_pdf(root / name, [lines]) for name, lines in EXTRA.items()]
    for result in Letters(Settings(home=home.path)).ingest(files, by="setup"):
        assert result.letter is not None, result
        home.ids[Path(result.path).name] = result.letter.id
    return home


@pytest.fixture
def site(aside_template: WebHome, tmp_path: Path) -> Iterator[tuple[LiveServer, WebHome]]:
    """A server on a private copy of the home."""
    home = copy_web_home(aside_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path)) as server:
        yield server, home
    shutil.rmtree(tmp_path / "home", ignore_errors=True)


def test_set_aside_and_restore_over_the_api(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    press = home.ids["press.pdf"]
    with client(server, home, "archivist") as http:
        assert [x["id"] for x in http.get("/api/review").json()["letters"]] == [press]
        assert http.get("/api/search", params={"q": "Acme"}).json()["total"] == 1
        done = http.post(f"/api/letters/{press}/set-aside", json={"reason": "not_a_letter"})
        assert done.status_code == 200, done.text
        record = done.json()
        assert (record["status"], record["aside_reason"], record["aside_from"]) == (
            "set_aside", "not_a_letter", "needs_review")
        assert http.get(f"/api/letters/{press}").json()["status"] == "set_aside"
        # out of the queue and of search results, unless asked for
        assert http.get("/api/review").json()["letters"] == []
        assert http.get("/api/search", params={"q": "Acme"}).json()["total"] == 0
        shown = http.get("/api/search", params={"q": "Acme", "status": "set_aside"}).json()
        assert [hit["id"] for hit in shown["hits"]] == [press]
        assert http.get("/api/search", params={"q": "status:set_aside"}).json()["total"] == 1
        again = http.post(f"/api/letters/{press}/set-aside", json={"reason": "withdrawn"})
        assert again.status_code == 409 and again.json()["detail"] == (
            "This letter is set aside already.")
        # the original is still served
        assert http.get(f"/api/letters/{press}/pdf").content[:5] == b"%PDF-"
        back = http.post(f"/api/letters/{press}/restore")
        assert back.status_code == 200, back.text
        assert (back.json()["status"], back.json()["aside_reason"]) == ("needs_review", None)
        assert [x["id"] for x in http.get("/api/review").json()["letters"]] == [press]
        assert http.get("/api/search", params={"q": "Acme"}).json()["total"] == 1
        assert http.post(f"/api/letters/{press}/restore").status_code == 409
        refused = http.post(f"/api/letters/{press}/set-aside", json={"reason": "  "})
        assert refused.status_code == 422 and "Say why" in refused.json()["detail"]
    with client(server, home, "reader") as http:
        assert http.post(f"/api/letters/{press}/set-aside",
                         json={"reason": "withdrawn"}).status_code == 403
    app = server.app.state.web.letters
    history = app.archive.history(press)
    assert [e["action"] for e in history] == ["added", "set_aside", "restored"]
    assert history[1]["by"] == "archivist"
    assert history[1]["changes"]["status"] == {"before": "needs_review", "after": "set_aside"}
    events = [e for e in audit.events(app.settings.archive_dir)
              if e["action"] in ("set_aside", "restored")]
    assert [(e["action"], e["who"], e["what"]["id"]) for e in events] == [
        ("set_aside", "archivist", press), ("restored", "archivist", press)]
    assert events[0]["what"]["reason"] == "not_a_letter"


def test_a_correction_keeps_a_letter_set_aside_and_verify_accepts_it(
        site: tuple[LiveServer, WebHome], capsys: pytest.CaptureFixture[str]) -> None:
    server, home = site
    press = home.ids["press.pdf"]
    with client(server, home, "archivist") as http:
        http.post(f"/api/letters/{press}/set-aside", json={"reason": "A draft never sent"})
        corrected = http.patch(f"/api/letters/{press}", json={
            "partner": "cloudflare", "signatory": "pejcinovic-buric", "date": "2021-03-12",
            "direction": "outgoing"}).json()
        # the correction would make it "ok": it stays set aside, and goes back to "ok"
        assert (corrected["status"], corrected["aside_from"]) == ("set_aside", "ok")
        assert corrected["aside_reason"] == "A draft never sent"
        assert http.get("/api/review").json()["letters"] == []
        assert http.post(f"/api/letters/{press}/restore").json()["status"] == "ok"
        http.post(f"/api/letters/{press}/set-aside", json={"reason": "copy"})
    assert main(["--home", str(home.path), "verify", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["problems"] == [] and report["checked"] == len(home.ids)


def test_a_letter_set_aside_is_in_no_exchange(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    later = home.ids["cloudflare-later.pdf"]
    with client(server, home, "archivist") as http:
        def paired() -> set[str]:
            rows = http.get("/api/partners/cloudflare/exchanges").json()
            return {letter["id"] for row in rows for letter in row["letters"]}
        assert later in paired()
        assert http.post(f"/api/letters/{later}/set-aside",
                         json={"reason": "withdrawn"}).status_code == 200
        assert later not in paired()
        assert {home.ids["cloudflare-out.pdf"], home.ids["cloudflare-in.pdf"]} <= paired()
        # nor offered for pairing by hand
        page = http.get(f"/letters/{home.ids['cloudflare-in.pdf']}")
        assert page.status_code == 200 and f'value="{later}"' not in page.text
        http.post(f"/api/letters/{later}/restore")
        assert later in paired()


def test_set_aside_from_the_review_view_and_the_letter_page(
        site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    press = home.ids["press.pdf"]
    with browser(server, "archivist") as http:
        view = http.get(f"/review/{press}").text
        assert f'action="/letters/{press}/set-aside"' in view
        refused = http.post(f"/letters/{press}/set-aside",
                            data={"csrf": csrf_of(view), "reason": "other", "reason_text": "",
                                  "back": "review"})
        assert refused.status_code == 422 and "Say why the letter is set aside" in text_of(
            refused.text)
        done = http.post(f"/letters/{press}/set-aside",
                         data={"csrf": csrf_of(view), "reason": "other",
                               "reason_text": "A press release", "back": "review"})
        assert done.status_code == 303 and done.headers["location"].startswith("/review")
        assert f'id="review-{press}"' not in http.get("/review").text
        page = http.get(f"/letters/{press}?lang=fr").text
        shown = text_of(page)
        assert "Lettre mise à l’écart" in shown and "A press release" in shown
        assert "Mise à l’écart" in text_of(page[page.index('id="history-title"'):])
        restored = http.post(f"/letters/{press}/restore", data={"csrf": csrf_of(page)})
        assert restored.status_code == 303
        assert f'id="review-{press}"' in http.get("/review").text
        page = http.get(f"/letters/{press}?lang=en").text
        done = http.post(f"/letters/{press}/set-aside",
                         data={"csrf": csrf_of(page), "reason": "not_a_letter"})
        assert done.status_code == 303
        assert "Not a letter" in text_of(http.get(f"/letters/{press}").text)
        search = http.get("/", params={"q": "Acme"}).text
        assert f'href="/letters/{press}' not in search
        search = http.get("/", params={"q": "Acme", "status": "set_aside"}).text
        assert f'href="/letters/{press}' in search and 'id="f-aside" name="status"' in search


def test_the_command_line_sets_aside_and_restores(
        aside_template: WebHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = copy_web_home(aside_template, tmp_path / "home")
    press, where = home.ids["press.pdf"], ["--home", str(home.path)]
    assert main([*where, "set-aside", press, "--reason", "withdrawn", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["status"], record["aside_reason"]) == ("set_aside", "withdrawn")
    assert main([*where, "show", press]) == 0
    assert "set aside  withdrawn" in capsys.readouterr().out
    assert main([*where, "search", "--json", "Acme"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0
    assert main([*where, "search", "--json", "--status", "set_aside", "Acme"]) == 0
    assert [h["id"] for h in json.loads(capsys.readouterr().out)["hits"]] == [press]
    assert main([*where, "set-aside", press, "--reason", "copy"]) == 1
    assert "set aside already" in capsys.readouterr().err
    assert main([*where, "restore", press]) == 0
    assert capsys.readouterr().out.strip() == f"Restored {press}: needs_review."
    assert main([*where, "restore", press]) == 1
    assert main([*where, "set-aside", press, "--reason", ""]) == 2
    assert "Say why" in capsys.readouterr().err
    history = Letters(Settings(home=home.path)).archive.history(press)
    assert [e["action"] for e in history] == ["added", "set_aside", "restored"]
