"""OCR of scanned pages with Tesseract (English and French), page by page.

Each page asked for is rendered with poppler's `pdftoppm` at 300 dpi, its orientation and script
found with Tesseract's OSD on that image made half as large (150 dpi) and the orientation
corrected, then read in one Tesseract run giving its text, word confidences and a PDF page;
Tesseract's PDF output of those pages, with the other pages as they are, gives a searchable copy
kept beside the original. A page read with little confidence, or written in a script other than
the Latin one, is not readable: what OCR made of it is kept as evidence, not as the page's text.
A page whose drawing instructions weigh more than `drawing.HEAVY` is not drawn at all:
poppler would spend minutes of CPU on it (a hostile file), and it is unread like an unreadable page.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from letters.errors import Explained
from letters.messages import Message, msg
from letters.textnorm import normalize

LANGUAGES = "eng+fra"
#: The resolution pages are read at, whatever their scan's own (docs/performance.md: the 200 dpi
#: specimens read at 200 dpi lose characters and two signers' names).
DPI = 300
#: The resolution OSD (orientation and script) sees the page at: enough to find both.
OSD_DPI = 150
#: The most seconds one pdftoppm or Tesseract run may take on a page.
TIMEOUT = 300.0
#: Words Tesseract reads with less confidence than this (0-100) are reported as doubtful.
DOUBTFUL = 65.0
#: Tesseract's OpenMP threads: several Tesseracts side by side, each with threads of its own,
#: fight over the CPUs (OCRmyPDF limits them to one for the same reason).
THREAD_LIMIT = "OMP_THREAD_LIMIT"
#: A page whose words Tesseract reads with a mean confidence below this (0-100) is not readable.
FLOOR = 40.0
#: The script the archive reads (English and French); OSD naming another with at least this
#: confidence makes a page unreadable.
SCRIPT = "Latin"
SCRIPT_CONFIDENCE = 15.0
#: At most this many characters of an unreadable page's OCR are kept as evidence.
EVIDENCE_CHARS = 60


class OcrError(Explained):
    """OCR could not run; its message says why (str(error): in English)."""


@dataclass
class PageRead:
    """One page as OCR read it: its number (from 0), text, mean word confidence (0-100) and script,
    and whether that text can stand as the page's text."""

    number: int
    text: str
    confidence: float
    script: str | None = None
    heavy: bool = False  # not drawn: its drawing instructions weigh more than drawing.HEAVY

    @property
    def blank(self) -> bool:
        """Whether OCR found no letter or digit on the page (a blank page, or one of drawings)."""
        return not re.search(r"\w", self.text)

    @property
    def readable(self) -> bool:
        """Whether the page was read confidently enough, in the Latin script."""
        return not self.heavy and self.confidence >= FLOOR and self.script in (None, SCRIPT)

    @property
    def seen(self) -> str:
        """The start of what OCR made of the page, on one line (the evidence of an unreadable page)."""
        said = " ".join(self.text.split())
        return said if len(said) <= EVIDENCE_CHARS else said[: EVIDENCE_CHARS - 3] + "..."


@dataclass
class OcrResult:
    """The text of each page read (the readable ones; "" for the others), the mean word confidence
    (0-100) of the readable pages (of every page read when none is), a searchable PDF copy, the
    words read with little confidence, and each page read as OCR read it."""

    pages: list[str]
    confidence: float
    searchable_pdf: bytes | None
    doubtful: list[str] = field(default_factory=list)
    read: list[PageRead] = field(default_factory=list)


def available() -> Message | None:
    """None when Tesseract and pdftoppm are installed, else what is missing."""
    missing = [tool for tool in ("tesseract", "pdftoppm") if shutil.which(tool) is None]
    if len(missing) == 1:
        return msg("reason.ocr_unavailable", tool=missing[0])
    if missing:
        return msg("reason.ocr_unavailable_both")
    return None


def side_by_side(jobs: int) -> dict[str, str]:
    """The environment of the Tesseracts of `jobs` workers reading at once: one thread each
    when there are several, unless the user set OMP_THREAD_LIMIT."""
    if jobs > 1 and THREAD_LIMIT not in os.environ:
        return {THREAD_LIMIT: "1"}
    return {}


