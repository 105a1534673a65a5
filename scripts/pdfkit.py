"""Small deterministic PDF builders (reportlab) shared by the specimen generator and the tests.

Not part of the package: the program reads PDFs, it never needs to write letters.
"""

from __future__ import annotations

import io
import json
import math
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
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


# --- Laid-out letters: styled lines, pagination, text PDFs and image-only scans -------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = 72.0
MARGIN_RIGHT = 72.0
MARGIN_TOP = 56.0
FOOTER_BASELINE = 34.0
SIGNATURE_HEIGHT = 34.0


@dataclass(frozen=True)
class Line:
    """One line of a page: text (or a mark: "rule", "signature"), alignment, weight and spacing."""

    text: str = ""
    align: str = "left"
    bold: bool = False
    size: float = 11.0
    before: float = 0.0
    indent: float = 0.0
    mark: str = ""

    @property
    def height(self) -> float:
        """Vertical space the line takes, its `before` gap included."""
        if self.mark == "signature":
            return SIGNATURE_HEIGHT + self.before
        if self.mark == "rule":
            return 8.0 + self.before
        return self.size * 1.45 + self.before


@dataclass(frozen=True)
class Page:
    """A page: lines flowing from the top, and footer lines fixed at the bottom."""

    lines: tuple[Line, ...]
    footer: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Placed:
    """A line with its anchor in points from the bottom-left corner (x depends on the alignment)."""

    line: Line
    x: float
    y: float


def wrap(text: str, width: float = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT,
         size: float = 11.0, bold: bool = False) -> list[str]:
    """Greedy word wrap of `text` into lines no wider than `width` points in DejaVu Sans."""
    font = _font() + ("-Bold" if bold else "")
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and pdfmetrics.stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def paragraph(text: str, size: float = 11.0, before: float = 0.0, indent: float = 0.0) -> list[Line]:
    """A wrapped paragraph as lines; `before` is the gap above its first line."""
    width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT - indent
    wrapped = wrap(text, width, size)
    return [Line(t, size=size, before=before if i == 0 else 0.0, indent=indent)
            for i, t in enumerate(wrapped)]


def _footer_top(footer: tuple[Line, ...]) -> float:
    return FOOTER_BASELINE + sum(line.height for line in footer)


def paginate(blocks: list[list[Line]], footer: tuple[Line, ...],
             continuation: Callable[[int, int], list[Line]]) -> list[Page]:
    """Flow unbreakable blocks of lines onto pages; `continuation(n, total)` heads page n >= 2."""

    def run(total: int) -> list[Page]:
        limit = PAGE_HEIGHT - MARGIN_TOP - _footer_top(footer) - 18.0
        pages: list[Page] = []
        current: list[Line] = []
        used = 0.0
        for block in blocks:
            height = sum(line.height for line in block)
            if current and used + height > limit:
                pages.append(Page(tuple(current), footer))
                current = list(continuation(len(pages) + 1, total))
                used = sum(line.height for line in current)
            current.extend(block)
            used += height
        pages.append(Page(tuple(current), footer))
        return pages

    # Continuation heads have the same height whatever the total, so the breaks do not move.
    return run(len(run(0)))


def place(page: Page) -> list[Placed]:
    """Where each line of the page goes, in points (baselines)."""

    def anchor(line: Line) -> float:
        if line.align == "right":
            return PAGE_WIDTH - MARGIN_RIGHT
        if line.align == "center":
            return PAGE_WIDTH / 2
        return MARGIN_LEFT + line.indent

    placed: list[Placed] = []
    y = PAGE_HEIGHT - MARGIN_TOP
    for line in page.lines:
        y -= line.height
        placed.append(Placed(line, anchor(line), y))
    y = _footer_top(page.footer)
    for line in page.footer:
        y -= line.height
        placed.append(Placed(line, anchor(line), y))
    return placed


def scribble(name: str, x: float, y: float) -> list[tuple[float, float]]:
    """A handwritten-looking signature stroke, derived from the signer's name (deterministic)."""
    rng = random.Random(f"signature:{name}")
    length = rng.uniform(95.0, 140.0)
    waves = [(rng.uniform(6.0, 11.0), rng.uniform(0.15, 0.4), rng.uniform(0.0, 6.3)),
             (rng.uniform(2.0, 5.0), rng.uniform(0.5, 0.9), rng.uniform(0.0, 6.3))]
    points = []
    for step in range(61):
        t = step / 60 * length
        loop = 7.0 * math.sin(t * 0.35)  # the pen runs back and forth as it goes
        height = sum(a * math.sin(t * f + phase) for a, f, phase in waves)
        points.append((x + t + loop, y + 14.0 + height * (1.0 - step / 90)))
    return points


def layout_pdf(pages: list[Page], title: str | None = None) -> bytes:
    """A PDF with a real text layer from laid-out pages (deterministic bytes)."""
    font = _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    if title:
        pdf.setTitle(title)
    for page in pages:
        _draw(pdf, page, font)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw(pdf: canvas.Canvas, page: Page, font: str) -> None:
    """Draw a laid-out page as text and vector strokes."""
    for item in place(page):
        line = item.line
        if line.mark == "rule":
            pdf.setLineWidth(0.6)
            pdf.line(MARGIN_LEFT, item.y + 4, PAGE_WIDTH - MARGIN_RIGHT, item.y + 4)
        elif line.mark == "signature":
            path = pdf.beginPath()
            points = scribble(line.text, item.x, item.y)
            path.moveTo(*points[0])
            for point in points[1:]:
                path.lineTo(*point)
            pdf.setLineWidth(1.1)
            pdf.drawPath(path, stroke=1, fill=0)
        elif line.text:
            pdf.setFont(font + "-Bold" if line.bold else font, line.size)
            draw = {"right": pdf.drawRightString, "center": pdf.drawCentredString}
            draw.get(line.align, pdf.drawString)(item.x, item.y, line.text)


