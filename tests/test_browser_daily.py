"""The archivists' and auditors' daily work in real headless Chromium (issue 13), English and
French, at 1366 px and at phone width (390 px).

With LETTERS_SCREENSHOTS set, screenshots of each step go to test-artifacts/ (not versioned).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pdfkit
import pytest
from playwright.sync_api import Page, Route, expect

from support.chromium import ARTIFACTS, screenshot, window
from support.server import LiveServer
from support.web import UNLABELLED
from support.webhome import INTEL_REPLY, WEB_PASSWORD, WebHome

DESKTOP, PHONE = 1366, 390
#: The French words of the correction form's first error, for each language.
DAY_MISSING = {"en": "The day 2019-02-31 does not exist: February 2019 has 28 days.",
               "fr": "Le jour 2019-02-31 n’existe pas : février 2019 compte 28 jours."}


def log_in(page: Page, url: str, role: str, lang: str = "en") -> None:
    """Log in as `role` and choose the interface language."""
    page.goto(f"{url}/login?lang={lang}")
    page.locator("#name").fill(role)
    page.locator("#password").fill(WEB_PASSWORD.format(role=role))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{url}/")


def shot(page: Page, name: str) -> None:
    """Save a full-page screenshot (if asked); every control and image of the page is labelled."""
    screenshot(page, f"daily-{name}")
    assert page.evaluate(UNLABELLED) == [], name


def no_sideways_scroll(page: Page) -> None:
    """Nothing on the page is wider than the window."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


