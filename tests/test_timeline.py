"""The chart of the partnership growing: its steps, dates and year labels."""

from __future__ import annotations

from datetime import date

from letters.models import Partner
from letters.web.timeline import build


def test_the_chart_leaves_out_future_dates_and_never_crowds_its_years() -> None:
    partners = [Partner(slug="old", name="Old", kind="company", joined="1990-05-01"),
                Partner(slug="now", name="Now", kind="company", joined="2020-05-01"),
                Partner(slug="later", name="Later", kind="company", joined="2099-01-01")]
    chart = build(partners, today=date(2026, 12, 1))
    assert [step.date for step in chart.steps] == ["1990-05-01", "2020-05-01"]
    assert chart.undated == ["later"]
    years = [year for _, year in chart.x_ticks]
    assert years[0] == 1990 and years[-1] <= 2021 and len(years) <= 13
