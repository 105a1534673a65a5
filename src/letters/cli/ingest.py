"""`letters ingest`, `letters show`: putting letters in, taking one out."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from letters.cli import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, add_home
from letters.errors import NotFound
from letters.messages import joined
from letters.models import IngestResult

if TYPE_CHECKING:
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
    from letters.ingest.pipeline import Run, expand

    if args.jobs < 1:
        print("letters: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    missing = [p for p in args.paths if not p.exists()]
    files = expand([p for p in args.paths if p.exists()]) + missing
    by = args.user or getpass.getuser()
    printer = InOrder(files, args.json)
    progress = Progress(len(files))
    run = Run()

    def each(result: IngestResult) -> None:
        progress(result)
        printer(result)

    results = app.ingest(files, by=by, jobs=args.jobs, progress=each, run=run)
    printer.rest(results)
    for sentence in run.sentences():
        print(f"letters: {sentence}", file=sys.stderr)
    counts = Counter(r.result for r in results)
    print(f"Ingested {len(results)} file{'s' if len(results) != 1 else ''}: {counts['added']} added, "
          f"{counts['duplicate']} duplicate, {counts['rejected']} rejected.", file=sys.stderr)
    return EXIT_REJECTED if counts["rejected"] else EXIT_OK


class InOrder:
    """Prints each file's result as soon as those of the files before it are printed, flushed at
    once, so that a reader (or a killed run) has every result finished so far, in input order."""

    def __init__(self, files: list[Path], as_json: bool) -> None:
        self.as_json = as_json
        self.positions: dict[str, list[int]] = {}
        for number, path in enumerate(files):
            self.positions.setdefault(str(path), []).append(number)
        self.waiting: dict[int, IngestResult] = {}
        self.printed = 0

    def __call__(self, result: IngestResult) -> None:
        positions = self.positions.get(result.path)
        if positions:
            self.waiting[positions.pop(0)] = result
        while self.printed in self.waiting:
            self._print(self.waiting.pop(self.printed))
            self.printed += 1

    def rest(self, results: list[IngestResult]) -> None:
        """Print the results not printed yet (all of them when none came through the callback)."""
        for result in results[self.printed:]:
            self._print(result)
        self.printed = len(results)

    def _print(self, result: IngestResult) -> None:
        line = json.dumps(result.to_json(), ensure_ascii=False) if self.as_json else _line(result)
        print(line, flush=True)


def _line(result: IngestResult) -> str:
    if result.result == "rejected":
        return f"rejected   {result.path}: {result.error}"
    letter = result.letter
    assert letter is not None
    what = f"{letter.date or '????-??-??'} {letter.partner or '-'} {letter.direction or '-'}"
    flag = " (needs review: " + joined(letter.reasons) + ")" if letter.reasons else ""
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
    names = app.display_name
    rows = [("id", letter.id), ("sha256", letter.sha256), ("filename", letter.filename),
            ("date", letter.date), ("partner", names(letter.partner)),
            ("signatory", names(letter.signatory)), ("signed by", letter.signed_by),
            ("direction", letter.direction), ("language", letter.language),
            ("pages", letter.pages), ("ocr", letter.ocr), ("status", letter.status),
            ("added", f"{letter.added_at} by {letter.added_by}")]
    for key, value in rows:
        print(f"{key:<10} {value if value is not None else '-'}")
    if letter.status == "set_aside":
        print(f"{'set aside':<10} {letter.aside_reason}")
    for reason in letter.reasons:
        print(f"{'review':<10} {reason}")
    return EXIT_OK
