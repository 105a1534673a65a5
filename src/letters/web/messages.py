"""What the domain says, in the reader's language, from gettext catalogs read with Babel.

The domain says things as messages (`letters.messages.Message`: a code and its parameters:
review reasons, evidence, fixity problems, upload refusals, search errors). Their translations
live in `locales/<lang>/LC_MESSAGES/messages.po`, the format translators know: each code is a
msgctxt, its msgid the English with `{name}` for its parameters (python-brace-format); `say`
fills in the parameters, themselves said in the same language when they are messages.
Sentences that have no code (stored titles, records made before codes, the web layer's errors)
are translated by finding the msgid they are an instance of, their parts translated in turn
(`translate`). The same catalogs hold the interface strings of the templates, each under its
key as msgctxt (`interface`); their English is in the template `locales/messages.pot`.
Catalogs are read from the .po files themselves: nothing to compile.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages import Catalog as Messages
from babel.messages.pofile import read_po

from letters.messages import ENGLISH, WRITTEN, Message, Param
from letters.web.languages import long_date

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The kinds of message whose days are written out in the reader's language (a search error
#: repeats the query as it was typed).
DATED = ("reason", "evidence", "pairing")
#: Between the items of a list: French puts a space before the semicolon.
SEPARATOR = {"fr": " ; "}


class Catalog:
    """One language's sentences: exact ones by msgid, and patterns for those with parts."""

    def __init__(self, pairs: list[tuple[str, str]], lang: str = "en",
                 dated: frozenset[str] = frozenset()) -> None:
        self.msgids = dict(pairs)
        self.lang = lang
        self.exact = {english: other for english, other in pairs if "{" not in english}
        patterns = [(english, other) for english, other in pairs if "{" in english]
        # the most specific first: the one with the most fixed text
        patterns.sort(key=lambda pair: -len(_PLACEHOLDER.sub("", pair[0])))
        self.patterns = [(_compile(english), other, english in dated)
                         for english, other in patterns]

    def translate(self, sentence: str) -> str | None:
        """The sentence in this catalog's language, or None when it is not one of its msgids
        (the days of a reason's or evidence's sentence written out, as `say` writes them)."""
        if sentence in self.exact:
            return self.exact[sentence]
        for pattern, other, days in self.patterns:
            found = pattern.match(sentence)
            if found:
                parts = {k: long_date(v, self.lang) if days and _DAY.match(v)
                         else self.translate(v) or v for k, v in found.groupdict().items()}
                return other.format(**parts)
        return None


def _compile(msgid: str) -> re.Pattern[str]:
    pieces = _PLACEHOLDER.split(msgid)
    body = "".join(re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>.*?)"
                   for i, piece in enumerate(pieces))
    return re.compile(f"^{body}$", re.S)


def path_of(lang: str | None) -> Path:
    """The .po file of a language; the template (.pot, the English msgids) for None."""
    return LOCALES / f"{DOMAIN}.pot" if lang is None else LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def read(lang: str | None) -> Messages:
    """A language's catalog as Babel reads it (the template for None; empty when there is none)."""
    path = path_of(lang)
    if not path.is_file():
        return Messages(locale=lang)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


@cache
def catalog(lang: str) -> Catalog:
    """The sentences of a language, found by their English (the domain's messages and those
    without a code; empty for English, the language of the msgids)."""
    return Catalog([(str(m.id), str(m.string)) for m in read(lang)
                    if m.id and m.string and not m.fuzzy
                    and (m.context is None or m.context in ENGLISH)], lang,
                   frozenset(str(m.id) for m in read(lang)
                             if m.context in ENGLISH and str(m.context).split(".")[0] in DATED))


@cache
def coded(lang: str) -> dict[str, str]:
    """The domain's messages of a language by code (English: `letters.messages.ENGLISH`)."""
    return {**ENGLISH, **{str(m.context): str(m.string) for m in read(lang)
                          if m.context in ENGLISH and m.string and not m.fuzzy}}


def say(message: Message, lang: str) -> str:
    """A message of the domain in `lang` (in English when the catalog lacks it)."""
    if message.code == WRITTEN:
        return translate(str(message), lang)
    dated = message.code.split(".")[0] in DATED
    values = {k: _value(v, lang, dated) for k, v in message.params.items()}
    template = coded(lang).get(message.code)
    return str(message) if template is None else template.format(**values)


def _value(value: Param, lang: str, dated: bool) -> object:
    if isinstance(value, Message):
        return say(value, lang)
    if dated and isinstance(value, str) and _DAY.match(value):
        return long_date(value, lang)
    return value


def say_all(messages: list[Message], lang: str) -> str:
    """Several messages of the domain in `lang`, as one line."""
    return SEPARATOR.get(lang, "; ").join(say(message, lang) for message in messages)


def interface(lang: str) -> dict[str, str]:
    """The interface strings of a language by key (its msgctxt): English from the template, another
    language's from its catalog, a string it lacks (or marks fuzzy) left out."""
    if lang == "en":
        return {str(m.context): str(m.id) for m in read(None) if m.context}
    return {str(m.context): str(m.string) for m in read(lang) if m.context and m.string and not m.fuzzy}


def translate(sentence: str | None, lang: str) -> str:
    """A domain sentence in `lang`; a list joined by '; ' part by part; as it is when unknown."""
    if not sentence:
        return sentence or ""
    table = catalog(lang)
    if "; " in sentence:
        parts = [table.translate(part) for part in sentence.split("; ")]
        if all(part is not None for part in parts):
            return SEPARATOR.get(lang, "; ").join(str(part) for part in parts)
    whole = table.translate(sentence)
    return sentence if whole is None else whole


def gettext(msgid: str, lang: str, **parts: object) -> str:
    """A msgid of the catalog in `lang`, its parts filled in."""
    text = catalog(lang).msgids.get(msgid, msgid)
    return text.format(**parts) if parts else text
