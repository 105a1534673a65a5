"""Search at scale, for each engine: reindex (against raw Whoosh bulk indexing); cold latency (44
distinct queries, each asked once on a freshly opened index, in process and over HTTP: the
headline); then the repeated mix of 20 queries in process, over HTTP and with raw Whoosh."""

from __future__ import annotations

import os
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench import corpus, raw
from bench.queries import COLD, MIX, Query
from bench.report import Report, percentile
from bench.server import PHRASE_POSITIONS, Server
from letters.archive import Archive
from letters.service import Letters
from letters.settings import Settings

HOME = "home-search"
ENGINES = ("whoosh", "tantivy")
#: Above this many letters Whoosh is left out unless asked for (its reindex takes too long).
WHOOSH_MAX = 20_000


def engines_for(count: int, whoosh: bool | None = None) -> tuple[str, ...]:
    """The engines measured at this size: Whoosh only where it fits in time, or when asked."""
    return ENGINES if (whoosh if whoosh is not None else count <= WHOOSH_MAX) else ("tantivy",)
#: Goals of the cold p95 (ms), in process and over HTTP, per engine (None: reported only).
COLD_GOALS = {"tantivy": ("<= 50", "<= 80"), "whoosh": (None, None)}


def home_of(work: Path, engine: str) -> Path:
    """The benchmark home of one engine (the same archive, hard-linked)."""
    return work / (HOME if engine == "whoosh" else f"{HOME}-{engine}")


def prepare_archive(cache: Path, count: int) -> tuple[Path, float]:
    """The cached archive of `count` generated letters (made when missing); seconds spent."""
    start = time.perf_counter()
    archive = cache / f"archive-{count}" / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    corpus.archive_corpus(archive, count)
    return archive, time.perf_counter() - start


def link_home(archive: Path, home: Path) -> float:
    """A home whose archive is a hard-linked copy of `archive` (writes never touch the cache)."""
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    start = time.perf_counter()
    subprocess.run(["cp", "-al", str(archive), str(home / "archive")], check=True)
    return time.perf_counter() - start


def reindex(home: Path, expected: int, engine: str = "whoosh") -> float:
    """Seconds `letters reindex` takes (the whole command) with this engine."""
    return reindex_timed(home, expected, engine)[0]


def reindex_timed(home: Path, expected: int, engine: str = "whoosh") -> tuple[float, float]:
    """Seconds `letters reindex` takes with this engine: wall time, and the CPU time of the
    command and its worker processes (which the load of other programs disturbs less)."""
    command = [sys.executable, "-m", "letters", "--home", str(home), "reindex"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          env={**os.environ, "LETTERS_SEARCH_ENGINE": engine})
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if done.returncode != 0 or f"Indexed {expected} letter" not in done.stdout:
        raise RuntimeError(f"letters reindex failed (exit {done.returncode}): "
                           f"{(done.stdout + done.stderr).strip()[-500:]}")
    return seconds, cpu


def catalog_rebuild(home: Path) -> tuple[float, float]:
    """The catalog's rebuild alone, in a process of its own: wall and CPU seconds."""
    script = ("import sys; from pathlib import Path; from letters.archive import Archive; "
              "from letters.catalog.store import Catalog; home = Path(sys.argv[1]); "
              "Catalog(home / 'index' / 'catalog.sqlite', Archive(home / 'archive')).rebuild()")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", script, str(home)], check=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def raw_bulk(home: Path, work: Path) -> tuple[float, float]:
    """Raw Whoosh bulk indexing of the same documents: (load seconds, untimed; index seconds)."""
    start = time.perf_counter()
    docs = list(raw.documents(home / "archive"))
    loading = time.perf_counter() - start
    target = work / "raw-index"
    if target.exists():
        shutil.rmtree(target)
    seconds = raw.bulk_index(target, docs)
    del docs
    shutil.rmtree(target, ignore_errors=True)
    return loading, seconds


def latencies(run: Callable[[Query], int], rounds: int, seed: str
              ) -> tuple[dict[str, int], dict[str, list[float]], dict[str, list[float]]]:
    """Totals and milliseconds of a first pass (nothing cached yet), then milliseconds per query
    over `rounds` shuffled passes."""
    totals: dict[str, int] = {}
    first: dict[str, list[float]] = {}
    for query in MIX:
        start = time.perf_counter()
        totals[query.name] = run(query)
        first[query.name] = [(time.perf_counter() - start) * 1000]
    samples: dict[str, list[float]] = {query.name: [] for query in MIX}
    order = [query for _ in range(rounds) for query in MIX]
    random.Random(seed).shuffle(order)
    for query in order:
        start = time.perf_counter()
        run(query)
        samples[query.name].append((time.perf_counter() - start) * 1000)
    return totals, first, samples


