"""Interface strings in English and French, and the choice of language for a request."""

from __future__ import annotations

from collections.abc import Callable

from letters.web import saying
from letters.web.languages import DEFAULT, LANGUAGES

COOKIE = "letters_lang"

#: A colon between a label and its value: French puts a (narrow no-break) space before it.
COLON = {"en": ": ", "fr": "\u202f: "}

#: The interface strings by key, per language, from the gettext catalogs (see `messages`).
STRINGS: dict[str, dict[str, str]] = {lang: saying.interface(lang) for lang in LANGUAGES}


def choose(query: str | None, cookie: str | None, accept: str | None) -> str:
    """The language: `?lang=`, else the cookie, else the browser's preference (the first
    language of the highest q-value; `q=0` means not wanted), else English."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    return preferred(accept) or DEFAULT


#: Languages of an Accept-Language header read, at most (browsers send a handful).
MOST_ACCEPTED = 32


def preferred(accept: str | None) -> str | None:
    """The site's language an Accept-Language header prefers (RFC 9110: highest q-value, then
    the order given); None when it names none with a q-value above 0."""
    ranked: list[tuple[float, int, str]] = []
    for place, part in enumerate((accept or "").split(",")[:MOST_ACCEPTED]):
        code, *params = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0  # a malformed weight: not a wish anyone can rely on
        lang = code.lower()[:2]
        if lang in LANGUAGES and 0 < weight <= 1 and (code[2:3] in ("", "-")):
            ranked.append((-weight, place, lang))
    return min(ranked)[2] if ranked else None


def translator(lang: str) -> Callable[..., str]:
    """A function giving the interface string for a key, formatted with keyword arguments."""
    table = STRINGS.get(lang, STRINGS[DEFAULT])

    def t(key: str, **values: object) -> str:
        text = table.get(key) or STRINGS[DEFAULT].get(key, key)
        return text.format(**values) if values else text

    return t
