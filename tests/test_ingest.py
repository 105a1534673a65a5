"""The ingestion pipeline: results, duplicates, bad input leaving the archive untouched, kill -9."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pdfkit
import pypdf
import pytest

from letters.archive import Archive
from letters.ingest.pipeline import Indexer
from letters.models import Letter
from letters.search import SearchRequest
from letters.service import Letters
from letters.settings import Settings
from support.letters import archived
from support.listings import Listings, counting
from support.pdfs import build_letter, letter_lines, make
from support.processes import invoke, run

ROOT = Path(__file__).resolve().parents[1]


def snapshot(root: Path) -> dict[str, str]:
    """Every file under root with the SHA-256 of its bytes."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_added_then_duplicate(app: Letters, tmp_path: Path) -> None:
    pdf = make(tmp_path / "in", "apple.pdf", letter_lines("Apple Inc.", 8))
    first = app.ingest([pdf], by="tester")
    assert [r.result for r in first] == ["added"]
    letter = first[0].letter
    assert letter is not None
    assert letter.sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert (letter.partner, letter.signatory, letter.date, letter.direction) == (
        "apple", "jagland", "2017-11-08", "outgoing")
    stored = app.archive.original_path(letter.id)
    assert stored.read_bytes() == pdf.read_bytes()
    again = app.ingest([pdf, pdf], by="tester")
    assert [r.result for r in again] == ["duplicate", "duplicate"]
    assert {r.letter.id for r in again if r.letter} == {letter.id}
    assert len(list(app.archive.records())) == 1


def test_same_file_twice_in_one_batch(app: Letters, tmp_path: Path) -> None:
    pdf = make(tmp_path / "in", "a.pdf", letter_lines("Google LLC", 8))
    copy = tmp_path / "in" / "copy.pdf"
    copy.write_bytes(pdf.read_bytes())
    results = app.ingest([pdf, copy], by="tester")
    assert [r.result for r in results] == ["added", "duplicate"]
    assert results[1].letter is not None and results[0].letter is not None
    assert results[1].letter.id == results[0].letter.id


