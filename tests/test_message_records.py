"""Records keep what recognition said as codes with parameters; records written before codes
(English sentences) are still read, said in French, corrected and verified, and keep their
sentences as they were."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pdfkit

from letters.messages import WRITTEN, joined
from letters.service import Letters
from letters.settings import Settings
from letters.web import saying
from support.recognition import outgoing

UNDATED = outgoing(dateline="Strasbourg")


def _undated_letter(app: Letters, tmp_path: Path) -> str:
    pdf = tmp_path / "undated.pdf"
    pdf.write_bytes(pdfkit.text_pdf([UNDATED]))
    [result] = app.ingest([pdf], by="tester")
    assert result.letter is not None and result.letter.status == "needs_review"
    return result.letter.id


def _record_path(app: Letters, letter_id: str) -> Path:
    return app.archive.original_path(letter_id).parent / "record.json"


def test_a_new_record_stores_codes_and_answers_in_english(app: Letters, tmp_path: Path) -> None:
    letter_id = _undated_letter(app, tmp_path)
    stored = json.loads(_record_path(app, letter_id).read_text("utf-8"))
    assert {"code": "reason.date_not_found", "params": {}} in stored["reasons"]
    assert stored["evidence"]["partner"] == [
        {"code": "evidence.in_addressee_block", "params": {"text": "Apple Inc."}}]
    added = app.archive.history(letter_id)[0]["record"]
    assert added["reasons"] == stored["reasons"]
    public = app.get(letter_id).to_json()
    assert "The letter's own date was not found." in public["reasons"]
    assert public["evidence"]["partner"] == "addressee block: 'Apple Inc.'"
    assert public["evidence"]["direction"].startswith("letterhead: 'COUNCIL OF EUROPE'; ")


def test_an_old_record_of_english_sentences_is_read_said_corrected_and_verified(
        app: Letters, tmp_path: Path) -> None:
    letter_id = _undated_letter(app, tmp_path)
    new = app.get(letter_id)
    # the letter as an older version archived it: its sentences in English, in record and history
    old_home = tmp_path / "old"
    shutil.copytree(app.settings.archive_dir, old_home / "archive")
    # with the home's keys: without audit.key nothing vouches for the audit log, nor its letters
    shutil.copytree(app.settings.private_dir, old_home / app.settings.private_dir.name)
    directory = old_home / "archive" / _record_path(app, letter_id).parent.relative_to(
        app.settings.archive_dir)
    record = json.loads((directory / "record.json").read_text("utf-8"))
    record["reasons"] = [str(reason) for reason in new.reasons]
    record["evidence"] = {field: joined(parts) for field, parts in new.evidence.items()}
    (directory / "record.json").write_text(json.dumps(record, indent=1), "utf-8")
    history = [json.loads(line) for line in (directory / "history.jsonl").read_text("utf-8").splitlines()]
    history[0]["record"] = record
    (directory / "history.jsonl").write_text("".join(json.dumps(e) + "\n" for e in history), "utf-8")

    old_app = Letters(Settings(home=old_home))
    old = old_app.get(letter_id)
    assert {reason.code for reason in old.reasons} == {WRITTEN}
    assert old.to_json()["reasons"] == record["reasons"] and old.to_json()["evidence"] == record["evidence"]
    # said in French as the codes of the new record are
    assert [saying.say(r, "fr") for r in old.reasons] == [saying.say(r, "fr") for r in new.reasons]
    assert "La date de la lettre elle-même n’a pas été trouvée." in [
        saying.say(r, "fr") for r in old.reasons]
    assert saying.say_all(old.evidence["direction"], "fr") == saying.say_all(
        new.evidence["direction"], "fr")
    assert old_app.verify().problems == []

    corrected = old_app.correct(letter_id, {"date": "2017-11-08"}, by="archivist")
    on_disk = json.loads((directory / "record.json").read_text("utf-8"))
    assert on_disk["reasons"] == record["reasons"]  # kept as written, not duplicated
    assert on_disk["evidence"] == record["evidence"]
    assert [str(r) for r in corrected.reasons] == record["reasons"]
    assert old_app.verify().problems == []