def http_runner(client: httpx.Client) -> Callable[[Query], int]:
    """A function running one query through `GET /api/search`, failing on any error."""

    def run(query: Query) -> int:
        response = client.get("/api/search", params=query.params())
        if response.status_code != 200:
            raise RuntimeError(f"GET /api/search {query.params()} answered "
                               f"{response.status_code}: {response.text[:200]}")
        total: int = response.json()["total"]
        return total

    return run


def _all(samples: dict[str, list[float]]) -> list[float]:
    return [value for values in samples.values() for value in values]


def _add_latency(report: Report, key: str, label: str, samples: dict[str, list[float]],
                 goal: str | None) -> None:
    flat = _all(samples)
    report.add(f"search.{key}.p50_ms", f"search {label}: p50", percentile(flat, 50), "ms")
    report.add(f"search.{key}.p95_ms", f"search {label}: p95", percentile(flat, 95), "ms", goal=goal)
    report.add(f"search.{key}.p99_ms", f"search {label}: p99", percentile(flat, 99), "ms")


def cold(report: Report, work: Path) -> dict[str, Any]:
    """Each engine's cold latency: every query of COLD asked once on a freshly opened index, in
    process and over HTTP (a server started for it), with facets and snippets."""
    found: dict[str, Any] = {}
    for engine in ENGINES:
        home = home_of(work, engine)
        if not (home / "index" / "search").is_dir():
            continue  # not built at this size (`engines_for`)
        app = Letters(Settings(home=home, search_engine=engine, phrase_positions=PHRASE_POSITIONS))
        app.open_index()  # what a server does at start-up, untimed
        totals, inprocess = once(lambda query: app.search(query.request()).total)  # noqa: B023
        app.index.close()
        with Server(home, work / f"server-cold-{engine}.log", engine) as server, \
                httpx.Client(base_url=server.url, timeout=60) as client:
            http_totals, over_http = once(http_runner(client))
            memory = server.memory()
        goals = COLD_GOALS[engine]
        for key, label, samples, goal in (
                ("inprocess", "in process", inprocess, goals[0]),
                ("http", "over HTTP", over_http, goals[1])):
            flat = list(samples.values())
            for p in (50, 95):
                report.add(f"search.cold.{engine}.{key}.p{p}_ms",
                           f"search cold, {engine}, {label}: p{p} of {len(flat)} queries",
                           percentile(flat, p), "ms", goal=goal if p == 95 else None)
        report.add(f"search.cold.{engine}.server_rss_mb",
                   f"search cold, {engine}: server resident memory (VmRSS)", memory.get("VmRSS"),
                   "MB")
        found[engine] = {"totals": totals, "http_totals": http_totals,
                         "inprocess_ms": {k: round(v, 2) for k, v in inprocess.items()},
                         "http_ms": {k: round(v, 2) for k, v in over_http.items()}}
    return found


def once(run: Callable[[Query], int]) -> tuple[dict[str, int], dict[str, float]]:
    """Totals and milliseconds of every COLD query, each asked once."""
    totals: dict[str, int] = {}
    took: dict[str, float] = {}
    for query in COLD:
        start = time.perf_counter()
        totals[query.name] = run(query)
        took[query.name] = (time.perf_counter() - start) * 1000
    return totals, took


