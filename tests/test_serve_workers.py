"""`letters serve --workers 2`: two server processes on one home. Concurrent uploads, corrections
and searches through both lose nothing and double nothing, a search sees a letter uploaded through
the other worker, the login limit and the upload queue hold across them, `letters verify` is clean."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import httpx
import pdfkit
import pytest

from letters.archive import Archive
from letters.web.admission import Busy, UploadQueue
from letters.web.throttle import Throttle
from support.processes import free_port, healthy, invoke, letters

UPLOADS = 8


@dataclass
class Served:
    """A `letters serve --workers 2` process, its URL, an archivist's token and its log."""

    process: subprocess.Popen[bytes]
    url: str
    token: str
    log: Path
    home: Path


def worker_pids(log: Path) -> set[int]:
    """The processes that said they started serving."""
    return {int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log.read_text())}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Two workers on a home holding one letter and an archivist made by the command line, shared
    by the module's tests (the uploads' test through tokens, the login limit's through logins)."""
    tmp_path = tmp_path_factory.mktemp("served")
    home = tmp_path / "home"
    first = tmp_path / "first.pdf"
    pdfkit.write_text_pdf(first, [letter_lines("first")])
    # the command line in this process (test_users runs these commands in processes of their own)
    assert invoke(home, "ingest", str(first)).returncode == 0
    assert invoke(home, "users", "add", "robot", "--role", "archivist",
                  stdin="robot-password\n").returncode == 0
    made = invoke(home, "users", "token", "robot")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    port = free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "LETTERS_FIXITY_EVERY_HOURS": "0"}
    with open(log, "wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "letters", "--home", str(home), "serve",
                                    "--port", str(port), "--workers", "2"],
                                   stdout=sink, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if healthy(url) and len(worker_pids(log)) == 2:
                break
            time.sleep(0.1)
        assert process.poll() is None and len(worker_pids(log)) == 2, log.read_text()
        yield Served(process, url, token, log, home)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def letter_lines(tag: str) -> list[str]:
    """A letter to IBM that no other letter of the test resembles."""
    return ["**COUNCIL OF EUROPE", "The Secretary General", "", "Strasbourg, 17 November 2020", "",
            "Mr Example", "IBM", "", f"A letter about the partnership, marked {tag}.", "",
            "Marija Pejčinović Burić", "Secretary General"]


def found(url: str, word: str) -> int:
    """How many letters a search for `word` finds, on a new connection."""
    with httpx.Client(base_url=url, timeout=60) as http:
        answer = http.get("/api/search", params={"q": word})
        assert answer.status_code in (200, 401), answer.text
        return int(answer.json().get("total", -1)) if answer.status_code == 200 else -1


def test_two_workers_share_one_home(served: Served, tmp_path: Path) -> None:
    auth = {"Authorization": f"Bearer {served.token}"}
    first_id = next(iter(Archive(served.home / "archive").records())).id
    tags = [f"zq{n}wx" for n in range(UPLOADS)]
    pdfs = {tag: pdfkit.text_pdf([letter_lines(tag)]) for tag in tags}  # reportlab is not thread-safe

    def upload(tag: str) -> list[dict[str, object]]:
        with httpx.Client(base_url=served.url, headers=auth, timeout=300) as http:
            answer = http.post("/api/letters", files={"file": (f"{tag}.pdf", pdfs[tag])})
            assert answer.status_code in (201, 503), answer.text
            if answer.status_code == 503:  # the shared queue was full: sent again, as a client does
                time.sleep(0.5)
                return upload(tag)
            lines: list[dict[str, object]] = answer.json()
            return lines

    def correct(number: int) -> int:
        with httpx.Client(base_url=served.url, headers=auth, timeout=300) as http:
            return http.patch(f"/api/letters/{first_id}",
                              json={"signed_by": f"Signer {number}"}).status_code

    def search(number: int) -> int:
        with httpx.Client(base_url=served.url, headers=auth, timeout=300) as http:
            return http.get("/api/search", params={"q": "partnership", "page": 1}).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        uploads = pool.map(upload, tags)
        corrections = pool.map(correct, range(6))
        searches = pool.map(search, range(12))
        uploaded = [lines[0] for lines in uploads]
        assert list(corrections) == [200] * 6
        assert list(searches) == [200] * 12
    assert [line["result"] for line in uploaded] == ["added"] * UPLOADS
    assert len({line["id"] for line in uploaded}) == UPLOADS

    with httpx.Client(base_url=served.url, headers=auth, timeout=60) as http:
        for tag in tags:  # each worker answers some of these new connections
            for _ in range(6):
                deadline = time.monotonic() + 5
                while True:
                    with httpx.Client(base_url=served.url, headers=auth, timeout=60) as fresh:
                        total = fresh.get("/api/search", params={"q": tag}).json()["total"]
                    if total == 1 or time.monotonic() > deadline:
                        break
                    time.sleep(0.1)
                assert total == 1, f"{tag} not found by a worker"
        record = http.get(f"/api/letters/{first_id}").json()
    history = (Archive(served.home / "archive").letter_dir(record["sha256"]) / "history.jsonl")
    corrected = [json.loads(x) for x in history.read_text().splitlines()[1:]]
    assert len(corrected) == 6, "every correction kept, none lost"
    changes = [entry["changes"]["signed_by"] for entry in corrected]
    assert all(later["before"] == earlier["after"] for earlier, later in pairwise(changes)), \
        "each correction starts from the one before it: none was lost"
    assert record["signed_by"] == changes[-1]["after"]
    assert len(list(Archive(served.home / "archive").records())) == UPLOADS + 1, "nothing doubled"
    verified = json.loads(letters(served.home, "verify", "--json"))
    assert verified["problems"] == [] and verified["checked"] == UPLOADS + 1
    assert len(worker_pids(served.log)) == 2


def test_the_login_limit_holds_across_workers(served: Served) -> None:
    statuses = []
    for attempt in range(12):
        with httpx.Client(base_url=served.url, timeout=60) as http:  # a new connection each time
            page = http.get("/login")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert token, page.text[:500]
            statuses.append(http.post("/login", data={"csrf": token.group(1), "name": "robot",
                                                      "password": f"wrong {attempt}"}).status_code)
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]


def test_processes_share_the_login_counts_and_the_upload_places(tmp_path: Path) -> None:
    """Two Throttles or two UploadQueues on one directory behave as one (each stands for a
    process: their locks and their database are opened separately)."""
    one, other = (Throttle(limit=3, path=tmp_path / "logins.sqlite") for _ in range(2))
    assert [one.attempt("10.0.0.1"), other.attempt("10.0.0.1"), one.attempt("10.0.0.1")] == [None] * 3
    assert other.attempt("10.0.0.1") == "10.0.0.1"
    other.succeeded("10.0.0.1")
    assert one.attempt("10.0.0.1") is None

    import asyncio

    async def places() -> str:
        first, second = UploadQueue(1, tmp_path / "uploads"), UploadQueue(1, tmp_path / "uploads")
        async with first.admitted(), second.admitted():  # size 1: one ingesting and one waiting
            try:
                async with first.admitted():
                    return "admitted a third"
            except Busy:
                pass
        async with second.admitted():
            return "a place again once they left"

    assert asyncio.run(places()) == "a place again once they left"
