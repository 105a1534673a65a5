"""`letters verify` against tampering: deleted letters, records changed without history, replaced
texts, emptied histories, planted files, letters nobody added, an index that disagrees, and a
read-only archive."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from letters.cli import main
from letters.search import SearchRequest
from letters.service import Letters
from letters.settings import Settings
from support.disk import read_only
from support.server import LiveServer
from support.webhome import WebHome, copy_web_home

OLD = 1_000_000_000  # a modification time long past (2001)


@pytest.fixture
def web(web_template: WebHome, tmp_path: Path) -> WebHome:
    """A private copy of the web home (four letters, ingested and audited)."""
    return copy_web_home(web_template, tmp_path / "home")


def verify(home: WebHome, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    status = main(["verify", "--json", "--home", str(home.path)])
    return status, json.loads(capsys.readouterr().out)


def problems(report: dict[str, object]) -> list[tuple[str | None, str, str]]:
    found = report["problems"]
    assert isinstance(found, list)
    return [(p["id"], p["path"], p["problem"]) for p in found]


def letter_dir(home: WebHome, name: str) -> Path:
    return Letters(Settings(home=home.path)).archive.original_path(home.ids[name]).parent


def test_an_untouched_archive_passes(web: WebHome, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = verify(web, capsys)
    assert (status, report["checked"], report["ok"], report["problems"]) == (0, 4, 4, [])


def test_a_deleted_letter_is_found_and_reindex_is_advised(
        web: WebHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    victim = letter_dir(web, "google-out.pdf")
    ident = web.ids["google-out.pdf"]
    shutil.move(victim, tmp_path / "hidden")
    status, report = verify(web, capsys)
    assert status == 1 and (report["checked"], report["ok"]) == (3, 3)
    found = {(i, what.split(":")[0]) for i, _, what in problems(report)}
    assert found == {(ident, "the letter is missing"),
                     (ident, "search still returns this letter, which is not in the archive")}
    assert all("letters reindex" in what for _, _, what in problems(report))
    assert main(["reindex", "--home", str(web.path)]) == 0
    capsys.readouterr()
    app = Letters(Settings(home=web.path))
    assert ident not in {h.letter.id for h in app.search(SearchRequest(q="cybercrime")).hits}
    status, report = verify(web, capsys)
    assert [(i, what.split(":")[0]) for i, _, what in problems(report)] == [
        (ident, "the letter is missing")]


def test_a_record_changed_without_history_is_found(web: WebHome,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    record_path = letter_dir(web, "cloudflare-in.pdf") / "record.json"
    record = json.loads(record_path.read_text())
    record.update(partner="google", date="2019-01-01")
    record_path.write_text(json.dumps(record))
    status, report = verify(web, capsys)
    assert status == 1 and report["ok"] == 3
    # named as what it is, once: not as a catalog problem, nor with a contradicting advice
    [(ident, path, what)] = problems(report)
    assert ident == web.ids["cloudflare-in.pdf"] and path.endswith("/record.json")
    assert what == ("record.json was changed outside this program: it disagrees with its own "
                    "history (date, partner changed without a history line); the letter is shown "
                    "as its history says")
    shown = Letters(Settings(home=web.path)).get(ident)  # what the pages and the API show
    assert (shown.partner, shown.date) == ("cloudflare", "2018-05-30")


def test_a_replaced_text_and_an_emptied_history_are_found(
        web: WebHome, capsys: pytest.CaptureFixture[str]) -> None:
    text = letter_dir(web, "ripe-fr.pdf") / "text.json"
    text.write_text(json.dumps({"pages": ["Un autre texte."]}))
    (letter_dir(web, "google-out.pdf") / "history.jsonl").write_text("")
    status, report = verify(web, capsys)
    assert status == 1 and report["ok"] == 2
    found = {(i, Path(p).name, what.split(":")[0]) for i, p, what in problems(report)}
    assert found == {
        (web.ids["ripe-fr.pdf"], "text.json", "the text is not the text the letter was added with"),
        (web.ids["google-out.pdf"], "history.jsonl", "the history is empty")}


def test_planted_and_leftover_files_are_found(web: WebHome,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    archive = web.path / "archive"
    planted = [letter_dir(web, "google-out.pdf") / ".tmp-invoice.pdf", archive / ".tmp-x.pdf",
               archive / ".staging" / ("0" * 64 + "-999999999")]
    planted[0].write_bytes(b"%PDF-1.4 planted")
    planted[1].write_bytes(b"%PDF-1.4 planted")
    planted[2].mkdir(parents=True)
    for path in planted:
        os.utime(path, (OLD, OLD))
    fresh = letter_dir(web, "ripe-fr.pdf") / ".tmp-write-in-progress.json"
    fresh.write_text("{}")  # a write in progress right now: not reported
    status, report = verify(web, capsys)
    assert status == 1
    assert sorted(p for _, p, _ in problems(report)) == sorted(
        p.relative_to(web.path).as_posix() for p in planted)
    assert all("left behind" in what for _, _, what in problems(report))


def test_a_letter_put_in_by_hand_and_one_missing_from_the_index_are_found(
        web: WebHome, capsys: pytest.CaptureFixture[str]) -> None:
    app = Letters(Settings(home=web.path))
    log = web.path / "archive" / "audit.jsonl"
    lines = log.read_text().splitlines()
    ident = web.ids["cloudflare-out.pdf"]
    (web.path / "archive" / "audit.jsonl").write_text(
        "\n".join(x for x in lines if f'"id": "{ident}"' not in x or '"upload"' not in x) + "\n")
    app.index.remove([web.ids["ripe-fr.pdf"]])
    app.index.close()
    status, report = verify(web, capsys)
    found = {(i, what.split(":")[0]) for i, _, what in problems(report)}
    assert {(ident, "the audit log records no upload of this letter"),
            (web.ids["ripe-fr.pdf"], "the search index does not hold this letter")} <= found


def test_a_read_only_home_is_checked_without_a_traceback(web: WebHome) -> None:
    Letters(Settings(home=web.path)).index.count()  # the index is made before the home is locked
    with read_only(web.path):
        done = subprocess.run([sys.executable, "-m", "letters", "verify", "--home", str(web.path)],
                              capture_output=True, text=True, timeout=300)
        with pytest.raises(OSError):
            (web.path / "archive" / "probe").write_text("x")
    assert done.returncode == 0, done.stderr
    assert "checked 4 letters: 4 intact, 0 problems" in done.stdout
    assert "Traceback" not in done.stderr
    assert "could not be recorded in the audit log" in done.stderr


def test_search_stops_returning_a_deleted_letter(fresh: tuple[LiveServer, WebHome],
                                                 tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    server, home = fresh
    ident = home.ids["google-out.pdf"]
    headers = {"Authorization": f"Bearer {home.tokens['reader']}"}

    def found() -> tuple[int, list[str]]:
        answer = httpx.get(f"{server.url}/api/search?q=privacy", headers=headers, timeout=60)
        assert answer.status_code == 200
        return answer.json()["total"], [hit["id"] for hit in answer.json()["hits"]]

    assert found() == (1, [ident])
    shutil.move(letter_dir(home, "google-out.pdf"), tmp_path / "hidden")
    assert found() == (0, [])
    assert found() == (0, [])  # and it is out of the index: the count no longer holds it
    status, report = verify(home, capsys)
    assert [(i, what.split(":")[0]) for i, _, what in problems(report)] == [
        (ident, "the letter is missing")]


def plant_copy_of(home: WebHome, name: str, record_changes: dict[str, object]) -> Path:
    """A letter directory put in by hand: other bytes, and a record repeating `name`'s."""
    source = letter_dir(home, name)
    data = source.joinpath("original.pdf").read_bytes() + b"%% planted\n"
    sha = hashlib.sha256(data).hexdigest()
    planted = home.path / "archive" / "letters" / sha[:2] / sha
    planted.mkdir(parents=True)
    (planted / "original.pdf").write_bytes(data)
    for part in ("text.json", "history.jsonl"):
        shutil.copyfile(source / part, planted / part)
    record = json.loads((source / "record.json").read_text(encoding="utf-8"))
    (planted / "record.json").write_text(json.dumps({**record, "sha256": sha, **record_changes}),
                                         encoding="utf-8")
    return planted


