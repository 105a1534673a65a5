"""Interface strings in English and French, and the choice of language for a request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from babel.dates import format_date, get_month_names

from letters.web import messages

LANGUAGES = ("en", "fr")
DEFAULT = "en"
COOKIE = "letters_lang"

#: A colon between a label and its value: French puts a (narrow no-break) space before it.
COLON = {"en": ": ", "fr": "\u202f: "}

#: The interface strings by key, per language, from the gettext catalogs (see `messages`).
STRINGS: dict[str, dict[str, str]] = {lang: messages.interface(lang) for lang in LANGUAGES}


def choose(query: str | None, cookie: str | None, accept: str | None) -> str:
    """The language: `?lang=`, else the cookie, else the browser's preference, else English."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT


def translator(lang: str) -> Callable[..., str]:
    """A function giving the interface string for a key, formatted with keyword arguments."""
    table = STRINGS.get(lang, STRINGS[DEFAULT])

    def t(key: str, **values: object) -> str:
        text = table.get(key) or STRINGS[DEFAULT].get(key, key)
        return text.format(**values) if values else text

    return t


def long_date(iso: str | None, lang: str) -> str | None:
    """'2018-05-23' as '23 May 2018' (English) or '23 mai 2018' (French), by Babel's locale data."""
    if not iso:
        return None
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return format_date(day, "d MMMM y", locale=lang if lang in LANGUAGES else DEFAULT)


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
