"""`make run`: serve the repository's sample archive at http://127.0.0.1:8000, reading open to all.

The home is `.demo/`, a working copy of the repository's sample archive made on first run, so that
the demo's uploads, logins and thumbnails never change the tracked `archive/` (delete `.demo/` to
start afresh); its originals are read-only (0444), as uploads are. The port is checked before
anything else: when it is taken (a demo already running?) nothing is changed and the message says
what to do (`make run PORT=8001` serves a second one). The index is opened, or rebuilt from the
archive, before serving. An account `archivist` is created with a random password, printed here
and kept (in `.demo/.letters/demo-password`): a demo started again prints the same one;
`--new-password` (`make run NEW_PASSWORD=1`) makes a new one.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import os
import secrets
import shutil
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from letters.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEMO_HOME = ROOT / ".demo"
ACCOUNT = "archivist"
PASSWORD_FILE = "demo-password"


def demo_home(home: Path = DEMO_HOME) -> Path:
    """The demo's home, seeded from the sample archive when it does not exist yet."""
    if not (home / "archive").is_dir():
        staging = home / ".archive-copy"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(ROOT / "archive", staging)
        staging.rename(home / "archive")
    for original in (home / "archive" / "letters").glob("*/*/original.pdf"):
        original.chmod(0o444)  # as read-only as the originals uploaded later
    return home


def port_taken(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, or None when it can."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return "it is already in use"
            return error.strerror or str(error)
    return None


def taken_message(host: str, port: int, why: str) -> str:
    """What to do when the port cannot be used (nothing has been changed)."""
    return f"""
  letters: cannot serve on {host}:{port}: {why}.
  Nothing was changed: a demo already running there keeps its account and password.
  - If it is the demo, open http://{host}:{port} (stop it with Ctrl+C in its terminal).
  - To run another one beside it:  make run PORT={port + 1}
"""


def demo_account(settings: Settings, new: bool = False) -> str:
    """The password of the demo's archivist account: the kept one, or a new one when `new`, when
    there is none yet or when it no longer opens the account."""
    from letters.users import Users

    users = Users(settings)
    kept = settings.private_dir / PASSWORD_FILE
    existing = users.get(ACCOUNT)
    saved = kept.read_text(encoding="utf-8").strip() if kept.is_file() else ""
    if (not new and existing is not None and existing.role == "archivist" and saved
            and users.authenticate(ACCOUNT, saved) is not None):
        return saved
    password = secrets.token_urlsafe(12)
    if existing is None:
        users.add(ACCOUNT, "archivist", password, by="make run")
    else:
        users.set_password(ACCOUNT, password, by="make run")
        if existing.role != "archivist":
            users.set_role(ACCOUNT, "archivist", by="make run")
    kept.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(password + "\n")
    return password


def main(argv: list[str] | None = None) -> int:
    """Check the port, prepare the demo home and serve it until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--home", type=Path, default=DEMO_HOME, help="the demo's home (.demo/)")
    parser.add_argument("--new-password", action="store_true",
                        help="make a new password for the archivist account")
    parser.add_argument("--check-port", action="store_true",
                        help="only check that the port is free (exit 1 with advice if not)")
    args = parser.parse_args(argv)

    why = port_taken(args.host, args.port)
    if why is not None:
        print(taken_message(args.host, args.port, why), file=sys.stderr, flush=True)
        return 1
    if args.check_port:
        return 0

    import uvicorn

    from letters.settings import from_env
    from letters.web.app import create_app

    settings = dataclasses.replace(from_env(demo_home(args.home)), open_reading=True)
    web_app = create_app(settings)
    indexed = web_app.state.web.letters.index.count()
    password = demo_account(settings, new=args.new_password)

    url = f"http://{args.host}:{args.port}"
    print(f"""
  letters: the sample archive ({indexed} letters indexed) at {url}
  (a working copy in {args.home}; delete it to start afresh)
  Reading is open to everyone (every page says so).
  To upload and correct, log in at {url}/login as
      user:     {ACCOUNT}
      password: {password}
  (the same password each time; `make run NEW_PASSWORD=1` makes a new one)
  Another demo beside this one:  make run PORT={args.port + 1}
""", flush=True)
    uvicorn.run(web_app, host=args.host, port=args.port, server_header=False, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