# -- 2: the correction form keeps what was typed, and says what is wrong beside the field -------
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_refused_correction_keeps_every_value_and_points_at_the_field(
        fresh: tuple[LiveServer, WebHome], tab: Page, lang: str) -> None:
    server, home = fresh
    letter_id = home.ids["ripe-fr.pdf"]
    with window(tab, statuses=(422,)) as page:
        log_in(page, server.url, "archivist", lang)
        page.goto(f"{server.url}/letters/{letter_id}")
        page.locator("#c-date").fill("2019-02-31")
        page.locator("#c-partner").select_option("google")
        page.locator("#c-direction").select_option("incoming")
        page.locator("#c-signed_by").fill("Jane Typed-Name")
        page.locator("#c-title").fill("A title typed by hand")
        page.locator(".correct form button[type=submit]").click()
        summary = page.locator(".error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        expect(summary).to_be_in_viewport()
        link = summary.get_by_role("link", name=DAY_MISSING[lang])
        expect(link).to_have_attribute("href", "#c-date")
        beside = page.locator(".field--error").filter(has=page.locator("#c-date"))
        expect(beside.locator(".error-message")).to_contain_text(DAY_MISSING[lang])
        expect(page.locator("#c-date")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#c-date")).to_have_value("2019-02-31")
        expect(page.locator("#c-partner")).to_have_value("google")
        expect(page.locator("#c-direction")).to_have_value("incoming")
        expect(page.locator("#c-signed_by")).to_have_value("Jane Typed-Name")
        expect(page.locator("#c-title")).to_have_value("A title typed by hand")
        shot(page, f"2-correction-error-{lang}")
        link.click()
        expect(page.locator("#c-date")).to_be_focused()
    assert server.app.state.web.letters.get(letter_id).partner == "ripe-ncc"  # nothing was saved


# -- 3: one altered original: which letter, what is wrong, what to do, on a desktop and a phone --
FIXITY = {"en": ("The original has been altered",
                 "Tell the archive's administrator: the original must be restored from a backup"),
          "fr": ("L’original a été modifié",
                 "Prévenez l’administrateur des archives : l’original doit être restauré")}


def test_the_fixity_page_says_which_letter_is_altered_and_what_to_do(
        fresh: tuple[LiveServer, WebHome], tab: Page) -> None:
    server, home = fresh
    google = home.ids["google-out.pdf"]
    original = server.app.state.web.letters.archive.original_path(google)
    original.chmod(0o644)
    original.write_bytes(original.read_bytes() + b"\n% appended")
    for lang in ("en", "fr"):
        for width in (DESKTOP, PHONE):
            with window(tab, width) as page:
                log_in(page, server.url, "auditor", lang)
                page.goto(f"{server.url}/fixity")
                if lang == "en" and width == DESKTOP:
                    page.locator("main form button[type=submit]").click()
                what, todo = FIXITY[lang]
                problem = page.locator(".problem")
                expect(problem).to_have_count(1)
                for part in (problem.get_by_role("link", name="Letter from Thorbjørn Jagland to Google LLC")
                             if lang == "en" else problem.get_by_role("link", name="Google LLC"),
                             problem.get_by_text(what), problem.get_by_text(todo)):
                    expect(part.first).to_be_visible()
                    box = part.first.bounding_box()
                    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
                no_sideways_scroll(page)
                shot(page, f"3-fixity-{lang}-{width}")


# -- 4: phone width: tables stacked as label/value, filters and sort before the results ---------
NOTHING_HIDDEN = """() => [...document.querySelectorAll('.table-wrap, table')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className)"""


def stacked(page: Page, table: str, labels: list[str]) -> None:
    """The table's rows are blocks whose cells show their column's name beside the value."""
    row = page.locator(f"{table} tbody tr").first
    expect(row).to_be_visible()
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"
    before = row.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert set(labels) <= {content.strip('"') for content in before}, before
    assert page.evaluate(NOTHING_HIDDEN) == []
    no_sideways_scroll(page)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_tables_are_readable_on_a_phone(fresh: tuple[LiveServer, WebHome], tab: Page,
                                        lang: str) -> None:
    server, home = fresh
    server.app.state.web.letters.correct(home.ids["google-out.pdf"], {"partner": None}, by="setup",
                                         confirm_pairing=True)
    french = lang == "fr"
    with window(tab, PHONE) as page:
        log_in(page, server.url, "admin", lang)
        page.goto(f"{server.url}/audit")
        stacked(page, ".audit-events", ["Quand", "Qui"] if french else ["When", "Who"])
        heights = page.locator(".audit-events time").evaluate_all(
            "times => times.map(t => t.getBoundingClientRect().height)")
        assert max(heights) < 30, heights  # each date and time on one line, not broken mid-word
        shot(page, f"4-audit-{lang}")
        page.goto(f"{server.url}/partners")
        stacked(page, "table.table--stack", ["Adhésion", "Lettres"] if french else ["Joined", "Letters"])
        shot(page, f"4-partners-{lang}")
        page.goto(f"{server.url}/review")
        stacked(page, "table.review", ["Pourquoi"] if french else ["Why"])
        stacked(page, "table.exchanges", ["Date"])
        shot(page, f"4-review-{lang}")
        page.goto(f"{server.url}/letters/{home.ids['google-out.pdf']}")
        stacked(page, "#history-title + .table-wrap table", ["Qui"] if french else ["Who"])
        shot(page, f"4-letter-{lang}")


#: Whether every part of each stacked cell of a row lies right of its label (the ::before column).
VALUES_BESIDE_LABELS = """row => [...row.querySelectorAll('td[data-label]')].flatMap(cell => {
    const label = parseFloat(getComputedStyle(cell).gridTemplateColumns.split(' ')[0]);
    const left = cell.getBoundingClientRect().left + label;
    return [...cell.children].filter(child => child.getBoundingClientRect().left < left)
        .map(child => cell.dataset.label + ': ' + child.textContent.trim());
})"""


def test_a_partners_notes_stay_beside_their_labels_on_a_phone(
        fresh: tuple[LiveServer, WebHome], tab: Page) -> None:
    server, _ = fresh
    app = server.app.state.web.letters
    specimens = Path(__file__).resolve().parents[1] / "specimens"
    assert all(r.letter is not None for r in app.ingest(sorted(specimens.glob("*-att-*.pdf")),
                                                         by="setup"))
    with window(tab, PHONE) as page:
        log_in(page, server.url, "reader")
        page.goto(f"{server.url}/partners")
        row = page.locator("tr", has=page.locator("a[href='/partners/att']"))
        expect(row).to_contain_text("the date of its founding exchange")
        expect(row).to_contain_text("Thorbjørn Jagland")
        assert row.evaluate(VALUES_BESIDE_LABELS) == []
        shot(page, "7-partners-att-phone")


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_search_filters_and_sort_come_before_the_results(site: tuple[LiveServer, WebHome],
                                                         tab: Page, width: int) -> None:
    server, _ = site
    with window(tab, width) as page:
        log_in(page, server.url, "reader")
        page.goto(f"{server.url}/?q=partnership")
        first_result = page.locator(".result").first
        expect(first_result).to_be_visible()
        sort = page.get_by_label("Sort by")
        if width == PHONE:
            expect(sort).to_be_hidden()
            toggle = page.get_by_text("Filter and sort the results")
            assert toggle.bounding_box()["y"] < first_result.bounding_box()["y"]  # type: ignore[index]
            toggle.click()
        expect(sort).to_be_visible()
        assert sort.bounding_box()["y"] < first_result.bounding_box()["y"] or width == DESKTOP  # type: ignore[index]
        sort.select_option("date")
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(f"{server.url}/?q=partnership&partner=&signatory=&direction="
                                 "&language=&from=&to=&sort=date")
        expect(page.locator(".result").first).to_be_visible()
        no_sideways_scroll(page)
        shot(page, f"4-search-{width}")


# -- 7: "Confirm these values" only when there is something to confirm ---------------------------
def ingest_one(server: LiveServer, path: Path, lines: list[str]) -> str:
    """Archive a one-page letter with these lines; its id."""
    pdfkit.write_text_pdf(path, [lines])
    [result] = server.app.state.web.letters.ingest([path], by="setup")
    assert result.letter is not None
    return result.letter.id


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_confirming_is_offered_only_for_values_there_are(fresh: tuple[LiveServer, WebHome],
                                                        tab: Page, tmp_path: Path,
                                                        lang: str) -> None:
    server, home = fresh
    app = server.app.state.web.letters
    blank = ingest_one(server, tmp_path / "note.pdf", ["Shopping list", "", "Bread, milk, eggs."])
    assert app.get(blank).status == "needs_review" and app.get(blank).partner is None
    partial = home.ids["google-out.pdf"]
    app.correct(partial, {"partner": None}, by="setup", confirm_pairing=True)
    with window(tab) as page:
        log_in(page, server.url, "archivist", lang)
        page.goto(f"{server.url}/letters/{blank}")
        expect(page.locator(".warning li").first).to_be_visible()
        expect(page.locator("#confirm")).to_have_count(0)
        shot(page, f"7-nothing-to-confirm-{lang}")
        page.goto(f"{server.url}/letters/{partial}")
        reasons = page.locator(".warning li").all_inner_texts()
        assert reasons == (["Aucun partenaire n’est enregistré."] if lang == "fr"
                           else ["No partner is recorded."])
        hint = page.locator("#confirm .hint")
        expect(hint).to_contain_text("Secrétaire Général, date, sens" if lang == "fr"
                                     else "Secretary General, date, direction")
        page.locator("#confirm button").click()
        expect(page.locator(".notice")).to_contain_text(
            "reste dans la file de vérification" if lang == "fr" else "stays in the review queue")
        assert page.locator(".warning li").all_inner_texts() == reasons
        expect(page.locator("#confirm")).to_have_count(0)
        shot(page, f"7-confirmed-but-in-review-{lang}")
    assert app.get(partial).status == "needs_review"
    assert set(app.get(partial).confirmed) == {"partner", "signatory", "date", "direction"}


# -- 8: a corrected field says who corrected it and when, not what recognition had found ---------
CORRECTED = {"en": r"Corrected by archivist on \d{1,2} \w+ \d{4}, \d\d:\d\d UTC",
             "fr": r"Corrigé par archivist le \d{1,2} \w+ \d{4}, \d\d:\d\d UTC"}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_corrected_field_shows_who_corrected_it(fresh: tuple[LiveServer, WebHome],
                                                 tab: Page, lang: str) -> None:
    server, home = fresh
    letter_id = home.ids["cloudflare-out.pdf"]
    with window(tab) as page:
        log_in(page, server.url, "archivist", lang)
        page.goto(f"{server.url}/letters/{letter_id}")
        date_row = page.locator(".summary__row").filter(has=page.locator("dt", has_text="Date"))
        expect(date_row).to_contain_text("Strasbourg, 23 May 2018")  # the evidence, before
        page.locator("#c-date").fill("2018-05-24")
        page.locator(".correct form button[type=submit]").click()
        expect(page.locator("#correct .notice")).to_be_visible()
        expect(date_row).to_contain_text("24 mai 2018" if lang == "fr" else "24 May 2018")
        assert re.search(CORRECTED[lang], date_row.inner_text()), date_row.inner_text()
        expect(date_row).not_to_contain_text("Strasbourg, 23 May 2018")
        partner_row = page.locator(".summary__row").filter(
            has=page.locator("dt", has_text="Partenaire" if lang == "fr" else "Partner"))
        expect(partner_row).not_to_contain_text("archivist")
        shot(page, f"8-corrected-{lang}")


# -- 6: history, audit details and PDF metadata in words, with names and labels -----------------
RAW = re.compile(r"needs_review|creation_date|modification_date|\[\]|\['|: True|: False|"
                 r"\bfields\b|\bsha256\b|→ cloudflare|→ google")
WORDS = {"en": ("Partner: Cloudflare → Google", "Fields: Partner", "Created: 1 January 2000",
                "Status: Recognised → Needs review"),
         "fr": ("Partenaire\u202f: Cloudflare → Google", "Champs\u202f: Partenaire",
                "Créé le\u202f: 1er janvier 2000", "État\u202f: Reconnue → À vérifier")}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_history_audit_and_metadata_are_in_words(fresh: tuple[LiveServer, WebHome],
                                                 tab: Page, lang: str) -> None:
    server, home = fresh
    letter_id = home.ids["cloudflare-out.pdf"]
    server.app.state.web.letters.correct(letter_id, {"partner": "google"}, by="archivist",
                                         confirm_pairing=True)
    server.app.state.web.letters.correct(letter_id, {"date": None}, by="archivist",
                                         confirm_pairing=True)
    partner, fields, created, status = WORDS[lang]
    with window(tab) as page:
        log_in(page, server.url, "admin", lang)
        page.goto(f"{server.url}/letters/{letter_id}")
        history = page.locator("#history-title + .table-wrap")
        expect(history).to_contain_text(partner)
        expect(history).to_contain_text(status)
        record = page.locator(".summary").first
        expect(record).to_contain_text(created)
        for text in (history.inner_text(), record.inner_text()):
            assert not RAW.search(text), RAW.search(text)
        unchanged = re.search(r"\u202f?: ([^\n]+) → \1\n", history.inner_text() + "\n")
        assert unchanged is None, unchanged  # a value that stayed the same is not listed
        expect(history).not_to_contain_text(
            "Confirmé tel que reconnu\u202f: Partenaire" if lang == "fr"
            else "Confirmed as recognised: Partner")  # corrected, not confirmed as it stood
        shot(page, f"6-history-{lang}")
        page.goto(f"{server.url}/audit")
        events = page.locator(".audit-events")
        expect(events).to_contain_text(fields)
        link = events.get_by_role("link", name=letter_id).first
        expect(link).to_have_attribute("href", f"/letters/{letter_id}")
        assert not RAW.search(events.inner_text()), RAW.search(events.inner_text())
        assert page.evaluate(NOTHING_HIDDEN) == []  # the long digests break, every column shows
        shot(page, f"6-audit-{lang}")


#: Text whose colour has less than WCAG AA contrast with the background behind it (4.5:1, 3:1 for
#: large text), as axe-core's color-contrast rule computes it for plain backgrounds.
LOW_CONTRAST = """() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4))
      .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!own || box.width === 0 || style.visibility === 'hidden' || style.opacity === '0') continue;
    const [a, b] = [lum(rgb(style.color).slice(0, 3)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const where = (el.parentElement ? el.parentElement.className + ' > ' : '') + el.tagName;
    if (ratio < needed) low.push(where + '.' + el.className + ': '
                                 + el.textContent.trim().slice(0, 40) + ' ' + ratio.toFixed(2));
  }
  return low;
}"""


# -- 10: the API documentation works on a closed network, and can be read ------------------------
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_api_documentation_works_without_internet_and_can_be_read(
        site: tuple[LiveServer, WebHome], tab: Page, lang: str) -> None:
    server, _ = site
    elsewhere: list[str] = []
    with window(tab) as page:
        def only_this_site(route: Route) -> None:
            if route.request.url.startswith(server.url):
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_site)
        if lang == "en":  # Swagger UI's page is the same in every language and session: once
            page.goto(f"{server.url}/docs")
            expect(page.locator(".opblock").first).to_be_visible()
            expect(page.locator(".opblock-summary-path", has_text="/api/search").first).to_be_visible()
            assert page.locator(".opblock").count() > 10
            expect(page.locator(".version-stamp", has_text="OAS 3.1")).to_be_visible()
            assert page.locator(".errors-wrapper").count() == 0
            shot(page, "10-docs")
            page.locator(".opblock-summary-path", has_text="/api/search").first.click()
            expect(page.locator(".opblock-body .parameters").first).to_be_visible()  # Swagger UI's own inputs
            assert page.locator("html").get_attribute("lang") == "en"
            assert page.locator("main").count() == 1
            assert page.evaluate(LOW_CONTRAST) == []
            page.get_by_role("link", name="The API reference as a plain page").click()
            expect(page).to_have_url(f"{server.url}/docs/reference")
        log_in(page, server.url, "reader", lang)  # the site's language, which the reference speaks
        page.goto(f"{server.url}/docs/reference")
        assert page.locator("html").get_attribute("lang") == lang
        heading = "L’API JSON : référence" if lang == "fr" else "The JSON API: reference"
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_role("heading", name="GET /api/search")).to_be_visible()
        assert page.locator("main").count() == 1 and page.locator("nav").count() >= 1
        assert page.evaluate(UNLABELLED) == []
        assert page.evaluate(LOW_CONTRAST) == []
        assert page.locator("a a, button a, a button, button button").count() == 0
        shot(page, f"9-api-reference-{lang}")
    assert elsewhere == []


