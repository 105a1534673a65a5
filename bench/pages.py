"""Pages at scale: every page kind over HTTP on archives of two sizes and two partner spreads.

For each size and spread (even: letters drawn among all partners; skewed: one partner holds a
third) an archive is written in the archive layout, `letters reindex` (Tantivy) builds the index and
the catalog, and `letters serve` answers each page kind and its API twin: once right after the
server starts (cold, over a few starts: the headline, held against the goals), then repeatedly
(warm, reported on a line of its own). Cold is measured twice: in process (a fresh process makes
the app on the home and asks each kind once through it, no network: goal 50 ms) and over HTTP (a
fresh `letters serve`: goal 80 ms); each start asks for another letter, so that no cold request
repeats an earlier one. The catalog's own rebuild time is measured alone, and the share of an
ingest spent writing the catalog is measured in-process. With `reuse`, a home built by an
earlier run (its `.bench-built` marker) is measured again without its reindex.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench import corpus
from bench import search as search_bench
from bench.report import Report, percentile
from bench.server import Server
from letters import catalog as catalog_module
from letters.archive import Archive
from letters.catalog import Catalog
from letters.service import Letters
from letters.settings import Settings
from letters.users import Users

#: The partner holding a third of the skewed archive.
HEAVY = "microsoft"
SPREADS = {"even": None, "skewed": HEAVY}
#: The engine of the pages' homes: the one for large archives.
ENGINE = "tantivy"
ADMIN = "bench-admin"
#: Written in a pages home once its reindex is done: its letters and engine.
BUILT = ".bench-built"


def kinds(home: Path, start: int = 0) -> dict[str, str]:
    """Each page kind and its API twin, with the heaviest partner, Secretary General and one of
    the partner's letters (another for each `start`, so that cold requests do not repeat)."""
    found = Catalog(home / "index" / catalog_module.FILE, Archive(home / "archive"))
    try:
        partner = max((k for k in found.partner_counts().items() if k[0]),
                      key=lambda kv: kv[1])[0]
        sg = max((k for k in found.signatory_counts().items() if k[0]), key=lambda kv: kv[1])[0]
        letters = found.partner_page(partner, start, 1) or found.partner_page(partner, 0, 1)
        letter = letters[0].id
    finally:
        found.close()
    pages = {"partners": "/partners", "partner": f"/partners/{partner}",
             "sgs": "/secretaries-general", "sg": f"/secretaries-general/{sg}",
             "letter": f"/letters/{letter}", "review": "/review", "audit": "/audit"}
    api = {"partners": "/api/partners", "partner": f"/api/partners/{partner}",
           "sgs": "/api/secretaries-general",  # the page of one Secretary General has no twin
           "letter": f"/api/letters/{letter}", "review": "/api/review",
           "audit": "/api/audit?limit=100"}
    return {**pages, **{f"api {name}": path for name, path in api.items()}}


def _timed(http: httpx.Client, path: str) -> float:
    start = time.perf_counter()
    answer = http.get(path)
    elapsed = (time.perf_counter() - start) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"GET {path} answered {answer.status_code}: {answer.text[:200]}")
    return elapsed


def _environment(home: Path) -> dict[str, str]:
    """What `bench.server.Server` gives the server, for the in-process measure alike."""
    return {**os.environ, "LETTERS_OPEN_READING": "1", "LETTERS_HOME": str(home),
            "LETTERS_SEARCH_ENGINE": ENGINE, "LETTERS_FIXITY_EVERY_HOURS": "0"}


def inprocess(home: Path, paths: dict[str, str], headers: dict[str, str]) -> dict[str, float]:
    """Milliseconds of the first request of each kind in a fresh process: the app made on the
    home (as `letters serve` makes it) and asked through Starlette's test client, no network."""
    done = subprocess.run([sys.executable, "-m", "bench.pages", str(home), json.dumps(paths),
                           json.dumps(headers)], capture_output=True, text=True, check=False,
                          env=_environment(home))
    if done.returncode != 0:
        raise RuntimeError(f"the in-process pages failed: {done.stderr.strip()[-500:]}")
    timings: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return timings


