"""Recognising a letter from its text: partner, Secretary General, signer, date, direction, language."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from letters.messages import Message, msg
from letters.models import Direction
from letters.recognition import layout as layouts
from letters.recognition.dates import letter_date
from letters.recognition.kind import not_a_letter
from letters.recognition.language import detect as detect_language
from letters.recognition.names import Hit
from letters.recognition.parties import (
    direction as detect_direction,
)
from letters.recognition.parties import (
    find_partner,
    find_signatory,
    found_in,
    partner_matcher,
    sg_matcher,
)
from letters.recognition.titles import title_message
from letters.registry import Registry

#: An unnamed Secretary General found by a date fewer than this many days from a change of office
#: is left for a person to confirm.
HANDOVER_DAYS = 30
#: A letter's body shorter than this (characters) does not tell its language alone.
PROSE_CHARS = 20


@dataclass
class Recognition:
    """What the text of a letter says about it, how that was found, and what needs review."""

    partner: str | None
    signatory: str | None
    signed_by: str | None
    date: str | None
    direction: Literal["outgoing", "incoming"] | None
    language: str
    title: Message | None = None
    evidence: dict[str, list[Message]] = field(default_factory=dict)
    reasons: list[Message] = field(default_factory=list)


def recognize(text: str, registry: Registry, today: date,
              doubtful: Collection[str] = ()) -> Recognition:
    """Recognise a letter's metadata from its text, checking it against the registry.

    `doubtful`: the words OCR read with little confidence; a date or signer's name made of them
    goes to review.
    """
    layout = layouts.analyse(text)
    evidence: dict[str, list[Message]] = {}
    reasons: list[Message] = []
    partners, sgs = partner_matcher(registry), sg_matcher(registry)

    spoken = detect_language("\n".join(_prose(layout)))
    language = spoken.code
    evidence["language"] = spoken.evidence
    if spoken.unsure:
        reasons.append(msg("reason.language_unsure", language=spoken.evidence[0].params["language"],
                           confidence=f"{spoken.confidence:.2f}"))

    found_date = letter_date(layout.head, layout.signature, layout.lines)
    iso = found_date[0].iso if found_date else None
    if found_date:
        evidence["date"] = [found_date[1]]
    else:
        reasons.append(msg("reason.date_not_found"))
    if iso and iso > today.isoformat():
        reasons.append(msg("reason.date_in_future", date=iso))

    way, why = detect_direction(layout, sgs, partners)
    if way:
        evidence["direction"] = why
    else:
        reasons.append(msg("reason.direction_unclear"))

    hit, named, doubts = find_partner(layout, way, partners)
    reasons.extend(doubts)
    partner = hit.entry.key if hit else None
    if hit and named:
        evidence["partner"] = [named]
        reasons.extend(_name_in_use(hit, iso, registry))
    else:
        reasons.append(_no_partner(layout, way))

    signing = find_signatory(layout, way, sgs, text)
    signatory, signed_by = signing.signatory, signing.signed_by
    found_by = [signing.evidence] if signing.evidence else []
    if signed_by and any(hit.start == 0 for hit in partners.find(signed_by)):  # "ICC France"
        reasons.append(msg("reason.signer_is_organisation", name=signed_by))
        signed_by = None
    if signatory is None and signing.unnamed and iso:
        signatory, resolved, doubts = _in_office_on(iso, registry)
        found_by += [resolved] if resolved else []
        reasons.extend(doubts)
    if found_by:
        evidence["signatory"] = found_by
    if signing.unknown:
        reasons.append(msg("reason.unknown_signer", name=signing.unknown))
    if signatory is None:
        reasons.append(msg("reason.no_sg"))
    elif iso:
        sg = registry.sg(signatory)
        if sg and not sg.in_office(iso):
            reasons.append(msg("reason.sg_not_in_office", sg=sg.name, date=iso))
    if way == "outgoing" and signed_by is None and signatory and not signing.unnamed \
            and not signing.deputy:
        signed_by = registry.display_name(signatory)
    if signed_by:
        evidence["signed_by"] = [found_in("signature block", signed_by)]
    elif way == "incoming" or signing.deputy:
        reasons.append(msg("reason.no_signer"))

    unsure = {"reason.ocr_unsure_date": found_date[0].text if found_date else None,
              "reason.ocr_unsure_signer": signed_by}
    for code, value in unsure.items():
        words = _doubtful_words(value, doubtful)
        if value and words:
            reasons.append(msg(code, value=value, words=words))
    other_kind = not_a_letter(layout)
    if other_kind:
        reasons.insert(0, other_kind)
    return Recognition(
        partner=partner, signatory=signatory, signed_by=signed_by, date=iso, direction=way,
        language=language, evidence=evidence,
        title=title_message(way, registry.display_name(signatory), hit.text if hit else None,
                            letter=other_kind is None),
        reasons=reasons,
    )


def _prose(layout: layouts.Layout) -> list[str]:
    """The lines that tell a letter's language: its body when it has one of some length (the
    addresses above it are often in the other language), else every line."""
    body = layout.body
    return body if sum(len(line) for line in body) >= PROSE_CHARS else layout.lines


def _doubtful_words(value: str | None, doubtful: Collection[str]) -> str:
    """The words of a value that OCR read with little confidence, quoted ("'Lindgvist-Moreau'")."""
    if not value or not doubtful:
        return ""
    bare = {word.strip(".,;:()'\"") for word in doubtful}
    found = [word for word in value.split() if word.strip(".,;:()'\"") in bare]
    return ", ".join(f"'{word}'" for word in found)


def _in_office_on(iso: str, registry: Registry) -> tuple[str | None, Message | None, list[Message]]:
    """The Secretary General in office on the date, the evidence, and a doubt near a change of office."""
    sg = registry.sg_in_office(iso)
    if sg is None:
        return None, None, []
    why = (msg("evidence.resolved_by_date", name=sg.name, date=iso, start=sg.term_start,
               end=sg.term_end) if sg.term_end else
           msg("evidence.resolved_by_date_today", name=sg.name, date=iso, start=sg.term_start))
    day = date.fromisoformat(iso)
    if (day - date.fromisoformat(sg.term_start)).days < HANDOVER_DAYS:
        when = msg("reason.took_office", name=sg.name, date=sg.term_start)
    elif sg.term_end and (date.fromisoformat(sg.term_end) - day).days < HANDOVER_DAYS:
        when = msg("reason.term_ended", name=sg.name, date=sg.term_end)
    else:
        return sg.slug, why, []
    return sg.slug, why, [msg("reason.near_change_of_office", date=iso, when=when)]


def _name_in_use(hit: Hit, iso: str | None, registry: Registry) -> list[Message]:
    """A doubt when the partner's name as written was not its name on the letter's date."""
    entry = hit.entry
    if iso is None:
        return []
    if entry.since and iso < entry.since:
        when = msg("reason.name_only_from", date=entry.since)
    elif entry.until and iso > entry.until:
        when = msg("reason.name_only_until", date=entry.until)
    else:
        return []
    current = registry.display_name(entry.key)
    return [msg("reason.name_not_in_use", name=hit.text, partner=str(current), when=when,
                date=iso)]


def _no_partner(layout: layouts.Layout, way: Direction | None) -> Message:
    if way == "incoming":
        sender = next((line for line in layout.head if line.strip()), None)
        if sender:
            return msg("reason.sender_not_registered_headed", sender=sender)
        return msg("reason.sender_not_registered")
    if way == "outgoing":
        return msg("reason.no_partner_in_addressee")
    return msg("reason.no_partner")
