"""Small deterministic PDF builders (reportlab) shared by the specimen generator and the tests.

Not part of the package: the program reads PDFs, it never needs to write letters.
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]
_registered = False


def _font() -> str:
    """Register DejaVu Sans (covers č, ć, ø, é...) once; Debian's fonts-dejavu-core ships it."""
    global _registered
    if not _registered:
        for folder in FONT_DIRS:
            regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
            if regular.exists():
                pdfmetrics.registerFont(TTFont("Body", str(regular)))
                pdfmetrics.registerFont(TTFont("Body-Bold", str(bold if bold.exists() else regular)))
                _registered = True
                break
        else:
            raise RuntimeError("DejaVu Sans not found: install the Debian package fonts-dejavu-core")
    return "Body"


def text_pdf(pages: list[list[str]], title: str | None = None, size: float = 11) -> bytes:
    """A PDF with a real text layer: each page a list of lines, top to bottom (deterministic)."""
    font = _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    if title:
        pdf.setTitle(title)
    width, height = A4
    for lines in pages:
        y = height - 60
        for line in lines:
            bold = line.startswith("**")
            pdf.setFont("Body-Bold" if bold else font, size)
            pdf.drawString(60, y, line.strip("*") if bold else line)
            y -= size * 1.5
            if y < 50:
                break
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def write_text_pdf(path: Path, pages: list[list[str]], title: str | None = None) -> Path:
    """Write `text_pdf(pages)` to `path` and return it."""
    path.write_bytes(text_pdf(pages, title))
    return path
