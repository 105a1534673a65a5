"""Fixtures and test tiers; the code behind them is in tests/support/."""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from letters import registry
from letters.registry import Registry
from letters.service import Letters
from letters.settings import Settings
from support.api import LIMIT
from support.chromium import ARTIFACTS, CHROMIUM_ARGS, HEIGHT
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
    # killing real processes at each step of a write, and several servers on one home: the
    # proofs of crash safety and of serving with workers, whose every test starts processes
    "test_faults": "slow",
    "test_disk_faults": "slow",
    "test_serve_workers": "slow",
    "test_watch": "slow",
    # the modules whose tests start processes of their own (fresh interpreters, ingest workers,
    # a second writer) or race writers against each other, and the engines' conformance suite,
    # which builds every index twice: `make test` runs them, `make check` keeps to the rest
    "test_search_conformance": "slow",
    "test_web_app": "slow",
    "test_ingest": "slow",
    "test_workers": "slow",
    "test_decisions": "slow",
    "test_integrity": "slow",
    "test_concurrency": "slow",
    "test_cli": "slow",
    "test_whoosh_imports": "slow",
}
#: How long a browser test's expectation waits for what it expects to show.
EXPECT_TIMEOUT_MS = 60_000
#: Fixtures that put a test in a tier, wherever it lives.
FIXTURE_TIERS = {"chromium": "browser"}
#: The modules that take longest, longest first (measured with --durations): they are handed to
#: the pytest-xdist workers first (`--dist loadfile --no-loadscope-reorder`), so that the workers
#: finish together rather than one of them running the longest file after all the others.
LONGEST_FIRST = (
    "test_server_robustness", "test_hostile", "test_ocr", "test_browser_daily", "test_browser_axe",
    "test_elsewhere_specimens", "test_bench_smoke", "test_browser", "test_api_contract",
    "test_search_conformance", "test_browser_admin", "test_browser_security", "test_workers",
    "test_decisions", "test_faults", "test_serve_workers", "test_watch",
    "test_ingest", "test_index", "test_specimens", "test_disk_faults", "test_schedule",
    "test_lock_waits", "test_web_audit",
    "test_roles", "test_integrity", "test_catalog", "test_paging", "test_web_security",
    "test_web_exchanges", "test_login_limits", "test_web_review", "test_aside",
    "test_concurrency", "test_web_registry", "test_users", "test_web_login", "test_web_letters",
    "test_sample_archive", "test_web_contract", "test_web_highlight", "test_user_admin", "test_web_auth",
    "test_web_upload", "test_upload_queue", "test_proxy",
)

# Tesseract's OpenMP threads spin on CPUs the other test worker needs: one thread per Tesseract
# halves the CPU time of OCR here and reads the same text.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# The tests speak plain HTTP to 127.0.0.1: httpx would otherwise parse a whole bundle of CA
# certificates for each of the hundreds of clients they make (some 30 ms each); from a directory
# OpenSSL reads a certificate only when a TLS peer needs it, which none here does.
os.environ.pop("SSL_CERT_FILE", None)
os.environ["SSL_CERT_DIR"] = ssl.get_default_verify_paths().openssl_capath


if os.environ.get("LETTERS_TEST_CPU"):
    pytest_plugins = ["support.cputime"]


def _module(item: pytest.Item) -> str:
    return item.module.__name__.rpartition(".")[2] if getattr(item, "module", None) else ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier, from its module and the fixtures it uses; put the longest
    modules first."""
    for item in items:
        tiers = {FIXTURE_TIERS[name] for name in getattr(item, "fixturenames", ())
                 if name in FIXTURE_TIERS}
        if _module(item) in MODULE_TIERS:
            tiers.add(MODULE_TIERS[_module(item)])
        for tier in sorted(tiers):
            item.add_marker(getattr(pytest.mark, tier))
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_module(item), len(rank)))  # stable: order kept within


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
    from playwright.sync_api import expect, sync_playwright

    # Playwright's 5 s for an expectation is shorter than a loaded machine takes to lay out the
    # API's documentation page (seen at load 15): what is checked is what shows, not how soon.
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def tab(chromium: Any) -> Iterator[Any]:
    """One browser tab that a module's tests share, each through `support.chromium.window` (which
    clears its cookies): downloads accepted."""
    context = chromium.new_context(accept_downloads=True, viewport={"width": 1366, "height": HEIGHT})
    yield context.new_page()
    context.close()


@pytest.fixture
def fresh(web_template: WebHome, tmp_path: Path) -> Iterator[tuple[LiveServer, WebHome]]:
    """A live server on a private copy of the web home, for one test that changes it."""
    home = copy_web_home(web_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path)) as server:
        yield server, home


@pytest.fixture(scope="module")
def reading(web_template: WebHome, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[LiveServer, WebHome]]:
    """An API server (upload limit LIMIT) on a copy of the web home that no test of a module
    changes."""
    home = copy_web_home(web_template, tmp_path_factory.mktemp("api-reading") / "home")
    with LiveServer(Settings(home=home.path, max_upload_bytes=LIMIT)) as server:
        yield server, home


@pytest.fixture
def writing(web_template: WebHome, tmp_path: Path) -> Iterator[tuple[LiveServer, WebHome]]:
    """An API server (upload limit LIMIT) on a fresh copy of the web home, for one test that
    changes it."""
    home = copy_web_home(web_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path, max_upload_bytes=LIMIT)) as server:
        yield server, home
