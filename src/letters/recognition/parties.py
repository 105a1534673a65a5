"""Who wrote to whom: direction, partner, Secretary General and the person who signed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from letters.messages import Message, msg
from letters.models import Direction
from letters.recognition import fuzzy
from letters.recognition.dates import dates_in, is_dateline
from letters.recognition.layout import Layout
from letters.recognition.names import Entry, Hit, Matcher
from letters.recognition.people import is_title, name_in
from letters.registry import Registry
from letters.textnorm import fold

_COE = re.compile(r"\b(?:council of europe|conseil de l'europe|europarat)\b")
# "Secretary General" and, folded, "Secrétaire Général(e)" (also as OCR misreads "Secratary").
_SG_TITLE = re.compile(
    r"\b(?:the\s+|le\s+|la\s+)?secr[ea]ta(?:ry|ri|ire|rie)[\s-]+g[ea]n[ea]rale?\b"
)
_DEPUTY = re.compile(
    r"\b(?:deputy\s+secretary[\s-]+general|secretaire[\s-]+generale?[\s-]+adjointe?)\b"
)
_ON_BEHALF = re.compile(
    r"\b(?:for|on behalf of|in the name of|pour|au nom de|p\.\s?o\.|by order of|represent\w*)\s+"
    r"(?:the\s+|le\s+|la\s+|du\s+|de\s+la\s+)?(?:secretary[\s-]+general|secretaire[\s-]+generale?)\b"
)
_BEHALF_CONTEXT = re.compile(
    r"(?:behalf|au nom|represent\w*|for|pour|by order)\b[^.;]{0,40}$"
)
# A salutation to a named person or an office holder ("Dear Ms Larsen,", "Madame la Présidente,").
_NAMED_SALUTATION = re.compile(
    r"^(?:dear\s+(?:mr|mrs|ms|miss|dr|prof|professor|sir|madam|president|chair)\b"
    r"|(?:madame|monsieur)\s+(?:la|le|l')\s*\w)"
)
# The title as OCR may misread it ("Secr6taire Genéra1", "Secretarv General"): matched closely.
_TITLES = [Entry("title", "Secretary General"), Entry("title", "Secrétaire Général"),
           Entry("title", "Secrétaire Générale")]
# A subject or reference line of a heading ("Re: Range of services", "Objet : ...").
_SUBJECT = re.compile(r"^(?:re|subject|objet|concerne|ref|our\s+ref|your\s+ref|v\.\s*ref|n\.\s*ref)\b")
#: The letterhead is looked for in this many lines at the top.
LETTERHEAD_LINES = 3


def sg_title_in(lines: list[str]) -> bool:
    """Whether the lines name the office of Secretary General, exactly or as OCR misreads it."""
    return bool(_SG_TITLE.search(fold("\n".join(lines)))) or fuzzy.closest(_TITLES, lines) is not None


def partner_matcher(registry: Registry) -> Matcher:
    """A matcher for every name, alias and former name of every partner."""
    return Matcher([
        Entry(p.slug, n.name, n.since, n.until) for p in registry.partners.values() for n in p.names()
    ])


def sg_matcher(registry: Registry) -> Matcher:
    """A matcher for every Secretary General's name and its variants."""
    return Matcher([
        Entry(sg.slug, name) for sg in registry.secretaries_general.values()
        for name in [sg.name, *sg.variants]
    ])


