"""Load: concurrent readers searching over HTTP while an archivist uploads letters."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import corpus
from bench.ingest import link_files
from bench.queries import MIX
from bench.report import Report, percentile
from bench.server import PHRASE_POSITIONS, Server
from letters.archive import Archive
from letters.service import Letters
from letters.settings import Settings
from letters.users import Users

ARCHIVIST = "bench-archivist"
#: Upload letters are numbered far beyond any corpus, so none is already archived.
UPLOAD_START = 900_000


def archivist_token(home: Path) -> str:
    """An API token of an archivist of this home (the user is created when missing)."""
    users = Users(Settings(home=home))
    if users.get(ARCHIVIST) is None:
        users.add(ARCHIVIST, "archivist", "bench-password-not-secret", by="bench")
    return users.new_token(ARCHIVIST, by="bench")


@dataclass
class Tally:
    """What the clients saw, shared between threads under a lock."""

    searches: list[float] = field(default_factory=list)
    uploads: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, what: str) -> None:
        """Count one error (the first few are kept verbatim)."""
        with self.lock:
            self.errors.append(what[:300])


def _reader(url: str, number: int, stop: threading.Event, tally: Tally) -> None:
    position = number
    with httpx.Client(base_url=url, timeout=60) as client:
        while not stop.is_set():
            query = MIX[position % len(MIX)]
            position += 1
            start = time.perf_counter()
            try:
                response = client.get("/api/search", params=query.params())
            except httpx.HTTPError as error:
                tally.error(f"search {query.name}: {type(error).__name__}: {error}")
                continue
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                tally.error(f"search {query.name}: {response.status_code} {response.text}")
                continue
            with tally.lock:
                tally.searches.append(elapsed)


def _uploader(url: str, token: str, files: list[Path], seconds: float, tally: Tally) -> None:
    began = time.monotonic()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, timeout=300, headers=headers) as client:
        for number, path in enumerate(files):
            due = began + number * seconds / len(files)  # spread over the whole run
            time.sleep(max(0.0, due - time.monotonic()))
            start = time.perf_counter()
            try:
                with open(path, "rb") as handle:
                    response = client.post("/api/letters",
                                           files={"file": (path.name, handle, "application/pdf")})
            except httpx.HTTPError as error:
                tally.error(f"upload {path.name}: {type(error).__name__}: {error}")
                continue
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 201:
                tally.error(f"upload {path.name}: {response.status_code} {response.text}")
                continue
            results = response.json()
            with tally.lock:
                tally.uploads.append(elapsed)
                tally.added.extend(r["id"] for r in results if r.get("result") == "added")


def upload_files(cache: Path, work: Path, count: int, home: Path) -> list[Path]:
    """`count` new letters to upload: never in the archive corpus, nor in `home` already (a home
    kept by `--reuse-index` holds the uploads of the previous run: the next batch is taken)."""
    archived = {letter.sha256 for letter in Archive(home / "archive").records()}
    start = UPLOAD_START
    while True:
        made = corpus.pdf_corpus(cache / "uploads", count, start=start)
        if not any(hashlib.sha256(path.read_bytes()).hexdigest() in archived
                   for path, _pages in made):
            break
        start += count
    return sorted(link_files([path for path, _ in made], work / "upload-files").iterdir())


def run(report: Report, server: Server, home: Path, token: str, files: list[Path],
        clients: int, seconds: float) -> dict[str, Any]:
    """Run the load; add throughput, latency, errors and lost uploads to the report."""
    before = sum(1 for _ in Archive(home / "archive").records())
    tally = Tally()
    stop = threading.Event()
    readers = [threading.Thread(target=_reader, args=(server.url, n, stop, tally), daemon=True)
               for n in range(clients)]
    uploader = threading.Thread(target=_uploader,
                                args=(server.url, token, files, seconds * 0.9, tally), daemon=True)
    start = time.perf_counter()
    for thread in readers:
        thread.start()
    uploader.start()
    time.sleep(seconds)
    stop.set()
    for thread in readers:
        thread.join(120)
    uploader.join(600)
    elapsed = time.perf_counter() - start
    memory = server.memory()

    archive = Archive(home / "archive")
    missing = [p.name for p in files if not archive.has(hashlib.sha256(p.read_bytes()).hexdigest())]
    after = sum(1 for _ in archive.records())
    server.stop()  # the index is checked by this process once the server has let go of it
    app = Letters(Settings(home=home, search_engine=server.engine, phrase_positions=PHRASE_POSITIONS))
    indexed = app.index.ids()
    app.index.close()
    not_indexed = [i for i in tally.added if i not in indexed]

    report.add("load.clients", "load: concurrent search clients", clients, "clients")
    report.add("load.seconds", "load: duration", elapsed, "s")
    report.add("load.searches", "load: searches answered", len(tally.searches), "requests")
    report.add("load.throughput_rps", "load: search throughput", len(tally.searches) / elapsed,
               "req/s")
    report.add("load.search_p50_ms", "load: search p50", percentile(tally.searches, 50), "ms")
    report.add("load.search_p95_ms", "load: search p95", percentile(tally.searches, 95), "ms")
    report.add("load.upload_p95_ms", "load: upload p95 (one letter per request)",
               percentile(tally.uploads, 95), "ms")
    report.add("load.errors", "load: errors (any non-2xx or failed request)", len(tally.errors),
               "", goal="== 0")
    report.add("load.uploads_added", f"load: uploads added (of {len(files)})", len(tally.added),
               "letters", goal=f">= {len(files)}")
    report.add("load.lost_uploads", "load: uploads missing from archive or index after",
               len(missing) + len(not_indexed), "letters", goal="== 0")
    report.add("load.server_rss_mb", "load: server resident memory at the end (VmRSS)",
               memory.get("VmRSS"), "MB", goal="<= 400")
    return {"errors": tally.errors[:20], "archive_before": before, "archive_after": after,
            "missing_from_archive": missing, "missing_from_index": not_indexed,
            "server_memory_mb": memory}
