"""The catalog: the dates a text cites, pairing from stored facts, rebuild, repair after a crash."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import pdfkit
import pytest

from letters import catalog
from letters.archive import Archive
from letters.messages import msg
from letters.models import Letter
from letters.paging import FIRST
from letters.pairing import exchanges, listing
from letters.pairing.exchanges import CITED_DAYS, REPLY_DAYS, Exchange
from letters.preservation import audit
from letters.service import Letters
from support.dates import cites_date
from support.letters import archived, make
from support.listings import counting
from support.pdfs import letter_lines
from support.pdfs import make as make_pdf
from support.server import FullScan, LiveServer, in_request
from support.web import browser, csrf_of, text_of
from support.webhome import WebHome

FORMS = ("{d} {month} {y}", "{d}er {mois} {y}", "{month} {d}, {y}", "{d:02}/{m:02}/{y}",
         "{d}.{m}.{y}", "{y}-{m:02}-{d:02}", "the {d}th of {month} {y}", "{mon}. {d} {y}",
         "{d} {mon} {y}", "0{d}/{m}/{y}", "{d}/{m}/{y}0", "1{d} {month} {y}")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre")
START = date(2019, 12, 1)


def mention(rng: random.Random, day: date) -> str:
    """A date written in one of the forms letters use (and a few they do not)."""
    form = rng.choice(FORMS)
    return form.format(d=day.day, m=day.month, y=day.year, month=MONTHS[day.month - 1],
                       mois=MOIS[day.month - 1], mon=MONTHS[day.month - 1][:3])


def random_text(rng: random.Random) -> str:
    """Prose citing a few dates near START."""
    words = ["Thank you for your letter of", "Strasbourg,", "votre lettre du", "ref.", "\n"]
    parts = []
    for _ in range(rng.randint(0, 4)):
        parts.append(rng.choice(words))
        parts.append(mention(rng, START + timedelta(days=rng.randint(0, 500))))
    return " ".join(parts)


def test_cited_dates_agree_with_cites_date() -> None:
    rng = random.Random(11)
    texts = [random_text(rng) for _ in range(60)] + [
        "your letter of 8 November 2017 and of 1er février 2018", "08/11/2017", "008/11/2017",
        "18/11/2017", "2017-11-08 and 2017-13-40", "le 31 février 2018", "Nov. 8, 2017"]
    days = [START + timedelta(days=n) for n in range(0, 520, 3)] + [
        date(2017, 11, 8), date(2018, 2, 1), date(2017, 11, 18), date(2017, 11, 1)]
    for text in texts:
        cited = exchanges.cited_dates(text)
        assert {d.isoformat() for d in days if cites_date(text, d.isoformat())} == {
            d.isoformat() for d in days if d.isoformat() in cited}, text
    assert exchanges.cited_dates("votre lettre du 1er février 2018") == {"2018-02-01"}


def reference_pair(letters: list[Letter], texts: dict[str, str]) -> list[Exchange]:
    """Pairing as it was defined before the catalog: every pair of a partner's letters scored
    with both texts (quadratic); the oracle the linear pairing must agree with."""
    def score(out: Letter, inc: Letter) -> tuple[int, int, str, str] | None:
        if not out.date or not inc.date:
            return None
        gap = (date.fromisoformat(inc.date) - date.fromisoformat(out.date)).days
        cited = (cites_date(texts.get(inc.id, ""), out.date)
                 or cites_date(texts.get(out.id, ""), inc.date))
        if cited and abs(gap) <= CITED_DAYS:
            return (0, abs(gap), out.date, inc.id)
        return (1, gap, out.date, inc.id) if 0 <= gap <= REPLY_DAYS else None

    def partner(group: list[Letter]) -> list[Exchange]:
        candidates = [(s, o, i) for o in group if o.direction == "outgoing"
                      for i in group if i.direction == "incoming" if (s := score(o, i))]
        candidates.sort(key=lambda c: c[0])
        paired: set[str] = set()
        found = []
        for _, o, i in candidates:
            if o.id not in paired and i.id not in paired:
                paired.update((o.id, i.id))
                found.append(Exchange(o.partner, o.id, i.id, o.date, True, "automatic"))
        return found + [exchanges._single(x, "automatic") for x in group if x.id not in paired]

    by_id = {x.id: x for x in letters}
    found: list[Exchange] = []
    taken: set[str] = set()
    for x in letters:
        other = by_id.get(x.exchange or "")
        if x.id in taken or other is None or other.id == x.id or other.id in taken:
            continue
        found.append(exchanges._manual_pair(x, other))
        taken.update((x.id, other.id))
    for x in letters:
        if x.id not in taken and x.exchange is not None and x.partner:
            found.append(exchanges._single(x, "manual"))
            taken.add(x.id)
    free = [x for x in letters if x.id not in taken and x.partner is not None]
    for slug in sorted({x.partner for x in free if x.partner}):
        found.extend(partner([x for x in free if x.partner == slug]))
    return sorted(found, key=exchanges._order)


def test_linear_pairing_agrees_with_the_quadratic_definition() -> None:
    rng = random.Random(7)
    for round_ in range(200):
        letters = []
        for n in range(rng.randint(1, 30)):
            day = START + timedelta(days=rng.choice([0, 1, 2, 30, 59, 60, 61, 90, 200, 370]))
            letters.append(make(rng.choice(["ibm", "ibm", "bt", None]),
                                rng.choice(["outgoing", "incoming", "incoming", None]),
                                rng.choice([day.isoformat()] * 6 + [None]), f"{round_}-{n}"))
        for letter in rng.sample(letters, k=len(letters) // 8):
            letter.exchange = rng.choice(["", rng.choice(letters).id])
        texts = {x.id: random_text(rng) for x in letters}
        for x in rng.sample(letters, k=len(letters) // 3):
            texts[x.id] += " your letter of " + mention(rng, date.fromisoformat(
                rng.choice([y.date for y in letters if y.date] or ["2020-01-01"])))
        assert exchanges.pair(letters, texts) == reference_pair(letters, texts), round_


def test_the_catalog_follows_the_archive(app: Letters, tmp_path: Path) -> None:
    out = archived(app, tmp_path, "ibm", "outgoing", "2020-10-01", "Dear Mr Krishna")
    second = archived(app, tmp_path, "ibm", "outgoing", "2020-11-16", "Dear Mr Krishna again")
    reply = archived(app, tmp_path, "ibm", "incoming", "2020-11-17",
                     "Thank you for your letter of 1 October 2020.")
    assert app.catalog.get(reply.id) == app.get(reply.id)
    assert [(x.outgoing, x.incoming) for x in app.catalog.exchanges("ibm") if x.complete] == [
        (out.id, reply.id)]
    assert app.catalog.partner_counts()["ibm"] == 3
    assert [x.id for x in app.catalog.letters_of_partner("ibm")] == [out.id, second.id, reply.id]

    app.correct(second.id, {"partner": "bt"}, by="archivist")
    assert app.catalog.partner_counts()["ibm"] == 2 and app.catalog.partner_counts()["bt"] == 1
    assert [x.ids() for x in app.catalog.exchanges("bt")] == [[second.id]]
    assert app.catalog.founding("ibm") == Exchange("ibm", out.id, reply.id, "2020-10-01", True,
                                                   "automatic")
    assert app.get(out.id).status == "ok"
    waiting = [x.id for x in app.catalog.review_queue()]
    app.parts().update(out.id, {"status": "needs_review", "added_at": "2000-01-01T00:00:00Z"},
                       by="test")
    assert [x.id for x in app.catalog.review_queue()] == [out.id, *waiting]


def counts_kept_and_counted(app: Letters) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The counts the catalog keeps (`counts`), and the same counted from its rows now."""
    with sqlite3.connect(app.settings.index_dir / catalog.FILE) as db:
        kept = sorted(db.execute("SELECT what, key, n FROM counts").fetchall())
        counted = sorted([
            *db.execute("SELECT 'partner', COALESCE(partner, ''), COUNT(*) FROM letters"
                        " GROUP BY 2").fetchall(),
            *db.execute("SELECT 'signatory', COALESCE(signatory, ''), COUNT(*) FROM letters"
                        " GROUP BY 2").fetchall(),
            *db.execute("SELECT 'review', codes, COUNT(*) FROM letters WHERE status ="
                        " 'needs_review' GROUP BY 2").fetchall(),
            *db.execute("SELECT 'incomplete', '', COUNT(*) FROM exchanges WHERE complete = 0"
                        " HAVING COUNT(*)").fetchall()])
    db.close()
    return kept, counted