def direction(layout: Layout, sgs: Matcher,
              partners: Matcher) -> tuple[Direction | None, list[Message]]:
    """Outgoing (from the Council of Europe) or incoming, and the evidence for it.

    Each side collects points: the Council of Europe's letterhead at the top and a Secretary
    General's signature for outgoing; a Council of Europe addressee block, a salutation to the
    Secretary General and a partner's or person's signature for incoming.
    """
    head, block = layout.head, "\n".join(layout.signature)
    folded_block = fold(block)
    salutation = layout.salutation_line or ""
    out: list[tuple[int, Message]] = []
    inc: list[tuple[int, Message]] = []
    top = [line for line in head if not _dateline_only(line)][:LETTERHEAD_LINES]
    coe = next((line for line in head if _COE.search(fold(line))), None)
    if coe is not None:
        above = head[: head.index(coe)]
        # Above a letterhead there is nothing but the Secretary General's office.
        own = all((_SG_TITLE.search(fold(line)) and not sgs.find(line)) or _dateline_only(line)
                  for line in above)
        if coe in top and own:
            out.append((3, found_in("letterhead", coe)))
        else:
            inc.append((2, found_in("addressee block", coe)))
    sg_signs = sgs.find_or_approximate(block)
    if sg_signs or _DEPUTY.search(folded_block) or _ON_BEHALF.search(folded_block):
        signer = sg_signs[0].text if sg_signs else _first(layout.signature)
        out.append((3, found_in("signature block", signer)))
    elif sg_title_in(layout.signature) and not partners.find(block):
        out.append((2, found_in("signature block", _first(layout.signature))))
    elif any(name_in(line) for line in layout.signature):
        inc.append((1, msg("evidence.signed_by", text=_first(layout.signature))))
    if salutation:
        if sg_title_in([salutation]) or sgs.find_or_approximate(salutation):
            inc.append((3, msg("evidence.salutation", text=salutation)))
        elif _NAMED_SALUTATION.search(fold(salutation)):
            out.append((1, msg("evidence.salutation", text=salutation)))
    sender = partners.find(block)
    if sender:
        inc.append((2, msg("evidence.sender", text=sender[0].text)))
    score_out, score_in = sum(s for s, _ in out), sum(s for s, _ in inc)
    if score_out > score_in:
        return "outgoing", [e for _, e in out]
    if score_in > score_out:
        return "incoming", [e for _, e in inc]
    return None, []


#: The parts of a letter a partner's name is looked for in: the codes of their name, of a name
#: found in them, and of a name matched closely.
ZONES = {
    "addressee block": ("zone.addressee_block", "evidence.in_addressee_block",
                        "evidence.close_in_addressee_block"),
    "signature block": ("zone.signature_block", "evidence.in_signature_block",
                        "evidence.close_in_signature_block"),
    "letterhead": ("zone.letterhead", "evidence.in_letterhead", "evidence.close_in_letterhead"),
    "heading": ("zone.heading", "evidence.in_heading", "evidence.close_in_heading"),
}


def zone_name(zone: str) -> Message:
    """A part of the letter ("addressee block") as a message."""
    return msg(ZONES[zone][0])


def found_in(zone: str, text: str) -> Message:
    """Evidence: the text found in a part of the letter."""
    return msg(ZONES[zone][1], text=text)


def _first(lines: list[str]) -> str:
    return next((line for line in lines if line.strip()), "")


def _dateline_only(line: str) -> bool:
    """A line that holds a dateline and nothing else ("Strasbourg, 8 November 2017")."""
    return any(is_dateline(line, found) for found in dates_in(line)) and not _COE.search(fold(line))


def find_partner(
    layout: Layout, way: Direction | None, partners: Matcher
) -> tuple[Hit | None, Message | None, list[Message]]:
    """The partner of the exchange: the addressee of an outgoing letter, the sender of an incoming one.

    Names written as registered come first; failing any, a name OCR misread is matched closely
    (`fuzzy.closest`), with a doubt unless only spacing or case differ, and none when two partners
    are close.
    """
    head_hits = partners.find("\n".join(layout.head))
    sign_hits = partners.find("\n".join(layout.signature))
    if way == "outgoing":
        zones = [("addressee block", head_hits)]
    elif way == "incoming":
        zones = [("signature block", sign_hits), ("letterhead", head_hits)]
    else:
        zones = [("heading", head_hits), ("signature block", sign_hits)]
    doubts: list[Message] = []
    for zone, hits in zones:
        if not hits:
            continue
        slugs = {h.entry.key for h in hits}
        if len(slugs) > 1:
            names = ", ".join(sorted({f"'{h.text}'" for h in hits}))
            doubts.append(msg("reason.several_partners", zone=zone_name(zone), names=names))
        # The most named partner; on a tie, the one nearest the salutation or signature.
        nearest = max(hits, key=lambda h: (sum(k.entry.key == h.entry.key for k in hits),
                                           h.start if zone != "signature block" else -h.start))
        # Quote its fullest name ("Apple Inc.", not the "Apple" of "One Apple Park Way").
        best = max((h for h in hits if h.entry.key == nearest.entry.key),
                   key=lambda h: (h.end - h.start, -h.start))
        for other_zone, other_hits in zones:
            others = sorted({f"'{h.text}'" for h in other_hits if h.entry.key != best.entry.key})
            if other_zone != zone and others:
                doubts.append(msg("reason.zones_disagree", other_zone=zone_name(other_zone),
                                  others=", ".join(others), zone=zone_name(zone), name=best.text))
        return best, found_in(zone, best.text), doubts
    # Names stand in the letterhead, the addressee block and the salutation, not in a subject line.
    named = [line for line in layout.head if not _SUBJECT.match(fold(line))]
    lines = {"signature block": layout.signature}
    for zone, _ in zones:
        around = lines.get(zone, [*named, *([layout.salutation_line] if layout.salutation_line else [])])
        found = fuzzy.closest(partners.names(), around, names_only=True)
        if isinstance(found, fuzzy.Ambiguous):
            names = ", ".join(f"'{name}'" for name in found.names)
            doubts.append(msg("reason.close_to_several", zone=zone_name(zone), text=found.text,
                              names=names))
            return None, None, doubts
        if found:
            name = found.entry.name
            if not found.exact_letters:
                doubts.append(msg("reason.close_match_only", text=found.text,
                                  zone=zone_name(zone), name=name))
            why = msg(ZONES[zone][2], text=found.text, name=name)
            return Hit(found.entry, name, 0, 0), why, doubts
    return None, None, doubts


