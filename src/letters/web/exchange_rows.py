"""Exchanges as pages and the API show them: each with its letters, and what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from letters import exchanges
from letters.exchanges import Exchange
from letters.models import Letter
from letters.service import Letters


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


def _rows(found: list[Exchange], by_id: dict[str, Letter]) -> list[ExchangeRow]:
    return [ExchangeRow(x, by_id.get(x.outgoing or ""), by_id.get(x.incoming or ""))
            for x in found]


def rows_for(app: Letters, slug: str) -> list[ExchangeRow]:
    """Every exchange of a registered partner, oldest first (NotFound for an unknown slug)."""
    letters = exchanges.letters_of(app, slug)
    found = exchanges.pair(letters, exchanges.texts_of(app, letters))
    return _rows(found, {x.id: x for x in letters})


def incomplete(app: Letters) -> list[ExchangeRow]:
    """Every exchange lacking one of its two letters, across all partners, oldest first."""
    by_partner: dict[str, list[Letter]] = {}
    for letter in app.archive.records():
        if letter.partner:
            by_partner.setdefault(letter.partner, []).append(letter)
    out: list[ExchangeRow] = []
    for letters in by_partner.values():
        letters.sort(key=lambda x: (x.date or "9999", x.id))
        found = exchanges.pair(letters, exchanges.texts_of(app, letters))
        out.extend(_rows([x for x in found if not x.complete], {x.id: x for x in letters}))
    return sorted(out, key=lambda r: (r.exchange.date or "9999", ",".join(r.exchange.ids())))


def pair_choices(app: Letters, letter: Letter) -> list[Letter]:
    """The letters this one may be paired with by hand: the same partner's, other direction."""
    return sorted((x for x in app.archive.records()
                   if x.id != letter.id and x.partner == letter.partner
                   and (not letter.direction or not x.direction
                        or x.direction != letter.direction)),
                  key=lambda x: (x.date or "9999", x.id))
