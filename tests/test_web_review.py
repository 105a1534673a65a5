"""The review queue over real HTTP: letters needing review, incomplete exchanges, corrections,
confirming the values a letter holds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pdfkit
import pytest

from letters.pairing import listing
from letters.preservation import audit
from letters.service import Letters
from letters.settings import Settings
from support.server import LiveServer
from support.web import browser, csrf_of, text_of
from support.webhome import WebHome, copy_web_home

#: Letters that need review: an organisation the registry does not know, a letter without date.
EXTRA = {
    "acme.pdf": [
        "**COUNCIL OF EUROPE", "The Secretary General", "", "Strasbourg, 12 March 2021", "",
        "Ms Jane Doe", "Chief Executive Officer", "Acme Robotics GmbH", "1 Main Street, Berlin", "",
        "Dear Ms Doe,", "", "I am pleased to welcome Acme Robotics GmbH to the Digital Partnership.",
        "", "Yours sincerely,", "", "Marija Pejčinović Burić", "Secretary General"],
    "kaspersky-undated.pdf": [
        "**Kaspersky Lab", "39A Leningradskoe Shosse, Moscow", "", "Mr Thorbjørn Jagland",
        "Secretary General", "Council of Europe", "F-67075 Strasbourg Cedex", "",
        "Dear Secretary General,", "", "Kaspersky Lab is glad to join the Digital Partnership.", "",
        "Yours sincerely,", "", "Eugene Kaspersky", "Chief Executive Officer, Kaspersky Lab"],
}
#: When each extra letter entered the archive (distinct, so that the order is known).
ADDED_AT = {"acme.pdf": "2024-02-01T09:00:00Z", "kaspersky-undated.pdf": "2024-01-15T09:00:00Z"}


@pytest.fixture(scope="module")
def review_template(web_template: WebHome, tmp_path_factory: pytest.TempPathFactory) -> WebHome:
    """The web home plus two letters that need review."""
    root = tmp_path_factory.mktemp("review")
    home = copy_web_home(web_template, root / "home")
    files = [pdfkit.write_text_pdf(root / name, [lines]) for name, lines in EXTRA.items()]
    app = Letters(Settings(home=home.path))
    for result in app.ingest(files, by="setup"):
        assert result.letter is not None and result.letter.status == "needs_review", result
        name = Path(result.path).name
        home.ids[name] = result.letter.id
        app.parts().update(result.letter.id, {"added_at": ADDED_AT[name]}, by="setup")
    return home


@pytest.fixture
def site(review_template: WebHome, tmp_path: Path) -> Iterator[tuple[LiveServer, WebHome]]:
    """A server on a private copy of the review home."""
    home = copy_web_home(review_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path)) as server:
        yield server, home
    shutil.rmtree(tmp_path / "home", ignore_errors=True)


def api(server: LiveServer, home: WebHome, role: str | None) -> httpx.Client:
    """An API client with the role's bearer token (none for None)."""
    headers = {"Authorization": f"Bearer {home.tokens[role]}"} if role else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=60)


