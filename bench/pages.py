"""Pages at scale: every page kind over HTTP on archives of two sizes and two partner spreads.

For each size and spread (even: letters drawn among all partners; skewed: one partner holds a
third) an archive is written in the archive layout, `letters reindex` (Tantivy) builds the index and
the catalog, and `letters serve` answers each page kind and its API twin: once right after the
server starts (cold, over a few starts: the headline, held against the goals), then repeatedly
(warm, reported on a line of its own). The catalog's own rebuild time is
measured alone, and the share of an ingest spent writing the catalog is measured in-process.
"""

from __future__ import annotations

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


def kinds(home: Path) -> dict[str, str]:
    """Each page kind and its API twin, with the heaviest partner, Secretary General and letter."""
    found = Catalog(home / "index" / catalog_module.FILE, Archive(home / "archive"))
    try:
        partner = max((k for k in found.partner_counts().items() if k[0]),
                      key=lambda kv: kv[1])[0]
        sg = max((k for k in found.signatory_counts().items() if k[0]), key=lambda kv: kv[1])[0]
        letter = found.letters_of_partner(partner)[0].id
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


def measure(home: Path, work: Path, starts: int, repeats: int) -> dict[str, dict[str, float]]:
    """p50/p95 (ms) of each page kind: cold (first request of its kind after a start), warm."""
    users = Users(Settings(home=home))
    if users.get(ADMIN) is None:
        users.add(ADMIN, "admin", "bench-password-not-secret", by="bench")
    headers = {"Authorization": f"Bearer {users.new_token(ADMIN, by='bench')}"}
    paths = kinds(home)
    cold: dict[str, list[float]] = {k: [] for k in paths}
    warm: dict[str, list[float]] = {k: [] for k in paths}
    for start in range(starts):
        with Server(home, work / "pages-server.log", ENGINE) as server, httpx.Client(
                base_url=server.url, headers=headers, timeout=600) as http:
            for kind, path in paths.items():
                cold[kind].append(_timed(http, path))
            if start == starts - 1:
                for _ in range(repeats):
                    for kind, path in paths.items():
                        warm[kind].append(_timed(http, path))
    return {kind: {"path": paths[kind],  # type: ignore[dict-item]
                   "cold_p50_ms": percentile(cold[kind], 50),
                   "cold_p95_ms": percentile(cold[kind], 95),
                   "warm_p50_ms": percentile(warm[kind], 50),
                   "warm_p95_ms": percentile(warm[kind], 95)} for kind in paths}


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


def run(report: Report, sizes: tuple[int, int], starts: int, repeats: int, ingest_letters: int,
        cache: Path, work: Path) -> dict[str, Any]:
    """Measure every page kind at both sizes and spreads; add the figures to the report."""
    details: dict[str, Any] = {}
    worst: dict[tuple[str, int], float] = {}
    for spread, heavy in SPREADS.items():
        for count in sizes:
            archive = cache / (f"archive-{count}" + ("" if heavy is None else f"-{spread}"))
            corpus.archive_corpus(archive / "archive", count, heavy)
            home = work / f"pages-{spread}-{count}"
            search_bench.link_home(archive / "archive", home)
            reindex, reindex_cpu = search_bench.reindex_timed(home, count, ENGINE)
            rebuild, rebuild_cpu = search_bench.catalog_rebuild(home)
            found = measure(home, work, starts, repeats)
            details[f"{spread}-{count}"] = {"letters": count, "reindex_seconds": reindex,
                                            "reindex_cpu_seconds": reindex_cpu,
                                            "catalog_rebuild_seconds": rebuild,
                                            "catalog_rebuild_cpu_seconds": rebuild_cpu,
                                            "pages": found}
            # cold (the first request of each kind after a start) is the headline; repeating a
            # request is reported on a line of its own
            worst[(spread, count)] = max(k["cold_p95_ms"] for k in found.values())
            size = "small" if count == sizes[0] else "large"
            large = size == "large"
            report.add(f"pages.{spread}.{size}.cold_p95_ms",
                       f"pages, {spread}, {count:,} letters: slowest kind, cold p95",
                       worst[(spread, count)], "ms", "<= 50" if large else None)
            report.add(f"pages.{spread}.{size}.warm_p95_ms",
                       f"pages, {spread}, {count:,} letters: slowest kind, repeated p95",
                       max(k["warm_p95_ms"] for k in found.values()), "ms")
            report.add(f"pages.{spread}.{size}.catalog_rebuild_seconds",
                       f"catalog rebuild, {spread}, {count:,} letters", rebuild, "s",
                       "<= 30" if large else None)
            report.add(f"pages.{spread}.{size}.reindex_seconds",
                       f"letters reindex with {ENGINE}, {spread}, {count:,} letters", reindex, "s",
                       "<= 120" if large else None)
        report.add(f"pages.{spread}.growth_p95",
                   f"pages, {spread}: slowest cold p95, {sizes[1]:,} vs {sizes[0]:,} letters",
                   worst[(spread, sizes[1])] / max(worst[(spread, sizes[0])], 1e-9), "x",
                   "<= 1.5")
    made = corpus.pdf_corpus(cache / "pdfs", ingest_letters)
    share = ingest_share([path for path, _ in made], work / "pages-ingest")
    details["ingest"] = share
    report.add("pages.ingest_with_vs_without_catalog",
               "ingest time with catalog writes vs without", share["with_vs_without"], "x",
               "<= 1.05")
    return details
