"""Slow uploads never starve the server: one is ingested at a time, a few wait without holding a
server thread, the rest get 503 at once, and /healthz and the pages keep answering."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import socket
import threading
import time
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


class Trickle:
    """An upload whose body arrives a byte at a time, as a slow or hostile client sends it."""

    def __init__(self, live: LiveServer, token: str) -> None:
        host, port = live.url.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        self.sock.sendall(
            b"POST /api/letters HTTP/1.1\r\nHost: localhost\r\n"
            + f"Authorization: Bearer {token}\r\n".encode()
            + b"Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 100000\r\n\r\n"
            + b'--XYZ\r\nContent-Disposition: form-data; name="file"; filename="slow.pdf"\r\n\r\n')
        self.answer = b""

    def run(self) -> None:
        """Send a byte every tenth of a second (at most 300) until the server answers."""
        self.sock.setblocking(False)
        for _ in range(300):
            try:
                self.answer += self.sock.recv(65536)
                break  # the server spoke (or closed)
            except BlockingIOError:
                pass
            try:
                self.sock.send(b"%")
            except OSError:
                break
            time.sleep(0.1)
        self.sock.settimeout(10)
        with contextlib.suppress(OSError):
            while chunk := self.sock.recv(65536):
                self.answer += chunk
        self.sock.close()


@pytest.mark.slow  # waits out the upload time limit
def test_trickling_uploads_are_cut_off_and_free_the_queue(web_template: WebHome,
                                                          tmp_path: Path) -> None:
    home = copy_web_home(web_template, tmp_path / "home")
    token = home.tokens["archivist"]
    pdf = pdfkit.text_pdf([["**COUNCIL OF EUROPE", "Strasbourg, 4 March 2021", "",
                            "A letter sent while others trickle."]])
    with LiveServer(Settings(home=home.path, upload_queue=1, upload_read_seconds=2)) as live:
        slow = [Trickle(live, token) for _ in range(2)]  # the queue's two places
        threads = [threading.Thread(target=t.run) for t in slow]
        for thread in threads:
            thread.start()
        queue = live.app.state.web.uploads
        for _ in range(500):  # until both are admitted (their bodies still trickling)
            if queue._admitted == 2:
                break
            time.sleep(0.01)
        headers = {"Authorization": f"Bearer {token}"}
        busy = httpx.post(f"{live.url}/api/letters", headers=headers, timeout=60,
                          files={"file": ("busy.pdf", pdf)})
        for thread in threads:
            thread.join()
        after = httpx.post(f"{live.url}/api/letters", headers=headers, timeout=60,
                           files={"file": ("after.pdf", pdf)})
    assert busy.status_code == 503
    for trickle in slow:
        head, _, body = trickle.answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408"), trickle.answer[:200]
        assert json.loads(body) == {"detail": "The upload arrived too slowly (a pause of 2 "
                                              "seconds, or less than 8 KB a second): send it again."}
    assert after.status_code == 201 and after.json()[0]["result"] == "added"