def _inprocess_main(home: Path, paths: dict[str, str], headers: dict[str, str]) -> None:
    """In the fresh process of `inprocess`: time each kind's first request, print them as JSON."""
    import warnings

    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

    from letters.settings import from_env
    from letters.web.app import create_app, settled

    app = settled(create_app(from_env(home)))  # as `letters serve` makes it
    timings: dict[str, float] = {}
    with TestClient(app, headers=headers) as http:
        http.get("/healthz")
        for kind, path in paths.items():
            start = time.perf_counter()
            answer = http.get(path)
            timings[kind] = (time.perf_counter() - start) * 1000
            if answer.status_code != 200:
                raise RuntimeError(f"GET {path} answered {answer.status_code}")
    print(json.dumps(timings))


def measure(home: Path, work: Path, starts: int, repeats: int) -> dict[str, dict[str, Any]]:
    """p50/p95 (ms) of each page kind: cold in process and over HTTP (the first request of its
    kind after a start, each start asking for another letter), and repeated."""
    users = Users(Settings(home=home))
    if users.get(ADMIN) is None:
        users.add(ADMIN, "admin", "bench-password-not-secret", by="bench")
    headers = {"Authorization": f"Bearer {users.new_token(ADMIN, by='bench')}"}
    paths = kinds(home)
    cold: dict[str, list[float]] = {k: [] for k in paths}
    inside: dict[str, list[float]] = {k: [] for k in paths}
    warm: dict[str, list[float]] = {k: [] for k in paths}
    load: list[float] = [os.getloadavg()[0]]
    for start in range(starts):
        for kind, ms in inprocess(home, kinds(home, 2 * start), headers).items():
            inside[kind].append(ms)
        asked = kinds(home, 2 * start + 1)
        with Server(home, work / "pages-server.log", ENGINE) as server, httpx.Client(
                base_url=server.url, headers=headers, timeout=600) as http:
            for kind, path in asked.items():
                cold[kind].append(_timed(http, path))
            if start == starts - 1:
                for _ in range(repeats):
                    for kind, path in paths.items():
                        warm[kind].append(_timed(http, path))
        load.append(os.getloadavg()[0])
    return {kind: {"path": paths[kind],
                   "inprocess_cold_p50_ms": percentile(inside[kind], 50),
                   "inprocess_cold_p95_ms": percentile(inside[kind], 95),
                   "cold_p50_ms": percentile(cold[kind], 50),
                   "cold_p95_ms": percentile(cold[kind], 95),
                   "warm_p50_ms": percentile(warm[kind], 50),
                   "warm_p95_ms": percentile(warm[kind], 95),
                   "load_average": load} for kind in paths}


