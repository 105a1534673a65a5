"""The `letters` command line.

Each submodule of this package adds its commands with `register(subparsers)`; a command's
handler takes the parsed arguments and the application object and returns the exit status.
Registering imports only what the parser needs: the application and what a command uses are
imported when it runs (`letters --help` and each command pay for no other command's modules).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A usage error: printed as one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command of every submodule."""
    parser = argparse.ArgumentParser(prog="letters", description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="the home holding archive/ and index/ (default: "
                        "$LETTERS_HOME, else the current directory)")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(subparsers)
    return parser


def add_home(parser: argparse.ArgumentParser) -> None:
    """Let `--home DIR` follow the command too (`letters search --home DIR q`)."""
    parser.add_argument("--home", default=argparse.SUPPRESS, help="the home to work on")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    import sqlite3

    from letters.errors import LockBusy
    from letters.messages import msg
    from letters.preservation.audit import AuditRefused
    from letters.service import Letters
    from letters.settings import SettingError, from_env

    try:
        settings = from_env(args.home)
    except SettingError as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_USAGE
    app = Letters(settings)
    if sys.stderr.isatty():  # a catalog missing or of another version is rebuilt: show it
        from letters.cli.search import Bar

        app.catalog_progress = Bar("cataloguing")
    try:
        status: int = args.handler(args, app)
    except UsageError as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (AuditRefused, LockBusy) as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_REJECTED
    except KeyboardInterrupt:
        print("letters: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise
    except (OSError, sqlite3.Error) as error:  # a full or read-only disk: one sentence
        from letters.ingest.pipeline import storage_message

        print(f"letters: {msg('refusal.stopped', reason=storage_message(error))}",
              file=sys.stderr)
        return EXIT_REJECTED
    return status


def run() -> None:
    """Run `main` and exit with its status (quietly when the reader of stdout went away)."""
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    sys.exit(status)
