"""Searched terms marked in HTML: the text escaped first, then <mark> added (the only place
snippets and marked letter texts become HTML)."""

from __future__ import annotations

from markupsafe import Markup, escape

from letters.searching import Snippet


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


def snippet_html(snippet: Snippet) -> Markup:
    """A snippet's parts escaped, the marked ones in <mark>."""
    return Markup("").join(Markup("<mark>") + escape(text) + Markup("</mark>") if marked
                           else escape(text) for text, marked in snippet)
