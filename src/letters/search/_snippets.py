"""Snippets: a short window of a letter's text as parts, the searched words marked.

A snippet is a list of (text, marked) parts; the web layer turns it into HTML (`web/highlight`,
the only maker of HTML marks), the command line into [brackets]. Choosing the window is linear in
the number of matches (two pointers), so a letter holding a searched word 64,000 times costs no
more than reading its matches once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from letters.search._planning import Snippet

WIDTH = 240
_BLANKS = re.compile(r"\s+")
_BLANK = re.compile(r"\s")


def make(text: str, spans: Sequence[tuple[int, int]], width: int = WIDTH) -> Snippet:
    """The window of `text` holding the most matches, as parts with each span marked."""
    merged = merge(spans)
    start, end = _window(text, merged, width)
    parts: Snippet = []
    if start > 0:
        parts.append(("…", False))
    cursor = start
    for low, high in merged:
        if high <= start or low >= end:
            continue
        low, high = max(low, start), min(high, end)
        if low > cursor:
            parts.append((_plain(text[cursor:low]), False))
        parts.append((_plain(text[low:high]), True))
        cursor = high
    if end > cursor:
        parts.append((_plain(text[cursor:end]), False))
    if end < len(text):
        parts.append(("…", False))
    return _trimmed(parts)


def as_brackets(snippet: Snippet) -> str:
    """A snippet as plain text, the marked words shown [like this] (for the terminal)."""
    return "".join(f"[{text}]" if marked else text for text, marked in snippet)


def split(text: str, spans: Sequence[tuple[int, int]]) -> Snippet:
    """The whole of `text` as parts, each span (character offsets) marked; a span that is empty
    or overlaps the one before is left out."""
    parts: Snippet = []
    position = 0
    for start, end in sorted(spans):
        if start < position or end <= start:
            continue
        if start > position:
            parts.append((text[position:start], False))
        parts.append((text[start:end], True))
        position = end
    if position < len(text):
        parts.append((text[position:], False))
    return parts


def _plain(segment: str) -> str:
    return _BLANKS.sub(" ", segment)


def _trimmed(parts: Snippet) -> Snippet:
    """Without blanks at either end."""
    if parts and not parts[0][1]:
        parts[0] = (parts[0][0].lstrip(), False)
    if parts and not parts[-1][1]:
        parts[-1] = (parts[-1][0].rstrip(), False)
    return [part for part in parts if part[0]]


def merge(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans sorted, overlapping or touching ones joined."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _window(text: str, spans: Sequence[tuple[int, int]], width: int) -> tuple[int, int]:
    """Start a little before the first span of the densest run; cut at word boundaries.

    The densest run is found with two pointers over the sorted spans: each span enters and
    leaves the window once.
    """
    if not spans:
        return 0, _cut_after(text, min(len(text), width))
    reach = width * 3 // 4
    best, best_count = 0, 0
    last = 0  # one past the last span ending within reach of span `first`
    for first in range(len(spans)):
        last = max(last, first)
        limit = spans[first][0] + reach
        while last < len(spans) and spans[last][1] <= limit:
            last += 1
        if last - first > best_count:
            best, best_count = first, last - first
    low, high = spans[best]
    start = max(0, low - width // 4)
    if start > 0:
        space = _BLANK.search(text, start, low)
        start = space.end() if space else start
    end = _cut_after(text, min(len(text), start + width))
    return start, max(end, min(len(text), high))


def _cut_after(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    spaces = [m.start() for m in _BLANK.finditer(text, max(0, end - 40), end)]
    return spaces[-1] if spaces and spaces[-1] > 0 else end
