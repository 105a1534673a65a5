"""The JSON API's answers stay byte for byte what they were when the answers were written by hand
(`tests/golden/api-json-sample.json`, made by that code on the sample archive): every GET route of
`/api`, a few writes and errors; only the moments and digests of events made during the test are
masked."""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import ValidationError

from letters import models, search
from letters.curation import review
from letters.fsutil import read_lines
from letters.messages import msg
from letters.pairing import exchanges
from letters.preservation import fixity
from letters.settings import Settings
from letters.users import Users
from letters.web import contract
from letters.web.app import create_app
from support.server import LiveServer
from support.webhome import WebHome

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


def requests(base: str) -> Iterator[tuple[str, str, dict[str, object] | None]]:
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

        for method, where, body in requests(server.url):
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


# -- the contract is derived from the domain, and every route answers through it -----------------
def api_routes() -> list[Any]:
    """Every JSON route of the API (the downloads answer files, not JSON)."""
    app = create_app(Settings(home=Path(tempfile.mkdtemp(prefix="letters-contract-"))))
    found = [route for route in iter_route_contexts(app.routes)
             if isinstance(route.original_route, APIRoute) and route.include_in_schema]
    assert len(found) > 20
    return [route for route in found if "FileResponse" not in repr(route.response_class)]


def untyped(annotation: object) -> bool:
    """Whether a return annotation is (or holds) a bare dict or Any."""
    if annotation is Any or annotation is dict or get_origin(annotation) is dict:
        return True
    return any(untyped(arg) for arg in get_args(annotation))


def test_no_route_answers_a_hand_made_dict() -> None:
    for route in api_routes():
        answer = get_type_hints(route.endpoint)["return"]
        assert not untyped(answer), (route.path, answer)
        assert route.response_model is not None, route.path
        assert route.response_model_exclude_unset, route.path  # absent stays absent


def test_the_answer_models_are_the_domains_fields() -> None:
    letter = [f.name for f in dataclasses.fields(models.Letter) if f.name != "recognised_title"]
    assert list(contract.LetterRecord.model_fields) == letter
    assert list(contract.SearchHit.model_fields) == [*letter, "snippet"]
    assert list(contract.Exchange.model_fields) == [
        *(f.name for f in dataclasses.fields(exchanges.Exchange)), "missing"]
    assert list(contract.Signature.model_fields) == [
        f.name for f in dataclasses.fields(models.Signature)]
    # no model of the contract written out again beside a dataclass of the domain
    source = Path(contract.__file__).read_text(encoding="utf-8")
    written = {node.name: {s.target.id for s in node.body if isinstance(s, ast.AnnAssign)
                           and isinstance(s.target, ast.Name)}
               for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ClassDef)}
    for module in (models, exchanges, fixity, search, review):
        for kind in vars(module).values():
            if dataclasses.is_dataclass(kind) and isinstance(kind, type):
                fields = {f.name for f in dataclasses.fields(kind)}
                for name, restated in written.items():
                    assert len(fields & restated) < 5, (name, kind)


def test_derived_follows_a_dataclass_with_its_changes() -> None:
    @dataclasses.dataclass
    class Thing:
        """A thing."""

        name: str
        size: int
        secret: str = ""
        colour: str | None = None

    model = contract.derived(Thing, "ThingAnswer", drop={"secret"}, types={"size": float},
                             after={"name": {"label": str}, "": {"extra": bool}},
                             optional={"colour"})
    assert list(model.model_fields) == ["name", "label", "size", "colour", "extra"]
    assert model.model_fields["size"].annotation is float and model.__doc__ == "A thing."
    assert not model.model_fields["colour"].is_required()
    assert model.model_fields["name"].is_required()
    with pytest.raises(ValidationError):
        model.model_validate({"name": "a", "label": "b", "size": 1, "extra": True, "secret": ""})


def test_a_fixity_report_with_problems_is_what_its_model_says(tmp_path: Path) -> None:
    report = fixity.FixityReport(checked=2, ok=1, at="2026-01-01T00:00:00Z", problems=[
        fixity.Problem("abc", "archive/letters/ab/abc/original.pdf",
                       msg("integrity.original_altered"))])
    body = {**report.to_json(), "by": "auditor"}
    read = contract.answer(contract.FixityReport, body)
    assert read.model_dump(mode="json", exclude_unset=True) == body
    assert body["problems"][0]["kind"] == "altered" and body["problems"][0]["advice"]


def test_the_document_states_what_can_be_stated() -> None:
    app = create_app(Settings(home=Path(tempfile.mkdtemp(prefix="letters-contract-"))))
    document = app.openapi()
    schemas = document["components"]["schemas"]
    for body in ("NewPartner", "NewName"):
        assert schemas[body]["properties"]["name"]["minLength"] == 1
        assert schemas[body]["properties"]["name"]["pattern"] == r"\S"
    assert schemas["RelinkRequest"]["properties"]["ids"]["minItems"] == 1
    writes = [(path, method, operation) for path, operations in document["paths"].items()
              for method, operation in operations.items() if method != "get"]
    assert len(writes) > 10
    for path, method, operation in writes:
        busy = operation["responses"].get("503")
        assert busy is not None, (method, path)
        assert busy["headers"]["Retry-After"]["schema"]["type"] == "integer", (method, path)
    for route in api_routes():
        assert route.responses, route.path


def test_unicode_line_separators_in_a_name_or_title_leave_every_log_readable(
        fresh: tuple[LiveServer, WebHome]) -> None:
    # what schemathesis sent while the machine was loaded: U+2028 and U+0085 are line ends to
    # str.splitlines, which cut the JSON line holding them in two (the registry, the audit log
    # and the histories could no longer be read: 500 on every later request)
    server, home = fresh
    name = "Line\u2028Separated\u0085Partner\u2029"
    title = "A title\u2028on two lines"
    letter = home.ids["google-out.pdf"]
    headers = {"Authorization": f"Bearer {home.tokens['admin']}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        added = http.post("/api/partners", json={"name": name, "kind": "association"})
        assert added.status_code == 201, added.text
        named = http.post("/api/partners/google/names", json={"name": f"Google{chr(0x2028)}X"})
        assert named.status_code == 201, named.text
        corrected = http.patch(f"/api/letters/{letter}", json={"title": title})
        assert corrected.status_code == 200, corrected.text
        partners = http.get("/api/partners")
        events = http.get("/api/audit", params={"limit": "5"})
        record = http.get(f"/api/letters/{letter}")
        page = http.get(f"/letters/{letter}")
    assert partners.status_code == 200 and name.strip() in [p["name"] for p in partners.json()]
    assert events.status_code == 200 and len(events.json()) == 5
    assert record.status_code == 200 and record.json()["title"] == title
    assert page.status_code == 200


def test_read_lines_cuts_at_newlines_only(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    for text, lines in [("", []), ("a\n", ["a"]), ("a\u2028b\x85c\n{}\n", ["a\u2028b\x85c", "{}"]),
                        ("a\n\nb", ["a", "", "b"])]:
        path.write_text(text, encoding="utf-8")
        assert read_lines(path) == lines
