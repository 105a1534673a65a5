"""OCR of scans with the real Tesseract: text, orientation, confidence, and recognition after it."""

from __future__ import annotations

import json
from pathlib import Path

import make_elsewhere
import pdfkit
import pypdf
import pytest

from letters import ocr
from letters.analysis import Task, analyse
from support.pdfs import LINES, scan

ROOT = Path(__file__).resolve().parents[1]
SPECIMENS = ROOT / "specimens"


@pytest.mark.parametrize("rotate", [0, 90, 180])
def test_ocr_reads_a_scan_in_any_orientation(tmp_path: Path, rotate: int) -> None:
    pdf = scan(tmp_path / "scan.pdf", LINES, rotate)
    assert "".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages).strip() == ""
    result = ocr.read(pdf)
    text = result.pages[0]
    assert "Strasbourg, 23 May 2018" in text
    assert "Cloudflare, Inc." in text
    assert result.confidence > 70
    assert result.searchable_pdf is not None
    copy_text = pypdf.PdfReader(__import__("io").BytesIO(result.searchable_pdf)).pages[0].extract_text()
    assert "Cloudflare" in copy_text


def test_a_scanned_letter_is_recognised_like_a_typed_one(tmp_path: Path) -> None:
    pdf = scan(tmp_path / "scan.pdf", LINES)
    result = analyse(Task(str(pdf), str(tmp_path / "archive"), "2026-01-01"))
    assert result.error is None
    assert result.ocr is True and result.ocr_confidence and result.ocr_confidence > 70
    assert (result.partner, result.signatory, result.date, result.direction) == (
        "cloudflare", "jagland", "2018-05-23", "outgoing")
    assert "ocr.pdf" in result.derived


def scanned_specimens() -> list[dict[str, object]]:
    """The scanned specimens of the sample archive, with their ground truth."""
    truth = json.loads((SPECIMENS / "truth.json").read_text(encoding="utf-8"))
    return [entry for entry in truth if entry["scanned"]]


@pytest.mark.parametrize("entry", scanned_specimens(), ids=lambda e: str(e["file"]))
def test_each_scanned_specimen_is_ocred_and_recognised(tmp_path: Path, entry: dict[str, object]) -> None:
    result = analyse(Task(str(SPECIMENS / str(entry["file"])), str(tmp_path), "2026-01-01"))
    assert result.ocr is True
    fields = ("partner", "signatory", "signed_by", "date", "direction", "language")
    assert {f: getattr(result, f) for f in fields} == {f: entry[f] for f in fields}
    assert result.reasons == []


def test_a_misreading_of_a_coarse_scan_is_flagged(tmp_path: Path) -> None:
    """At 80 dpi Tesseract misreads the signer's name; the words it was unsure of send it to review."""
    lines, truth = make_elsewhere.euroispa_reply("EuroISPA", "EuroISPA")
    footer = (pdfkit.Line(make_elsewhere.BANNER["en"], align="center", size=8),)
    pages = pdfkit.paginate([list(lines)], footer, lambda number, total: [])
    pdf = tmp_path / "coarse.pdf"
    pdf.write_bytes(pdfkit.scan_pdf(pages, "x", dpi=80, skew=0.6))
    result = analyse(Task(str(pdf), str(tmp_path / "archive"), "2026-01-01"))
    assert result.ocr is True and result.date == truth.date and result.partner == truth.partner
    assert result.signed_by != truth.signed_by  # "Ana Lindgvist-Moreau"
    assert any(str(r).startswith(f"OCR was unsure of the signer's name '{result.signed_by}'")
               for r in result.reasons), result.reasons
