"""OCR of scans with the real Tesseract: text, orientation, confidence, and recognition after it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import make_elsewhere
import pdfkit
import pypdf
import pytest

from letters.ingest.analysis import Analysis, Task, analyse
from letters.pdf import ocr
from support.pdfs import BOMB_REASON, LINES, bomb, scan

ROOT = Path(__file__).resolve().parents[1]
SPECIMENS = ROOT / "specimens"


@pytest.fixture(scope="module")
def upright(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Analysis]:
    """A scan of a letter, upright, and the analysis of it as an upload (OCR, then recognition)."""
    folder = tmp_path_factory.mktemp("upright")
    pdf = scan(folder / "scan.pdf", LINES)
    return pdf, analyse(Task(str(pdf), str(folder / "archive"), "2026-01-01"))


def read_well(pdf: Path, text: str, confidence: float | None, copy: bytes | None) -> None:
    """What OCR read of a scan of LINES, without a text layer: the lines, surely, and a copy whose
    text layer holds them."""
    assert "".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages).strip() == ""
    assert "Strasbourg, 23 May 2018" in text
    assert "Cloudflare, Inc." in text
    assert confidence is not None and confidence > 70
    assert copy is not None
    assert "Cloudflare" in pypdf.PdfReader(io.BytesIO(copy)).pages[0].extract_text()


@pytest.mark.parametrize("rotate", [90, 180])
def test_ocr_reads_a_scan_turned_sideways_or_upside_down(tmp_path: Path, rotate: int) -> None:
    pdf = scan(tmp_path / "scan.pdf", LINES, rotate)
    result = ocr.read(pdf)
    read_well(pdf, result.pages[0], result.confidence, result.searchable_pdf)


def test_a_scanned_letter_is_read_and_recognised_like_a_typed_one(upright: tuple[Path, Analysis]
                                                                 ) -> None:
    pdf, result = upright
    assert result.error is None and result.ocr is True
    read_well(pdf, result.pages[0], result.ocr_confidence, result.derived.get("ocr.pdf"))
    assert (result.partner, result.signatory, result.date, result.direction) == (
        "cloudflare", "jagland", "2018-05-23", "outgoing")


def test_ocr_that_takes_too_long_is_a_reason_for_review(upright: tuple[Path, Analysis],
                                                        tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The tools run with a real time limit, a tiny one: their timeout is a sentence, not a crash."""
    pdf, _ = upright
    monkeypatch.setattr(ocr, "TIMEOUT", 0.001, raising=False)
    with pytest.raises(ocr.OcrError) as refused:
        ocr.read(pdf)
    said = str(refused.value)
    assert said.startswith("OCR gave up: ") and said.endswith(
        " took longer than 0.001 seconds on a page of the scan"), said
    result = analyse(Task(str(pdf), str(tmp_path / "archive"), "2026-01-01"))
    assert result.error is None and result.ocr is False and "ocr.pdf" not in result.derived
    assert str(result.reasons[0]) == said
    assert result.partner is None


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


# -- every page without a text layer, whatever the others hold ---------------------------------
# (the specimens with a scanned page among typed ones: test_elsewhere_specimens.py)

ELSEWHERE = SPECIMENS / "elsewhere"


def test_a_page_read_below_the_confidence_floor_is_not_text(tmp_path: Path) -> None:
    """A letter scanned at 40 dpi: Tesseract makes words of it, but with little confidence."""
    page = pdfkit.Page(tuple(pdfkit.Line(line) for line in LINES), ())
    pdf = tmp_path / "blurred.pdf"
    pdf.write_bytes(pdfkit.image_pdf([pdfkit.render_page(page, dpi=40)]))
    result = analyse(Task(str(pdf), str(tmp_path / "archive"), "2026-01-01"))
    assert result.pages == [""] and result.partner is None
    [said] = result.evidence["ocr"]
    confidence = float(str(said).split("OCR confidence ")[1].split("%")[0])
    assert confidence < ocr.FLOOR
    assert str(said).startswith(f"page 1 could not be read (OCR confidence {confidence:.0f}%, below "
                                "the floor); OCR made '")
    assert len(str(said).split("OCR made '")[1]) > 3  # what OCR made of it, kept as evidence
    assert (f"Page 1 could not be read (OCR confidence {confidence:.0f}%, below the floor); read it "
            "in the original.") in [str(r) for r in result.reasons]


def test_a_blank_page_read_by_ocr_is_no_reason_for_review(tmp_path: Path) -> None:
    lines = ["SPECIMEN – not the original letter", *LINES]
    pdf = tmp_path / "blank.pdf"
    pdf.write_bytes(pdfkit.text_pdf([lines, []]))
    result = analyse(Task(str(pdf), str(tmp_path / "archive"), "2026-01-01"))
    assert [str(m) for m in result.evidence["ocr"]] == ["page 2 read by OCR: no text on it"]
    assert result.reasons == [] and result.partner == "cloudflare"


def test_a_page_too_heavy_to_draw_is_not_drawn_and_the_typed_one_is_kept(tmp_path: Path) -> None:
    """A typed letter whose page 2 is the bomb's (1 GiB of drawing operators): weighed, not drawn."""
    writer = pypdf.PdfWriter()
    for data in (pdfkit.text_pdf([["SPECIMEN – not the original letter", *LINES]]), bomb()):
        writer.add_page(pypdf.PdfReader(io.BytesIO(data)).pages[0])
    pdf = tmp_path / "heavy.pdf"
    writer.write(pdf)
    result = analyse(Task(str(pdf), str(tmp_path / "archive"), "2026-01-01"))
    assert [str(m) for m in result.evidence["ocr"]] == [
        "page 2 could not be read (its drawing instructions weigh over 16 MB, too heavy to draw); "
        "OCR did not draw it"]
    assert [str(r) for r in result.reasons] == [BOMB_REASON.replace("Page 1", "Page 2")]
    assert result.ocr is False and result.ocr_confidence is None and "ocr.pdf" not in result.derived
    assert result.partner == "cloudflare" and result.pages[1] == ""


def test_the_record_and_the_letter_page_say_which_pages_ocr_read(
        fresh: tuple[Any, Any]) -> None:
    from letters.search import SearchRequest
    from support.web import browser, text_of

    server, _ = fresh
    app = server.app.state.web.letters
    [added] = app.ingest([ELSEWHERE / "2018-05-24-cloudflare-reply-signed-page-scan.pdf"],
                         by="archivist")
    assert added.letter is not None and added.letter.ocr is True
    letter_id = added.letter.id
    folder = app.archive.original_path(letter_id).parent
    record = json.loads((folder / "record.json").read_text("utf-8"))
    assert [e["code"] for e in record["evidence"]["ocr"]] == ["evidence.ocr_page"]
    assert record["evidence"]["ocr"][0]["params"]["page"] == 2
    assert "Co-founder" in json.loads((folder / "text.json").read_text("utf-8"))["pages"][1]
    hits = app.search(SearchRequest(q="executive")).hits  # only on the scanned page
    assert letter_id in [hit.letter.id for hit in hits]
    with browser(server, "archivist") as http:
        assert http.get(f"/api/letters/{letter_id}").json()["evidence"]["ocr"].startswith(
            "page 2 read by OCR, confidence ")
        english = text_of(http.get(f"/letters/{letter_id}").text)
        french = text_of(http.get(f"/letters/{letter_id}", params={"lang": "fr"}).text)
    assert english.count("page 2 read by OCR, confidence ") == 2  # in the record and above page 2
    assert "page 2 read by OCR" in english[english.rindex("Page 2"):]  # above the page's text
    assert "page 2 lue par OCR, confiance " in french
