"""A brake on guessing passwords: too many failed logins from one address, or for one user name,
are refused a while."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

#: Keys remembered at most; past it, keys without a recent failure are forgotten.
MAX_KEYS = 10_000


class Throttle:
    """Counts failures per key within a window; `blocked` once `limit` is reached."""

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

    def blocked(self, key: str) -> bool:
        """Whether that key has failed too often lately."""
        with self._lock:
            if key not in self._failures:
                return False
            return len(self._recent(key, time.monotonic())) >= self.limit

    def failed(self, key: str) -> None:
        """Count one failure."""
        with self._lock:
            now = time.monotonic()
            self._recent(key, now).append(now)
            if len(self._failures) > MAX_KEYS:
                for stale in [k for k in self._failures if not self._recent(k, now)]:
                    del self._failures[stale]

    def succeeded(self, key: str) -> None:
        """Forget the failures of that key."""
        with self._lock:
            self._failures.pop(key, None)
