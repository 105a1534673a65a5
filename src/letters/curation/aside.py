"""Setting a letter aside, and restoring it: for what an archivist judged does not belong among
the agreements (not a letter, a copy of another letter, withdrawn, or in the archivist's words).

A letter set aside keeps its original, text and history; its status is `set_aside` with the
reason and the status it had. The catalog leaves it out of the review queue and of pairing, and
search leaves it out unless asked for it (`status:set_aside`); `Archive.update` keeps it set aside
through any other change until it is restored. Both actions are history entries (`set_aside`,
`restored`) and audit events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from letters.archive import RESTORED, SET_ASIDE
from letters.errors import InvalidCorrection
from letters.models import ASIDE_REASONS, Letter

if TYPE_CHECKING:
    from letters.parts import Parts

#: The longest reason kept, in characters.
MAX_REASON = 500


class AsideRefused(InvalidCorrection):
    """A letter cannot be set aside or restored as asked (one sentence, with a code)."""


def no_reason() -> AsideRefused:
    """The refusal of a set-aside that gives no reason."""
    return AsideRefused("Say why the letter is set aside: " + ", ".join(ASIDE_REASONS)
                        + ", or in your own words.", "reason", "aside_no_reason")


def reason_of(raw: object) -> str:
    """The reason as it is kept: a kind of ASIDE_REASONS or the archivist's words, trimmed;
    AsideRefused when there is none or it is too long."""
    if not isinstance(raw, str) or not " ".join(raw.split()):
        raise no_reason()
    reason = " ".join(raw.split())
    if len(reason) > MAX_REASON:
        raise AsideRefused(f"The reason is too long: at most {MAX_REASON} characters.", "reason",
                           "aside_long_reason", limit=MAX_REASON)
    return reason


def set_aside(parts: Parts, letter_id: str, reason: object, by: str,
              address: str | None = None) -> Letter:
    """Set a letter aside with a reason, kept in its history and audited (AsideRefused when it
    is set aside already or no reason is given)."""
    kept = reason_of(reason)
    with parts.archive.writing(parts.get(letter_id).id):
        current = parts.get(letter_id)
        if current.status == "set_aside":
            raise AsideRefused("This letter is set aside already.", "reason", "aside_already")
        letter = parts.update(current.id, {
            "status": "set_aside", "aside_reason": kept, "aside_from": current.status}, by,
            action=SET_ASIDE)
        parts.index.update([letter])
    parts.record("set_aside", by, {"id": letter.id, "reason": kept,
                                   "status_before": current.status}, address)
    return letter


def restore(parts: Parts, letter_id: str, by: str, address: str | None = None) -> Letter:
    """Take a letter set aside back, to the status it had, kept in its history and audited
    (AsideRefused when it is not set aside)."""
    with parts.archive.writing(parts.get(letter_id).id):
        current = parts.get(letter_id)
        if current.status != "set_aside":
            raise AsideRefused("This letter is not set aside.", None, "aside_not")
        back = current.aside_from if current.aside_from in ("ok", "needs_review") else (
            "needs_review" if current.reasons else "ok")
        letter = parts.update(current.id, {"status": back}, by, action=RESTORED)
        parts.index.update([letter])
    parts.record("restored", by, {"id": letter.id, "status": back,
                                  "reason": current.aside_reason}, address)
    return letter
