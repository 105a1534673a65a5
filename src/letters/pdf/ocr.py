"""OCR of scanned letters with Tesseract (English and French), page by page.

Pages are rendered with poppler's `pdftoppm`, their orientation found with Tesseract's OSD and
corrected, then read; Tesseract's PDF output gives a searchable copy kept beside the original.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from letters.errors import Explained
from letters.messages import Message, msg
from letters.textnorm import normalize

LANGUAGES = "eng+fra"
DPI = 300
#: Words Tesseract reads with less confidence than this (0-100) are reported as doubtful.
DOUBTFUL = 65.0
#: Tesseract's OpenMP threads: several Tesseracts side by side, each with threads of its own,
#: fight over the CPUs (OCRmyPDF limits them to one for the same reason).
THREAD_LIMIT = "OMP_THREAD_LIMIT"


class OcrError(Explained):
    """OCR could not run; its message says why (str(error): in English)."""


@dataclass
class OcrResult:
    """The text of each page, the mean word confidence (0-100), a searchable PDF copy, and the
    words read with little confidence."""

    pages: list[str]
    confidence: float
    searchable_pdf: bytes | None
    doubtful: list[str] = field(default_factory=list)


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


def _run(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, capture_output=True, timeout=timeout, check=False)


def _orientation(image: Path) -> int:
    """The clockwise rotation Tesseract's OSD says the page needs (0, 90, 180, 270)."""
    done = _run(["tesseract", str(image), "stdout", "--psm", "0"])
    match = re.search(rb"Rotate: (\d+)", done.stdout)
    confidence = re.search(rb"Orientation confidence: ([\d.]+)", done.stdout)
    if match and confidence and float(confidence.group(1)) >= 2.0:
        return int(match.group(1))
    return 0


def _read_page(image: Path) -> tuple[str, list[tuple[str, float]], bytes]:
    rotation = _orientation(image)
    if rotation:
        with Image.open(image) as picture:
            picture.rotate(-rotation, expand=True).save(image)
    base = image.with_suffix("")
    done = _run(["tesseract", str(image), str(base), "-l", LANGUAGES, "--psm", "1",
                 "txt", "tsv", "pdf"])
    if done.returncode != 0:
        raise OcrError(msg("refusal.ocr_failed"))
    text = base.with_suffix(".txt").read_text(encoding="utf-8", errors="replace")
    rows = csv.DictReader(io.StringIO(base.with_suffix(".tsv").read_text(encoding="utf-8")),
                          delimiter="\t", quoting=csv.QUOTE_NONE)
    words = [(r["text"].strip(), float(r["conf"])) for r in rows
             if r.get("text", "").strip() and float(r["conf"]) >= 0]
    return normalize(text), words, base.with_suffix(".pdf").read_bytes()


def read(path: Path) -> OcrResult:
    """OCR every page of a PDF; raises OcrError with a sentence when OCR cannot run."""
    problem = available()
    if problem:
        raise OcrError(problem)
    from pypdf import PdfReader, PdfWriter

    with tempfile.TemporaryDirectory(prefix="letters-ocr-") as work:
        folder = Path(work)
        done = _run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(path), str(folder / "page")])
        if done.returncode != 0:
            raise OcrError(msg("refusal.ocr_unrendered"))
        pages: list[str] = []
        words: list[tuple[str, float]] = []
        writer = PdfWriter()
        for image in sorted(folder.glob("page*.png"), key=lambda p: int(re.sub(r"\D", "", p.stem))):
            text, read, pdf = _read_page(image)
            pages.append(text)
            words.extend(read)
            for page in PdfReader(io.BytesIO(pdf)).pages:
                writer.add_page(page)
        copy = io.BytesIO()
        writer.write(copy)
    mean = round(sum(c for _, c in words) / len(words), 1) if words else 0.0
    doubtful = [word for word, confidence in words if confidence < DOUBTFUL]
    return OcrResult(pages=pages, confidence=mean, searchable_pdf=copy.getvalue(), doubtful=doubtful)
