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
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, Protocol

from letters.errors import InvalidCorrection, NotFound
from letters.messages import Message, msg
from letters.models import Letter
from letters.textnorm import fold

if TYPE_CHECKING:
    from letters.catalog import Catalog
    from letters.parts import Parts
    from letters.registry import Registry

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
    #: Who paired the two letters by hand (None: paired automatically, no person confirmed it).
    confirmed_by: str | None = None

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
        """The exchange as a JSON-ready dict (its fields in order: `asdict` without its deep
        copies of plain values)."""
        return {name: getattr(self, name) for name in _EXCHANGE_FIELDS}


_EXCHANGE_FIELDS = tuple(Exchange.__dataclass_fields__)


class Pairable(Protocol):
    """What pairing reads of a letter (a record, or the catalog's row of one)."""

    @property
    def id(self) -> str: ...
    @property
    def partner(self) -> str | None: ...
    @property
    def date(self) -> str | None: ...
    @property
    def direction(self) -> str | None: ...
    @property
    def exchange(self) -> str | None: ...


def pair(letters: Sequence[Pairable], texts: dict[str, str] | None = None,
         cited: dict[str, frozenset[str]] | None = None,
         held: Exchange | None = None) -> list[Exchange]:
    """Group letters into exchanges, manual decisions first, then by partner, direction and date.

    Letters without a partner are left out unless manually linked to one another; a letter that
    cannot be paired (no reply, no direction, no date) forms an incomplete exchange of its own.
    The dates each letter cites come from `cited` (see `cited_dates`), else from its text.
    `held`: a founding exchange kept by decision (see `decisions`), taken as it is right after
    the manual pairs, even when one of its letters is no longer among `letters`.
    """
    cites = dict(cited or {})
    for key, text in (texts or {}).items():
        cites.setdefault(key, cited_dates(text))
    by_id = {letter.id: letter for letter in letters}
    exchanges: list[Exchange] = []
    taken: set[str] = set()
    for letter in letters:
        other = by_id.get(letter.exchange or "")
        if letter.id in taken or other is None or other.id == letter.id or other.id in taken:
            continue
        exchanges.append(_manual_pair(letter, other))
        taken.update((letter.id, other.id))
    if held is not None and not taken & set(held.ids()):
        exchanges.append(held)
        taken.update(held.ids())
    for letter in letters:
        if letter.id not in taken and letter.exchange is not None and letter.partner:
            # unlinked, or linked to a letter not in this list: it stands alone by decision
            exchanges.append(_single(letter, "manual"))
            taken.add(letter.id)
    free = [x for x in letters if x.id not in taken and x.partner is not None]
    for partner in sorted({x.partner for x in free if x.partner}):
        exchanges.extend(_pair_partner([x for x in free if x.partner == partner], cites))
    return sorted(exchanges, key=_order)


def founding_of(exchanges: list[Exchange]) -> Exchange | None:
    """The founding exchange among a partner's exchanges (oldest first): the first complete one,
    else the earliest."""
    complete = [x for x in exchanges if x.complete]
    chosen = complete or exchanges
    return chosen[0] if chosen else None


def exchanges_for(registry: Registry, catalog: Catalog, slug: str) -> list[Exchange]:
    """Every exchange of a registered partner, oldest first (as the catalog holds them)."""
    registry.registered(slug)
    return catalog.exchanges(slug)


def founding_documents_for(registry: Registry, catalog: Catalog, slug: str) -> Exchange | None:
    """The founding documents of a registered partner, or None when it has no letter."""
    registry.registered(slug)
    return catalog.founding(slug)


