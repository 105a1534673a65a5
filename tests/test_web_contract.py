"""The JSON API's answers stay byte for byte what they were when the answers were written by hand
(`tests/golden/api-json-sample.json`, made by that code on the sample archive): every GET route of
`/api`, a few writes and errors; only the moments and digests of events made during the test are
masked."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from letters.settings import Settings
from letters.users import Users
from support.server import LiveServer

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "api-json-sample.json"
#: Set to record the golden file anew (only ever from the code that wrote the answers by hand).
RECORD = os.environ.get("LETTERS_RECORD_GOLDEN") == "1"
#: Values that depend on when the test runs: moments of now, the audit chain's digests, the
#: setup token's id.
NOW = re.compile(r'"(at|prev|mac|added_at|token)":"[^"]*"')


def masked(text: str, kept: set[str]) -> str:
    """The answer with each moment or digest not in the sample archive (`kept`) masked."""
    return NOW.sub(lambda m: m.group(0) if m.group(0) in kept else f'"{m.group(1)}":"*"', text)


def exchanges(base: str) -> Iterator[tuple[str, str, dict[str, object] | None]]:
    """(method, address, JSON body) of every request, in order; reads before the writes."""
    yield "GET", "/healthz", None
    yield "GET", "/api/partners", None
    yield "GET", "/api/secretaries-general", None
    yield "GET", "/api/review", None
    yield "GET", "/api/review?per_page=3&page=2", None
    yield "GET", "/api/review?reason=date", None
    yield "GET", "/api/review?page=x", None
    for q in ("partnership", "partner:apple", "cybercrime privacy", "l'Europe"):
        yield "GET", f"/api/search?q={q}&per_page=5", None
    yield "GET", "/api/search?q=&sort=date&per_page=100", None
    yield "GET", "/api/search?q=&from=2018-01-01&to=2019-12-31&language=fr&sort=-date", None
    yield "GET", "/api/search?q=&status=needs_review&direction=incoming", None
    yield "GET", "/api/search?q=(", None
    yield "GET", "/api/search?per_page=1001", None
    yield "GET", "/api/fixity", None
    yield "GET", "/api/audit?limit=5", None
    yield "GET", "/api/audit?who=archivist&action=upload&from=2026-01-01&to=2026-12-31&limit=3", None
    yield "GET", "/api/audit?from=2026-12-31&to=2026-01-01", None
    yield "GET", "/api/letters/nothing-here", None
    yield "GET", "/api/partners/nothing-here", None
    yield "GET", "/api/secretaries-general/nothing-here", None


def record(home: Path, token: str) -> dict[str, str]:
    """The exact text of every answer (status first) of the API on this home (a copy of the
    sample archive), each under the number of its request, its method and address."""
    kept: set[str] = set()
    for line in (ROOT / "archive" / "audit.jsonl").read_text(encoding="utf-8").splitlines():
        kept |= {m.group(0) for m in NOW.finditer(json.dumps(json.loads(line),
                                                             separators=(",", ":")))}
    for path in (ROOT / "archive" / "letters").rglob("record.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        kept.add(f'"added_at":"{record["added_at"]}"')
    found: dict[str, str] = {}
    settings = Settings(home=home)
    headers = {"Authorization": f"Bearer {token}"}
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, headers=headers,
                                                     timeout=120) as http:

        def ask(method: str, where: str, body: object = None,
                file: tuple[str, bytes, str] | None = None) -> None:
            answer = http.request(method, where, json=body,
                                  files=[("file", file)] if file else None)
            said = json.dumps(body, sort_keys=True) if body else file[0] if file else ""
            key = f"{len(found):03} {method} {where} {said}".strip()
            found[key] = f"{answer.status_code} {masked(answer.text, kept)}"

        for method, where, body in exchanges(server.url):
            ask(method, where, body)
        partners = [p["slug"] for p in http.get("/api/partners").json()]
        for slug in partners:
            ask("GET", f"/api/partners/{slug}")
            ask("GET", f"/api/partners/{slug}/exchanges")
            ask("GET", f"/api/partners/{slug}/relink")
        ask("GET", f"/api/partners/{partners[0]}?page=2&per_page=1")
        for sg in [s["slug"] for s in http.get("/api/secretaries-general").json()]:
            ask("GET", f"/api/secretaries-general/{sg}")
            ask("GET", f"/api/secretaries-general/{sg}?per_page=2&page=3")
        ids = sorted(hit["id"] for hit in http.get(
            "/api/search", params={"q": "", "per_page": "100"}).json()["hits"])
        for letter in ids:
            ask("GET", f"/api/letters/{letter}")
        # writes, each answer after the one before
        first, second = ids[0], ids[1]
        ask("PATCH", f"/api/letters/{first}", {"title": "A title given by the test"})
        ask("PATCH", f"/api/letters/{first}", {"date": "2019-02-30"})
        ask("PATCH", f"/api/letters/{first}", {"colour": "blue"})
        ask("PATCH", f"/api/letters/{first}", {"confirmed": ["date"]})
        ask("POST", f"/api/letters/{second}/set-aside", {"reason": "copy"})
        ask("POST", f"/api/letters/{second}/set-aside", {"reason": "copy"})
        ask("POST", f"/api/letters/{second}/restore")
        ask("POST", f"/api/letters/{second}/set-aside", {"reason": ""})
        ask("DELETE", f"/api/letters/{first}/exchange")
        ask("PUT", f"/api/letters/{first}/exchange", {"other": second})
        ask("PUT", f"/api/letters/{first}/exchange", {"other": "nothing-here"})
        ask("POST", "/api/partners", {"name": "Example Foundation", "kind": "association"})
        ask("POST", "/api/partners", {"name": "", "kind": "association"})
        ask("POST", "/api/partners", {"name": "Example", "kind": "club"})
        ask("POST", f"/api/partners/{partners[0]}/names", {"name": "Another Name Example"})
        ask("POST", f"/api/partners/{partners[0]}/names", {"name": ""})
        ask("POST", f"/api/partners/{partners[0]}/relink", {"ids": []})
        ask("POST", f"/api/partners/{partners[0]}/relink", {"ids": ["nothing-here"]})
        ask("POST", f"/api/partners/{partners[0]}/pairing-proposal", {"decision": "accept"})
        ask("POST", "/api/fixity")
        ask("GET", "/api/fixity")
        ask("GET", "/api/audit?limit=12")
        again = next((home / "archive" / "letters").rglob("original.pdf")).read_bytes()
        ask("POST", "/api/letters", file=("again.pdf", again, "application/pdf"))
        ask("POST", "/api/letters", file=("note.txt", b"not a letter", "text/plain"))
    return found


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The answers of the current code on a copy of the sample archive, an admin asking."""
    home = tmp_path_factory.mktemp("sample") / "home"
    shutil.copytree(ROOT / "archive", home / "archive")
    users = Users(Settings(home=home))
    users.add("admin", "admin", "admin-password", by="setup")
    return record(home, users.new_token("admin", by="setup"))


def test_every_api_answer_is_byte_for_byte_what_it_was(answers: dict[str, str]) -> None:
    if RECORD:
        GOLDEN.write_text(json.dumps(answers, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                          encoding="utf-8")
    before = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert list(answers) == [key for key in answers if key in before]  # nothing new or lost
    assert sorted(answers) == sorted(before)
    changed = [key for key in before if answers[key] != before[key]]
    assert changed == [], "\n".join(f"{k}\n  was {before[k]:.400}\n  now {answers[k]:.400}"
                                    for k in changed[:5])
    # the writes did happen, and the errors are sentences
    assert sum(" GET /api/letters/" in key for key in before) > 40
    assert any(text.startswith("201 ") for text in before.values())
    assert any(text.startswith("422 {\"detail\":") for text in before.values())
