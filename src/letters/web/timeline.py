"""The picture of the partnership growing, round of signature by round (drawn as inline SVG)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from letters.models import Partner

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 24, 28, 44
#: The most years labelled under the chart (beyond, one year in two, three...).
MOST_YEAR_TICKS = 12


@dataclass
class Step:
    """One round: when, how many joined, how many partners after it, where it is drawn."""

    date: str
    joined: list[str]
    total: int
    x: float
    y: float


@dataclass
class Timeline:
    """Everything the template needs to draw the chart; no drawing logic in the template."""

    width: int = WIDTH
    height: int = HEIGHT
    steps: list[Step] = field(default_factory=list)
    path: str = ""
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    x_ticks: list[tuple[float, int]] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)
    baseline: float = HEIGHT - BOTTOM


def build(partners: Iterable[Partner], derived: dict[str, str] | None = None,
          today: date | None = None) -> Timeline:
    """The steps of the partnership from the partners' dates of joining (or, for partners the
    registry has none for, the `derived` ones: their founding exchange's date); a date after
    `today` (by default the current day) is not drawn: the partner is listed as undated."""
    by_date: dict[str, list[str]] = defaultdict(list)
    undated: list[str] = []
    last_day = (today or date.today()).isoformat()
    for partner in sorted(partners, key=lambda p: p.name.casefold()):
        joined = partner.joined or (derived or {}).get(partner.slug)
        if joined and joined <= last_day:
            by_date[joined].append(partner.slug)
        else:
            undated.append(partner.slug)
    chart = Timeline(undated=undated)
    if not by_date:
        return chart
    days = sorted(by_date)
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    start = date(first.year, 1, 1)
    end = date(last.year + 1, 1, 1)
    span = max(1, (end - start).days)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_total = sum(len(v) for v in by_date.values())
    scale_max = max(5, -(-top_total // 5) * 5)

    def x_of(day: date) -> float:
        return round(LEFT + inner_w * (day - start).days / span, 1)

    def y_of(total: int) -> float:
        return round(TOP + inner_h * (1 - total / scale_max), 1)

    total = 0
    points = [f"M{LEFT},{y_of(0)}"]
    for iso in days:
        total += len(by_date[iso])
        x, y = x_of(date.fromisoformat(iso)), y_of(total)
        points.append(f"H{x}V{y}")
        chart.steps.append(Step(iso, by_date[iso], total, x, y))
    points.append(f"H{LEFT + inner_w}")
    chart.path = "".join(points)
    chart.y_ticks = [(y_of(n), n) for n in range(0, scale_max + 1, 5)]
    every = -(-(end.year - start.year) // MOST_YEAR_TICKS)  # labels that never overlap
    chart.x_ticks = [(x_of(date(year, 1, 1)), year)
                     for year in range(start.year, end.year + 1, max(1, every))]
    return chart
