"""Fixity on a schedule: the whole archive checked every so often while the server runs, an
alert sent when a check finds a problem, and the state a banner shows to auditors and admins."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from letters.preservation.fixity import FixityReport


@dataclass(frozen=True)
class FixityStatus:
    """The last check as the banner sees it."""

    at: datetime | None  # when the last check ran; None when the archive was never checked
    problems: int
    overdue: bool  # no check within the interval (or never)

    @property
    def needs_attention(self) -> bool:
        """Whether auditors and admins should be told (problems found, or no recent check)."""
        return self.problems > 0 or self.overdue


def parse_moment(text: str | None) -> datetime | None:
    """An ISO moment as reports write them (aware), or None for anything else."""
    try:
        moment = datetime.fromisoformat(str(text or ""))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def status_of(last: dict[str, Any] | None, every: timedelta, now: datetime) -> FixityStatus:
    """The banner's view of the last saved report (`fixity.last_report`)."""
    at = parse_moment(last.get("at")) if last else None
    problems = len(last.get("problems") or []) if last else 0
    return FixityStatus(at, problems, at is None or now - at > every)


def seconds_until_due(last_at: datetime | None, every: timedelta, now: datetime) -> float:
    """How long to wait before the next check (0 when one is due now)."""
    if last_at is None:
        return 0.0
    return max(0.0, (last_at + every - now).total_seconds())


#: Seconds after a start before a check that is due runs (at most one interval): the check never
#: competes with the start itself, nor with a server that is only started for a moment.
START_GRACE = 600.0


class Schedule:
    """A thread that runs `check` whenever the last check is older than `every`, and hands a
    report with problems to `alert`."""

    def __init__(self, check: Callable[[], FixityReport], last_at: Callable[[], datetime | None],
                 every: timedelta, alert: Callable[[FixityReport], None],
                 clock: Callable[[], datetime]) -> None:
        self.check, self.last_at, self.every = check, last_at, every
        self.alert, self.clock = alert, clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Checks run by this schedule (what tests and the log read).
        self.runs = 0

    def start(self) -> None:
        """Start checking in the background."""
        self._thread = threading.Thread(target=self._loop, name="fixity-schedule", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop, waiting for a check in progress to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def run_due(self) -> FixityReport | None:
        """Run a check if one is due (alerting on problems); the report, or None."""
        if seconds_until_due(self.last_at(), self.every, self.clock()) > 0:
            return None
        report = self.check()
        self.runs += 1
        if report.problems:
            self.alert(report)
        return report

    def _loop(self) -> None:
        self._stop.wait(min(START_GRACE, self.every.total_seconds()))
        while not self._stop.is_set():
            self.run_due()
            wait = seconds_until_due(self.last_at(), self.every, self.clock())
            # a check that could not save its report leaves the last one old: wait a whole interval
            self._stop.wait(wait or self.every.total_seconds())
