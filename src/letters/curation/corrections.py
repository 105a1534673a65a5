"""Archivists' corrections: validated, kept in the letter's history, re-indexed at once."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from datetime import date
from typing import TYPE_CHECKING, Any

from letters.errors import InvalidCorrection
from letters.messages import Message, msg
from letters.models import CORRECTABLE, Letter, is_iso_date, status_of
from letters.pairing import exchanges
from letters.recognition.titles import title_message

if TYPE_CHECKING:
    from letters.parts import Parts
    from letters.registry import Registry

#: The fields an archivist must have confirmed (or corrected) for a letter to leave the review queue.
REVIEWED = ("partner", "signatory", "date", "direction")
DIRECTIONS = ("outgoing", "incoming")
LANGUAGES = ("en", "fr")
#: What the review reasons say of a reviewed value the record does not hold.
MISSING = {"partner": msg("reason.no_partner_recorded"), "signatory": msg("reason.no_sg_recorded"),
           "date": msg("reason.no_date_recorded")}
ISO_SHAPE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
#: The review reasons about one field, which a person's value for the field (corrected or
#: confirmed) answers: they go, and the rest stay until every reviewed field is confirmed.
ANSWERED = {
    "partner": {"reason.sender_not_registered_headed", "reason.sender_not_registered",
                "reason.no_partner_in_addressee", "reason.no_partner", "reason.no_partner_recorded",
                "reason.several_partners", "reason.zones_disagree", "reason.close_to_several",
                "reason.close_match_only", "reason.name_not_in_use"},
    "signatory": {"reason.no_sg", "reason.no_sg_recorded", "reason.near_change_of_office"},
    "date": {"reason.date_not_found", "reason.ocr_unsure_date", "reason.no_date_recorded"},
    "direction": {"reason.direction_unclear"},
    "signed_by": {"reason.no_signer", "reason.ocr_unsure_signer", "reason.signer_is_organisation",
                  "reason.unknown_signer"},
}


def validate(registry: Registry, changes: dict[str, Any]) -> dict[str, Any]:
    """The changes, checked and normalised; raises InvalidCorrection with a sentence."""
    if not isinstance(changes, dict) or not changes:
        raise InvalidCorrection("Send a JSON object with the fields to correct.")
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "confirmed":
            if not isinstance(value, list) or any(v not in CORRECTABLE for v in value):
                raise InvalidCorrection("'confirmed' must be a list of correctable field names.")
            continue
        if key not in CORRECTABLE:
            raise InvalidCorrection(f"'{key}' cannot be corrected; correctable fields are: "
                                    + ", ".join(CORRECTABLE) + ".")
        if value is not None and not isinstance(value, str):
            raise InvalidCorrection(f"'{key}' must be a string or null.")
        value = value.strip() if isinstance(value, str) else None
        value = value or None
        _check(registry, key, value)
        clean[key] = value
    return clean


def _check(registry: Registry, key: str, value: str | None) -> None:
    """Raise InvalidCorrection (naming the field) when `value` cannot be the field's value."""
    if key == "partner" and value is not None and registry.partner(value) is None:
        raise InvalidCorrection(f"There is no partner with the slug '{value}'.", key,
                                "no_partner", value=value)
    if key == "signatory" and value is not None and registry.sg(value) is None:
        raise InvalidCorrection(f"There is no Secretary General with the slug '{value}'.", key,
                                "no_sg", value=value)
    if key == "date" and value is not None and not is_iso_date(value):
        raise date_error(value)
    if key == "direction" and value not in (None, *DIRECTIONS):
        raise InvalidCorrection("The direction must be 'outgoing' or 'incoming'.", key, "direction")
    if key == "language" and value not in LANGUAGES:
        raise InvalidCorrection("The language must be 'en' or 'fr'.", key, "language")


def date_error(value: str) -> InvalidCorrection:
    """Why `value` is not a date: a day that does not exist, a month that does not, or the form."""
    match = ISO_SHAPE.match(value)
    if match:
        year, month, day = (int(x) for x in match.groups())
        days = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
        if year and days and not 1 <= day <= days:
            return InvalidCorrection(
                f"The day {value} does not exist: {calendar.month_name[month]} {year} has "
                f"{days} days.", "date", "no_such_day", value=value, month=month, year=year,
                days=days)
        if not days:
            return InvalidCorrection(f"'{value}' is not a date of the form YYYY-MM-DD: there is no "
                                     f"month {month}.", "date", "no_such_month", value=value,
                                     month=month)
    return InvalidCorrection(f"'{value}' is not a date of the form YYYY-MM-DD.", "date",
                             "date_form", value=value)


def consistency(registry: Registry, today: date, letter: Letter) -> list[Message]:
    """What is still missing or inconsistent with the registry in a record."""
    problems = [sentence for field, sentence in MISSING.items() if getattr(letter, field) is None]
    if letter.date and letter.signatory:
        sg = registry.sg(letter.signatory)
        if sg and not sg.in_office(letter.date):
            problems.append(msg("reason.sg_not_in_office", sg=sg.name, date=letter.date))
    if letter.date and letter.date > today.isoformat():
        problems.append(msg("reason.date_in_future", date=letter.date))
    return problems


class NothingToConfirm(InvalidCorrection):
    """Every reviewed field of the letter is empty or confirmed already."""


