"""`make bench`: measure ingestion, search at scale and load against the goals of docs/performance.md.

    .venv/bin/python -m bench                 the full run (2,000 PDFs, 100,000 indexed letters)
    .venv/bin/python -m bench --quick         tiny sizes, for the smoke test (LETTERS_BENCH_QUICK=1)
    .venv/bin/python -m bench --only search   some parts only: ingest, search, load, profile, pages
    .venv/bin/python -m bench --only pages --pages-sizes 1000,2000   pages at a small scale

The figures go to stdout as a table and to bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bench import corpus, profiles
from bench import ingest as ingest_bench
from bench import load as load_bench
from bench import pages as pages_bench
from bench import search as search_bench
from bench.report import Report
from bench.server import Server

HERE = Path(__file__).resolve().parent
PARTS = ("ingest", "search", "load", "profile", "pages")


@dataclass(frozen=True)
class Sizes:
    """How big each benchmark is."""

    ingest_letters: int = 2000
    index_letters: int = 100_000
    rounds: int = 5
    load_clients: int = 20
    load_seconds: float = 60.0
    uploads: int = 50
    profile_letters: int = 100
    profile_index_letters: int = 2000
    profile_repeat: int = 5
    pages_sizes: tuple[int, int] = (10_000, 100_000)
    pages_starts: int = 5
    pages_repeats: int = 20
    pages_ingest_letters: int = 200


#: The smoke test's sizes: every part and figure, each on the least that exercises it (two
#: readers searching while two uploads land, one start of each pages home).
QUICK = Sizes(ingest_letters=4, index_letters=60, rounds=1, load_clients=2, load_seconds=1.5,
              uploads=2, profile_letters=2, profile_index_letters=20, profile_repeat=1,
              pages_sizes=(30, 60), pages_starts=1, pages_repeats=2, pages_ingest_letters=3)


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        default=os.environ.get("LETTERS_BENCH_QUICK", "") == "1",
                        help="tiny sizes (also LETTERS_BENCH_QUICK=1)")
    parser.add_argument("--only", default=",".join(PARTS),
                        help=f"comma-separated parts among {', '.join(PARTS)}")
    parser.add_argument("--letters", type=int, help="PDFs to ingest")
    parser.add_argument("--records", type=int, help="letters in the search index")
    parser.add_argument("--rounds", type=int, help="timed passes over the 20 queries")
    parser.add_argument("--clients", type=int, help="concurrent search clients under load")
    parser.add_argument("--load-seconds", type=float, help="duration of the load")
    parser.add_argument("--uploads", type=int, help="letters uploaded during the load")
    parser.add_argument("--pages-sizes", help="the two archive sizes of the pages part, "
                        "e.g. 10000,100000")
    parser.add_argument("--reuse-index", action="store_true",
                        help="keep the search home and index of the previous run (no reindex, "
                             "no raw bulk baseline), and the pages part's homes (no reindex): "
                             "to measure again without rebuilding")
    parser.add_argument("--engine", choices=search_bench.ENGINES, default=None,
                        help="the engine of the repeated mix, the load and the profiles (the "
                             "cold figures are measured for each engine built); default "
                             "whoosh where it is built, else tantivy")
    parser.add_argument("--whoosh", action=argparse.BooleanOptionalAction, default=None,
                        help="build and measure Whoosh too (default: up to "
                             f"{search_bench.WHOOSH_MAX:,} letters, where it fits in time)")
    parser.add_argument("--cache", type=Path,
                        default=Path(os.environ.get("LETTERS_BENCH_CACHE", HERE / ".cache")),
                        help="where generated corpora are kept (default $LETTERS_BENCH_CACHE, "
                             "else bench/.cache)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json",
                        help="the JSON report (default bench/results/latest.json)")
    return parser.parse_args(argv)


def sizes_of(args: argparse.Namespace) -> Sizes:
    """The sizes: the full or quick defaults, with the command line's overrides."""
    sizes = QUICK if args.quick else Sizes()
    overrides: dict[str, Any] = {"ingest_letters": args.letters, "index_letters": args.records,
                 "rounds": args.rounds, "load_clients": args.clients,
                 "load_seconds": args.load_seconds, "uploads": args.uploads}
    if args.pages_sizes:
        small, large = (int(x) for x in args.pages_sizes.split(","))
        overrides["pages_sizes"] = (small, large)
    return replace(sizes, **{k: v for k, v in overrides.items() if v is not None})


