"""`letters set-aside` and `letters restore`: set a letter aside with a reason, take it back."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TYPE_CHECKING

from letters.cli import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, add_home
from letters.curation.aside import AsideRefused
from letters.errors import NotFound
from letters.models import ASIDE_REASONS, Letter

if TYPE_CHECKING:
    from letters.service import Letters


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `set-aside` and `restore`."""
    parser = subparsers.add_parser(
        "set-aside", help="set a letter aside (out of the review queue, search and pairing)",
        description="Set a letter aside: it leaves the review queue, search results (unless "
                    "asked for with status:set_aside) and pairing; its original, text and "
                    "history stay.")
    parser.add_argument("id")
    parser.add_argument("--reason", required=True, metavar="TEXT",
                        help="why: " + ", ".join(ASIDE_REASONS) + ", or your own words")
    parser.add_argument("--json", action="store_true", help="print the record as JSON")
    add_home(parser)
    parser.set_defaults(handler=set_aside)

    parser = subparsers.add_parser("restore", help="take back a letter set aside",
                                   description="Take back a letter set aside, to the status it had.")
    parser.add_argument("id")
    parser.add_argument("--json", action="store_true", help="print the record as JSON")
    add_home(parser)
    parser.set_defaults(handler=restore)


def set_aside(args: argparse.Namespace, app: Letters) -> int:
    """Set one letter aside."""
    try:
        letter = app.set_aside(args.id, args.reason, by=getpass.getuser())
    except NotFound as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_REJECTED
    except AsideRefused as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_USAGE if error.code == "aside_no_reason" else EXIT_REJECTED
    return _said(args, letter, f"Set aside {letter.id}: {letter.aside_reason}.")


def restore(args: argparse.Namespace, app: Letters) -> int:
    """Take one letter back."""
    try:
        letter = app.restore(args.id, by=getpass.getuser())
    except (NotFound, AsideRefused) as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_REJECTED
    return _said(args, letter, f"Restored {letter.id}: {letter.status}.")


def _said(args: argparse.Namespace, letter: Letter, line: str) -> int:
    print(json.dumps(letter.to_json(), ensure_ascii=False) if args.json else line)
    return EXIT_OK