def test_the_counts_stay_right_through_ingest_correction_set_aside_and_rebuild(
        app: Letters, tmp_path: Path) -> None:
    def right() -> list[tuple[object, ...]]:
        kept, counted = counts_kept_and_counted(app)
        assert kept == counted
        assert app.catalog.incomplete_count() == sum(n for what, _, n in kept  # type: ignore[misc]
                                                     if what == "incomplete")
        return [row for row in kept if row[0] != "incomplete"]

    out = archived(app, tmp_path, "ibm", "outgoing", "2020-10-01", "Dear Mr Krishna")
    other = archived(app, tmp_path, "ibm", "outgoing", "2020-11-16", "Dear Mr Krishna again")
    reply = archived(app, tmp_path, "bt", "incoming", "2020-11-17", "Dear Secretary General")
    assert right() == [("partner", "bt", 1), ("partner", "ibm", 2), ("signatory", "jagland", 3)]
    assert app.catalog.partner_count("ibm") == 2 and app.catalog.signatory_count("jagland") == 3
    assert app.catalog.incomplete_count() == 3  # no letter answered yet

    app.correct(other.id, {"partner": "bt", "signatory": "pejcinovic-buric"},
                by="archivist", confirm_pairing=True)
    assert right() == [("partner", "bt", 2), ("partner", "ibm", 1), ("signatory", "jagland", 2),
                       ("signatory", "pejcinovic-buric", 1)]
    reasons = [msg("reason.no_sg").to_record(), msg("reason.date_not_found").to_record()]
    for letter in (out, reply):
        app.parts().update(letter.id, {"status": "needs_review", "reasons": reasons,
                                       "signatory": None, "partner": None}, by="test")
    codes = json.dumps(["reason.date_not_found", "reason.no_sg"])
    assert right() == [("partner", "", 2), ("partner", "bt", 1), ("review", codes, 2),
                       ("signatory", "", 2), ("signatory", "pejcinovic-buric", 1)]
    assert app.catalog.partner_counts() == {None: 2, "bt": 1}
    assert app.catalog.signatory_counts()[None] == 2 and app.catalog.partner_count("ibm") == 0
    assert app.review_page(FIRST).kinds == {"signatory": 2, "date": 2}

    app.set_aside(reply.id, "copy", by="archivist")
    assert ("review", codes, 1) in right()
    app.restore(reply.id, by="archivist")
    assert ("review", codes, 2) in right()
    app.parts().update(out.id, {"status": "ok", "reasons": []}, by="test")
    assert ("review", codes, 1) in right() and app.review_page(FIRST).total == 1

    shutil.rmtree(app.archive.letter_dir(reply.sha256))  # taken out by hand
    assert app.catalog.repair(everything=True) == 1
    before = right()
    assert before == [("partner", "", 1), ("partner", "bt", 1), ("signatory", "", 1),
                      ("signatory", "pejcinovic-buric", 1)]
    assert app.catalog.rebuild() == 2
    assert right() == before
    app.correct(other.id, {"partner": "ibm"}, by="archivist",  # the triggers the rebuild made
                confirm_pairing=True)
    assert right() == [("partner", "", 1), ("partner", "ibm", 1), ("signatory", "", 1),
                       ("signatory", "pejcinovic-buric", 1)]


