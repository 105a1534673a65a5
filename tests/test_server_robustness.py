"""The real server, started as `letters serve` in its own process, takes every real-world PDF and
every deliberately broken file, one request each: each gets a JSON answer, the server stays up, and
its own memory stays bounded (the PDFs are parsed in worker processes, not in the server)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from support.pdfs import BOMB_REASON, BROKEN, REALWORLD_SCANS
from support.processes import free_port, healthy, letters, programs_using

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld-pdfs"
#: How much the server process's resident memory may grow over the whole run.
MAX_GROWTH_MB = 150
ENCRYPTED = "libreoffice-writer-password.pdf"


@dataclass
class Served:
    """A `letters serve` process, its address and an archivist's token."""

    process: subprocess.Popen[bytes]
    url: str
    token: str
    log: Path
    scratch: Path  # the server's TMPDIR: uploads and OCR work in progress


def resident_mb(pid: int) -> float:
    """The process's resident memory (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`letters serve` on a new home, with an archivist's API token made by the command line."""
    home = tmp_path / "home"
    home.mkdir()
    letters(home, "users", "add", "robot", "--role", "archivist", stdin="robot-password\n")
    token = letters(home, "users", "token", "robot").strip()
    port = free_port()
    log = tmp_path / "server.log"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {**os.environ, "LETTERS_EXTRACT_TIMEOUT": "20", "LETTERS_EXTRACT_MEMORY_MB": "768",
           "TMPDIR": str(scratch)}
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "letters", "--home", str(home), "serve", "--port", str(port)],
            stdout=sink, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if healthy(url) or process.poll() is not None:
                break
            time.sleep(0.1)
        assert process.poll() is None and healthy(url), log.read_text()
        yield Served(process, url, token, log, scratch)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def inputs(tmp_path: Path) -> list[Path]:
    """Every real-world PDF, the broken files of test_hostile, and a file that is not a PDF."""
    real = sorted(p for p in REALWORLD.rglob("*") if p.suffix.lower() == ".pdf")
    assert len(real) >= 25, "the shared real-world PDFs must be present (CI has them)"
    broken = tmp_path / "broken"
    broken.mkdir()
    made = []
    for name, build in BROKEN.items():
        made.append(broken / name)
        made[-1].write_bytes(build())
    text = broken / "notes.pdf"
    text.write_text("Minutes of the meeting, not a PDF at all.\n")
    return [*real, *made, text]


def test_every_file_is_answered_and_the_server_stays_up_and_small(served: Served,
                                                                  tmp_path: Path) -> None:
    files = inputs(tmp_path)
    before = resident_mb(served.process.pid)
    answers: dict[str, tuple[int, object]] = {}
    with httpx.Client(base_url=served.url, timeout=300,
                      headers={"Authorization": f"Bearer {served.token}"}) as http:
        for path in [*files, files[0]]:  # the first file twice: a duplicate the second time
            with open(path, "rb") as handle:
                response = http.post("/api/letters", files={"file": (path.name, handle,
                                                                     "application/pdf")})
            assert response.headers["content-type"] == "application/json", path
            body = response.json()
            if response.status_code == 201:
                [result] = body
                assert result["result"] in ("added", "duplicate"), (path, result)
                assert result["path"] == path.name and len(result["id"]) == 16
            else:
                assert response.status_code in (415, 422), (path, response.status_code, body)
                detail = body["detail"]
                assert isinstance(detail, str) and "\n" not in detail and "Traceback" not in detail
                assert detail.startswith(f"{path.name}: ")
                [result] = body["results"]
                assert result["result"] == "rejected" and result["error"], (path, body)
            key = path.name if path.name not in answers else f"{path.name} (again)"
            answers[key] = (response.status_code, body)
            assert served.process.poll() is None, served.log.read_text()[-2000:]
            assert http.get("/healthz").status_code == 200, path
    after = resident_mb(served.process.pid)
    assert after - before < MAX_GROWTH_MB, (before, after)
    # no program outlives its file's answer (pdftoppm, tesseract); one stopped for taking too long
    # is killed with its worker (test_hostile.py's page too slow to draw)
    for _ in range(50):
        if not programs_using(served.scratch):
            break
        time.sleep(0.2)
    assert programs_using(served.scratch) == []

    assert len(answers) == len(files) + 1
    added = [k for k, (status, body) in answers.items()
             if status == 201 and isinstance(body, list) and body[0]["result"] == "added"]
    assert len(added) >= 20
    status, body = answers[ENCRYPTED]
    assert status == 422 and body["detail"] == f"{ENCRYPTED}: encrypted: a password is needed"
    assert answers["notes.pdf"][0] == 415
    for name in ("truncated.pdf", "reference-loop.pdf", "garbage.pdf"):
        assert answers[name][0] == 422, (name, answers[name])
    # OCR read each real-world scan (test_hostile.py's command-line run reads only one of them)
    read = {name for name, (status, body) in answers.items()
            if status == 201 and isinstance(body, list) and body[0]["result"] == "added"
            and body[0].get("ocr")}
    assert read == set(REALWORLD_SCANS), read
    # the bomb's page is weighed, not drawn (pdftoppm would take a minute of CPU over it)
    status, body = answers["bomb.pdf"]
    assert status == 201 and isinstance(body, list) and body[0]["result"] == "added", body
    assert BOMB_REASON in body[0]["reasons"], body
    again = answers[f"{files[0].name} (again)"]
    assert again[0] == 201 and json.dumps(again[1]).count('"duplicate"') == 1
    # the archive the server wrote is whole: every added letter can be read back
    with httpx.Client(base_url=served.url, timeout=60,
                      headers={"Authorization": f"Bearer {served.token}"}) as http:
        found = http.get("/api/search", params={"per_page": "100"}).json()
        assert found["total"] == len(added)
        letter = found["hits"][0]["id"]
        assert http.get(f"/api/letters/{letter}/pdf").content.startswith(b"%PDF")
