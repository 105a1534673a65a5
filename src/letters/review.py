"""The archivists' review queue and relinking after the registry grows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from letters import corrections, exchanges
from letters.messages import Message
from letters.models import Letter
from letters.parts import Parts, search
from letters.searching import QueryError, SearchRequest

if TYPE_CHECKING:
    from letters.catalog import Catalog

#: Hits read per search when looking for the letters naming a partner.
PAGE = 500


@dataclass
class Candidate:
    """A letter that the registry as it stands now links to another partner, and why."""

    letter: Letter
    partner: str
    evidence: list[Message]  # how recognition found the partner


def queue(catalog: Catalog) -> list[Letter]:
    """Letters that need review, oldest first."""
    return catalog.review_queue()


def next_in_queue(catalog: Catalog, letter: Letter) -> Letter | None:
    """The letter after this one in the review queue (oldest first), else the queue's first other."""
    waiting = [x for x in queue(catalog) if x.id != letter.id]
    after = [x for x in waiting if (x.added_at, x.id) > (letter.added_at, letter.id)]
    chosen = after or waiting
    return chosen[0] if chosen else None


def relink_candidates(parts: Parts, slug: str) -> list[Candidate]:
    """Letters not linked to `slug` that recognition now links to it (after a registry change).

    Recognition links a letter to a partner only where one of the partner's names is written
    in it, so only the letters whose text holds one of those names (a phrase search of the
    index) are read and recognised again, not the whole archive."""
    from letters.recognition.recognize import recognize

    partner = parts.registry.partner(slug)
    found = []
    for letter_id in sorted(_naming(parts, [n.name for n in partner.names()] if partner else [])):
        letter = parts.catalog.get(letter_id)
        if letter is None or letter.partner == slug or "partner" in letter.confirmed:
            continue
        text = "\n\n".join(parts.archive.pages(letter.id))
        recognition = recognize(text, parts.registry, parts.today())
        if recognition.partner == slug:
            found.append(Candidate(letter, slug, recognition.evidence.get("partner", [])))
    return sorted(found, key=lambda c: (c.letter.date or "", c.letter.id))


def _naming(parts: Parts, names: list[str]) -> set[str]:
    """The ids of the letters whose text holds one of these names, as a phrase."""
    ids: set[str] = set()
    for name in names:
        phrase = " ".join(name.replace('"', " ").split())
        if not phrase:
            continue
        page, total = 1, 1
        while (page - 1) * PAGE < total:
            request = SearchRequest(q=f'text:"{phrase}"', page=page, per_page=PAGE,
                                    facets=False, highlight=False)
            try:
                result = search(parts.archive, parts.index, request)
            except QueryError:  # nothing search can look for in it (control characters): no letter
                break
            ids.update(hit.letter.id for hit in result.hits)
            total, page = result.total, page + 1
    return ids


def relink(parts: Parts, ids: list[str], slug: str, by: str, address: str | None = None,
           confirm_pairing: bool = False) -> list[Letter]:
    """Link each of these letters to the partner `slug` (a correction, kept in their history);
    exchanges.PairingChange before any is saved when that changes a founding or confirmed
    exchange and `confirm_pairing` is not given."""
    if not confirm_pairing:
        changed = []
        for letter_id in ids:
            before = parts.get(letter_id)
            changed += exchanges.pairing_changes(parts.registry, parts.catalog, before,
                                                 replace(before, partner=slug))
        if changed:
            raise exchanges.PairingChange(list(dict.fromkeys(changed)))
    return [corrections.correct(parts, letter_id, {"partner": slug}, by=by, address=address,
                                confirm_pairing=True) for letter_id in ids]