def test_the_queue_lists_letters_oldest_first_and_incomplete_exchanges(
        site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    acme, kaspersky = home.ids["acme.pdf"], home.ids["kaspersky-undated.pdf"]
    with browser(server, "archivist") as http:
        response = http.get("/review")
        assert response.status_code == 200
        page = response.text
        home_page = http.get("/partners").text
    text = text_of(page)
    assert 'href="/review" aria-current="page"' in page and 'href="/review"' in home_page
    # oldest first: the Kaspersky letter was added before the Acme one
    assert f'id="review-{kaspersky}"' in page and f'id="review-{acme}"' in page
    assert page.index(f'id="review-{kaspersky}"') < page.index(f'id="review-{acme}"')
    assert "The letter's own date was not found." in text
    assert "No registered partner is named in the addressee block." in text
    assert f'href="/review/{acme}"' in page and f'href="/review/{kaspersky}"' in page
    for name in ("google-out.pdf", "ripe-fr.pdf", "cloudflare-out.pdf"):  # these need no review
        assert f'id="review-{home.ids[name]}"' not in page
    # the incomplete exchanges: Google's and RIPE NCC's replies, Kaspersky's outgoing letter
    exchanges = page[page.index('id="review-exchanges-title"'):]
    assert exchanges.count("Incomplete: the partner&#39;s reply is missing") == 2
    assert exchanges.count("Incomplete: the Secretary General&#39;s letter is missing") == 1
    for name in ("google-out.pdf", "ripe-fr.pdf", "kaspersky-undated.pdf"):
        assert f'href="/letters/{home.ids[name]}"' in exchanges, name
    for name in ("cloudflare-out.pdf", "cloudflare-in.pdf"):  # a complete exchange is not listed
        assert f'href="/letters/{home.ids[name]}"' not in exchanges, name


def test_the_queue_in_the_api(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with api(server, home, "archivist") as http:
        answer = http.get("/api/review")
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"] == 2
    assert [x["id"] for x in body["letters"]] == [home.ids["kaspersky-undated.pdf"],
                                                  home.ids["acme.pdf"]]
    assert body["letters"][0]["reasons"] == ["The letter's own date was not found."]
    assert all(x["status"] == "needs_review" for x in body["letters"])
    incomplete = {tuple(x["id"] for x in e["letters"]): e for e in body["incomplete_exchanges"]}
    google = incomplete[(home.ids["google-out.pdf"],)]
    assert google["complete"] is False and google["incoming"] is None
    assert google["missing"] == "the partner's letter in reply is not in the archive"
    kaspersky = incomplete[(home.ids["kaspersky-undated.pdf"],)]
    assert kaspersky["missing"] == "the Secretary General's letter is not in the archive"
    assert len(incomplete) == 3 and body["incomplete_total"] == 3


def test_the_queue_shows_the_oldest_incomplete_exchanges_and_counts_them_all(
        site: tuple[LiveServer, WebHome], monkeypatch: pytest.MonkeyPatch) -> None:
    """An archive may hold thousands of exchanges lacking a letter: the queue shows the oldest
    (a page's worth) and says how many there are in all."""
    server, home = site
    catalog = server.app.state.web.letters.catalog
    everyone = listing.incomplete(catalog, limit=-1)
    oldest = listing.incomplete(catalog, limit=2)
    assert everyone.total == oldest.total == len(everyone.rows) == 3
    assert [r.exchange for r in oldest.rows] == [r.exchange for r in everyone.rows[:2]]
    assert listing.INCOMPLETE_SHOWN == 100
    with monkeypatch.context() as patch:
        patch.setattr(listing, "INCOMPLETE_SHOWN", 2)
        with api(server, home, "archivist") as http:
            body = http.get("/api/review").json()
        with browser(server, "archivist") as http:
            page = text_of(http.get("/review").text)
            french = text_of(http.get("/review?lang=fr").text)
    assert [[x["id"] for x in e["letters"]] for e in body["incomplete_exchanges"]] == [
        list(r.exchange.ids()) for r in oldest.rows]
    assert body["incomplete_total"] == 3
    assert "The oldest 2 are shown here, of 3; each partner's page shows all of its own." in page
    assert "Les 2 plus anciens sont montrés ici, sur 3" in french


def test_the_queue_is_for_archivists(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    for role, status in ((None, 401), ("reader", 403), ("auditor", 403), ("admin", 200)):
        with api(server, home, role) as http:
            assert http.get("/api/review").status_code == status, role
    with browser(server, "reader") as http:
        refused = http.get("/review")
        assert refused.status_code == 403 and "This needs the archivist role" in text_of(refused.text)
        assert 'href="/review"' not in http.get("/partners").text
    with browser(server) as http:
        assert http.get("/review").headers["location"] == "/login?next=%2Freview"


def test_a_correction_is_kept_reindexed_and_confirming_empties_the_queue(
        site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    letter_id = home.ids["kaspersky-undated.pdf"]
    with browser(server, "archivist") as http:
        page = http.get(f"/letters/{letter_id}").text
        assert 'action="/letters/' + letter_id + '/confirm"' in page
        form = {"csrf": csrf_of(page), "date": "2019-03-04", "partner": "kaspersky",
                "signatory": "jagland", "direction": "incoming", "language": "en",
                "signed_by": "Eugene Kaspersky", "title": ""}
        saved = http.post(f"/letters/{letter_id}/correct", data=form)
        assert saved.status_code == 303
        shown = http.get(f"/letters/{letter_id}").text
        history_shown = text_of(shown[shown.index('id="history-title"'):])
        assert "Date: — → 4 March 2019" in history_shown  # the value before, who, when
        assert "archivist" in history_shown and "Corrected" in history_shown
        # re-indexed at once: the new date is searchable
        found = http.get("/api/search", params={"from": "2019-03-01", "to": "2019-03-31"}).json()
        assert [hit["id"] for hit in found["hits"]] == [letter_id]
        # corrected but not all confirmed: still in the queue
        queue = http.get("/review").text
        assert f'id="review-{letter_id}"' in queue
        confirmed = http.post(f"/letters/{letter_id}/confirm", data={"csrf": csrf_of(page)})
        assert confirmed.status_code == 303
        assert confirmed.headers["location"] == f"/letters/{letter_id}?confirmed=1"
        shown = http.get(confirmed.headers["location"]).text
        assert "The values were confirmed." in shown and "This letter needs review" not in shown
        assert f'action="/letters/{letter_id}/confirm"' not in shown
        again = http.post(f"/letters/{letter_id}/confirm", data={"csrf": csrf_of(page)})
        assert again.status_code == 409 and "nothing to confirm" in text_of(again.text)
        queue = http.get("/review").text
    assert f'id="review-{letter_id}"' not in queue and f'id="review-{home.ids["acme.pdf"]}"' in queue
    app = server.app.state.web.letters
    letter = app.get(letter_id)
    assert letter.status == "ok" and letter.reasons == []
    assert {"partner", "signatory", "date", "direction"} <= set(letter.confirmed)
    history = app.archive.history(letter_id)
    assert [e["action"] for e in history] == ["added", "corrected", "corrected", "corrected"]
    assert history[2]["by"] == "archivist" and history[2]["changes"]["date"] == {
        "before": None, "after": "2019-03-04"}
    assert history[3]["changes"]["status"] == {"before": "needs_review", "after": "ok"}
    events = [e for e in audit.events(app.settings.archive_dir) if e["action"] == "correct"]
    assert events[-1]["what"] == {"id": letter_id, "fields": ["confirmed"]}
    assert events[-1]["who"] == "archivist"


def test_confirming_a_missing_value_keeps_the_letter_in_the_queue(
        site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    letter_id = home.ids["acme.pdf"]
    before = server.app.state.web.letters.get(letter_id)
    assert before.partner is None and before.reasons
    with browser(server, "archivist") as http:
        page = http.get(f"/letters/{letter_id}").text
        assert http.post(f"/letters/{letter_id}/confirm",
                         data={"csrf": csrf_of(page)}).status_code == 303
        shown = text_of(http.get(f"/letters/{letter_id}?confirmed=1").text)
    assert "This letter needs review" in shown and "stays in the review queue" in shown
    with api(server, home, "archivist") as http:
        queue = http.get("/api/review").json()
    # the reasons stay as recognition wrote them; the empty partner is not "confirmed"
    assert [x["reasons"] for x in queue["letters"] if x["id"] == letter_id] == [
        [str(r) for r in before.reasons]]
    assert "partner" not in server.app.state.web.letters.get(letter_id).confirmed


def test_confirming_through_the_api(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    letter_id = home.ids["kaspersky-undated.pdf"]
    with api(server, home, "archivist") as http:
        corrected = http.patch(f"/api/letters/{letter_id}", json={
            "date": "2019-03-04", "confirmed": ["partner", "signatory", "direction"]})
        assert corrected.status_code == 200 and corrected.json()["status"] == "ok"
        assert [x["id"] for x in http.get("/api/review").json()["letters"]] == [home.ids["acme.pdf"]]


def test_confirming_needs_the_form_token_and_the_role(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    letter_id = home.ids["acme.pdf"]
    with browser(server, "archivist") as http:
        http.get(f"/letters/{letter_id}")
        refused = http.post(f"/letters/{letter_id}/confirm", data={"csrf": "forged"})
        assert refused.status_code == 403 and "The form has expired" in text_of(refused.text)
        missing = http.post("/letters/0000000000000000/confirm",
                            data={"csrf": csrf_of(http.get(f"/letters/{letter_id}").text)})
        assert missing.status_code == 404
    with browser(server, "reader") as http:
        page = http.get(f"/letters/{letter_id}").text
        assert "/confirm" not in page and "This letter needs review" in text_of(page)
        refused = http.post(f"/letters/{letter_id}/confirm", data={"csrf": csrf_of(page)})
        assert refused.status_code == 403
    assert server.app.state.web.letters.get(letter_id).confirmed == []


def test_the_queue_in_french(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "archivist") as http:
        text = text_of(http.get("/review", params={"lang": "fr"}).text)
    assert "File de vérification" in text and "Échanges incomplets" in text
    assert "Incomplet : la réponse du partenaire manque" in text


def test_turning_the_page_of_the_review_view_keeps_what_was_typed(
        site: tuple[LiveServer, WebHome], tmp_path: Path) -> None:
    server, _ = site
    app = server.app.state.web.letters
    pdfkit.write_text_pdf(tmp_path / "long.pdf", [[f"A note, page {n}"] for n in range(1, 5)])
    [long] = app.ingest([tmp_path / "long.pdf"], by="setup")
    assert long.letter is not None and long.letter.pages == 4
    letter_id = long.letter.id
    with browser(server, "archivist") as http:
        page = http.get(f"/review/{letter_id}")
        assert 'name="goto_page" value="2"' in page.text and 'form="correct-form"' in page.text
        turned = http.post(f"/letters/{letter_id}/correct", data={
            "csrf": csrf_of(page.text), "back": "review", "goto_page": "2", "date": "2019-03-04",
            "partner": "google", "signatory": "", "direction": "", "signed_by": "",
            "language": long.letter.language or "en", "title": long.letter.title or ""})
        assert turned.status_code == 303
        second = http.get(turned.headers["location"])
        assert "Page 2 of 4" in text_of(second.text)
        assert 'id="c-date" name="date" value="2019-03-04"' in second.text
        assert '<option value="google" selected>' in second.text
        assert "csrf" not in turned.headers["location"]  # the form token stays out of addresses
        assert app.get(letter_id).date != "2019-03-04"  # turning a page saves nothing
        third = http.post(f"/letters/{letter_id}/correct", data={
            "csrf": csrf_of(second.text), "back": "review", "goto_page": "3",
            "date": "2019-03-04", "partner": "google"})
        assert 'value="2019-03-04"' in http.get(third.headers["location"]).text


def png_width(content: bytes) -> int:
    """The width of a PNG image, from its header."""
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(content[16:20], "big")


def test_the_document_viewer_works_without_javascript(
        site: tuple[LiveServer, WebHome], tmp_path: Path) -> None:
    server, _ = site
    app = server.app.state.web.letters
    pdfkit.write_text_pdf(tmp_path / "three.pdf", [[f"A note, page {n}"] for n in range(1, 4)])
    [three] = app.ingest([tmp_path / "three.pdf"], by="setup")
    assert three.letter is not None and three.letter.pages == 3
    letter_id = three.letter.id
    with browser(server, "archivist") as http:
        page = http.get(f"/review/{letter_id}").text
        # the strip of pages and the zoom are buttons of the correction form: typed values go along
        strip = page[page.index('class="viewer__strip"'):]
        assert f'<button type="submit" form="correct-form" name="goto_page" value="3" ' \
               f'class="viewer__thumb"><img src="/letters/{letter_id}/pages/3.png"' in strip
        assert 'value="1" class="viewer__thumb" aria-current="page"' in strip
        assert 'name="goto_zoom" value="150" class="link-button" data-key="+"' in page
        assert f'href="/letters/{letter_id}/pages/1.png?size=full"' in page
        assert 'name="view_page" value="1"' in page and 'name="view_zoom" value="100"' in page
        assert "Keyboard shortcuts" in text_of(page) and 'src="/static/viewer.js"' in page
        zoomed = http.post(f"/letters/{letter_id}/correct", data={
            "csrf": csrf_of(page), "back": "review", "view_page": "2", "view_zoom": "100",
            "goto_zoom": "150", "date": "2019-03-04", "partner": "google"})
        assert zoomed.status_code == 303
        assert zoomed.headers["location"] == \
            f"/review/{letter_id}?page=2&zoom=150&date=2019-03-04&partner=google"
        second = http.get(zoomed.headers["location"]).text
        assert "Page 2 of 3" in text_of(second) and "Zoom: 150%" in text_of(second)
        assert f'src="/letters/{letter_id}/pages/2.png?size=full"' in second
        assert 'width="1500"' in second and 'id="c-date" name="date" value="2019-03-04"' in second
        assert 'name="view_page" value="2"' in second and 'name="view_zoom" value="150"' in second
        turned = http.post(f"/letters/{letter_id}/correct", data={
            "csrf": csrf_of(second), "back": "review", "view_page": "2", "view_zoom": "150",
            "goto_page": "3", "date": "2019-03-04", "partner": "google"})
        assert turned.headers["location"] == \
            f"/review/{letter_id}?page=3&zoom=150&date=2019-03-04&partner=google"
        assert app.get(letter_id).date != "2019-03-04"  # moving in the viewer saves nothing
        full = http.get(f"/letters/{letter_id}/pages/3.png", params={"size": "full"})
        assert full.status_code == 200 and png_width(full.content) == 2000
        # the letter page: the same viewer, and what was typed in its form also goes along
        on_letter = http.get(f"/letters/{letter_id}", params={"q": "note"}).text
        assert 'name="view_q" value="note"' in on_letter
        moved = http.post(f"/letters/{letter_id}/correct", data={
            "csrf": csrf_of(on_letter), "view_page": "1", "view_zoom": "100", "view_q": "note",
            "goto_page": "2", "date": "2019-03-05"})
        assert moved.headers["location"] == \
            f"/letters/{letter_id}?page=2&q=note&date=2019-03-05#viewer"
        assert 'name="date" value="2019-03-05"' in http.get(moved.headers["location"]).text
    with browser(server, "reader") as http:  # no form for a reader: links
        page = http.get(f"/letters/{letter_id}", params={"page": "2", "zoom": "75"}).text
        assert "Page 2 of 3" in text_of(page) and 'width="750"' in page
        assert f'src="/letters/{letter_id}/pages/2.png?size=large"' in page
        assert f'href="/letters/{letter_id}?page=3&amp;zoom=75#viewer" class="viewer__thumb"' in page
        assert f'href="/letters/{letter_id}?page=1&amp;zoom=75#viewer" data-key="p"' in page
        assert f'href="/letters/{letter_id}?page=2&amp;zoom=50#viewer" data-key="-"' in page
        assert f'href="/letters/{letter_id}?page=2#viewer" data-key="+"' in page
        assert "goto_page" not in page
