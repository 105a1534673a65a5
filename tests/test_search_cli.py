"""`letters search` and `letters reindex` on a real home."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pdfkit
import pytest

from letters.archive import Archive, letter_id
from letters.cli import main
from letters.models import Letter


def archive_letter(archive: Archive, folder: Path, lines: list[str], **fields: object) -> Letter:
    """Archive a one-page text PDF with this record through the real Archive.add."""
    pdf = pdfkit.text_pdf([lines])
    sha = hashlib.sha256(pdf).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha[:12]}.pdf"
    path.write_bytes(pdf)
    record: dict[str, object] = dict(
        id=letter_id(sha), sha256=sha, filename=path.name, pages=1, partner=None, signatory=None,
        signed_by=None, date=None, direction=None, language="en", ocr=False,
        digital_signatures=[], status="ok", added_at="2024-01-01T00:00:00Z", added_by="tester")
    record.update(fields)
    letter = Letter(**record)
    assert archive.add(path, letter, ["\n".join(lines)])
    return letter


@pytest.fixture
def letters(home: Path, tmp_path: Path) -> dict[str, Letter]:
    """Four letters in the home's archive (not yet indexed)."""
    archive = Archive(home / "archive")
    pdfs = tmp_path / "pdfs"
    return {
        "meta": archive_letter(
            archive, pdfs, ["I am pleased to confirm the agreement with Facebook <b>today</b>."],
            partner="meta", signatory="jagland", date="2017-11-08", direction="outgoing"),
        "reply": archive_letter(
            archive, pdfs, ["Facebook welcomes this exchange of letters."],
            partner="meta", signatory="jagland", date="2017-11-20", direction="incoming"),
        "bt": archive_letter(
            archive, pdfs, ["Nous confirmons les accords avec BT."], partner="bt",
            signatory="pejcinovic-buric", date="2020-11-17", direction="outgoing",
            language="fr"),
        "kaspersky": archive_letter(
            archive, pdfs, ["Kaspersky joins the partnership."], partner="kaspersky",
            signatory="jagland", date="2017-11-08", direction="incoming"),
    }


def run(home: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `letters ARGV --home HOME`; the exit status, stdout and stderr."""
    status = main([*argv[:1], "--home", str(home), *argv[1:]])
    out, err = capsys.readouterr()
    return status, out, err


def test_search_json(home: Path, letters: dict[str, Letter],
                     capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(home, capsys, "search", "--json", "Facebook")
    assert status == 0
    data = json.loads(out)
    assert data["total"] == 2
    assert {hit["id"] for hit in data["hits"]} == {letters["meta"].id, letters["reply"].id}
    hit = next(hit for hit in data["hits"] if hit["id"] == letters["meta"].id)
    assert {k: v for k, v in hit.items() if k != "snippet"} == letters["meta"].to_json()
    assert "<mark>Facebook</mark>" in hit["snippet"]
    assert "&lt;b&gt;today&lt;/b&gt;" in hit["snippet"]


def test_search_words_without_quotes_and_filters(home: Path, letters: dict[str, Letter],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    def ids(*argv: str) -> set[str]:
        status, out, _ = run(home, capsys, "search", "--json", *argv)
        assert status == 0
        return {hit["id"] for hit in json.loads(out)["hits"]}

    assert ids("exchange", "of", "letters") == {letters["reply"].id}
    assert ids("--partner", "meta", "--direction", "incoming") == {letters["reply"].id}
    assert ids("--language", "fr") == {letters["bt"].id}
    assert ids("--signatory", "jagland", "--from", "2017-11-09") == {letters["reply"].id}
    assert ids("--from", "2020-01-01", "--to", "2020-12-31", "accord") == {letters["bt"].id}
    assert ids("partner:meta", "date:[2017-11-01", "TO", "2017-11-10]") == {letters["meta"].id}


def test_search_limit(home: Path, letters: dict[str, Letter],
                      capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(home, capsys, "search", "--json", "--limit", "1")
    data = json.loads(out)
    assert (status, data["total"], len(data["hits"])) == (0, 4, 1)


def test_search_pages(home: Path, letters: dict[str, Letter],
                      capsys: pytest.CaptureFixture[str]) -> None:
    pages = []
    for page in ("1", "2", "3"):
        status, out, _ = run(home, capsys, "search", "--json", "--limit", "2", "--page", page)
        assert status == 0
        pages.append([hit["id"] for hit in json.loads(out)["hits"]])
    assert [len(p) for p in pages] == [2, 2, 0]
    assert len(set(pages[0] + pages[1])) == 4
    status, _, err = run(home, capsys, "search", "--page", "0")
    assert status == 2 and "--page must be at least 1" in err


def test_search_table(home: Path, letters: dict[str, Letter],
                      capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(home, capsys, "search", "agreements")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "1 letter found."
    assert lines[1].split() == ["2017-11-08", "meta", "jagland", "outgoing", letters["meta"].id]
    assert "[agreement]" in lines[2] and "<b>today</b>" in lines[2]
    assert "<mark>" not in out


def test_search_table_shows_nulls_and_suggestions(home: Path, letters: dict[str, Letter],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(home, capsys, "search", "Kapersky")
    assert status == 0
    assert out.splitlines() == ["0 letters found.", "Did you mean: Kaspersky"]


@pytest.mark.parametrize(("argv", "message"), [
    (["foo:bar"], 'letters: unknown field "foo": use partner, signatory'),
    (['"unclosed'], "letters: unbalanced quote"),
    (["date:[2020 TO"], "letters: unbalanced bracket"),
    (["--from", "2020-02-30"], 'letters: the from date "2020-02-30" is not a date'),
    (["--to", "yesterday"], 'letters: the to date "yesterday" is not a date'),
    (["--direction", "sideways"], 'letters: direction must be "incoming" or "outgoing"'),
    (["--partner", "nobody"], 'letters: there is no partner "nobody"'),
    (["--limit", "0"], "letters: --limit must be at least 1"),
])
def test_a_bad_query_or_date_exits_2_with_one_line(home: Path, letters: dict[str, Letter],
                                                   capsys: pytest.CaptureFixture[str],
                                                   argv: list[str], message: str) -> None:
    status, out, err = run(home, capsys, "search", *argv)
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(message)


def test_reindex_rebuilds_from_the_archive(home: Path, letters: dict[str, Letter],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(home, capsys, "reindex")
    assert status == 0
    assert out == "Indexed 4 letters.\n"
    assert err.splitlines()[-2:] == ["indexing 4/4", "writing the index..."]
    assert (home / "index" / "search" / "SCHEMA_VERSION").exists()
    before = run(home, capsys, "search", "--json", "Facebook")[1]
    shutil.rmtree(home / "index" / "search")
    assert run(home, capsys, "reindex")[1] == "Indexed 4 letters.\n"
    assert run(home, capsys, "search", "--json", "Facebook")[1] == before
    assert json.loads(before)["total"] == 2


def test_reindex_of_an_empty_archive(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(home, capsys, "reindex")
    assert (status, out, err) == (0, "Indexed 0 letters.\n", "")
    assert run(home, capsys, "search")[1] == "0 letters found.\n"
