"""Corrections: validated, kept in history, re-indexed at once, and the review status recomputed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pdfkit
import pytest

from letters.search import SearchRequest
from letters.service import InvalidCorrection, Letters
from letters.settings import Settings

OUTSIDER = ["**Acme Widgets Ltd", "1 Industrial Way, Leeds", "", "Leeds, 3 March 2021", "",
            "The Secretary General", "Council of Europe", "F-67075 Strasbourg Cedex", "",
            "Dear Secretary General,", "", "We would like to join the partnership.", "",
            "Yours faithfully,", "", "Arthur Example", "Managing Director, Acme Widgets Ltd"]


@pytest.fixture(scope="module")
def outsider(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A home holding one archived letter from a non-partner (it needs review), and its id."""
    root = tmp_path_factory.mktemp("outsider")
    pdf = pdfkit.write_text_pdf(root / "acme.pdf", [OUTSIDER])
    [result] = Letters(Settings(home=root / "home")).ingest([pdf], by="tester")
    assert result.letter is not None and result.letter.status == "needs_review"
    assert result.letter.partner is None
    return root / "home", result.letter.id


@pytest.fixture
def flagged(outsider: tuple[Path, str], home: Path) -> str:
    """The id of that letter, in a copy of its home that is the test's own."""
    shutil.copytree(outsider[0], home, dirs_exist_ok=True)
    return outsider[1]


def test_a_correction_keeps_the_old_values_and_reindexes(app: Letters, flagged: str) -> None:
    before = app.get(flagged)
    letter = app.correct(flagged, {"partner": "ibm", "signed_by": "Arthur Example Jr"}, by="ada")
    assert letter.partner == "ibm" and letter.signed_by == "Arthur Example Jr"
    change = app.archive.history(flagged)[-1]
    assert change["by"] == "ada" and change["action"] == "corrected"
    assert change["changes"]["partner"] == {"before": before.partner, "after": "ibm"}
    found = app.search(SearchRequest(partner="ibm"))
    assert [hit.letter.id for hit in found.hits] == [flagged]
    assert app.archive.original_path(flagged).read_bytes()[:5] == b"%PDF-"


def test_a_letter_leaves_review_once_every_field_is_confirmed(app: Letters, flagged: str) -> None:
    app.correct(flagged, {"partner": "ibm"}, by="ada")
    assert app.get(flagged).status == "needs_review"  # signatory, date, direction not confirmed
    letter = app.correct(flagged, {"confirmed": ["signatory", "date", "direction"]}, by="ada")
    assert letter.status == "ok" and letter.reasons == []
    assert app.search(SearchRequest(status="needs_review")).total == 0


def test_a_confirmed_but_inconsistent_letter_stays_in_review(app: Letters, flagged: str) -> None:
    letter = app.correct(flagged, {"partner": "ibm", "signatory": "jagland",
                                   "confirmed": ["date", "direction"]}, by="ada")
    assert letter.status == "needs_review"
    assert [str(r) for r in letter.reasons] == ["Thorbjørn Jagland was not Secretary General on 2021-03-03."]


@pytest.mark.parametrize(("changes", "message"), [
    ({"partner": "nobody"}, "no partner with the slug"),
    ({"signatory": "someone"}, "no Secretary General"),
    ({"date": "2021-02-30"}, "The day 2021-02-30 does not exist: February 2021 has 28 days"),
    ({"date": "3 March 2021"}, "not a date"),
    ({"direction": "sideways"}, "direction must be"),
    ({"language": "de"}, "language must be"),
    ({"sha256": "0" * 64}, "cannot be corrected"),
    ({}, "Send a JSON object"),
])
def test_bad_corrections_are_refused_and_change_nothing(app: Letters, flagged: str,
                                                        changes: dict[str, str], message: str) -> None:
    history = app.archive.history(flagged)
    with pytest.raises(InvalidCorrection, match=message):
        app.correct(flagged, changes, by="ada")
    assert app.archive.history(flagged) == history