def link(parts: Parts, a_id: str, b_id: str, by: str, address: str | None = None) -> Exchange:
    """Pair two letters by hand (re-indexed and re-paired at once); letters they were paired with
    before are left manually unlinked."""
    while True:  # every lock taken at once, in order: two links at once cannot wait on each other
        formers = _formers(parts.catalog, parts.get(a_id), parts.get(b_id))
        with parts.archive.writing(parts.get(a_id).id, parts.get(b_id).id, *formers), \
                parts.catalog.deciding(by):
            if _formers(parts.catalog, parts.get(a_id), parts.get(b_id)) == formers:
                return _link_locked(parts, a_id, b_id, by, address)


def _formers(catalog: Catalog, a: Letter, b: Letter) -> list[str]:
    """The letters `a` and `b` are paired with now, other than each other."""
    found = {other_letter(catalog, a), other_letter(catalog, b)} - {None, a.id, b.id}
    return sorted(f for f in found if f)


def _link_locked(parts: Parts, a_id: str, b_id: str, by: str, address: str | None) -> Exchange:
    a, b = parts.get(a_id), parts.get(b_id)
    if a.id == b.id:
        raise InvalidCorrection("A letter cannot be paired with itself.", code="paired_with_itself")
    if a.partner and b.partner and a.partner != b.partner:
        raise InvalidCorrection("These letters belong to different partners; correct the partner "
                                "first.", code="different_partners")
    if a.direction and a.direction == b.direction:
        raise InvalidCorrection(f"Both letters are {a.direction}: an exchange pairs the Secretary "
                                "General's letter with the partner's reply.",
                                code=f"both_{a.direction}")
    formers = _formers(parts.catalog, a, b)
    with parts.catalog.linking([*formers, a.id, b.id]):
        changed = [parts.update(former, {"exchange": UNLINKED}, by, action="unlinked")
                   for former in formers]
        a = parts.update(a.id, {"exchange": b.id}, by, action="linked")
        b = parts.update(b.id, {"exchange": a.id}, by, action="linked")
        parts.index.update([*changed, a, b])
    parts.record("link", by, {"ids": [a.id, b.id]}, address)
    return replace(_manual_pair(a, b), confirmed_by=by)


def unlink(parts: Parts, letter_id: str, by: str, address: str | None = None) -> list[str]:
    """Take a letter and the one it was paired with apart by hand; the ids of those changed."""
    while True:  # both locks taken before either letter is read for the change
        first = parts.get(letter_id)
        other = other_letter(parts.catalog, first)
        with parts.archive.writing(first.id, *([other] if other else [])), \
                parts.catalog.deciding(by):
            letter = parts.get(letter_id)
            if other_letter(parts.catalog, letter) != other:
                continue  # paired anew meanwhile: take the locks of the new pair
            changed = [letter.id, *([other] if other else [])]
            with parts.catalog.linking(changed):
                parts.index.update([parts.update(each, {"exchange": UNLINKED}, by,
                                                         action="unlinked") for each in changed])
            break
    parts.record("unlink", by, {"ids": changed}, address)
    return changed


#: Who the history and the audit log name for a change the program makes on its own.
PROGRAM = "letters"


def mend_pairs(parts: Parts) -> list[str]:
    """After a link or unlink was killed between its letters (the catalog's pairing journal):
    each of its letters paired by hand with a letter not paired with it is unlinked, so that
    every pair is whole again (the link is undone, the unlink completed; the archivist links
    again); audited. The ids of the letters unlinked."""
    journal = parts.catalog.linking_journal()
    if not journal:
        return []
    with parts.archive.writing(*journal):
        still = [i for i in parts.catalog.linking_journal() if i in journal]
        mended = []
        for ident in still:
            letter = parts.archive.get(ident)
            other = parts.archive.get(letter.exchange) if letter and letter.exchange else None
            if letter is not None and other is not None and other.exchange != letter.id:
                mended.append(parts.update(ident, {"exchange": UNLINKED}, PROGRAM,
                                                   action="unlinked"))
        parts.index.update(mended)
        parts.catalog.paired(still)
    if mended:
        parts.record("unlink", PROGRAM, {"ids": [x.id for x in mended],
                                         "why": "a link or unlink was interrupted"})
    return [x.id for x in mended]


