"""Page thumbnails (PNG) rendered with poppler's `pdftoppm` into the letter's `derived/` directory.

A thumbnail is derived data: made on first request, kept, remade whenever it is missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from letters.archive import Archive
from letters.errors import NotFound
from letters.messages import msg
from letters.models import Letter

#: Width of a thumbnail, in pixels.
WIDTH = 300
#: Seconds pdftoppm may take for one page.
TIMEOUT = 60.0


class ThumbnailError(RuntimeError):
    """A page could not be rendered; the message is one sentence."""


def thumbnail_path(archive: Archive, letter: Letter, page: int, width: int = WIDTH) -> Path:
    """Where the thumbnail of that page is kept."""
    return archive.derived_dir(letter.id) / f"page-{page}-w{width}.png"


def page_png(archive: Archive, letter: Letter, page: int, width: int = WIDTH,
             memory_bytes: int | None = None,
             turn: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext) -> Path:
    """The thumbnail of one page (1-based), rendered now if it is not there yet, within a
    `turn` (the caller's limit on renders at once; it may refuse)."""
    if not 1 <= page <= letter.pages:
        raise NotFound(msg("missing.page", id=letter.id, page=page, n=letter.pages))
    target = thumbnail_path(archive, letter, page, width)
    if target.exists():
        return target
    with turn():
        return _render(archive, letter, page, width, target, memory_bytes)


def _render(archive: Archive, letter: Letter, page: int, width: int, target: Path,
            memory_bytes: int | None) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    original = archive.original_path(letter.id)
    if _too_heavy(original, page):
        from letters.pdf.drawing import HEAVY_MB

        raise ThumbnailError(f"Page {page} is too heavy to draw: its drawing instructions weigh "
                             f"over {HEAVY_MB} MB.")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".thumb-") as work:
        base = Path(work) / "page"
        command = ["pdftoppm", "-png", "-f", str(page), "-l", str(page), "-singlefile",
                   "-scale-to-x", str(width), "-scale-to-y", "-1", str(original), str(base)]
        if memory_bytes and shutil.which("prlimit"):
            command = ["prlimit", f"--as={memory_bytes}", "--", *command]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise ThumbnailError(f"Page {page} took too long to render.") from None
        except FileNotFoundError:
            raise ThumbnailError("Thumbnails need pdftoppm (Debian: poppler-utils).") from None
        made = base.with_suffix(".png")
        if done.returncode != 0 or not made.exists():
            raise ThumbnailError(f"Page {page} of the letter could not be rendered.")
        os.replace(made, target)
    return target



def _too_heavy(original: Path, page: int) -> bool:
    """Whether the page (1-based) weighs more than drawing.HEAVY to draw (pdftoppm would spend a
    minute of CPU on a hostile file's page, again at each request; pypdf imported only here,
    when a thumbnail is made). False when pypdf cannot read the file: pdftoppm says."""
    from pypdf import PdfReader

    from letters.pdf import drawing

    try:
        document = PdfReader(original, strict=False)
    except Exception:
        return False
    return drawing.too_heavy(document, page - 1)
