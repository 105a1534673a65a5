"""What a worker process does with one file: read it, recognise it. Runs under the worker's limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from letters.messages import Message, msg
from letters.models import Signature

SCANNED_REASON = msg("reason.scanned_without_text")
LOW_CONFIDENCE = 60.0


@dataclass
class Task:
    """One file to analyse, with what recognition needs to know."""

    path: str
    archive_dir: str
    today: str


@dataclass
class Analysis:
    """Everything learnt from one file, or the sentence saying why it was rejected."""

    error: Message | None = None
    pages: list[str] = field(default_factory=list)
    page_count: int = 0
    partner: str | None = None
    signatory: str | None = None
    signed_by: str | None = None
    date: str | None = None
    direction: str | None = None
    language: str = "en"
    title: Message | None = None  # as recognition says it
    evidence: dict[str, list[Message]] = field(default_factory=dict)
    reasons: list[Message] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    ocr: bool = False
    ocr_confidence: float | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    derived: dict[str, bytes] = field(default_factory=dict)  # e.g. the OCR's searchable copy


def analyse(task: Task) -> Analysis:
    """Extract the text and metadata of one PDF and recognise the letter in it."""
    from letters import registry
    from letters.pdf import extract
    from letters.recognition.recognize import recognize

    path = Path(task.path)
    try:
        extraction = extract.extract(path)
    except extract.ExtractionError as error:
        return Analysis(error=error.message)
    result = Analysis(pages=list(extraction.pages), page_count=extraction.page_count,
                      signatures=extraction.signatures, metadata=extraction.metadata)
    doubtful: list[str] = []
    if extraction.scanned or extraction.textless_pages:
        doubtful = _read_pages(path, result, None if extraction.scanned else extraction.textless_pages)
    text = "\n\n".join(result.pages)
    if extraction.scanned and not extract.meaningful_chars(text):
        result.reasons.append(SCANNED_REASON)
        return result
    if extraction.signatures:
        from letters.pdf import signatures

        result.signatures = signatures.validate(path) or extraction.signatures
    found = recognize(text, registry.load(Path(task.archive_dir)), date.fromisoformat(task.today),
                      doubtful)
    result.partner, result.signatory, result.signed_by = found.partner, found.signatory, found.signed_by
    result.date, result.direction, result.language = found.date, found.direction, found.language
    result.title, result.evidence = found.title, {**found.evidence, **result.evidence}
    result.reasons.extend(found.reasons)
    return result


def _read_pages(path: Path, result: Analysis, numbers: list[int] | None) -> list[str]:
    """OCR the pages without a usable text layer (every page of a scan, `numbers` None) into the
    result, saying which pages were read and how surely (evidence) and which could not be read
    (a reason); return the words read with little confidence. Without Tesseract the letter is kept
    for review with the text it has."""
    from letters.pdf import drawing, ocr

    try:
        done = ocr.read(path, numbers)
    except ocr.OcrError as error:
        result.reasons.append(error.message)
        return []
    said: list[Message] = []
    for page in done.read:
        shown = page.number + 1
        confidence = f"{page.confidence:.0f}"
        if page.heavy:
            why = msg("evidence.ocr_heavy", megabytes=drawing.HEAVY_MB)
            said.append(msg("evidence.ocr_undrawn", page=shown, why=why))
            result.reasons.append(msg("reason.page_unreadable", page=shown, why=why))
            continue
        if page.readable:
            result.pages[page.number] = page.text
            said.append(msg("evidence.ocr_page", page=shown, confidence=confidence))
            continue
        if page.blank:
            said.append(msg("evidence.ocr_blank", page=shown))
            continue
        if page.script not in (None, ocr.SCRIPT):
            why = msg("evidence.ocr_script", script=page.script)
        else:
            why = msg("evidence.ocr_unsure", confidence=confidence)
        said.append(msg("evidence.ocr_unreadable", page=shown, why=why, seen=page.seen))
        result.reasons.append(msg("reason.page_unreadable", page=shown, why=why))
    result.ocr = any(not page.heavy for page in done.read)
    result.ocr_confidence = done.confidence if result.ocr else None
    result.evidence["ocr"] = said
    if any(page.readable for page in done.read) and done.confidence < LOW_CONFIDENCE:
        result.reasons.append(msg("reason.ocr_low_confidence", confidence=f"{done.confidence:.0f}"))
    if done.searchable_pdf:
        result.derived["ocr.pdf"] = done.searchable_pdf
    return done.doubtful
