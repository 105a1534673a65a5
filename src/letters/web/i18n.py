"""Interface strings in English and French, and the choice of language for a request."""

from __future__ import annotations

from collections.abc import Callable

from letters.web import messages
from letters.web.languages import DEFAULT, LANGUAGES

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
