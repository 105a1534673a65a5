"""What the domain says, in the reader's language, from gettext catalogs read with Babel.

The domain says things as messages (`letters.messages.Message`: a code and its parameters:
review reasons, evidence, fixity problems, upload refusals, search errors). Their translations
live in `locales/<lang>/LC_MESSAGES/messages.po`, the format translators know: each code is a
msgctxt, its msgid the English with `{name}` for its parameters (python-brace-format); `say`
fills in the parameters, themselves said in the same language when they are messages.
Sentences that have no code (stored titles, records made before codes, the web layer's errors)
are translated by finding the msgid they are an instance of, their parts translated in turn
(`translate`), in time linear in the sentence (no regular expression runs over it) and only up
to `LONGEST` characters: what a client sends is said through codes, never matched. The same
catalogs hold the interface strings of the templates, each under its key as msgctxt
(`interface`); their English is in the template `locales/messages.pot`.
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


#: The longest sentence without a code that is matched against the catalog: a longer one is
#: shown as it is (the catalog's sentences with parts are far shorter, and nothing a client sends
#: is worth more work than this).
LONGEST = 2000
#: How deep the parts of a sentence are translated in turn (a part holding a sentence holding one).
DEPTH = 4


class Template:
    """A msgid with parts (`{name}`), matched in time linear in the sentence, without backtracking:
    each part takes the text up to the leftmost occurrence of the fixed piece after it, which leaves
    the most text to the pieces that follow, so no other choice matches where it fails."""

    def __init__(self, msgid: str) -> None:
        self.english = msgid
        pieces = _PLACEHOLDER.split(msgid)
        self.fixed = pieces[0::2]
        self.names = pieces[1::2]

    def match(self, sentence: str) -> dict[str, str] | None:
        """The parts of `sentence` by name, or None when it is not an instance of the msgid."""
        first, last = self.fixed[0], self.fixed[-1]
        end = len(sentence) - len(last)
        if end < len(first) or not sentence.startswith(first) or not sentence.endswith(last):
            return None
        at, parts = len(first), {}
        for name, piece in zip(self.names[:-1], self.fixed[1:-1], strict=True):
            found = sentence.find(piece, at, end)
            if found < 0:
                return None
            parts[name] = sentence[at:found]
            at = found + len(piece)
        parts[self.names[-1]] = sentence[at:end]
        return parts


#: The fewest fixed characters a template needs to be looked for in a sentence.
MIN_FIXED = 6


class Catalog:
    """One language's sentences: exact ones by msgid, and templates for those with parts."""

    def __init__(self, pairs: list[tuple[str, str]], lang: str = "en",
                 dated: frozenset[str] = frozenset()) -> None:
        self.msgids = dict(pairs)
        self.lang = lang
        self.exact = {english: other for english, other in pairs if "{" not in english}
        # one template per English sentence (codes that say the same share one)
        patterns = list(dict((english, other) for english, other in pairs if "{" in english)
                        .items())
        # the most specific first: the one with the most fixed text
        patterns.sort(key=lambda pair: -len(_PLACEHOLDER.sub("", pair[0])))
        self.patterns = [(Template(english), other, english in dated)
                         for english, other in patterns]
        # a template with less fixed text than MIN_FIXED ("{first} and {second}") matches any
        # sentence holding " and ": it is taken only when each of its parts is a sentence too
        self.loose = {english for english, _ in patterns
                      if len(_PLACEHOLDER.sub("", english)) < MIN_FIXED}
        #: The characters of sentences tried against a template so far (each try reads the
        #: sentence at most a few times): what translating has cost, for the tests.
        self.scanned = 0

    def translate(self, sentence: str, depth: int = DEPTH) -> str | None:
        """The sentence in this catalog's language, or None when it is not one of its msgids
        (the days of a reason's or evidence's sentence written out, as `say` writes them); a
        sentence longer than `LONGEST` is not looked for, and parts are translated in turn
        `depth` levels deep."""
        if sentence in self.exact:
            return self.exact[sentence]
        if len(sentence) > LONGEST or depth <= 0:
            return None
        for template, other, days in self.patterns:
            self.scanned += len(sentence)
            found = template.match(sentence)
            if found is None or (days and "date" in found and not _DAY.match(found["date"])):
                continue  # (a dated sentence's {date} is a day: "... of {date}" ends there)
            said = {k: long_date(v, self.lang) if days and _DAY.match(v)
                    else self.translate(v, depth - 1) for k, v in found.items()}
            if template.english in self.loose and any(v is None for v in said.values()):
                continue
            return other.format(**{k: found[k] if v is None else v for k, v in said.items()})
        return None


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
    """A domain sentence in `lang`; a list joined by '; ' part by part; as it is when unknown
    or longer than `LONGEST` (a sentence without a code is never worth more work)."""
    if not sentence or len(sentence) > LONGEST:
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
