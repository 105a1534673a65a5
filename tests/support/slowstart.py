"""A module that takes `LETTERS_TEST_SLOW_START` seconds to import: a worker process that needs it
starts as slowly as one on a loaded machine."""

from __future__ import annotations

import os
import time

time.sleep(float(os.environ.get("LETTERS_TEST_SLOW_START", "0")))


def started_slowly(task: str) -> str:
    """A task's result: its name and the worker's process id."""
    return f"{task}:{os.getpid()}"
