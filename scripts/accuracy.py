"""Per-field recognition accuracy on the specimens (specimens/ and specimens/elsewhere/), typed and scanned.

Each letter is read as an upload is (extraction, Tesseract for scans, recognition); a miss is a
field that differs from truth.json, and it is "flagged" when the letter went to review. The
documents that are not letters count only by whether they went to review.

Run: .venv/bin/python scripts/accuracy.py   (about a minute: the scans are OCRed)
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from letters.analysis import Task, analyse

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ("partner", "signatory", "signed_by", "date", "direction", "language")
TODAY = "2025-01-15"


def measure(folder: Path, archive: Path) -> list[dict[str, Any]]:
    """Each file of a specimen folder with its truth, what was found and whether it was flagged."""
    rows = []
    for truth in json.loads((folder / "truth.json").read_text(encoding="utf-8")):
        found = analyse(Task(str(folder / truth["file"]), str(archive), TODAY))
        rows.append({"truth": truth, "letter": truth.get("kind", "letter") == "letter",
                     "flagged": bool(found.reasons), "reasons": [str(r) for r in found.reasons],
                     "wrong": {f: getattr(found, f) for f in FIELDS if getattr(found, f) != truth[f]}})
    return rows


def report(name: str, rows: list[dict[str, Any]]) -> list[str]:
    """Lines of a per-field table for the typed and the scanned letters, then every miss."""
    lines = [f"{name}: {'field':<10} " + " ".join(f"{f:>10}" for f in FIELDS)]
    for scanned in (False, True):
        group = [r for r in rows if r["letter"] and r["truth"]["scanned"] is scanned]
        if not group:
            continue
        cells = [f"{100 * sum(f not in r['wrong'] for r in group) / len(group):9.1f}%" for f in FIELDS]
        label = f"{'scanned' if scanned else 'typed'} ({len(group)})"
        lines.append(f"{'':{len(name)}}  {label:<10} " + " ".join(cells))
    for row in rows:
        if row["letter"] and row["wrong"]:
            flag = "flagged" if row["flagged"] else "NOT FLAGGED"
            lines.append(f"  miss {row['truth']['file']}: {row['wrong']} ({flag})")
    others = [r for r in rows if not r["letter"]]
    if others:
        sent = sum(r["flagged"] for r in others)
        lines.append(f"  documents that are not letters sent to review: {sent} of {len(others)}")
    flagged_ok = sum(r["letter"] and r["flagged"] and not r["wrong"] for r in rows)
    lines.append(f"  letters right but flagged for review: {flagged_ok}")
    return lines


def main() -> int:
    """Print the tables; exit 1 when a miss was filed without being flagged."""
    silent = 0
    with tempfile.TemporaryDirectory() as archive:
        for name, folder in (("specimens", ROOT / "specimens"),
                             ("elsewhere", ROOT / "specimens" / "elsewhere")):
            rows = measure(folder, Path(archive))
            print("\n".join(report(name, rows)))
            silent += sum(r["letter"] and bool(r["wrong"]) and not r["flagged"] for r in rows)
            silent += sum(not r["letter"] and not r["flagged"] for r in rows)
    return 1 if silent else 0


if __name__ == "__main__":
    sys.exit(main())
