"""Letter records for the exchange and catalog tests, plain or archived through the app."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pdfkit

from letters.archive import letter_id, now_iso
from letters.models import Direction, Letter
from letters.service import Letters


def make(partner: str | None, direction: Direction | None, date: str | None,
         tag: str, exchange: str | None = None) -> Letter:
    """A record (not archived) whose id derives from `tag`."""
    sha = hashlib.sha256(tag.encode()).hexdigest()
    return Letter(id=letter_id(sha), sha256=sha, filename=f"{tag}.pdf", pages=1, partner=partner,
                  signatory="jagland", signed_by=None, date=date, direction=direction,
                  language="en", ocr=False, digital_signatures=[], status="ok",
                  added_at=now_iso(), added_by="tester", exchange=exchange)


def archived(app: Letters, tmp_path: Path, partner: str, direction: Direction, date: str,
             text: str) -> Letter:
    """Archive a real PDF holding `text` and return its record."""
    data = pdfkit.text_pdf([[text, partner, direction, date]])
    sha = hashlib.sha256(data).hexdigest()
    pdf = tmp_path / f"{partner}-{sha[:8]}.pdf"
    pdf.write_bytes(data)
    letter = make(partner, direction, date, "x")
    letter.id, letter.sha256, letter.filename = letter_id(sha), sha, pdf.name
    assert app.parts().add(pdf, letter, [text]) is not None
    return letter
