"""The lists that grow with the archive come in pages (the review queue, a partner's letters, a
Secretary General's), over HTTP with the real app, and the command line pages as well; the review
queue filters by kind of reason and acts on the selected letters, one audit event per letter."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfkit
import pytest
from playwright.sync_api import Browser

from letters.archive import letter_id
from letters.cli import main
from letters.messages import msg
from letters.models import Letter
from letters.paging import MAX_PER_PAGE, Paging
from letters.parts import Parts
from letters.preservation import audit
from letters.service import Letters
from letters.settings import Settings
from support.api import client
from support.server import LiveServer
from support.web import browser, csrf_of, text_of
from support.webhome import WEB_PASSWORD, WebHome, copy_web_home

#: Letters added to the web home: Cloudflare letters needing review (no date, or no Secretary
#: General) and a few more signed by Pejčinović Burić.
UNDATED, NO_SG = 70, 45


def add_letter(parts: Parts, folder: Path, n: int, **fields: Any) -> Letter:
    """Archive and catalogue a one-page PDF with this record, as an ingest does (Parts.add)."""
    pdf = pdfkit.text_pdf([[f"Letter number {n} of the paging tests."]])
    sha = hashlib.sha256(pdf).hexdigest()
    path = folder / f"{n}.pdf"
    path.write_bytes(pdf)
    record: dict[str, Any] = dict(partner=None, signatory=None, signed_by=None, date=None,
                                  direction="outgoing", status="ok")
    record.update(fields)
    letter = Letter(id=letter_id(sha), sha256=sha, filename=path.name, pages=1, language="en",
                    ocr=False, digital_signatures=[], added_at=f"2025-01-01T00:{n // 60:02}:"
                    f"{n % 60:02}Z", added_by="tester", **record)
    assert parts.add(path, letter, [f"Letter number {n}."]) is not None
    return letter


@pytest.fixture(scope="module")
def paging_template(web_template: WebHome, tmp_path_factory: pytest.TempPathFactory) -> WebHome:
    """The web home plus UNDATED + NO_SG letters of Cloudflare that need review."""
    root = tmp_path_factory.mktemp("paging")
    home = copy_web_home(web_template, root / "home")
    app = Letters(Settings(home=home.path))
    parts = app.parts()
    (root / "pdfs").mkdir()
    with parts.catalog.deferred():
        for n in range(UNDATED):
            letter = add_letter(parts, root / "pdfs", n, partner="cloudflare",
                                signatory="jagland", status="needs_review",
                                reasons=[msg("reason.date_not_found")])
            home.ids[f"undated-{n}"] = letter.id
        for n in range(UNDATED, UNDATED + NO_SG):
            letter = add_letter(parts, root / "pdfs", n, partner="cloudflare",
                                date=f"2019-{1 + n % 12:02}-{1 + n % 28:02}",
                                status="needs_review", reasons=[msg("reason.no_sg")])
            home.ids[f"no-sg-{n}"] = letter.id
    app.catalog.close()
    return home


@pytest.fixture
def site(paging_template: WebHome, tmp_path: Path) -> Iterator[tuple[LiveServer, WebHome]]:
    """A server on a private copy of the paging home."""
    home = copy_web_home(paging_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path)) as server:
        yield server, home
    shutil.rmtree(tmp_path / "home", ignore_errors=True)


def ids_of(page: str) -> list[str]:
    """The ids of the letters a review page lists, in order."""
    return re.findall(r'id="review-([0-9a-f]{16})"', page)


def test_the_review_queue_comes_in_pages_with_the_total(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    every = [home.ids[f"undated-{n}"] for n in range(UNDATED)] + [
        home.ids[f"no-sg-{n}"] for n in range(UNDATED, UNDATED + NO_SG)]
    with client(server, home, "archivist") as http:
        first = http.get("/api/review").json()
        assert (first["letters_total"], first["total"], first["page"], first["per_page"]) == (
            len(every), len(every), 1, 100)
        assert [x["id"] for x in first["letters"]] == every[:100]
        second = http.get("/api/review", params={"page": 2}).json()
        assert [x["id"] for x in second["letters"]] == every[100:]
        assert first["reasons"] == {"date": UNDATED, "signatory": NO_SG}
        small = http.get("/api/review", params={"per_page": 7, "page": 3}).json()
        assert [x["id"] for x in small["letters"]] == every[14:21]
        for bad in ({"page": 0}, {"per_page": MAX_PER_PAGE + 1}, {"per_page": "x"},
                    {"reason": "nonsense"}):
            refused = http.get("/api/review", params=bad)
            assert refused.status_code == 400, bad
            assert refused.json()["detail"]
        assert http.get("/api/review", params={"per_page": MAX_PER_PAGE}).json()[
            "letters_total"] == len(every)
        by_kind = http.get("/api/review", params={"reason": "signatory", "per_page": 10}).json()
        assert by_kind["letters_total"] == NO_SG and by_kind["reason"] == "signatory"
        assert [x["id"] for x in by_kind["letters"]] == every[UNDATED:UNDATED + 10]
        assert http.get("/api/review", params={"reason": "other"}).json()["letters_total"] == 0
    with browser(server, "archivist") as http:
        page = http.get("/review").text
        assert ids_of(page) == every[:100]
        assert f"Letters 1 to 100 of {len(every)}" in text_of(page)
        filtered = http.get("/review", params={"reason": "signatory", "per_page": "20",
                                                "page": "2"}).text
        assert ids_of(filtered) == every[UNDATED + 20:UNDATED + 40]
        # the pager's links keep the filter and the page size
        links = set(re.findall(r'href="(/review\?[^"]*)"', filtered))
        assert "/review?reason=signatory&amp;per_page=20&amp;page=3" in links
        assert "/review?reason=signatory&amp;per_page=20&amp;page=1" in links
        beyond = http.get("/review", params={"page": "9"}).text
        assert ids_of(beyond) == [] and 'id="past-end"' in beyond
        assert 'href="/review?page=2"' in beyond[beyond.index('id="past-end"'):]
        french = text_of(http.get("/review", params={"lang": "fr"}).text)
        assert f"Lettres 1 à 100 sur {len(every)}" in french and "Type de motif" in french


def test_the_queue_is_counted_without_reading_records(paging_template: WebHome,
                                                     tmp_path: Path) -> None:
    """The queue's counts (in all, by kind of reason, of one kind) come from the catalog's index
    of reason codes: the only query that reads letters' records is the one of the page shown,
    whatever the size of the queue (at 100,000 letters, counting by reading every record of the
    queue took seconds a request)."""
    home = copy_web_home(paging_template, tmp_path / "home")
    app = Letters(Settings(home=home.path))
    db = app.catalog._db
    reading: list[str] = []
    statement: list[str] = []
    db.set_trace_callback(statement.append)

    def authorize(action: int, table: str | None, column: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and (table, column) == ("letters", "record"):
            reading.append(column)
        return sqlite3.SQLITE_OK

    db.set_authorizer(authorize)  # asked as each statement is prepared: a fresh connection
    shown = app.review_page(Paging(page=2, per_page=10))
    assert (shown.total, shown.kinds) == (UNDATED + NO_SG, {"date": UNDATED, "signatory": NO_SG})
    assert len(shown.letters) == 10 and len(reading) == 1
    by_kind = app.review_page(Paging(per_page=10), "signatory")
    assert (by_kind.total, [x.id for x in by_kind.letters]) == (
        NO_SG, [home.ids[f"no-sg-{n}"] for n in range(UNDATED, UNDATED + 10)])
    assert len(reading) == 2 and app.review_page(Paging(), "other").total == 0
    assert len(reading) == 3 and all("json_each" not in sql for sql in statement)
    app.catalog.close()


def test_actions_on_the_selected_letters(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    undated = [home.ids[f"undated-{n}"] for n in range(4)]
    no_sg = [home.ids[f"no-sg-{n}"] for n in range(UNDATED, UNDATED + 3)]
    with browser(server, "archivist") as http:
        page = http.get("/review?lang=en").text
        assert '<form method="post" action="/review"' in page and 'name="ids"' in page
        token = csrf_of(page)
        aside = http.post("/review", data={"csrf": token, "ids": undated[:2],
                                           "action": "set_aside", "reason": "copy"})
        assert aside.status_code == 200 and "Letters set aside: 2." in text_of(aside.text)
        assert not set(undated[:2]) & set(ids_of(aside.text))
        linked = http.post("/review?reason=date", data={
            "csrf": token, "ids": undated[2:], "action": "assign", "partner": "google"})
        assert "Letters linked to the partner: 2." in text_of(linked.text)
        confirmed = http.post("/review", data={"csrf": token, "ids": no_sg, "action": "confirm"})
        assert "Letters whose values were confirmed: 3." in text_of(confirmed.text)
        none = http.post("/review", data={"csrf": token, "action": "confirm"})
        assert none.status_code == 422 and "Select at least one letter." in text_of(none.text)
        no_partner = http.post("/review", data={"csrf": token, "ids": no_sg, "action": "assign"})
        assert no_partner.status_code == 422
    app = server.app.state.web.letters
    assert {app.get(i).status for i in undated[:2]} == {"set_aside"}
    assert {app.get(i).partner for i in undated[2:]} == {"google"}
    assert all("partner" in app.get(i).confirmed for i in no_sg)
    events = audit.events(app.settings.archive_dir)
    assert [e["what"]["id"] for e in events if e["action"] == "set_aside"] == undated[:2]
    corrected = [e["what"]["id"] for e in events if e["action"] == "correct"]
    assert corrected == undated[2:] + no_sg  # one event per letter


def test_a_partner_and_a_secretary_general_come_in_pages(
        site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    founding = {home.ids["cloudflare-out.pdf"], home.ids["cloudflare-in.pdf"]}
    total = UNDATED + NO_SG + 2
    with client(server, home, "reader") as http:
        whole = http.get("/api/partners/cloudflare", params={"per_page": MAX_PER_PAGE}).json()
        order = [x["id"] for x in whole["letters"]]
        assert len(order) == whole["letters_total"] == whole["letter_count"] == total
        first = http.get("/api/partners/cloudflare").json()
        assert (first["page"], first["per_page"], first["letters_total"]) == (1, 100, total)
        assert [x["id"] for x in first["letters"]] == order[:100]
        assert {x["id"] for x in first["founding_documents"]} == founding
        third = http.get("/api/partners/cloudflare", params={"page": 3, "per_page": 50}).json()
        assert [x["id"] for x in third["letters"]] == order[100:]
        assert {x["id"] for x in third["founding_documents"]} == founding  # always whole
        assert http.get("/api/partners/cloudflare", params={"page": "0"}).status_code == 400
        sg = http.get("/api/secretaries-general/jagland", params={"per_page": 10}).json()
        assert sg["slug"] == "jagland" and sg["letters_total"] == UNDATED + 3
        assert len(sg["letters"]) == 10 and sg["page"] == 1
    with browser(server, "reader") as http:
        page = http.get("/partners/cloudflare", params={"per_page": "30", "page": "2"}).text
        assert f"Letters 31 to 60 of {total}" in text_of(page)
        shown = set(re.findall(r'href="/letters/([0-9a-f]{16})"', page))
        assert set(order[30:60]) <= shown and not (set(order[60:]) - founding) & shown
        assert 'href="/partners/cloudflare?per_page=30&amp;page=3"' in page
        sg_page = http.get("/secretaries-general/jagland", params={"per_page": "10"}).text
        assert f"Letters 1 to 10 of {UNDATED + 3}" in text_of(sg_page)
        assert 'href="/secretaries-general/jagland?per_page=10&amp;page=8"' in sg_page
        beyond = http.get("/secretaries-general/jagland", params={"page": "5"}).text
        assert 'id="past-end"' in beyond


def test_the_command_line_pages_the_review_queue(
        paging_template: WebHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = copy_web_home(paging_template, tmp_path / "home")
    where = ["--home", str(home.path)]
    assert main([*where, "review", "--json", "--per-page", "5", "--page", "2",
                 "--reason", "date"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["letters_total"] == UNDATED and answer["page"] == 2
    assert [x["id"] for x in answer["letters"]] == [home.ids[f"undated-{n}"] for n in range(5, 10)]
    assert main([*where, "review", "--per-page", "2000"]) == 2
    assert "per_page must be a whole number from 1 to 1000" in capsys.readouterr().err


def test_a_search_page_past_the_end_says_so(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "reader") as http:
        found = http.get("/", params={"q": "Partnership", "lang": "en"}).text
        total = re.search(r'class="count" role="status">(\d+) letters<', found)
        assert total and int(total.group(1)) > 1
        beyond = http.get("/", params={"q": "Partnership", "page": "99"}).text
    assert "No letter matches this search." not in text_of(beyond)
    assert "There is no page this far: the last one is page 1." in text_of(beyond)
    assert 'href="/?q=Partnership&amp;page=1"' in beyond[beyond.index('id="past-end"'):]


def test_the_queue_s_actions_work_in_a_browser_without_javascript(
        site: tuple[LiveServer, WebHome], chromium: Browser) -> None:
    server, home = site
    chosen = [home.ids["no-sg-70"], home.ids["no-sg-71"]]
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/login?next=%2Freview%3Freason%3Dsignatory%26per_page%3D10")
        page.get_by_label("User name").fill("archivist")
        page.get_by_label("Password").fill(WEB_PASSWORD.format(role="archivist"))
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/review?reason=signatory&per_page=10")
        for letter in chosen:
            page.locator(f"#select-{letter}").check()
        page.get_by_label("Set them aside").check()
        page.locator("#b-reason").select_option("withdrawn")
        page.get_by_role("button", name="Apply to the selected letters").click()
        page.wait_for_selector("#batch-result")
        assert "Letters set aside: 2." in page.locator("#batch-result").inner_text()
        shown = page.locator("tr.review__letter").evaluate_all("rows => rows.map(r => r.id)")
        assert len(shown) == 10 and not {f"review-{x}" for x in chosen} & set(shown)
        assert "reason=signatory" in page.url  # the filter and page size are kept
    finally:
        context.close()
    app = server.app.state.web.letters
    assert [app.get(x).aside_reason for x in chosen] == ["withdrawn", "withdrawn"]
