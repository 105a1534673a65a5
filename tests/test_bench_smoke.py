"""Smoke test of `make bench`: every benchmark runs on tiny sizes and reports every figure.

Never asserts on time: only that each figure is measured, carries its goal, and that the load
lost no upload.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Every figure of the report, with its goal (None: reported without a goal).
FIGURES: dict[str, str | None] = {
    "ingest.letters": None, "ingest.pages": None,
    **{f"ingest.{run}.{what}": None for run in ("raw", "jobs1", "jobs2")
       for what in ("seconds", "letters_per_s", "pages_per_s", "cpu_seconds")},
    "ingest.jobs1_vs_raw": "<= 1.3", "ingest.jobs1_vs_raw_cpu": None, "ingest.jobs2_speedup": ">= 1.8",
    "search.letters": None, "search.reindex_seconds": "<= 120", "search.raw_bulk_seconds": None,
    "search.reindex_vs_raw": "<= 1.2", "search.index_mb": None,
    **{f"search.{path}.{p}_ms": None for path in ("raw", "inprocess", "http")
       for p in ("p50", "p99")},
    **{f"search.{path}_first.{p}_ms": None for path in ("inprocess", "http")
       for p in ("p50", "p95", "p99")},
    "search.raw.p95_ms": None, "search.inprocess.p95_ms": "<= 50", "search.http.p95_ms": "<= 80",
    "search.inprocess_vs_raw_p95": None, "search.http_vs_raw_p95": None,
    "search.server_rss_mb": "<= 400", "search.server_peak_rss_mb": None,
    "search.tantivy.reindex_seconds": "<= 120", "search.tantivy.index_mb": None,
    "search.reindex_cpu_seconds": None, "search.tantivy.reindex_cpu_seconds": None,
    "search.catalog_rebuild_seconds": "<= 30", "search.catalog_rebuild_cpu_seconds": None,
    **{f"search.cold.{engine}.{path}.p{p}_ms": goal if p == 95 else None
       for engine, goals in (("whoosh", (None, None)), ("tantivy", ("<= 50", "<= 80")))
       for path, goal in zip(("inprocess", "http"), goals, strict=True) for p in (50, 95)},
    **{f"search.cold.{engine}.server_rss_mb": None for engine in ("whoosh", "tantivy")},
    "load.clients": None, "load.seconds": None, "load.searches": None, "load.throughput_rps": None,
    "load.search_p50_ms": None, "load.search_p95_ms": None, "load.upload_p95_ms": None,
    "load.errors": "== 0", "load.uploads_added": ">= 2", "load.lost_uploads": "== 0",
    "load.server_rss_mb": "<= 400",
    **{f"pages.{spread}.{size}.{what}": goal for spread in ("even", "skewed")
       for size, large in (("small", False), ("large", True))
       for what, goal in (("inprocess_cold_p95_ms", "<= 50" if large else None),
                          ("cold_p95_ms", "<= 80" if large else None), ("warm_p95_ms", None),
                          ("catalog_rebuild_seconds", "<= 30" if large else None),
                          ("reindex_seconds", "<= 120" if large else None))},
    "pages.even.growth_p95": "<= 1.5", "pages.skewed.growth_p95": "<= 1.5",
    "pages.even.growth_kind_p95": "<= 1.5", "pages.skewed.growth_kind_p95": "<= 1.5",
    "pages.ingest_with_vs_without_catalog": "<= 1.05",
}
PROFILES = ("search_mix", "search_slowest", "ingest_main_process", "ingest_worker_analyse",
            "reindex")


def test_quick_bench_reports_every_figure_with_its_goal(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--cache", str(tmp_path / "cache"),
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=570, check=False)
    assert done.returncode == 0, done.stderr[-2000:]

    report = json.loads(out.read_text())
    figures = {f["id"]: f for f in report["figures"]}
    assert set(figures) == set(FIGURES)
    for key, goal in FIGURES.items():
        figure = figures[key]
        assert figure["goal"] == goal, key
        assert isinstance(figure["value"], int | float), key
        if goal is None:
            assert figure["met"] is None, key
        else:
            assert isinstance(figure["met"], bool), key
    assert figures["ingest.letters"]["value"] == 4
    assert figures["search.letters"]["value"] == 60
    assert figures["load.lost_uploads"]["value"] == 0
    assert figures["load.uploads_added"]["value"] == 2
    assert report["details"]["load"]["archive_after"] == report["details"]["load"]["archive_before"] + 2
    for query in report["details"]["search"]["queries"]:
        assert query["total"] == query["raw_total"] == query["http_total"], query["name"]
    cold = report["details"]["search"]["cold"]
    assert len(cold["whoosh"]["totals"]) >= 40
    for engine in ("whoosh", "tantivy"):  # over HTTP as in process, and the same on both engines
        assert cold[engine]["totals"] == cold[engine]["http_totals"] == cold["whoosh"]["totals"]
    for name in PROFILES:
        assert report["details"]["profiles"][name]["by_tottime"], name
    assert report["machine"]["nproc"] >= 1
    pages = report["details"]["pages"]
    assert set(pages) == {"even-30", "even-60", "skewed-30", "skewed-60", "even-growth",
                          "skewed-growth", "ingest"}
    assert pages["ingest"]["letters"] == 3
    assert len(pages["skewed-60"]["pages"]) == 13  # 7 page kinds, 6 API twins

    header = done.stdout.splitlines()[0].split()
    assert header == ["figure", "value", "goal", "met?"]
    assert "letters reindex, time" in done.stdout
