"""Figures, their goals, the table on stdout and the JSON report."""

from __future__ import annotations

import json
import math
import os
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Figure:
    """One measured figure, with its goal (`<= 1.3`, `>= 1.8`, `== 0`) and whether it is met."""

    id: str
    label: str
    value: float | None
    unit: str = ""
    goal: str | None = None
    met: bool | None = None
    note: str = ""


def check(value: float | None, goal: str | None) -> bool | None:
    """Whether `value` meets `goal`; None when there is no goal or no value."""
    if goal is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    operator, bound = goal.split()
    limit = float(bound)
    return {"<=": value <= limit, ">=": value >= limit, "==": value == limit}[operator]


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the samples; NaN when there are none."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def machine() -> dict[str, Any]:
    """The machine the figures were measured on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) // 1024
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "ram_mb": memory,
            "python": platform.python_version(), "system": platform.platform()}


@dataclass
class Report:
    """Everything one benchmark run measured."""

    sizes: dict[str, Any]
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=machine)

    def add(self, id: str, label: str, value: float | None, unit: str = "",
            goal: str | None = None, note: str = "") -> Figure:
        """Record a figure; `met` is worked out from the goal."""
        if isinstance(value, float) and not math.isnan(value):
            value = round(value, 4)
        figure = Figure(id, label, value, unit, goal, check(value, goal), note)
        self.figures.append(figure)
        return figure

    def to_json(self) -> dict[str, Any]:
        """The report as JSON."""
        return {"machine": self.machine, "sizes": self.sizes,
                "figures": [asdict(f) for f in self.figures], "details": self.details}

    def write(self, path: Path) -> None:
        """Write the JSON report (NaN written as null)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(_no_nan(self.to_json()), indent=1, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")

    def table(self) -> str:
        """The figures as a plain-text table: figure, value, goal, met?"""
        rows = [("figure", "value", "goal", "met?")]
        for f in self.figures:
            rows.append((f.label, _value(f), f.goal or "", {True: "yes", False: "NO", None: ""}[f.met]))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
                 for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)


def _value(figure: Figure) -> str:
    if figure.value is None or (isinstance(figure.value, float) and math.isnan(figure.value)):
        return "n/a"
    value = figure.value
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if value % 1 else f"{value:.0f}"
    return f"{text} {figure.unit}".strip()


def _no_nan(data: Any) -> Any:
    if isinstance(data, float) and math.isnan(data):
        return None
    if isinstance(data, dict):
        return {k: _no_nan(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_no_nan(v) for v in data]
    return data


def markdown(data: dict[str, Any]) -> str:
    """A JSON report's figures as a Markdown table (for docs/performance.md)."""
    lines = ["| figure | value | goal | met? |", "| --- | --- | --- | --- |"]
    for raw in data["figures"]:
        figure = Figure(**raw)
        met = {True: "yes", False: "**no**", None: ""}[figure.met]
        lines.append(f"| {figure.label} | {_value(figure)} | {figure.goal or ''} | {met} |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(markdown(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