# -- 12: smaller things ---------------------------------------------------------------------------
def test_head_answers_like_get_without_a_body(site: tuple[LiveServer, WebHome]) -> None:
    import httpx

    server, _ = site
    for path in ("/login", "/healthz", "/static/letters.css", "/docs"):
        head = httpx.head(f"{server.url}{path}")
        get = httpx.get(f"{server.url}{path}")
        assert head.status_code == get.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]
    assert httpx.head(f"{server.url}/").status_code == 303  # to the login page, as GET


UPLOAD = {"en": ("3 files. Added: 2; already in the archive: 0; refused: 1.",
                 "Refused files were not archived",
                 "Partner not recognised", "Secretary General not recognised"),
          "fr": ("3 fichiers. Ajoutés : 2 ; déjà dans les archives : 0 ; refusés : 1.",
                 "Les fichiers refusés n’ont pas été archivés", "Partenaire non reconnu",
                 "Secrétaire Général non reconnu")}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_upload_results_count_tell_refusals_apart_and_say_what_was_not_recognised(
        fresh: tuple[LiveServer, WebHome], tab: Page, tmp_path: Path, lang: str) -> None:
    server, home = fresh
    good = pdfkit.write_text_pdf(tmp_path / "intel-reply.pdf", [INTEL_REPLY])
    blank = pdfkit.write_text_pdf(tmp_path / "note.pdf", [["Shopping list", "", "Bread, milk."]])
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("not a PDF at all")
    summary, next_step, no_partner, no_sg = UPLOAD[lang]
    with window(tab) as page:
        log_in(page, server.url, "archivist", lang)
        page.goto(f"{server.url}/upload")
        page.locator("#file").set_input_files([str(good), str(blank), str(not_pdf)])
        page.locator("main form button[type=submit]").click()
        expect(page.locator(".upload-summary")).to_have_text(summary)
        expect(page.locator(".upload-results .warning")).to_contain_text(next_step)
        refused = page.locator(".upload-result--rejected .tag")
        review = page.locator(".upload-result .tag--warning").first
        expect(refused).to_be_visible()
        expect(review).to_be_visible()
        colours = [x.evaluate("e => getComputedStyle(e).backgroundColor") for x in (refused, review)]
        assert colours[0] != colours[1]
        note = page.locator(".upload-result").filter(has_text="note.pdf")
        expect(note).to_contain_text(no_partner)
        expect(note).to_contain_text(no_sg)
        shot(page, f"12-upload-{lang}")


