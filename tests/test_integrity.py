"""Integrity under concurrent writers: every change to a letter is kept, in its record, its history
and the index, whichever thread or process makes it."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from functools import partial

import httpx

from letters.search import SearchRequest
from letters.service import Letters
from letters.settings import Settings
from support.concurrency import at_once
from support.server import LiveServer
from support.webhome import WebHome

#: Four corrections, each of a different field, sent at the same time.
FIELDS = {"title": "Letter of welcome", "signed_by": "Thorbjørn Jagland", "language": "fr",
          "date": "2018-05-24"}


def replay(history: list[dict[str, object]]) -> dict[str, object]:
    """The record as its history tells it: the record added, then every change in order."""
    record: dict[str, object] = dict(history[0]["record"])  # type: ignore[call-overload]
    for event in history[1:]:
        changes = event["changes"]
        assert isinstance(changes, dict)
        record.update({key: change["after"] for key, change in changes.items()})
    return record


def test_concurrent_corrections_of_different_fields_are_all_kept(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    letter = home.ids["cloudflare-out.pdf"]
    headers = {"Authorization": f"Bearer {home.tokens['archivist']}"}
    settings = Settings(home=home.path)
    for round_ in range(5):
        values = {k: (f"{v} {round_}" if k in ("title", "signed_by") else v)
                  for k, v in FIELDS.items()}
        answers = at_once([partial(httpx.patch, f"{server.url}/api/letters/{letter}",
                                   json={field: value}, headers=headers, timeout=60)
                           for field, value in values.items()])
        assert [answer.status_code for answer in answers] == [200] * len(values)
        app = Letters(settings)
        record = app.get(letter).to_record()
        assert {k: record[k] for k in values} == values, f"round {round_}"
        history = app.archive.history(letter)
        assert replay(history) == record
        found = SearchRequest(q=f'"{values["title"]}"', language="fr", date_from=values["date"],
                              date_to=values["date"])
        assert [hit.letter.id for hit in app.search(found).hits] == [letter]


def test_the_record_added_is_in_the_history(fresh: tuple[LiveServer, WebHome]) -> None:
    _, home = fresh
    archived = Letters(Settings(home=home.path))
    letter = home.ids["google-out.pdf"]
    added = archived.archive.history(letter)[0]
    assert added["action"] == "added"
    assert added["record"] == archived.get(letter).to_record()
    text = (archived.archive.original_path(letter).parent / "text.json").read_bytes()
    assert added["text_sha256"] == hashlib.sha256(text).hexdigest()
    assert json.loads(text)["pages"]


CORRECTOR = """
import sys
from pathlib import Path
from letters.service import Letters
from letters.settings import Settings
app = Letters(Settings(home=Path(sys.argv[1])))
app.index.count()
print("ready", flush=True)
sys.stdin.readline()
for n in range(int(sys.argv[3])):
    app.correct(sys.argv[2], {"title": f"Title {n}"}, by="script")
"""


def test_corrections_from_another_process_and_the_server_are_all_kept(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    letter = home.ids["ripe-fr.pdf"]
    rounds = 30
    script = subprocess.Popen([sys.executable, "-c", CORRECTOR, str(home.path), letter,
                               str(rounds)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    assert script.stdin is not None and script.stdout is not None
    assert script.stdout.readline() == "ready\n"
    headers = {"Authorization": f"Bearer {home.tokens['archivist']}"}

    def patch(n: int) -> int:
        return httpx.patch(f"{server.url}/api/letters/{letter}", headers=headers, timeout=60,
                           json={"signed_by": f"Signer {n}"}).status_code

    script.stdin.write("go\n")
    script.stdin.flush()
    assert [patch(n) for n in range(rounds)] == [200] * rounds
    _, errors = script.communicate(timeout=300)
    assert script.returncode == 0, errors
    app = Letters(Settings(home=home.path))
    record = app.get(letter).to_record()
    assert (record["title"], record["signed_by"]) == (f"Title {rounds - 1}", f"Signer {rounds - 1}")
    history = app.archive.history(letter)
    assert len(history) == 1 + 2 * rounds
    assert replay(history) == record
    # a correction made from a stale read would drop the other writer's confirmation
    confirmations = [e["changes"]["confirmed"] for e in history[1:]]
    assert all(set(c["before"]) <= set(c["after"]) for c in confirmations)
