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
    result = Analysis(pages=extraction.pages, page_count=extraction.page_count,
                      signatures=extraction.signatures, metadata=extraction.metadata)
    text = "\n\n".join(extraction.pages)
    doubtful: list[str] = []
    if extraction.scanned:
        text, doubtful, result = _read_scan(path, result)
        if not text.strip():
            result.reasons.append(SCANNED_REASON)
            return result
    if extraction.signatures:
        from letters.pdf import signatures

        result.signatures = signatures.validate(path) or extraction.signatures
    found = recognize(text, registry.load(Path(task.archive_dir)), date.fromisoformat(task.today),
                      doubtful)
    result.partner, result.signatory, result.signed_by = found.partner, found.signatory, found.signed_by
    result.date, result.direction, result.language = found.date, found.direction, found.language
    result.title, result.evidence = found.title, found.evidence
    result.reasons.extend(found.reasons)
    return result


def _read_scan(path: Path, result: Analysis) -> tuple[str, list[str], Analysis]:
    """OCR a scanned letter: its text and the words read with little confidence; without Tesseract
    the letter is kept for review, text empty."""
    from letters.pdf import ocr

    try:
        done = ocr.read(path)
    except ocr.OcrError as error:
        result.reasons.append(error.message)
        return "", [], result
    result.pages, result.ocr, result.ocr_confidence = done.pages, True, done.confidence
    if done.confidence < LOW_CONFIDENCE:
        result.reasons.append(msg("reason.ocr_low_confidence", confidence=f"{done.confidence:.0f}"))
    if done.searchable_pdf:
        result.derived["ocr.pdf"] = done.searchable_pdf
    return "\n\n".join(done.pages), done.doubtful, result
