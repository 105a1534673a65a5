"""The archive store: originals untouched, atomic records, history of every change."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path

import pdfkit

from letters.archive import Archive, letter_id, now_iso
from letters.models import Letter


def record(sha: str) -> Letter:
    """A minimal record for a given digest."""
    return Letter(id=letter_id(sha), sha256=sha, filename="x.pdf", pages=1, partner="apple",
                  signatory="jagland", signed_by=None, date="2017-11-08", direction="outgoing",
                  language="en", ocr=False, digital_signatures=[], status="ok", added_at=now_iso(),
                  added_by="tester")


def test_add_get_update_history(tmp_path: Path) -> None:
    pdf = pdfkit.write_text_pdf(tmp_path / "in.pdf", [["Hello"]])
    sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
    archive = Archive(tmp_path / "archive")
    assert archive.add(pdf, record(sha), ["Hello"]) is True
    assert archive.add(pdf, record(sha), ["Hello"]) is False
    directory = archive.letter_dir(sha)
    assert directory == tmp_path / "archive" / "letters" / sha[:2] / sha
    assert (directory / "original.pdf").read_bytes() == pdf.read_bytes()
    assert json.loads((directory / "text.json").read_text()) == {"pages": ["Hello"]}
    got = archive.get(letter_id(sha))
    assert got is not None and got.partner == "apple"
    updated = archive.update(got.id, {"partner": "google"}, by="archivist")
    assert updated.partner == "google" and archive.get(got.id).partner == "google"  # type: ignore[union-attr]
    history = archive.history(got.id)
    assert [h["action"] for h in history] == ["added", "corrected"]
    assert history[1]["changes"] == {"partner": {"before": "apple", "after": "google"}}
    assert history[1]["by"] == "archivist"
    assert (directory / "original.pdf").read_bytes() == pdf.read_bytes()


def test_unknown_and_malformed_ids(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    assert archive.get("0" * 16) is None
    assert archive.get("../../etc/passwd") is None
    assert archive.get("ABCDEF0123456789") is None


def test_staging_left_by_a_dead_process_is_cleaned(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    dead = tmp_path / "archive" / ".staging" / "abc-999999999"
    dead.mkdir(parents=True)
    (dead / "original.pdf").write_bytes(b"partial")
    assert archive.clean_staging() == 1
    assert not dead.exists()
    assert list(archive.records()) == []


def test_only_the_application_layer_writes_records() -> None:
    """The archive tells no one of its writes, so every record is written through `Parts.add`
    or `Parts.update`, which keep the catalog in step: no other module calls the archive's."""
    source = Path(__file__).resolve().parents[1] / "src" / "letters"
    writers = {path.relative_to(source).as_posix() for path in source.rglob("*.py")
               if re.search(r"archive\.(add|update)\(", path.read_text(encoding="utf-8"))}
    assert writers == {"parts.py"}
    assert [f.name for f in dataclasses.fields(Archive)] == ["root"]  # no one to call up to
