"""Questions to the audit log: which events (by whom, which action, between which days, about
which letter), one page at a time. `Letters.audit_page` answers them for the auditors' page, its
JSON twin `GET /api/audit` and anything else that lists events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from letters.errors import QueryError
from letters.messages import msg
from letters.models import is_iso_date

#: Events on a page of the audit log unless asked otherwise, and the most a page may hold.
PER_PAGE = 50
MAX_PER_PAGE = 500


@dataclass(frozen=True)
class AuditQuery:
    """Which events, and which page of them: every filter left empty lets every event pass."""

    who: str = ""
    action: str = ""
    date_from: str = ""
    date_to: str = ""
    letter: str = ""
    page: int = 1
    #: Events on a page; None: every event that passes, on one page.
    per_page: int | None = PER_PAGE

    def checked(self) -> AuditQuery:
        """This query if it can be answered, else QueryError (400) saying what is wrong."""
        for day in (self.date_from, self.date_to):
            if day and not is_iso_date(day):
                raise QueryError(msg("query.not_a_date", value=day))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise QueryError(msg("query.start_after_end"))
        if self.page < 1:
            raise QueryError(msg("query.page_number"))
        if self.per_page is not None and self.per_page < 1:
            raise QueryError(msg("query.per_page_number", most=MAX_PER_PAGE))
        return self

    @property
    def filtered(self) -> bool:
        """Whether any filter is set."""
        return any((self.who, self.action, self.date_from, self.date_to, self.letter))

    def matches(self, event: Mapping[str, Any]) -> bool:
        """Whether one event passes every filter that is set."""
        day = str(event.get("at") or "")[:10]
        return ((not self.who or str(event.get("who", "")).casefold() == self.who.casefold())
                and (not self.action or event.get("action") == self.action)
                and (not self.date_from or day >= self.date_from)
                and (not self.date_to or day <= self.date_to)
                and (not self.letter or self.letter in _strings(event.get("what"))))


@dataclass(frozen=True)
class AuditPage:
    """One page of the events that pass, newest first, with what choosing filters needs."""

    #: The query answered, its page the one shown (the last when the one asked is past the end).
    query: AuditQuery
    #: How many events pass, on every page.
    total: int
    events: list[dict[str, Any]]
    #: Everyone and every action the whole log names, for choosing a filter.
    people: list[str]
    actions: list[str]

    @property
    def page(self) -> int:
        """The number of the page shown."""
        return self.query.page

    @property
    def per_page(self) -> int:
        """Events a page holds."""
        return self.query.per_page or max(1, self.total)

    @property
    def last_page(self) -> int:
        """The number of the last page (1 when there is nothing)."""
        return _last_page(self.total, self.per_page)


def page_of(events: Iterable[dict[str, Any]], query: AuditQuery) -> AuditPage:
    """The page `query` asks of `events` (the whole log, newest first)."""
    every = list(events)
    selected = [event for event in every if query.matches(event)]
    per_page = query.per_page or max(1, len(selected))
    page = min(query.page, _last_page(len(selected), per_page))
    start = (page - 1) * per_page
    return AuditPage(
        query=replace(query, page=page), total=len(selected),
        events=selected[start:start + per_page],
        people=sorted({str(e.get("who")) for e in every if e.get("who")},
                      key=lambda name: (name.casefold(), name)),
        actions=sorted({str(e.get("action")) for e in every if e.get("action")}))


def _last_page(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def _strings(value: Any) -> set[str]:
    """Every string inside a JSON value (an event's `what`)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, Mapping):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()
