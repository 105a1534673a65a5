"""The CPU each test costs, for finding what makes the suite slow (`LETTERS_TEST_CPU=FILE`).

Each test's line gives the CPU seconds of the test process and of the child processes it waited
for (commands, workers), setup and teardown included, and its module; the workers of
pytest-xdist append to the same file. `python -m support.cputime FILE` sums it by module."""

from __future__ import annotations

import os
import resource
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest


def _spent() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """Write the CPU the test's setup, call and teardown took."""
    before = _spent()
    try:
        return (yield)
    finally:
        with open(os.environ["LETTERS_TEST_CPU"], "a", encoding="utf-8") as out:
            out.write(f"{_spent() - before:.3f}\t{item.nodeid}\n")


def by_module(path: Path) -> list[tuple[float, int, str]]:
    """(CPU seconds, tests, module) for each module, most costly first."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for line in path.read_text(encoding="utf-8").splitlines():
        cpu, _, nodeid = line.partition("\t")
        total = totals[nodeid.partition("::")[0]]
        total[0] += float(cpu)
        total[1] += 1
    return sorted(((cpu, int(n), module) for module, (cpu, n) in totals.items()), reverse=True)


if __name__ == "__main__":
    rows = by_module(Path(sys.argv[1]))
    for cpu, count, module in rows:
        print(f"{cpu:8.1f} s {count:5d} tests  {module}")
    print(f"{sum(row[0] for row in rows):8.1f} s in all")