def ingest_share(files: list[Path], home: Path) -> dict[str, float]:
    """Ingest `files` in-process and time what the catalog's writes take of it."""
    spent = [0.0]
    originals: dict[str, Callable[..., Any]] = {}

    def timing(name: str) -> Callable[..., Any]:
        original = originals[name] = getattr(Catalog, name)

        def timed(self: Catalog, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start
        return timed

    for name in ("changed", "flush", "rebuild", "repair"):
        setattr(Catalog, name, timing(name))
    try:
        home.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        results = Letters(Settings(home=home)).ingest(files, by="bench")
        total = time.perf_counter() - start
    finally:
        for name, original in originals.items():
            setattr(Catalog, name, original)
    added = sum(1 for r in results if r.result == "added")
    without = max(total - spent[0], 1e-9)
    return {"letters": added, "seconds": total, "catalog_seconds": spent[0],
            "letters_per_s": added / total, "letters_per_s_without_catalog": added / without,
            "with_vs_without": total / without}


def _build(archive: Path, home: Path, count: int, reuse: bool) -> dict[str, Any]:
    """The home of one size and spread, reindexed (kept as an earlier run left it if `reuse`),
    and its catalog rebuilt alone: the times, None where reused."""
    marker = home / BUILT
    figures: dict[str, Any] = {"reindex_seconds": None, "reindex_cpu_seconds": None}
    if not (reuse and marker.exists() and marker.read_text().split() == [str(count), ENGINE]):
        search_bench.link_home(archive, home)
        reindex, reindex_cpu = search_bench.reindex_timed(home, count, ENGINE)
        figures.update(reindex_seconds=reindex, reindex_cpu_seconds=reindex_cpu)
        marker.write_text(f"{count} {ENGINE}\n")
    rebuild, rebuild_cpu = search_bench.catalog_rebuild(home)
    return {**figures, "catalog_rebuild_seconds": rebuild, "catalog_rebuild_cpu_seconds": rebuild_cpu}


def _growth(small: dict[str, dict[str, Any]], large: dict[str, dict[str, Any]], key: str
            ) -> dict[str, float]:
    """Each kind's p95 at the large size over its p95 at the small size."""
    return {kind: large[kind][key] / max(small[kind][key], 1e-9) for kind in large}


def run(report: Report, sizes: tuple[int, int], starts: int, repeats: int, ingest_letters: int,
        cache: Path, work: Path, reuse: bool = False) -> dict[str, Any]:
    """Measure every page kind at both sizes and spreads; add the figures to the report."""
    details: dict[str, Any] = {}
    worst: dict[tuple[str, int], float] = {}
    inside: dict[tuple[str, int], float] = {}
    for spread, heavy in SPREADS.items():
        for count in sizes:
            archive = cache / (f"archive-{count}" + ("" if heavy is None else f"-{spread}"))
            corpus.archive_corpus(archive / "archive", count, heavy)
            home = work / f"pages-{spread}-{count}"
            built = _build(archive / "archive", home, count, reuse)
            found = measure(home, work, starts, repeats)
            details[f"{spread}-{count}"] = {"letters": count, **built, "pages": found}
            # cold (the first request of each kind after a start) is the headline; repeating a
            # request is reported on a line of its own
            worst[(spread, count)] = max(k["cold_p95_ms"] for k in found.values())
            inside[(spread, count)] = max(k["inprocess_cold_p95_ms"] for k in found.values())
            size = "small" if count == sizes[0] else "large"
            large = size == "large"
            report.add(f"pages.{spread}.{size}.inprocess_cold_p95_ms",
                       f"pages, {spread}, {count:,} letters: slowest kind, cold p95 in process",
                       inside[(spread, count)], "ms", "<= 50" if large else None)
            report.add(f"pages.{spread}.{size}.cold_p95_ms",
                       f"pages, {spread}, {count:,} letters: slowest kind, cold p95 over HTTP",
                       worst[(spread, count)], "ms", "<= 80" if large else None)
            report.add(f"pages.{spread}.{size}.warm_p95_ms",
                       f"pages, {spread}, {count:,} letters: slowest kind, repeated p95",
                       max(k["warm_p95_ms"] for k in found.values()), "ms")
            report.add(f"pages.{spread}.{size}.catalog_rebuild_seconds",
                       f"catalog rebuild, {spread}, {count:,} letters",
                       built["catalog_rebuild_seconds"], "s", "<= 30" if large else None)
            report.add(f"pages.{spread}.{size}.reindex_seconds",
                       f"letters reindex with {ENGINE}, {spread}, {count:,} letters",
                       built["reindex_seconds"], "s", "<= 120" if large else None,
                       "" if built["reindex_seconds"] is not None else "reused, not timed")
        report.add(f"pages.{spread}.growth_p95",
                   f"pages, {spread}: slowest cold p95 over HTTP, {sizes[1]:,} vs {sizes[0]:,} "
                   "letters", worst[(spread, sizes[1])] / max(worst[(spread, sizes[0])], 1e-9),
                   "x", "<= 1.5")
        small, large_pages = (details[f"{spread}-{n}"]["pages"] for n in sizes)
        growth = {"inprocess": _growth(small, large_pages, "inprocess_cold_p95_ms"),
                  "http": _growth(small, large_pages, "cold_p95_ms")}
        details[f"{spread}-growth"] = growth
        report.add(f"pages.{spread}.growth_kind_p95",
                   f"pages, {spread}: most grown kind, cold p95 in process, {sizes[1]:,} vs "
                   f"{sizes[0]:,} letters", max(growth["inprocess"].values()), "x", "<= 1.5")
    made = corpus.pdf_corpus(cache / "pdfs", ingest_letters)
    share = ingest_share([path for path, _ in made], work / "pages-ingest")
    details["ingest"] = share
    report.add("pages.ingest_with_vs_without_catalog",
               "ingest time with catalog writes vs without", share["with_vs_without"], "x",
               "<= 1.05")
    return details


if __name__ == "__main__":  # the fresh process of `inprocess`
    _inprocess_main(Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3]))
