"""Audit queries behind Letters: `Letters.audit_page(AuditQuery)` filters and pages a real audit
log for the auditors' page, `GET /api/audit` and anything else that lists events."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from letters.preservation.audit_query import AuditQuery
from letters.search import QueryError
from letters.service import Letters


@pytest.fixture
def logged(app: Letters) -> Letters:
    """Seven events: Ada logs in and corrects a letter, Bob uploads five letters."""
    app.record("login", "Ada")
    app.record("correct", "ada", {"letter": "0123abcd", "fields": {"date": "2020-01-01"}})
    for n in range(5):
        app.record("upload", "bob", {"letter": f"l{n}", "file": f"{n}.pdf"})
    return app


def test_filters_pick_events_newest_first(logged: Letters) -> None:
    page = logged.audit_page(AuditQuery(who="ADA"))
    assert [e["action"] for e in page.events] == ["correct", "login"]  # newest first, any case
    assert page.total == 2 and page.last_page == 1
    about = logged.audit_page(AuditQuery(letter="2020-01-01"))  # any string in `what`
    assert [e["what"].get("letter") for e in about.events] == ["0123abcd"]
    assert logged.audit_page(AuditQuery(action="upload", who="ada")).total == 0
    assert page.people == ["Ada", "ada", "bob"] and page.actions == ["correct", "login", "upload"]


def test_dates_filter_by_the_day_of_the_event(logged: Letters) -> None:
    day = date.fromisoformat(logged.audit_events()[0]["at"][:10])
    assert logged.audit_page(AuditQuery(date_from=str(day), date_to=str(day))).total == 7
    assert logged.audit_page(AuditQuery(date_from=str(day + timedelta(days=1)))).total == 0
    assert logged.audit_page(AuditQuery(date_to=str(day - timedelta(days=1)))).total == 0


def test_pages_and_the_last_page_past_the_end(logged: Letters) -> None:
    second = logged.audit_page(AuditQuery(action="upload", page=2, per_page=2))
    assert [e["what"]["letter"] for e in second.events] == ["l2", "l1"]
    assert (second.page, second.total, second.last_page) == (2, 5, 3)
    beyond = logged.audit_page(AuditQuery(action="upload", page=9, per_page=2))
    assert beyond.page == 3 and [e["what"]["letter"] for e in beyond.events] == ["l0"]
    every = logged.audit_page(AuditQuery(per_page=None))
    assert len(every.events) == 7 and every.last_page == 1
    assert logged.audit_page(AuditQuery(per_page=None, who="nobody")).events == []


@pytest.mark.parametrize(("query", "code"), [
    (AuditQuery(date_from="2020-13-01"), "query.not_a_date"),
    (AuditQuery(date_from="2021-01-01", date_to="2020-01-01"), "query.start_after_end"),
    (AuditQuery(page=0), "query.page_number"),
    (AuditQuery(per_page=0), "query.per_page_number"),
])
def test_a_query_that_cannot_be_answered_says_why(logged: Letters, query: AuditQuery,
                                                  code: str) -> None:
    with pytest.raises(QueryError) as raised:
        logged.audit_page(query)
    assert raised.value.message.code == code
