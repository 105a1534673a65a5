"""The per-date definition of "a text cites a date" that pairing used before the catalog: the
oracle that `exchanges.cited_dates` (every cited date at once) must agree with."""

from __future__ import annotations

import re
from datetime import date

from letters.pairing.exchanges import MONTHS_EN, MONTHS_FR
from letters.textnorm import fold


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
