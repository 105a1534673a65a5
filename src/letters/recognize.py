"""Recognising a letter from its text: partner, Secretary General, signer, date, direction, language."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from letters.models import Direction
from letters.recognition import layout as layouts
from letters.recognition.dates import letter_date
from letters.recognition.kind import not_a_letter
from letters.recognition.language import language as detect_language
from letters.recognition.names import Hit
from letters.recognition.parties import (
    direction as detect_direction,
)
from letters.recognition.parties import (
    find_partner,
    find_signatory,
    partner_matcher,
    sg_matcher,
)
from letters.registry import Registry

#: An unnamed Secretary General found by a date fewer than this many days from a change of office
#: is left for a person to confirm.
HANDOVER_DAYS = 30


@dataclass
class Recognition:
    """What the text of a letter says about it, how that was found, and what needs review."""

    partner: str | None
    signatory: str | None
    signed_by: str | None
    date: str | None
    direction: Literal["outgoing", "incoming"] | None
    language: str
    title: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


def recognize(text: str, registry: Registry, today: date,
              doubtful: Collection[str] = ()) -> Recognition:
    """Recognise a letter's metadata from its text, checking it against the registry.

    `doubtful`: the words OCR read with little confidence; a date or signer's name made of them
    goes to review.
    """
    layout = layouts.analyse(text)
    evidence: dict[str, str] = {}
    reasons: list[str] = []
    partners, sgs = partner_matcher(registry), sg_matcher(registry)

    language, evidence["language"] = detect_language("\n".join(layout.lines))

    found_date = letter_date(layout.head, layout.signature, layout.lines)
    iso = found_date[0].iso if found_date else None
    if found_date:
        evidence["date"] = found_date[1]
    else:
        reasons.append("The letter's own date was not found.")
    if iso and iso > today.isoformat():
        reasons.append(f"The date {iso} is in the future.")

    way, why = detect_direction(layout, sgs, partners)
    if way:
        evidence["direction"] = why
    else:
        reasons.append("It is not clear whether the letter comes from the Council of Europe "
                       "or is addressed to it.")

    hit, why, doubts = find_partner(layout, way, partners)
    reasons.extend(doubts)
    partner = hit.entry.key if hit else None
    if hit:
        evidence["partner"] = why
        reasons.extend(_name_in_use(hit, iso, registry))
    else:
        reasons.append(_no_partner(layout, way))

    signing = find_signatory(layout, way, sgs, text)
    signatory, signed_by, why = signing.signatory, signing.signed_by, signing.evidence
    if signed_by and any(hit.start == 0 for hit in partners.find(signed_by)):  # "ICC France"
        reasons.append(f"The signature block's '{signed_by}' names an organisation, not a person.")
        signed_by = None
    if signatory is None and signing.unnamed and iso:
        signatory, resolved, doubts = _in_office_on(iso, registry)
        why = f"{why}; {resolved}" if resolved else why
        reasons.extend(doubts)
    if why:
        evidence["signatory"] = why
    if signing.unknown:
        reasons.append(f"The signature block has the name '{signing.unknown}', which is not a "
                       "registered Secretary General's; check who signed the letter.")
    if signatory is None:
        reasons.append("The Secretary General could not be recognised.")
    elif iso:
        sg = registry.sg(signatory)
        if sg and not sg.in_office(iso):
            reasons.append(f"{sg.name} was not Secretary General on {iso}.")
    if way == "outgoing" and signed_by is None and signatory and not signing.unnamed \
            and not signing.deputy:
        signed_by = registry.display_name(signatory)
    if signed_by:
        evidence["signed_by"] = f"signature block: '{signed_by}'"
    elif way == "incoming" or signing.deputy:
        reasons.append("The name of the person who signed was not found.")

    unsure = {"date": found_date[0].text if found_date else None, "signer's name": signed_by}
    for what, value in unsure.items():
        words = _doubtful_words(value, doubtful)
        if words:
            reasons.append(f"OCR was unsure of the {what} '{value}' (it read {words} with little "
                           "confidence); check it against the original.")
    other_kind = not_a_letter(layout)
    if other_kind:
        reasons.insert(0, other_kind)
    return Recognition(
        partner=partner, signatory=signatory, signed_by=signed_by, date=iso, direction=way,
        language=language, title=_title(way, hit, signatory, registry), evidence=evidence,
        reasons=reasons,
    )


def _doubtful_words(value: str | None, doubtful: Collection[str]) -> str:
    """The words of a value that OCR read with little confidence, quoted ("'Lindgvist-Moreau'")."""
    if not value or not doubtful:
        return ""
    bare = {word.strip(".,;:()'\"") for word in doubtful}
    found = [word for word in value.split() if word.strip(".,;:()'\"") in bare]
    return ", ".join(f"'{word}'" for word in found)


def _in_office_on(iso: str, registry: Registry) -> tuple[str | None, str, list[str]]:
    """The Secretary General in office on the date, the evidence, and a doubt near a change of office."""
    sg = registry.sg_in_office(iso)
    if sg is None:
        return None, "", []
    why = (f"resolved by the letter's date: {sg.name} was in office on {iso} "
           f"(term {sg.term_start} to {sg.term_end or 'today'})")
    day = date.fromisoformat(iso)
    if (day - date.fromisoformat(sg.term_start)).days < HANDOVER_DAYS:
        when = f"{sg.name} took office on {sg.term_start}"
    elif sg.term_end and (date.fromisoformat(sg.term_end) - day).days < HANDOVER_DAYS:
        when = f"{sg.name}'s term ended on {sg.term_end}"
    else:
        return sg.slug, why, []
    return sg.slug, why, [f"The Secretary General is not named and the letter's date {iso} is close to "
                          f"a change of office ({when}); check which Secretary General it belongs to."]


def _name_in_use(hit: Hit, iso: str | None, registry: Registry) -> list[str]:
    """A doubt when the partner's name as written was not its name on the letter's date."""
    entry = hit.entry
    if iso is None:
        return []
    if entry.since and iso < entry.since:
        when = f"only from {entry.since}"
    elif entry.until and iso > entry.until:
        when = f"only until {entry.until}"
    else:
        return []
    current = registry.display_name(entry.key)
    return [f"The name '{hit.text}' was used for {current} {when}, not on {iso}."]


def _no_partner(layout: layouts.Layout, way: Direction | None) -> str:
    if way == "incoming":
        sender = next((line for line in layout.head if line.strip()), None)
        if sender:
            return f"The sender is not a registered partner (the letter is headed '{sender}')."
        return "The sender is not a registered partner."
    if way == "outgoing":
        return "No registered partner is named in the addressee block."
    return "No registered partner was recognised."


def _title(way: Direction | None, hit: Hit | None, signatory: str | None,
           registry: Registry) -> str | None:
    sg = registry.display_name(signatory)
    org = hit.text if hit else None
    if way == "outgoing" and sg and org:
        return f"Letter from {sg} to {org}"
    if way == "incoming" and sg and org:
        return f"Letter from {org} to {sg}"
    if way == "outgoing" and sg:
        return f"Letter from {sg}"
    if way == "incoming" and org:
        return f"Letter from {org} to the Secretary General"
    if way == "incoming" and sg:
        return f"Letter to {sg}"
    return None
