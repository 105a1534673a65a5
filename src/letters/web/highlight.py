"""Searched terms marked in a letter's text: the text escaped first, then <mark> added."""

from __future__ import annotations

from markupsafe import Markup, escape


def mark(text: str, spans: list[tuple[int, int]]) -> Markup:
    """The text escaped, each span (character offsets) wrapped in <mark>."""
    out: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if start < position or end <= start:
            continue
        out.append(escape(text[position:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)
