"""Slow uploads never starve the server: one is ingested at a time, a few wait without holding a
server thread, the rest get 503 at once, and /healthz and the pages keep answering."""

from __future__ import annotations

import fcntl
import hashlib
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pdfkit
import pytest

from letters.archive import LOCKS, letter_id
from letters.settings import Settings
from letters.web.admission import BUSY
from support.server import LiveServer
from support.webhome import WebHome, copy_web_home

UPLOADS = 45  # more than the server's thread pool (40): each used to hold a thread


@pytest.fixture
def server(web_template: WebHome, tmp_path: Path) -> Iterator[tuple[LiveServer, WebHome]]:
    home = copy_web_home(web_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path, upload_queue=1)) as live:
        yield live, home


def test_concurrent_uploads_leave_healthz_and_pages_answering(
        server: tuple[LiveServer, WebHome]) -> None:
    live, home = server
    pdf = pdfkit.text_pdf([["**COUNCIL OF EUROPE", "Strasbourg, 3 March 2021", "",
                            "A letter uploaded by many archivists at once."]])
    ident = letter_id(hashlib.sha256(pdf).hexdigest())
    headers = {"Authorization": f"Bearer {home.tokens['archivist']}"}
    locks = home.path / "archive" / LOCKS
    locks.mkdir(parents=True, exist_ok=True)
    answers: list[httpx.Response] = []

    def upload() -> None:
        answers.append(httpx.post(f"{live.url}/api/letters", headers=headers, timeout=300,
                                  files={"file": ("busy.pdf", pdf)}))

    # The letter's own write lock, held here, keeps the first ingest from finishing: the others
    # pile up behind it as they would behind a slow scan.
    with open(locks / ident, "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        threads = [threading.Thread(target=upload) for _ in range(UPLOADS)]
        for thread in threads:
            thread.start()
        for _ in range(5000):
            if len(answers) >= UPLOADS - 2:  # all but the one ingesting and the one waiting
                break
            healthz = httpx.get(f"{live.url}/healthz", timeout=30)
            assert healthz.status_code == 200
        else:
            pytest.fail(f"{len(answers)} uploads answered while one was being ingested")
        page = httpx.get(f"{live.url}/api/partners", headers=headers, timeout=30)
        assert page.status_code == 200
    for thread in threads:
        thread.join()
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == Counter({503: UPLOADS - 2, 201: 2})
    busy = next(a for a in answers if a.status_code == 503)
    assert busy.json() == {"detail": BUSY} and busy.headers["retry-after"] == "60"
    added = [a.json()[0]["result"] for a in answers if a.status_code == 201]
    assert sorted(added) == ["added", "duplicate"]