def test_partners_joining_date_from_the_founding_exchange_and_letters_listed_once(
        fresh: tuple[LiveServer, WebHome], tab: Page) -> None:
    server, _ = fresh
    specimens = Path(__file__).resolve().parents[1] / "specimens"
    results = server.app.state.web.letters.ingest(
        sorted(specimens.glob("2019-03-12-att-*.pdf")), by="setup")
    assert [r.result for r in results] == ["added", "added"]
    assert server.app.state.web.letters.registry.partner("att").joined is None
    with window(tab) as page:
        log_in(page, server.url, "reader")
        page.goto(f"{server.url}/partners")
        row = page.locator("tr").filter(has=page.get_by_role("link", name="AT&T", exact=True))
        expect(row).to_contain_text("12 March 2019 (the date of its founding exchange")
        expect(page.locator(".timeline__rounds")).not_to_contain_text("Unknown")
        page.goto(f"{server.url}/partners/att")
        expect(page.locator(".summary")).to_contain_text("12 March 2019")
        for result in results:
            assert result.letter is not None
            expect(page.locator(f'main a[href="/letters/{result.letter.id}"]')).to_have_count(1)
        shot(page, "12-partner-att")


def test_search_shows_who_signed_and_years_in_order(site: tuple[LiveServer, WebHome],
                                                    tab: Page) -> None:
    server, _ = site
    with window(tab) as page:
        log_in(page, server.url, "reader")
        page.goto(f"{server.url}/?q=partnership")
        first = page.locator(".result").first
        expect(first).to_contain_text("Signed by")
        years = page.locator(".facets__list").nth(2).locator(".facets__item").all_inner_texts()
        assert [y.split()[0] for y in years] == sorted(y.split()[0] for y in years), years
        date_from = page.locator("#f-from")
        assert date_from.get_attribute("type") == "text"
        assert date_from.get_attribute("inputmode") == "numeric"


