"""Dates written in English and French letters, and which of them is the letter's own date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from letters.messages import Message, msg
from letters.textnorm import fold

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}
_MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|e|eme)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
# Patterns run on folded (lower-case, accent-free) text, so "1er" and "août" are plain ASCII.
_FORMS = [
    re.compile(rf"(?<![\w.]){_DAY}\s+(?:of\s+|de\s+)?{_MONTH},?\s+{_YEAR}(?!\w)"),
    re.compile(rf"(?<![\w.]){_MONTH}\s+{_DAY},?\s+{_YEAR}(?!\w)"),
    re.compile(r"(?<![\w./-])(?P<year>(?:19|20)\d\d)-(?P<month>[01]?\d)-(?P<day>[0-3]?\d)(?![\w/-])"),
    re.compile(r"(?<![\w./-])(?P<day>[0-3]?\d)[./](?P<month>[01]?\d)[./](?P<year>(?:19|20)\d\d)(?![\w/])"),
]
# Words just before a date that make it a date the letter refers to, not its own.
_REFERRED = re.compile(
    r"(?:\b(?:of|on|since|from|until|till|to|by|before|after|dated|du|depuis|au|avant|apres|jusqu'?au"
    r"|des|launched|signed|held|sent|received|written|lancee?s?|signee?s?|envoyee?s?|datee?s?"
    r"|en date du)|\bthe|\bdu|\ble)\s*$"
)
# A place before a dateline: "Strasbourg, " / "Paris, le " / "Cupertino, CA, " / "Date: " /
# "Done at Brussels on " / "Fait à Paris le ".
_PLACE = re.compile(r"(?:[^\W\d][\w'’.\- ]{0,40}(?:,\s*[a-z]{2})?,\s*(?:le\s+|den\s+|on\s+|am\s+|the\s+)?"
                    r"|^\s*(?:done|fait|signed|signe)\s+(?:at|in|a)\s+[^\W\d][\w'’.\- ]{0,40}?,?\s+"
                    r"(?:on|le|this|the)\s+"
                    r"|(?:date|dated|le)\s*:?\s*)$")
_WEEKDAY = re.compile(
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|jeudi"
    r"|vendredi|samedi|dimanche),?\s*$"
)


@dataclass(frozen=True)
class FoundDate:
    """A date written in a line: its ISO form and where it stands."""

    iso: str
    start: int
    end: int
    text: str


def dates_in(line: str) -> list[FoundDate]:
    """Every date written in one line, in the order they appear."""
    folded = fold(line)
    if len(folded) != len(line):  # positions must match the original; fold letter by letter
        folded = "".join(fold(c)[:1] or " " for c in line)
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for form in _FORMS:
        for match in form.finditer(folded):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            iso = _iso(match.group("year"), match.group("month"), match.group("day"))
            if iso:
                taken.append((match.start(), match.end()))
                found.append(FoundDate(iso, match.start(), match.end(),
                                       line[match.start() : match.end()]))
    return sorted(found, key=lambda f: f.start)


def _iso(year: str, month: str, day: str) -> str | None:
    number = MONTHS.get(month) if not month.isdigit() else int(month)
    try:
        return date(int(year), number or 0, int(day)).isoformat()
    except ValueError:
        return None


def is_referred(line: str, found: FoundDate) -> bool:
    """Whether the words before a date make it a date the letter mentions ("your letter of ...")."""
    before = _WEEKDAY.sub("", fold(line[: found.start]).rstrip())
    return bool(_REFERRED.search(before + " ")) and not is_dateline(line, found)


def is_dateline(line: str, found: FoundDate) -> bool:
    """Whether a line is a dateline: the date alone, or after a place ("Strasbourg, le 8 mai 2022")."""
    after = line[found.end :].strip(" .,")
    if after:
        return False
    before = _WEEKDAY.sub("", fold(line[: found.start]))
    if not before.strip():
        return True
    return bool(_PLACE.search(before))


def letter_date(head: list[str], signature: list[str],
                lines: list[str]) -> tuple[FoundDate, Message] | None:
    """The letter's own date and where it was found, or None.

    In order: a dateline in the head; any date in the head not referred to; a dateline in the
    signature block; a date alone on its line anywhere. Dates in the body's sentences are never
    taken: they are the dates a letter refers to.
    """
    for line in head:
        for found in dates_in(line):
            if is_dateline(line, found):
                return found, msg("evidence.dateline", line=line)
    for line in head:
        for found in dates_in(line):
            if not is_referred(line, found):
                return found, msg("evidence.date_in_heading", line=line)
    for line in signature:
        for found in dates_in(line):
            if is_dateline(line, found) or not is_referred(line, found):
                return found, msg("evidence.date_by_signature", line=line)
    for line in lines:
        for found in dates_in(line):
            if line[: found.start].strip() == "" and line[found.end :].strip(" .") == "":
                return found, msg("evidence.date_alone", line=line)
    return None