def test_a_repeated_id_is_reported_and_the_server_and_reindex_still_start(
        web: WebHome, capsys: pytest.CaptureFixture[str]) -> None:
    ident = web.ids["google-out.pdf"]
    planted = plant_copy_of(web, "google-out.pdf", {"title": "Planted"})
    (web.path / ".letters" / "catalog.sqlite").unlink(missing_ok=True)
    assert main(["reindex", "--home", str(web.path)]) == 0
    capsys.readouterr()
    status, report = verify(web, capsys)
    assert status == 1
    found = [(i, p, what) for i, p, what in problems(report) if "repeats the id" in what]
    assert found == [(planted.name[:16], planted.relative_to(web.path).as_posix() + "/record.json",
                      f"the record repeats the id {ident} of another letter: it was put into "
                      "the archive by hand, not by this program")]
    with LiveServer(Settings(home=web.path)) as server:
        answer = httpx.get(f"{server.url}/api/letters/{ident}",
                           headers={"Authorization": f"Bearer {web.tokens['reader']}"}, timeout=60)
    assert answer.status_code == 200 and answer.json()["title"] != "Planted"


def test_files_hidden_in_the_working_directories_are_found(
        web: WebHome, capsys: pytest.CaptureFixture[str]) -> None:
    archive = web.path / "archive"
    ident = web.ids["google-out.pdf"]
    (archive / ".locks").mkdir(exist_ok=True)
    planted = [archive / ".locks" / "notes.txt", archive / ".locks" / ident,
               letter_dir(web, "google-out.pdf") / "derived" / "secret.pdf",
               archive / ".staging" / "hidden-1" / "x.pdf"]
    for path in planted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4 hidden")
    status, report = verify(web, capsys)
    assert status == 1
    reported = {p: what for _, p, what in problems(report)}
    for path in (*planted[:3], planted[3].parent):
        assert reported.get(path.relative_to(web.path).as_posix(), "").startswith(
            "unexpected file"), path


