"""A letter's title: who wrote to whom, as recognition says it (a message) and stores it."""

from __future__ import annotations

from letters.messages import Message, msg
from letters.models import Direction


def title_message(direction: Direction | None, sg: str | None, partner: str | None,
                  letter: bool = True) -> Message | None:
    """'Letter from <SG> to <partner>' or back, with what is known of the two names, as a
    message; None when the direction is unknown or the names it needs are missing. A document
    that is not a letter (`letter` false) gets a neutral title: 'Document from <writer>, not
    recognised as a letter'."""
    if not letter:
        writer = sg if direction == "outgoing" else partner or sg
        if writer:
            return msg("title.not_letter_from", writer=writer)
        return msg("title.not_letter")
    if direction == "outgoing" and sg and partner:
        return msg("title.from_to", writer=sg, recipient=partner)
    if direction == "incoming" and sg and partner:
        return msg("title.from_to", writer=partner, recipient=sg)
    if direction == "outgoing" and sg:
        return msg("title.from", writer=sg)
    if direction == "incoming" and partner:
        return msg("title.from_to_sg", writer=partner)
    if direction == "incoming" and sg:
        return msg("title.to", recipient=sg)
    return None


def letter_title(direction: Direction | None, sg: str | None, partner: str | None,
                 letter: bool = True) -> str | None:
    """The title of `title_message` in English (what records, the JSON and search hold)."""
    said = title_message(direction, sg, partner, letter)
    return None if said is None else str(said)
