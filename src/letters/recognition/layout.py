"""A letter's text cut into its parts: head (letterhead, dateline, addressee), body, signature block."""

from __future__ import annotations

import re
from dataclasses import dataclass

from letters.textnorm import fold

# The specimen banner, whole or merged into another line by the text extraction.
_BANNER = re.compile(
    r"SP[EÉ]CIMEN\s*[-–—:]*\s*(?:not the original letter|ce n['’]est pas la lettre originale)?\.?",
    re.IGNORECASE,
)
_SALUTATION = re.compile(
    r"^(?:dear\b.*|(?:madame|monsieur|mesdames|messieurs|mesdames et messieurs|cher|chere|chers"
    r"|excellence|your excellency|sir|madam|to whom it may concern)\b[^.;]{0,60}[,:!])$"
)
_CLOSING = re.compile(
    r"^(?:yours\s+(?:sincerely|faithfully|truly|respectfully|ever)|(?:very\s+)?sincerely(?:\s+yours)?"
    r"|(?:with\s+)?(?:my\s+)?(?:kind|best|warm|warmest|kindest)\s+regards|regards\s*[,.]?$"
    r"|respectfully(?:\s+yours)?|please\s+accept\b.*\b(?:assurance|consideration|regards)"
    r"|accept\b.*\bassurances?|veuillez\s+(?:agreer|croire|recevoir|accepter)"
    r"|je\s+vous\s+prie\s+(?:d['’]agreer|de\s+(?:croire|recevoir|bien\s+vouloir|trouver))"
    r"|(?:avec|recevez)\b.{0,60}\b(?:salutations|considerations?)|(?:bien\s+)?cordialement"
    r"|croyez\b|je\s+vous\s+prie\s+d['’]accepter|bien\s+a\s+vous|(?:with\s+)?best\s+wishes"
    r"|cordially|yours\s*,?$|(?:mes\s+|nos\s+)?(?:sinceres\s+)?salutations\s+distinguees)"
)
# Closing formulas that are whole sentences, ending with a full stop.
_FORMAL_CLOSING = re.compile(
    r"^(?:please\s+accept|accept\b|veuillez|je\s+vous\s+prie|recevez|croyez|avec\b)"
)
# Lines after a signature that are not part of it.
_TRAILER = re.compile(
    r"^(?:cc|c\.c\.|copy|copies|copie|enclosures?|encl\.|annex(?:e|es)?|p\.\s?j\.|pi[eè]ces? jointes?"
    r"|page\s+\d+|-\s*\d+\s*-|\d+\s*/\s*\d+|\d+)\b",
    re.IGNORECASE,
)
# A full stop ending a line, perhaps followed by what OCR read from specks ("considération. | = 4").
_SENTENCE_END = re.compile(r"[.!][^\w]*(?:\d{1,2}[^\w]*)?$")
#: Head size when a letter has no salutation.
HEAD_FALLBACK = 14
#: Signature block size when a letter has no closing formula.
SIGNATURE_FALLBACK = 6


@dataclass
class Layout:
    """The non-empty lines of a letter and where its parts begin and end."""

    lines: list[str]
    salutation: int | None
    closing: int | None
    head_end: int  # the head is lines[:head_end]
    signature_start: int  # the signature block is lines[signature_start:signature_end]
    signature_end: int

    @property
    def head(self) -> list[str]:
        """Letterhead, dateline, addressee block: everything above the salutation."""
        return self.lines[: self.head_end]

    @property
    def body(self) -> list[str]:
        """From the salutation to the closing formula."""
        end = self.closing if self.closing is not None else self.signature_start
        return self.lines[self.head_end : end]

    @property
    def signature(self) -> list[str]:
        """The lines after the closing formula: name, title, organisation."""
        return self.lines[self.signature_start : self.signature_end]

    @property
    def salutation_line(self) -> str | None:
        """The salutation as written ("Dear Ms Larsen,")."""
        return self.lines[self.salutation] if self.salutation is not None else None


def strip_banner(text: str) -> str:
    """The text without the specimen banner lines."""
    return _BANNER.sub("", text)


def lines_of(text: str) -> list[str]:
    """The non-empty lines of a text, banner removed, spaces collapsed."""
    out = []
    for raw in strip_banner(text).replace("\f", "\n").split("\n"):
        line = " ".join(raw.split())
        if line and re.search(r"\w", line):
            out.append(line)
    return out


def is_salutation(line: str) -> bool:
    """Whether a line opens a letter ("Dear Ms Larsen," / "Madame la Présidente,")."""
    return len(line) <= 90 and bool(_SALUTATION.match(fold(line)))


def is_closing(line: str) -> bool:
    """Whether a line starts a closing formula ("Yours sincerely," / "Veuillez agréer...")."""
    return bool(_CLOSING.match(fold(line)))


def analyse(text: str) -> Layout:
    """Cut a letter's text into head, body and signature block."""
    lines = lines_of(text)
    salutation = next((i for i, line in enumerate(lines) if is_salutation(line)), None)
    head_end = salutation if salutation is not None else min(HEAD_FALLBACK, len(lines))
    start = (salutation + 1) if salutation is not None else 0
    closing = next(
        (i for i in range(len(lines) - 1, start - 1, -1) if is_closing(lines[i])), None
    )
    if closing is not None:
        signature_start = _closing_end(lines, closing) + 1
    else:
        signature_start = max(start, len(lines) - SIGNATURE_FALLBACK)
    signature_end = signature_start
    while signature_end < len(lines) and not _TRAILER.match(lines[signature_end]):
        signature_end += 1
    return Layout(lines, salutation, closing, head_end, signature_start, signature_end)


def _closing_end(lines: list[str], closing: int) -> int:
    """The last line of a closing formula.

    "Yours sincerely," is one line; a formal sentence ("Je vous prie d'agréer, Madame, l'expression
    de ma haute considération.") runs to its full stop, over up to four lines.
    """
    if not _FORMAL_CLOSING.match(fold(lines[closing])):
        return closing
    for i in range(closing, min(closing + 4, len(lines))):
        if _SENTENCE_END.search(lines[i]):
            return i
    return closing
