"""Exchanges of letters: the Secretary General's letter and the partner's reply, paired.

Pairing is automatic (same partner, opposite directions, the reply dated the same day or up to
`REPLY_DAYS` after, preferring a reply that cites the letter's date) unless an archivist decided
otherwise. Manual decisions live in the records' `exchange` field:

    exchange = None          no decision: the letter is paired automatically
    exchange = "<other id>"  manually linked to that letter (both records point at each other)
    exchange = ""            manually unlinked: the letter stands alone, never paired automatically

A manual decision always wins over automatic pairing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from letters import audit
from letters.models import Letter
from letters.textnorm import fold

if TYPE_CHECKING:
    from letters.service import Letters

#: Days after the Secretary General's letter within which a reply is paired on dates alone.
REPLY_DAYS = 60
#: Days apart two letters may be when one cites the other's date.
CITED_DAYS = 365
UNLINKED = ""

MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august",
             "september", "october", "november", "december")
MONTHS_FR = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
             "septembre", "octobre", "novembre", "decembre")


@dataclass
class Exchange:
    """One exchange of letters; `complete` when both the letter and the reply are archived."""

    partner: str | None
    outgoing: str | None
    incoming: str | None
    date: str | None
    complete: bool
    how: Literal["automatic", "manual"]

    def ids(self) -> list[str]:
        """The ids of the letters of this exchange, the Secretary General's first."""
        return [i for i in (self.outgoing, self.incoming) if i]

    def missing(self) -> str | None:
        """Which letter is missing, in words, or None when the exchange is complete."""
        if self.outgoing is None:
            return "the Secretary General's letter is not in the archive"
        if self.incoming is None:
            return "the partner's letter in reply is not in the archive"
        return None

    def to_json(self) -> dict[str, Any]:
        """The exchange as a JSON-ready dict."""
        return asdict(self)


def pair(letters: list[Letter], texts: dict[str, str] | None = None) -> list[Exchange]:
    """Group letters into exchanges, manual decisions first, then by partner, direction and date.

    Letters without a partner are left out unless manually linked to one another; a letter that
    cannot be paired (no reply, no direction, no date) forms an incomplete exchange of its own.
    """
    texts = texts or {}
    by_id = {letter.id: letter for letter in letters}
    exchanges: list[Exchange] = []
    taken: set[str] = set()
    for letter in letters:
        other = by_id.get(letter.exchange or "")
        if letter.id in taken or other is None or other.id == letter.id or other.id in taken:
            continue
        exchanges.append(_manual_pair(letter, other))
        taken.update((letter.id, other.id))
    for letter in letters:
        if letter.id not in taken and letter.exchange is not None and letter.partner:
            # unlinked, or linked to a letter not in this list: it stands alone by decision
            exchanges.append(_single(letter, "manual"))
            taken.add(letter.id)
    free = [x for x in letters if x.id not in taken and x.partner is not None]
    for partner in sorted({x.partner for x in free if x.partner}):
        exchanges.extend(_pair_partner([x for x in free if x.partner == partner], texts))
    return sorted(exchanges, key=_order)


def founding_documents(letters: list[Letter],
                       texts: dict[str, str] | None = None) -> Exchange | None:
    """A partner's founding documents: its first complete exchange, else its earliest one."""
    exchanges = pair(letters, texts)
    complete = [x for x in exchanges if x.complete]
    chosen = complete or exchanges
    return chosen[0] if chosen else None


def letters_of(app: Letters, slug: str) -> list[Letter]:
    """The archived letters of a registered partner (service.NotFound for an unknown slug)."""
    from letters.errors import NotFound

    if app.registry.partner(slug) is None:
        raise NotFound(f"There is no partner with the slug '{slug}'.")
    return sorted((x for x in app.archive.records() if x.partner == slug),
                  key=lambda x: (x.date or "9999", x.id))


def texts_of(app: Letters, letters: Iterable[Letter]) -> dict[str, str]:
    """The stored text of each letter, for the date-citation evidence (unreadable text: none)."""
    texts: dict[str, str] = {}
    for letter in letters:
        try:
            texts[letter.id] = "\n".join(app.archive.pages(letter.id))
        except (KeyError, OSError, ValueError, TypeError):
            texts[letter.id] = ""
    return texts


def exchanges_for(app: Letters, slug: str) -> list[Exchange]:
    """Every exchange of a registered partner, oldest first."""
    letters = letters_of(app, slug)
    return pair(letters, texts_of(app, letters))


def founding_documents_for(app: Letters, slug: str) -> Exchange | None:
    """The founding documents of a registered partner, or None when it has no letter."""
    letters = letters_of(app, slug)
    return founding_documents(letters, texts_of(app, letters))


def link(app: Letters, a_id: str, b_id: str, by: str, address: str | None = None) -> Exchange:
    """Pair two letters by hand (re-indexed at once); letters they were paired with before are
    left manually unlinked."""
    with app.archive.writing(app.get(a_id).id, app.get(b_id).id):
        return _link_locked(app, a_id, b_id, by, address)


