"""The archivists' review queue and relinking after the registry grows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from letters.models import Letter

if TYPE_CHECKING:
    from letters.service import Letters


@dataclass
class Candidate:
    """A letter that the registry as it stands now links to another partner, and why."""

    letter: Letter
    partner: str
    evidence: str


def queue(app: Letters) -> list[Letter]:
    """Letters that need review, oldest first."""
    return app.catalog.review_queue()


def relink_candidates(app: Letters, slug: str) -> list[Candidate]:
    """Letters not linked to `slug` that recognition now links to it (after a registry change)."""
    from letters.recognize import recognize

    app.reload_registry()
    found = []
    for letter in app.archive.records():
        if letter.partner == slug or "partner" in letter.confirmed:
            continue
        text = "\n\n".join(app.archive.pages(letter.id))
        recognition = recognize(text, app.registry, app.today())
        if recognition.partner == slug:
            found.append(Candidate(letter, slug, recognition.evidence.get("partner", "")))
    return sorted(found, key=lambda c: (c.letter.date or "", c.letter.id))


def relink(app: Letters, ids: list[str], slug: str, by: str, address: str | None = None) -> list[Letter]:
    """Link each of these letters to the partner `slug` (a correction, kept in their history)."""
    return [app.correct(letter_id, {"partner": slug}, by=by, address=address) for letter_id in ids]