def _slowest(details: dict[str, Any]) -> str | None:
    queries = details.get("search", {}).get("queries", [])
    return max(queries, key=lambda q: q["inprocess_95_ms"])["name"] if queries else None


def _profiles(report: Report, sizes: Sizes, cache: Path, work: Path, home: Path,
              out: Path, engine: str = "whoosh") -> dict[str, Any]:
    found = profiles.search(home, out, _slowest(report.details), sizes.profile_repeat, engine)
    made = corpus.pdf_corpus(cache / "pdfs", sizes.profile_letters)
    found.update(profiles.ingest([path for path, _ in made], work, out))
    archive, _ = search_bench.prepare_archive(cache, sizes.profile_index_letters)
    found.update(profiles.reindex(archive, work, out))
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks asked for; print the table and write the JSON report."""
    args = parse(argv)
    sizes = sizes_of(args)
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    unknown = parts - set(PARTS)
    if unknown:
        print(f"bench: unknown part {', '.join(sorted(unknown))}; use {', '.join(PARTS)}",
              file=sys.stderr)
        return 2
    cache = args.cache.resolve()
    work = cache / "run"
    work.mkdir(parents=True, exist_ok=True)
    for entry in work.iterdir():
        if not (args.reuse_index and entry.name.startswith((search_bench.HOME, "pages-"))):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    report = Report(sizes={**asdict(sizes), "quick": args.quick, "parts": sorted(parts)})
    phases: dict[str, float] = {}
    failures: dict[str, str] = {}
    report.details["phase_seconds"] = phases

    def phase(name: str, work_of: Callable[[], None]) -> bool:
        """Run one part; a failure is reported and the report written so far is kept."""
        started = time.perf_counter()
        try:
            work_of()
        except Exception as error:  # the other parts still run and the report is written
            failures[name] = "".join(traceback.format_exception_only(error)).strip()
            report.details["failures"] = failures
            print(f"bench: {name} FAILED: {failures[name]}", file=sys.stderr, flush=True)
            return False
        finally:
            phases[name] = round(time.perf_counter() - started, 2)
            report.write(args.out)
        print(f"bench: {name} done in {phases[name]:.1f} s", file=sys.stderr, flush=True)
        return True

    if "ingest" in parts:
        phase("ingest", lambda: report.details.__setitem__(
            "ingest", ingest_bench.run(report, sizes.ingest_letters, cache, work)))
    homes: list[Path] = []

    def build() -> None:
        home, built = search_bench.build(report, sizes.index_letters, cache, work,
                                         reuse=args.reuse_index, whoosh=args.whoosh)
        report.details["search"] = built
        homes.append(home)

    if parts & {"search", "load", "profile"} and phase("index build", build):
        engine = args.engine or search_bench.engines_for(sizes.index_letters, args.whoosh)[0]
        home = search_bench.home_of(homes[0].parent, engine)
        if "search" in parts:
            phase("search cold", lambda: report.details["search"].__setitem__(
                "cold", search_bench.cold(report, work)))
        if parts & {"search", "load"}:
            token = load_bench.archivist_token(home) if "load" in parts else ""
            uploads = (load_bench.upload_files(cache, work, sizes.uploads, home)
                       if "load" in parts else [])
            server = Server(home, work / "server.log", engine)
            try:
                server.start()
                if "search" in parts:
                    phase("search", lambda: report.details["search"].update(
                        search_bench.run_queries(report, home, server, sizes.rounds)))
                if "load" in parts:
                    phase("load", lambda: report.details.__setitem__("load", load_bench.run(
                        report, server, home, token, uploads, sizes.load_clients,
                        sizes.load_seconds)))
            finally:
                server.stop()
        if "profile" in parts:
            phase("profile", lambda: report.details.__setitem__("profiles", _profiles(
                report, sizes, cache, work, home, args.out.parent / "profiles", engine)))
    if "pages" in parts:
        phase("pages", lambda: report.details.__setitem__("pages", pages_bench.run(
            report, sizes.pages_sizes, sizes.pages_starts, sizes.pages_repeats,
            sizes.pages_ingest_letters, cache, work, args.reuse_index)))
    report.write(args.out)
    print(report.table())
    print(f"\nbench: report written to {args.out}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
