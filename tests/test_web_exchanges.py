"""Exchanges over real HTTP: listed on the partner page, paired and unpaired by archivists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pdfkit
import pytest

from letters.pairing.listing import PAIR_CHOICES
from letters.preservation import audit
from letters.service import Letters
from letters.settings import Settings
from support.letters import archived
from support.server import LiveServer
from support.web import browser, csrf_of, text_of
from support.webhome import WebHome, copy_web_home

#: Google's reply, too late (and citing no date) to be paired automatically with the letter of
#: 8 November 2017.
LATE_REPLY = [
    "**Google LLC", "1600 Amphitheatre Parkway, Mountain View", "", "Mountain View, 3 September 2018",
    "", "Mr Thorbjørn Jagland", "Secretary General", "Council of Europe", "F-67075 Strasbourg Cedex",
    "", "Dear Secretary General,", "", "Google is glad to take part in the Digital Partnership.", "",
    "Yours sincerely,", "", "Kent Walker", "Senior Vice President, Google LLC"]


@pytest.fixture(scope="module")
def exchanges_template(web_template: WebHome, tmp_path_factory: pytest.TempPathFactory
                       ) -> WebHome:
    """The web home plus Google's late reply."""
    root = tmp_path_factory.mktemp("exchanges")
    home = copy_web_home(web_template, root / "home")
    source = pdfkit.write_text_pdf(root / "google-reply.pdf", [LATE_REPLY])
    [result] = Letters(Settings(home=home.path)).ingest([source], by="setup")
    assert result.letter is not None and result.letter.partner == "google"
    assert result.letter.direction == "incoming" and result.letter.date == "2018-09-03"
    home.ids["google-reply.pdf"] = result.letter.id
    return home


@pytest.fixture
def site(exchanges_template: WebHome, tmp_path: Path) -> Iterator[tuple[LiveServer, WebHome]]:
    """A server on a private copy of the exchanges home."""
    home = copy_web_home(exchanges_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path)) as server:
        yield server, home


def api(server: LiveServer, home: WebHome, role: str | None) -> httpx.Client:
    """An API client with the role's bearer token (none for None)."""
    headers = {"Authorization": f"Bearer {home.tokens[role]}"} if role else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=60)


def section(page: str, title_id: str) -> str:
    """The part of a page from a section's heading to the next section."""
    start = page.index(f'id="{title_id}"')
    end = page.find("<section", start)
    return page[start:end if end > 0 else len(page)]


