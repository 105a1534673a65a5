"""The admins' user pages in real headless Chromium, in English and French, wide and phone-sized:
every control labelled, nothing forcing sideways scrolling, a role set with the form."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from letters.preservation import audit
from support.chromium import screenshot, window
from support.server import LiveServer
from support.web import UNLABELLED
from support.webhome import WEB_PASSWORD, WebHome

TEXT = {"en": ("Users", "Set role", "Done: reader now has the role auditor."),
        "fr": ("Utilisateurs", "Changer le rôle", "C’est fait : reader a désormais le rôle auditeur.")}


@pytest.mark.parametrize(("width", "lang"), [(1366, "en"), (390, "en"), (1366, "fr"),
                                             (390, "fr")])
def test_an_admin_sets_a_role_from_the_users_page(fresh: tuple[LiveServer, WebHome],
                                                  tab: Page, width: int, lang: str) -> None:
    server, home = fresh
    title, set_role, done = TEXT[lang]
    with window(tab, width) as page:
        page.goto(f"{server.url}/login?lang={lang}")
        page.locator("input[name=name]").fill("admin")
        page.locator("input[name=password]").fill(WEB_PASSWORD.format(role="admin"))
        page.locator("form button[type=submit]").last.click()
        page.goto(f"{server.url}/admin/users")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        screenshot(page, f"admin-users-{lang}-{width}")
        assert page.evaluate(UNLABELLED) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="reader",
                                                                   exact=True))
        row.get_by_role("combobox").select_option("auditor")
        button = row.get_by_role("button", name=set_role)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width  # reached without scrolling aside
        button.click()
        expect(page.get_by_role("status")).to_contain_text(done)
    event = audit.events(home.path / "archive")[-1]
    assert (event["action"], event["who"], event["what"]) == (
        "user_role_set", "admin", {"user": "reader", "before": "reader", "after": "auditor"})
