"""Exchanges as pages, the API and the command line show them: each with its letters, what is
missing, and the choices for pairing by hand; all read from the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from letters.catalog.schema import UNDATED
from letters.errors import InvalidCorrection
from letters.models import Letter
from letters.pairing import exchanges
from letters.pairing.exchanges import Exchange

if TYPE_CHECKING:
    from letters.catalog import Catalog
    from letters.parts import Parts
    from letters.registry import Registry


@dataclass
class ExchangeRow:
    """One exchange with its letters' records (None where a letter is missing)."""

    exchange: Exchange
    outgoing: Letter | None
    incoming: Letter | None

    @property
    def missing(self) -> str | None:
        """'outgoing' or 'incoming' for the letter that is not archived, None when complete."""
        if self.exchange.complete:
            return None
        return "outgoing" if self.outgoing is None else "incoming"

    def letters(self) -> list[Letter]:
        """The archived letters of the exchange, the Secretary General's first."""
        return [x for x in (self.outgoing, self.incoming) if x is not None]

    def to_json(self) -> dict[str, Any]:
        """The exchange, the sentence saying what is missing, and the letters' records."""
        return {**self.exchange.to_json(), "missing": self.exchange.missing(),
                "letters": [x.to_json() for x in self.letters()]}


def rows(catalog: Catalog, found: list[Exchange], known: dict[str, Letter] | None = None
         ) -> list[ExchangeRow]:
    """The rows of these exchanges, their letters read from `known` or else the catalog."""
    by_id = dict(known or {})
    wanted = [i for x in found for i in x.ids() if i not in by_id]
    by_id.update(catalog.many(wanted))
    return [ExchangeRow(x, by_id.get(x.outgoing or ""), by_id.get(x.incoming or ""))
            for x in found]


def rows_for(registry: Registry, catalog: Catalog, slug: str, letters: list[Letter] | None = None
             ) -> list[ExchangeRow]:
    """Every exchange of a registered partner, oldest first (NotFound for an unknown slug);
    `letters`: the partner's letters when the caller has them already."""
    found = exchanges.exchanges_for(registry, catalog, slug)
    return rows(catalog, found, {x.id: x for x in letters or []})


def incomplete(catalog: Catalog) -> list[ExchangeRow]:
    """Every exchange lacking one of its two letters, across all partners, oldest first."""
    return rows(catalog, catalog.incomplete())


#: How many letters the pairing form offers at most (the nearest in date): a partner's letters
#: could be thousands; another letter is given by its id.
PAIR_CHOICES = 50


def pair_choices(catalog: Catalog, letter: Letter, limit: int = PAIR_CHOICES) -> list[Letter]:
    """The letters this one may be paired with by hand (the same partner's, other direction): the
    `limit` nearest in date (ties: the lowest ids), by date, undated last."""
    near = catalog.nearest_of_partner(letter.partner, letter.date, letter.id, letter.direction,
                                      limit)
    far = date.max  # an undated letter: as if of the last day there is (the catalog's order)
    day = exchanges.day_of(letter) or far
    nearest = sorted(near, key=lambda x: (abs((day - (exchanges.day_of(x) or far)).days), x.id))
    return sorted(nearest[:limit], key=lambda x: (x.date or UNDATED, x.id))


def link(parts: Parts, letter_id: str, other: str | None, by: str,
         where: str | None) -> ExchangeRow:
    """Pair two letters (InvalidCorrection with a sentence when they cannot be)."""
    parts.get(letter_id)
    if not other:
        raise InvalidCorrection("Choose the other letter of the exchange.", code="choose_other")
    if parts.catalog.get(other) is None:
        raise InvalidCorrection(f"There is no letter with the id '{other}'.", code="no_letter",
                                value=other)
    pair = exchanges.link(parts, letter_id, other, by, where)
    return rows(parts.catalog, [pair])[0]
