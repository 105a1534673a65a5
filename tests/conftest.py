"""Shared fixtures: a temporary home, the PDF builders of scripts/."""

from __future__ import annotations

import contextvars
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from letters import registry
from letters.registry import Registry
from letters.service import Letters
from letters.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
#: Screenshots and other artifacts of the browser tests (git-ignored).
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

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
WEB_ROLES = ("reader", "archivist", "auditor", "admin")
#: One user per role, named after it, with this password.
WEB_PASSWORD = "{role}-password"

WEB_LETTERS = {
    "cloudflare-out.pdf": [
        "**COUNCIL OF EUROPE", "The Secretary General", "", "Strasbourg, 23 May 2018", "",
        "Mr Matthew Prince", "Chief Executive Officer", "Cloudflare, Inc.",
        "101 Townsend Street, San Francisco", "", "Dear Mr Prince,", "",
        "I am pleased to welcome Cloudflare to the Digital Partnership",
        "on human rights, democracy and the rule of law.", "", "Yours sincerely,", "",
        "Thorbjørn Jagland", "Secretary General"],
    "cloudflare-in.pdf": [
        "**Cloudflare, Inc.", "101 Townsend Street, San Francisco", "", "San Francisco, 30 May 2018",
        "", "Mr Thorbjørn Jagland", "Secretary General", "Council of Europe",
        "F-67075 Strasbourg Cedex", "", "Dear Secretary General,", "",
        "Thank you for your letter of 23 May 2018.",
        "Cloudflare is glad to join the Digital Partnership.", "", "Yours sincerely,", "",
        "Matthew Prince", "Chief Executive Officer, Cloudflare, Inc."],
    "google-out.pdf": [
        "**COUNCIL OF EUROPE", "The Secretary General", "", "Strasbourg, 8 November 2017", "",
        "Mr Kent Walker", "Senior Vice President", "Google LLC", "1600 Amphitheatre Parkway", "",
        "Dear Mr Walker,", "", "I am pleased to confirm the partnership on cybercrime",
        "and the protection of privacy.", "", "Yours sincerely,", "", "Thorbjørn Jagland",
        "Secretary General"],
    "ripe-fr.pdf": [
        "**CONSEIL DE L'EUROPE", "La Secrétaire Générale", "", "Strasbourg, le 6 février 2020", "",
        "Monsieur Hans Petter Holen", "Directeur général", "RIPE NCC",
        "Stationsplein 11, Amsterdam", "", "Monsieur le Directeur général,", "",
        "J'ai le plaisir de confirmer le partenariat numérique",
        "entre le Conseil de l'Europe et votre organisation.", "",
        "Je vous prie d'agréer l'expression de ma haute considération.", "",
        "Marija Pejčinović Burić", "Secrétaire Générale"],
}

#: A partner's reply that recognition reads completely (uploaded by the browser tests).
INTEL_REPLY = [
    "**Intel Corporation", "2200 Mission College Blvd, Santa Clara", "",
    "Santa Clara, 10 February 2020", "", "Ms Marija Pejčinović Burić", "Secretary General",
    "Council of Europe", "F-67075 Strasbourg Cedex", "", "Dear Secretary General,", "",
    "Intel is glad to join the Digital Partnership.", "", "Yours sincerely,", "",
    "Jane Example", "Vice President, Intel Corporation"]


@dataclass
class WebHome:
    """A home holding WEB_LETTERS and one user per role, with an API token each."""

    path: Path
    tokens: dict[str, str]
    ids: dict[str, str]  # file name -> letter id
    sources: dict[str, Path]  # file name -> the PDF that was ingested


def build_web_home(root: Path) -> WebHome:
    """Ingest WEB_LETTERS into a new home under `root` and add the users."""
    import pdfkit

    from letters.users import Users

    sources = root / "sources"
    sources.mkdir(parents=True)
    files = {name: pdfkit.write_text_pdf(sources / name, [lines])
             for name, lines in WEB_LETTERS.items()}
    settings = Settings(home=root / "home")
    results = Letters(settings).ingest(list(files.values()), by="setup")
    assert [r.result for r in results] == ["added"] * len(files), [r.error for r in results]
    users = Users(settings)
    tokens = {}
    for role in WEB_ROLES:
        users.add(role, role, WEB_PASSWORD.format(role=role), by="setup")
        tokens[role] = users.new_token(role, by="setup")
    ids = {name: r.letter.id for name, r in zip(files, results, strict=True) if r.letter}
    return WebHome(settings.home, tokens, ids, files)


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> WebHome:
    """One WebHome for the whole session: copy it (`copy_web_home`) before changing it."""
    return build_web_home(tmp_path_factory.mktemp("web-template"))


def copy_web_home(template: WebHome, target: Path) -> WebHome:
    """A private copy of a WebHome (archive, index, users and tokens)."""
    shutil.copytree(template.path, target)
    return WebHome(target, dict(template.tokens), dict(template.ids), dict(template.sources))


# -- no full scan on a request path: the pages read the catalog --------------------------------
#: Letters whose text one request may read (a letter page reads its own, relinking reads the few
#: letters naming the partner); more is a scan of the archive's texts.
MAX_TEXTS_PER_REQUEST = 10
_REQUEST: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("request", default=None)


class FullScan(AssertionError):
    """A request path read every record or text of the archive."""


class NoFullScans:
    """ASGI middleware marking each request, so that the archive refuses full scans inside it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        token = _REQUEST.set([0])
        try:
            await self.app(scope, receive, send)
        finally:
            _REQUEST.reset(token)


@contextmanager
def in_request() -> Iterator[None]:
    """Act as a request of the live server does (for the test of the guard itself)."""
    token = _REQUEST.set([0])
    try:
        yield
    finally:
        _REQUEST.reset(token)


def _guard_scans() -> None:
    """Make Archive.records, Catalog.rebuild and reading many texts raise inside a request."""
    from letters.archive import Archive
    from letters.catalog import Catalog

    if getattr(Archive, "guarded", False):
        return
    records, pages, rebuild = Archive.records, Archive.pages, Catalog.rebuild

    def guarded_records(self: Archive) -> Iterator[Any]:
        if _REQUEST.get() is not None:
            raise FullScan("Archive.records() on a request path: read the catalog instead")
        return records(self)

    def guarded_pages(self: Archive, letter_id: str) -> list[str]:
        read = _REQUEST.get()
        if read is not None:
            read[0] += 1
            if read[0] > MAX_TEXTS_PER_REQUEST:
                raise FullScan("a request path read the text of many letters")
        return pages(self, letter_id)

    def guarded_rebuild(self: Catalog, *args: Any, **kwargs: Any) -> int:
        if _REQUEST.get() is not None:
            raise FullScan("the catalog was rebuilt on a request path")
        return rebuild(self, *args, **kwargs)

    Archive.records = guarded_records  # type: ignore[method-assign]
    Archive.pages = guarded_pages  # type: ignore[method-assign]
    Catalog.rebuild = guarded_rebuild  # type: ignore[method-assign]
    Archive.guarded = True  # type: ignore[attr-defined]


class LiveServer:
    """The real application served by uvicorn on 127.0.0.1, in a thread, on a free port; full
    scans of the archive inside its requests raise `FullScan` (see `_guard_scans`)."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from letters.web.app import create_app

        _guard_scans()
        self.app = create_app(settings)
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(NoFullScans(self.app), log_level="warning", http="h11", ws="none",
                                lifespan="off", access_log=False, proxy_headers=False)  # as serve
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]},
                                       daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                return self
            if not self.thread.is_alive():
                break
            time.sleep(0.01)
        raise RuntimeError("the test server did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


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
