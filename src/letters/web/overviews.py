"""The data a page and its JSON answer both show, read once by one function (datasette's pattern):
the page renders the object, the API writes its `to_json()` (`web.contract` gives the shape)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from letters import exchanges, registry
from letters.exchanges import Exchange
from letters.models import Letter, Partner, SecretaryGeneral
from letters.service import Letters


@dataclass
class PartnerOverview:
    """A partner: its entry, its letters by date, its founding documents and exchange."""

    partner: Partner
    letters: list[Letter]
    founding: list[Letter]
    exchange: Exchange | None

    def to_json(self) -> dict[str, Any]:
        """`GET /api/partners/{slug}` (contract.PartnerDetail)."""
        return {
            **registry.partner_json(self.partner, len(self.letters)),
            "letter_count": len(self.letters),
            "letters": [x.to_json() for x in self.letters],
            "founding_documents": [x.to_json() for x in self.founding],
            "founding_exchange": ({**self.exchange.to_json(), "missing": self.exchange.missing()}
                                  if self.exchange else None),
        }


def partner_overview(app: Letters, slug: str) -> PartnerOverview:
    """The overview of a registered partner (errors.NotFound for an unknown slug)."""
    letters = exchanges.letters_of(app, slug)
    found = exchanges.founding_documents_for(app, slug)
    by_id = {x.id: x for x in letters}
    return PartnerOverview(app.registry.partners[slug], letters,
                           [by_id[i] for i in found.ids()] if found else [], found)


@dataclass
class SecretariesGeneral:
    """The Secretaries General by term of office, with their numbers of letters."""

    people: list[SecretaryGeneral]
    counts: Counter[str | None]

    def to_json(self) -> list[dict[str, Any]]:
        """`GET /api/secretaries-general` (contract.SecretaryGeneralEntry)."""
        return [{"slug": s.slug, "name": s.name, "term_start": s.term_start,
                 "term_end": s.term_end, "letters": self.counts[s.slug]}
                for s in self.people]


def secretaries_general(app: Letters) -> SecretariesGeneral:
    """Every Secretary General, by the start of the term, and how many letters each signed."""
    return SecretariesGeneral(
        sorted(app.registry.secretaries_general.values(), key=lambda s: s.term_start),
        app.catalog.signatory_counts())
