"""A brake on guessing passwords: too many failed logins from one address, or for one user name,
are refused a while.

An attempt is counted for every key at once, before the password is checked (`attempt`), so a
burst of simultaneous logins cannot all pass the check before any failure is counted; a login that
succeeds gives its own attempt back (`refund`) without forgetting the address's other failures.
The counts live in SQLite (`.letters/logins.sqlite`), so that every server process of one home
(`letters serve --workers N`) counts the same attempts; each change is one transaction.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

log = logging.getLogger("letters.web")

SCHEMA = ("CREATE TABLE IF NOT EXISTS attempts (id INTEGER PRIMARY KEY, key TEXT NOT NULL, "
          "at REAL NOT NULL); CREATE INDEX IF NOT EXISTS attempts_key ON attempts (key, at); "
          "CREATE INDEX IF NOT EXISTS attempts_at ON attempts (at);")


class Throttle:
    """Counts attempts per key within a window; refused once `limit` is reached."""

    def __init__(self, limit: int = 10, window: float = 600.0, path: Path | None = None) -> None:
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._db = _connect(path)

    def attempt(self, *keys: str) -> str | None:
        """Count one attempt for each key, atomically; the first blocked key (nothing is counted
        then), or None when the attempt may go ahead."""
        now = time.time()
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM attempts WHERE at <= ?", (now - self.window,))
            for key in keys:
                (count,) = self._db.execute("SELECT count(*) FROM attempts WHERE key = ? AND at > ?",
                                            (key, now - self.window)).fetchone()
                if count >= self.limit:
                    return key
            self._db.executemany("INSERT INTO attempts (key, at) VALUES (?, ?)",
                                 [(key, now) for key in keys])
            return None

    def refund(self, key: str) -> None:
        """Give back the latest attempt counted for that key (the attempt succeeded)."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM attempts WHERE id = (SELECT max(id) FROM attempts "
                             "WHERE key = ?)", (key,))

    def succeeded(self, key: str) -> None:
        """Forget the failures of that key."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM attempts WHERE key = ?", (key,))


def _connect(path: Path | None) -> sqlite3.Connection:
    """The attempts' database at `path` (shared by processes), or in memory when there is none
    or it cannot be made (a read-only home: each process then counts its own)."""
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return _prepared(sqlite3.connect(path, timeout=30, isolation_level=None,
                                             check_same_thread=False))
        except (OSError, sqlite3.Error) as error:
            log.warning("Failed logins are counted by this process alone: %s (%s).", path, error)
    return _prepared(sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False))


def _prepared(db: sqlite3.Connection) -> sqlite3.Connection:
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    return db
