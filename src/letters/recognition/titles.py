"""A letter's title: who wrote to whom, in the words recognition stores and pages show."""

from __future__ import annotations

from letters.models import Direction


def letter_title(direction: Direction | None, sg: str | None, partner: str | None) -> str | None:
    """'Letter from <SG> to <partner>' or back, with what is known of the two names; None when
    the direction is unknown or the names it needs are missing."""
    if direction == "outgoing" and sg and partner:
        return f"Letter from {sg} to {partner}"
    if direction == "incoming" and sg and partner:
        return f"Letter from {partner} to {sg}"
    if direction == "outgoing" and sg:
        return f"Letter from {sg}"
    if direction == "incoming" and partner:
        return f"Letter from {partner} to the Secretary General"
    if direction == "incoming" and sg:
        return f"Letter to {sg}"
    return None
