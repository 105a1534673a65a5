"""What the archive keeps of each partner's founding exchange: `archive/pairing.jsonl`.

The founding exchange of a partner is held: once it is set it changes only by a person's
decision. The catalog's pairing step (`catalog.store.Catalog._pair`) is the one place that sets
it, compares it with what pairing would give now, and proposes the difference. The held
exchanges and the proposals a person dismissed live here, in the archive (the catalog under
`index/` is derived and rebuilt), one JSON line each, the last line of a partner winning:

    {"op": "hold", "partner": slug, "outgoing": id|null, "incoming": id|null, "by": who, "at": when}
    {"op": "dismiss", "partner": slug, "held": "out,in", "proposed": "out,in", "by": who, "at": when}

`by` is "system" when pairing set the exchange by itself (a partner's first founding exchange
of letters that need no review, or the reply completing an incomplete one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from letters.archive import now_iso
from letters.fsutil import append_line

FILE = "pairing.jsonl"
#: Who holds a founding exchange pairing set by itself.
SYSTEM = "system"


@dataclass(frozen=True)
class Held:
    """A partner's founding exchange as held: its letters' ids and who decided it."""

    outgoing: str | None
    incoming: str | None
    by: str

    def ids(self) -> list[str]:
        """The ids of its letters, the Secretary General's first."""
        return [i for i in (self.outgoing, self.incoming) if i]

    def key(self) -> str:
        """The exchange as one string ("out,in"), what dismissals name."""
        return key_of(self.outgoing, self.incoming)


def key_of(outgoing: str | None, incoming: str | None) -> str:
    """An exchange's letters as one string ("out,in", either may be empty)."""
    return f"{outgoing or ''},{incoming or ''}"


@dataclass
class Ledger:
    """Every partner's held founding exchange and the proposals dismissed, as the file says."""

    held: dict[str, Held] = field(default_factory=dict)
    dismissed: set[tuple[str, str, str]] = field(default_factory=set)


def read(archive_root: Path) -> Ledger:
    """The decisions kept in the archive (none when the file is missing; unreadable lines are
    skipped: `letters verify` reports the file)."""
    ledger = Ledger()
    try:
        lines = (archive_root / FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return ledger
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            _apply(ledger, entry)
    return ledger


def _apply(ledger: Ledger, entry: dict[str, Any]) -> None:
    partner = entry.get("partner")
    if not isinstance(partner, str):
        return
    if entry.get("op") == "hold":
        ledger.held[partner] = Held(entry.get("outgoing"), entry.get("incoming"),
                                    str(entry.get("by") or SYSTEM))
    elif entry.get("op") == "dismiss":
        ledger.dismissed.add((partner, str(entry.get("held")), str(entry.get("proposed"))))


def hold(archive_root: Path, partner: str, outgoing: str | None, incoming: str | None,
         by: str) -> None:
    """Keep a partner's founding exchange (OSError when the archive cannot be written)."""
    append_line(archive_root / FILE, json.dumps(
        {"op": "hold", "partner": partner, "outgoing": outgoing, "incoming": incoming,
         "by": by, "at": now_iso()}, ensure_ascii=False))


def dismiss(archive_root: Path, partner: str, held: str, proposed: str, by: str) -> None:
    """Keep a person's dismissal of a proposed founding exchange."""
    append_line(archive_root / FILE, json.dumps(
        {"op": "dismiss", "partner": partner, "held": held, "proposed": proposed, "by": by,
         "at": now_iso()}, ensure_ascii=False))
