"""The catalog: the read model of the archive, in SQLite, under `index/` (derived, rebuildable).

It holds each letter's record (and the columns pages filter and sort on), the dates each letter's
text cites (what exchange pairing needs, computed once when a letter is added), and each
partner's exchanges with its founding exchange, paired again whenever one of the partner's
letters changes. Pages and API answers read it with indexed queries; nothing on a request path
reads every record or text. The pairing step (`_pair`) is also the one place that holds each
partner's founding exchange (kept in the archive by `decisions`) and stores a pairing proposal
when pairing would now give another one.

Keeping it in step with the archive: the application layer (`parts.Parts.add` and `update`)
writes a letter to the catalog right after the archive, holding the letter's lock. Against a
crash or `kill -9` in between:
- before a letter is archived or its record rewritten, it is entered in the `pending` journal;
  the entry goes when the catalog has the new record;
- a partner whose letters changed is marked `stale` in the same transaction as the change, and
  loses the mark in the transaction that stores its new pairing;
- a letter whose record was stored is marked `unindexed` in the same transaction; the mark goes
  once an index commit holds that record (the index's journal: see `unindexed`).
Opening the catalog (every `letters` command and the server, at start) re-reads the pending
letters (finishing first a record write whose history event was written: `Archive.complete`) and
pairs the stale partners, in time that does not grow with the archive; opening the index then
indexes the unindexed letters (`service.Letters.open_index`). `letters verify` first compares
the set of letter directories with the catalog's (`repair(everything=True)`: letters put in or
taken out by hand); `letters reindex` rebuilds it from `archive/` alone; a catalog missing or of
another `SCHEMA_VERSION` is rebuilt on open.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from letters import pool
from letters.archive import RECORD, Archive
from letters.catalog import files
from letters.catalog.schema import (
    CITED_KEPT_SINCE,
    COUNT,
    COUNTING,
    EXCHANGE_COLUMNS,
    FILE,
    INCOMPLETE,
    LINKING,
    ORDER,
    SCHEMA,
    SCHEMA_VERSION,
    UNDATED,
    UNINDEXED,
    Facts,
)
from letters.messages import Message, msg
from letters.models import Letter
from letters.pairing import decisions
from letters.pairing import exchanges as pairing
from letters.pairing.exchanges import Exchange

log = logging.getLogger(__name__)
#: What pairing reads of each letter, in the order `Facts` takes it.
FACTS = "id, partner, date, direction, exchange, status"
#: The letters pairing reads: a letter set aside is in no exchange.
PAIRED = "status != 'set_aside'"
#: Rows a rebuild inserts at once.
BATCH = 1000


class Catalog:
    """The catalog file of one home: one connection per process, shared under a lock."""

    def __init__(self, path: Path, archive: Archive,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.path = path
        self.archive = archive
        self.progress = progress
        self._lock = threading.RLock()
        self._deferred = threading.local()
        self._decider = threading.local()
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
        """Make the catalog anew from `archive/` alone; how many letters it holds.

        In one transaction (a crash leaves the catalog as it was): the files are read and parsed
        by worker processes for a large archive (`pool`), the rows inserted in bulk, the tables'
        indexes made once they are full, the counts counted once and kept by triggers since."""
        directories = files.paths(self.archive)
        statements = [s for s in SCHEMA.split(";") if s.strip()]
        indexes = [s for s in statements if s.strip().startswith("CREATE INDEX")]
        with self._write() as db, self._known(db):
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                      " AND name NOT LIKE 'sqlite_%'").fetchall():
                db.execute(f'DROP TABLE "{name}"')
            for statement in statements:
                if statement not in indexes:
                    db.execute(statement)
            count = 0
            batch: list[files.Row] = []
            for done, row in enumerate(pool.mapped(files.rows, directories), 1):
                if row is not None:
                    batch.append(row)
                    count += 1
                if len(batch) >= BATCH or done == len(directories):
                    db.executemany(f"INSERT INTO letters VALUES ({', '.join('?' * 14)})", batch)
                    batch.clear()
                if progress:
                    progress(done, len(directories))
            for statement in [*indexes, *COUNT, *COUNTING]:
                db.execute(statement)
            db.execute("INSERT INTO stale SELECT DISTINCT partner FROM letters"
                       " WHERE partner IS NOT NULL")
            self._load_decisions(db)
            self._pair(db, [p for (p,) in db.execute("SELECT partner FROM stale").fetchall()])
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            db.execute("INSERT INTO meta VALUES ('cited', ?)", (str(pairing.CITED_VERSION),))
        return count

    @contextmanager
    def _known(self, db: sqlite3.Connection) -> Iterator[None]:
        """Within: `files.KNOWN` holds the dates the catalog being replaced found in each text
        (by the text file's digest), when it keeps them as this version does (`CITED_KEPT_SINCE`)
        and found them as `cited_dates` does now; a text file whose bytes changed is read
        again."""
        try:
            versions = dict(db.execute("SELECT key, value FROM meta").fetchall())
            schema = str(versions.get("schema", ""))
            if (schema.isdigit() and CITED_KEPT_SINCE <= int(schema) <= SCHEMA_VERSION
                    and versions.get("cited") == str(pairing.CITED_VERSION)):
                files.KNOWN.update(db.execute("SELECT text_sha256, cited FROM letters WHERE"
                                              " text_sha256 IS NOT NULL").fetchall())
        except sqlite3.Error:  # no catalog, or not one this program can read: every text is read
            files.KNOWN.clear()
        try:
            yield
        finally:
            files.KNOWN.clear()

    def repair(self, everything: bool = False) -> int:
        """Bring the catalog in step with what an interrupted write left: re-read the letters of
        the pending journal (a letter whose add is still under way stays in it), pair the stale
        partners; with `everything`, also add the letter directories it lacks and drop the rows
        of letters gone (put in or taken out by hand: every directory is listed). How many
        letters were re-read or dropped."""
        pending = {sha for (sha,) in self._rows("SELECT sha256 FROM pending")}
        pending -= {sha for sha in pending if self.archive.staging_now(sha)}
        todo, gone = sorted(pending), []
        if everything:
            directories = files.directories(self.archive)
            known = {sha for (sha,) in self._rows("SELECT sha256 FROM letters")}
            todo = sorted(pending | (set(directories) - known))
            gone = sorted(known - set(directories))
        for sha in sorted(pending):
            try:
                if self.archive.complete(sha):
                    log.warning("Letter %s: its last change was in its history but not in its "
                                "record (a write was interrupted); the record is completed.",
                                sha[:16])
            except OSError as error:  # a read-only archive: `letters verify` reports it
                log.warning("Letter %s: an interrupted write could not be completed (%s).",
                            sha[:16], error)
        with self._write() as db:
            db.execute(UNINDEXED)
            db.execute(LINKING)
            for sha in todo:
                path = self.archive.letter_dir(sha)
                letter = files.own_record(path) if (path / RECORD).exists() else None
                if letter is not None:
                    row = db.execute("SELECT record FROM letters WHERE sha256 = ?",
                                     (sha,)).fetchone()
                    if row is None or _letter(row[0]).to_record() != letter.to_record():
                        self._put(db, letter, *files.cited_of(path))  # else a write that failed
                elif not self.archive.has(sha):  # an add that failed, or a letter taken out
                    self._drop(db, sha)
                db.execute("DELETE FROM pending WHERE sha256 = ?", (sha,))
            for sha in gone:
                self._drop(db, sha)
            self._load_decisions(db)
            self._pair(db, [p for (p,) in db.execute("SELECT partner FROM stale").fetchall()])
        return len(todo) + len(gone)

    # -- writing ----------------------------------------------------------------------------
    def changing(self, sha256: str) -> None:
        """Journal a letter about to be archived, or whose record is about to be rewritten."""
        with self._write() as db:
            db.execute("INSERT OR IGNORE INTO pending VALUES (?)", (sha256,))

    def changed(self, letter: Letter, pages: list[str] | None = None) -> int:
        """Take in a letter just written to the archive (`pages`: its text, when new), then pair
        its partner again (later, at `flush`, inside `deferred`); the mark the record got in the
        index's journal (what `indexed` is handed once an index commit holds it)."""
        cited = pairing.cited_dates("\n".join(pages)) if pages is not None else None
        with self._write() as db:
            mark = self._put(db, letter, cited)
            db.execute("DELETE FROM pending WHERE sha256 = ?", (letter.sha256,))
        if not getattr(self._deferred, "on", False):
            self.flush()
        return mark

    def flush(self) -> None:
        """Pair every partner whose letters changed since it was last paired."""
        with self._write() as db:
            self._pair(db, [p for (p,) in db.execute("SELECT partner FROM stale").fetchall()])

    def touch(self, partner: str) -> None:
        """Pair a partner again now (after a registry change)."""
        with self._write() as db:
            self._pair(db, [partner])

    @contextmanager
    def deciding(self, by: str) -> Iterator[None]:
        """Within: a change of a founding exchange that this thread's writes cause is the
        decision of the person `by` (a correction or relink they confirmed, a pairing by hand),
        and pairing keeps it; outside, pairing keeps the founding exchange held and proposes."""
        before = getattr(self._decider, "by", None)
        self._decider.by = by
        try:
            yield
        finally:
            self._decider.by = before

    def decide(self, partner: str, accept: bool, by: str,
               expected: Sequence[str] | None = None) -> tuple[decisions.Held | None, list[str]]:
        """Accept or dismiss the partner's pairing proposal (a person's decision, kept in the
        archive): the founding exchange held before and the proposed letters' ids. LookupError
        when there is no proposal, ValueError when it is not the `expected` one any more."""
        with self._write() as db:
            row = db.execute("SELECT held_outgoing, held_incoming, proposed_outgoing,"
                             " proposed_incoming FROM pairing WHERE partner = ? AND"
                             " proposed_complete IS NOT NULL", (partner,)).fetchone()
            if row is None:
                raise LookupError(partner)
            proposed = [i for i in row[2:] if i]
            if expected is not None and list(expected) != proposed:
                raise ValueError(partner)
            before = self._held(db, partner)
            if accept:
                decisions.hold(self.archive.root, partner, row[2], row[3], by)
                self._keep(db, partner, decisions.Held(row[2], row[3], by))
            else:
                held, offered = decisions.key_of(row[0], row[1]), decisions.key_of(row[2], row[3])
                decisions.dismiss(self.archive.root, partner, held, offered, by)
                gone = json.loads(db.execute("SELECT dismissed FROM pairing WHERE partner = ?",
                                             (partner,)).fetchone()[0])
                db.execute("UPDATE pairing SET dismissed = ? WHERE partner = ?",
                           (json.dumps(sorted({*gone, f"{held}|{offered}"})), partner))
            self._pair(db, [partner])
        return before, proposed

    def _load_decisions(self, db: sqlite3.Connection) -> None:
        """Read the decisions the archive keeps (`decisions`) into their tables."""
        ledger = decisions.read(self.archive.root)
        db.execute("UPDATE pairing SET held_outgoing = NULL, held_incoming = NULL,"
                   " held_by = NULL, dismissed = '[]'")
        for partner, held in sorted(ledger.held.items()):
            self._keep(db, partner, held if held.ids() else None)
        gone: dict[str, set[str]] = {}
        for partner, holds, offered in ledger.dismissed:
            gone.setdefault(partner, set()).add(f"{holds}|{offered}")
        for partner, keys in sorted(gone.items()):
            db.execute("INSERT OR IGNORE INTO pairing (partner) VALUES (?)", (partner,))
            db.execute("UPDATE pairing SET dismissed = ? WHERE partner = ?",
                       (json.dumps(sorted(keys)), partner))

    def _held(self, db: sqlite3.Connection, partner: str) -> decisions.Held | None:
        row = db.execute("SELECT held_outgoing, held_incoming, held_by FROM pairing WHERE"
                         " partner = ?", (partner,)).fetchone()
        return decisions.Held(*row) if row and (row[0] or row[1]) else None

    def _keep(self, db: sqlite3.Connection, partner: str, held: decisions.Held | None) -> None:
        """Store the founding exchange held for a partner (None: none)."""
        db.execute("INSERT OR IGNORE INTO pairing (partner) VALUES (?)", (partner,))
        db.execute("UPDATE pairing SET held_outgoing = ?, held_incoming = ?, held_by = ? WHERE"
                   " partner = ?", (held.outgoing if held else None,
                                    held.incoming if held else None, held.by if held else None,
                                    partner))

    @contextmanager
    def deferred(self, pair_at_end: bool = True) -> Iterator[None]:
        """Within: letters are taken in at once, partners paired at `flush` and at the end
        (for an ingest of many letters of one partner; not at the end unless `pair_at_end`)."""
        self._deferred.on = True
        try:
            yield
        finally:
            self._deferred.on = False
            if pair_at_end:
                self.flush()

    @contextmanager
    def linking(self, ids: Sequence[str]) -> Iterator[None]:
        """Journal the letters of a link or unlink for its duration (their locks held): a kill
        within leaves them in `linking_journal`, mended at the next start."""
        with self._write() as db:
            db.executemany("INSERT OR IGNORE INTO linking VALUES (?)", [(i,) for i in ids])
        yield
        self.paired(ids)

    def paired(self, ids: Sequence[str]) -> None:
        """These letters' link or unlink has ended (or was mended)."""
        with self._write() as db:
            db.executemany("DELETE FROM linking WHERE id = ?", [(i,) for i in ids])

    def linking_journal(self) -> list[str]:
        """The letters of links and unlinks that have not ended (under way, or killed)."""
        return [i for (i,) in self._rows("SELECT id FROM linking ORDER BY id")]

    def unindexed(self, shas: Sequence[str] | None = None) -> dict[str, int]:
        """The letters (of `shas`, or all) whose stored record the search index may not hold
        yet, with the mark of their last change (what `indexed` is handed back)."""
        if shas is None:
            return dict(self._rows("SELECT sha256, mark FROM unindexed"))
        found: dict[str, int] = {}
        for start in range(0, len(shas), 500):
            chunk = list(shas[start:start + 500])
            found.update(self._rows("SELECT sha256, mark FROM unindexed WHERE sha256 IN"
                                    f" ({','.join('?' * len(chunk))})", *chunk))
        return found

    def indexed(self, marks: dict[str, int]) -> None:
        """An index commit holds the records these marks were read before: the marks go (a
        letter changed again since keeps its newer mark)."""
        if marks:
            with self._write() as db:
                db.executemany("DELETE FROM unindexed WHERE sha256 = ? AND mark = ?",
                               list(marks.items()))

    def _put(self, db: sqlite3.Connection, letter: Letter, cited: frozenset[str] | None,
             text: str | None = None, indexing: bool = True) -> int:
        """Store a letter's row: `cited`, the dates its text cites (None: as the catalog holds
        them, else read), found in a text file of digest `text` (None: not known)."""
        before = db.execute("SELECT partner, cited, text_sha256 FROM letters WHERE sha256 = ?",
                            (letter.sha256,)).fetchone()
        if cited is None and before:
            cited, text = frozenset(json.loads(before[1])), before[2]
        elif cited is None:
            cited, text = files.cited_of(self.archive.letter_dir(letter.sha256))
        db.execute(
            "INSERT INTO letters VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT"
            " (sha256)"
            " DO UPDATE SET id = excluded.id, partner = excluded.partner, signatory ="
            " excluded.signatory, date = excluded.date, direction = excluded.direction, status ="
            " excluded.status, added_at = excluded.added_at, exchange = excluded.exchange,"
            " linked_by = excluded.linked_by, cited = excluded.cited, codes = excluded.codes,"
            " record = excluded.record, text_sha256 = excluded.text_sha256",
            files.row_of(self.archive.letter_dir(letter.sha256), letter, cited, text))
        for partner in {before[0] if before else None, letter.partner} - {None}:
            db.execute("INSERT OR IGNORE INTO stale VALUES (?)", (partner,))
        mark = secrets.randbits(62)
        if indexing:
            db.execute("INSERT OR REPLACE INTO unindexed VALUES (?, ?)", (letter.sha256, mark))
        return mark

    def _drop(self, db: sqlite3.Connection, sha256: str) -> None:
        row = db.execute("SELECT partner FROM letters WHERE sha256 = ?", (sha256,)).fetchone()
        db.execute("DELETE FROM letters WHERE sha256 = ?", (sha256,))
        if row and row[0]:
            db.execute("INSERT OR IGNORE INTO stale VALUES (?)", (row[0],))

    def pairing_with(self, partner: str, letter: Letter) -> list[Exchange]:
        """The partner's exchanges as they would be if `letter` (a record about to be saved)
        replaced the catalog's row of that letter; nothing is stored."""
        rows = self._rows(f"SELECT {FACTS}, cited FROM letters"
                          f" WHERE (partner = ? AND {PAIRED}) OR id = ? ORDER BY {ORDER}",
                          partner, letter.id)
        cited = {row[0]: frozenset(json.loads(row[6])) for row in rows}
        facts = [Facts(*row[:6]) for row in rows if row[0] != letter.id and row[1] == partner]
        if letter.partner == partner and letter.status != "set_aside":
            facts.append(Facts(letter.id, letter.partner, letter.date, letter.direction,
                               letter.exchange, letter.status))
            facts.sort(key=lambda x: (x.date or UNDATED, x.id))
        return pairing.pair(facts, cited=cited)

    def _pair(self, db: sqlite3.Connection, partners: Sequence[str]) -> None:
        """Pair each of these partners' letters again and store the exchanges (in `db`'s
        transaction, so that what is paired is what is stored).

        The one place a founding exchange is set: it is held (`decisions`, kept in the archive)
        and changes only by a person's decision (`deciding`, `decide`); pairing sets it by
        itself only as a partner's first one, of letters that need no review, or to complete an
        incomplete one with a reply that needs none. Any other difference between the founding
        exchange held and the one pairing gives is stored as the partner's proposal."""
        for partner in partners:
            facts = [Facts(*row) for row in db.execute(
                f"SELECT {FACTS} FROM letters WHERE partner = ? AND {PAIRED} ORDER BY {ORDER}",
                (partner,)).fetchall()]
            cited = {row[0]: frozenset(json.loads(row[1])) for row in db.execute(
                "SELECT id, cited FROM letters WHERE partner = ? AND cited != '[]'", (partner,))}
            linked = dict(db.execute("SELECT id, linked_by FROM letters WHERE partner = ? AND"
                                     " linked_by IS NOT NULL", (partner,)).fetchall())
            alone = pairing.pair(facts, cited=cited)  # what pairing gives, nothing held
            would = pairing.founding_of(alone)
            held = self._settle(db, partner, facts, cited, would)
            kept = None if held is None else self._held_exchange(db, partner, facts, held)
            found = [replace(x, confirmed_by=next(
                        (linked[i] for i in x.ids() if i in linked), None))
                     if x.how == "manual" and x.complete and x is not kept else x
                     for x in (alone if kept is None else
                               pairing.pair(facts, cited=cited, held=kept))]
            (lacking,) = db.execute("SELECT COUNT(*) FROM exchanges WHERE partner = ? AND"
                                    " complete = 0", (partner,)).fetchone()
            now = sum(not x.complete for x in found)
            if now != lacking:
                db.execute(INCOMPLETE, (now - lacking,))
                db.execute("DELETE FROM counts WHERE what = 'incomplete' AND n = 0")
            db.execute("DELETE FROM exchanges WHERE partner = ?", (partner,))
            db.executemany("INSERT INTO exchanges VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                (partner, position, x.outgoing, x.incoming, x.date, int(x.complete), x.how,
                 x.confirmed_by, ",".join(x.ids())) for position, x in enumerate(found)])
            db.execute("DELETE FROM founding WHERE partner = ?", (partner,))
            position = next((n for n, x in enumerate(found)
                             if held is not None and x.ids() == held.ids()), None)
            if position is not None:
                db.execute("INSERT INTO founding VALUES (?, ?)", (partner, position))
            self._propose(db, partner, held, would)
            db.execute("DELETE FROM stale WHERE partner = ?", (partner,))

    def _settle(self, db: sqlite3.Connection, partner: str, facts: list[Facts],
                cited: dict[str, frozenset[str]], would: Exchange | None
                ) -> decisions.Held | None:
        """The partner's founding exchange as held after this pairing (see `_pair`), kept in the
        archive when it changed."""
        held = self._held(db, partner)
        by = getattr(self._decider, "by", None)
        row = db.execute("SELECT automatic FROM pairing WHERE partner = ? AND automatic IS NOT"
                         " NULL", (partner,)).fetchone()
        gives = decisions.key_of(would.outgoing, would.incoming) if would else ","
        db.execute("INSERT OR IGNORE INTO pairing (partner) VALUES (?)", (partner,))
        db.execute("UPDATE pairing SET automatic = ? WHERE partner = ?", (gives, partner))
        status = {x.id: x.status for x in facts}
        new: decisions.Held | None = None
        left = held is not None and any(i not in status for i in held.ids())
        if by is not None and (row is None or row[0] != gives or left):
            new = decisions.Held(would.outgoing if would else None,
                                 would.incoming if would else None, by)
        elif held is None:
            sure = [x for x in facts if x.status == "ok"]
            first = would if len(sure) == len(facts) else pairing.founding_of(
                pairing.pair(sure, cited=cited))
            if first is not None:
                new = decisions.Held(first.outgoing, first.incoming, decisions.SYSTEM)
        elif (would is not None and would.complete and not (held.outgoing and held.incoming)
              and set(held.ids()) < set(would.ids())
              and all(status.get(i) == "ok" for i in would.ids())):
            new = decisions.Held(would.outgoing, would.incoming, decisions.SYSTEM)
        if new is None or new == held:
            return held
        try:
            decisions.hold(self.archive.root, partner, new.outgoing, new.incoming, new.by)
        except OSError as error:  # a read-only archive: held in the catalog until it is rebuilt
            log.warning("the founding exchange of %s could not be kept in the archive: %s",
                        partner, error)
        self._keep(db, partner, new if new.ids() else None)
        return new if new.ids() else None

    def _held_exchange(self, db: sqlite3.Connection, partner: str, facts: list[Facts],
                       held: decisions.Held) -> Exchange:
        """The held founding exchange as an exchange of the partner (a letter of it that is no
        longer the partner's still named in it)."""
        dates = {x.id: x.date for x in facts}
        for ident in held.ids():
            if ident not in dates:
                row = db.execute("SELECT date FROM letters WHERE id = ?", (ident,)).fetchone()
                dates[ident] = row[0] if row else None
        day = dates.get(held.outgoing or "") or dates.get(held.incoming or "")
        person = None if held.by == decisions.SYSTEM else held.by
        complete = bool(held.outgoing and held.incoming)
        return Exchange(partner=partner, outgoing=held.outgoing, incoming=held.incoming,
                        date=day, complete=complete, how="manual" if person else "automatic",
                        confirmed_by=person if complete else None)

    def _propose(self, db: sqlite3.Connection, partner: str, held: decisions.Held | None,
                 would: Exchange | None) -> None:
        """Store the partner's proposal: the founding exchange pairing gives, when it is not the
        one held and no person dismissed it."""
        db.execute("UPDATE pairing SET proposed_outgoing = NULL, proposed_incoming = NULL,"
                   " proposed_date = NULL, proposed_complete = NULL WHERE partner = ?", (partner,))
        if would is None:
            return
        holds = held.key() if held else ","
        gives = decisions.key_of(would.outgoing, would.incoming)
        gone = db.execute("SELECT dismissed FROM pairing WHERE partner = ?", (partner,)).fetchone()
        if gives == holds or f"{holds}|{gives}" in json.loads(gone[0] if gone else "[]"):
            return
        db.execute("UPDATE pairing SET proposed_outgoing = ?, proposed_incoming = ?,"
                   " proposed_date = ?, proposed_complete = ? WHERE partner = ?",
                   (would.outgoing, would.incoming, would.date, int(would.complete), partner))

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
        where = (f"partner IS ? AND {PAIRED} AND id != ? AND (direction IS NULL OR ? IS NULL OR"
                 f" direction != ?) AND COALESCE(date, '{UNDATED}')")
        args = (slug, exclude, direction, direction, pivot, limit)
        before = self._rows(f"SELECT record FROM letters WHERE {where} <= ? ORDER BY "
                            f"COALESCE(date, '{UNDATED}') DESC, id LIMIT ?", *args)
        after = self._rows(f"SELECT record FROM letters WHERE {where} > ? ORDER BY {ORDER}"
                           f" LIMIT ?", *args)
        return [_letter(r) for (r,) in reversed(before)] + [_letter(r) for (r,) in after]

    def near_in_date(self, partner: str, direction: str, day: str, days: int,
                     limit: int) -> list[Letter]:
        """Up to `limit` letters of a partner in one direction dated within `days` of `day`,
        nearest first (an indexed range of the partner's letters)."""
        try:
            center = date.fromisoformat(day)
        except ValueError:
            return []
        low = (center - timedelta(days=days)).isoformat()
        high = (center + timedelta(days=days)).isoformat()
        found = [_letter(r) for (r,) in self._rows(
            f"SELECT record FROM letters WHERE partner = ? AND COALESCE(date, '{UNDATED}')"
            f" BETWEEN ? AND ? AND direction = ? ORDER BY {ORDER}",
            partner, low, high, direction)]
        return sorted(found, key=lambda x: (abs((date.fromisoformat(x.date or day) - center).days),
                                            x.id))[:limit]

    def letters_of_signatory(self, slug: str) -> list[Letter]:
        """The letters of a Secretary General, by date, undated last."""
        return [_letter(r) for (r,) in self._rows(
            f"SELECT record FROM letters WHERE signatory = ? ORDER BY {ORDER}", slug)]

    def _counts(self, what: str) -> Counter[str | None]:
        """The counts kept of one kind (`schema.COUNTED`), '' read as None."""
        return Counter({key or None: n for key, n in self._rows(
            "SELECT key, n FROM counts WHERE what = ?", what)})

    def _count(self, what: str, key: str) -> int:
        rows = self._rows("SELECT n FROM counts WHERE what = ? AND key = ?", what, key)
        return int(rows[0][0]) if rows else 0

    def partner_counts(self) -> Counter[str | None]:
        """How many letters each partner has (None: letters without a partner), as kept."""
        return self._counts("partner")

    def partner_count(self, slug: str) -> int:
        """How many letters one partner has."""
        return self._count("partner", slug)

    def signatory_counts(self) -> Counter[str | None]:
        """How many letters each Secretary General signed (None: letters without one)."""
        return self._counts("signatory")

    def review_queue(self) -> list[Letter]:
        """The letters that need review, oldest first."""
        return [_letter(r) for (r,) in self._rows(
            "SELECT record FROM letters WHERE status = 'needs_review' ORDER BY added_at, id")]

    # -- pages of the lists that grow with the archive --------------------------------------
    def partner_page(self, slug: str, offset: int, limit: int) -> list[Letter]:
        """One page of a partner's letters, by date, undated last."""
        return [_letter(r) for (r,) in self._rows(
            f"SELECT record FROM letters WHERE partner = ? ORDER BY {ORDER} LIMIT ? OFFSET ?",
            slug, limit, offset)]

    def signatory_page(self, slug: str, offset: int, limit: int) -> list[Letter]:
        """One page of a Secretary General's letters, by date, undated last."""
        return [_letter(r) for (r,) in self._rows(
            f"SELECT record FROM letters WHERE signatory = ? ORDER BY {ORDER} LIMIT ? OFFSET ?",
            slug, limit, offset)]

    def signatory_count(self, slug: str) -> int:
        """How many letters one Secretary General signed."""
        return self._count("signatory", slug)

    def review_page(self, offset: int, limit: int, among: Sequence[str] | None = None
                    ) -> list[Letter]:
        """One page of the letters that need review, oldest first; with `among`, only those
        whose codes (as `review_codes` gives them) are one of these."""
        where, args = _among(among)
        return [_letter(r) for (r,) in self._rows(
            f"SELECT record FROM letters WHERE status = 'needs_review'{where}"
            " ORDER BY added_at, id LIMIT ? OFFSET ?", *args, limit, offset)]

    def review_next(self, added_at: str, letter_id: str) -> Letter | None:
        """The letter needing review after this one (oldest first), else the first other one."""
        rows = self._rows("SELECT record FROM letters WHERE status = 'needs_review' AND"
                          " (added_at > ? OR (added_at = ? AND id > ?)) ORDER BY added_at, id"
                          " LIMIT 1", added_at, added_at, letter_id)
        rows = rows or self._rows("SELECT record FROM letters WHERE status = 'needs_review' AND"
                                  " id != ? ORDER BY added_at, id LIMIT 1", letter_id)
        return _letter(rows[0][0]) if rows else None

    def review_codes(self) -> Counter[str]:
        """How many letters needing review have each set of reason codes: the set as stored
        (`files.codes_of`), as kept in `counts`, no record read."""
        return Counter({key: n for key, n in self._rows(
            "SELECT key, n FROM counts WHERE what = 'review'")})

    def exchanges_holding(self, slug: str, ids: Sequence[str]) -> list[Exchange]:
        """The partner's exchanges (as last paired, oldest first) holding one of these letters:
        found by the letters' ids (`+partner` keeps SQLite from reading every exchange of the
        partner instead, 20,000 of the largest one at 100,000 letters)."""
        found: dict[int, Exchange] = {}
        for start in range(0, len(ids), 400):
            chunk = list(ids[start:start + 400])
            marks = ",".join("?" * len(chunk))
            for row in self._rows(f"SELECT position, {EXCHANGE_COLUMNS} FROM exchanges WHERE"
                                  f" outgoing IN ({marks}) AND +partner = ? UNION ALL SELECT"
                                  f" position, {EXCHANGE_COLUMNS} FROM exchanges WHERE incoming"
                                  f" IN ({marks}) AND +partner = ?", *chunk, slug, *chunk, slug):
                found[row[0]] = _exchange(row[1:])
        return [found[position] for position in sorted(found)]

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

    def automatic_founding(self, slug: str) -> list[str]:
        """The ids of the founding exchange pairing alone gives the partner (held or not)."""
        rows = self._rows("SELECT automatic FROM pairing WHERE partner = ? AND automatic IS NOT"
                          " NULL", slug)
        return [i for i in rows[0][0].split(",") if i] if rows else []

    def proposals(self, slug: str | None = None) -> list[tuple[str, list[str], Exchange]]:
        """The pairing proposals (of one partner, or every one by partner): the partner, the
        ids of the founding exchange held, the exchange proposed instead."""
        rows = self._rows("SELECT partner, held_outgoing, held_incoming, proposed_outgoing,"
                          " proposed_incoming, proposed_date, proposed_complete FROM pairing"
                          " WHERE proposed_complete IS NOT NULL AND (? IS NULL OR partner = ?)"
                          " ORDER BY partner", slug, slug)
        return [(row[0], [i for i in row[1:3] if i],
                 Exchange(partner=row[0], outgoing=row[3], incoming=row[4], date=row[5],
                          complete=bool(row[6]), how="automatic")) for row in rows]

    def incomplete(self, limit: int = -1) -> list[Exchange]:
        """The exchanges lacking one of their letters, across partners, oldest first (the first
        `limit` of them; all when negative)."""
        return [_exchange(row) for row in self._rows(
            f"SELECT {EXCHANGE_COLUMNS} FROM exchanges WHERE complete = 0"
            f" ORDER BY COALESCE(date, '{UNDATED}'), ids LIMIT ?", limit)]

    def incomplete_count(self) -> int:
        """How many exchanges lack one of their letters, across partners."""
        return self._count("incomplete", "")

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
        for sha in sorted(set(self.unindexed()) & set(directories)):
            found.append((sha, directories[sha] / RECORD, msg("integrity.index_behind")))
        for sha, other in self._rows(
                "SELECT a.sha256, a.exchange FROM letters a JOIN letters b ON b.id ="
                " a.exchange WHERE a.exchange != '' AND b.exchange IS NOT a.id ORDER BY a.id"):
            if sha in directories:
                found.append((sha, directories[sha] / RECORD,
                              msg("integrity.pair_mismatch", other=other)))
        return found


