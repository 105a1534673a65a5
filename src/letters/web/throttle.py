"""A brake on guessing passwords: too many failed logins from one address, or for one user name,
are refused a while.

An attempt is counted for every key at once, before the password is checked (`attempt`), so a
burst of simultaneous logins cannot all pass the check before any failure is counted; a login that
succeeds gives its own attempt back (`refund`) without forgetting the address's other failures.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

#: Keys remembered at most; past it, keys without a recent failure are forgotten.
MAX_KEYS = 10_000


class Throttle:
    """Counts attempts per key within a window; refused once `limit` is reached."""

    def __init__(self, limit: int = 10, window: float = 600.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def attempt(self, *keys: str) -> str | None:
        """Count one attempt for each key, atomically; the first blocked key (nothing is counted
        then), or None when the attempt may go ahead."""
        with self._lock:
            now = time.monotonic()
            for key in keys:
                if len(self._recent(key, now)) >= self.limit:
                    return key
            for key in keys:
                self._failures[key].append(now)
            self._forget_stale(now)
            return None

    def refund(self, key: str) -> None:
        """Give back the latest attempt counted for that key (the attempt succeeded)."""
        with self._lock:
            times = self._failures.get(key)
            if times:
                times.pop()

    def _forget_stale(self, now: float) -> None:
        if len(self._failures) > MAX_KEYS:
            for stale in [k for k in self._failures if not self._recent(k, now)]:
                del self._failures[stale]

    def succeeded(self, key: str) -> None:
        """Forget the failures of that key."""
        with self._lock:
            self._failures.pop(key, None)