def _run(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    """Run a tool on a page; OcrError when it takes longer than TIMEOUT seconds."""
    try:
        return subprocess.run(args, capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise OcrError(msg("refusal.ocr_timeout", tool=args[0], seconds=f"{TIMEOUT:g}")) from None


def _orientation(image: Path, dpi: int) -> tuple[int | None, str | None]:
    """The clockwise rotation Tesseract's OSD says the page needs (0, 90, 180, 270; None when it
    is not sure), and the script it sees when it is sure of it (None when it is not)."""
    done = _run(["tesseract", str(image), "stdout", "--psm", "0", "--dpi", str(dpi)])
    match = re.search(rb"Rotate: (\d+)", done.stdout)
    confidence = re.search(rb"Orientation confidence: ([\d.]+)", done.stdout)
    script = re.search(rb"Script: (\w+)", done.stdout)
    sure = re.search(rb"Script confidence: ([\d.]+)", done.stdout)
    seen = (script.group(1).decode("ascii") if script and sure
            and float(sure.group(1)) >= SCRIPT_CONFIDENCE else None)
    if match and confidence and float(confidence.group(1)) >= 2.0:
        return int(match.group(1)), seen
    return None, seen


def _read_page(path: Path, folder: Path, number: int
               ) -> tuple[str, list[tuple[str, float]], bytes, str | None]:
    """Render page `number` at DPI (reduced to OSD_DPI for OSD), turn it upright and read it: its
    text, its words with their confidences, Tesseract's PDF page and the script OSD saw."""
    from PIL import Image

    image = _render(path, folder, number, DPI)
    rotation, script = _orientation(_reduced(image, DPI // OSD_DPI), OSD_DPI)
    if rotation:
        with Image.open(image) as picture:
            picture.rotate(-rotation, expand=True).save(image)
    base = image.with_suffix("")
    # A page OSD turned or found upright is read without a second OSD (PSM 3); one it was not
    # sure of, with Tesseract's own (PSM 1), which may still find it upside down.
    done = _run(["tesseract", str(image), str(base), "--dpi", str(DPI), "-l", LANGUAGES,
                 "--psm", "1" if rotation is None else "3", "txt", "tsv", "pdf"])
    if done.returncode != 0:
        raise OcrError(msg("refusal.ocr_failed"))
    text = base.with_suffix(".txt").read_text(encoding="utf-8", errors="replace")
    rows = csv.DictReader(io.StringIO(base.with_suffix(".tsv").read_text(encoding="utf-8")),
                          delimiter="\t", quoting=csv.QUOTE_NONE)
    words = [(r["text"].strip(), float(r["conf"])) for r in rows
             if r.get("text", "").strip() and float(r["conf"]) >= 0]
    return normalize(text), words, base.with_suffix(".pdf").read_bytes(), script


def _mean(words: list[tuple[str, float]]) -> float:
    return round(sum(c for _, c in words) / len(words), 1) if words else 0.0


def read(path: Path, numbers: Collection[int] | None = None) -> OcrResult:
    """OCR the pages of a PDF whose numbers (from 0) are given, every page when None; the result
    has one text per page read, in page order. Raises OcrError with a sentence when OCR cannot run."""
    problem = available()
    if problem:
        raise OcrError(problem)
    from pypdf import PdfReader, PdfWriter

    from letters.pdf import drawing

    try:
        original = PdfReader(path, strict=False)
        total = len(original.pages)
    except Exception:  # pypdf cannot find its pages
        raise OcrError(msg("refusal.ocr_unrendered")) from None
    wanted = sorted({n for n in numbers if 0 <= n < total}) if numbers is not None \
        else list(range(total))
    with tempfile.TemporaryDirectory(prefix="letters-ocr-") as work:
        folder = Path(work)
        pages: list[str] = []
        seen: list[PageRead] = []
        words: list[tuple[str, float]] = []
        every: list[tuple[str, float]] = []
        copies: dict[int, bytes] = {}
        for number in wanted:
            if drawing.too_heavy(original, number):
                seen.append(PageRead(number, "", 0.0, heavy=True))
                pages.append("")
                continue
            text, found, pdf, script = _read_page(path, folder, number)
            page = PageRead(number, text, _mean(found), script)
            seen.append(page)
            every.extend(found)
            pages.append(text if page.readable else "")
            if page.readable:
                words.extend(found)
                copies[number] = pdf
        writer = PdfWriter()
        for number in range(total):
            if number in copies:
                for copied in PdfReader(io.BytesIO(copies[number])).pages:
                    writer.add_page(copied)
            elif numbers is not None:
                writer.add_page(original.pages[number])
        copy = io.BytesIO()
        writer.write(copy)
    doubtful = [word for word, confidence in words if confidence < DOUBTFUL]
    return OcrResult(pages=pages, confidence=_mean(words or every),
                     searchable_pdf=copy.getvalue() if copies else None, doubtful=doubtful,
                     read=seen)


def _reduced(image: Path, factor: int) -> Path:
    """The page image made `factor` times smaller, beside it (for OSD: rendering the page a
    second time would run its content stream again, which a hostile page makes cost minutes)."""
    from PIL import Image

    smaller = image.with_name(f"osd-{image.name}")
    with Image.open(image) as picture:
        picture.reduce(factor).save(smaller)
    return smaller


def _render(path: Path, folder: Path, number: int, dpi: int) -> Path:
    """Page `number` (from 0) rendered at `dpi` as a grey image (PGM: PNG's compression would
    cost more CPU than the OCR's layout analysis)."""
    target = folder / f"page-{number}"
    first = str(number + 1)
    done = _run(["pdftoppm", "-r", str(dpi), "-gray", "-f", first, "-l", first, "-singlefile",
                 str(path), str(target)])
    image = target.with_suffix(".pgm")
    if done.returncode != 0 or not image.exists():
        raise OcrError(msg("refusal.ocr_unrendered"))
    return image

