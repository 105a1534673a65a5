"""The document of one letter, as every engine indexes it: fields and their meaning, no engine.

Fields (the same names in every engine):
- `id`, `record` (the Letter as JSON, so a hit needs no read of the archive), `content` (the full
  text: unstemmed, accents folded; phrases, snippets);
- `text_en` / `text_fr`: the text again, stemmed in English / French *then* folded, only for
  letters in that language (both when the language is unknown), so that one language's stems
  never meet the other language's words;
- `vocab_en` / `vocab_fr`: the folded words of the letters in each language (no positions), to
  tell which language a searched word belongs to (`lowering`);
- `title`, `partner` (slug, name, aliases, former names), `signatory`, `signed_by`: folded text;
- keywords `partner_slug`, `signatory_slug`, `year`, `language`, `direction`, `status`, `ocr`;
- `day` (the date) and the sort keys `date_asc` / `date_desc` (undated letters last both ways,
  ties broken by id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from letters.models import Letter
from letters.registry import Registry

#: Bump whenever the fields or an analysis change: an index of another version is rebuilt.
SCHEMA_VERSION = "3"
#: Free text searches these unstemmed fields, each with its boost (a name ranks above the body).
DEFAULT_FIELDS = {"content": 1.0, "title": 2.0, "partner": 4.0, "signatory": 3.0, "signed_by": 2.0}
#: The index field of each query-language text field.
TEXT_FIELD = {"text": "content", "partner": "partner", "signatory": "signatory",
              "signed_by": "signed_by", "title": "title"}
#: The index field of each keyword of the query language and of the filters.
VALUE_FIELD = {"partner": "partner_slug", "signatory": "signatory_slug", "direction": "direction",
               "language": "language", "status": "status", "ocr": "ocr", "id": "id"}
FACET_FIELDS = {"partner": "partner_slug", "signatory": "signatory_slug", "year": "year",
                "language": "language", "direction": "direction"}
KEYWORDS = ("id", "partner_slug", "signatory_slug", "year", "language", "direction", "status",
            "ocr")
LAST = 99_999_999  # the sort position of an undated letter (after every yyyymmdd)


@dataclass
class Document:
    """The values of one letter's fields (None: the field is absent)."""

    id: str
    record: str
    content: str
    text_en: str | None
    text_fr: str | None
    title: str
    partner: str
    signatory: str
    signed_by: str
    partner_slug: str | None
    signatory_slug: str | None
    language: str | None
    direction: str | None
    status: str
    ocr: str
    day: date | None

    @property
    def year(self) -> str | None:
        """The year of the letter's date, as text."""
        return str(self.day.year) if self.day else None

    @property
    def date_asc(self) -> int:
        """Oldest first, undated last, then by id: a number that fits in 64 bits."""
        day = int(self.day.strftime("%Y%m%d")) if self.day else LAST
        return day << 32 | int(self.id[:8], 16)

    @property
    def date_desc(self) -> int:
        """Newest first, undated last, then by id."""
        day = LAST - int(self.day.strftime("%Y%m%d")) if self.day else LAST
        return day << 32 | int(self.id[:8], 16)

    def keywords(self) -> dict[str, str]:
        """The keyword fields that have a value."""
        values = {"id": self.id, "partner_slug": self.partner_slug,
                  "signatory_slug": self.signatory_slug, "year": self.year,
                  "language": self.language, "direction": self.direction,
                  "status": self.status, "ocr": self.ocr}
        return {name: value for name, value in values.items() if value}


def document(letter: Letter, pages: list[str], registry: Registry) -> Document:
    """The index document of one letter."""
    text = "\n\n".join(pages)
    language = (letter.language or "").lower() or None
    return Document(
        id=letter.id, record=json.dumps(letter.to_record(), ensure_ascii=False), content=text,
        text_en=text if language != "fr" else None, text_fr=text if language != "en" else None,
        title=letter.title or "", partner=_partner_names(letter.partner, registry),
        signatory=_signatory_names(letter.signatory, registry), signed_by=letter.signed_by or "",
        partner_slug=letter.partner, signatory_slug=letter.signatory, language=language,
        direction=letter.direction, status=letter.status, ocr="true" if letter.ocr else "false",
        day=parse_day(letter.date),
    )


def _partner_names(slug: str | None, registry: Registry) -> str:
    if slug is None:
        return ""
    partner = registry.partner(slug)
    names = [name.name for name in partner.names()] if partner else []
    return "\n".join([slug, *names])


def _signatory_names(slug: str | None, registry: Registry) -> str:
    if slug is None:
        return ""
    sg = registry.sg(slug)
    names = [sg.name, *sg.variants] if sg else []
    return "\n".join([slug, *names])


def parse_day(value: str | None) -> date | None:
    """The date of an ISO date string (its first ten characters), or None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
