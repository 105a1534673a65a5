"""One letter over real HTTP: its page, original, thumbnails, correction form and titles, and
/api/letters/{id} with its PDF and PATCH."""

from __future__ import annotations

import html
import json
import re
import threading
import time
from pathlib import Path

import httpx
import pdfkit
import pytest

from letters.pdf import thumbnails
from support.api import assert_error, client
from support.server import LiveServer
from support.web import browser, csrf_of, text_of
from support.webhome import WebHome

CITATION = ("Letter from Thorbjørn Jagland, Secretary General of the Council of Europe, to "
            "Cloudflare, Inc., Strasbourg, 23 May 2018")
REPLY_CITATION = ("Letter from Matthew Prince, Cloudflare, Inc., to Thorbjørn Jagland, Secretary "
                  "General of the Council of Europe, 30 May 2018")


def test_letter_page(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    out_id, in_id = home.ids["cloudflare-out.pdf"], home.ids["cloudflare-in.pdf"]
    with browser(server, "reader") as http:
        page = http.get(f"/letters/{out_id}", params={"q": "democracy"}).text
        reply = http.get(f"/letters/{in_id}").text
    text = text_of(page)
    assert CITATION in text
    assert REPLY_CITATION in text_of(reply)
    assert f'value="{server.url}/letters/{out_id}"' in page  # the permanent link
    assert f'href="/letters/{in_id}"' in page  # the other letter of the exchange
    assert f'href="/letters/{out_id}"' in reply
    assert "Found in the letter: dateline: 'Strasbourg, 23 May 2018'" in text
    assert "Found in the letter: addressee block: 'Cloudflare, Inc.'" in text
    assert "<mark>democracy</mark>" in page
    assert f'src="/letters/{out_id}/pages/1.png?size=large"' in page  # the viewer's image
    assert f'href="/letters/{out_id}/original.pdf"' in page
    assert "The PDF holds no digital signature." in text
    assert "Added to the archive" in text and "setup" in text  # the history
    assert "This letter needs review" not in text


def test_letter_that_needs_review_says_why(fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    app = server.app.state.web.letters
    letter_id = home.ids["google-out.pdf"]
    app.parts().update(letter_id, {"status": "needs_review",
                                   "reasons": ["the date is in the future"]}, by="test")
    with browser(server, "reader") as http:
        text = text_of(http.get(f"/letters/{letter_id}").text)
    assert "This letter needs review" in text and "the date is in the future" in text


def test_thumbnails_are_made_kept_and_remade(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    app = server.app.state.web.letters
    letter = app.get(home.ids["ripe-fr.pdf"])
    cached = thumbnails.thumbnail_path(app.archive, letter, 1)
    cached.unlink(missing_ok=True)
    with browser(server, "reader") as http:
        first = http.get(f"/letters/{letter.id}/pages/1.png")
        assert first.status_code == 200 and first.headers["content-type"] == "image/png"
        assert first.content.startswith(b"\x89PNG\r\n\x1a\n")
        assert cached.read_bytes() == first.content
        cached.unlink()
        assert http.get(f"/letters/{letter.id}/pages/1.png").content == first.content
        assert cached.exists()
        for page in ("0", "2", "one"):
            missing = http.get(f"/letters/{letter.id}/pages/{page}.png")
            assert missing.status_code == 404 and "Page not found" in missing.text


def test_page_images_are_drawn_one_per_reader_and_a_few_in_all(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    state = server.app.state.web
    renders = state.renders
    app = state.letters
    letters = [app.get(home.ids[name]) for name in ("ripe-fr.pdf", "cloudflare-out.pdf")]
    images = [f"/letters/{letter.id}/pages/1.png?size={size}" for letter in letters
              for size in ("", "large")]

    def forget() -> None:
        for letter in letters:
            for width in (thumbnails.WIDTH, 1000):
                thumbnails.thumbnail_path(app.archive, letter, 1, width).unlink(missing_ok=True)

    def waiting_for(who: str, count: int) -> None:
        for _ in range(1000):
            if renders.waiting(who) == count:
                return
            time.sleep(0.01)
        pytest.fail(f"{renders.waiting(who)} of {who}'s requests wait, not {count}")

    def fetch(http: httpx.Client, path: str, into: list[httpx.Response]) -> threading.Thread:
        thread = threading.Thread(target=lambda: into.append(http.get(path)))
        thread.start()
        return thread

    most, wait = renders.PER_READER, renders.WAITING * renders.size
    forget()
    waited: list[httpx.Response] = []
    with browser(server, "reader") as http, browser(server, "archivist") as other, \
            browser(server, "auditor") as third, browser(server, "admin") as fourth:
        with renders.turn("reader"):  # the reader's own render, still being drawn
            threads = [fetch(http, images[n % 4], waited) for n in range(most - 1)]  # they wait
            waiting_for("reader", most - 1)
            mine = http.get(images[3], params={"lang": "fr"})  # one more than a reader may ask
            theirs = other.get(images[3])  # another reader is not kept waiting by them
        for thread in threads:
            thread.join()
        assert mine.status_code == 429 and mine.headers["retry-after"] == "5"
        assert (f"Plus de {most} images de pages sont dessinées pour vous à la fois"
                in text_of(mine.text))
        assert theirs.status_code == 200 and theirs.content.startswith(b"\x89PNG")
        assert [answer.status_code for answer in waited] == [200] * (most - 1)
        forget()
        queued: list[httpx.Response] = []
        with renders.turn("someone"), renders.turn("someone else"):  # every turn taken
            clients = {"reader": http, "archivist": other, "auditor": third}
            threads, left = [], wait
            for name, client in clients.items():
                count = min(most, left)
                threads += [fetch(client, images[n % 4], queued) for n in range(count)]
                waiting_for(name, count)
                left -= count
            busy = fourth.get(images[0])  # as many wait as may: the server is busy
        for thread in threads:
            thread.join()
        assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
        assert ("The server is drawing as many page images as it may at once: try again in a few "
                "seconds.") in text_of(busy.text)
        assert [answer.status_code for answer in queued] == [200] * wait
        assert fourth.get(images[0]).status_code == 200  # drawn now: sent without a turn


def test_download_the_original(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with browser(server, "reader") as http:
        response = http.get(f"/letters/{home.ids['ripe-fr.pdf']}/original.pdf")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="ripe-fr.pdf"'
    assert response.content == home.sources["ripe-fr.pdf"].read_bytes()


def test_correction_form(fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    letter_id = home.ids["ripe-fr.pdf"]
    with browser(server, "archivist") as http:
        page = http.get(f"/letters/{letter_id}").text
        form = {"csrf": csrf_of(page), "date": "2020-02-07", "partner": "ripe-ncc",
                "signatory": "pejcinovic-buric", "direction": "outgoing", "language": "fr",
                "signed_by": "Marija Pejčinović Burić",
                "title": "Letter from Marija Pejčinović Burić to RIPE NCC"}
        saved = http.post(f"/letters/{letter_id}/correct", data=form)
        assert saved.status_code == 303
        after = http.get(saved.headers["location"]).text
        assert "The correction was saved." in after and "7 February 2020" in text_of(after)
        wrong = http.post(f"/letters/{letter_id}/correct", data={**form, "date": "2020-31-01"})
        assert wrong.status_code == 422 and "is not a date of the form YYYY-MM-DD" in wrong.text
    history = server.app.state.web.letters.archive.history(letter_id)
    assert history[-1]["by"] == "archivist"
    assert set(history[-1]["changes"]) >= {"date"} and "title" not in history[-1]["changes"]


def test_a_recognised_title_is_said_in_french_and_a_corrected_one_as_typed(
        fresh: tuple[LiveServer, WebHome], tmp_path: Path) -> None:
    server, home = fresh
    app = server.app.state.web.letters
    letter_id = home.ids["cloudflare-out.pdf"]
    english = "Letter from Thorbjørn Jagland to Cloudflare, Inc."
    record = app.archive.original_path(letter_id).parent / "record.json"
    assert json.loads(record.read_text("utf-8"))["recognised_title"] == {
        "code": "title.from_to", "params": {"writer": "Thorbjørn Jagland",
                                           "recipient": "Cloudflare, Inc."}}
    with browser(server, "archivist") as http:
        assert http.get(f"/api/letters/{letter_id}").json()["title"] == english
        assert "recognised_title" not in http.get(f"/api/letters/{letter_id}").json()
        french = text_of(http.get(f"/letters/{letter_id}", params={"lang": "fr"}).text)
        assert "Lettre de Thorbjørn Jagland à Cloudflare, Inc." in french and english not in french
        assert ("Lettre de Thorbjørn Jagland, Secrétaire Général du Conseil de l’Europe, à "
                "Cloudflare, Inc., Strasbourg, le 23 mai 2018") in french  # the citation
        typed = "Letter from Thorbjørn Jagland to Cloudflare"  # an archivist's words, in English
        app.correct(letter_id, {"title": typed}, by="archivist")
        page = http.get(f"/letters/{letter_id}", params={"lang": "fr"}).text
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", page)
        assert heading is not None and html.unescape(heading.group(1)) == typed
        fields = text_of(page[page.index('id="record-title"'):page.index('id="exchange-title"')])
        assert typed in fields and "Lettre de" not in fields
        assert http.get(f"/api/letters/{letter_id}").json()["title"] == typed
        # a letter recognition gave no title: the one an archivist gives it is shown as typed
        note = pdfkit.write_text_pdf(tmp_path / "note.pdf", [["Dear Tom,", "", "Bread, milk.", "",
                                                             "Best regards,", "Anna"]])
        [added] = app.ingest([note], by="archivist")
        assert added.letter is not None and added.letter.title is None
        untitled = added.letter.id
        assert json.loads((app.archive.original_path(untitled).parent / "record.json").read_text(
            "utf-8"))["recognised_title"] == ""
        app.correct(untitled, {"title": typed}, by="archivist")
        page = http.get(f"/letters/{untitled}", params={"lang": "fr"}).text
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", page)
        assert heading is not None and html.unescape(heading.group(1)) == typed
        # a record from before titles had codes: its English title is still said in French
        old = json.loads(record.read_text("utf-8"))
        del old["recognised_title"]
        old["title"] = english
        record.write_text(json.dumps(old), "utf-8")
        history = record.parent / "history.jsonl"  # as that version added it (else it is tampering)
        added = json.loads(history.read_text("utf-8").splitlines()[0])
        history.write_text(json.dumps({**added, "record": old}) + "\n", "utf-8")
        assert app.get(letter_id).recognised_title is None
        french = text_of(http.get(f"/letters/{letter_id}", params={"lang": "fr"}).text)
        assert "Lettre de Thorbjørn Jagland à Cloudflare, Inc." in french


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
