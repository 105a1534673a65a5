"""Partner names as OCR misreads them ("Euro1SPA", "EuroISP A", "Eur oISPA"): close, unique matches.

A name matches a run of words when, case, accents, spaces and punctuation aside and with the letters
OCR confuses made one ("1"/"l"/"I", "0"/"O", "rn"/"m"), it differs by a few edits (insertions,
deletions, substitutions, swaps of neighbours), fewer the shorter the name. A match counts only when
no other partner comes as close or one edit closer: two close partners mean no match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from letters.recognition.names import Entry, distance
from letters.textnorm import fold

#: Names shorter than this (compacted) are never matched approximately ("ICC" and "ICCO" are one edit apart).
MIN_LENGTH = 5
#: One more edit allowed per this many letters of the name, from 6 letters on.
LETTERS_PER_EDIT = 6
MAX_EDITS = 3
#: A rival partner must be at least this many edits further away than the best one.
MARGIN = 2
#: Bounded work per letter: lines and words looked at in a zone.
MAX_LINES = 40
MAX_WORDS = 40

_WORD = re.compile(r"[^\W_]+|&")
_CONFUSED = [("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "i"), ("l", "i"), ("|", "i"), ("!", "i"),
             ("5", "s")]


@dataclass(frozen=True)
class CloseMatch:
    """A registered name found approximately: the entry, the words as written and how sure it is."""

    entry: Entry
    text: str
    edits: int  # after OCR confusions are made one; 0 when only case, spacing or punctuation differ
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
class _Window:
    start: int
    end: int
    key: str  # canonical compacted text


def _windows(line: str, longest: int) -> list[_Window]:
    """Runs of up to `longest` words of a line, compacted."""
    words = [(m.start(), m.end(), canonical(compact(m.group()))) for m in _WORD.finditer(line)]
    words = words[:MAX_WORDS]
    out = []
    for first in range(len(words)):
        key = ""
        for last in range(first, min(first + longest, len(words))):
            key += words[last][2]
            out.append(_Window(words[first][0], words[last][1], key))
    return out


def closest(entries: list[Entry], lines: list[str]) -> CloseMatch | Ambiguous | None:
    """The one entry written approximately in the lines, if exactly one partner comes close."""
    names = []
    for entry in entries:
        letters = compact(entry.name)
        if len(letters) >= MIN_LENGTH:
            names.append((entry, letters, canonical(letters), len(_WORD.findall(entry.name))))
    if not names:
        return None
    longest = max(words for *_, words in names) + 2  # OCR may split a word in two
    # Per partner: (edits, name, line, window, entry), its closest name anywhere in the lines.
    best: dict[str, tuple[int, str, str, _Window, Entry]] = {}
    for line in lines[:MAX_LINES]:
        for window in _windows(line, longest):
            for entry, _, key, _ in names:
                limit = allowed_edits(key) + MARGIN - 1
                if abs(len(window.key) - len(key)) > limit:
                    continue
                edits = distance(window.key, key, limit)
                known = best.get(entry.key)
                if edits <= limit and (known is None or (edits, -len(key)) < (known[0], -len(known[1]))):
                    best[entry.key] = (edits, key, line, window, entry)
    ranked = sorted(best.values(), key=lambda found: found[0])
    if not ranked or ranked[0][0] > allowed_edits(ranked[0][1]):
        return None
    edits, _, line, window, entry = ranked[0]
    written = line[window.start : window.end]
    same_letters = compact(written) == compact(entry.name)
    if same_letters and any(c.isupper() for c in entry.name) and written == written.lower():
        return None  # "orange" in lower case is a word, not the name "Orange"
    rivals = [found for found in ranked[1:] if found[0] < edits + MARGIN]
    if rivals:
        return Ambiguous(written, tuple(sorted({entry.name, *(found[4].name for found in rivals)})))
    return CloseMatch(entry, written, edits, same_letters)
