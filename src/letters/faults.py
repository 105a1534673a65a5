"""Fault points: the steps of a write at which a test makes a real process die by SIGKILL.

`point(step)` does nothing unless the environment variable `LETTERS_FAULT` names that step (only
the crash tests set it): `LETTERS_FAULT=archive.record` kills the process right after the first
record written, `archive.record@2` after the second. It proves what the next start repairs.
A step named with a `!` (`archive.history!`) raises the error of a full disk there instead.
"""

from __future__ import annotations

import errno
import os
import signal
from collections import Counter

VARIABLE = "LETTERS_FAULT"
_reached: Counter[str] = Counter()


def point(step: str) -> None:
    """Die at once, as `kill -9` would, when `LETTERS_FAULT` names this step (and its count);
    raise a full disk's OSError when it names it with a `!`."""
    wanted = os.environ.get(VARIABLE)
    if not wanted:
        return
    name, _, count = wanted.partition("@")
    if name.rstrip("!") != step:
        return
    _reached[step] += 1
    if _reached[step] != (int(count) if count.isdigit() else 1):
        return
    if name.endswith("!"):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    os.kill(os.getpid(), signal.SIGKILL)
