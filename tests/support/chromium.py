"""Where the system Chromium runs from, where browser tests leave their screenshots (when asked),
and the one browser tab a module's tests share (`window`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


#: Screenshots and other artifacts of the browser tests (git-ignored).
ARTIFACTS = ROOT / "test-artifacts"


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
#: Whether the browser tests keep a full-page screenshot of each step in ARTIFACTS, for a person
#: to look at (`LETTERS_SCREENSHOTS=1`): no test reads them, and taking them costs more CPU than
#: many of the steps they show, so `make test` does without.
SCREENSHOTS = bool(os.environ.get("LETTERS_SCREENSHOTS"))
#: The height of every window.
HEIGHT = 900


@contextmanager
def window(tab: Any, width: int = 1366, statuses: tuple[int, ...] = (), height: int = HEIGHT
           ) -> Iterator[Any]:
    """The module's browser tab (the `tab` fixture) as a new window `width` by `height`: no cookies
    (nobody logged in, no language chosen), no routes; it fails the test on any console error (but
    the report of a page answered with one of the expected `statuses`).

    A new browser context for each window would start a new renderer process, which costs more CPU
    than most tests' own steps; what a new context would clear that the application uses is its
    cookies, cleared here (the pages keep nothing in the browser's storage)."""
    expected = {f"Failed to load resource: the server responded with a status of {s} " for s in statuses}
    errors: list[str] = []

    def console(message: Any) -> None:
        text = message.text
        if message.type == "error" and text[:-len(text.split("(")[-1]) - 1] not in expected:
            errors.append(text)

    def pageerror(error: Any) -> None:
        errors.append(str(error))

    tab.goto("about:blank")
    tab.context.clear_cookies()
    tab.set_viewport_size({"width": width, "height": height})
    tab.on("console", console)
    tab.on("pageerror", pageerror)
    try:
        yield tab
    finally:
        tab.unroute_all(behavior="ignoreErrors")
        tab.goto("about:blank")  # what the last page does as it is left is this window's too
        tab.remove_listener("console", console)
        tab.remove_listener("pageerror", pageerror)
    assert errors == []


def screenshot(page: Any, name: str) -> None:
    """Save a full-page screenshot of the page as ARTIFACTS/`name`.png, if SCREENSHOTS."""
    if SCREENSHOTS:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