def test_a_planted_letter_with_a_forged_upload_event_is_found(
        web: WebHome, capsys: pytest.CaptureFixture[str]) -> None:
    """Record, text and history agree with one another; only the audit log's key can tell."""
    source = letter_dir(web, "google-out.pdf")
    data = (source / "original.pdf").read_bytes() + b"%% planted\n"
    sha = hashlib.sha256(data).hexdigest()
    ident = sha[:16]
    planted = plant_copy_of(web, "google-out.pdf", {"id": ident, "title": "Planted"})
    record = json.loads((planted / "record.json").read_text(encoding="utf-8"))
    text = (planted / "text.json").read_bytes()
    added = {"at": record["added_at"], "by": "archivist", "action": "added", "changes": {},
             "record": record, "text_sha256": hashlib.sha256(text).hexdigest()}
    (planted / "history.jsonl").write_text(json.dumps(added) + "\n", encoding="utf-8")
    log = web.path / "archive" / "audit.jsonl"
    last = log.read_text(encoding="utf-8").splitlines()[-1]
    forged = {"action": "upload", "address": None, "at": record["added_at"], "who": "archivist",
              "what": {"id": ident, "sha256": sha, "filename": "planted.pdf"},
              "prev": hashlib.sha256(last.encode()).hexdigest()}
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(forged, sort_keys=True) + "\n")
    status, report = verify(web, capsys)
    assert status == 1
    said = {(i, what.split(" (")[0].split(":")[0]) for i, _, what in problems(report)}
    assert (ident, "the audit log's record of this letter's upload cannot be trusted") in said
    assert (None, "the audit log is not intact") in said


def test_each_kind_of_problem_has_one_command_to_run(web: WebHome,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    record_path = letter_dir(web, "cloudflare-in.pdf") / "record.json"
    record = json.loads(record_path.read_text())
    record_path.write_text(json.dumps({**record, "date": "1999-01-01"}))
    (web.path / "archive" / "stray.pdf").write_bytes(b"%PDF-1.4")
    assert main(["verify", "--home", str(web.path)]) == 1
    out = capsys.readouterr().out.splitlines()
    todo = [line for line in out if line.startswith("to do")]
    assert todo == [
        "to do (record_edited): restore record.json from a backup (the history tells what it "
        "should hold; the letter is shown so meanwhile), find out who changed it, then run "
        "`letters verify`",
        "to do (unexpected): find out who put the file there, move it out of the archive, then "
        "run `letters verify`"]
    status, report = verify(web, capsys)
    kinds = {p["path"].rsplit("/", 1)[-1]: (p["kind"], p["advice"]) for p in report["problems"]}
    assert kinds["record.json"][0] == "record_edited" and kinds["stray.pdf"][0] == "unexpected"


def test_an_older_history_is_reported_and_migrated_once(
        web: WebHome, capsys: pytest.CaptureFixture[str]) -> None:
    history = letter_dir(web, "ripe-fr.pdf") / "history.jsonl"
    added = json.loads(history.read_text(encoding="utf-8"))
    history.write_text(json.dumps({k: v for k, v in added.items()
                                   if k not in ("record", "text_sha256")}) + "\n")
    status, report = verify(web, capsys)
    assert status == 1 and [(p["id"], p["kind"]) for p in report["problems"]] == [
        (web.ids["ripe-fr.pdf"], "old_history")]
    assert main(["migrate", "--home", str(web.path)]) == 0
    assert capsys.readouterr().out.strip() == "migrated 1 letter"
    assert json.loads(history.read_text(encoding="utf-8")) == added
    assert main(["migrate", "--home", str(web.path)]) == 0
    assert capsys.readouterr().out.strip() == "migrated 0 letters"
    status, report = verify(web, capsys)
    assert status == 0
    events = [json.loads(x) for x in (web.path / "archive" / "audit.jsonl").read_text().splitlines()]
    assert [e["what"]["ids"] for e in events if e["action"] == "migrate_histories"] == [
        [web.ids["ripe-fr.pdf"]]]
