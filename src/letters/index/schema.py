"""The index schema, its analyzers and the document of one letter: defined once, versioned."""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from whoosh.analysis import Filter, RegexTokenizer, StemFilter
from whoosh.fields import BOOLEAN, DATETIME, ID, STORED, TEXT, Schema

from letters.models import Letter
from letters.registry import Registry
from letters.textnorm import fold

#: Bump whenever SCHEMA or an analyzer changes: an index of another version is rebuilt.
SCHEMA_VERSION = "1"
VERSION_FILE = "SCHEMA_VERSION"


# -- analysis ------------------------------------------------------------------------------
_fold = functools.lru_cache(maxsize=200_000)(fold)


class FoldFilter(Filter):
    """NFKC, lower case, no diacritics: "Pejčinović" and "Pejcinovic" become the same term."""

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = _fold(token.text)
            yield token


class CaseFilter(Filter):
    """NFKC and lower case, keeping accents (the French stemmer reads them)."""

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = unicodedata.normalize("NFKC", token.text).casefold()
            yield token


FOLDED = RegexTokenizer() | FoldFilter()
ENGLISH = RegexTokenizer() | FoldFilter() | StemFilter(lang="en")
FRENCH = RegexTokenizer() | CaseFilter() | StemFilter(lang="fr") | FoldFilter()

# -- schema --------------------------------------------------------------------------------
SCHEMA = Schema(
    id=ID(stored=True, unique=True, sortable=True),
    record=STORED(),  # the Letter record as JSON, so a hit needs no read of the archive
    content=TEXT(analyzer=FOLDED, stored=True),  # the full text, unstemmed: phrases, snippets
    text_en=TEXT(analyzer=ENGLISH, phrase=False),  # the full text again, stemmed, when English
    text_fr=TEXT(analyzer=FRENCH, phrase=False),  # ... and when French
    title=TEXT(analyzer=FOLDED),
    partner=TEXT(analyzer=FOLDED),  # slug, name, aliases and former names
    signatory=TEXT(analyzer=FOLDED),  # the Secretary General's slug, name and spellings
    signed_by=TEXT(analyzer=FOLDED),
    partner_slug=ID(sortable=True),
    signatory_slug=ID(sortable=True),
    date=DATETIME(),
    date_asc=ID(sortable=True),  # "2020-02-06", or "~" (after every date) when unknown
    date_desc=ID(sortable=True),  # the date with each digit d as 9-d, so ascending is newest first
    year=ID(sortable=True),
    direction=ID(sortable=True),
    language=ID(sortable=True),
    ocr=BOOLEAN(),
    status=ID(sortable=True),
)
STEMMED = frozenset({"text_en", "text_fr"})
UNSTEMMED = frozenset({"content", "title", "partner", "signatory", "signed_by"})
#: Free text searches these; a match in a name ranks above a mention in the body.
DEFAULT_FIELDS = ("content", "text_en", "text_fr", "title", "partner", "signatory", "signed_by")
BOOSTS = {"partner": 4.0, "signatory": 3.0, "signed_by": 2.0, "title": 2.0}
FACET_FIELDS = {"partner": "partner_slug", "signatory": "signatory_slug", "year": "year",
                "language": "language", "direction": "direction"}
SPELLING_FIELDS = ("content", "partner", "signatory", "title")
NO_DATE = "~"


# -- documents -----------------------------------------------------------------------------
def document(letter: Letter, pages: list[str], registry: Registry) -> dict[str, Any]:
    """The index document of one letter."""
    text = "\n\n".join(pages)
    document: dict[str, Any] = {
        "id": letter.id,
        "record": json.dumps(letter.to_json(), ensure_ascii=False),
        "content": text,
        "title": letter.title or "",
        "partner": _partner_names(letter.partner, registry),
        "signatory": _signatory_names(letter.signatory, registry),
        "signed_by": letter.signed_by or "",
        "language": (letter.language or "").lower(),
        "ocr": bool(letter.ocr),
        "status": letter.status,
        "date_asc": NO_DATE,
        "date_desc": NO_DATE,
    }
    if document["language"] != "fr":
        document["text_en"] = text
    if document["language"] != "en":
        document["text_fr"] = text
    if letter.partner:
        document["partner_slug"] = letter.partner
    if letter.signatory:
        document["signatory_slug"] = letter.signatory
    if letter.direction:
        document["direction"] = letter.direction
    when = parse_day(letter.date)
    if when is not None:
        iso = when.isoformat()
        document.update(date=midnight(when), year=iso[:4], date_asc=iso,
                        date_desc=iso.translate(_INVERT))
    if not document["language"]:
        del document["language"]
    return document


_INVERT = str.maketrans("0123456789", "9876543210")


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


def midnight(day: date) -> datetime:
    """The datetime at the start of this day, as the `date` field stores it."""
    return datetime(day.year, day.month, day.day)


def text_of(value: Any) -> str:
    """A stored or column value as text (Whoosh gives some as bytes)."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
