"""When a partner joined, for partners the registry has no date for: the founding exchange's date."""

from __future__ import annotations

from letters import exchanges
from letters.service import Letters


def joined_from_letters(app: Letters) -> dict[str, str]:
    """For each partner without a date of joining in the registry: its founding exchange's date."""
    found = {}
    for partner in app.registry.partners.values():
        if partner.joined:
            continue
        founding = exchanges.founding_documents_for(app, partner.slug)
        if founding is not None and founding.date:
            found[partner.slug] = founding.date
    return found
