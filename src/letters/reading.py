"""The archive as pages, their JSON answers and the command line show it: one function per view,
each taking only the parts it reads (the registry, the catalog, the archive); the page renders the
object, the API and `--json` write its `to_json()` (`web.contract` gives the shape)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from letters import registry
from letters.archive import Archive
from letters.catalog import Catalog
from letters.errors import NotFound
from letters.messages import msg
from letters.models import Letter, Partner, SecretaryGeneral
from letters.paging import FIRST, Paging
from letters.pairing import exchanges
from letters.pairing.exchanges import Exchange
from letters.registry import Registry


@dataclass
class PartnerEntry:
    """A registered partner and how many letters the archive holds of it."""

    partner: Partner
    letters: int

    def to_json(self) -> dict[str, Any]:
        """One entry of `GET /api/partners` and `letters partners --json`."""
        return registry.partner_json(self.partner, self.letters)


def partner_entries(names: Registry, catalog: Catalog) -> list[PartnerEntry]:
    """Every registered partner, by slug, with its number of letters."""
    counts = catalog.partner_counts()
    return [PartnerEntry(p, counts[p.slug])
            for p in sorted(names.partners.values(), key=lambda p: p.slug)]


@dataclass
class PartnerOverview:
    """A partner: its entry, one page of its letters by date (`total` in all), its founding
    documents (whole) and exchange."""

    partner: Partner
    letters: list[Letter]
    founding: list[Letter]
    exchange: Exchange | None
    proposal: exchanges.Proposal | None = None
    total: int = 0
    paging: Paging = FIRST

    def to_json(self) -> dict[str, Any]:
        """`GET /api/partners/{slug}` (contract.PartnerDetail)."""
        return {
            **registry.partner_json(self.partner, self.total),
            "letter_count": self.total,
            **self.paging.to_json(self.total),
            "letters": [x.to_json() for x in self.letters],
            "founding_documents": [x.to_json() for x in self.founding],
            "founding_exchange": ({**self.exchange.to_json(), "missing": self.exchange.missing()}
                                  if self.exchange else None),
            "pairing_proposal": self.proposal.to_json() if self.proposal else None,
        }


def partner_overview(names: Registry, catalog: Catalog, slug: str,
                     paging: Paging = FIRST) -> PartnerOverview:
    """The overview of a registered partner with one page of its letters (errors.NotFound for
    an unknown slug); counted and sliced in the catalog."""
    partner = names.registered(slug)
    letters = catalog.partner_page(slug, paging.offset, paging.per_page)
    found = catalog.founding(slug)
    held = found.ids() if found else []
    by_id = catalog.many(held)  # the founding letters, even those no longer the partner's
    proposal = exchanges.proposals(names, catalog, slug)
    return PartnerOverview(partner, letters, [by_id[i] for i in held if i in by_id], found,
                           proposal[0] if proposal else None, catalog.partner_count(slug), paging)


def joined_from_letters(names: Registry, catalog: Catalog) -> dict[str, str]:
    """For each partner without a date of joining in the registry: its founding exchange's date."""
    found = {}
    for partner in names.partners.values():
        if partner.joined:
            continue
        founding = catalog.founding(partner.slug)
        if founding is not None and founding.date:
            found[partner.slug] = founding.date
    return found


def signatories_from_letters(names: Registry, catalog: Catalog) -> dict[str, str]:
    """For each partner without a Secretary General in the registry: the one of its founding
    exchange's letters (the Secretary General's letter first, else the partner's)."""
    foundings = {partner.slug: catalog.founding(partner.slug)
                 for partner in names.partners.values() if not partner.signatory}
    ids = [i for founding in foundings.values() if founding is not None for i in founding.ids()]
    letters = catalog.many(ids)
    found = {}
    for slug, founding in foundings.items():
        signed = [letters[i].signatory for i in (founding.ids() if founding else [])
                  if i in letters and letters[i].signatory]
        if signed:
            found[slug] = str(signed[0])
    return found


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


def secretaries_general(names: Registry, catalog: Catalog) -> SecretariesGeneral:
    """Every Secretary General, by the start of the term, and how many letters each signed."""
    return SecretariesGeneral(
        sorted(names.secretaries_general.values(), key=lambda s: s.term_start),
        catalog.signatory_counts())


@dataclass
class SecretaryGeneralLetters:
    """A Secretary General and one page of the letters signed, by date (`total` in all)."""

    person: SecretaryGeneral
    letters: list[Letter]
    total: int = 0
    paging: Paging = FIRST

    def to_json(self) -> dict[str, Any]:
        """`GET /api/secretaries-general/{slug}` (contract.SecretaryGeneralDetail)."""
        return {"slug": self.person.slug, "name": self.person.name,
                "term_start": self.person.term_start, "term_end": self.person.term_end,
                "letters_count": self.total, **self.paging.to_json(self.total),
                "letters": [x.to_json() for x in self.letters]}


def secretary_general(names: Registry, catalog: Catalog, slug: str,
                      paging: Paging = FIRST) -> SecretaryGeneralLetters:
    """One page of a Secretary General's letters (errors.NotFound for an unknown slug)."""
    person = names.sg(slug)
    if person is None:
        raise NotFound(msg("missing.sg", value=slug))
    return SecretaryGeneralLetters(person, catalog.signatory_page(slug, paging.offset,
                                                                  paging.per_page),
                                   catalog.signatory_count(slug), paging)


@dataclass
class Choices:
    """What the search filters and the correction form offer: partners by name, Secretaries
    General by term."""

    partners: list[Partner]
    secretaries_general: list[SecretaryGeneral]


def choices(names: Registry) -> Choices:
    """The values the lists of the search form and the correction form offer."""
    return Choices(
        sorted(names.partners.values(), key=lambda p: p.name.casefold()),
        sorted(names.secretaries_general.values(), key=lambda s: s.term_start))


@dataclass
class LetterReading:
    """One letter as its page shows it: the text of each page, its history, the other letter of
    its exchange, the registry's entries of its partner and Secretary General."""

    letter: Letter
    pages: list[str]
    history: list[dict[str, Any]]
    other: Letter | None
    partner: Partner | None
    signatory: SecretaryGeneral | None


def letter_reading(archive: Archive, catalog: Catalog, names: Registry,
                   letter: Letter) -> LetterReading:
    """What a letter's page shows besides its record."""
    other_id = exchanges.other_letter(catalog, letter)
    return LetterReading(letter, archive.pages(letter.id), archive.history(letter.id),
                         catalog.get(other_id) if other_id else None,
                         names.partner(letter.partner) if letter.partner else None,
                         names.sg(letter.signatory) if letter.signatory else None)
