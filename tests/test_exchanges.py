"""Exchanges of letters: automatic pairing, manual link and unlink, founding documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from letters.pairing import exchanges
from letters.preservation import audit
from letters.search import SearchRequest
from letters.service import InvalidCorrection, Letters, NotFound
from letters.web.render import problem_text
from support.letters import archived, make


def test_same_day_letters_of_one_partner_pair_automatically() -> None:
    out = make("google", "outgoing", "2017-11-08", "g-out")
    inc = make("google", "incoming", "2017-11-08", "g-in")
    other = make("apple", "incoming", "2017-11-08", "a-in")
    found = exchanges.pair([inc, other, out])
    google = [x for x in found if x.partner == "google"]
    assert len(google) == 1
    assert (google[0].outgoing, google[0].incoming) == (out.id, inc.id)
    assert google[0].complete and google[0].how == "automatic"
    assert google[0].date == "2017-11-08"
    apple = [x for x in found if x.partner == "apple"]
    assert len(apple) == 1 and not apple[0].complete and apple[0].outgoing is None


def test_reply_window_and_direction() -> None:
    out = make("bt", "outgoing", "2020-11-17", "bt-out")
    late = make("bt", "incoming", "2021-03-01", "bt-late")
    assert all(not x.complete for x in exchanges.pair([out, late]))
    within = make("bt", "incoming", "2020-12-20", "bt-within")
    assert [x.complete for x in exchanges.pair([out, within])] == [True]
    before = make("bt", "incoming", "2020-11-10", "bt-before")
    assert all(not x.complete for x in exchanges.pair([out, before]))
    two_out = make("bt", "outgoing", "2020-11-18", "bt-out2")
    assert all(not x.complete for x in exchanges.pair([out, two_out]))


def test_reply_citing_the_letters_date_wins_over_the_closer_letter() -> None:
    first = make("ibm", "outgoing", "2020-10-01", "ibm-1")
    second = make("ibm", "outgoing", "2020-11-16", "ibm-2")
    reply = make("ibm", "incoming", "2020-11-17", "ibm-r")
    without = exchanges.pair([first, second, reply])
    assert [x.outgoing for x in without if x.complete] == [second.id]
    texts = {reply.id: "Dear Secretary General,\nThank you for your letter of\n1 October 2020."}
    found = exchanges.pair([first, second, reply], texts)
    complete = [x for x in found if x.complete]
    assert [(x.outgoing, x.incoming) for x in complete] == [(first.id, reply.id)]
    assert [x.outgoing for x in found if not x.complete] == [second.id]


@pytest.mark.parametrize("text", [
    "your letter of 8 November 2017", "votre lettre du 8 novembre 2017",
    "your letter dated November 8, 2017", "your letter of 08/11/2017", "of the 8th of November 2017",
    "ref. 2017-11-08",
])
def test_cited_date_forms(text: str) -> None:
    assert "2017-11-08" in exchanges.cited_dates(text)
    assert "2017-11-09" not in exchanges.cited_dates(text)


def test_cited_date_first_of_the_month_in_french() -> None:
    assert "2018-02-01" in exchanges.cited_dates("votre lettre du 1er février 2018")
    assert "2018-02-01" not in exchanges.cited_dates("votre lettre du 11 février 2018")


def test_founding_documents_first_complete_else_earliest_incomplete() -> None:
    stray = make("orange", "outgoing", "2016-05-01", "o-stray")
    out = make("orange", "outgoing", "2017-11-08", "o-out")
    inc = make("orange", "incoming", "2017-11-08", "o-in")
    later_out = make("orange", "outgoing", "2019-01-01", "o-later")
    later_in = make("orange", "incoming", "2019-01-02", "o-later-in")
    found = exchanges.founding_of(exchanges.pair([later_in, later_out, inc, stray, out]))
    assert found is not None and found.complete
    assert (found.outgoing, found.incoming) == (out.id, inc.id)
    only = exchanges.founding_of(exchanges.pair([later_out, stray]))
    assert only is not None and not only.complete
    assert only.outgoing == stray.id and only.incoming is None
    assert only.missing() == "the partner's letter in reply is not in the archive"
    assert exchanges.founding_of(exchanges.pair([])) is None


def test_manual_link_overrides_automatic_pairing(app: Letters, tmp_path: Path) -> None:
    out = archived(app, tmp_path, "intel", "outgoing", "2020-02-06", "Letter of the SG")
    same_day = archived(app, tmp_path, "intel", "incoming", "2020-02-06", "Reply one")
    far = archived(app, tmp_path, "intel", "incoming", "2020-09-30", "Reply two")
    before = app.exchanges("intel")
    assert [(x.outgoing, x.incoming) for x in before if x.complete] == [(out.id, same_day.id)]

    made = app.link(far.id, out.id, by="archivist")
    assert (made.outgoing, made.incoming, made.how) == (out.id, far.id, "manual")
    assert app.get(out.id).exchange == far.id and app.get(far.id).exchange == out.id
    assert app.get(same_day.id).exchange == exchanges.UNLINKED
    after = app.exchanges("intel")
    assert [(x.outgoing, x.incoming, x.how) for x in after if x.complete] == [
        (out.id, far.id, "manual")]
    alone = [x for x in after if not x.complete]
    assert [(x.incoming, x.how) for x in alone] == [(same_day.id, "manual")]

    hits = app.search(SearchRequest(partner="intel")).hits
    assert {h.letter.id: h.letter.exchange for h in hits} == {
        out.id: far.id, far.id: out.id, same_day.id: ""}

    history = app.archive.history(out.id)
    assert history[-1]["action"] == "linked"
    assert history[-1]["changes"]["exchange"] == {"before": None, "after": far.id}
    assert history[-1]["by"] == "archivist"
    events = [e for e in audit.events(app.settings.archive_dir) if e["action"] == "link"]
    assert events and events[-1]["what"]["ids"] == [far.id, out.id]
    assert audit.verify(app.settings.archive_dir).ok


def test_unlink_keeps_letters_apart(app: Letters, tmp_path: Path) -> None:
    out = archived(app, tmp_path, "gsma", "outgoing", "2017-11-08", "Letter")
    inc = archived(app, tmp_path, "gsma", "incoming", "2017-11-08", "Reply")
    before = app.founding_documents("gsma")
    assert before is not None and before.complete
    changed = app.unlink(inc.id, by="archivist")
    assert sorted(changed) == sorted([out.id, inc.id])
    assert app.get(out.id).exchange == "" and app.get(inc.id).exchange == ""
    after = app.exchanges("gsma")
    assert len(after) == 2 and all(not x.complete and x.how == "manual" for x in after)
    founding = app.founding_documents("gsma")
    assert founding is not None and not founding.complete
    assert app.archive.history(inc.id)[-1]["action"] == "unlinked"
    # a new link between them is again a complete exchange
    app.link(out.id, inc.id, by="archivist")
    assert [x.complete for x in app.exchanges("gsma")] == [True]


def test_link_refuses_what_is_not_an_exchange(app: Letters, tmp_path: Path) -> None:
    a = archived(app, tmp_path, "ieee", "outgoing", "2020-02-06", "One")
    b = archived(app, tmp_path, "ieee", "outgoing", "2020-02-07", "Two")
    c = archived(app, tmp_path, "icco", "incoming", "2020-02-06", "Three")
    with pytest.raises(InvalidCorrection, match="Both letters are outgoing") as same:
        app.link(a.id, b.id, by="archivist")
    assert problem_text(same.value, "fr").startswith("Les deux lettres sont envoyées : ")
    with pytest.raises(InvalidCorrection, match="different partners"):
        app.link(a.id, c.id, by="archivist")
    with pytest.raises(InvalidCorrection, match="itself"):
        app.link(a.id, a.id, by="archivist")
    with pytest.raises(NotFound):
        app.link(a.id, "0123456789abcdef", by="archivist")
    assert app.get(a.id).exchange is None


def test_unknown_partner_is_not_found(app: Letters) -> None:
    with pytest.raises(NotFound, match="no partner"):
        app.exchanges("no-such-partner")
    assert app.exchanges("apple") == []
