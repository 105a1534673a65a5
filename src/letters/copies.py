"""Copies: a new letter that looks like one the archive holds already (a scan of a typed letter,
a second print of it), found before the letter is filed so that it goes to review.

Only the few letters of the same partner and direction dated within `COPY_DAYS` of the new one
are compared (an indexed catalog query, never the whole archive), their texts as shingles of
characters: OCR noise changes a few of them, not most.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from letters.messages import Message, msg
from letters.textnorm import fold

if TYPE_CHECKING:
    from letters.archive import Archive
    from letters.catalog import Catalog
    from letters.registry import Registry

#: Days apart a copy and its original may be dated (a date misread, a later print).
COPY_DAYS = 3
#: The most letters compared with a new one.
COMPARED = 5
#: Shingles shared (of the larger text's) from which two texts are the same letter: a scan of a
#: typed letter keeps about 95% of them, another letter of the same writer on the same day, with
#: the same letterhead, address and closing, about 65%.
SAME_TEXT = 0.8
SHINGLE = 5


def shingles(text: str) -> set[str]:
    """The text's runs of `SHINGLE` letters and digits, folded (no accents, no case), spaces and
    punctuation left out."""
    letters = re.sub(r"[^0-9a-z]+", "", fold(text).lower())
    return {letters[i:i + SHINGLE] for i in range(max(0, len(letters) - SHINGLE + 1))}


def likeness(a: set[str], b: set[str]) -> float:
    """How much of the larger text the other holds (0: nothing, 1: all of it)."""
    if not a or not b:
        return 0.0
    return len(a & b) / max(len(a), len(b))


def copy_reasons(catalog: Catalog, archive: Archive, registry: Registry, partner: str | None,
                 direction: str | None, day: str | None, pages: list[str]) -> list[Message]:
    """Why a new letter needs review as a possible copy: the archived letter it looks like (same
    partner and direction, dated within `COPY_DAYS`, nearly the same text), else one of the same
    partner, direction and date; none otherwise."""
    if not (partner and direction and day):
        return []
    near = catalog.near_in_date(partner, direction, day, COPY_DAYS, COMPARED)
    if not near:
        return []
    name = registry.display_name(partner) or partner
    mine = shingles("\n".join(pages))
    for other in near:
        try:
            theirs = shingles("\n".join(archive.pages_by_sha(other.sha256)))
        except (OSError, KeyError, ValueError):
            continue
        if likeness(mine, theirs) >= SAME_TEXT:
            return [msg("reason.copy_of_in" if direction == "incoming" else "reason.copy_of_out",
                        date=other.date or day, partner=name)]
    if any(other.date == day for other in near):
        return [msg("reason.same_day_in" if direction == "incoming" else "reason.same_day_out",
                    date=day, partner=name)]
    return []