@dataclass
class Signing:
    """Who the letter belongs to on the Council of Europe's side, and who put their name to it."""

    signatory: str | None = None  # slug of the Secretary General, when named
    signed_by: str | None = None  # the Deputy or the partner's representative
    unnamed: bool = False  # "The Secretary General" without a name: the one in office
    deputy: bool = False  # signed for the Secretary General by someone else
    evidence: Message | None = None
    unknown: str | None = None  # a name above the title that is no Secretary General's (misread?)


def find_signatory(layout: Layout, way: Direction | None, sgs: Matcher, text: str) -> Signing:
    """The Secretary General in whose name the letter was signed or to whom it is addressed."""
    block = "\n".join(layout.signature)
    folded_block = fold(block)
    if way == "incoming":
        addressee = "\n".join([*layout.head, layout.salutation_line or ""])
        found = sgs.find_or_approximate(addressee)
        signed_by = _signer(layout.signature, sgs)
        if found:
            return Signing(found[0].entry.key, signed_by,
                           evidence=msg("evidence.addressee", text=found[0].text))
        if sg_title_in([*layout.head, layout.salutation_line or ""]):
            return Signing(None, signed_by, unnamed=True,
                           evidence=msg("evidence.addressed_to_unnamed_sg"))
        return Signing(None, signed_by)
    hits = sgs.find_or_approximate(block)
    if _DEPUTY.search(folded_block) or _ON_BEHALF.search(folded_block):
        signed_by = _signer(layout.signature, sgs)
        named = hits[0] if hits else _named_on_behalf(text, sgs)
        if named:
            return Signing(named.entry.key, signed_by, deputy=True,
                           evidence=msg("evidence.on_behalf", name=named.text))
        return Signing(None, signed_by, unnamed=True, deputy=True,
                       evidence=msg("evidence.signed_for_unnamed_sg"))
    if hits:
        return Signing(hits[0].entry.key, evidence=found_in("signature block", hits[0].text))
    if sg_title_in(layout.signature):
        return Signing(None, unnamed=True, evidence=msg("evidence.signed_by_unnamed_sg"),
                       unknown=_signer(layout.signature, sgs))
    return Signing()


def _named_on_behalf(text: str, sgs: Matcher) -> Hit | None:
    """A Secretary General named as the one on whose behalf the letter is signed."""
    for hit in sgs.find(text):
        before = fold(text[max(0, hit.start - 80) : hit.start])
        if _BEHALF_CONTEXT.search(before.replace("\n", " ")):
            return hit
    return None


def _signer(block: list[str], sgs: Matcher) -> str | None:
    """The person's name in a signature block that is not a Secretary General's.

    The name just above a title line wins ("Jane Larsen" above "Vice President"): a handwritten
    signature read by OCR can look like a name too.
    """
    names: list[tuple[int, str]] = []
    for number, line in enumerate(block):
        name = None if sgs.find_or_approximate(line) else name_in(line)
        if name:
            names.append((number, name))
    for number, name in names:
        following = block[number + 1] if number + 1 < len(block) else ""
        if following and is_title(following):
            return name
    return names[0][1] if names else None
