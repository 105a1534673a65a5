"""cProfile of the slowest paths: search, the ingest pipeline, a worker's analysis, a reindex."""

from __future__ import annotations

import cProfile
import pstats
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.queries import MIX, Query
from bench.server import PHRASE_POSITIONS
from letters.archive import Archive
from letters.ingest.analysis import Task, analyse
from letters.registry import load as load_registry
from letters.search.index import Index
from letters.service import Letters
from letters.settings import Settings

TOP = 15


def _where(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{line}({name})" if line else name


def summary(profile: cProfile.Profile, seconds: float) -> dict[str, Any]:
    """The functions taking the most time, by own time and by cumulative time."""
    stats = pstats.Stats(profile)
    rows = [{"function": _where(key), "calls": nc, "tottime": round(tt, 4),
             "cumtime": round(ct, 4)}
            for key, (_cc, nc, tt, ct, _callers) in stats.stats.items()]  # type: ignore[attr-defined]
    return {"seconds": round(seconds, 3),
            "by_tottime": sorted(rows, key=lambda r: -r["tottime"])[:TOP],
            "by_cumtime": sorted(rows, key=lambda r: -r["cumtime"])[:TOP]}


def profiled(name: str, work: Callable[[], object], out: Path) -> dict[str, Any]:
    """Run `work` under cProfile; keep the .prof file (for snakeviz or pstats) and a summary."""
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    try:
        work()
    finally:
        profile.disable()
    seconds = time.perf_counter() - start
    out.mkdir(parents=True, exist_ok=True)
    profile.dump_stats(str(out / f"{name}.prof"))
    return summary(profile, seconds)


def search(home: Path, out: Path, slowest: str | None, repeat: int = 5, engine: str = "whoosh"
           ) -> dict[str, dict[str, Any]]:
    """Profiles of one pass of the query mix, and of the slowest query run `repeat` times."""
    app = Letters(Settings(home=home, search_engine=engine, phrase_positions=PHRASE_POSITIONS))
    for query in MIX:  # warm: open the index, fill caches
        app.search(query.request())
    found: dict[str, dict[str, Any]] = {}
    found["search_mix"] = profiled("search_mix",
                                   lambda: [app.search(q.request()) for q in MIX], out)
    chosen: Query | None = next((q for q in MIX if q.name == slowest), None)
    if chosen is not None:
        found["search_slowest"] = {
            "query": chosen.params(),
            **profiled("search_slowest", lambda: [app.search(chosen.request()) for _ in range(repeat)],
                       out)}
    app.index.close()
    return found


def ingest(files: list[Path], work: Path, out: Path) -> dict[str, dict[str, Any]]:
    """Profiles of the ingest pipeline's own process (jobs=1) and of the worker's analysis."""
    home = work / "home-profile-ingest"
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    app = Letters(Settings(home=home))
    found: dict[str, dict[str, Any]] = {}
    found["ingest_main_process"] = profiled(
        "ingest_main_process", lambda: app.ingest(files, by="bench", jobs=1), out)
    found["ingest_main_process"]["letters"] = len(files)
    app.index.close()
    archive_dir = str(work / "no-archive")
    today = time.strftime("%Y-%m-%d")
    found["ingest_worker_analyse"] = profiled(
        "ingest_worker_analyse",
        lambda: [analyse(Task(str(path), archive_dir, today)) for path in files], out)
    found["ingest_worker_analyse"]["letters"] = len(files)
    return found


def reindex(archive_dir: Path, work: Path, out: Path) -> dict[str, dict[str, Any]]:
    """Profile of a rebuild of the index of `archive_dir` into a scratch index."""
    target = work / "profile-index"
    shutil.rmtree(target, ignore_errors=True)
    archive = Archive(archive_dir)
    registry = load_registry(archive_dir)
    index = Index(target, archive, lambda: registry)
    count: list[int] = []
    found = {"reindex": profiled("reindex", lambda: count.append(index.rebuild()), out)}
    found["reindex"]["letters"] = count[0] if count else 0
    index.close()
    shutil.rmtree(target, ignore_errors=True)
    return found
