"""Fixtures and test tiers; the code behind them is in tests/support/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from letters import registry
from letters.registry import Registry
from letters.service import Letters
from letters.settings import Settings
from support.chromium import ARTIFACTS, CHROMIUM_ARGS
from support.server import LiveServer
from support.webhome import WebHome, build_web_home, copy_web_home

#: Modules whose every test belongs to a tier (`make check` leaves the tiers out).
MODULE_TIERS = {
    "test_ocr": "ocr",
    "test_specimens": "ocr",
    "test_elsewhere_specimens": "ocr",
    "test_hostile": "slow",
    "test_server_robustness": "slow",
    "test_bench_smoke": "slow",
}
#: Fixtures that put a test in a tier, wherever it lives.
FIXTURE_TIERS = {"chromium": "browser"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier, from its module and the fixtures it uses."""
    for item in items:
        tiers = {FIXTURE_TIERS[name] for name in getattr(item, "fixturenames", ())
                 if name in FIXTURE_TIERS}
        module = item.module.__name__.rpartition(".")[2] if item.module else ""
        if module in MODULE_TIERS:
            tiers.add(MODULE_TIERS[module])
        for tier in sorted(tiers):
            item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty home (archive/ and index/ are created on first use)."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def settings(home: Path) -> Settings:
    """Settings for the temporary home."""
    return Settings(home=home)


@pytest.fixture
def app(settings: Settings) -> Letters:
    """The application object on the temporary home."""
    return Letters(settings)


@pytest.fixture
def reg(tmp_path: Path) -> Registry:
    """The registry as the package ships it."""
    return registry.load(tmp_path / "archive")


# -- the web: a live server, and a home with letters and users (tests of letters.web) ---------


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> WebHome:
    """One WebHome for the whole session: copy it (`copy_web_home`) before changing it."""
    return build_web_home(tmp_path_factory.mktemp("web-template"))


@pytest.fixture(scope="module")
def site(web_template: WebHome, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[LiveServer, WebHome]]:
    """A live server, reading closed, on a private copy of the web home, shared by a module's tests."""
    home = copy_web_home(web_template, tmp_path_factory.mktemp("site") / "home")
    with LiveServer(Settings(home=home.path)) as server:
        yield server, home


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """The system's headless Chromium, driven by Playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def fresh(web_template: WebHome, tmp_path: Path) -> Iterator[tuple[LiveServer, WebHome]]:
    """A live server on a private copy of the web home, for one test that changes it."""
    home = copy_web_home(web_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path)) as server:
        yield server, home