def run_queries(report: Report, home: Path, server: Server, rounds: int) -> dict[str, Any]:
    """Latency of the mix: raw Whoosh, `Letters.search`, `GET /api/search`; server memory."""
    app = Letters(Settings(home=home, search_engine=server.engine, phrase_positions=PHRASE_POSITIONS))
    totals, inprocess_first, inprocess = latencies(
        lambda query: app.search(query.request()).total, rounds, "in-process")
    app.index.close()

    whoosh = home_of(home.parent, "whoosh") / "index" / "search"
    if (whoosh / "ENGINE").is_file() and (whoosh / "ENGINE").read_text().strip() == "whoosh":
        searcher = raw.RawSearcher(whoosh)
        raw_totals, _raw_first, baseline = latencies(searcher.run, rounds, "raw")
        searcher.close()
    else:  # Whoosh not built at this size: no raw baseline
        raw_totals, baseline = {q.name: -1 for q in MIX}, {q.name: [float("nan")] for q in MIX}

    with httpx.Client(base_url=server.url, timeout=60) as client:
        http_totals, http_first, over_http = latencies(http_runner(client), rounds, "http")
    memory = server.memory()

    _add_latency(report, "raw", "raw Whoosh (same queries, same index)", baseline, None)
    _add_latency(report, "inprocess", "Letters.search in process", inprocess, "<= 50")
    _add_latency(report, "http", "GET /api/search over HTTP", over_http, "<= 80")
    _add_latency(report, "inprocess_first", "Letters.search, first run of each query",
                 inprocess_first, None)
    _add_latency(report, "http_first", "GET /api/search, first run of each query", http_first,
                 None)
    raw_p95 = percentile(_all(baseline), 95)
    report.add("search.inprocess_vs_raw_p95", "search: in-process p95 / raw Whoosh p95",
               percentile(_all(inprocess), 95) / raw_p95, "x")
    report.add("search.http_vs_raw_p95", "search: HTTP p95 / raw Whoosh p95",
               percentile(_all(over_http), 95) / raw_p95, "x")
    report.add("search.server_rss_mb", "server resident memory after the queries (VmRSS)",
               memory.get("VmRSS"), "MB", goal="<= 400")
    report.add("search.server_peak_rss_mb", "server peak resident memory (VmHWM)",
               memory.get("VmHWM"), "MB")
    per_query = []
    for query in MIX:
        per_query.append({
            "name": query.name, "params": query.params(), "total": totals[query.name],
            "raw_total": raw_totals[query.name], "http_total": http_totals[query.name],
            **{f"{key}_{p}_ms": round(percentile(samples[query.name], p), 2)
               for key, samples in (("raw", baseline), ("inprocess", inprocess),
                                    ("http", over_http)) for p in (50, 95)},
            "inprocess_first_ms": round(inprocess_first[query.name][0], 2),
            "http_first_ms": round(http_first[query.name][0], 2),
        })
    return {"queries": per_query, "rounds": rounds, "server_memory_mb": memory}


def build(report: Report, count: int, cache: Path, work: Path, reuse: bool = False,
          whoosh: bool | None = None) -> tuple[Path, dict[str, Any]]:
    """The archive, the timed reindex (each engine of `engines_for`), the catalog's rebuild
    alone, and the raw bulk-indexing baseline when Whoosh is built; the home built.

    With `reuse`, the home and index left by the previous run are kept and nothing is timed.
    """
    engines = engines_for(count, whoosh)
    home = home_of(work, engines[0])
    if reuse and all((home_of(work, engine) / "index" / "search").is_dir() for engine in engines):
        letters = sum(1 for _ in Archive(home / "archive").records())
        report.add("search.letters", "search: letters in the index (reused)", letters, "letters")
        return home, {"reused": True}
    archive, generation = prepare_archive(cache, count)
    report.add("search.letters", "search: letters in the index", count, "letters")
    found: dict[str, Any] = {"corpus_seconds": round(generation, 2), "engines": list(engines)}
    took: dict[str, float] = {}
    for engine in engines:
        target = home_of(work, engine)
        found[f"hardlink_seconds_{engine}"] = round(link_home(archive, target), 2)
        seconds, cpu = reindex_timed(target, count, engine)
        took[engine] = seconds
        key = "search" if engine == "whoosh" else f"search.{engine}"
        named = "" if engine == "whoosh" else f" with {engine}"
        report.add(f"{key}.reindex_seconds", f"letters reindex{named}, time", seconds, "s",
                   goal="<= 120")
        report.add(f"{key}.reindex_cpu_seconds",
                   f"letters reindex{named}, CPU time (all processes)", cpu, "s")
        report.add(f"{key}.index_mb", f"search:{named.replace(' with', '')} index size on disk",
                   _size(target / "index" / "search"), "MB")
    seconds, cpu = catalog_rebuild(home_of(work, engines[-1]))
    report.add("search.catalog_rebuild_seconds", "catalog rebuild alone, time", seconds, "s",
               goal="<= 30")
    report.add("search.catalog_rebuild_cpu_seconds",
               "catalog rebuild alone, CPU time (all processes)", cpu, "s")
    if "whoosh" in engines:
        loading, bulk = raw_bulk(home, work)
        reindexing = took["whoosh"]
        report.add("search.raw_bulk_seconds",
                   "raw Whoosh bulk indexing of the same documents, time", bulk, "s")
        report.add("search.reindex_vs_raw", "letters reindex time / raw Whoosh bulk time",
                   reindexing / bulk, "x", goal="<= 1.2")
        found["raw_documents_load_seconds"] = round(loading, 2)
    return home, found


def _size(directory: Path) -> float:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 2**20
