"""The archivists' review queue and relinking after the registry grows."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from letters.curation import aside, corrections
from letters.errors import InvalidCorrection, NotFound, QueryError
from letters.messages import Message, msg
from letters.models import Letter
from letters.paging import Paging
from letters.pairing import exchanges

if TYPE_CHECKING:
    from letters.catalog import Catalog
    from letters.parts import Parts

#: Hits read per search when looking for the letters naming a partner.
PAGE = 500


@dataclass
class Candidate:
    """A letter that the registry as it stands now links to another partner, and why."""

    letter: Letter
    partner: str
    evidence: list[Message]  # how recognition found the partner


#: The kinds of review reason the queue filters by, each with its reasons' codes (a code in no
#: kind, or a reason stored as a sentence, is of the kind "other").
REASON_KINDS: dict[str, tuple[str, ...]] = {
    "partner": ("reason.no_partner_in_addressee", "reason.no_partner", "reason.several_partners",
                "reason.sender_not_registered_headed", "reason.sender_not_registered",
                "reason.zones_disagree", "reason.close_to_several", "reason.close_match_only",
                "reason.name_not_in_use", "reason.no_partner_recorded"),
    "signatory": ("reason.no_sg", "reason.sg_not_in_office", "reason.near_change_of_office",
                  "reason.no_sg_recorded"),
    "date": ("reason.date_not_found", "reason.date_in_future", "reason.ocr_unsure_date",
             "reason.no_date_recorded"),
    "direction": ("reason.direction_unclear",),
    "signer": ("reason.no_signer", "reason.signer_is_organisation", "reason.unknown_signer",
               "reason.ocr_unsure_signer"),
    "not_a_letter": ("reason.other_kind", "reason.speech_ending", "reason.speech_opening",
                     "reason.no_letter_form"),
    "ocr": ("reason.scanned_without_text", "reason.ocr_low_confidence", "reason.ocr_unavailable",
            "reason.ocr_unavailable_both"),
}
OTHER = "other"
KNOWN = tuple(code for codes in REASON_KINDS.values() for code in codes)


@dataclass
class QueuePage:
    """One page of the review queue: its letters, how many letters the (filtered) queue holds,
    the page, the kind of reason chosen, and how many letters have a reason of each kind."""

    letters: list[Letter]
    total: int
    paging: Paging
    kind: str | None
    kinds: dict[str, int]


def kind_of(code: str) -> str:
    """The kind of a reason's code."""
    return next((kind for kind, codes in REASON_KINDS.items() if code in codes), OTHER)


def queue_page(catalog: Catalog, paging: Paging, kind: str | None = None) -> QueuePage:
    """One page of the queue, oldest first, only letters with a reason of `kind` if given
    (QueryError for a kind that does not exist); counted and sliced in the catalog."""
    if kind and kind not in REASON_KINDS and kind != OTHER:
        raise QueryError(msg("query.bad_reason_kind", kinds=", ".join([*REASON_KINDS, OTHER])))
    by_codes = {stored: (set(json.loads(stored)), n)
                for stored, n in catalog.review_codes().items()}
    kinds: dict[str, int] = {}
    for k in [*REASON_KINDS, OTHER]:
        count = sum(n for codes, n in by_codes.values() if _of_kind(codes, k))
        if count:
            kinds[k] = count
    among = None if not kind else sorted(
        stored for stored, (codes, _) in by_codes.items() if _of_kind(codes, kind))
    total = sum(n for s, (_, n) in by_codes.items() if among is None or s in among)
    return QueuePage(catalog.review_page(paging.offset, paging.per_page, among), total, paging,
                     kind or None, kinds)


def _of_kind(codes: set[str], kind: str) -> bool:
    """Whether a letter with reasons of these codes has a reason of this kind."""
    return any(kind_of(code) == kind for code in codes)


#: What can be done at once to the letters selected in the queue.
ACTIONS = ("set_aside", "assign", "confirm")
#: The most letters one request acts on.
MAX_BATCH = 1000


@dataclass
class Batch:
    """What became of each selected letter: those changed, and why each other one was not."""

    action: str
    done: list[Letter]
    refused: list[tuple[str, InvalidCorrection | NotFound]]