class PairingChange(InvalidCorrection):
    """A correction that would change a founding exchange or one a person confirmed; it is
    saved only when the archivist confirms it (the message says what would change)."""

    def __init__(self, changes: list[Message]) -> None:
        self.messages = [*changes, msg("reason.pairing_confirm")]
        super().__init__(" ".join(str(m) for m in self.messages))
        self.changes = changes


#: The fields of a record that pairing reads.
PAIRED_FIELDS = ("partner", "date", "direction")


def pairing_changes(registry: Registry, catalog: Catalog, current: Letter, candidate: Letter
                    ) -> list[Message]:
    """What saving `candidate` over `current` would change in a partner's founding exchange or
    in an exchange a person confirmed, as messages (none: nothing of the kind); letters are named
    by who wrote them and when, as people know them."""
    if all(getattr(current, f) == getattr(candidate, f) for f in PAIRED_FIELDS):
        return []
    found: list[Message] = []

    def words(exchange: Exchange | None) -> Message:
        return _words(exchange, catalog, candidate)

    for partner in sorted(p for p in {current.partner, candidate.partner} if p):
        before = catalog.exchanges(partner)
        after = catalog.pairing_with(partner, candidate)
        name = registry.display_name(partner) or partner
        # what pairing gave before and gives after: a founding exchange held against an open
        # proposal is not this correction's change
        was, will = catalog.founding(partner), founding_of(after)
        leaves = was is not None and current.id in was.ids() and candidate.partner != partner
        gives = will.ids() if will else []
        if was is not None and (leaves or (catalog.automatic_founding(partner) != gives
                                           and was.ids() != gives)):
            found.append(msg("reason.pairing_founding", name=name, was=words(was),
                             will=words(will)))
        kept = {tuple(x.ids()) for x in after}
        for exchange in before:
            if exchange.confirmed_by and tuple(exchange.ids()) not in kept:
                found.append(msg("reason.pairing_undone", name=name, who=exchange.confirmed_by,
                                 exchange=words(exchange)))
    return found


def _words(exchange: Exchange | None, catalog: Catalog, candidate: Letter) -> Message:
    """An exchange in words: complete or not, its date, and its letters by writer and date."""
    if exchange is None:
        return msg("reason.pairing_no_exchange")
    letters: list[Message] = []
    for writer, letter_id in (("sg", exchange.outgoing), ("partner", exchange.incoming)):
        if letter_id is None:
            continue
        letter = candidate if letter_id == candidate.id else catalog.get(letter_id)
        day = letter.date if letter is not None else None
        letters.append(msg(f"reason.pairing_{writer}_letter", date=day) if day
                       else msg(f"reason.pairing_{writer}_letter_undated"))
    which = letters[0] if len(letters) == 1 else msg("reason.pairing_both", first=letters[0],
                                                     second=letters[1])
    state = "complete" if exchange.complete else "incomplete"
    return msg(f"reason.pairing_{state}", date=exchange.date, letters=which) if exchange.date \
        else msg(f"reason.pairing_{state}_undated", letters=which)


def _any_date_pattern() -> re.Pattern[str]:
    """Every form a letter cites a date in ("your letter of 8 November 2017", "8/11/2017",
    "November 8, 2017", "2017-11-08", English or French), tried at every position of a text."""
    day = r"0?(?P<{}>[1-9][0-9]?)(?:st|nd|rd|th|er)?"
    year = r"(?P<{}>[1-9][0-9]{{3}})"
    names_en = "|".join([*MONTHS_EN, *(rf"{m[:3]}\.?" for m in MONTHS_EN)])
    names_fr = "|".join(MONTHS_FR)
    forms = [
        rf"{day.format('d1')} (?:of )?(?P<m1>{names_en}|{names_fr}),? {year.format('y1')}",
        rf"(?P<m2>{names_en}) {day.format('d2')},? {year.format('y2')}",
        rf"{day.format('d3')}[/.\-]0?(?P<m3>[1-9][0-9]?)[/.\-]{year.format('y3')}",
        r"(?P<y4>[1-9][0-9]{3})-(?P<m4>[0-9]{2})-(?P<d4>[0-9]{2})",
    ]
    return re.compile(r"(?=(?<![\d])(?:" + "|".join(forms) + r")(?![\d]))")