def test_the_counts_are_read_without_reading_letters_or_exchanges(app: Letters,
                                                                 tmp_path: Path) -> None:
    """What `/partners`, `/secretaries-general`, their JSON, a partner's or a Secretary
    General's total and the review queue's counts read: the rows kept in `counts`, in time that
    does not grow with the archive (a `GROUP BY` over the letters grew 2.5x from 10,000 to
    100,000)."""
    archived(app, tmp_path, "ibm", "outgoing", "2020-10-01", "Dear Mr Krishna")
    archived(app, tmp_path, "bt", "incoming", "2020-11-17", "Dear Secretary General")
    # a connection of its own: no statement prepared yet, so each is seen by the authorizer
    fresh = catalog.Catalog(app.settings.index_dir / catalog.FILE, app.archive)
    read: set[str] = set()

    def reading(action: int, table: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and table:
            read.add(table)
        return sqlite3.SQLITE_OK

    fresh._db.set_authorizer(reading)
    assert fresh.partner_counts() == {"ibm": 1, "bt": 1} and fresh.partner_count("bt") == 1
    assert fresh.signatory_counts() == {"jagland": 2} and fresh.signatory_count("jagland") == 2
    assert fresh.review_codes() == {} and fresh.incomplete_count() == 2
    assert read == {"counts"}
    fresh.close()


def test_the_exchanges_of_a_page_of_letters_are_found_by_the_letters(app: Letters,
                                                                    tmp_path: Path) -> None:
    """A partner's page asks for the exchanges holding its 100 letters: SQLite finds them by
    the letters' ids, not by reading every exchange of the partner (20,000 of the largest at
    100,000 letters: 15 ms a page, against under 1 ms)."""
    out = archived(app, tmp_path, "ibm", "outgoing", "2020-10-01", "Dear Mr Krishna")
    reply = archived(app, tmp_path, "ibm", "incoming", "2020-11-17",
                     "Thank you for your letter of 1 October 2020.")
    archived(app, tmp_path, "ibm", "outgoing", "2021-03-01", "Dear Mr Krishna again")
    fresh = catalog.Catalog(app.settings.index_dir / catalog.FILE, app.archive)
    asked: list[str] = []
    fresh._db.set_trace_callback(asked.append)
    assert [x.ids() for x in fresh.exchanges_holding("ibm", [reply.id])] == [[out.id, reply.id]]
    fresh._db.set_trace_callback(None)
    plans = [" ".join(str(row[-1]) for row in fresh._db.execute("EXPLAIN QUERY PLAN " + sql))
             for sql in asked if "FROM exchanges" in sql]
    assert plans and all("exchanges_outgoing" in plan and "exchanges_incoming" in plan
                         and "partner=?" not in plan for plan in plans), plans
    fresh.close()


def test_a_catalog_of_another_version_or_none_is_rebuilt(app: Letters, tmp_path: Path) -> None:
    letter = archived(app, tmp_path, "gsma", "outgoing", "2017-11-08", "Letter")
    path = app.settings.index_dir / catalog.FILE
    app.catalog.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
        db.execute("DELETE FROM letters")
    db.close()
    seen: list[tuple[int, int]] = []
    again = catalog.open_catalog(app.settings.index_dir, Archive(app.settings.archive_dir),
                                 lambda done, total: seen.append((done, total)))
    assert again.version() == catalog.SCHEMA_VERSION and again.get(letter.id) == letter
    assert seen == [(1, 1)]
    again.close()
    for name in (catalog.FILE, catalog.FILE + "-wal", catalog.FILE + "-shm"):
        (app.settings.index_dir / name).unlink(missing_ok=True)
    fresh = Letters(app.settings)
    assert fresh.catalog.get(letter.id) == letter


def cited_row(app: Letters, letter_id: str) -> tuple[list[str], str | None]:
    """The dates the catalog holds for a letter's text, and the digest of the text they are of."""
    with sqlite3.connect(app.settings.index_dir / catalog.FILE) as db:
        cited, text = db.execute("SELECT cited, text_sha256 FROM letters WHERE id = ?",
                                 (letter_id,)).fetchone()
    db.close()
    return json.loads(cited), text


def set_in_catalog(app: Letters, sql: str, *args: object) -> None:
    """Change the catalog's file directly (what a rebuild finds there)."""
    with sqlite3.connect(app.settings.index_dir / catalog.FILE) as db:
        db.execute(sql, args)
    db.close()


def test_a_rebuild_reads_again_a_text_changed_since_the_catalog_found_its_dates(
        app: Letters, tmp_path: Path) -> None:
    reply = archived(app, tmp_path, "ibm", "incoming", "2020-11-17",
                     "Thank you for your letter of 1 October 2020.")
    text = app.archive.letter_dir(reply.sha256) / "text.json"
    app.catalog.rebuild()
    assert cited_row(app, reply.id) == (
        ["2020-10-01"], hashlib.sha256(text.read_bytes()).hexdigest())
    pages = json.loads(text.read_text(encoding="utf-8"))
    pages["pages"] = ["Thank you for your letter of 2 October 2020."]
    text.write_text(json.dumps(pages), encoding="utf-8")  # by hand: the text's digest changes
    app.catalog.rebuild()
    assert cited_row(app, reply.id) == (
        ["2020-10-02"], hashlib.sha256(text.read_bytes()).hexdigest())


def test_a_rebuild_takes_the_dates_of_an_unchanged_text_from_the_catalog_it_replaces_if_of_its_version(
        app: Letters, tmp_path: Path) -> None:
    reply = archived(app, tmp_path, "ibm", "incoming", "2020-11-17",
                     "Thank you for your letter of 1 October 2020.")
    app.catalog.rebuild()
    digest = cited_row(app, reply.id)[1]
    set_in_catalog(app, "UPDATE letters SET cited = '[\"1999-01-01\"]'")
    app.catalog.rebuild()  # the same text file: its dates are not looked for again
    assert cited_row(app, reply.id) == (["1999-01-01"], digest)
    set_in_catalog(app, "UPDATE meta SET value = '0' WHERE key = 'cited'")
    app.catalog.rebuild()  # dates found by another version of `cited_dates`: found again
    assert cited_row(app, reply.id) == (["2020-10-01"], digest)
    set_in_catalog(app, "UPDATE letters SET cited = '[\"1999-01-01\"]', text_sha256 = NULL")
    app.catalog.rebuild()  # dates not known to be of this text: found again
    assert cited_row(app, reply.id) == (["2020-10-01"], digest)
    set_in_catalog(app, "UPDATE letters SET cited = '[\"1999-01-01\"]'")
    set_in_catalog(app, "UPDATE meta SET value = ? WHERE key = 'schema'",
                   str(catalog.schema.CITED_KEPT_SINCE))
    app.catalog.rebuild()  # an older catalog keeping them as this one does: taken again
    assert cited_row(app, reply.id) == (["1999-01-01"], digest)
    set_in_catalog(app, "UPDATE meta SET value = ? WHERE key = 'schema'",
                   str(catalog.schema.CITED_KEPT_SINCE - 1))
    app.catalog.rebuild()  # a catalog keeping them otherwise: found again
    assert cited_row(app, reply.id) == (["2020-10-01"], digest)


def test_a_rebuild_takes_in_a_linked_letter_whose_history_is_not_utf8(app: Letters,
                                                                       tmp_path: Path) -> None:
    out = archived(app, tmp_path, "ibm", "outgoing", "2020-10-01", "Dear Mr Krishna")
    inc = archived(app, tmp_path, "ibm", "incoming", "2020-12-20", "Dear Secretary General")
    app.link(out.id, inc.id, by="marie")
    linked = app.get(inc.id)
    with open(app.archive.letter_dir(inc.sha256) / "history.jsonl", "ab") as history:
        history.write(b"\xff\xfe not UTF-8\n")  # damaged by hand: `letters verify` reports it
    assert app.catalog.rebuild() == 2
    assert app.catalog.get(inc.id) == linked and linked.exchange == out.id
    with sqlite3.connect(app.settings.index_dir / catalog.FILE) as db:
        assert db.execute("SELECT linked_by FROM letters WHERE id = ?",
                          (out.id,)).fetchone() == ("marie",)
        assert db.execute("SELECT linked_by FROM letters WHERE id = ?",
                          (inc.id,)).fetchone() == (None,)  # its history cannot say
    db.close()


def test_a_record_written_without_its_catalog_row_is_repaired(app: Letters,
                                                              tmp_path: Path) -> None:
    """What a kill between the archive write and the catalog write leaves: journalled letters,
    one whose record changed, one new (a letter directory without a row); the next open
    repairs both."""
    out = archived(app, tmp_path, "gsma", "outgoing", "2017-11-08", "Letter")
    app.catalog.changing(out.sha256)
    bare = Archive(app.settings.archive_dir)  # no catalog: as if the process died right after
    bare.update(out.id, {"partner": "orange"}, by="archivist")
    data = pdfkit.text_pdf([["Reply", "gsma"]])
    pdf = tmp_path / "reply.pdf"
    pdf.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    reply = make("gsma", "incoming", "2017-11-08", "reply")
    reply.id, reply.sha256 = sha[:16], sha
    app.catalog.changing(sha)
    assert bare.add(pdf, reply, ["Reply"])
    assert app.catalog.get(out.id).partner == "gsma"  # type: ignore[union-attr]
    assert app.catalog.get(reply.id) is None
    app.catalog.close()

    again = Letters(app.settings)
    assert again.catalog.get(out.id) == again.get(out.id)
    assert again.catalog.get(reply.id) == again.get(reply.id)
    # GSMA's founding exchange (out, moved to Orange by no decision) is held; the reply proposed
    assert sorted(x.ids() for x in again.catalog.exchanges("gsma")) == sorted([[out.id],
                                                                              [reply.id]])
    assert [p[2].ids() for p in again.catalog.proposals("gsma")] == [[reply.id]]
    assert [x.ids() for x in again.catalog.exchanges("orange")] == [[out.id]]


def test_opening_lists_no_letter_directory_and_verify_takes_in_one_put_in_by_hand(
        app: Letters, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening the catalog (every command, the server) re-reads its journal only, whatever the
    size of the archive; a letter directory put in by hand, which no journal names, is taken
    in when `letters verify` compares every directory with the catalog."""
    kept = [archived(app, tmp_path, "gsma", "outgoing", f"2017-11-{day:02}", f"Letter {day}")
            for day in range(1, 6)]
    data = pdfkit.text_pdf([["By hand", "gsma"]])
    pdf = tmp_path / "by-hand.pdf"
    pdf.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    by_hand = make("gsma", "incoming", "2017-11-20", "by hand")
    by_hand.id, by_hand.sha256 = sha[:16], sha
    assert Archive(app.settings.archive_dir).add(pdf, by_hand, ["By hand"])
    app.catalog.close()
    with counting(monkeypatch) as listings:
        again = Letters(app.settings)
        assert [again.catalog.get(x.id) for x in kept] == kept
    assert listings.under(app.archive.letters_dir) == []
    assert again.catalog.get(by_hand.id) is None
    again.verify()
    assert again.catalog.get(by_hand.id) == again.get(by_hand.id)


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """Run `letters` in a process of its own."""
    return subprocess.run([sys.executable, "-m", "letters", "--home", str(home), *args],
                          capture_output=True, text=True, timeout=300)


def catalog_rows(home: Path) -> tuple[set[str], list[tuple[object, ...]]]:
    """The ids and exchanges the catalog file holds, read as it is (no repair)."""
    with sqlite3.connect(home / "index" / catalog.FILE) as db:
        ids = {row[0] for row in db.execute("SELECT id FROM letters")}
        rows = db.execute("SELECT partner, outgoing, incoming, complete FROM exchanges"
                          " ORDER BY partner, position").fetchall()
    db.close()
    return ids, rows


@pytest.mark.slow  # kills a real ingesting process
def test_kill_9_mid_ingest_is_repaired_by_the_next_start(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for day in range(1, 25):
        make_pdf(folder, f"{day:02}.pdf", letter_lines("Google LLC", day, reply=day % 2 == 0))
    home = tmp_path / "home"
    process = subprocess.Popen([sys.executable, "-m", "letters", "--home", str(home), "ingest",
                                str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    archive = Archive(home / "archive")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(archive.records())) < 3:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    records = {x.id: x for x in archive.records()}
    assert 3 <= len(records) < 24, "the kill must land mid-way"
    texts = {i: "\n".join(archive.pages(i)) for i in records}
    expected = [(x.partner, x.outgoing, x.incoming, int(x.complete)) for x in exchanges.pair(
        sorted(records.values(), key=lambda x: (x.date or "9999", x.id)), texts)]

    listed = run_cli("partners", "--json", home=home)  # the next start: any command
    assert listed.returncode == 0, listed.stderr
    counts = {p["slug"]: p["letters"] for p in json.loads(listed.stdout)}
    assert counts["google"] == len(records)
    ids, rows = catalog_rows(home)
    assert ids == set(records) and rows == expected

    with sqlite3.connect(home / "index" / catalog.FILE) as db:  # damage it: reindex mends it
        db.execute("DELETE FROM letters WHERE id = ?", (sorted(records)[0],))
        db.execute("DELETE FROM exchanges")
    db.close()
    assert run_cli("reindex", home=home).returncode == 0
    assert catalog_rows(home) == (set(records), expected)


@pytest.mark.parametrize("field", ["partner", "status"])
def test_verify_reports_a_catalog_row_that_disagrees(app: Letters, tmp_path: Path,
                                                     field: str) -> None:

    letter = archived(app, tmp_path, "gsma", "outgoing", "2017-11-08", "Letter")
    # as an ingest does: the upload audited, the letter indexed (verify checks both)
    audit.record(app.settings.archive_dir, "upload", "tester",
                 {"id": letter.id, "sha256": letter.sha256, "filename": letter.filename})
    app.index.update([letter])
    assert not app.verify().problems
    Archive(app.settings.archive_dir).update(letter.id, {field: None if field == "partner"
                                                         else "needs_review"}, by="hand")
    problems = app.verify().problems
    assert [(p.id, p.problem) for p in problems] == [
        (letter.id, "the catalog disagrees with record.json (run letters reindex)")]
    json.dumps(app.verify().to_json())


def test_request_paths_read_the_catalog_not_the_archive(
        fresh: tuple[LiveServer, WebHome]) -> None:
    """Every page kind and its API twin answers with full scans refused (the guard of conftest,
    on in every live server); and the guard does refuse one."""
    server, home = fresh
    letter = home.ids["cloudflare-in.pdf"]
    paths = ["/partners", "/partners/cloudflare", "/secretaries-general",
             "/secretaries-general/jagland", f"/letters/{letter}", "/review", "/audit",
             "/partners/cloudflare/relink"]
    api = ["/api/partners", "/api/partners/cloudflare", "/api/secretaries-general",
           f"/api/letters/{letter}", "/api/review", "/api/audit",
           "/api/partners/cloudflare/exchanges", "/api/partners/cloudflare/relink"]
    with browser(server, "admin") as http:
        for path in paths + api:
            assert http.get(path).status_code == 200, path
        assert "no person has confirmed it yet" in http.get("/partners/cloudflare").text
    cloudflare = httpx.get(f"{server.url}/api/partners/cloudflare", headers={
        "Authorization": f"Bearer {home.tokens['reader']}"}).json()
    assert cloudflare["founding_exchange"]["complete"] is True
    with in_request(), pytest.raises(FullScan):
        list(server.app.state.web.letters.archive.records())


def test_the_command_line_registers_a_partner_as_the_web_does(tmp_path: Path) -> None:
    from letters.preservation import audit

    home = tmp_path / "home"
    done = run_cli("partners", "add", "acme-robotics", "--name", "Acme Robotics GmbH", "--kind",
                   "company", "--joined", "2024-03-01", home=home)
    assert done.returncode == 0, done.stderr
    [event] = [e for e in audit.events(home / "archive") if e["action"] == "registry"]
    assert event["what"] == {"op": "add_partner", "slug": "acme-robotics",
                             "name": "Acme Robotics GmbH", "kind": "company",
                             "joined": "2024-03-01"}
    listed = json.loads(run_cli("partners", "--json", home=home).stdout)
    assert {p["slug"]: p["letters"] for p in listed}["acme-robotics"] == 0


def test_the_sample_archive_pairs_as_before(tmp_path: Path) -> None:
    """On the committed sample archive (54 letters), every partner's stored exchanges and founding
    exchange are those of the quadratic definition over the records and their texts."""
    import shutil

    from letters.settings import Settings

    home = tmp_path / "home"
    shutil.copytree(Path(__file__).resolve().parents[1] / "archive", home / "archive")
    app = Letters(Settings(home=home))
    records = sorted(Archive(home / "archive").records(), key=lambda x: (x.date or "9999", x.id))
    texts = {x.id: "\n".join(app.archive.pages(x.id)) for x in records}
    complete = 0
    for slug in app.registry.partners:
        mine = [x for x in records if x.partner == slug]
        expected = reference_pair(mine, texts)
        assert app.catalog.exchanges(slug) == expected, slug
        assert app.founding_documents(slug) == exchanges.founding_of(expected)
        complete += sum(x.complete for x in expected)
    assert complete >= 20  # the sample holds both letters of most partners' exchange


def test_who_confirmed_an_exchange_is_kept_and_shown(app: Letters, tmp_path: Path) -> None:

    out = archived(app, tmp_path, "gsma", "outgoing", "2017-11-08", "Letter")
    inc = archived(app, tmp_path, "gsma", "incoming", "2017-11-08", "Reply")
    [automatic] = app.catalog.exchanges("gsma")
    assert automatic.how == "automatic" and automatic.confirmed_by is None
    made = app.link(out.id, inc.id, by="marie")
    assert made.confirmed_by == "marie"
    assert app.catalog.founding("gsma") == made
    assert app.catalog.exchanges("gsma")[0].to_json()["confirmed_by"] == "marie"
    app.catalog.rebuild()  # from the archive alone: the letters' history says who
    assert app.catalog.founding("gsma") == made
    bundle = app.export_bundle("gsma", tmp_path / "bundle.zip", by="auditor")
    import zipfile

    with zipfile.ZipFile(bundle) as zipped:
        info = zipped.read("gsma-founding-documents/bag-info.txt").decode()
    assert "Exchange-Confirmed-By: marie" in info
    app.unlink(out.id, by="marie")
    assert [x.confirmed_by for x in app.catalog.exchanges("gsma")] == [None, None]


def test_a_correction_that_changes_a_founding_exchange_needs_confirming(app: Letters,
                                                                      tmp_path: Path) -> None:
    from letters.preservation import audit

    out = archived(app, tmp_path, "gsma", "outgoing", "2017-11-08", "Letter")
    inc = archived(app, tmp_path, "gsma", "incoming", "2017-11-08", "Reply")
    other = archived(app, tmp_path, "orange", "incoming", "2017-11-09",
                     "Thank you for your letter of 8 November 2017.")
    with pytest.raises(exchanges.PairingChange, match="founding exchange of GSMA"):
        app.correct(other.id, {"partner": "gsma"}, by="marie")
    assert app.get(other.id).partner == "orange"
    assert app.catalog.founding("gsma").ids() == [out.id, inc.id]  # type: ignore[union-attr]
    app.correct(other.id, {"partner": "gsma"}, by="marie", confirm_pairing=True)
    assert app.catalog.founding("gsma").ids() == [out.id, other.id]  # type: ignore[union-attr]
    [event] = [e for e in audit.events(app.settings.archive_dir) if e["action"] == "correct"]
    assert "founding exchange of GSMA" in event["what"]["pairing"][0]

    app.link(out.id, inc.id, by="marie")  # confirmed by a person
    with pytest.raises(exchanges.PairingChange, match="marie confirmed"):
        app.correct(inc.id, {"partner": "orange"}, by="paul")
    app.correct(inc.id, {"title": "The reply"}, by="paul")  # pairing untouched: no question


def test_the_api_and_the_form_ask_before_changing_a_founding_exchange(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    reply = home.ids["cloudflare-in.pdf"]
    headers = {"Authorization": f"Bearer {home.tokens['archivist']}"}
    url = f"{server.url}/api/letters/{reply}"
    refused = httpx.patch(url, json={"partner": "google"}, headers=headers)
    assert refused.status_code == 422
    assert "founding exchange of Cloudflare" in refused.json()["detail"]
    with browser(server, "archivist") as http:
        page = http.get(f"/letters/{reply}").text
        form = http.post(f"/letters/{reply}/correct", data={
            "csrf": csrf_of(page), "partner": "google"})
        assert form.status_code == 422 and 'name="confirm_pairing" value="1"' in form.text
        shown = text_of(form.text)  # the letters named by writer and date, days written out
        assert "the Secretary General's letter of 23 May 2018" in shown
        assert f"letters {reply}" not in shown and f" and {reply})" not in shown
        french = http.post(f"/letters/{reply}/correct?lang=fr", data={
            "csrf": csrf_of(page), "partner": "google"})
        shown = text_of(french.text)
        assert "Cette correction change l’échange fondateur de Cloudflare : l’échange complet du" \
            in shown
        assert "la lettre du Secrétaire Général du 23 mai 2018" in shown
        assert "Confirmez le changement d’échange pour l’enregistrer." in shown
        assert "founding exchange" not in shown and "2018-05-23" not in shown
        http.get(f"/letters/{reply}?lang=en")
        done = http.post(f"/letters/{reply}/correct", data={
            "csrf": csrf_of(page), "partner": "google", "confirm_pairing": "1"})
        assert done.status_code == 303
    assert httpx.get(url, headers=headers).json()["partner"] == "google"
    back = httpx.patch(url, json={"partner": "cloudflare", "confirm_pairing": True},
                       headers=headers)
    assert back.status_code == 200 and back.json()["partner"] == "cloudflare"


def test_relinking_asks_before_changing_a_founding_exchange(app: Letters, tmp_path: Path) -> None:
    from letters.registry import RegistryError

    out = archived(app, tmp_path, "gsma", "outgoing", "2017-11-08", "Letter")
    inc = archived(app, tmp_path, "gsma", "incoming", "2017-11-08", "Reply")
    with pytest.raises(RegistryError, match="founding exchange of GSMA") as refused:
        app.relink("orange", [inc.id], by="marie")
    assert app.get(inc.id).partner == "gsma"
    from letters.web.render import problem_text  # the relink page says it in French too

    french = problem_text(refused.value, "fr")
    assert french.startswith("Cette correction change l’échange fondateur de GSMA : ")
    assert "la lettre du partenaire du 8 novembre 2017" in french and inc.id not in french
    [done] = app.relink("orange", [inc.id], by="marie", confirm_pairing=True)
    assert done.partner == "orange"
    assert [x.ids() for x in app.catalog.exchanges("gsma")] == [[out.id]]


def nearest_by_definition(letters: list[Letter], letter: Letter, limit: int) -> list[str]:
    """The pairing choices as the form promises them, from every letter of the partner: the other
    direction (or none), the `limit` nearest in date (an undated letter as if of the last day
    there is), ties to the lowest id; shown by date, undated last."""
    def apart(other: Letter) -> int:
        return abs((date.fromisoformat(letter.date or "9999-12-31")
                    - date.fromisoformat(other.date or "9999-12-31")).days)

    allowed = [x for x in letters if x.id != letter.id
               and not (letter.direction and x.direction and x.direction == letter.direction)]
    chosen = sorted(allowed, key=lambda x: (apart(x), x.id))[:limit]
    return [x.id for x in sorted(chosen, key=lambda x: (x.date or "9999", x.id))]


def test_pairing_choices_are_the_nearest_in_date_whatever_the_partners_size(
        app: Letters, tmp_path: Path) -> None:
    rng = random.Random(7)
    days = [date(2019, 1, 1) + timedelta(days=rng.randrange(0, 400)) for _ in range(36)]
    letters = [archived(app, tmp_path, "ibm", rng.choice(["outgoing", "incoming"]),
                        day.isoformat(), f"Letter {n}") for n, day in enumerate(days)]
    for x in letters[:4]:  # some undated, some of no direction
        app.parts().update(x.id, {"date": None}, by="test")
    for x in letters[4:8]:
        app.parts().update(x.id, {"direction": None}, by="test")
    everyone = app.catalog.letters_of_partner("ibm")
    assert len(everyone) == 36
    for letter in everyone:
        for limit in (1, 5, 40):
            got = [x.id for x in app.pair_choices(letter)] if limit == 40 else [
                x.id for x in listing.pair_choices(app.catalog, letter, limit)]
            want = nearest_by_definition(everyone, letter, limit)
            assert got == want, (letter.date, letter.direction, limit)


REBUILD_BY_WORKERS = """
import os, sys
from pathlib import Path
from letters import pool
from letters.archive import Archive
from letters.messages import msg
from letters.catalog import files
from letters.catalog.store import Catalog
pool.PARALLEL_AT = 1
pool.CHUNK = 5
seen = Path(sys.argv[2])
read = files.rows

def rows(chunk):
    (seen / str(os.getpid())).touch()
    return read(chunk)

files.rows = rows
home = Path(sys.argv[1])
catalog = Catalog(home / "index" / "catalog.sqlite", Archive(home / "archive"))
print(catalog.rebuild(), os.getpid())
"""


def catalog_tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the catalog's tables that a rebuild makes, sorted."""
    with sqlite3.connect(path) as db:
        return {table: sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
                for table in ("letters", "exchanges", "founding", "pairing", "stale", "meta",
                              "counts")}


def test_a_rebuild_read_by_worker_processes_makes_the_same_catalog(tmp_path: Path) -> None:
    from letters.settings import Settings

    home = tmp_path / "home"
    shutil.copytree(Path(__file__).resolve().parents[1] / "archive", home / "archive")
    app = Letters(Settings(home=home))
    count = app.catalog.rebuild()
    before = catalog_tables(home / "index" / "catalog.sqlite")
    app.catalog.close()
    seen = tmp_path / "seen"
    seen.mkdir()
    done = subprocess.run([sys.executable, "-c", REBUILD_BY_WORKERS, str(home), str(seen)],
                          capture_output=True, text=True, check=True, timeout=300)
    rebuilt, parent = done.stdout.split()
    assert int(rebuilt) == count > 40
    assert {p.name for p in seen.iterdir()} - {parent}  # read by other processes
    assert catalog_tables(home / "index" / "catalog.sqlite") == before