def act_on(parts: Parts, ids: list[str], action: str, by: str, address: str | None = None,
           reason: object = None, partner: str | None = None) -> Batch:
    """Do `action` to each letter of `ids` in turn, each change its own audit event; a letter
    that cannot take it is named in `refused` with why, and the others are still done.
    InvalidCorrection (with a code) when nothing can be done: no letter, no such action, no
    reason to set aside, no valid partner."""
    if action not in ACTIONS:
        raise InvalidCorrection("Choose what to do with the selected letters: "
                                + ", ".join(ACTIONS) + ".", "action", "batch_action")
    chosen = list(dict.fromkeys(i for i in ids if isinstance(i, str) and i))
    if not chosen:
        raise InvalidCorrection("Select at least one letter.", "ids", "batch_none")
    if len(chosen) > MAX_BATCH:
        raise InvalidCorrection(f"Select at most {MAX_BATCH} letters at once.", "ids",
                                "batch_too_many", most=MAX_BATCH)
    kept_reason = aside.reason_of(reason) if action == "set_aside" else None
    if action == "assign":
        if not partner:
            raise InvalidCorrection("Choose the partner to link the letters to.", "partner",
                                    "batch_partner")
        corrections.validate(parts.registry, {"partner": partner})
    done: list[Letter] = []
    refused: list[tuple[str, InvalidCorrection | NotFound]] = []
    for letter_id in chosen:
        try:
            if action == "set_aside":
                done.append(aside.set_aside(parts, letter_id, kept_reason, by, address))
            elif action == "assign":
                done.append(corrections.correct(parts, letter_id, {"partner": partner}, by,
                                                address))
            else:
                done.append(corrections.confirm(parts, letter_id, by, address))
        except (InvalidCorrection, NotFound) as error:
            refused.append((letter_id, error))
    return Batch(action, done, refused)


def queue(catalog: Catalog) -> list[Letter]:
    """Letters that need review, oldest first."""
    return catalog.review_queue()


def next_in_queue(catalog: Catalog, letter: Letter) -> Letter | None:
    """The letter after this one in the review queue (oldest first), else the queue's first other."""
    return catalog.review_next(letter.added_at, letter.id)


def relink_candidates(parts: Parts, slug: str) -> list[Candidate]:
    """Letters not linked to `slug` that recognition now links to it (after a registry change).

    Recognition links a letter to a partner only where one of the partner's names is written
    in it, so only the letters whose text holds one of those names (a phrase search of the
    index) are read and recognised again, not the whole archive."""
    from letters.recognition.recognize import recognize

    partner = parts.registry.partner(slug)
    found = []
    for letter_id in sorted(_naming(parts, [n.name for n in partner.names()] if partner else [])):
        letter = parts.catalog.get(letter_id)
        if letter is None or letter.partner == slug or "partner" in letter.confirmed:
            continue
        text = "\n\n".join(parts.archive.pages(letter.id))
        recognition = recognize(text, parts.registry, parts.today())
        if recognition.partner == slug:
            found.append(Candidate(letter, slug, recognition.evidence.get("partner", [])))
    return sorted(found, key=lambda c: (c.letter.date or "", c.letter.id))


def _naming(parts: Parts, names: list[str]) -> set[str]:
    """The ids of the letters whose text holds one of these names, as a phrase."""
    from letters.parts import search
    from letters.search import SearchRequest

    ids: set[str] = set()
    for name in names:
        phrase = " ".join(name.replace('"', " ").split())
        if not phrase:
            continue
        page, total = 1, 1
        while (page - 1) * PAGE < total:
            request = SearchRequest(q=f'text:"{phrase}"', page=page, per_page=PAGE,
                                    facets=False, highlight=False)
            try:
                result = search(parts.archive, parts.index, request)
            except QueryError:  # nothing search can look for in it (control characters): no letter
                break
            ids.update(hit.letter.id for hit in result.hits)
            total, page = result.total, page + 1
    return ids


def relink(parts: Parts, ids: list[str], slug: str, by: str, address: str | None = None,
           confirm_pairing: bool = False) -> list[Letter]:
    """Link each of these letters to the partner `slug` (a correction, kept in their history);
    exchanges.PairingChange before any is saved when that changes a founding or confirmed
    exchange and `confirm_pairing` is not given."""
    if not confirm_pairing:
        changed = []
        for letter_id in ids:
            before = parts.get(letter_id)
            changed += exchanges.pairing_changes(parts.registry, parts.catalog, before,
                                                 replace(before, partner=slug))
        if changed:
            raise exchanges.PairingChange(list(dict.fromkeys(changed)))
    return [corrections.correct(parts, letter_id, {"partner": slug}, by=by, address=address,
                                confirm_pairing=True) for letter_id in ids]
