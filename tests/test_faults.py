"""Crash consistency, proved by killing real processes: a `letters` command or server dies by
SIGKILL at a named step of a write (`letters.faults`, LETTERS_FAULT), and the next start of any
`letters` process repairs the catalog and the search index from the archive; `letters verify`
reports what it cannot repair."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import httpx
import pdfkit
import pytest

from letters.faults import VARIABLE
from letters.search import SearchRequest
from letters.service import Letters
from letters.settings import Settings
from support.disk import read_only
from support.processes import forked, free_port, healthy, invoke, ran
from support.webhome import WebHome, copy_web_home

KILLED = -signal.SIGKILL


def cli(home: Path, *args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
    """`letters ARGS --home HOME` in a process of its own (dying at `fault`, when given), forked
    from a warm interpreter (`support.processes.ran`)."""
    return ran(home, *args, env={VARIABLE: fault} if fault else None)


@contextmanager
def served(home: Path, fault: str) -> Iterator[tuple[BaseProcess, str]]:
    """`letters serve` in a process of its own on a free port, dying at `fault` (forked from a
    warm interpreter: what is killed is a process serving, whatever started it)."""
    log = home.parent / "serve.log"
    process = forked(home, "serve", "--port", str(port := free_port()), env={VARIABLE: fault},
                     out=log)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if healthy(url):
                break
            assert process.is_alive(), log.read_text()
            time.sleep(0.1)
        yield process, url
    finally:
        if process.is_alive():
            process.kill()
        process.join(60)


def killed_by(process: BaseProcess, url: str, method: str, path: str, token: str,
              body: dict[str, Any] | None = None) -> None:
    """Send one request that kills the server at its fault point: no answer comes back."""
    with pytest.raises(httpx.TransportError):
        answer = httpx.request(method, url + path, json=body, timeout=120,
                               headers={"Authorization": f"Bearer {token}"})
        pytest.fail(f"the server answered {answer.status_code}: it was not killed")
    process.join(60)
    assert process.exitcode == KILLED


Command = Callable[..., subprocess.CompletedProcess[str]]


def search(home: Path, query: str, command: Command = cli) -> list[str]:
    """What `letters search` finds, in a process of its own (the first start after a kill) or
    in this one (`invoke`: a later command, whose own process would prove nothing more)."""
    done = command(home, "search", "--json", query)
    assert done.returncode == 0, done.stderr
    return [hit["id"] for hit in json.loads(done.stdout)["hits"]]


def problems(home: Path, command: Command = cli) -> list[tuple[str | None, str]]:
    """What `letters verify` reports, in a process of its own or in this one (`invoke`)."""
    done = command(home, "verify", "--json")
    assert "Traceback" not in done.stderr, done.stderr
    return [(p["id"], p["code"]) for p in json.loads(done.stdout)["problems"]]


@pytest.mark.parametrize("step", ["archive.history", "archive.record", "archive.catalogued",
                                  "index.commit"])
def test_a_correction_killed_at_any_step_is_whole_after_the_next_start(
        web_template: WebHome, tmp_path: Path, step: str) -> None:
    home = copy_web_home(web_template, tmp_path / "home")
    letter = home.ids["google-out.pdf"]
    Letters(Settings(home=home.path)).correct(letter, {"title": "Zebra4"}, by="tester")
    with served(home.path, step) as (process, url):
        killed_by(process, url, "PATCH", f"/api/letters/{letter}", home.tokens["archivist"],
                  {"title": "Zebra5"})
    # the next start (any command) completes the record, the catalog and the index
    assert search(home.path, "title:zebra5") == [letter]
    assert search(home.path, "title:zebra4", invoke) == []
    shown = invoke(home.path, "show", "--json", letter)
    assert json.loads(shown.stdout)["title"] == "Zebra5"
    assert problems(home.path, invoke) == []
    history = Letters(Settings(home=home.path)).archive.history(letter)
    assert [e["changes"]["title"]["after"] for e in history[1:]] == ["Zebra4", "Zebra5"]


def small(folder: Path, tag: str) -> Path:
    return pdfkit.write_text_pdf(folder / f"{tag}.pdf", [[
        "**COUNCIL OF EUROPE", "Strasbourg, 3 March 2021", "", f"A short letter about {tag}."]])


@pytest.mark.parametrize("step", ["archive.added@2", "archive.catalogued@2", "index.commit"])
def test_an_ingest_killed_at_any_step_leaves_every_archived_letter_searchable(
        tmp_path: Path, step: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    tags = ["aardvark", "bonobo", "caracal"]
    for tag in tags:
        small(folder, tag)
    home = tmp_path / "home"
    done = cli(home, "ingest", "--json", str(folder), fault=step)
    assert done.returncode == KILLED, done.stderr
    archived = {letter.id for letter in Letters(Settings(home=home)).archive.records()}
    assert len(archived) == (3 if step == "index.commit" else 2)
    found = problems(home)  # the next start: it indexes what the killed run could not
    # the last letter archived was not audited yet: that is reported, and only that
    assert {code for _, code in found} <= {"integrity.not_uploaded"}, found
    assert len(found) <= 1
    searched = set()
    for tag in tags:
        searched.update(search(home, tag, invoke))
    assert searched == archived


def test_a_killed_correction_leaves_no_mark_once_repaired_and_a_stale_one_is_reported(
        web_template: WebHome, tmp_path: Path) -> None:
    """What the next start cannot repair (the index cannot be written) `verify` reports."""
    home = copy_web_home(web_template, tmp_path / "home")
    letter = home.ids["google-out.pdf"]
    with served(home.path, "index.commit") as (process, url):
        killed_by(process, url, "PATCH", f"/api/letters/{letter}", home.tokens["archivist"],
                  {"title": "Zebra5"})
    app = Letters(Settings(home=home.path))
    assert set(app.catalog.unindexed()) == {app.get(letter).sha256}
    app.catalog.close()
    with read_only(home.path / "index" / "search"):  # the start cannot write the index
        done = cli(home.path, "verify", "--json")
    assert "Traceback" not in done.stderr, done.stderr
    found = [(p["id"], p["code"]) for p in json.loads(done.stdout)["problems"]]
    assert found == [(letter, "integrity.index_behind")]
    assert search(home.path, "title:zebra5", invoke) == [letter]  # the lock gone, the next start
    assert problems(home.path, invoke) == []  # mends it


@pytest.mark.parametrize(("action", "step", "after"), [
    ("link", "archive.history@1", ("", None)),  # the first record completed, then unlinked
    ("link", "archive.catalogued@1", ("", None)),  # one-sided: undone
    ("link", "archive.catalogued@2", ("reply", "out")),  # both written: the pair stands
    ("link", "index.commit", ("reply", "out")),
    ("unlink", "archive.catalogued@1", ("", "")),  # one-sided: completed
    ("unlink", "index.commit", ("", "")),
])
def test_a_link_or_unlink_killed_at_any_step_leaves_whole_pairs_after_the_next_start(
        web_template: WebHome, tmp_path: Path, action: str, step: str,
        after: tuple[str | None, str | None]) -> None:
    home = copy_web_home(web_template, tmp_path / "home")
    ids = {"out": home.ids["cloudflare-out.pdf"], "reply": home.ids["cloudflare-in.pdf"]}
    if action == "unlink":
        Letters(Settings(home=home.path)).link(ids["out"], ids["reply"], by="tester")
    token = home.tokens["archivist"]
    with served(home.path, step) as (process, url):
        if action == "link":
            killed_by(process, url, "PUT", f"/api/letters/{ids['out']}/exchange", token,
                      {"other": ids["reply"]})
        else:
            killed_by(process, url, "DELETE", f"/api/letters/{ids['out']}/exchange", token)
    assert problems(home.path) == []  # the next start made the pair whole and indexed it
    app = Letters(Settings(home=home.path))
    out, reply = app.get(ids["out"]), app.get(ids["reply"])
    assert (out.exchange, reply.exchange) == tuple(ids.get(x, x) if x else x for x in after)
    assert app.catalog.get(out.id) == out and app.catalog.get(reply.id) == reply
    assert not app.catalog.unindexed() and not app.catalog.linking_journal()
    for letter in (out, reply):
        hits = app.search(SearchRequest(q=f"id:{letter.id}")).hits
        assert [hit.letter for hit in hits] == [letter]


def test_a_correction_whose_record_cannot_be_written_leaves_no_event_behind(
        web_template: WebHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The history is written before the record: when the record cannot be written (a full
    disk) the change is refused whole and its event taken back, else the record would no longer
    be the replay of its history (a false alarm of tampering) until the next start."""
    home = copy_web_home(web_template, tmp_path / "home")
    app = Letters(Settings(home=home.path))
    letter = app.get(home.ids["google-out.pdf"])
    history = app.archive.letter_dir(letter.sha256) / "history.jsonl"
    before = history.read_bytes()
    monkeypatch.setenv(VARIABLE, "archive.history!")
    with pytest.raises(OSError, match="No space left"):
        app.correct(letter.id, {"title": "Zebra5"}, by="tester")
    monkeypatch.delenv(VARIABLE)
    assert history.read_bytes() == before
    assert app.get(letter.id) == letter
    assert [p.message.code for p in app.verify().problems] == []
    again = Letters(Settings(home=home.path))  # the next start has nothing to complete
    assert again.get(letter.id) == letter and again.catalog.get(letter.id) == letter
