"""Who last corrected or confirmed each field of a record, from the letter's history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from letters.models import CORRECTABLE

MarkKind = Literal["corrected", "confirmed"]
#: The kinds of mark (a page says `letter.<kind>_by`).
MARKS: tuple[str, ...] = get_args(MarkKind)


@dataclass(frozen=True)
class Mark:
    """A person's last word on a field: `corrected` (a new value) or `confirmed` (kept as it was)."""

    kind: MarkKind
    by: str
    at: str


def marks(history: Iterable[Mapping[str, Any]]) -> dict[str, Mark]:
    """For each field a person corrected or confirmed, the last such change."""
    found: dict[str, Mark] = {}
    for event in history:
        if event.get("action") != "corrected":
            continue
        changes = event.get("changes") or {}
        by, at = str(event.get("by") or ""), str(event.get("at") or "")
        confirmed = changes.get("confirmed") or {}
        newly = set(confirmed.get("after") or []) - set(confirmed.get("before") or [])
        for field in CORRECTABLE:
            change = changes.get(field)
            if change is not None and change.get("before") != change.get("after"):
                found[field] = Mark("corrected", by, at)
            elif field in newly:
                found[field] = Mark("confirmed", by, at)
    return found