# -- 9: the review view: the page, large, beside the form; pages; the next letter ----------------
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_reviewing_beside_the_page_image_then_the_next_letter(
        fresh: tuple[LiveServer, WebHome], tab: Page, tmp_path: Path, lang: str) -> None:
    server, home = fresh
    app = server.app.state.web.letters
    first = ingest_one(server, tmp_path / "first.pdf", ["First page of a note", "", "Nothing."])
    pdfkit.write_text_pdf(tmp_path / "two.pdf", [["A note, page one"], ["A note, page two"]])
    [two] = app.ingest([tmp_path / "two.pdf"], by="setup")
    assert two.letter is not None and two.letter.pages == 2
    french = lang == "fr"
    with window(tab, statuses=(422,)) as page:
        log_in(page, server.url, "archivist", lang)
        page.goto(f"{server.url}/review")
        page.locator(f"#review-{first} a[href='/review/{first}']").click()
        expect(page).to_have_url(f"{server.url}/review/{first}")
        image = page.get_by_role("img", name="Page 1 de la lettre" if french else "Page 1 of the letter")
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") == 1000
        form = page.locator("#c-date")
        image_box, form_box = image.bounding_box(), form.bounding_box()
        assert image_box is not None and form_box is not None
        assert image_box["width"] >= 600  # large, and beside the form
        assert form_box["x"] > image_box["x"] + image_box["width"] - 1
        assert form_box["y"] < 900  # the form is in view without scrolling
        page.locator("#c-date").fill("2019-02-31")
        page.locator(".correct form button[type=submit]").click()
        expect(page).to_have_url(re.compile(rf"/letters/{first}/correct"))
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator(".review-view__image")).to_be_visible()  # still beside the page
        page.locator("#c-date").fill("2019-02-28")
        page.locator("#c-partner").select_option("google")
        page.locator(".correct form button[type=submit]").click()
        expect(page).to_have_url(re.compile(rf"/review/{first}\?saved=1"))
        assert app.get(first).date == "2019-02-28"
        next_link = page.locator(".review-view__next a")
        expect(next_link).to_have_attribute("href", f"/review/{two.letter.id}")
        next_link.click()
        expect(page.get_by_text("Page 1 sur 2" if french else "Page 1 of 2")).to_be_visible()
        page.locator("#c-date").fill("2020-06-15")  # typed, not saved, then the page turned
        page.locator("#c-partner").select_option("google")
        page.get_by_role("button", name="Page suivante" if french else "Next page").click()
        expect(page.get_by_text("Page 2 sur 2" if french else "Page 2 of 2")).to_be_visible()
        expect(page.locator("#c-date")).to_have_value("2020-06-15")
        expect(page.locator("#c-partner")).to_have_value("google")
        assert app.get(two.letter.id).date != "2020-06-15"
        page.get_by_role("button", name="Page précédente" if french else "Previous page").click()
        expect(page.get_by_text("Page 1 sur 2" if french else "Page 1 of 2")).to_be_visible()
        expect(page.locator("#c-date")).to_have_value("2020-06-15")
        page.locator("#c-date").press("Enter")  # Enter in a field saves, as before
        expect(page).to_have_url(re.compile(rf"/review/{two.letter.id}\?saved=1"))
        assert app.get(two.letter.id).date == "2020-06-15"
        page.get_by_role("button", name="Page suivante" if french else "Next page").click()
        expect(page.get_by_text("Page 2 sur 2" if french else "Page 2 of 2")).to_be_visible()
        expect(page.get_by_role("img", name="Page 2 de la lettre" if french else "Page 2 of the letter")
               ).to_have_js_property("complete", True)
        shot(page, f"9-review-view-{lang}")
        page.goto(f"{server.url}/review/{home.ids['google-out.pdf']}")  # what recognition found
        expect(page.locator("#c-date")).to_have_accessible_description(re.compile(
            "Trouvé dans la lettre.*8 November 2017" if french else "Found in the letter.*8 November 2017"))
    with window(tab, PHONE) as phone:
        log_in(phone, server.url, "archivist", lang)
        phone.goto(f"{server.url}/review/{first}")
        expect(phone.locator(".review-view__image")).to_be_visible()
        no_sideways_scroll(phone)


