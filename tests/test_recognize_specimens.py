"""Every text specimen of specimens/ is recognised as its truth.json says."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from letters import registry
from letters.extract import extract
from letters.models import status_of
from letters.recognize import recognize

SPECIMENS = Path(__file__).resolve().parents[1] / "specimens"
FIELDS = ("partner", "signatory", "signed_by", "date", "direction", "language")
TODAY = date(2025, 1, 15)


def _text_specimens() -> list[dict[str, Any]]:
    truth: list[dict[str, Any]] = json.loads((SPECIMENS / "truth.json").read_text(encoding="utf-8"))
    return [entry for entry in truth if not entry["scanned"]]


TEXT_SPECIMENS = _text_specimens()


def test_there_are_text_specimens_in_both_directions_and_languages() -> None:
    assert len(TEXT_SPECIMENS) >= 40
    assert {t["direction"] for t in TEXT_SPECIMENS} == {"outgoing", "incoming"}
    assert {t["language"] for t in TEXT_SPECIMENS} == {"en", "fr"}


@pytest.mark.parametrize("truth", TEXT_SPECIMENS, ids=[t["file"] for t in TEXT_SPECIMENS])
def test_specimen_is_recognised(truth: dict[str, Any], tmp_path: Path) -> None:
    extraction = extract(SPECIMENS / truth["file"])
    assert not extraction.scanned
    assert extraction.page_count == truth["pages"]
    found = recognize("\n\n".join(extraction.pages), registry.load(tmp_path), TODAY)
    got = {name: getattr(found, name) for name in FIELDS}
    assert got == {name: truth[name] for name in FIELDS}, truth.get("note")
    assert status_of(found.reasons) == truth.get("status", "ok"), found.reasons
