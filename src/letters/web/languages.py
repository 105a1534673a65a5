"""The languages the site speaks, and dates written out in each by Babel's locale data."""

from __future__ import annotations

import re
from datetime import date
from functools import cache, lru_cache

from babel.dates import get_month_names

LANGUAGES = ("en", "fr")
DEFAULT = "en"


@lru_cache(maxsize=8192)  # the same days come back on every page
def long_date(iso: str | None, lang: str) -> str | None:
    """'2018-05-23' as '23 May 2018' (English) or '23 mai 2018' (French): what Babel's
    `format_date(day, "d MMMM y")` writes, its month names read once per language (Babel takes
    ~0.1 ms a date: a first page of 100 letters writes some 150 different ones)."""
    if not iso:
        return None
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    lang = lang if lang in LANGUAGES else DEFAULT
    month = _months(lang)[day.month]
    if lang == "fr" and day.day == 1:  # le premier du mois: « 1er octobre 2009 »
        return f"1er {month} {day.year}"
    return f"{day.day} {month} {day.year}"


@cache
def _months(lang: str) -> dict[int, str]:
    """The names of the months in `lang` as a date writes them (Babel's "MMMM")."""
    return {int(n): str(name) for n, name in get_month_names("wide", "format", lang).items()}


def prepare() -> None:
    """Load Babel's locale data of every language now (at start-up): the first date a page
    writes in a language would otherwise read it from disk (a second on a loaded machine)."""
    for lang in LANGUAGES:
        long_date("2009-10-01", lang)
        long_date("2018-05-23", lang)
        month_name(1, lang)


def long_moment(iso: str | None, lang: str) -> str:
    """'2026-11-28T13:53:04Z' as '28 November 2026, 13:53 UTC' (the day as long_date writes it)."""
    if not iso:
        return ""
    day = long_date(iso[:10], lang)
    clock = iso[11:16]
    return f"{day}, {clock} UTC" if len(clock) == 5 and clock[2] == ":" else str(day)


def month_name(month: int, lang: str) -> str:
    """The name of a month (1-12) in `lang`, as in the middle of a sentence."""
    return str(get_month_names("wide", locale=lang if lang in LANGUAGES else DEFAULT)[month])


#: "de" before a vowel in French: "Lettre de AT&T" is written "Lettre d’AT&T".
_ELIDED = re.compile(r"\b([Dd])e ([AEIOUÂÊÎÔÉÈ])")


def elided(text: str, lang: str) -> str:
    """A sentence with French elision made ("de AT&T" as "d’AT&T"); unchanged in English."""
    return _ELIDED.sub("\\1’\\2", text) if lang == "fr" else text