def encrypted_pdf(path: Path) -> Path:
    """A PDF that needs a user password."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdfkit.text_pdf([["Secret letter"]])))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def broken_pages_pdf(path: Path) -> Path:
    """A PDF whose page tree points at something that is not a page: reading its pages fails."""
    data = pdfkit.text_pdf([["A letter"]])
    path.write_bytes(data.replace(b"/Type /Pages", b"/Type /Pagez").replace(b"/Kids [", b"/Kidz ["))
    return path


BAD_INPUTS = {
    "text.pdf": (lambda p: p.write_text("Dear Secretary General, this is plain text."), "not a PDF"),
    "image.png": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100), "not a PDF"),
    "empty.pdf": (lambda p: p.write_bytes(b""), "empty file"),
    "truncated.pdf": (lambda p: p.write_bytes(pdfkit.text_pdf([["A letter"]])[:400]), "damaged"),
    "encrypted.pdf": (encrypted_pdf, "encrypted: a password is needed"),
    "broken-pages.pdf": (broken_pages_pdf, "damaged"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_rejected_with_a_sentence_and_archive_unchanged(
        app: Letters, tmp_path: Path, name: str) -> None:
    good = make(tmp_path / "in", "good.pdf", letter_lines("Microsoft Corporation", 8))
    app.ingest([good], by="tester")
    before = snapshot(app.settings.archive_dir)
    build, expected = BAD_INPUTS[name]
    bad = tmp_path / "in" / name
    build(bad)
    [result] = app.ingest([bad], by="tester")
    assert result.result == "rejected"
    assert result.error is not None and result.error.startswith(expected), result.error
    assert "\n" not in result.error and "Traceback" not in result.error
    after = snapshot(app.settings.archive_dir)
    # Only the audit log grows (the rejection is an event); no letter file appears or changes.
    log = ("audit.jsonl", "audit-head.json")
    assert {k: v for k, v in after.items() if k not in log} == {
        k: v for k, v in before.items() if k not in log}
    assert json.loads((app.settings.archive_dir / "audit.jsonl").read_text().splitlines()[-1])[
        "action"] == "upload_rejected"


def test_one_bad_file_never_stops_the_batch(app: Letters, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good1 = make(folder, "a.pdf", letter_lines("Apple Inc.", 8))
    (folder / "b.pdf").write_bytes(b"garbage")
    good2 = make(folder, "c.pdf", letter_lines("Orange S.A.", 8))
    results = app.ingest([good1, folder / "b.pdf", good2], by="tester")
    assert [r.result for r in results] == ["added", "rejected", "added"]


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """Run the real `letters` command in a process of its own."""
    return run(home, *args)


def test_cli_ingest_json_and_exit_status(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make(folder / "sub", "a.pdf", letter_lines("Apple Inc.", 8))
    (folder / "bad.pdf").write_bytes(b"not a pdf at all")
    (folder / "notes.txt").write_text("ignored: not *.pdf")
    done = run_cli("ingest", "--json", str(folder), home=home)
    assert done.returncode == 1, done.stderr
    lines = [json.loads(x) for x in done.stdout.splitlines()]
    assert sorted(x["result"] for x in lines) == ["added", "rejected"]
    added = next(x for x in lines if x["result"] == "added")
    assert added["partner"] == "apple" and added["path"].endswith("a.pdf")
    assert len(added["sha256"]) == 64 and added["id"]
    rejected = next(x for x in lines if x["result"] == "rejected")
    assert rejected["error"].startswith("not a PDF") and rejected["code"] == "refusal.not_pdf"
    assert "code" not in added
    assert "1 added, 0 duplicate, 1 rejected" in done.stderr
    again = invoke(home, "ingest", "--json", str(folder / "sub"))  # the same, in this process
    assert again.returncode == 0
    assert json.loads(again.stdout)["result"] == "duplicate"
    assert json.loads(again.stdout)["id"] == added["id"]
    shown = run_cli("show", "--json", added["id"], home=home)
    assert "COUNCIL OF EUROPE" in json.loads(shown.stdout)["text"]
    assert invoke(home, "ingest", "--jobs", "0", str(folder)).returncode == 2
    assert invoke(home, "show", "0000000000000000").returncode == 1


def test_two_jobs_give_the_same_records(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for day in range(1, 7):
        make(folder, f"{day}.pdf", letter_lines("Apple Inc.", day, reply=day % 2 == 0))
    fields = ("id", "partner", "signatory", "date", "direction", "signed_by", "language")
    outcome = []
    for jobs in (1, 2):
        home = tmp_path / f"home{jobs}"
        done = invoke(home, "ingest", "--json", "--jobs", str(jobs), str(folder))
        assert done.returncode == 0, done.stderr
        outcome.append(sorted(tuple(json.loads(x)[f] for f in fields) for x in done.stdout.splitlines()))
    assert outcome[0] == outcome[1]
    assert len(outcome[0]) == 6


def test_kill_9_mid_ingest_leaves_archive_consistent_and_rerun_completes(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for day in range(1, 29):
        make(folder, f"{day:02}.pdf", letter_lines("Google LLC", day, reply=day % 2 == 0))
    home = tmp_path / "home"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "letters", "--home", str(home), "ingest",
                                str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    archive = Archive(home / "archive")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(archive.records())) < 3:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = len(list(archive.records()))
    assert 3 <= killed_at < 28, "the kill must land mid-way"
    for letter in archive.records():
        directory = archive.letter_dir(letter.sha256)
        assert {p.name for p in directory.iterdir()} >= {"original.pdf", "record.json", "text.json",
                                                          "history.jsonl"}
        assert hashlib.sha256((directory / "original.pdf").read_bytes()).hexdigest() == letter.sha256
    rerun = invoke(home, "ingest", "--json", str(folder))  # the next start, in this process
    assert rerun.returncode == 0, rerun.stderr
    results = [json.loads(x)["result"] for x in rerun.stdout.splitlines()]
    assert results.count("duplicate") == killed_at and results.count("added") == 28 - killed_at
    assert len(list(archive.records())) == 28
    assert not list((home / "archive" / ".staging").glob("*"))
    app = Letters(Settings(home=home))
    assert app.index.ids() == {letter.id for letter in archive.records()}


def test_the_indexer_indexes_on_its_thread_and_hands_errors_back(tmp_path: Path) -> None:
    app = Letters(Settings(home=tmp_path / "home"))
    letter = build_letter(app.archive, tmp_path / "pdfs", ["A wombat accord."], partner="gni")
    indexer = Indexer(app.index)
    indexer.add([letter])
    indexer.finish()
    assert app.search(SearchRequest(q="wombat")).total == 1
    stranger = replace(letter, id="0" * 16, sha256="0" * 64)  # not in the archive: no text
    failing = Indexer(app.index)
    failing.add([stranger])
    with pytest.raises(KeyError):
        failing.finish()
    assert app.search(SearchRequest(q="wombat")).total == 1


def upload_into(archive_of: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                ) -> tuple[Letters, Letter, Listings, Counter[str]]:
    """Upload one letter into an archive of `archive_of` letters (archived, catalogued and
    indexed, the server's catalog and index open), counting the directories listed and the
    calls that read the whole archive or the whole index on the real objects."""
    app = Letters(Settings(home=tmp_path / f"home-{archive_of}"))
    (tmp_path / "seed").mkdir(exist_ok=True)
    seeded = [archived(app, tmp_path / "seed", "gsma", "outgoing",
                       f"{2000 + n // 12}-{1 + n % 12:02}-01", f"Letter number {n} of the seed.")
              for n in range(archive_of)]
    app.index.update(seeded)
    assert not app.catalog.unindexed()
    pdf = make(tmp_path / "in", "apple.pdf", letter_lines("Apple Inc.", 8))
    whole: Counter[str] = Counter()

    def counted(name: str, real: Any) -> Any:
        def call(*args: object) -> Any:
            whole[name] += 1
            return real(*args)
        return call

    monkeypatch.setattr(app.index, "ids", counted("ids", app.index.ids))
    monkeypatch.setattr(app.archive, "records", counted("records", app.archive.records))
    with counting(monkeypatch) as listings:
        [result] = app.ingest([pdf], by="tester")
    assert result.result == "added" and result.letter is not None, result
    return app, result.letter, listings, whole


def test_an_upload_lists_no_letter_directory_nor_every_indexed_id(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk of an upload: archived, catalogued, indexed with the text and record in hand;
    nothing in it reads every letter directory or every id the index holds, so its work is
    the same in an archive of 2 letters and one of 24."""
    work = {}
    for size in (2, 24):
        app, letter, listings, whole = upload_into(size, tmp_path, monkeypatch)
        letters_dir = app.archive.letters_dir
        assert [path for path, _ in listings.under(letters_dir)
                if path != app.archive.letter_dir(letter.sha256)] == [], size
        assert whole == {}, size
        assert [hit.letter.id for hit in app.search(SearchRequest(q="Apple")).hits] == [letter.id]
        assert app.catalog.get(letter.id) == letter and not app.catalog.unindexed()
        work[size] = listings.entries_under(app.settings.archive_dir)
    assert work[2] == work[24], work
