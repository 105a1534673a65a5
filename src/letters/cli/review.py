"""`letters review`: one page of the review queue, as the web's `/review` and `/api/review`."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from letters.cli import EXIT_OK, UsageError, add_home
from letters.curation.review import OTHER, REASON_KINDS
from letters.errors import QueryError
from letters.paging import MAX_PER_PAGE, PER_PAGE, paging

if TYPE_CHECKING:
    from letters.service import Letters


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `review`."""
    parser = subparsers.add_parser(
        "review", help="the letters that need review, one page at a time",
        description="The letters that need review, oldest first, one page at a time.")
    parser.add_argument("--json", action="store_true",
                        help='print {"letters_total", "page", "per_page", "letters": [...]}')
    parser.add_argument("--page", default="1", metavar="N", help="the page, from 1")
    parser.add_argument("--per-page", default=str(PER_PAGE), metavar="N",
                        help=f"letters per page, 1 to {MAX_PER_PAGE} (default {PER_PAGE})")
    parser.add_argument("--reason", default=None, metavar="KIND",
                        help="only letters with a reason of this kind: "
                             + ", ".join([*REASON_KINDS, OTHER]))
    add_home(parser)
    parser.set_defaults(handler=review)


def review(args: argparse.Namespace, app: Letters) -> int:
    """Print one page of the review queue."""
    try:
        shown = app.review_page(paging(args.page, args.per_page), args.reason)
    except QueryError as error:
        raise UsageError(str(error)) from None
    if args.json:
        print(json.dumps({**shown.paging.to_json(shown.total), "reason": shown.kind,
                          "reasons": shown.kinds,
                          "letters": [x.to_json() for x in shown.letters]}, ensure_ascii=False))
        return EXIT_OK
    first = shown.paging.offset + 1
    print(f"{shown.total} letter{'' if shown.total == 1 else 's'} need review"
          + (f"; {first} to {shown.paging.offset + len(shown.letters)} shown." if shown.letters
             else "; none on this page."))
    for letter in shown.letters:
        print(f"{letter.id}  {letter.added_at[:10]}  {letter.filename}")
        for reason in letter.reasons:
            print(f"    {reason}")
    return EXIT_OK
