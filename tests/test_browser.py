"""The web view in real headless Chromium: what a person does, with the mouse and without it.

With LETTERS_SCREENSHOTS set, screenshots of each step go to test-artifacts/ (not versioned).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pdfkit
import pytest
from playwright.sync_api import Page, expect

from support.chromium import screenshot, window
from support.server import LiveServer
from support.web import UNLABELLED
from support.webhome import INTEL_REPLY, WEB_PASSWORD, WebHome

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def page(tab: Page) -> Iterator[Page]:
    """A new browser window that fails the test on any console error (a CSP violation too)."""
    with window(tab, 1100) as opened:
        yield opened


def shot(page: Page, name: str) -> None:
    """Save a screenshot (if asked) and check that the page's controls and images are labelled."""
    screenshot(page, f"browser-{name}")
    assert page.evaluate(UNLABELLED) == [], name


def log_in(page: Page, url: str, role: str) -> None:
    page.goto(f"{url}/")
    expect(page).to_have_url(f"{url}/login?next=%2F")
    page.get_by_label("User name").fill(role)
    page.get_by_label("Password").fill(WEB_PASSWORD.format(role=role))
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{url}/")


def test_an_archivists_journey(site: tuple[LiveServer, WebHome], page: Page,
                               tmp_path: Path) -> None:
    server, home = site
    log_in(page, server.url, "archivist")
    expect(page.get_by_text("Signed in as archivist (archivist)")).to_be_visible()
    shot(page, "1-home")

    page.get_by_role("searchbox", name="Search the letters").fill("partnership")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator(".count")).to_have_text("3 letters")
    expect(page.locator(".result__snippet mark").first).to_have_text("partnership")
    shot(page, "2-search")

    page.get_by_role("navigation", name="Narrow the results").get_by_role(
        "link", name="Cloudflare (2)").click()
    expect(page.locator(".count")).to_have_text("2 letters")
    assert "partner=cloudflare" in page.url and "q=partnership" in page.url
    shot(page, "3-facet")

    page.get_by_role("link", name="Letter from Thorbjørn Jagland to Cloudflare, Inc.").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Letter from Thorbjørn Jagland to Cloudflare, Inc.")
    expect(page.locator(".text mark").first).to_have_text("Partnership")
    expect(page.locator("#citation")).to_contain_text("to Cloudflare, Inc., Strasbourg, 23 May 2018")
    thumbnail = page.get_by_role("img", name="Page 1 of the letter")
    expect(thumbnail).to_be_visible()
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("img => img.naturalWidth") == 1000  # the viewer's page image
    shot(page, "4-letter")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the original (PDF, 1 page)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "cloudflare-out.pdf"
    assert saved.read_bytes() == home.sources["cloudflare-out.pdf"].read_bytes()

    page.get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Télécharger l’original (PDF, 1 page)")).to_be_visible()
    expect(page.get_by_role("navigation", name="Menu principal")).to_contain_text("Partenaires")
    shot(page, "5-french")

    letter = pdfkit.write_text_pdf(tmp_path / "intel-reply.pdf", [INTEL_REPLY])
    page.get_by_role("link", name="Déposer").click()
    page.get_by_label("Fichiers PDF").set_input_files([str(letter)])
    page.get_by_role("button", name="Déposer").click()
    result = page.locator(".upload-result")
    expect(result).to_contain_text("Ajoutée")
    expect(result).to_contain_text("intel-reply.pdf")
    expect(result).to_contain_text("10 février 2020")
    shot(page, "6-upload")
    result.get_by_role("link", name="Ouvrir la lettre").click()
    expect(page.locator(".summary")).to_contain_text("Intel")
    shot(page, "7-uploaded-letter")


def test_search_with_the_keyboard_alone(site: tuple[LiveServer, WebHome], page: Page) -> None:
    server, home = site
    log_in(page, server.url, "reader")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to main content")
    page.keyboard.press("Enter")
    for _ in range(20):
        if page.evaluate("document.activeElement.id") == "q":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("cybercrime")
    page.keyboard.press("Enter")
    expect(page.locator(".count")).to_have_text("1 letter")
    shot(page, "8-keyboard-search")
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if focused.startswith("/letters/"):
            break
    assert focused == f"/letters/{home.ids['google-out.pdf']}?q=cybercrime"
    outline = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert outline == "rgb(255, 221, 0)"  # the focused link is visibly marked
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Google")
    shot(page, "9-keyboard-letter")


def test_a_phone_sized_screen(site: tuple[LiveServer, WebHome], tab: Page) -> None:
    server, _ = site
    with window(tab, 360, height=740) as phone:
        log_in(phone, server.url, "reader")
        phone.goto(f"{server.url}/?q=partnership")
        expect(phone.locator(".count")).to_be_visible()
        wide = phone.evaluate("document.documentElement.scrollWidth")
        screenshot(phone, "browser-phone")
    assert wide <= 360  # nothing forces sideways scrolling
