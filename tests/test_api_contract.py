"""The JSON API keeps the contract its OpenAPI document states, checked against the live server:
schemathesis with all its checks, every answer read back through the models of `web.contract`."""

from __future__ import annotations

import importlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pdfkit
import pytest
import schemathesis
from hypothesis import strategies as st
from pydantic import TypeAdapter
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from letters.settings import Settings
from letters.web import contract, jsonbody
from support.server import LiveServer
from support.webhome import WebHome, copy_web_home

#: What positive_data_acceptance accepts by default (schemathesis' own list).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
#: Requests valid by the schema that the API still refuses for what no schema can say: a query
#: that does not parse, an unknown slug or letter id, a start date after the end date, a slug
#: already taken, a pairing that would change a founding exchange.
REFUSED_BY_MEANING = {
    ("GET", "/api/search"): ["400"],
    ("GET", "/api/audit"): ["400"],
    ("PATCH", "/api/letters/{letter_id}"): ["422"],
    ("PUT", "/api/letters/{letter_id}/exchange"): ["422"],
    ("POST", "/api/partners"): ["422"],
    ("POST", "/api/partners/{slug}/names"): ["422"],
    ("POST", "/api/partners/{slug}/relink"): ["422"],
}


def schemathesis_config(token: str) -> SchemathesisConfig:
    """Every check, a bounded and reproducible number of cases, the admin's token: 3 random
    cases of each operation in the fuzzing phase (the coverage phase, which sends every boundary
    and every unexpected method the document allows, does not depend on it)."""
    operations = [
        {"include-method": method, "include-path": path,
         "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED + extra}}}
        for (method, path), extra in REFUSED_BY_MEANING.items()]
    return SchemathesisConfig.from_dict({
        "seed": 15,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": 3, "deterministic": True},
        "checks": {"enabled": True},
        "operations": operations,
    })


def failed_checks(event: events.EngineEvent) -> list[str]:
    """Each check that did not pass in a finished scenario, with the request and the answer."""
    if not isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
        return []
    found = []
    for case_id, checks in event.recorder.checks.items():
        exchange = event.recorder.interactions.get(case_id)
        for check in checks:
            if check.status == "success":
                continue
            title = check.failure_info.failure.title if check.failure_info else ""
            request = (f"{exchange.request.method} {exchange.request.uri} {exchange.request.body!r:.200}"
                       if exchange else "")
            answer = (f"{exchange.response.status_code} {exchange.response.content!r:.300}"
                      if exchange and exchange.response else "")
            found.append(f"{event.recorder.label}: {check.name} ({title}): {request} -> {answer}")
    return found


@pytest.mark.slow  # about 45 s: the coverage phase alone sends some 500 requests
def test_schemathesis_finds_nothing(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    # uploads are real letters: the PDFs the web home was made of (found archived) and a new one
    letters = [path.read_bytes() for path in home.sources.values()]
    letters.append(pdfkit.text_pdf([["**COUNCIL OF EUROPE", "The Secretary General", "",
                                     "Strasbourg, 2 March 2021", "", "Mr Example", "IBM", "",
                                     "A letter that the contract test uploads.", "",
                                     "Marija Pejčinović Burić", "Secretary General"]]))
    schemathesis.openapi.media_type("application/pdf", st.sampled_from(letters))
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json",
                                           config=schemathesis_config(home.tokens["admin"]))
    problems: list[str] = []
    cases = 0
    for event in from_schema(schema).execute():
        problems += failed_checks(event)
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            cases += len(event.recorder.cases)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            problems.append(f"error: {event!r:.500}")
        elif isinstance(event, events.EngineFinished):
            problems += [f"failure: {failure!r:.500}" for failure in event.failures]
    assert cases > 100, cases
    assert not problems, "\n".join(problems)


# -- the models describe the answers exactly -----------------------------------------------------
def check(model: Any, response: httpx.Response, status: int = 200) -> Any:
    """The answer has the status, and the model reads it back to the very same JSON."""
    assert response.status_code == status, response.text
    body = response.json()
    adapter = TypeAdapter(model)
    assert adapter.dump_python(adapter.validate_python(body), mode="json",
                               exclude_unset=True) == body
    return body


def test_every_answer_is_what_its_model_says(fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    letter = home.ids["cloudflare-out.pdf"]
    headers = {"Authorization": f"Bearer {home.tokens['admin']}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        check(contract.SearchPage, http.get("/api/search", params={"q": "partnership"}))
        check(contract.LetterWithText, http.get(f"/api/letters/{letter}"))
        check(list[contract.PartnerEntry], http.get("/api/partners"))
        detail = check(contract.PartnerDetail, http.get("/api/partners/cloudflare"))
        assert detail["founding_exchange"]["complete"] is True
        check(list[contract.SecretaryGeneralEntry], http.get("/api/secretaries-general"))
        check(contract.ReviewQueue, http.get("/api/review"))
        check(list[contract.ExchangeRow], http.get("/api/partners/cloudflare/exchanges"))
        check(list[contract.Candidate], http.get("/api/partners/google/relink"))
        check(contract.LetterRecord, http.patch(f"/api/letters/{letter}",
                                                json={"title": "The welcome letter"}))
        check(contract.Unlinked, http.delete(f"/api/letters/{letter}/exchange"))
        check(contract.ExchangeRow, http.put(f"/api/letters/{letter}/exchange",
                                             json={"other": home.ids["cloudflare-in.pdf"]}))
        check(contract.PartnerChanged, http.post("/api/partners", json={
            "name": "Example Foundation", "kind": "association"}), 201)
        check(contract.PartnerChanged, http.post("/api/partners/google/names", json={
            "name": "Alphabet Example"}), 201)
        check(contract.FixityReport, http.post("/api/fixity"))
        check(contract.FixityReport, http.get("/api/fixity"))
        check(list[contract.AuditEvent], http.get("/api/audit"))
        check(list[contract.IngestLine], http.post("/api/letters", files=[
            ("file", ("again.pdf", home.sources["ripe-fr.pdf"].read_bytes(), "application/pdf"))]),
            201)
        refused = check(contract.UploadRefused, http.post("/api/letters", files=[
            ("file", ("note.txt", b"not a letter", "text/plain"))]), 415)
        assert refused["results"][0]["result"] == "rejected"
        check(contract.Problem, http.get("/api/letters/nothing-here"), 404)
        check(contract.Problem, http.get("/api/search", params={"q": "("}), 400)
        check(contract.Health, http.get("/healthz"))


def test_a_wrong_method_is_told_every_method_of_the_address(
        site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    letter = home.ids["google-out.pdf"]
    headers = {"Authorization": f"Bearer {home.tokens['admin']}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        # HEAD is answered wherever GET is, so it is allowed there too
        assert http.post(f"/api/letters/{letter}").headers["allow"] == "GET, HEAD, PATCH"
        assert http.post(f"/api/letters/{letter}/exchange").headers["allow"] == "DELETE, PUT"
        answer = http.delete("/api/partners")
        assert answer.status_code == 405 and answer.headers["allow"] == "GET, HEAD, POST"
        assert answer.json() == {"detail": "This address does not accept that method."}


def test_the_document_declares_security_bodies_and_errors(
        site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    document = httpx.get(f"{server.url}/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer",
                                 "description": schemes["bearer"]["description"]}
    assert schemes["session"]["in"] == "cookie"
    upload = document["paths"]["/api/letters"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["file"]["items"] == {"type": "string", "format": "binary"}
    assert set(upload["responses"]) == {"201", "400", "401", "403", "408", "413", "415", "422",
                                        "503"}
    patch = document["paths"]["/api/letters/{letter_id}"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Correction"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "422" not in operation["responses"] or method != "get", (method, path)
            if path.startswith("/api/"):
                assert operation["security"] == [{"bearer": []}, {"session": []}], path
                assert operation["responses"]["401"]["content"]["application/json"][
                    "schema"] == {"$ref": "#/components/schemas/Problem"}, path
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert set(document["paths"]["/api/search"]["get"]["responses"]) == {"200", "400", "401", "503"}
    assert upload["x-role"] == "archivist" and upload["description"].endswith(
        "Needs the archivist role.")
    assert document["paths"]["/api/audit"]["get"]["x-role"] == "auditor"
    assert document["paths"]["/api/search"]["get"]["x-role"] == "reader"


def test_with_reading_open_reading_needs_no_credentials(web_template: WebHome,
                                                        tmp_path: Path) -> None:
    home = copy_web_home(web_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path, open_reading=True, max_query_chars=80)) as server:
        paths = httpx.get(f"{server.url}/openapi.json", timeout=60).json()["paths"]
        q = next(p for p in paths["/api/search"]["get"]["parameters"] if p["name"] == "q")
        assert q["schema"]["maxLength"] == 80
        assert paths["/api/search"]["get"]["security"] == [{"bearer": []}, {"session": []}, {}]
        assert paths["/api/letters/{letter_id}"]["patch"]["security"] == [
            {"bearer": []}, {"session": []}]
        assert httpx.get(f"{server.url}/api/search", timeout=60).status_code == 200


# -- a client generated from the document --------------------------------------------------------
def generate_client(server: LiveServer, where: Path) -> None:
    """Generate a Python client package `letters_client` from the server's document, with
    openapi-python-client (it formats its output with the ruff beside this Python)."""
    document = where / "openapi.json"
    document.write_bytes(httpx.get(f"{server.url}/openapi.json").content)
    tools = Path(sys.executable).parent
    done = subprocess.run(
        [str(tools / "openapi-python-client"), "generate", "--path", str(document),
         "--output-path", str(where / "letters_client"), "--meta", "none"],
        capture_output=True, text=True, cwd=where, timeout=300,
        env={**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"})
    assert done.returncode == 0, done.stdout + done.stderr
    # the only parts it leaves out are the two downloads' bodies (PDF, zip): read them raw
    assert re.findall(r"Unsupported content_type ([\w/]+)", done.stdout + done.stderr) == [
        "application/pdf", "application/zip"]
    assert (where / "letters_client" / "api" / "api" / "upload_letters.py").is_file()


def test_a_generated_client_searches_uploads_and_corrects(
        fresh: tuple[LiveServer, WebHome], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server, home = fresh
    generate_client(server, tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    generated = importlib.import_module("letters_client")
    search, upload, correct, letter = (importlib.import_module(f"letters_client.api.api.{name}")
                                       for name in ("search", "upload_letters", "correct", "letter"))
    models = importlib.import_module("letters_client.models")
    types = importlib.import_module("letters_client.types")
    with generated.AuthenticatedClient(base_url=server.url,
                                       token=home.tokens["archivist"]) as client:

        page = search.sync(client=client, q="partnership", sort="date")
        assert isinstance(page, models.SearchPage)
        assert page.total == 3 and [hit.filename for hit in page.hits] == [
            "google-out.pdf", "cloudflare-out.pdf", "cloudflare-in.pdf"]
        assert "<mark>" in page.hits[0].snippet

        pdf = pdfkit.text_pdf([["**COUNCIL OF EUROPE", "The Secretary General", "",
                                "Strasbourg, 9 June 2021", "", "Mr Example", "IBM", "",
                                "A letter that the generated client uploads.", "",
                                "Marija Pejčinović Burić", "Secretary General"]])
        body = models.UploadLettersBody(file=[types.File(payload=io.BytesIO(pdf),
                                                         file_name="generated.pdf",
                                                         mime_type="application/pdf")])
        results = upload.sync(client=client, body=body)
        assert isinstance(results, list) and len(results) == 1
        added = results[0]
        assert isinstance(added, models.Added) and added.result == "added", added
        assert added.path == "generated.pdf"

        record = correct.sync(letter_id=added.id, client=client,
                                  body=models.Correction(title="A letter to IBM", date="2021-06-10"))
        assert isinstance(record, models.LetterRecord)
        assert (record.id, record.title, record.date) == (added.id, "A letter to IBM", "2021-06-10")
        refused = correct.sync(letter_id=added.id, client=client,
                                   body=models.Correction(partner="no-such-partner"))
        assert isinstance(refused, models.Problem) and "no-such-partner" in refused.detail

        found = search.sync(client=client, q='"generated client"')
        assert isinstance(found, models.SearchPage)
        assert [(hit.id, hit.title) for hit in found.hits] == [(added.id, "A letter to IBM")]
        again = letter.sync(letter_id=added.id, client=client)
        assert isinstance(again, models.LetterWithText) and "generated client" in again.text


def test_a_file_part_without_a_file_name_is_still_a_file(fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    pdf = home.sources["google-out.pdf"].read_bytes()
    headers = {"Authorization": f"Bearer {home.tokens['archivist']}"}

    def body(content: bytes) -> bytes:
        return (b'--b\r\nContent-Disposition: form-data; name="file"\r\n'
                b"Content-Type: application/pdf\r\n\r\n" + content + b"\r\n--b--\r\n")

    with httpx.Client(base_url=server.url, timeout=60, headers={
            **headers, "Content-Type": "multipart/form-data; boundary=b"}) as http:
        found = http.post("/api/letters", content=body(pdf))
        empty = http.post("/api/letters", content=body(b""))
    assert found.status_code == 201, found.text
    assert [(x["path"], x["result"], x["id"]) for x in found.json()] == [
        ("upload.pdf", "duplicate", home.ids["google-out.pdf"])]
    assert empty.status_code == 400
    assert empty.json() == {"detail": "Send at least one PDF in the multipart field 'file'."}


@pytest.mark.parametrize(("method", "path"), [
    ("PATCH", "/api/letters/{id}"), ("PUT", "/api/letters/{id}/exchange"),
    ("POST", "/api/partners"), ("POST", "/api/partners/google/names"),
    ("POST", "/api/partners/google/relink")])
def test_every_json_body_is_read_alike(site: tuple[LiveServer, WebHome], method: str,
                                       path: str) -> None:
    server, home = site
    url = path.format(id=home.ids["google-out.pdf"])
    headers = {"Authorization": f"Bearer {home.tokens['archivist']}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        large = http.request(method, url, content=b"{" + b" " * jsonbody.MAX_JSON_BYTES + b"}")
        listed = http.request(method, url, content=b"[]")
    assert large.status_code == 413 and "this one is too large" in large.json()["detail"]
    assert listed.status_code == 400
    assert listed.json()["detail"].startswith("The body must be a JSON object with ")
