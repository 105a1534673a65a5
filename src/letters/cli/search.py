"""`letters search`, `letters reindex`: finding letters, rebuilding the index."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from letters.cli import EXIT_OK, EXIT_REJECTED, UsageError, add_home

if TYPE_CHECKING:
    from letters.search import SearchResult
    from letters.service import Letters

#: Hits shown by default: `letters.search.DEFAULT_PER_PAGE` (a test checks they agree), not
#: imported, so that registering the command does not import the search engine.
DEFAULT_PER_PAGE = 20


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `search` and `reindex` commands."""
    parser = subparsers.add_parser(
        "search", help="search the letters",
        description='Search the letters: words, "phrases", AND / OR / NOT, prefix*, and '
                    "field:value with partner, signatory, signed_by, date, year, direction, "
                    "language, ocr, status (e.g. partner:meta date:[2020-01-01 TO 2020-12-31]).")
    parser.add_argument("query", nargs="*", metavar="QUERY", help="the query (empty: every letter)")
    parser.add_argument("--json", action="store_true", help='print {"total": N, "hits": [...]}')
    parser.add_argument("--limit", type=int, default=DEFAULT_PER_PAGE,
                        help=f"at most this many hits (default {DEFAULT_PER_PAGE})")
    parser.add_argument("--page", type=int, default=1, metavar="N",
                        help="the page of --limit hits to show, from 1 (default 1)")
    parser.add_argument("--partner", metavar="SLUG", help="only this partner's letters")
    parser.add_argument("--signatory", metavar="SLUG", help="only this Secretary General's letters")
    parser.add_argument("--direction", metavar="D", help="incoming or outgoing")
    parser.add_argument("--language", metavar="L", help="only letters in this language (en, fr)")
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="from this date (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="up to this date (YYYY-MM-DD)")
    parser.add_argument("--status", metavar="S", help="ok, needs_review or set_aside (letters set "
                        "aside are left out unless asked for)")
    add_home(parser)
    parser.set_defaults(handler=search)

    parser = subparsers.add_parser(
        "reindex", help="rebuild index/ from archive/ alone",
        description="Rebuild index/ from archive/ alone, with the engine LETTERS_SEARCH_ENGINE "
                    "chooses (whoosh or tantivy).")
    add_home(parser)
    parser.set_defaults(handler=reindex)


def search(args: argparse.Namespace, app: Letters) -> int:
    """Run the search and print the hits as JSON or as a table."""
    from letters.search import IndexBusy, IndexUnavailable, QueryError, SearchRequest
    from letters.web.search_json import search_json

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if args.page < 1:
        raise UsageError("--page must be at least 1")
    request = SearchRequest(
        q=" ".join(args.query), partner=args.partner, signatory=args.signatory,
        direction=args.direction, language=args.language, date_from=args.date_from,
        date_to=args.date_to, status=args.status, page=args.page, per_page=args.limit,
        facets=False,
    )
    try:
        result = app.search(request)
    except QueryError as error:
        raise UsageError(_one_line(str(error))) from None
    except IndexBusy as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_REJECTED
    except IndexUnavailable as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_REJECTED
    if args.json:  # the total and hits of /api/search's answer
        answer = search_json(result)
        print(json.dumps({"total": answer["total"], "hits": answer["hits"]}, ensure_ascii=False))
    else:
        print(_table(result))
    return EXIT_OK


def reindex(args: argparse.Namespace, app: Letters) -> int:
    """Rebuild the index from the archive, with progress on stderr."""
    from letters.search import IndexBusy

    try:
        count = app.reindex(Progress(), Bar("cataloguing") if sys.stderr.isatty() else None,
                            procs=min(os.cpu_count() or 1, 4))
    except IndexBusy as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"Indexed {count} letter{'' if count == 1 else 's'}.")
    return EXIT_OK


class Bar:
    """A progress bar on stderr (a terminal), for a step of known length."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __call__(self, done: int, total: int) -> None:
        filled = 30 * done // max(1, total)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}"
                         + ("\n" if done == total else ""))
        sys.stderr.flush()


class Progress:
    """Progress on stderr: a counter redrawn in place on a terminal, a few lines otherwise."""

    def __init__(self) -> None:
        self.terminal = sys.stderr.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        if self.terminal:
            sys.stderr.write(f"\rindexing {done}/{total}" + ("\n" if done == total else ""))
        else:
            tenth = done * 10 // max(total, 1)
            if tenth == self.shown and done != total:
                return
            self.shown = tenth
            sys.stderr.write(f"indexing {done}/{total}\n")
        if done == total:
            sys.stderr.write("writing the index...\n")
        sys.stderr.flush()


def _table(result: SearchResult) -> str:
    from letters.search import as_brackets

    found = f"{result.total} letter{'' if result.total == 1 else 's'} found"
    lines = [found + (f", showing {len(result.hits)}." if len(result.hits) < result.total else ".")]
    if result.suggestion:
        lines.append(f"Did you mean: {result.suggestion}")
    for hit in result.hits:
        letter = hit.letter
        row: list[Any] = [letter.date, letter.partner, letter.signatory, letter.direction, letter.id]
        lines.append("  ".join(f"{value or '-':<{width}}" for value, width in
                               zip(row, (10, 24, 16, 8, 16), strict=True)).rstrip())
        if hit.snippet:
            lines.append("    " + as_brackets(hit.snippet))
    return "\n".join(lines)


def _one_line(message: str) -> str:
    return " ".join(message.split())