_ANY_DATE = _any_date_pattern()
_MONTH_NUMBER = {name: n for names in (MONTHS_EN, MONTHS_FR, [m[:3] for m in MONTHS_EN])
                 for n, name in enumerate(names, 1)}


#: What `cited_dates` finds, as a number: raised whenever it finds other dates for a text, so
#: that dates kept beside a text's digest (`catalog.files`) are found again, not reused.
CITED_VERSION = 1
#: Every place a year may start: a date's form is tried only a little before each.
_YEAR = re.compile(r"[1-9](?=[0-9]{3})")
#: Where a date's form may start: a digit, or the first letter of a month's name.
_START = re.compile(r"[0-9jfmasond]")
#: The farthest a date's year starts from the date's start ("23rd of september, 2017": the day
#: and its suffix, " of ", the month's name, ", "), with room to spare.
_REACH = max(len(m) for m in (*MONTHS_EN, *MONTHS_FR)) + 16


def cited_dates(text: str) -> frozenset[str]:
    """Every real date the text mentions in a form `_any_date_pattern` knows, ISO. Computed once
    per letter, kept in the catalog, so that pairing never reads texts."""
    found: set[str] = set()
    # blanks made one space (no date's form starts or ends with one: the ends do not matter)
    folded = " ".join(fold(text).split())
    tried = 0
    for year in _YEAR.finditer(folded):  # each position up to `_REACH` before a year, once
        at = year.start()
        for start in _START.finditer(folded, max(tried, at - _REACH), at + 1):
            match = _ANY_DATE.match(folded, start.start())
            if match is None:
                continue
            n = next(i for i in range(1, 5) if match.group(f"y{i}"))
            month = match.group(f"m{n}").rstrip(".")
            try:
                day = date(int(match.group(f"y{n}")), _MONTH_NUMBER.get(month) or int(month),
                           int(match.group(f"d{n}")))
            except ValueError:
                continue
            found.add(day.isoformat())
        tried = at + 1
    return frozenset(found)


def other_letter(catalog: Catalog, letter: Letter) -> str | None:
    """The id of the other letter of this letter's exchange, manual or automatic, if any."""
    if letter.exchange:
        return letter.exchange if catalog.get(letter.exchange) else None
    if letter.exchange == UNLINKED or not letter.partner:
        return None
    exchange = catalog.exchange_of(letter.partner, letter.id)
    others = [i for i in exchange.ids() if i != letter.id] if exchange else []
    return others[0] if others else None


def _manual_pair(a: Pairable, b: Pairable) -> Exchange:
    undirected = a.direction is None and b.direction is None
    if (a.direction == "incoming" or b.direction == "outgoing"
            or (undirected and (b.date or "") < (a.date or ""))):
        a, b = b, a
    return Exchange(partner=a.partner or b.partner, outgoing=a.id, incoming=b.id,
                    date=a.date or b.date, complete=True, how="manual")


def _single(letter: Pairable, how: Literal["automatic", "manual"]) -> Exchange:
    incoming = letter.direction == "incoming"
    return Exchange(partner=letter.partner, outgoing=None if incoming else letter.id,
                    incoming=letter.id if incoming else None, date=letter.date, complete=False,
                    how=how)


def day_of(letter: Pairable) -> date | None:
    """A letter's date as a day, or None when it is undated (or its date is not a day)."""
    if not letter.date:
        return None
    try:
        return date.fromisoformat(letter.date)
    except ValueError:
        return None