def _link_locked(app: Letters, a_id: str, b_id: str, by: str, address: str | None) -> Exchange:
    from letters.errors import InvalidCorrection

    a, b = app.get(a_id), app.get(b_id)
    if a.id == b.id:
        raise InvalidCorrection("A letter cannot be paired with itself.")
    if a.partner and b.partner and a.partner != b.partner:
        raise InvalidCorrection("These letters belong to different partners; correct the partner "
                                "first.")
    if a.direction and a.direction == b.direction:
        raise InvalidCorrection(f"Both letters are {a.direction}: an exchange pairs the Secretary "
                                "General's letter with the partner's reply.")
    formers = {_current_other(app, a), _current_other(app, b)} - {None, a.id, b.id}
    changed = [app.archive.update(former, {"exchange": UNLINKED}, by, action="unlinked")
               for former in sorted(f for f in formers if f)]
    a = app.archive.update(a.id, {"exchange": b.id}, by, action="linked")
    b = app.archive.update(b.id, {"exchange": a.id}, by, action="linked")
    app.index.update([*changed, a, b])
    audit.record(app.settings.archive_dir, "link", by, {"ids": [a.id, b.id]}, address)
    return _manual_pair(a, b)


def unlink(app: Letters, letter_id: str, by: str, address: str | None = None) -> list[str]:
    """Take a letter and the one it was paired with apart by hand; the ids of those changed."""
    letter = app.get(letter_id)
    changed = [letter.id]
    other = _current_other(app, letter)
    if other:
        changed.append(other)
    with app.archive.writing(*changed):
        app.index.update([app.archive.update(each, {"exchange": UNLINKED}, by, action="unlinked")
                          for each in changed])
    audit.record(app.settings.archive_dir, "unlink", by, {"ids": changed}, address)
    return changed


def cites_date(text: str, iso: str) -> bool:
    """Whether the text mentions that date ("your letter of 8 November 2017", "8/11/2017"...)."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return False
    return bool(_date_pattern(day).search(re.sub(r"\s+", " ", fold(text))))


def _date_pattern(day: date) -> re.Pattern[str]:
    d = rf"0?{day.day}(?:st|nd|rd|th|er)?"
    y = str(day.year)
    en, fr = MONTHS_EN[day.month - 1], MONTHS_FR[day.month - 1]
    m = rf"0?{day.month}"
    forms = [
        rf"{d} (?:of )?(?:{en}|{en[:3]}\.?|{fr}),? {y}",
        rf"(?:{en}|{en[:3]}\.?) {d},? {y}",
        rf"{d}[/.\-]{m}[/.\-]{y}",
        rf"{y}-{day.month:02d}-{day.day:02d}",
    ]
    return re.compile(r"(?<![\d])(?:" + "|".join(forms) + r")(?![\d])")


def _current_other(app: Letters, letter: Letter) -> str | None:
    """The id of the letter now paired with this one, manually or automatically."""
    if letter.exchange:
        return letter.exchange if app.archive.get(letter.exchange) else None
    if letter.exchange == UNLINKED or not letter.partner:
        return None
    for exchange in exchanges_for(app, letter.partner):
        if letter.id in exchange.ids():
            others = [i for i in exchange.ids() if i != letter.id]
            return others[0] if others else None
    return None


def _manual_pair(a: Letter, b: Letter) -> Exchange:
    undirected = a.direction is None and b.direction is None
    if (a.direction == "incoming" or b.direction == "outgoing"
            or (undirected and (b.date or "") < (a.date or ""))):
        a, b = b, a
    return Exchange(partner=a.partner or b.partner, outgoing=a.id, incoming=b.id,
                    date=a.date or b.date, complete=True, how="manual")


def _single(letter: Letter, how: Literal["automatic", "manual"]) -> Exchange:
    incoming = letter.direction == "incoming"
    return Exchange(partner=letter.partner, outgoing=None if incoming else letter.id,
                    incoming=letter.id if incoming else None, date=letter.date, complete=False,
                    how=how)


def _pair_partner(letters: list[Letter], texts: dict[str, str]) -> list[Exchange]:
    outgoing = [x for x in letters if x.direction == "outgoing"]
    incoming = [x for x in letters if x.direction == "incoming"]
    candidates: list[tuple[tuple[int, int, str, str], Letter, Letter]] = []
    for out in outgoing:
        for inc in incoming:
            score = _score(out, inc, texts)
            if score is not None:
                candidates.append((score, out, inc))
    candidates.sort(key=lambda c: c[0])
    paired: set[str] = set()
    exchanges: list[Exchange] = []
    for _, out, inc in candidates:
        if out.id in paired or inc.id in paired:
            continue
        paired.update((out.id, inc.id))
        exchanges.append(Exchange(partner=out.partner, outgoing=out.id, incoming=inc.id,
                                  date=out.date, complete=True, how="automatic"))
    exchanges.extend(_single(x, "automatic") for x in letters if x.id not in paired)
    return exchanges


def _score(out: Letter, inc: Letter, texts: dict[str, str]) -> tuple[int, int, str, str] | None:
    """How well a reply fits a letter (lower is better), or None when they cannot be paired."""
    if not out.date or not inc.date:
        return None
    try:
        gap = (date.fromisoformat(inc.date) - date.fromisoformat(out.date)).days
    except ValueError:
        return None
    cited = cites_date(texts.get(inc.id, ""), out.date) or cites_date(texts.get(out.id, ""),
                                                                      inc.date)
    if cited and abs(gap) <= CITED_DAYS:
        return (0, abs(gap), out.date, inc.id)
    if 0 <= gap <= REPLY_DAYS:
        return (1, gap, out.date, inc.id)
    return None


def _order(exchange: Exchange) -> tuple[str, str]:
    return (exchange.date or "9999-99-99", ",".join(exchange.ids()))


def other_letter(app: Letters, letter: Letter) -> str | None:
    """The id of the other letter of this letter's exchange, manual or automatic, if any."""
    return _current_other(app, letter)
