"""The specimens written elsewhere (scripts/make_elsewhere.py), read as the archive reads an upload.

Each file goes through extraction, OCR with the real Tesseract for scans, and recognition; its
truth.json says what must come out. The per-field accuracy is measured over them: every field right
on typed letters, at least 95 % on scans, and every miss flagged for review.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import make_elsewhere
import pypdf
import pytest

from letters.ingest.analysis import Analysis, Task, analyse
from support.pdfs import digests, text_of

ELSEWHERE = Path(__file__).resolve().parents[1] / "specimens" / "elsewhere"
FIELDS = ("partner", "signatory", "signed_by", "date", "direction", "language")
TODAY = "2025-01-15"


def _truth() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((ELSEWHERE / "truth.json").read_text(encoding="utf-8"))
    return entries


TRUTH = _truth()


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Analysis]:
    """Every specimen analysed as an upload is, by file name."""
    archive = tmp_path_factory.mktemp("archive")
    return {entry["file"]: analyse(Task(str(ELSEWHERE / entry["file"]), str(archive), TODAY))
            for entry in TRUTH}


def test_committed_specimens_equal_a_fresh_generation(tmp_path: Path) -> None:
    make_elsewhere.generate(tmp_path)
    assert digests(ELSEWHERE) == digests(tmp_path), "regenerate: make specimens"


def test_the_specimens_hold_what_the_issue_asks_for() -> None:
    files = {entry["file"]: entry for entry in TRUTH}
    assert sorted(files) == sorted(p.name for p in ELSEWHERE.glob("*.pdf"))
    kinds = {(e["kind"], e["scanned"]) for e in TRUTH}
    assert {("press release", False), ("speech", False), ("communication", False)} <= kinds
    unnamed_fr = [e for e in TRUTH if e["language"] == "fr" and e["direction"] == "incoming"
                  and "Le Secrétaire Général" in e["note"]]
    assert {e["scanned"] for e in unnamed_fr} == {True, False}
    close = [e for e in TRUTH if e["reason"] == "close match"]
    assert {e["scanned"] for e in close} == {True, False}
    # pages scanned inside typed documents (one fed in sideways), a word one edit from a partner's
    # name, a short English note, an invoice, a page in a script the archive does not read
    mixed = [e for e in TRUTH if e["ocr_pages"] and not e["scanned"]]
    assert {tuple(e["ocr_pages"]) for e in mixed} >= {(1,), (2,)}
    assert any("sideways" in e["note"] for e in mixed)
    assert any("'Orange'" in e["note"] and e["partner"] is None for e in TRUTH)
    assert any(e["kind"] == "invoice" and e["title"] for e in TRUTH)
    assert any("short" in e["file"] and e["language"] == "en" for e in TRUTH)
    assert any(e["reason"] == "could not be read" for e in mixed)
    for entry in TRUTH:
        text = text_of(ELSEWHERE / entry["file"])
        if entry["scanned"]:
            assert text.strip() == "", entry["file"]
        else:
            assert ("SPÉCIMEN" if entry["language"] == "fr" else "SPECIMEN") in text, entry["file"]


@pytest.mark.parametrize("entry", TRUTH, ids=[e["file"] for e in TRUTH])
def test_specimen_is_recognised_as_its_truth_says(found: dict[str, Analysis],
                                                  entry: dict[str, Any]) -> None:
    result = found[entry["file"]]
    assert result.error is None
    assert result.ocr is bool(entry["ocr_pages"])
    read = [m.params["page"] for m in result.evidence.get("ocr", [])]
    assert read == entry["ocr_pages"]
    assert not entry["title"] or str(result.title) == entry["title"]
    if entry["kind"] == "letter":
        assert {f: getattr(result, f) for f in FIELDS} == {f: entry[f] for f in FIELDS}, entry["note"]
    assert ("needs_review" if result.reasons else "ok") == entry["status"], result.reasons
    assert not entry["reason"] or any(entry["reason"] in str(reason) for reason in result.reasons)


def test_accuracy_per_field_and_every_miss_flagged(found: dict[str, Analysis]) -> None:
    letters = [e for e in TRUTH if e["kind"] == "letter"]
    for scanned, needed in ((False, 1.0), (True, 0.95)):
        group = [e for e in letters if e["scanned"] is scanned]
        assert group
        for field in FIELDS:
            right = sum(getattr(found[e["file"]], field) == e[field] for e in group)
            assert right / len(group) >= needed, (field, scanned, right, len(group))
    silent = [e["file"] for e in letters if not found[e["file"]].reasons
              and any(getattr(found[e["file"]], f) != e[f] for f in FIELDS)]
    assert silent == []


# -- every page without a text layer is read by OCR, whatever the others hold ------------------

def test_the_scanned_page_of_a_typed_letter_is_read(found: dict[str, Analysis]) -> None:
    """Page 1 typed, page 2 (closing and signature) scanned: the signer is only on page 2."""
    name = "2018-05-24-cloudflare-reply-signed-page-scan.pdf"
    typed = pypdf.PdfReader(ELSEWHERE / name).pages[0].extract_text()
    result = found[name]
    assert result.ocr is True and result.ocr_confidence and result.ocr_confidence > 70
    assert (result.partner, result.signed_by, result.date) == ("cloudflare", "Matthew Prince",
                                                               "2018-05-24")
    assert "Matthew Prince" in result.pages[1] and "Cloudflare" in result.pages[0]
    assert "Matthew Prince" not in typed  # the typed page was kept, not read again
    [said] = result.evidence["ocr"]
    assert str(said).startswith("page 2 read by OCR, confidence ") and str(said).endswith("%")
    assert result.reasons == []
    copy = pypdf.PdfReader(io.BytesIO(result.derived["ocr.pdf"]))
    assert len(copy.pages) == 2 and "Matthew Prince" in copy.pages[1].extract_text()


def test_a_page_scanned_sideways_is_turned_and_read(found: dict[str, Analysis]) -> None:
    """Page 1 (letterhead, date, addressee) fed into the scanner sideways, page 2 typed."""
    result = found["2020-11-18-bt-reply-sideways-scan.pdf"]
    assert (result.partner, result.signatory, result.date, result.direction) == (
        "bt", "pejcinovic-buric", "2020-11-18", "incoming")
    assert "BT Group plc" in result.pages[0]
    assert [str(m).split(",")[0] for m in result.evidence["ocr"]] == ["page 1 read by OCR"]


def test_a_page_in_a_script_the_archive_does_not_read_is_kept_as_evidence(
        found: dict[str, Analysis]) -> None:
    """A typed letter with a scanned annex in Arabic: what OCR made of it is no text."""
    result = found["2020-11-19-ibm-reply-annex-arabic-scan.pdf"]
    assert (result.partner, result.signed_by) == ("ibm", "Marcus Feldmann")
    assert result.pages[1] == ""
    [said] = result.evidence["ocr"]
    assert str(said).startswith("page 2 could not be read (written in the Arabic script, which the "
                                "archive does not read); OCR made '")
    assert [str(r) for r in result.reasons] == [
        "Page 2 could not be read (written in the Arabic script, which the archive does not read); "
        "read it in the original."]
    assert "ocr.pdf" not in result.derived
