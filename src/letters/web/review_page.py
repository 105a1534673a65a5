"""The archivist's review view (`/review/{id}`, served with the review queue): one page of the
letter, large, beside the correction form, with the pages of the letter and the next letter of the
review queue one link away; and the document viewer it shares with the letter page (which page,
how large)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from letters.models import Letter
from letters.web.searchform import plain_digits
from letters.web.state import web

#: Width in pixels of the page image the review view shows.
LARGE = 1000
#: Width in pixels of the full-size page image (`?size=full`), drawn for zooms above 100 %.
FULL = 2000
#: The zooms the viewer offers, in percent of LARGE; 100 unless the address says otherwise.
ZOOMS = (50, 75, 100, 150, 200)


def _number(raw: str | None, default: int) -> int:
    return int(raw) if raw and plain_digits(raw) and len(raw) < 6 else default


def viewer_context(params: Mapping[str, str], letter: Letter) -> dict[str, Any]:
    """The viewer's page (`page`, from 1) and zoom (`zoom`, one of ZOOMS) as `params` ask, each
    brought back to what there is; and the size of the page image it shows."""
    page = min(max(_number(params.get("page"), 1), 1), max(letter.pages, 1))
    zoom = _number(params.get("zoom"), 100)
    zoom = zoom if zoom in ZOOMS else 100
    width = LARGE * zoom // 100
    index = ZOOMS.index(zoom)
    return {"page": page, "zoom": zoom, "large": LARGE, "image_width": width,
            "image_height": int(width * 1.414), "image_size": "full" if zoom > 100 else "large",
            "zoom_in": ZOOMS[index + 1] if index + 1 < len(ZOOMS) else None,
            "zoom_out": ZOOMS[index - 1] if index else None}


def review_context(request: Request, letter: Letter, base: dict[str, Any]) -> dict[str, Any]:
    """The letter page's context (`base`) plus what the review view needs."""
    app = web(request).letters
    return {**base, "section": "review", "review_view": True,
            "next_letter": app.next_in_queue(letter),
            "confirmed_now": request.query_params.get("confirmed") == "1"}
