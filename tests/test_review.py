"""The review queue and relinking after the registry grows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pdfkit

from letters import registry
from letters.messages import joined
from letters.service import Letters
from letters.settings import Settings


def from_organisation(name: str, day: int) -> list[str]:
    """A letter to the Secretary General from `name`."""
    return [f"**{name}", "1 Harbour Street, Oslo", "", f"Oslo, {day} March 2021", "",
            "The Secretary General", "Council of Europe", "F-67075 Strasbourg Cedex", "",
            "Dear Secretary General,", "", "We are glad to take part in the partnership.", "",
            "Yours sincerely,", "", "Kari Example", f"Director, {name}"]


def test_queue_oldest_first_and_relinking_after_a_new_partner(settings: Settings, tmp_path: Path) -> None:
    now = [datetime(2021, 3, 10, 9, 30, tzinfo=UTC)]
    app = Letters(settings, clock=lambda: now[0])
    first = pdfkit.write_text_pdf(tmp_path / "a.pdf", [from_organisation("Nordic Cables AS", 3)])
    second = pdfkit.write_text_pdf(tmp_path / "b.pdf", [from_organisation("Fjord Robotics AS", 4)])
    [a] = app.ingest([first], by="tester")
    assert a.letter
    assert a.letter.added_at == "2021-03-10T09:30:00Z"
    now[0] += timedelta(seconds=1)
    [b] = app.ingest([second], by="tester")
    assert b.letter and b.letter.added_at == "2021-03-10T09:30:01Z"
    queued = app.review_queue()
    assert [letter.id for letter in queued] == [a.letter.id, b.letter.id]
    assert all(letter.partner is None for letter in queued)

    assert app.relink_candidates("apple") == []
    registry.add_partner(app.settings.archive_dir, "nordic-cables", "Nordic Cables", "company", by="ada")
    registry.add_alias(app.settings.archive_dir, "nordic-cables", "Nordic Cables AS", by="ada")
    candidates = app.relink_candidates("nordic-cables")
    assert [c.letter.id for c in candidates] == [a.letter.id]
    assert "Nordic Cables AS" in joined(candidates[0].evidence)

    [relinked] = app.relink("nordic-cables", [a.letter.id], by="ada")
    assert relinked.partner == "nordic-cables"
    assert app.archive.history(a.letter.id)[-1]["changes"]["partner"]["after"] == "nordic-cables"
    assert app.relink_candidates("nordic-cables") == []
    # a name with nothing search can look for (control characters) names no letter, no error
    registry.add_alias(app.settings.archive_dir, "nordic-cables", "\x11\x19", by="ada")
    assert app.relink_candidates("nordic-cables") == []


def test_what_is_derived_from_a_relinked_letter_follows_it(app: Letters, tmp_path: Path) -> None:
    sg = ["**COUNCIL OF EUROPE", "The Secretary General", "", "Strasbourg, 2 March 2021", "",
          "Ms Kari Example", "Director", "Zeta Networks GmbH", "1 Harbour Street, Oslo", "",
          "Dear Ms Example,", "", "I am pleased to welcome Zeta Networks GmbH.", "",
          "Yours sincerely,", "", "Marija Pejčinović Burić", "Secretary General"]
    files = [pdfkit.write_text_pdf(tmp_path / "out.pdf", [sg]),
             pdfkit.write_text_pdf(tmp_path / "in.pdf", [from_organisation("Zeta Networks GmbH",
                                                                           3)])]
    letters = [r.letter for r in app.ingest(files, by="tester") if r.letter]
    assert [x.partner for x in letters] == [None, None]
    reply = letters[1]
    assert "The sender is not a registered partner" in joined(reply.reasons)
    app.add_partner("zeta-networks", "Zeta Networks", "company", None, by="ada")
    app.add_name("zeta-networks", "Zeta Networks GmbH", None, None, by="ada")
    ids = sorted(c.letter.id for c in app.relink_candidates("zeta-networks"))
    assert ids == sorted(x.id for x in letters)
    relinked = {x.id: x for x in app.relink("zeta-networks", ids, by="ada")}
    again = relinked[reply.id]
    said = joined(again.reasons)
    assert "not a registered partner" not in said and "No registered partner" not in said
    assert again.title == "Letter from Zeta Networks to Marija Pejčinović Burić"
    assert relinked[letters[0].id].title == "Letter from Marija Pejčinović Burić to Zeta Networks"
    assert "No registered partner" not in joined(relinked[letters[0].id].reasons)
    # a title an archivist typed is theirs: a later correction leaves it
    app.correct(reply.id, {"title": "Zeta's reply"}, by="ada")
    assert app.correct(reply.id, {"direction": "incoming"}, by="ada").title == "Zeta's reply"
