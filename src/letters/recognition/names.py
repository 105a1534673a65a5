"""Finding registered names in a text: accent- and case-insensitive, whole words, longest first."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from letters.textnorm import fold


@dataclass(frozen=True)
class Entry:
    """A name to look for and what it stands for (a partner's or Secretary General's slug)."""

    key: str
    name: str
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class Hit:
    """An entry found in a text, with the words as written."""

    entry: Entry
    text: str
    start: int
    end: int


class Folded:
    """A text folded letter by letter, remembering where each folded letter came from."""

    def __init__(self, text: str) -> None:
        self.text = text
        if text.isascii():  # one folded letter per letter, in place
            self.folded = fold(text)
            self.origin = list(range(len(text) + 1))
            return
        parts: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(text):
            folded = fold(char)
            parts.append(folded)
            origin.extend([index] * len(folded))
        self.folded = "".join(parts)
        self.origin = origin + [len(text)]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of a folded span."""
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


@functools.lru_cache(maxsize=4096)
def _pattern(name: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s\-]+", fold(name).strip()) if w]
    body = r"[\s\-]+".join(words)
    # "Apple Inc." may be written "Apple Inc" and "The LEGO Group" is often "the LEGO Group".
    body = re.sub(r"\\\.$", r"\\.?", body)
    return re.compile(rf"(?<![\w&]){body}(?![\w&])")


class Matcher:
    """Looks for a set of names in texts."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = [(entry, _pattern(entry.name)) for entry in entries if entry.name.strip()]

    def names(self) -> list[Entry]:
        """The entries looked for."""
        return [entry for entry, _ in self.entries]

    def find(self, text: str) -> list[Hit]:
        """Every entry in the text; where names overlap, the longest wins; in text order."""
        folded = Folded(text)
        hits: list[Hit] = []
        for entry, pattern in self.entries:
            for match in pattern.finditer(folded.folded):
                start, end = folded.span(match.start(), match.end())
                written = text[start:end]
                # "orange" or "meta" in lower case is a word, not the name "Orange" or "Meta".
                if any(c.isupper() for c in entry.name) and written == written.lower():
                    continue
                hits.append(Hit(entry, written, start, end))
        hits.sort(key=lambda h: (-(h.end - h.start), h.start))
        kept: list[Hit] = []
        for hit in hits:
            if all(hit.end <= k.start or k.end <= hit.start for k in kept):
                kept.append(hit)
        return sorted(kept, key=lambda h: h.start)

    def find_or_approximate(self, text: str) -> list[Hit]:
        """The entries found in the text; failing that, the first one approximately written."""
        hits = self.find(text)
        if hits:
            return hits
        entries = self.names()
        offset = 0
        for line in text.split("\n"):
            hit = approximate(entries, line)
            if hit:
                return [Hit(hit.entry, hit.text, hit.start + offset, hit.end + offset)]
            offset += len(line) + 1
        return []


def distance(a: str, b: str, limit: int) -> int:
    """Edits from a to b (Damerau: neighbours swapped count one), or limit + 1 once it exceeds limit."""
    return int(OSA.distance(a, b, score_cutoff=limit))


def approximate(entries: list[Entry], line: str) -> Hit | None:
    """An entry of two or more words written in the line with a letter or two misread (OCR).

    Words of four to seven letters may differ by one edit, longer ones by two ("Pejéinovié" for
    "Pejčinović": OCR reads "č" and "ć" as "é"), shorter ones not at all; two such words at most.
    """
    words = [(m.start(), m.end(), fold(m.group())) for m in re.finditer(r"[\w'’]+", line)]
    for entry in sorted(entries, key=lambda e: -len(e.name)):
        wanted = [fold(w) for w in re.findall(r"[\w'’]+", entry.name)]
        if len(wanted) < 2:
            continue
        for first in range(len(words) - len(wanted) + 1):
            window = words[first : first + len(wanted)]
            edits = 0
            for (_, _, seen), want in zip(window, wanted, strict=True):
                if seen == want:
                    continue
                limit = 2 if len(want) >= 8 else 1
                if len(want) < 4 or distance(seen, want, limit) > limit:
                    break
                edits += 1
            else:
                if edits <= 2:
                    start, end = window[0][0], window[-1][1]
                    return Hit(entry, line[start:end], start, end)
    return None