def open_catalog(index_dir: Path, archive: Archive,
                 progress: Callable[[int, int], None] | None = None) -> Catalog:
    """The catalog of a home: rebuilt when missing or of another version, else repaired from
    what an interrupted write left (see the module's docstring)."""
    catalog = Catalog(index_dir / FILE, archive, progress)
    if catalog.version() != SCHEMA_VERSION:
        catalog.rebuild(progress)
        return catalog
    try:
        catalog.repair()
    except (OSError, sqlite3.Error) as error:  # a full or read-only disk: read it as it stands
        log.warning("The catalog could not be brought in step with the archive (%s); it is "
                    "repaired at the next start once the disk has room and is writable.", error)
    return catalog


#: The code of one reason of a record (`reason`, a row of json_each over its reasons).
def _among(among: Sequence[str] | None) -> tuple[str, list[str]]:
    """The condition on a letter's reason codes that `review_page` adds, and its arguments."""
    if among is None:
        return "", []
    return f" AND codes IN ({','.join('?' * len(among)) or 'NULL'})", list(among)


def _letter(record: str) -> Letter:
    return Letter.from_json(json.loads(record))


def _exchange(row: tuple[Any, ...]) -> Exchange:
    partner, outgoing, incoming, day, complete, how, confirmed_by = row
    return Exchange(partner=partner, outgoing=outgoing, incoming=incoming, date=day,
                    complete=bool(complete), how=how, confirmed_by=confirmed_by)


