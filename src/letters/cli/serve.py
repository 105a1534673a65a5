"""`letters serve`: the web view and the JSON API."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from letters.cli import EXIT_OK, EXIT_USAGE, add_home
from letters.settings import variables_help

if TYPE_CHECKING:
    from letters.service import Letters


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `letters serve [--host] [--port]`."""
    parser = subparsers.add_parser("serve", help="serve the web view and the JSON API",
                                   description="Serve the web view and the JSON API.",
                                   epilog=variables_help(),
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    add_home(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes sharing the home (default 1; one per core at most)")
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace, app: Letters) -> int:
    """Run the server until interrupted."""
    import uvicorn

    if args.workers < 1:
        print("letters: --workers must be at least 1", file=sys.stderr)
        return EXIT_USAGE

    from letters.cli.search import Progress
    from letters.web.app import create_app, settled

    app.open_index(Progress())  # a rebuild the index needs happens now, not in a request
    web = create_app(app)  # the process's one Letters: the command line's
    # before the first request: a catalog missing, of another version or left behind by an
    # interrupted write is rebuilt or repaired now, not while a reader waits
    web.state.web.letters.catalog  # noqa: B018
    checks = web.state.web.letters.fixity_schedule()
    if checks is not None:
        print(f"letters: checking the fixity of the archive every "
              f"{app.settings.fixity_every_hours:g} hours (LETTERS_FIXITY_EVERY_HOURS)", file=sys.stderr)
        checks.start()
    options = {"host": args.host, "port": args.port, "proxy_headers": False,
               "server_header": False, "log_level": "info"}
    try:
        if args.workers == 1:
            uvicorn.run(settled(web), **options)
        else:
            # each worker process builds its own app from the environment, on this same home;
            # the checks of the schedule run here, in the process that watches over them
            os.environ["LETTERS_HOME"] = str(app.settings.home)
            uvicorn.run("letters.web.app:from_environment", factory=True, workers=args.workers,
                        **options)
    finally:
        if checks is not None:
            checks.stop()
    return EXIT_OK
