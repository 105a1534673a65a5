"""The registry's use cases, for the command line and the web alike: register a partner, give it
another or a former name, link letters to it. Each change is audited with the same details
whoever asks; the catalog and the index follow (`Letters.registry_changed`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from letters import audit, registry, review
from letters.exchanges import PairingChange
from letters.messages import joined
from letters.models import Letter, Partner, is_iso_date
from letters.registry import RegistryError
from letters.textnorm import fold

if TYPE_CHECKING:
    from letters.service import Letters

def _day(value: str | None) -> str | None:
    if value is None:
        return None
    if not is_iso_date(value):
        raise RegistryError(f"'{value}' is not a date of the form YYYY-MM-DD.")
    return value


def slug_for(name: str) -> str:
    """A slug made from a name: 'Acme Robotics GmbH' -> 'acme-robotics-gmbh'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


def add_partner(app: Letters, slug: str | None, name: str | None, kind: str | None,
                joined: str | None, by: str, where: str | None = None) -> Partner:
    """Register a partner (RegistryError with a sentence when it cannot be), audited."""
    if not name:
        raise RegistryError("The name must not be empty.")
    slug = slug or slug_for(name)
    partner = registry.add_partner(app.settings.archive_dir, slug, name,
                                   registry.check_kind(kind), by=by, joined=_day(joined))
    audit.record(app.settings.archive_dir, "registry", by,
                 {"op": "add_partner", "slug": partner.slug, "name": partner.name,
                  "kind": partner.kind, "joined": partner.joined}, where)
    app.registry_changed(partner.slug)
    return partner


def add_name(app: Letters, slug: str, name: str | None, since: str | None, until: str | None,
             by: str, where: str | None = None) -> Partner:
    """Give a partner another name, or a former one with its dates, audited and re-indexed."""
    registered(app, slug)
    if not name:
        raise RegistryError("The name must not be empty.")
    partner = registry.add_alias(app.settings.archive_dir, slug, name, by=by, since=_day(since),
                                 until=_day(until))
    audit.record(app.settings.archive_dir, "registry", by,
                 {"op": "add_alias", "slug": slug, "name": name, "since": since,
                  "until": until}, where)
    app.registry_changed(slug)
    return partner


def relink(app: Letters, slug: str, ids: list[Any], by: str, where: str | None = None,
           confirm_pairing: bool = False) -> list[Letter]:
    """Link these letters to the partner (corrections kept in their history), audited; refused
    (RegistryError) when that changes a founding or confirmed exchange, unless confirmed."""
    registered(app, slug)
    if not ids:
        raise RegistryError("Choose at least one letter to link to the partner.")
    if any(not isinstance(x, str) for x in ids):
        raise RegistryError("'ids' must be a list of letter ids.")
    for letter_id in ids:
        if app.catalog.get(letter_id) is None:
            raise RegistryError(f"There is no letter with the id '{letter_id}'.")
    unique = list(dict.fromkeys(ids))
    try:
        letters = review.relink(app, unique, slug, by, where, confirm_pairing)
    except PairingChange as change:
        raise RegistryError(str(change)) from None
    audit.record(app.settings.archive_dir, "relink", by, {"slug": slug, "ids": unique}, where)
    return letters


def registered(app: Letters, slug: str) -> Partner:
    """The partner as the registry now has it (errors.NotFound for an unknown slug)."""
    app.reload_registry()
    return app.registry.registered(slug)


def candidates_json(candidates: list[review.Candidate]) -> list[dict[str, Any]]:
    """Letters offered for relinking: the record and what recognition found (in English)."""
    return [{"letter": c.letter.to_json(), "evidence": joined(c.evidence)} for c in candidates]


def with_candidates(app: Letters, partner: Partner) -> dict[str, Any]:
    """A partner's entry with its number of letters and the letters offered for relinking."""
    entry = app.registry.partner(partner.slug) or partner
    return {**registry.partner_json(entry, app.catalog.partner_count(entry.slug)),
            "candidates": candidates_json(review.relink_candidates(app, entry.slug))}
