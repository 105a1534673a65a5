"""The registry's use cases, for the command line and the web alike: register a partner, give it
another or a former name, link letters to it. Each change is audited with the same details
whoever asks; the catalog and the index follow (`changed`: `Letters.registry_changed`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from letters import registry
from letters.curation import review
from letters.messages import joined
from letters.models import Letter, Partner, is_iso_date
from letters.pairing.exchanges import PairingChange
from letters.preservation import audit
from letters.registry import RegistryError
from letters.textnorm import fold

if TYPE_CHECKING:
    from letters.parts import Parts
    from letters.registry import Registry

#: Told the slug of a partner just changed in the registry (`Letters.registry_changed`).
Changed = Callable[[str], int]


def _day(value: str | None) -> str | None:
    if value is None:
        return None
    if not is_iso_date(value):
        raise RegistryError(f"'{value}' is not a date of the form YYYY-MM-DD.")
    return value


def slug_for(name: str) -> str:
    """A slug made from a name: 'Acme Robotics GmbH' -> 'acme-robotics-gmbh'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


def add_partner(archive_dir: Path, changed: Changed, slug: str | None, name: str | None,
                kind: str | None, joined: str | None, by: str, where: str | None = None,
                today: str | None = None, force: bool = False) -> Partner:
    """Register a partner (RegistryError with a sentence when it cannot be, as for a date of
    joining after `today`; CloseName for a name very close to another partner's, unless `force`),
    audited."""
    if not name:
        raise RegistryError("The name must not be empty.")
    slug = slug or slug_for(name)
    partner = registry.add_partner(archive_dir, slug, name,
                                   registry.check_kind(kind), by=by, joined=_day(joined),
                                   today=today, force=force)
    audit.record(archive_dir, "registry", by,
                 {"op": "add_partner", "slug": partner.slug, "name": partner.name,
                  "kind": partner.kind, "joined": partner.joined}, where)
    changed(partner.slug)
    return partner


def add_name(names: Registry, archive_dir: Path, changed: Changed, slug: str, name: str | None,
             since: str | None, until: str | None, by: str, where: str | None = None,
             force: bool = False) -> Partner:
    """Give a registered partner (`names`: the registry as it stands) another name, or a former
    one with its dates, audited and re-indexed."""
    names.registered(slug)
    if not name:
        raise RegistryError("The name must not be empty.")
    partner = registry.add_alias(archive_dir, slug, name, by=by, since=_day(since),
                                 until=_day(until), force=force)
    audit.record(archive_dir, "registry", by,
                 {"op": "add_alias", "slug": slug, "name": name, "since": since,
                  "until": until}, where)
    changed(slug)
    return partner


def relink(parts: Parts, slug: str, ids: list[Any], by: str, where: str | None = None,
           confirm_pairing: bool = False) -> list[Letter]:
    """Link these letters to the partner (corrections kept in their history), audited; refused
    (RegistryError) when that changes a founding or confirmed exchange, unless confirmed."""
    parts.registry.registered(slug)
    if not ids:
        raise RegistryError("Choose at least one letter to link to the partner.")
    if any(not isinstance(x, str) for x in ids):
        raise RegistryError("'ids' must be a list of letter ids.")
    for letter_id in ids:
        if parts.catalog.get(letter_id) is None:
            raise RegistryError(f"There is no letter with the id '{letter_id}'.")
    unique = list(dict.fromkeys(ids))
    try:
        letters = review.relink(parts, unique, slug, by, where, confirm_pairing)
    except PairingChange as change:
        raise RegistryError(str(change), change.messages) from None
    parts.record("relink", by, {"slug": slug, "ids": unique}, where)
    return letters


def candidates_json(candidates: list[review.Candidate]) -> list[dict[str, Any]]:
    """Letters offered for relinking: the record and what recognition found (in English)."""
    return [{"letter": c.letter.to_json(), "evidence": joined(c.evidence)} for c in candidates]


def with_candidates(parts: Parts, partner: Partner) -> dict[str, Any]:
    """A partner's entry with its number of letters and the letters offered for relinking."""
    entry = parts.registry.partner(partner.slug) or partner
    return {**registry.partner_json(entry, parts.catalog.partner_count(entry.slug)),
            "candidates": candidates_json(review.relink_candidates(parts, entry.slug))}