def image_width(page: Page) -> float:
    """How wide the viewer's page image is drawn, once loaded."""
    image = page.locator(".review-view__image")
    expect(image).to_have_js_property("complete", True)
    box = image.bounding_box()
    assert box is not None
    return box["width"]


# -- issue 26, point 10: the document viewer ----------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_viewer_pages_zooms_and_keeps_what_was_typed_with_the_keyboard(
        fresh: tuple[LiveServer, WebHome], tab: Page, tmp_path: Path, lang: str) -> None:
    server, _ = fresh
    app = server.app.state.web.letters
    pdfkit.write_text_pdf(tmp_path / "three.pdf", [[f"A note, page {n}"] for n in range(1, 4)])
    [three] = app.ingest([tmp_path / "three.pdf"], by="setup")
    assert three.letter is not None and three.letter.pages == 3
    letter_id, french = three.letter.id, lang == "fr"
    later = ingest_one(server, tmp_path / "later.pdf", ["A later note", "", "Nothing."])
    following = app.next_in_queue(three.letter)
    assert following is not None and following.id == later

    def shows(n: int) -> None:
        expect(page.locator("#page-caption")).to_have_text(
            f"Page {n} sur 3" if french else f"Page {n} of 3")
        expect(page.locator("#c-date")).to_have_value("2020-06-15")
        expect(page.locator("#c-partner")).to_have_value("google")

    with window(tab) as page:
        log_in(page, server.url, "archivist", lang)
        page.goto(f"{server.url}/review/{letter_id}")
        expect(page.get_by_role("heading", name="Raccourcis clavier" if french
                                else "Keyboard shortcuts")).to_be_visible()
        page.locator("#c-date").fill("2020-06-15")  # typed, not saved
        page.locator("#c-partner").select_option("google")
        strip = page.get_by_role("navigation", name="Toutes les pages de la lettre" if french
                                 else "Every page of the letter")
        strip.get_by_role("button", name="Aller à la page 3" if french else "Go to page 3").click()
        shows(3)
        expect(strip.locator("[aria-current=page]")).to_have_accessible_name(
            "Aller à la page 3" if french else "Go to page 3")
        drawn = image_width(page)
        page.get_by_role("button", name="Agrandir" if french else "Zoom in").click()
        shows(3)
        assert image_width(page) > drawn * 1.3  # larger, drawn from the full-size image
        assert page.locator(".review-view__image").evaluate("img => img.naturalWidth") == 2000
        no_sideways_scroll(page)  # the larger image scrolls in its frame, not the page
        page.keyboard.press("p")  # previous page, the zoom kept
        shows(2)
        assert image_width(page) > drawn * 1.3
        page.keyboard.press("-")
        shows(2)
        assert image_width(page) < drawn * 1.01
        page.keyboard.press("n")
        shows(3)
        page.locator("#c-date").press("n")  # a key typed in a field is the field's
        expect(page.locator("#c-date")).to_have_value(re.compile(r"^(n2020-06-15|2020-06-15n)$"))
        expect(page.locator("#page-caption")).to_have_text("Page 3 sur 3" if french else "Page 3 of 3")
        page.locator("#c-date").fill("2020-06-15")
        assert app.get(letter_id).date != "2020-06-15"  # moving saved nothing
        shot(page, f"10-viewer-{lang}")
        page.locator("#c-date").press("Control+s")  # saves, from the field
        expect(page).to_have_url(re.compile(rf"/review/{letter_id}\?saved=1"))
        assert app.get(letter_id).date == "2020-06-15"
        page.keyboard.press("l")
        expect(page).to_have_url(f"{server.url}/review/{following.id}")
    with window(tab) as page:  # the letter page, as a reader: links
        log_in(page, server.url, "reader", lang)
        page.goto(f"{server.url}/letters/{letter_id}")
        page.keyboard.press("n")
        expect(page.locator("#page-caption")).to_have_text("Page 2 sur 3" if french else "Page 2 of 3")
        page.get_by_role("link", name="Aller à la page 3" if french else "Go to page 3").click()
        expect(page.locator("#page-caption")).to_have_text("Page 3 sur 3" if french else "Page 3 of 3")
        drawn = image_width(page)
        page.keyboard.press("+")
        expect(page).to_have_url(re.compile(r"zoom=150"))
        assert image_width(page) > drawn
        shot(page, f"10-viewer-letter-{lang}")
    with window(tab, PHONE) as phone:  # at 200 %, the image scrolls in its frame
        log_in(phone, server.url, "archivist", lang)
        phone.goto(f"{server.url}/review/{letter_id}?page=2&zoom=200")
        assert image_width(phone) == 2000
        no_sideways_scroll(phone)

