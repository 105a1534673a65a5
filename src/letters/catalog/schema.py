"""The catalog's tables, in one place, and the version they are at."""

from __future__ import annotations

from dataclasses import dataclass

FILE = "catalog.sqlite"
#: Bumped whenever the tables or what they hold change: a catalog of another version is rebuilt.
SCHEMA_VERSION = 7
#: The oldest version whose `cited` and `text_sha256` columns hold what this one's do: a rebuild
#: replacing a catalog of this version or later takes its dates again (6 → 7 added `counts`).
CITED_KEPT_SINCE = 6
#: What `ORDER BY` uses for "undated last", as `exchanges.letters_of` sorts.
UNDATED = "9999"

#: The letters whose record the search index may not hold yet, each with the mark of its last
#: change (made in the transaction that stores the record; see `Catalog.unindexed`).
UNINDEXED = "CREATE TABLE IF NOT EXISTS unindexed (sha256 TEXT PRIMARY KEY, mark INTEGER NOT NULL)"

#: The letters of a link or unlink under way (entered once their locks are held, gone when it
#: has ended): what a kill left half-paired among them is mended at the next start.
LINKING = "CREATE TABLE IF NOT EXISTS linking (id TEXT PRIMARY KEY)"

#: `letters.cited`: the dates the letter's text cites; `text_sha256`: the digest of the text file
#: they were found in, when known (a rebuild takes them again for a text of that digest).
SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE letters (
    sha256 TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, partner TEXT, signatory TEXT, date TEXT,
    direction TEXT, status TEXT NOT NULL, added_at TEXT NOT NULL, exchange TEXT,
    linked_by TEXT, cited TEXT NOT NULL, codes TEXT NOT NULL, record TEXT NOT NULL,
    text_sha256 TEXT);
CREATE INDEX letters_partner ON letters (partner, COALESCE(date, '{UNDATED}'), id);
CREATE INDEX letters_signatory ON letters (signatory, COALESCE(date, '{UNDATED}'), id);
CREATE INDEX letters_review ON letters (status, added_at, id);
CREATE INDEX letters_codes ON letters (status, codes);
CREATE TABLE exchanges (
    partner TEXT NOT NULL, position INTEGER NOT NULL, outgoing TEXT, incoming TEXT, date TEXT,
    complete INTEGER NOT NULL, how TEXT NOT NULL, confirmed_by TEXT, ids TEXT NOT NULL,
    PRIMARY KEY (partner, position));
CREATE INDEX exchanges_incomplete ON exchanges (complete, COALESCE(date, '{UNDATED}'), ids);
CREATE INDEX exchanges_outgoing ON exchanges (outgoing);
CREATE INDEX exchanges_incoming ON exchanges (incoming);
CREATE TABLE founding (partner TEXT PRIMARY KEY, position INTEGER NOT NULL);
CREATE TABLE pending (sha256 TEXT PRIMARY KEY);
CREATE TABLE pairing (
    partner TEXT PRIMARY KEY, held_outgoing TEXT, held_incoming TEXT, held_by TEXT,
    dismissed TEXT NOT NULL DEFAULT '[]', automatic TEXT, proposed_outgoing TEXT,
    proposed_incoming TEXT, proposed_date TEXT, proposed_complete INTEGER) WITHOUT ROWID;
CREATE TABLE stale (partner TEXT PRIMARY KEY);
CREATE TABLE counts (what TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (what, key)) WITHOUT ROWID;
{UNINDEXED};
{LINKING};
"""

#: What `counts` holds of each letter (`what`: the column's expression, for the letters it
#: counts): its partner and its Secretary General ('' for none), and the reason codes of a letter
#: needing review (`codes`, the set as stored); besides, ('incomplete', '') the number of
#: exchanges lacking a letter (`INCOMPLETE`). The pages that show how many letters each has read
#: these rows, so their answers do not grow with the archive.
COUNTED = {
    "partner": ("COALESCE({row}.partner, '')", "true"),
    "signatory": ("COALESCE({row}.signatory, '')", "true"),
    "review": ("{row}.codes", "{row}.status = 'needs_review'"),
}


def _counting(row: str, step: str) -> str:
    """The statements adding `step` (1 or -1) to the counts of the letter `row` (NEW or OLD)."""
    return "".join(
        f"INSERT INTO counts SELECT '{what}', {key.format(row=row)}, {step} WHERE"
        f" {where.format(row=row)} ON CONFLICT (what, key) DO UPDATE SET n = n + {step};"
        for what, (key, where) in COUNTED.items())


#: The triggers keeping `counts` in step with `letters` (made by a rebuild once the rows are in
#: and counted in one pass: `COUNT`). A count fallen to 0 is dropped, as a `GROUP BY` gives none.
COUNTING = [
    f"CREATE TRIGGER letters_added AFTER INSERT ON letters BEGIN {_counting('NEW', '1')} END",
    f"CREATE TRIGGER letters_removed AFTER DELETE ON letters BEGIN {_counting('OLD', '-1')}"
    " DELETE FROM counts WHERE n = 0; END",
    "CREATE TRIGGER letters_changed AFTER UPDATE OF partner, signatory, status, codes ON letters"
    " WHEN OLD.partner IS NOT NEW.partner OR OLD.signatory IS NOT NEW.signatory"
    " OR OLD.status IS NOT NEW.status OR OLD.codes IS NOT NEW.codes"
    f" BEGIN {_counting('OLD', '-1')} {_counting('NEW', '1')} DELETE FROM counts WHERE n = 0;"
    " END",
]
#: What `Catalog._pair` adds to the number of incomplete exchanges (the one write of `exchanges`)
#: when it pairs a partner again: how many of its exchanges lack a letter now, less before.
INCOMPLETE = ("INSERT INTO counts VALUES ('incomplete', '', ?) ON CONFLICT (what, key) DO UPDATE"
              " SET n = n + excluded.n")
#: Every count at once, from the rows (what a rebuild stores before making `COUNTING`).
COUNT = [f"INSERT INTO counts SELECT '{what}', {key.format(row='letters')}, COUNT(*) FROM"
         f" letters WHERE {where.format(row='letters')} GROUP BY 2"
         for what, (key, where) in COUNTED.items()]
ORDER = f"COALESCE(date, '{UNDATED}'), id"
EXCHANGE_COLUMNS = "partner, outgoing, incoming, date, complete, how, confirmed_by"


@dataclass(frozen=True)
class Facts:
    """What pairing reads of one letter, as the catalog holds it."""

    id: str
    partner: str | None
    date: str | None
    direction: str | None
    exchange: str | None
    status: str = "ok"


