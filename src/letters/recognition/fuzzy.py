"""Partner names as OCR misreads them ("Euro1SPA", "EuroISP A", "Eur oISPA"): close, unique matches.

A name matches a run of words when, case, accents, spaces and punctuation aside and with the letters
OCR confuses made one ("1"/"l"/"I", "0"/"O", "rn"/"m"), it differs by a few edits (insertions,
deletions, substitutions, swaps of neighbours), fewer the shorter the name. A match counts only when
no other partner comes as close or one edit closer: two close partners mean no match.

Partner names are looked for only in words that look like a name (`names_only`): with a capital
or a digit, and not made of common English or French words alone ("range" is never "Orange"),
unless they hold the name's very letters ("O range").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from letters.recognition.names import Entry, distance
from letters.recognition.words import is_word
from letters.textnorm import fold

#: Names shorter than this (compacted) are never matched approximately ("ICC" and "ICCO" are one edit apart).
MIN_LENGTH = 5
#: One more edit allowed per this many letters of the name, from 6 letters on.
LETTERS_PER_EDIT = 6
MAX_EDITS = 3
#: A rival partner must be at least this many edits further away than the best one.
MARGIN = 2
#: Bounded work per letter: lines and words looked at in a zone.
MAX_LINES = 30
MAX_WORDS = 20

_WORD = re.compile(r"[^\W_]+|&")
_CONFUSED = [("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "i"), ("l", "i"), ("5", "s")]


@dataclass(frozen=True)
class CloseMatch:
    """A registered name found approximately: the entry, the words as written and how sure it is."""

    entry: Entry
    text: str
    edits: int  # counted after the letters OCR confuses are made one
    exact_letters: bool  # the same letters in the same order: only case, spaces or punctuation differ


@dataclass(frozen=True)
class Ambiguous:
    """Words close to the names of several partners."""

    text: str
    names: tuple[str, ...]


def compact(text: str) -> str:
    """Lower-case letters and digits only, accents and ligatures resolved ("Eur oISPA" -> "euroispa")."""
    return "".join(_WORD.findall(fold(text)))


def canonical(text: str) -> str:
    """A compacted text with the characters OCR confuses made one ("euro1spa" -> "euroispa")."""
    for seen, meant in _CONFUSED:
        text = text.replace(seen, meant)
    return text


def allowed_edits(name: str) -> int:
    """How many edits a compacted name of this length tolerates (none below six letters)."""
    return min(MAX_EDITS, len(name) // LETTERS_PER_EDIT)


@dataclass(frozen=True)
class _Name:
    """A registered name prepared for comparison."""

    entry: Entry
    key: str  # canonical compacted
    allowed: int
    # 2 * allowed + 1 parts of the key: a text within `allowed` edits holds one of them intact (an
    # edit spoils at most one part, a swap across a boundary two), a cheap test before the distance.
    parts: tuple[str, ...]


@functools.lru_cache(maxsize=16)
def _prepared(entries: tuple[Entry, ...]) -> dict[int, tuple[_Name, ...]]:
    """The names long enough to be matched approximately, by the length of their key."""
    by_length: dict[int, list[_Name]] = {}
    for entry in entries:
        key = canonical(compact(entry.name))
        if len(compact(entry.name)) < MIN_LENGTH:
            continue
        allowed = allowed_edits(key)
        count = 2 * allowed + 1
        cuts = [round(i * len(key) / count) for i in range(count + 1)]
        parts = tuple(key[a:b] for a, b in zip(cuts, cuts[1:], strict=False))
        by_length.setdefault(len(key), []).append(_Name(entry, key, allowed, parts))
    return {length: tuple(names) for length, names in by_length.items()}


@dataclass(frozen=True)
class _Window:
    line: str
    start: int
    end: int
    key: str  # canonical compacted text

    @property
    def text(self) -> str:
        return self.line[self.start : self.end]


def _windows(line: str, longest: int, names: frozenset[str] | None = None) -> list[_Window]:
    """Runs of words of a line whose compacted text is at most `longest` letters long; with
    `names` (the compacted registered names), only the runs that look like a name."""
    found = list(_WORD.finditer(line))[:MAX_WORDS]
    words = [(m.start(), m.end(), canonical(compact(m.group()))) for m in found]
    common = [is_word(m.group()) for m in found]
    out = []
    for first in range(len(words)):
        key = ""
        for last in range(first, len(words)):
            key += words[last][2]
            if len(key) > longest:
                break
            window = _Window(line, words[first][0], words[last][1], key)
            if names is None or _like_a_name(window, all(common[first : last + 1]), names):
                out.append(window)
    return out


def _like_a_name(window: _Window, common: bool, names: frozenset[str]) -> bool:
    """Whether the words could be a name: a capital or a digit, and not common words alone
    unless they are a registered name's very letters."""
    written = window.text
    if not any(c.isupper() or c.isdigit() for c in written):
        return False
    return not common or compact(written) in names


# Per partner: the edits, the name and the words of its closest match.
_Found = dict[str, tuple[int, _Name, _Window]]


def _match(names: dict[int, tuple[_Name, ...]], windows: list[_Window], slack: int) -> _Found:
    """Each partner's closest name in the windows, within its allowed edits plus `slack`."""
    found: _Found = {}
    reach = MAX_EDITS + slack
    for window in windows:
        size = len(window.key)
        for length in range(size - reach, size + reach + 1):
            for name in names.get(length, ()):
                limit = name.allowed + slack
                if abs(size - length) > limit:
                    continue
                if not slack and not any(part in window.key for part in name.parts):
                    continue
                edits = distance(window.key, name.key, limit)
                known = found.get(name.entry.key)
                if edits <= limit and (known is None or (edits, -length) < (known[0], -len(known[1].key))):
                    found[name.entry.key] = (edits, name, window)
    return found


def closest(entries: list[Entry], lines: list[str], names_only: bool = False
            ) -> CloseMatch | Ambiguous | None:
    """The one entry written approximately in the lines, if exactly one partner comes close;
    with `names_only`, only in words that look like a name."""
    names = _prepared(tuple(entries))
    if not names:
        return None
    longest = max(names) + MAX_EDITS
    letters = frozenset(compact(e.name) for e in entries) if names_only else None
    windows = [window for line in lines[:MAX_LINES] for window in _windows(line, longest, letters)]
    found = _match(names, windows, 0)
    if not found:
        return None
    edits, name, window = min(found.values(), key=lambda f: (f[0], -len(f[1].key)))
    written = window.text
    same_letters = compact(written) == compact(name.entry.name)
    if same_letters and any(c.isupper() for c in name.entry.name) and written == written.lower():
        return None  # "orange" in lower case is a word, not the name "Orange"
    # Other partners as close, or one edit further, elsewhere or on the same words.
    around = [w for w in windows if w.line is window.line and w.start < window.end
              and window.start < w.end]
    nearby = _match(names, around, MARGIN - 1)
    rivals = {f[1].entry.name for slug, f in [*found.items(), *nearby.items()]
              if slug != name.entry.key and f[0] < edits + MARGIN}
    if rivals:
        return Ambiguous(written, tuple(sorted({name.entry.name, *rivals})))
    return CloseMatch(name.entry, written, edits, same_letters)
