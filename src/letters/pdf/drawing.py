"""How heavy a page is to draw, weighed with pypdf before poppler draws it.

A page's weight is the size, decompressed, of its drawing instructions: its content streams and
the form XObjects its resources hold (nested ones too, each counted once). Weighing stops as soon
as the weight passes the limit asked for, so a content stream that inflates to gigabytes (a
"decompression bomb" of drawing operators, which pdftoppm takes minutes of CPU to draw) costs a
few milliseconds and a bounded amount of memory to find too heavy. What weight cannot see (a small
form drawn a million times, operators costly to draw) is still bounded by the time limits of the
programs and of the worker running them.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

#: The most bytes of drawing instructions a page may weigh to be drawn. The heaviest page of the
#: specimens and the real-world PDFs weighs 0.5 MB (a page of vector drawings), a page of text
#: turned into outlines a few MB; pdftoppm draws some 20 MB of the cheapest operators a second at
#: 300 dpi, and takes about a minute of CPU over a gigabyte of them.
HEAVY = 16 * 1024 * 1024
#: The same, in whole megabytes, as the sentences say it.
HEAVY_MB = HEAVY // (1024 * 1024)
#: How deep form XObjects nested in form XObjects are followed.
MAX_DEPTH = 16


def too_heavy(document: PdfReader, index: int) -> bool:
    """Whether page `index` (0-based) of the document weighs more than HEAVY to draw. A page pypdf
    cannot find weighs nothing here: pdftoppm says whether it can draw it."""
    try:
        page = document.pages[index]
    except Exception:
        return False
    return weight(page, HEAVY) > HEAVY


def weight(page: PageObject, limit: int) -> int:
    """The bytes of drawing instructions of the page (its content streams and form XObjects,
    decompressed); once past `limit`, weighing stops and a number above `limit` is returned.
    A stream that cannot be decoded weighs nothing (poppler draws nothing of it either)."""
    total = 0
    for stream in _drawn(page):
        total += _size(stream, limit - total)
        if total > limit:
            break
    return total


def _drawn(page: PageObject) -> Iterator[StreamObject]:
    """The page's content streams, then the form XObjects its resources hold, each once."""
    contents = _resolved(page.get("/Contents"))
    for stream in contents if isinstance(contents, ArrayObject) else [contents]:
        stream = _resolved(stream)
        if isinstance(stream, StreamObject):
            yield stream
    yield from _forms(page.get("/Resources"), set(), 0)


def _forms(resources: Any, seen: set[int], depth: int) -> Iterator[StreamObject]:
    resources = _resolved(resources)
    if depth > MAX_DEPTH or not isinstance(resources, DictionaryObject):
        return
    objects = _resolved(resources.get("/XObject"))
    if not isinstance(objects, DictionaryObject):
        return
    for reference in objects.values():
        key = reference.idnum if isinstance(reference, IndirectObject) else id(reference)
        form = _resolved(reference)
        if key in seen or not isinstance(form, StreamObject) or form.get("/Subtype") != "/Form":
            continue
        seen.add(key)
        yield form
        yield from _forms(form.get("/Resources"), seen, depth + 1)


def _resolved(value: Any) -> Any:
    """The object a reference points to (None when it points to nothing), else the value."""
    try:
        return value.get_object() if isinstance(value, IndirectObject) else value
    except Exception:  # a broken reference draws nothing
        return None


def _size(stream: StreamObject, budget: int) -> int:
    """The decompressed size of a stream, counted up to one byte past `budget`: a stream of Flate
    (the usual compression) is inflated that far and no further; one of other filters is decoded
    by pypdf, whose own limits bound what it inflates."""
    filters = stream.get("/Filter")
    if filters in ("/FlateDecode", "/Fl") or (isinstance(filters, ArrayObject)
                                               and list(filters) in (["/FlateDecode"], ["/Fl"])):
        raw = stream._data  # the stream as stored, still compressed
        try:
            return len(zlib.decompressobj().decompress(raw, max(budget, 0) + 1))
        except zlib.error:
            pass  # a damaged stream: pypdf inflates what it can of it
    try:
        return len(stream.get_data())
    except LimitReachedError:
        return max(budget, 0) + 1
    except Exception:  # undecodable
        return 0
