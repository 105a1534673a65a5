"""The catalog: the read model of the archive, in SQLite, under `index/` (derived, rebuildable).

It holds each letter's record (and the columns pages filter and sort on), the dates each letter's
text cites (what exchange pairing needs, computed once when a letter is added), and each
partner's exchanges with its founding exchange, paired again whenever one of the partner's
letters changes. Pages and API answers read it with indexed queries; nothing on a request path
reads every record or text.

Keeping it in step with the archive (see `Archive.observer`): a letter is written to the catalog
right after the archive, in the same call. Against a crash or `kill -9` in between:
- before a record is rewritten, its letter is entered in the `pending` journal; the entry goes
  when the catalog has the new record;
- a new letter needs no journal: its directory without a catalog row is the mark;
- a partner whose letters changed is marked `stale` in the same transaction as the change, and
  loses the mark in the transaction that stores its new pairing.
Opening the catalog (every `letters` command and the server, at start) re-reads the pending
letters, compares the set of letter directories with the catalog's, and pairs the stale
partners. `letters reindex` rebuilds it from `archive/` alone; a catalog missing or of another
`SCHEMA_VERSION` is rebuilt on open.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from letters import exchanges as pairing
from letters.archive import RECORD, Archive
from letters.catalog import files
from letters.catalog.schema import EXCHANGE_COLUMNS, FILE, ORDER, SCHEMA, SCHEMA_VERSION, UNDATED, Facts
from letters.exchanges import Exchange
from letters.messages import Message, msg
from letters.models import Letter


class Catalog:
    """The catalog file of one home: one connection per process, shared under a lock."""

    def __init__(self, path: Path, archive: Archive,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.path = path
        self.archive = archive
        self.progress = progress
        self._lock = threading.RLock()
        self._deferred = threading.local()
        self._connect()

    def _connect(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None,
                                   check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._inode = os.stat(self.path).st_ino
        self._finalizer = weakref.finalize(self, self._db.close)

    def close(self) -> None:
        """Close the connection."""
        self._finalizer()

    def _same_file(self) -> None:
        """Reconnect when the file was replaced or removed (a rebuild of the search index swaps
        the whole of `index/`); a catalog found missing that way is rebuilt from the archive."""
        try:
            inode = os.stat(self.path).st_ino
        except FileNotFoundError:
            inode = None
        if inode == self._inode:
            return
        self._finalizer()
        self._connect()
        if self.version() != SCHEMA_VERSION:
            self.rebuild(self.progress)

    # -- transactions ---------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (taken at once, so two processes never deadlock upgrading)."""
        with self._lock:
            self._same_file()
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with self._lock:
            self._same_file()
            return self._db.execute(sql, args).fetchall()

    # -- opening, rebuilding, repairing ---------------------------------------------------
    def version(self) -> int | None:
        """The schema version the file holds, None when it holds no catalog."""
        try:
            with self._lock:
                rows = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchall()
        except sqlite3.OperationalError:
            return None
        return int(rows[0][0]) if rows and rows[0][0].isdigit() else None

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Make the catalog anew from `archive/` alone; how many letters it holds."""
        directories = sorted(files.directories(self.archive).items())
        with self._write() as db:
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                      " AND name NOT LIKE 'sqlite_%'").fetchall():
                db.execute(f'DROP TABLE "{name}"')
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            count = 0
            for done, (_, path) in enumerate(directories, 1):
                letter = files.own_record(path) if (path / RECORD).exists() else None
                if letter is not None:
                    self._put(db, letter, files.cited_of(path))
                    count += 1
                if progress:
                    progress(done, len(directories))
            self._pair(db, [p for (p,) in db.execute("SELECT partner FROM stale").fetchall()])
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        return count

    def repair(self) -> int:
        """Bring the catalog in step with what an interrupted write left: re-read the letters of
        the pending journal, add the letter directories it lacks, drop the rows of letters gone,
        pair the stale partners; how many letters were re-read or dropped."""
        directories = files.directories(self.archive)
        known = {sha for (sha,) in self._rows("SELECT sha256 FROM letters")}
        pending = {sha for (sha,) in self._rows("SELECT sha256 FROM pending")}
        todo = sorted(pending | (set(directories) - known))
        gone = sorted(known - set(directories))
        with self._write() as db:
            for sha in todo:
                path = self.archive.letter_dir(sha)
                letter = files.own_record(path) if (path / RECORD).exists() else None
                if letter is not None:
                    self._put(db, letter, files.cited_of(path))
                db.execute("DELETE FROM pending WHERE sha256 = ?", (sha,))
            for sha in gone:
                self._drop(db, sha)
            self._pair(db, [p for (p,) in db.execute("SELECT partner FROM stale").fetchall()])
        return len(todo) + len(gone)

    # -- writing ----------------------------------------------------------------------------
    def changing(self, sha256: str) -> None:
        """Journal a letter whose record is about to be rewritten in the archive."""
        with self._write() as db:
            db.execute("INSERT OR IGNORE INTO pending VALUES (?)", (sha256,))

    def changed(self, letter: Letter, pages: list[str] | None = None) -> None:
        """Take in a letter just written to the archive (`pages`: its text, when new), then pair
        its partner again (later, at `flush`, inside `deferred`)."""
        cited = pairing.cited_dates("\n".join(pages)) if pages is not None else None
        with self._write() as db:
            self._put(db, letter, cited)
            db.execute("DELETE FROM pending WHERE sha256 = ?", (letter.sha256,))
        if not getattr(self._deferred, "on", False):
            self.flush()

    def flush(self) -> None:
        """Pair every partner whose letters changed since it was last paired."""
        with self._write() as db:
            self._pair(db, [p for (p,) in db.execute("SELECT partner FROM stale").fetchall()])

    def touch(self, partner: str) -> None:
        """Pair a partner again now (after a registry change)."""
        with self._write() as db:
            self._pair(db, [partner])

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Within: letters are taken in at once, partners paired at `flush` and at the end
        (for an ingest of many letters of one partner)."""
        self._deferred.on = True
        try:
            yield
        finally:
            self._deferred.on = False
            self.flush()

    def _put(self, db: sqlite3.Connection, letter: Letter, cited: frozenset[str] | None) -> None:
        before = db.execute("SELECT partner, cited FROM letters WHERE sha256 = ?",
                            (letter.sha256,)).fetchone()
        if cited is None:
            cited = frozenset(json.loads(before[1])) if before else files.cited_of(
                self.archive.letter_dir(letter.sha256))
        record = json.dumps(letter.to_record(), ensure_ascii=False, sort_keys=True)
        linked_by = files.linked_by(self.archive.letter_dir(letter.sha256)) if letter.exchange else None
        db.execute(
            "INSERT INTO letters VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO"
            " UPDATE SET id = excluded.id, partner = excluded.partner, signatory ="
            " excluded.signatory, date = excluded.date, direction = excluded.direction, status ="
            " excluded.status, added_at = excluded.added_at, exchange = excluded.exchange,"
            " linked_by = excluded.linked_by, cited = excluded.cited, record = excluded.record",
            (letter.sha256, letter.id, letter.partner, letter.signatory, letter.date,
             letter.direction, letter.status, letter.added_at, letter.exchange, linked_by,
             json.dumps(sorted(cited)), record))
        for partner in {before[0] if before else None, letter.partner} - {None}:
            db.execute("INSERT OR IGNORE INTO stale VALUES (?)", (partner,))

    def _drop(self, db: sqlite3.Connection, sha256: str) -> None:
        row = db.execute("SELECT partner FROM letters WHERE sha256 = ?", (sha256,)).fetchone()
        db.execute("DELETE FROM letters WHERE sha256 = ?", (sha256,))
        if row and row[0]:
            db.execute("INSERT OR IGNORE INTO stale VALUES (?)", (row[0],))

    def pairing_with(self, partner: str, letter: Letter) -> list[Exchange]:
        """The partner's exchanges as they would be if `letter` (a record about to be saved)
        replaced the catalog's row of that letter; nothing is stored."""
        rows = self._rows("SELECT id, partner, date, direction, exchange, cited FROM letters"
                          f" WHERE partner = ? OR id = ? ORDER BY {ORDER}", partner, letter.id)
        cited = {row[0]: frozenset(json.loads(row[5])) for row in rows}
        facts = [Facts(*row[:5]) for row in rows if row[0] != letter.id]
        if letter.partner == partner:
            facts.append(Facts(letter.id, letter.partner, letter.date, letter.direction,
                               letter.exchange))
            facts.sort(key=lambda x: (x.date or UNDATED, x.id))
        return pairing.pair(facts, cited=cited)

    def _pair(self, db: sqlite3.Connection, partners: Sequence[str]) -> None:
        """Pair each of these partners' letters again and store the exchanges (in `db`'s
        transaction, so that what is paired is what is stored)."""
        for partner in partners:
            facts = [Facts(*row[:5]) for row in db.execute(
                "SELECT id, partner, date, direction, exchange, cited FROM letters WHERE"
                f" partner = ? ORDER BY {ORDER}", (partner,)).fetchall()]
            cited = {row[0]: frozenset(json.loads(row[1])) for row in db.execute(
                "SELECT id, cited FROM letters WHERE partner = ? AND cited != '[]'", (partner,))}
            linked = dict(db.execute("SELECT id, linked_by FROM letters WHERE partner = ? AND"
                                     " linked_by IS NOT NULL", (partner,)).fetchall())
            found = [replace(x, confirmed_by=next(
                        (linked[i] for i in x.ids() if i in linked), None))
                     if x.how == "manual" and x.complete else x
                     for x in pairing.pair(facts, cited=cited)]
            db.execute("DELETE FROM exchanges WHERE partner = ?", (partner,))
            db.executemany("INSERT INTO exchanges VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                (partner, position, x.outgoing, x.incoming, x.date, int(x.complete), x.how,
                 x.confirmed_by, ",".join(x.ids())) for position, x in enumerate(found)])
            db.execute("DELETE FROM founding WHERE partner = ?", (partner,))
            founding = pairing.founding_of(found)
            if founding is not None:
                db.execute("INSERT INTO founding VALUES (?, ?)",
                           (partner, found.index(founding)))
            db.execute("DELETE FROM stale WHERE partner = ?", (partner,))

    # -- reading ----------------------------------------------------------------------------
    def get(self, letter_id: str) -> Letter | None:
        """The record of a letter, or None."""
        rows = self._rows("SELECT record FROM letters WHERE id = ?", letter_id)
        return _letter(rows[0][0]) if rows else None

    def many(self, ids: Sequence[str]) -> dict[str, Letter]:
        """The records of these letters, by id (those the catalog holds)."""
        out: dict[str, Letter] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            for (record,) in self._rows(f"SELECT record FROM letters WHERE id IN ({marks})",
                                        *chunk):
                letter = _letter(record)
                out[letter.id] = letter
        return out

    def letters_of_partner(self, slug: str | None) -> list[Letter]:
        """A partner's letters (None: the letters without one), by date, undated last."""
        return [_letter(r) for (r,) in self._rows(
            f"SELECT record FROM letters WHERE partner IS ? ORDER BY {ORDER}", slug)]

    def nearest_of_partner(self, slug: str | None, day: str | None, exclude: str,
                           direction: str | None, limit: int) -> list[Letter]:
        """Up to `limit` letters of a partner nearest in date to `day` on each side (undated
        letters count as last; of one date, the lowest ids), other than `exclude` and not of
        `direction`."""
        pivot = day or UNDATED
        where = (f"partner IS ? AND id != ? AND (direction IS NULL OR ? IS NULL OR direction != ?)"
                 f" AND COALESCE(date, '{UNDATED}')")
        args = (slug, exclude, direction, direction, pivot, limit)
        before = self._rows(f"SELECT record FROM letters WHERE {where} <= ? ORDER BY "
                            f"COALESCE(date, '{UNDATED}') DESC, id LIMIT ?", *args)
        after = self._rows(f"SELECT record FROM letters WHERE {where} > ? ORDER BY {ORDER}"
                           f" LIMIT ?", *args)
        return [_letter(r) for (r,) in reversed(before)] + [_letter(r) for (r,) in after]

    def letters_of_signatory(self, slug: str) -> list[Letter]:
        """The letters of a Secretary General, by date, undated last."""
        return [_letter(r) for (r,) in self._rows(
            f"SELECT record FROM letters WHERE signatory = ? ORDER BY {ORDER}", slug)]

    def partner_counts(self) -> Counter[str | None]:
        """How many letters each partner has (None: letters without a partner)."""
        return Counter(dict(self._rows("SELECT partner, COUNT(*) FROM letters GROUP BY partner")))

    def partner_count(self, slug: str) -> int:
        """How many letters one partner has."""
        return int(self._rows("SELECT COUNT(*) FROM letters WHERE partner = ?", slug)[0][0])

    def signatory_counts(self) -> Counter[str | None]:
        """How many letters each Secretary General signed (None: letters without one)."""
        return Counter(dict(self._rows(
            "SELECT signatory, COUNT(*) FROM letters GROUP BY signatory")))

    def review_queue(self) -> list[Letter]:
        """The letters that need review, oldest first."""
        return [_letter(r) for (r,) in self._rows(
            "SELECT record FROM letters WHERE status = 'needs_review' ORDER BY added_at, id")]

    def exchanges(self, slug: str) -> list[Exchange]:
        """A partner's exchanges as last paired, oldest first."""
        return [_exchange(row) for row in self._rows(
            f"SELECT {EXCHANGE_COLUMNS} FROM exchanges WHERE partner = ? ORDER BY position", slug)]

    def founding(self, slug: str) -> Exchange | None:
        """A partner's founding exchange: its first complete one, else its earliest."""
        rows = self._rows(f"SELECT {EXCHANGE_COLUMNS} FROM exchanges JOIN founding USING (partner,"
                          " position) WHERE partner = ?", slug)
        return _exchange(rows[0]) if rows else None

    def exchange_of(self, partner: str, letter_id: str) -> Exchange | None:
        """The exchange of the partner that holds this letter, if any."""
        rows = self._rows(f"SELECT {EXCHANGE_COLUMNS} FROM exchanges WHERE partner = ? AND outgoing = ?"
                          f" UNION ALL SELECT {EXCHANGE_COLUMNS} FROM exchanges WHERE partner = ? AND"
                          " incoming = ?", partner, letter_id, partner, letter_id)
        return _exchange(rows[0]) if rows else None

    def incomplete(self) -> list[Exchange]:
        """Every exchange lacking one of its letters, across partners, oldest first."""
        return [_exchange(row) for row in self._rows(
            f"SELECT {EXCHANGE_COLUMNS} FROM exchanges WHERE complete = 0"
            f" ORDER BY COALESCE(date, '{UNDATED}'), ids")]

    def disagreements(self) -> list[tuple[str, Path, Message]]:
        """Where the catalog and the archive differ (for `letters verify`): the letter's digest,
        the file, what is wrong; letters whose record cannot be read are fixity's to report."""
        found: list[tuple[str, Path, Message]] = []
        directories = files.directories(self.archive)
        held = dict(self._rows("SELECT sha256, record FROM letters"))
        for sha, directory in sorted(directories.items()):
            try:
                letter = files.read_record(directory)
            except (OSError, ValueError, TypeError, KeyError):
                continue
            if not files.belongs(directory, letter):
                continue  # a record naming another letter: fixity reports it
            actual = letter.to_record()
            if sha not in held:
                found.append((sha, directory / RECORD, msg("integrity.catalog_missing")))
            elif _letter(held[sha]).to_record() != actual:
                found.append((sha, directory / RECORD, msg("integrity.catalog_disagrees")))
        for sha in sorted(set(held) - set(directories)):
            found.append((sha, self.path, msg("integrity.catalog_extra")))
        return found


def open_catalog(index_dir: Path, archive: Archive,
                 progress: Callable[[int, int], None] | None = None) -> Catalog:
    """The catalog of a home: rebuilt when missing or of another version, else repaired from
    what an interrupted write left (see the module's docstring)."""
    catalog = Catalog(index_dir / FILE, archive, progress)
    if catalog.version() != SCHEMA_VERSION:
        catalog.rebuild(progress)
    else:
        catalog.repair()
    return catalog


def _letter(record: str) -> Letter:
    return Letter.from_json(json.loads(record))


def _exchange(row: tuple[Any, ...]) -> Exchange:
    partner, outgoing, incoming, day, complete, how, confirmed_by = row
    return Exchange(partner=partner, outgoing=outgoing, incoming=incoming, date=day,
                    complete=bool(complete), how=how, confirmed_by=confirmed_by)


