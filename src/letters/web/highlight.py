"""Searched words marked in HTML: the one place where text and its marks become HTML (the
`marked` filter of the pages, and the `snippet` of the JSON of /api/search and of
`letters search --json`)."""

from __future__ import annotations

import html

from markupsafe import Markup

from letters.search import Snippet


def marked(parts: Snippet) -> Markup:
    """Text parts as HTML: `&`, `<` and `>` escaped, the marked parts in <mark>. Quotes are left
    as they are: safe in an element's content (never put this in an attribute), and the JSON has
    always given them so."""
    pieces = (f"<mark>{html.escape(text, quote=False)}</mark>" if is_marked
              else html.escape(text, quote=False) for text, is_marked in parts)
    return Markup("".join(pieces))


def snippet_json(snippet: Snippet) -> str:
    """A snippet as the JSON of INTERFACE.md gives it: escaped text, marked words in <mark>."""
    return str(marked(snippet))
