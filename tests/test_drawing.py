"""The weight of a page's drawing, weighed before poppler draws it: a bomb of drawing operators is
found too heavy at once, every real page is far lighter than the limit."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from letters.pdf import drawing
from support.pdfs import bomb, page_with_stream, slow_to_draw

ROOT = Path(__file__).resolve().parents[1]
REALWORLD = ROOT.parent / "shared" / "realworld-pdfs"


def test_a_bomb_of_drawing_operators_is_weighed_no_further_than_the_limit() -> None:
    """1 GiB of operators in 1.5 MB: inflated up to the limit and one byte, not to the end."""
    page = PdfReader(io.BytesIO(bomb())).pages[0]
    assert drawing.weight(page, drawing.HEAVY) == drawing.HEAVY + 1
    assert drawing.weight(page, 1000) == 1001


def test_a_page_weighs_its_content_streams_and_its_forms_once_each() -> None:
    stream = b"0 0 m 595 842 l S " * 100
    assert drawing.weight(PdfReader(io.BytesIO(page_with_stream(stream))).pages[0],
                          drawing.HEAVY) == len(stream)
    # six nested forms, each drawn ten times by the one above: weighed once each
    page = PdfReader(io.BytesIO(slow_to_draw())).pages[0]
    assert drawing.weight(page, drawing.HEAVY) == len(b"/F Do " * 10) * 6 + len(
        b"0 0 m 595 842 l 595 0 l f")


def test_every_page_of_the_specimens_and_the_real_world_pdfs_is_far_below_the_limit() -> None:
    """The heaviest real page (vector drawings in GeoTopo) weighs 0.5 MB: 1/32 of the limit."""
    files = sorted((ROOT / "specimens").rglob("*.pdf"))
    files += sorted(p for p in REALWORLD.rglob("*") if p.suffix.lower() == ".pdf")
    assert len(files) > 100
    heaviest = 0
    for path in files:
        try:
            pages = list(PdfReader(path, strict=False).pages)
        except Exception:  # encrypted or broken: refused before OCR
            continue
        heaviest = max([heaviest, *(drawing.weight(page, drawing.HEAVY) for page in pages)])
    assert 100_000 < heaviest < drawing.HEAVY / 30
