"""`letters ingest`, `letters show`: putting letters in, taking one out."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections import Counter
from pathlib import Path

from letters.cli import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, add_home
from letters.errors import NotFound
from letters.ingest import expand
from letters.models import IngestResult
from letters.service import Letters


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `ingest` and `show` commands."""
    parser = subparsers.add_parser("ingest", help="ingest PDF files and directories")
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument("--json", action="store_true", help="one JSON object per line and file")
    parser.add_argument("--jobs", type=int, default=1, help="files read in parallel (processes)")
    parser.add_argument("--as", dest="user", default=None, help="who is ingesting (for the record)")
    add_home(parser)
    parser.set_defaults(handler=ingest)

    parser = subparsers.add_parser("show", help="show one letter's record")
    parser.add_argument("id")
    parser.add_argument("--json", action="store_true", help="the record and its text as JSON")
    add_home(parser)
    parser.set_defaults(handler=show)


class Progress:
    """A one-line progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, total: int) -> None:
        self.total, self.count = total, 0
        self.enabled = sys.stderr.isatty()

    def __call__(self, result: IngestResult) -> None:
        self.count += 1
        if not self.enabled:
            return
        width = 30
        filled = width * self.count // max(1, self.total)
        name = Path(result.path).name[:40]
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.count}/{self.total} "
                         f"{name:<40}")
        if self.count == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def ingest(args: argparse.Namespace, app: Letters) -> int:
    """Ingest every file; print one result per file and a summary."""
    if args.jobs < 1:
        print("letters: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    missing = [p for p in args.paths if not p.exists()]
    files = expand([p for p in args.paths if p.exists()]) + missing
    by = args.user or getpass.getuser()
    results = app.ingest(files, by=by, jobs=args.jobs, progress=Progress(len(files)))
    for result in results:
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            print(_line(result))
    counts = Counter(r.result for r in results)
    print(f"Ingested {len(results)} file{'s' if len(results) != 1 else ''}: {counts['added']} added, "
          f"{counts['duplicate']} duplicate, {counts['rejected']} rejected.", file=sys.stderr)
    return EXIT_REJECTED if counts["rejected"] else EXIT_OK


def _line(result: IngestResult) -> str:
    if result.result == "rejected":
        return f"rejected   {result.path}: {result.error}"
    letter = result.letter
    assert letter is not None
    what = f"{letter.date or '????-??-??'} {letter.partner or '-'} {letter.direction or '-'}"
    flag = " (needs review: " + "; ".join(letter.reasons) + ")" if letter.reasons else ""
    return f"{result.result:<10} {result.path} -> {letter.id} {what}{flag}"


def show(args: argparse.Namespace, app: Letters) -> int:
    """Print one record (with `--json`, the record and its text)."""
    try:
        letter = app.get(args.id)
    except NotFound as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_REJECTED
    if args.json:
        print(json.dumps({**letter.to_json(), "text": app.text(letter.id)}, ensure_ascii=False,
                         indent=1))
        return EXIT_OK
    names = app.registry.display_name
    rows = [("id", letter.id), ("sha256", letter.sha256), ("filename", letter.filename),
            ("date", letter.date), ("partner", names(letter.partner)),
            ("signatory", names(letter.signatory)), ("signed by", letter.signed_by),
            ("direction", letter.direction), ("language", letter.language),
            ("pages", letter.pages), ("ocr", letter.ocr), ("status", letter.status),
            ("added", f"{letter.added_at} by {letter.added_by}")]
    for key, value in rows:
        print(f"{key:<10} {value if value is not None else '-'}")
    for reason in letter.reasons:
        print(f"{'review':<10} {reason}")
    return EXIT_OK
