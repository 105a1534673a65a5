"""`letters watch DIR`: ingest the PDFs archivists drop in a folder."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from letters.cli import EXIT_OK, EXIT_USAGE, add_home
from letters.watch import DONE, LOG_NAME, REJECTED, Dropped

if TYPE_CHECKING:
    from letters.service import Letters


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `watch` command."""
    parser = subparsers.add_parser(
        "watch", help="ingest the PDFs dropped in a folder, moving each to done/ or rejected/",
        description=f"Ingest each PDF dropped in DIR once, then move it to DIR/{DONE}/ or "
                    f"DIR/{REJECTED}/ (the reason beside it, NAME.pdf.reason.txt); each result is "
                    f"printed and added to DIR/{LOG_NAME} and to the upload page's list. A file is "
                    "taken once its size has stayed the same between two looks.")
    parser.add_argument("folder", type=Path, metavar="DIR")
    parser.add_argument("--once", action="store_true",
                        help="ingest what is in the folder now, then stop")
    parser.add_argument("--interval", type=float, default=5.0,
                        help="seconds between two looks at the folder (default 5)")
    parser.add_argument("--as", dest="user", default=None, help="who is ingesting (for the record)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line and file")
    add_home(parser)
    parser.set_defaults(handler=watch)


def watch(args: argparse.Namespace, app: Letters) -> int:
    """Sweep the folder once, or every `--interval` seconds until interrupted."""
    if not args.folder.is_dir():
        print(f"letters: {args.folder} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    if args.interval <= 0:
        print("letters: --interval must be more than 0 seconds", file=sys.stderr)
        return EXIT_USAGE
    by = args.user or getpass.getuser()

    def say(dropped: Dropped) -> None:
        print(json.dumps(dropped.to_json(), ensure_ascii=False) if args.json else dropped.line(),
              flush=True)

    if args.once:
        app.watch_sweep(args.folder, by, each=say)
        return EXIT_OK
    print(f"letters: watching {args.folder} every {args.interval:g} s (Ctrl-C stops)", file=sys.stderr)
    while True:
        app.watch_sweep(args.folder, by, settled=True, each=say)
        time.sleep(args.interval)