def form_changes(registry: Registry, letter: Letter, typed: Mapping[str, str]
                 ) -> tuple[dict[str, Any], dict[str, InvalidCorrection]]:
    """From a correction form's values as typed (blank: no value): the correctable fields that
    differ from the letter's, and the refusal of each one that is not valid, by field."""
    changes: dict[str, Any] = {}
    refused: dict[str, InvalidCorrection] = {}
    for field, raw in typed.items():
        value = raw.strip() or None
        if field in CORRECTABLE and value != getattr(letter, field):
            try:
                validate(registry, {field: value})
            except InvalidCorrection as error:
                refused[field] = error
            changes[field] = value
    return changes, refused


def confirmable(letter: Letter) -> list[str]:
    """The reviewed fields that hold a value not yet confirmed: what confirming would confirm."""
    return [field for field in REVIEWED
            if getattr(letter, field) is not None and field not in letter.confirmed]


def apply(parts: Parts, letter_id: str, changes: dict[str, Any], by: str,
          check: Callable[[Letter], None] | None = None) -> Letter:
    """Correct a letter's fields and recompute its review status; returns the new record.
    `check` sees the record as it would be saved, and may refuse it by raising.

    Until every reviewed field is confirmed the letter keeps its reasons, plus any new
    inconsistency (a value missing only when this correction cleared it: recognition already
    said what it did not find).

    The letter's write lock is held from reading the record to indexing the new one, so that
    concurrent corrections of different fields are all kept, in the record and in the index.
    """
    clean = validate(parts.registry, changes)
    with parts.archive.writing(parts.get(letter_id).id):
        return _apply_locked(parts, letter_id, changes, clean, by, check)


def _apply_locked(parts: Parts, letter_id: str, changes: dict[str, Any], clean: dict[str, Any],
                  by: str, check: Callable[[Letter], None] | None) -> Letter:
    current = parts.get(letter_id)
    confirmed = sorted(set(current.confirmed) | set(clean) | set(changes.get("confirmed", [])))
    candidate = Letter.from_json({**current.to_record(), **clean, "confirmed": confirmed})
    problems = consistency(parts.registry, parts.today(), candidate)
    if all(f in confirmed for f in REVIEWED):
        reasons = problems
    else:
        cleared = {MISSING[f] for f in MISSING if f in clean and clean[f] is None}
        new = [p for p in problems if p not in MISSING.values() or p in cleared]
        answered = {code for field in set(clean) | set(changes.get("confirmed", []))
                    if getattr(candidate, field, None) is not None
                    for code in ANSWERED.get(field, ())}
        kept = [r for r in current.reasons if r.code not in answered]
        reasons = list(dict.fromkeys([*kept, *new]))
        if not reasons and current.reasons:  # answered, but not every reviewed value confirmed
            reasons = [msg("reason.to_confirm")]
    update = {**clean, "confirmed": confirmed, "reasons": [r.to_record() for r in reasons],
              "status": status_of(reasons), **_title(parts.registry, current, candidate, clean)}
    if check is not None:
        check(Letter.from_json({**current.to_record(), **update}))
    letter = parts.update(letter_id, update, by)
    parts.index.update([letter])
    return letter


def _title(registry: Registry, current: Letter, candidate: Letter, clean: dict[str, Any]
           ) -> dict[str, Any]:
    """The title said again from the corrected partner, Secretary General and direction, while
    it is still recognition's (an archivist's own title is kept as typed)."""
    if "title" in clean or not {"partner", "signatory", "direction"} & set(clean):
        return {}
    if current.title is not None and current.said_title() == current.title \
            and current.recognised_title is not None:
        return {}  # an archivist's title, or an old record's: kept
    said = title_message(candidate.direction, registry.display_name(candidate.signatory),
                         registry.display_name(candidate.partner))
    if said is None:
        return {}
    return {"title": str(said), "recognised_title": said.to_record()}


def correct(parts: Parts, letter_id: str, changes: dict[str, Any], by: str,
            address: str | None = None, confirm_pairing: bool = False) -> Letter:
    """Apply an archivist's correction, keep the previous values, re-index at once, audited;
    one that changes a founding or a confirmed exchange raises exchanges.PairingChange unless
    `confirm_pairing`."""
    before = parts.get(letter_id)
    changed: list[Message] = []

    def check(candidate: Letter) -> None:
        changed.extend(exchanges.pairing_changes(parts.registry, parts.catalog, before,
                                                 candidate))
        if changed and not confirm_pairing:
            raise exchanges.PairingChange(changed)

    with parts.catalog.deciding(by) if confirm_pairing else nullcontext():
        letter = apply(parts, letter_id, changes, by, check)
    what: dict[str, Any] = {"id": letter_id, "fields": sorted(changes)}
    if changed:
        what["pairing"] = [str(change) for change in changed]
    parts.record("correct", by, what, address)
    return letter


def confirm(parts: Parts, letter_id: str, by: str, address: str | None = None) -> Letter:
    """Confirm the reviewed fields that hold a value, as they stand, audited (NothingToConfirm
    when none does)."""
    fields = confirmable(parts.get(letter_id))
    if not fields:
        raise NothingToConfirm("There is nothing to confirm: correct the record instead.",
                               None, "nothing_to_confirm")
    return correct(parts, letter_id, {"confirmed": fields}, by, address)
