"""Snippets: a short window of a letter's text, HTML-escaped, the matched words in <mark>."""

from __future__ import annotations

import html
import re

WIDTH = 240
_BLANKS = re.compile(r"\s+")
_BLANK = re.compile(r"\s")


def make(text: str, spans: list[tuple[int, int]], width: int = WIDTH) -> str:
    """The window of `text` holding the most matches; escaped, with each span marked."""
    merged = merge(spans)
    start, end = _window(text, merged, width)
    parts: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for low, high in merged:
        if high <= start or low >= end:
            continue
        low, high = max(low, start), min(high, end)
        parts.append(_plain(text[cursor:low]))
        parts.append(f"<mark>{_plain(text[low:high])}</mark>")
        cursor = high
    parts.append(_plain(text[cursor:end]))
    parts.append("…" if end < len(text) else "")
    return "".join(parts).strip()


def marks_as_brackets(snippet: str) -> str:
    """A snippet as plain text, the marked words shown [like this] (for the terminal)."""
    return html.unescape(snippet.replace("<mark>", "[").replace("</mark>", "]"))


def _plain(segment: str) -> str:
    return html.escape(_BLANKS.sub(" ", segment), quote=False)


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans sorted, overlapping or touching ones joined."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """Start a little before the first span of the densest run; cut at word boundaries."""
    if not spans:
        return 0, _cut_after(text, min(len(text), width))
    best, best_count = 0, 0
    for i, (low, _high) in enumerate(spans):
        count = sum(1 for other in spans[i:] if other[1] <= low + width * 3 // 4)
        if count > best_count:
            best, best_count = i, count
    start = max(0, spans[best][0] - width // 4)
    if start > 0:
        space = _BLANK.search(text, start, spans[best][0])
        start = space.end() if space else start
    end = _cut_after(text, min(len(text), start + width))
    return start, max(end, min(len(text), spans[best][1]))


def _cut_after(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    spaces = [m.start() for m in _BLANK.finditer(text, max(0, end - 40), end)]
    return spaces[-1] if spaces and spaces[-1] > 0 else end
