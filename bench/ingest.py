"""Ingestion: `letters ingest --jobs 1` and `--jobs 2` against raw pypdf over the same files."""

from __future__ import annotations

import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from bench import corpus
from bench.report import Report

logging.getLogger("pypdf").addHandler(logging.NullHandler())


#: CPU seconds (user and system) of each timed step, by the same keys as the figures.
CPU: dict[str, float] = {}


def children_cpu() -> float:
    """CPU seconds used so far by the child processes this process waited for (and theirs)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def raw_pypdf(files: list[Path]) -> tuple[float, int]:
    """Seconds to read every page's text of every file with pypdf alone; pages read. Its CPU
    seconds go to CPU["raw"]."""
    start, cpu = time.perf_counter(), time.process_time()
    pages = 0
    for path in files:
        reader = PdfReader(path)
        for page in reader.pages:
            page.extract_text()
            pages += 1
    CPU["raw"] = min(CPU.get("raw", float("inf")), time.process_time() - cpu)
    return time.perf_counter() - start, pages


def pipeline(files_dir: Path, home: Path, jobs: int, expected: int) -> float:
    """Seconds `letters ingest --jobs N` takes on a new home (the whole command, start to exit);
    its CPU seconds (the command and its workers) go to CPU["jobsN"]."""
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    command = [sys.executable, "-m", "letters", "--home", str(home), "ingest", "--json",
               "--jobs", str(jobs), "--as", "bench", str(files_dir)]
    start, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    CPU[f"jobs{jobs}"] = children_cpu() - cpu
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    added = sum(1 for r in results if r.get("result") == "added")
    if done.returncode != 0 or added != expected:
        raise RuntimeError(f"letters ingest --jobs {jobs} added {added} of {expected} letters "
                           f"(exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return seconds


def link_files(files: list[Path], directory: Path) -> Path:
    """A directory holding (symbolic links to) exactly these files, for `letters ingest DIR`."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    for path in files:
        (directory / path.name).symlink_to(path.resolve())
    return directory


def run(report: Report, count: int, cache: Path, work: Path) -> dict[str, Any]:
    """Measure ingestion of `count` generated letters; add the figures to the report."""
    started = time.perf_counter()
    made = corpus.pdf_corpus(cache / "pdfs", count)
    generation = time.perf_counter() - started
    files = [path for path, _ in made]
    pages = sum(n for _, n in made)
    folder = link_files(files, work / "ingest-files")

    CPU.clear()
    raw_first, raw_pages = raw_pypdf(files)
    one = pipeline(folder, work / "home-jobs1", 1, count)
    two = pipeline(folder, work / "home-jobs2", 2, count)
    raw_second, _ = raw_pypdf(files)
    raw = min(raw_first, raw_second)  # the faster run: the stricter baseline
    assert raw_pages == pages, (raw_pages, pages)

    report.add("ingest.letters", "ingest: letters (1 to 3 pages)", count, "letters")
    report.add("ingest.pages", "ingest: pages", pages, "pages")
    for key, label, seconds in (("raw", "raw pypdf extract_text", raw),
                                ("jobs1", "letters ingest --jobs 1", one),
                                ("jobs2", "letters ingest --jobs 2", two)):
        report.add(f"ingest.{key}.seconds", f"ingest: {label}, time", seconds, "s")
        report.add(f"ingest.{key}.letters_per_s", f"ingest: {label}, letters/s", count / seconds,
                   "letters/s")
        report.add(f"ingest.{key}.pages_per_s", f"ingest: {label}, pages/s", pages / seconds,
                   "pages/s")
    for key, label in (("raw", "raw pypdf extract_text"), ("jobs1", "letters ingest --jobs 1"),
                       ("jobs2", "letters ingest --jobs 2")):
        report.add(f"ingest.{key}.cpu_seconds", f"ingest: {label}, CPU time", CPU[key], "s")
    report.add("ingest.jobs1_vs_raw", "ingest: --jobs 1 time / raw pypdf time", one / raw, "x",
               goal="<= 1.3")
    report.add("ingest.jobs1_vs_raw_cpu", "ingest: --jobs 1 CPU time / raw pypdf CPU time",
               CPU["jobs1"] / CPU["raw"], "x")
    report.add("ingest.jobs2_speedup", "ingest: --jobs 1 time / --jobs 2 time", one / two, "x",
               goal=">= 1.8")
    return {"generation_seconds": round(generation, 2), "raw_runs": [raw_first, raw_second],
            "files_dir": str(folder), "cpu_seconds": {k: round(v, 3) for k, v in CPU.items()},
            "load_average": os.getloadavg()}