# -- 5: French pages are French ------------------------------------------------------------------
#: English that must not appear on a French page (words of the interface and of the domain's
#: sentences; the letters' own text, file names, digests and people's names are left out).
ENGLISH = re.compile(
    r"\b(?:Letter (?:from|to)|Found in the letter|dateline|signature block|addressee block|"
    r"letterhead|salutation|common words|was not found|could not be recognised|registered partner|"
    r"is recorded|[Nn]ot recognised|has been altered|Incomplete|Complete|paired (?:automatically|"
    r"by hand)|Secretary General|Signed by|Needs review|Recognised|Added|Corrected|Confirmed|"
    r"What to do|Rejected|refused|not a PDF|Search|History|Record|Download|There is|is not a|"
    r"Unknown|Joined|the|and|of|is|was|not|with|to|from|needs|must|use|unknown|range|closing|"
    r"look|like|takes|single|value|field|"
    # the domain's messages (letters.messages.ENGLISH) as they read in English
    r"own date|in the future|close match|read as|signed on behalf|without a name|resolved by|"
    r"in office on|took office|term ended|change of office|does not read as a letter|"
    r"check (?:which|who|whether|it against)|needs OCR|OCR (?:confidence|was unsure)|"
    r"empty file|holds no bytes|encrypted|password is needed|damaged|too (?:slow|big) to read|"
    r"not archived|disk is|unexpected file|temporary file|interrupted write|archive layout|"
    r"history|audit log|search index|catalog|unbalanced|wildcard|needs a value|"
    r"single value|cannot take a range|not a year|must look like|there is no|comes after|"
    r"empty parentheses|something to search for|"
    r"could not be (?:saved|recorded|opened)|already exists|not a role|no user named|"
    r"own account|what to change|multipart|too many fields|larger than the limit|bytes|"
    r"try again)\b")
#: What a French page may show in English: people's own words, not the interface's.
OWN_WORDS = ".text, .result__snippet, code, .hash, .upload-result__name, .swagger-ui, [lang=en]"


#: A page's language and the text of its main content but OWN_WORDS, fetched by the browser tab
#: (with its cookies) and read with the browser's HTML parser, without showing it: the text of a
#: copy of the content taken from the document, as `english_on` reads of a page shown (a copy
#: is not laid out: its innerText is all its text, hidden or not).
FETCHED = """async ([path, skip]) => {
    const answer = await fetch(path);
    const doc = new DOMParser().parseFromString(await answer.text(), "text/html");
    const main = doc.querySelector("main");
    main.querySelectorAll(skip).forEach(e => e.remove());
    return [doc.documentElement.lang, main.innerText];
}"""


def english_on(page: Page, names: list[str]) -> list[str]:
    """The English phrases in the page's main content, outside the letters' own words and the
    names of partners and Secretaries General."""
    return english_in(page.locator("main").evaluate(
        """(main, skip) => { const copy = main.cloneNode(true);
            copy.querySelectorAll(skip).forEach(e => e.remove()); return copy.innerText; }""",
        OWN_WORDS), names)


def english_in(text: str, names: list[str]) -> list[str]:
    """The English phrases in a page's text (`english_on`)."""
    text = re.sub(r"«[^»]*»", "", text)  # quoted from the letter
    for name in names:
        text = text.replace(name, "")
    return sorted({text[max(0, m.start() - 25):m.end() + 25].replace("\n", " ")
                   for m in ENGLISH.finditer(text)})


