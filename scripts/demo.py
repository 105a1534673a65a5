"""`make run`: serve the repository's sample archive at http://127.0.0.1:8000, reading open to all.

The home is `.demo/`, a working copy of the repository's sample archive made on first run, so that
the demo's uploads, logins and thumbnails never change the tracked `archive/` (delete `.demo/` to
start afresh). The index is opened, or rebuilt from the archive, before serving. An account
`archivist` is created, or reset, with a fresh random password that is printed once, here.
"""

from __future__ import annotations

import argparse
import dataclasses
import secrets
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO_HOME = ROOT / ".demo"
ACCOUNT = "archivist"


def demo_home() -> Path:
    """The demo's home, seeded from the sample archive when it does not exist yet."""
    if not (DEMO_HOME / "archive").is_dir():
        staging = DEMO_HOME / ".archive-copy"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(ROOT / "archive", staging)
        staging.rename(DEMO_HOME / "archive")
    return DEMO_HOME


def main(argv: list[str] | None = None) -> int:
    """Prepare the demo home and serve it until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)

    import uvicorn

    from letters.settings import from_env
    from letters.users import Users
    from letters.web.app import create_app

    settings = dataclasses.replace(from_env(demo_home()), open_reading=True)
    web_app = create_app(settings)
    letters = web_app.state.web.letters
    indexed = letters.index.count()

    password = secrets.token_urlsafe(12)
    users = Users(settings)
    existing = users.get(ACCOUNT)
    if existing is None:
        users.add(ACCOUNT, "archivist", password, by="make run")
    else:
        users.set_password(ACCOUNT, password, by="make run")
        if existing.role != "archivist":
            users.set_role(ACCOUNT, "archivist", by="make run")

    url = f"http://{args.host}:{args.port}"
    print(f"""
  letters: the sample archive ({indexed} letters indexed) at {url}
  (a working copy in {DEMO_HOME}; delete it to start afresh)
  Reading is open to everyone (every page says so).
  To upload and correct, log in at {url}/login as
      user:     {ACCOUNT}
      password: {password}
  (a new password is made each time `make run` starts)
""", flush=True)
    uvicorn.run(web_app, host=args.host, port=args.port, server_header=False, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
