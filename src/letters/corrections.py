"""Archivists' corrections: validated, kept in the letter's history, re-indexed at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from letters.models import CORRECTABLE, Letter, is_iso_date

if TYPE_CHECKING:
    from letters.service import Letters

#: The fields an archivist must have confirmed (or corrected) for a letter to leave the review queue.
REVIEWED = ("partner", "signatory", "date", "direction")
DIRECTIONS = ("outgoing", "incoming")
LANGUAGES = ("en", "fr")


def validate(app: Letters, changes: dict[str, Any]) -> dict[str, Any]:
    """The changes, checked and normalised; raises InvalidCorrection with a sentence."""
    from letters.errors import InvalidCorrection

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
        if key == "partner" and value is not None and app.registry.partner(value) is None:
            raise InvalidCorrection(f"There is no partner with the slug '{value}'.")
        if key == "signatory" and value is not None and app.registry.sg(value) is None:
            raise InvalidCorrection(f"There is no Secretary General with the slug '{value}'.")
        if key == "date" and value is not None and not is_iso_date(value):
            raise InvalidCorrection(f"'{value}' is not a date of the form YYYY-MM-DD.")
        if key == "direction" and value not in (None, *DIRECTIONS):
            raise InvalidCorrection("The direction must be 'outgoing' or 'incoming'.")
        if key == "language" and value not in LANGUAGES:
            raise InvalidCorrection("The language must be 'en' or 'fr'.")
        clean[key] = value
    return clean


def consistency(app: Letters, letter: Letter) -> list[str]:
    """What is still missing or inconsistent with the registry in a record."""
    problems = [f"{field} is missing" for field in ("partner", "signatory", "date")
                if getattr(letter, field) is None]
    if letter.date and letter.signatory:
        sg = app.registry.sg(letter.signatory)
        if sg and not sg.in_office(letter.date):
            problems.append(f"{sg.name} was not Secretary General on {letter.date}")
    if letter.date and letter.date > app.today().isoformat():
        problems.append(f"the date {letter.date} is in the future")
    return problems


def apply(app: Letters, letter_id: str, changes: dict[str, Any], by: str,
          check: Callable[[Letter], None] | None = None) -> Letter:
    """Correct a letter's fields and recompute its review status; returns the new record.
    `check` sees the record as it would be saved, and may refuse it by raising.

    The letter's write lock is held from reading the record to indexing the new one, so that
    concurrent corrections of different fields are all kept, in the record and in the index.
    """
    clean = validate(app, changes)
    with app.archive.writing(app.get(letter_id).id):
        return _apply_locked(app, letter_id, changes, clean, by, check)


def _apply_locked(app: Letters, letter_id: str, changes: dict[str, Any], clean: dict[str, Any],
                  by: str, check: Callable[[Letter], None] | None) -> Letter:
    current = app.get(letter_id)
    confirmed = sorted(set(current.confirmed) | set(clean) | set(changes.get("confirmed", [])))
    candidate = Letter.from_json({**current.to_json(), **clean, "confirmed": confirmed})
    problems = consistency(app, candidate)
    if all(f in confirmed for f in REVIEWED):
        reasons = problems
    else:
        reasons = list(dict.fromkeys([*current.reasons, *problems]))
    update = {**clean, "confirmed": confirmed, "reasons": reasons,
              "status": "needs_review" if reasons else "ok"}
    if check is not None:
        check(Letter.from_json({**current.to_json(), **update}))
    letter = app.archive.update(letter_id, update, by)
    app.index.update([letter])
    return letter
