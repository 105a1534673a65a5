"""A hostile PDF in real headless Chromium: what it carries is shown as text and never runs.

The letter has a <script> in its text, in its metadata (/Title, /Author) and, as an <img onerror>,
in its file name (a name cannot hold a '/', so no closing tag). Each page that shows it is
checked twice: as served (under its Content-Security-Policy) and with the policy switched off, so
that escaping alone is seen to hold. With LETTERS_SCREENSHOTS set, screenshots go to test-artifacts/.
"""

from __future__ import annotations

import io
import re

import pdfkit
import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect
from pypdf import PdfReader, PdfWriter

from support.chromium import screenshot
from support.server import LiveServer
from support.webhome import WEB_PASSWORD, WebHome

SCRIPT = '<script>window.pwned=1;document.title="PWNED"</script>'
FILENAME = "<img src=x onerror=window.pwned=2>.pdf"  # a browser sends '"' as %22
BODY = f"Our commitment {SCRIPT} to the partnership."
#: What a page must show if it shows the payload at all: its own words, as text.
SHOWN = "window.pwned=1"
RAN = """() => ({pwned: window.pwned === undefined ? null : window.pwned, title: document.title,
    inline: [...document.scripts].filter(s => !s.src).length,
    handlers: document.querySelectorAll('[onerror], [onload]').length})"""


def hostile_pdf() -> bytes:
    """A letter carrying the script in its text, its addressee, its /Title and its /Author."""
    raw = pdfkit.text_pdf([["**COUNCIL OF EUROPE", "The Secretary General", "",
                            "Strasbourg, 23 May 2018", "", f"Mr {SCRIPT}", "Cloudflare, Inc.", "",
                            "Dear Mr Prince,", "", BODY, "", "Yours sincerely,", "",
                            "Thorbjørn Jagland", "Secretary General"]], title=f"Title {SCRIPT}")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(raw)))
    writer.add_metadata({"/Author": f"Author {SCRIPT}", "/Subject": FILENAME})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def window(chromium: Browser, url: str, bypass_csp: bool) -> tuple[Page, list[str]]:
    """A logged-in archivist's window, and the console errors it will collect."""
    context = chromium.new_context(bypass_csp=bypass_csp, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/login")
    page.get_by_label("User name").fill("archivist")
    page.get_by_label("Password").fill(WEB_PASSWORD.format(role="archivist"))
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{url}/")
    return page, errors


def assert_inert(page: Page, errors: list[str], where: str) -> None:
    """The payload did not run, made no element, and nothing was refused by the policy."""
    state = page.evaluate(RAN)
    assert state["pwned"] is None, where
    assert "PWNED" not in state["title"], where
    assert state["inline"] == 0 and state["handlers"] == 0, where
    dom = page.content()
    assert "<script>window.pwned" not in dom and "<img src=\"x\"" not in dom, where
    assert errors == [], where  # a script refused by the CSP would show here


def upload(page: Page, url: str, data: bytes) -> None:
    page.goto(f"{url}/upload")
    payload: FilePayload = {"name": FILENAME, "mimeType": "application/pdf", "buffer": data}
    page.get_by_label("PDF files").set_input_files([payload])
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible()


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_a_hostile_pdf_is_shown_inert(site: tuple[LiveServer, WebHome], chromium: Browser,
                                      bypass_csp: bool) -> None:
    server, _ = site
    tag = "no-csp" if bypass_csp else "csp"
    page, errors = window(chromium, server.url, bypass_csp)
    try:
        upload(page, server.url, hostile_pdf())
        # the upload result: the file name, as text (added, or a duplicate on the second run)
        expect(page.locator(".upload-result__name")).to_have_text(FILENAME)
        assert_inert(page, errors, "upload result")
        screenshot(page, f"browser-security-{tag}-1-upload")

        page.goto(f"{server.url}/?q=pwned")
        snippet = page.locator(".result__snippet").first
        expect(snippet).to_contain_text(SHOWN)
        expect(snippet.locator("mark").first).to_have_text(re.compile("pwned", re.I))
        assert_inert(page, errors, "search results")
        screenshot(page, f"browser-security-{tag}-2-search")

        page.locator(".result__title a").first.click()
        expect(page.locator(".text").first).to_contain_text(BODY)
        expect(page.locator(".summary")).to_contain_text(FILENAME)
        assert_inert(page, errors, "letter page")
        screenshot(page, f"browser-security-{tag}-3-letter")
        expect(page.locator(".summary")).to_contain_text(f"Author {SCRIPT}")  # shown, as text
        assert "Title <script>" not in page.content() and "Author <script>" not in page.content()
    finally:
        page.context.close()