def test_every_page_in_french_is_french(fresh: tuple[LiveServer, WebHome], tab: Page,
                                        tmp_path: Path) -> None:
    server, home = fresh
    app = server.app.state.web.letters
    note = ingest_one(server, tmp_path / "note.pdf", ["Shopping list", "", "Bread, milk, eggs."])
    google = home.ids["google-out.pdf"]
    original = app.archive.original_path(google)
    original.chmod(0o644)
    original.write_bytes(original.read_bytes() + b"\n% appended")
    app.correct(home.ids["cloudflare-out.pdf"], {"partner": "google"}, by="archivist",
                confirm_pairing=True)
    app.correct(note, {"date": "2019-03-12"}, by="archivist")  # "Date : — → 12 mars 2019"
    leftover = original.parent / ".tmp-interrupted"  # a write interrupted an hour ago
    leftover.write_text("{")
    os.utime(leftover, (time.time() - 3600, time.time() - 3600))
    pages = ["/", "/?q=partnership", "/?q=%22open", "/?q=date:[2020+TO", "/?q=foo:bar",
             "/?q=year:20x", "/?q=date:yesterday", "/?q=a*", "/?q=cyber+AND", "/?q=(+)",
             "/?q=status:(ok)", "/?partner=nobody", "/?from=2020-13-01", "/?page=x",
             "/?per_page=1000", "/audit?page=0", "/partners",
             "/partners/cloudflare",
             "/partners/google", "/partners/att", "/secretaries-general",
             "/secretaries-general/jagland", "/upload", "/review", f"/review/{note}", "/audit",
             "/audit?from=last+week", "/nowhere", f"/letters/{note}/pages/9.png", "/partners/new",
             "/partners/google/names", "/partners/google/relink", "/docs-nowhere", "/login",
             "/admin/users", "/account", "/logout", "/docs/reference"]
    pages += [f"/letters/{letter_id}" for letter_id in [*home.ids.values(), note]]
    found: dict[str, list[str]] = {}
    names = sorted([p.name for p in app.registry.partners.values()]
                   + [n.name for p in app.registry.partners.values() for n in p.aliases]
                   + [s.name for s in app.registry.secretaries_general.values()], key=len, reverse=True)
    with window(tab, statuses=(400, 404, 422)) as page:
        log_in(page, server.url, "admin", "fr")
        page.goto(f"{server.url}/fixity")
        page.locator("main form button[type=submit]").click()
        expect(page.locator(".problem")).to_have_count(2)  # the altered original, the leftover
        found["/fixity"] = english_on(page, names)
        page.goto(f"{server.url}/upload")
        not_pdf = tmp_path / "notes.pdf"
        not_pdf.write_text("not a PDF at all")
        empty = tmp_path / "empty.pdf"
        empty.write_bytes(b"")
        page.locator("#file").set_input_files([str(not_pdf), str(empty), str(tmp_path / "note.pdf")])
        page.locator("main form button[type=submit]").click()
        expect(page.locator(".upload-summary")).to_be_visible()
        found["/upload (results)"] = english_on(page, names)
        page.goto(f"{server.url}/admin/users")
        page.locator("#new-name").fill("eve")
        page.locator("#new-password").fill("aaaaaaaa")
        page.locator("main form").last.locator("button[type=submit]").click()
        expect(page.locator(".error-summary")).to_be_visible()
        found["/admin/users (refusal)"] = english_on(page, names)
        row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="reader",
                                                                   exact=True))
        row.get_by_role("combobox").select_option("auditor")  # an admin event for /audit below
        row.get_by_role("button", name="Changer le rôle").click()
        expect(page.get_by_role("status")).to_be_visible()
        found["/admin/users (done)"] = english_on(page, names)
        row.get_by_label("Nom d’un nouveau jeton").fill("sync")
        row.get_by_role("button", name="Créer un jeton").click()
        expect(page.locator("#new-token")).to_be_visible()
        found["/admin/users (new token)"] = english_on(page, names)
        row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="auditor",
                                                                   exact=True))
        row.get_by_role("button", name="Supprimer").click()
        expect(page.get_by_role("heading", name="Supprimer auditor ?")).to_be_visible()
        found["/admin/users (remove?)"] = english_on(page, names)
        page.goto(f"{server.url}/account")
        page.locator("#label").fill("script")
        page.get_by_role("button", name="Créer un jeton").click()
        expect(page.locator("#new-token")).to_be_visible()
        found["/account (new token)"] = english_on(page, names)
        page.goto(f"{server.url}/letters/{home.ids['cloudflare-in.pdf']}")
        page.locator("#c-partner").select_option("apple")
        page.locator(".correct form button[type=submit]").last.click()
        expect(page.locator(".error-summary")).to_be_visible()
        found["/letters (pairing warning)"] = english_on(page, names)
        page.goto(f"{server.url}/partners/google/relink")
        shown: set[str] = set()
        for path in pages:
            kind = "/letters/" if re.fullmatch(r"/letters/[^/]+", path) else path.partition("?")[0]
            if kind not in shown:  # each kind of page shown once, its console errors checked
                shown.add(kind)
                page.goto(f"{server.url}{path}")
            lang, text = page.evaluate(FETCHED, [path, OWN_WORDS])
            assert lang == "fr", path
            found[path] = english_in(text, names)
        assert len(shown) == 23
        page.goto(f"{server.url}/?q=partnership")
        colon = page.locator(".result__meta dt").first.evaluate(
            "dt => getComputedStyle(dt, '::after').content")
        assert colon == '"\u202f: "'  # "Date : ", a narrow no-break space before the colon
        page.goto(f"{server.url}/letters/{note}")
        expect(page.locator("main")).to_contain_text("Date\u202f: ")  # its history: the date corrected
        shot(page, "5-french-letter")
    english = {path: words for path, words in found.items() if words}
    (ARTIFACTS / "daily-5-english-left.json").write_text(json.dumps(english, indent=1, ensure_ascii=False))
    assert english == {}