def mixed_pdf(pages: list[Page], scans: dict[int, int], seed: str, dpi: int = 200,
              skew: float = 0.0, quality: int = 55) -> bytes:
    """Typed and scanned pages in one PDF: the pages numbered (from 0) in `scans` are images only,
    turned by the degrees given (90: fed into the scanner sideways, on a landscape page); the
    others have a real text layer (deterministic bytes)."""
    font = _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for number, page in enumerate(pages):
        if number not in scans:
            pdf.setPageSize(A4)
            _draw(pdf, page, font)
            pdf.showPage()
            continue
        image = scanned(render_page(page, dpi), f"{seed}:{number}", skew)
        turn = scans[number]
        if turn:
            image = image.rotate(turn, expand=True)
        width, height = (PAGE_HEIGHT, PAGE_WIDTH) if turn in (90, 270) else (PAGE_WIDTH, PAGE_HEIGHT)
        pdf.setPageSize((width, height))
        encoded = io.BytesIO()
        image.save(encoded, format="JPEG", quality=quality, optimize=True)
        encoded.seek(0)
        pdf.drawImage(ImageReader(encoded), 0, 0, width=width, height=height)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def render_page(page: Page, dpi: int = 200) -> Image.Image:
    """The page drawn as a white grayscale image at `dpi`, with DejaVu Sans as in `layout_pdf`."""
    scale = dpi / 72.0
    image = Image.new("L", (round(PAGE_WIDTH * scale), round(PAGE_HEIGHT * scale)), 255)
    draw = ImageDraw.Draw(image)
    fonts: dict[tuple[bool, float], ImageFont.FreeTypeFont] = {}
    folder = FONT_DIRS[0]

    def font_for(line: Line) -> ImageFont.FreeTypeFont:
        key = (line.bold, line.size)
        if key not in fonts:
            name = "DejaVuSans-Bold.ttf" if line.bold else "DejaVuSans.ttf"
            fonts[key] = ImageFont.truetype(str(folder / name), round(line.size * scale))
        return fonts[key]

    def at(x: float, y: float) -> tuple[float, float]:
        return x * scale, (PAGE_HEIGHT - y) * scale

    for item in place(page):
        line = item.line
        if line.mark == "rule":
            draw.line([at(MARGIN_LEFT, item.y + 4), at(PAGE_WIDTH - MARGIN_RIGHT, item.y + 4)],
                      fill=40, width=max(1, round(0.6 * scale)))
        elif line.mark == "signature":
            points = [at(x, y) for x, y in scribble(line.text, item.x, item.y)]
            draw.line(points, fill=30, width=max(1, round(1.1 * scale)), joint="curve")
        elif line.text:
            anchor = {"right": "rs", "center": "ms"}.get(line.align, "ls")
            draw.text(at(item.x, item.y), line.text, fill=0, font=font_for(line), anchor=anchor)
    return image


def scanned(image: Image.Image, seed: str, skew: float = 0.0, upside_down: bool = False) -> Image.Image:
    """`image` as a scanner would return it: slightly blurred, grey paper, speckles, maybe skewed."""
    rng = random.Random(f"scan:{seed}")
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    if skew:
        image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if upside_down:
        image = image.rotate(180)
    width, height = image.size
    grain = Image.frombytes("L", image.size, rng.randbytes(width * height))
    image = ImageChops.subtract(image, grain.point(lambda v: v % 8))  # grey, uneven paper
    draw = ImageDraw.Draw(image)
    for _ in range(width * height // 4000):  # dust
        x, y, r = rng.randrange(width), rng.randrange(height), rng.choice((0.6, 1.0, 1.5))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randrange(90, 190))
    return image


def image_pdf(images: list[Image.Image], title: str | None = None, quality: int = 55) -> bytes:
    """An image-only PDF (no text layer), one A4 page per image, JPEG-encoded (deterministic)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    if title:
        pdf.setTitle(title)
    for image in images:
        encoded = io.BytesIO()
        image.save(encoded, format="JPEG", quality=quality, optimize=True)
        encoded.seek(0)
        pdf.drawImage(ImageReader(encoded), 0, 0, width=PAGE_WIDTH, height=PAGE_HEIGHT)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scan_pdf(pages: list[Page], seed: str, dpi: int = 200, skew: float = 0.0,
             upside_down: frozenset[int] = frozenset(), title: str | None = None) -> bytes:
    """The pages printed and scanned: grayscale images only, so a PDF reader finds no text."""
    images = [
        scanned(render_page(page, dpi), f"{seed}:{number}", skew, number in upside_down)
        for number, page in enumerate(pages)
    ]
    return image_pdf(images, title)


def write_specimens(out: Path, made: list[tuple[Any, bytes]], readme: str) -> list[Any]:
    """Write each (truth, pdf) as truth.file, then `truth.json` (sorted by file) and `README.md`."""
    out.mkdir(parents=True, exist_ok=True)
    for truth, pdf in made:
        (out / truth.file).write_bytes(pdf)
    truths = sorted((truth for truth, _ in made), key=lambda t: t.file)
    text = json.dumps([asdict(t) for t in truths], ensure_ascii=False, indent=1) + "\n"
    (out / "truth.json").write_text(text, encoding="utf-8")
    (out / "README.md").write_text(readme, encoding="utf-8")
    return truths