def test_the_partner_page_lists_its_exchanges(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with browser(server, "reader") as http:
        cloudflare = section(http.get("/partners/cloudflare").text, "exchanges-title")
        google = section(http.get("/partners/google").text, "exchanges-title")
    # the founding exchange is shown once, as the founding documents: not again among the others
    assert "The archive holds no other exchange of this partner." in text_of(cloudflare)
    assert f'href="/letters/{home.ids["cloudflare-out.pdf"]}"' not in cloudflare
    text = text_of(google)
    assert "Other exchanges of letters" in text
    assert text.count("Incomplete: the Secretary General's letter is missing") == 1
    assert "paired automatically" in text


def test_the_api_lists_a_partners_exchanges(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with api(server, home, "reader") as http:
        google = http.get("/api/partners/google/exchanges").json()
        cloudflare = http.get("/api/partners/cloudflare/exchanges").json()
        assert http.get("/api/partners/nobody/exchanges").status_code == 404
    assert [(x["outgoing"], x["incoming"], x["complete"]) for x in google] == [
        (home.ids["google-out.pdf"], None, False), (None, home.ids["google-reply.pdf"], False)]
    assert google[0]["missing"] == "the partner's letter in reply is not in the archive"
    assert [x["complete"] for x in cloudflare] == [True] and cloudflare[0]["missing"] is None
    assert [x["id"] for x in cloudflare[0]["letters"]] == [home.ids["cloudflare-out.pdf"],
                                                           home.ids["cloudflare-in.pdf"]]


def test_an_archivist_pairs_and_unpairs_letters_on_the_letter_page(
        site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    out, reply = home.ids["google-out.pdf"], home.ids["google-reply.pdf"]
    with browser(server, "archivist") as http:
        page = http.get(f"/letters/{out}").text
        form = section(page, "exchange-form-title")
        assert f'<option value="{reply}"' in form
        assert home.ids["cloudflare-in.pdf"] not in form  # another partner's letter
        assert f'value="{out}"' not in form and "Take this letter out" not in form
        linked = http.post(f"/letters/{out}/exchange",
                           data={"csrf": csrf_of(page), "action": "link", "other": reply})
        assert linked.status_code == 303
        assert linked.headers["location"] == f"/letters/{out}?exchange=linked#exchange-form"
        after = http.get(f"/letters/{out}?exchange=linked").text
        assert "The two letters are now paired." in after
        assert f'href="/letters/{reply}"' in section(after, "exchange-title")
        assert "Paired with the other letter of its exchange" in text_of(after)
        google = text_of(http.get("/partners/google").text)  # now its founding documents
        assert "Incomplete" not in google and "Complete (paired by hand)" in google
        reply_page = http.get(f"/letters/{reply}").text
        assert f'href="/letters/{out}"' in section(reply_page, "exchange-title")
        unlinked = http.post(f"/letters/{out}/exchange",
                             data={"csrf": csrf_of(after), "action": "unlink"})
        assert unlinked.status_code == 303
        alone = http.get(unlinked.headers["location"].split("#")[0]).text
        assert "The letter now stands alone." in alone and 'id="exchange-title"' not in alone
        google = text_of(http.get("/partners/google").text)
        assert google.count("Incomplete") == 2
    app = server.app.state.web.letters
    assert app.get(out).exchange == "" and app.get(reply).exchange == ""
    log = [(e["action"], e["what"], e["who"])
           for e in audit.events(app.settings.archive_dir) if e["action"] in ("link", "unlink")]
    assert log == [("link", {"ids": [out, reply]}, "archivist"),
                   ("unlink", {"ids": [out, reply]}, "archivist")]


def test_pairing_errors_are_shown_on_the_letter_page(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    out = home.ids["google-out.pdf"]
    with browser(server, "archivist") as http:
        token = csrf_of(http.get(f"/letters/{out}").text)
        cases = [
            ({"action": "link", "other": home.ids["cloudflare-in.pdf"]},
             "These letters belong to different partners; correct the partner first."),
            ({"action": "link", "other": out}, "A letter cannot be paired with itself."),
            ({"action": "link", "other": ""}, "Choose the other letter of the exchange."),
            ({"action": "link", "other": "0000000000000000"},
             "There is no letter with the id '0000000000000000'."),
            ({"action": "merge"},
             "Choose whether to pair the letter or take it out of its exchange."),
        ]
        for data, sentence in cases:
            refused = http.post(f"/letters/{out}/exchange", data={"csrf": token, **data})
            assert refused.status_code == 422, data
            shown = section(refused.text, "exchange-form-title")
            assert 'class="error-summary"' in shown and sentence in text_of(shown), data
        french = [("other", home.ids["cloudflare-in.pdf"], "relèvent de partenaires différents"),
                  ("other", out, "ne peut pas former un échange avec elle-même"),
                  ("other", "", "Choisissez l’autre lettre de l’échange."),
                  ("other", "0000000000000000",
                   "Il n’y a pas de lettre dont l’identifiant est « 0000000000000000 »."),
                  ("action", "merge", "Choisissez s’il faut associer la lettre")]
        for field, value, words in french:  # the same refusals, said in French from their codes
            data = {"action": "link", field: value}
            refused = http.post(f"/letters/{out}/exchange", data={"csrf": token, **data},
                                headers={"Accept-Language": "fr"})
            shown = text_of(section(refused.text, "exchange-form-title"))
            assert refused.status_code == 422 and words in shown, (data, shown)
        forged = http.post(f"/letters/{out}/exchange",
                           data={"csrf": "forged", "action": "unlink"})
        assert forged.status_code == 403
    assert server.app.state.web.letters.get(out).exchange is None


def test_readers_see_no_pairing_form(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    out = home.ids["google-out.pdf"]
    with browser(server, "reader") as http:
        page = http.get(f"/letters/{out}").text
        assert 'id="exchange-form"' not in page
        refused = http.post(f"/letters/{out}/exchange", data={
            "csrf": csrf_of(page), "action": "link", "other": home.ids["google-reply.pdf"]})
        assert refused.status_code == 403
    assert server.app.state.web.letters.get(out).exchange is None


def test_api_link_and_unlink(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    out, reply = home.ids["google-out.pdf"], home.ids["google-reply.pdf"]
    with api(server, home, "archivist") as http:
        linked = http.put(f"/api/letters/{reply}/exchange", json={"other": out})
        assert linked.status_code == 200
        body = linked.json()
        assert (body["outgoing"], body["incoming"], body["complete"], body["how"]) == (
            out, reply, True, "manual")
        assert [x["id"] for x in body["letters"]] == [out, reply]
        assert http.get("/api/partners/google/exchanges").json()[0]["incoming"] == reply
        unlinked = http.delete(f"/api/letters/{out}/exchange")
        assert unlinked.status_code == 200 and unlinked.json() == {"unlinked": [out, reply]}
        assert [x["complete"] for x in http.get("/api/partners/google/exchanges").json()] == [
            False, False]


def test_api_pairing_errors(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    out = home.ids["google-out.pdf"]
    cloudflare_out = home.ids["cloudflare-out.pdf"]
    with api(server, home, "archivist") as http:
        same = http.put(f"/api/letters/{cloudflare_out}/exchange", json={"other": out})
        assert same.status_code == 422
        assert same.json() == {"detail": "These letters belong to different partners; correct the "
                                         "partner first."}
        missing = http.put(f"/api/letters/{out}/exchange", json={})
        assert missing.status_code == 422 and missing.json() == {"detail": "'other' is required."}
        unknown = http.put("/api/letters/0000000000000000/exchange", json={"other": out})
        assert unknown.status_code == 404
        assert http.delete("/api/letters/0000000000000000/exchange").status_code == 404
        broken = http.put(f"/api/letters/{out}/exchange", content=b"other",
                          headers={"Content-Type": "application/json"})
        assert broken.status_code == 400
    for role, status in ((None, 401), ("reader", 403), ("auditor", 403)):
        with api(server, home, role) as http:
            assert http.put(f"/api/letters/{out}/exchange",
                            json={"other": home.ids["google-reply.pdf"]}).status_code == status
            assert http.delete(f"/api/letters/{out}/exchange").status_code == status
    assert server.app.state.web.letters.get(out).exchange is None


def test_a_partner_with_many_letters_offers_the_nearest_and_pairs_any_by_its_id(
        site: tuple[LiveServer, WebHome], tmp_path: Path) -> None:
    """The form does not grow with the partner: the letters nearest in date, and a field for
    the id of any other (the letter page must cost the same at 100 and at 100,000 letters)."""
    server, home = site
    out = home.ids["google-out.pdf"]  # 8 November 2017
    app = server.app.state.web.letters
    with browser(server, "archivist") as http:
        assert 'name="other_id"' not in section(http.get(f"/letters/{out}").text,
                                                 "exchange-form-title")  # a few letters: a list
        later = [archived(app, tmp_path, "google", "incoming", f"2020-{1 + n // 28:02d}-"
                          f"{1 + n % 28:02d}", f"Reply {n}") for n in range(PAIR_CHOICES + 5)]
        page = http.get(f"/letters/{out}").text
        form = section(page, "exchange-form-title")
        offered = re.findall(r'<option value="([0-9a-f]+)"', form)
        assert len(offered) == PAIR_CHOICES
        assert home.ids["google-reply.pdf"] in offered  # 3 September 2018, the nearest
        assert offered == [home.ids["google-reply.pdf"]] + [x.id for x in later[:PAIR_CHOICES - 1]]
        assert 'name="other_id"' in form
        farthest = later[-1].id
        linked = http.post(f"/letters/{out}/exchange", data={
            "csrf": csrf_of(page), "action": "link", "other": offered[0], "other_id": farthest})
        assert linked.status_code == 303
    assert app.get(out).exchange == farthest and app.get(farthest).exchange == out


def test_a_letter_left_alone_by_a_new_pairing_is_not_labelled_paired_by_hand(
        site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    out, reply = home.ids["cloudflare-out.pdf"], home.ids["cloudflare-in.pdf"]
    with api(server, home, "archivist") as client:
        other = client.post("/api/letters", files=[("file", ("other.pdf", pdfkit.text_pdf([[
            "**Cloudflare, Inc.", "101 Townsend Street, San Francisco", "",
            "San Francisco, 1 October 2018", "", "Mr Thorbjørn Jagland", "Secretary General",
            "Council of Europe", "F-67075 Strasbourg Cedex", "", "Dear Secretary General,", "",
            "Cloudflare writes again.", "", "Yours sincerely,", "", "Matthew Prince",
            "Chief Executive Officer, Cloudflare, Inc."]]), "application/pdf"))])
        assert other.status_code == 201, other.text
        [new] = [x["id"] for x in other.json()]
        assert client.put(f"/api/letters/{new}/exchange", json={"other": out}).status_code == 200
    with browser(server, "reader") as http:
        page = http.get("/partners/cloudflare").text
    rows = text_of(section(page, "exchanges-title"))
    assert "left alone by hand" in rows and "paired by hand" not in rows
    assert reply in section(page, "exchanges-title")


@pytest.mark.slow  # races writers against each other for seconds
def test_links_and_an_unlink_at_once_never_leave_a_one_sided_pair(
        web_template: WebHome, tmp_path: Path) -> None:
    """Four archivists pair the same letter with four replies while a fifth unpairs it, over
    real HTTP, round after round: every letter paired by hand is paired with a letter paired
    with it (unlink once read the other letter before taking the locks)."""
    from support.concurrency import at_once

    home = copy_web_home(web_template, tmp_path / "home")
    app = Letters(Settings(home=home.path))
    out = home.ids["cloudflare-out.pdf"]
    replies = [home.ids["cloudflare-in.pdf"]] + [
        archived(app, tmp_path, "cloudflare", "incoming", f"2018-06-0{day}", f"Reply {day}").id
        for day in (1, 2, 3)]
    app.index.update([app.get(i) for i in replies])
    everyone = [out, *replies]
    with LiveServer(Settings(home=home.path)) as server, ExitStack() as stack:
        clients = [stack.enter_context(api(server, home, "archivist")) for _ in range(5)]

        def link(number: int) -> int:
            return clients[number].put(f"/api/letters/{out}/exchange",
                                       json={"other": replies[number]}).status_code

        def unlink() -> int:
            return clients[4].delete(f"/api/letters/{out}/exchange").status_code

        for _ in range(8):
            statuses = at_once([lambda n=n: link(n) for n in range(4)] + [unlink])  # type: ignore[misc]
            assert statuses == [200] * 5
            records = {i: Letters(Settings(home=home.path)).get(i) for i in everyone}
            one_sided = [(i, r.exchange) for i, r in records.items()
                         if r.exchange and records[r.exchange].exchange != i]
            assert one_sided == []
    found = [p.message.code for p in Letters(Settings(home=home.path)).verify().problems]
    assert "integrity.pair_mismatch" not in found


def test_verify_reports_a_letter_paired_with_one_not_paired_with_it(
        web_template: WebHome, tmp_path: Path) -> None:
    home = copy_web_home(web_template, tmp_path / "home")
    app = Letters(Settings(home=home.path))
    out, reply = home.ids["cloudflare-out.pdf"], home.ids["cloudflare-in.pdf"]
    app.parts().update(out, {"exchange": reply}, by="hand", action="linked")
    problems = [(p.id, p.message.code, p.problem) for p in app.verify().problems]
    assert problems == [(out, "integrity.pair_mismatch",
                         f"this letter is paired by hand with letter {reply}, which is not paired "
                         "with it (a link or unlink was interrupted): link or unlink them again")]