def _pair_partner(letters: list[Pairable], cited: dict[str, frozenset[str]]) -> list[Exchange]:
    """Pair one partner's free letters: the best-fitting candidates first (a reply citing the
    letter's date, closest first; then a reply within `REPLY_DAYS`, closest first), each letter
    taken once. Only letters whose dates fit are compared: linear in the partner's letters (times
    the dates a letter cites and the days of the reply window)."""
    outgoing = [x for x in letters if x.direction == "outgoing"]
    incoming = [x for x in letters if x.direction == "incoming"]
    days = {x.id: day_of(x) for x in letters}
    out_on: dict[date, list[tuple[int, Pairable]]] = {}
    in_on: dict[date, list[tuple[int, Pairable]]] = {}
    for group, found in ((out_on, outgoing), (in_on, incoming)):
        for position, x in enumerate(found):
            if (day := days[x.id]) is not None:
                group.setdefault(day, []).append((position, x))
    paired: set[str] = set()
    exchanges: list[Exchange] = []

    def take(out: Pairable, inc: Pairable) -> None:
        paired.update((out.id, inc.id))
        exchanges.append(Exchange(partner=out.partner, outgoing=out.id, incoming=inc.id,
                                  date=out.date, complete=True, how="automatic"))

    for _, out, inc in sorted(_citing(out_on, in_on, days, cited), key=lambda c: c[0]):
        if out.id not in paired and inc.id not in paired:
            take(out, inc)
    by_date: dict[str, list[Pairable]] = {}
    for out in outgoing:  # in list order: among equal candidates the earlier letter wins
        if out.date and days[out.id] is not None:
            by_date.setdefault(out.date, []).append(out)
    replies_on = {day.toordinal(): [inc for _, inc in sorted(group, key=lambda r: (r[1].id, r[0]))]
                  for day, group in in_on.items()}
    # each outgoing date (as a day number) with its letters still free, in order: a letter is
    # paired only by its own date's turn, and a date with none left free takes no more replies
    waiting: list[tuple[int, deque[Pairable]]] = []
    for out_date in sorted(by_date):
        free = deque(x for x in by_date[out_date] if x.id not in paired)
        day = days[by_date[out_date][0].id]
        if free and day is not None:
            waiting.append((day.toordinal(), free))
    for gap in range(REPLY_DAYS + 1):
        still: list[tuple[int, deque[Pairable]]] = []
        for number, free in waiting:
            for inc in replies_on.get(number + gap, ()):
                if inc.id not in paired:
                    take(free.popleft(), inc)
                    if not free:
                        break
            if free:
                still.append((number, free))
        waiting = still
    exchanges.extend(_single(x, "automatic") for x in letters if x.id not in paired)
    return exchanges


Candidate = tuple[tuple[int, str, str, int, int], Pairable, Pairable]


def _citing(out_on: dict[date, list[tuple[int, Pairable]]],
            in_on: dict[date, list[tuple[int, Pairable]]], days: dict[str, date | None],
            cited: dict[str, frozenset[str]]) -> list[Candidate]:
    """The pairs where one letter cites the other's date, at most `CITED_DAYS` apart, with the
    order in which they are taken (closest first)."""
    found: dict[tuple[int, int], Candidate] = {}
    for mine, theirs, reply in ((in_on, out_on, True), (out_on, in_on, False)):
        for group in mine.values():
            for position, letter in group:
                for iso in cited.get(letter.id, frozenset()):
                    for other_position, other in theirs.get(date.fromisoformat(iso), []):
                        out, inc = (other, letter) if reply else (letter, other)
                        key = (other_position, position) if reply else (position, other_position)
                        out_day, in_day = days[out.id], days[inc.id]
                        assert out_day is not None and in_day is not None
                        gap = abs((in_day - out_day).days)
                        if gap <= CITED_DAYS:
                            found[key] = ((gap, out.date or "", inc.id, *key), out, inc)
    return list(found.values())


