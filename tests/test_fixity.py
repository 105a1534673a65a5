"""Fixity: altered, missing and unexpected files are found; `letters verify` reports them."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pdfkit
import pytest

from letters.archive import letter_id, now_iso
from letters.cli import main
from letters.models import Letter
from letters.preservation import audit, fixity
from letters.service import Letters


def archived(app: Letters, tmp_path: Path, text: str) -> Letter:
    """Archive a real PDF holding `text` and return its record."""
    data = pdfkit.text_pdf([[text]])
    sha = hashlib.sha256(data).hexdigest()
    pdf = tmp_path / f"{sha[:8]}.pdf"
    pdf.write_bytes(data)
    letter = Letter(id=letter_id(sha), sha256=sha, filename=pdf.name, pages=1, partner="google",
                    signatory="jagland", signed_by=None, date="2017-11-08", direction="outgoing",
                    language="en", ocr=False, digital_signatures=[], status="ok",
                    added_at=now_iso(), added_by="tester")
    assert app.parts().add(pdf, letter, [text]) is not None
    audit.record(app.settings.archive_dir, "upload", "tester",
                 {"id": letter.id, "sha256": sha, "filename": pdf.name})
    app.index.update([letter])  # as an ingest does: verify checks the index holds the archive
    return letter


@pytest.fixture
def three(app: Letters, tmp_path: Path) -> list[Letter]:
    """Three archived letters."""
    return [archived(app, tmp_path, f"Letter number {n}") for n in range(3)]


def test_an_intact_archive_passes(app: Letters, three: list[Letter]) -> None:
    report = app.verify(by="auditor")
    assert (report.checked, report.ok, report.problems) == (3, 3, [])
    saved = json.loads((app.settings.private_dir / fixity.LAST_REPORT).read_text())
    assert saved["checked"] == 3 and saved["problems"] == [] and saved["at"] == report.at
    assert fixity.last_report(app.settings.private_dir) == saved
    event = audit.events(app.settings.archive_dir)[-1]
    assert event["action"] == "verify" and event["who"] == "auditor"
    assert event["what"] == {"checked": 3, "ok": 3, "problems": 0}


def test_a_flipped_byte_is_found(app: Letters, three: list[Letter]) -> None:
    victim = three[1]
    original = app.archive.original_path(victim.id)
    os.chmod(original, 0o644)
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x01
    original.write_bytes(bytes(data))
    report = app.verify()
    assert (report.checked, report.ok) == (3, 2)
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.id == victim.id
    assert problem.path == original.relative_to(app.settings.home).as_posix()
    assert "altered" in problem.problem


def test_a_deleted_original_is_found(app: Letters, three: list[Letter]) -> None:
    victim = three[0]
    original = app.archive.original_path(victim.id)
    original.unlink()
    report = app.verify()
    assert (report.checked, report.ok) == (3, 2)
    assert [(p.id, p.problem) for p in report.problems] == [(victim.id, "the original is missing")]


def test_extra_files_are_found_but_derived_files_are_allowed(app: Letters,
                                                             three: list[Letter]) -> None:
    directory = app.archive.original_path(three[2].id).parent
    (directory / "notes.txt").write_text("who put this here?")
    assert app.thumbnail(three[0].id, 1).parent == app.archive.derived_dir(three[0].id)
    (app.settings.archive_dir / "stray.pdf").write_bytes(b"%PDF-1.4")
    report = app.verify()
    paths = sorted(p.path for p in report.problems)
    assert paths == ["archive/letters/" + three[2].sha256[:2] + "/" + three[2].sha256
                     + "/notes.txt", "archive/stray.pdf"]
    assert all("unexpected" in p.problem for p in report.problems)
    assert (report.checked, report.ok) == (3, 2)


def test_broken_record_and_text_and_history(app: Letters, three: list[Letter]) -> None:
    directory = app.archive.original_path(three[0].id).parent
    (directory / "text.json").write_text("{not json")
    with open(directory / "history.jsonl", "a") as handle:
        handle.write("garbage\n")
    record = json.loads((directory / "record.json").read_text())
    record["sha256"] = "0" * 64
    (directory / "record.json").write_text(json.dumps(record))
    problems = {p.path.rsplit("/", 1)[1]: p.problem for p in app.verify().problems}
    assert set(problems) == {"text.json", "history.jsonl", "record.json"}
    assert "line 2" in problems["history.jsonl"]


def test_cli_verify_exit_status_and_json(app: Letters, three: list[Letter],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    home = str(app.settings.home)
    assert main(["verify", "--home", home]) == 0
    assert "checked 3 letters: 3 intact, 0 problems" in capsys.readouterr().out
    original = app.archive.original_path(three[0].id)
    os.chmod(original, 0o644)
    original.write_bytes(original.read_bytes() + b"\n")
    assert main(["verify", "--json", "--home", home]) == 1
    report = json.loads(capsys.readouterr().out)
    assert {k: report[k] for k in ("checked", "ok")} == {"checked": 3, "ok": 2}
    assert [(p["id"], p["path"]) for p in report["problems"]] == [
        (three[0].id, original.relative_to(app.settings.home).as_posix())]
    assert main(["verify", "--home", home]) == 1
    out = capsys.readouterr().out
    assert three[0].id in out and "altered" in out


def test_a_home_without_archive_is_left_untouched(app: Letters) -> None:
    report = app.verify()
    assert (report.checked, report.problems) == (0, [])
    assert not app.settings.archive_dir.exists() and not app.settings.private_dir.exists()
