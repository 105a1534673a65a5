"""The one check that a file can be a PDF before any parser reads it: the command line, the
pipeline, the reader and the upload refuse a file with the same message."""

from __future__ import annotations

from letters.messages import Message, msg

#: Bytes at the start of a file searched for the PDF header (as PDF readers do).
HEADER_WINDOW = 1024


def header_problem(first_bytes: bytes) -> Message | None:
    """Why a file whose first bytes these are is no PDF (empty, or no '%PDF-' in its first
    1024 bytes), or None when it may be one."""
    if not first_bytes:
        return msg("refusal.empty")
    if b"%PDF-" not in first_bytes[:HEADER_WINDOW]:
        return msg("refusal.not_pdf")
    return None