def _order(exchange: Exchange) -> tuple[str, str]:
    return (exchange.date or "9999-99-99", ",".join(exchange.ids()))


@dataclass
class Proposal:
    """A change of a partner's founding exchange that pairing gives and no person decided yet:
    the founding exchange held stays until an archivist accepts or dismisses it."""

    partner: str
    name: str
    current: list[Letter]
    proposed: Exchange
    letters: list[Letter]

    def ids(self) -> list[str]:
        """The ids of the proposed exchange's letters (what a decision names)."""
        return self.proposed.ids()

    def said(self) -> Message:
        """The proposal in words: the letters held and the letters proposed (never bare ids)."""
        return msg("pairing.proposal", partner=self.name, held=_in_words(self.current, self.name),
                   proposed=_in_words(self.letters, self.name))

    def to_json(self) -> dict[str, Any]:
        """The proposal as the JSON answers and `letters partners proposal --json` write it."""
        return {"partner": self.partner, "summary": str(self.said()),
                "current": [x.to_json() for x in self.current],
                "proposed": {**self.proposed.to_json(), "missing": self.proposed.missing(),
                             "letters": [x.to_json() for x in self.letters]}}


def letter_words(letter: Letter, partner: str) -> Message:
    """A letter in words: its direction, date, partner and who signed it."""
    when: Message | str = letter.date or msg("pairing.undated")
    kind = {"outgoing": "out", "incoming": "in"}.get(letter.direction or "", "undirected")
    if letter.signed_by:
        return msg(f"pairing.letter_{kind}", date=when, partner=partner, signer=letter.signed_by)
    return msg(f"pairing.letter_{kind}_unsigned", date=when, partner=partner)


def _in_words(letters: list[Letter], partner: str) -> Message:
    said = [letter_words(x, partner) for x in letters]
    if not said:
        return msg("pairing.no_exchange")
    if len(said) == 1:
        return said[0]
    return msg("pairing.both", first=said[0], second=said[1])


def proposals(registry: Registry, catalog: Catalog, slug: str | None = None) -> list[Proposal]:
    """The pairing proposals waiting for a person (of one partner, or of every one)."""
    found = catalog.proposals(slug)
    records = catalog.many([i for _, held, offer in found for i in [*held, *offer.ids()]])
    return [Proposal(partner, registry.display_name(partner) or partner,
                     [records[i] for i in held if i in records], offer,
                     [records[i] for i in offer.ids() if i in records])
            for partner, held, offer in found]


def decide(parts: Parts, slug: str, accept: bool, by: str, address: str | None = None,
           expected: Sequence[str] | None = None) -> Proposal:
    """Accept (the proposed exchange becomes the founding one) or dismiss (the founding exchange
    held stays, and this proposal is not made again) a partner's pairing proposal, audited with
    the founding exchange before and after. NotFound when the partner has none;
    InvalidCorrection when it is not the `expected` one (another change came in between)."""
    parts.registry.registered(slug)
    found = proposals(parts.registry, parts.catalog, slug)
    if not found:
        raise NotFound(f"{parts.registry.display_name(slug)} has no pairing proposal.")
    proposal = found[0]
    try:
        before, after = parts.catalog.decide(slug, accept, by, expected)
    except LookupError:
        raise NotFound(f"{parts.registry.display_name(slug)} has no pairing proposal.") from None
    except ValueError:
        raise InvalidCorrection("The proposal changed since it was shown: look at it again.",
                                code="proposal_changed") from None
    held = before.ids() if before else []
    parts.record("pairing_accepted" if accept else "pairing_dismissed", by,
                 {"slug": slug, "proposal": str(proposal.said()), "before": held,
                  "after": after if accept else held, "proposed": after}, address)
    return proposal
