"""The application as a whole over real HTTP: health, OpenAPI and docs, 404s, errors without
stack traces."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from letters.web.render import COMPILED, compiled_environment
from support.api import assert_error, client
from support.server import LiveServer
from support.web import browser, text_of
from support.webhome import WebHome, copy_web_home


def test_health_openapi_and_docs_need_no_login(reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    with client(server, home, None) as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        schema = http.get("/openapi.json").json()
        paths = schema["paths"]
        assert set(paths["/api/letters/{letter_id}"]) == {"get", "patch"}
        assert set(paths["/api/letters"]) == {"post"}
        for path in ("/api/search", "/api/letters/{letter_id}/pdf", "/api/partners",
                     "/api/partners/{slug}", "/api/partners/{slug}/export", "/api/audit",
                     "/healthz"):
            assert "get" in paths[path], path
        assert not any(p.startswith(("/letters", "/upload", "/login")) for p in paths)
        docs = http.get("/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        assert '<html lang="en">' in docs.text and "<main>" in docs.text
        assert 'href="/static/swagger-contrast.css"' in docs.text
        reference = http.get("/docs/reference")  # the same document as a plain page of the site
        assert reference.status_code == 200 and 'href="/docs/reference"' in docs.text
        shown = text_of(reference.text)
        assert all(path.split("{")[0] in shown for path in paths)
        assert "GET /api/search" in shown and "Needs the role archivist." in shown
        french = text_of(http.get("/docs/reference?lang=fr").text)
        assert "L’API JSON : référence" in french and "Demande le rôle archiviste." in french


@pytest.mark.parametrize("path", ["/api/letters/0000000000000000", "/api/letters/..%2F.letters%2Fsecret.key",
                                  "/api/letters/0000000000000000/pdf", "/api/partners/nobody",
                                  "/api/partners/nobody/export", "/api/no-such-thing"])
def test_unknown_is_404(reading: tuple[LiveServer, WebHome], path: str) -> None:
    server, home = reading
    with client(server, home, "admin") as http:
        assert_error(http.get(path), 404)


def test_friendly_404_and_json_under_api(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "reader") as http:
        page = http.get("/no/such/page")
        letter = http.get("/letters/0000000000000000")
        api = http.get("/api/no/such/thing")
    assert page.status_code == 404 and "Page not found" in page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "There is no letter with the id '0000000000000000'." in text_of(letter.text)
    assert api.status_code == 404 and api.json() == {"detail": "There is nothing at this address."}


def test_a_server_error_shows_no_stack_trace(fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    app = server.app.state.web.letters
    letter_id = home.ids["google-out.pdf"]
    record = app.archive.original_path(letter_id).parent / "record.json"
    record.write_text("{ this is not JSON", encoding="utf-8")
    with browser(server, "reader") as http:
        # uvicorn drops the connection after an error: each request on a connection of its own
        page = http.get(f"/letters/{letter_id}", headers={"Connection": "close"})
        api = http.get(f"/api/letters/{letter_id}", headers={"Connection": "close"})
    assert page.status_code == 500 and "Something went wrong on the server" in page.text
    assert "Traceback" not in page.text and "JSONDecodeError" not in page.text
    assert api.status_code == 500 and set(json.loads(api.text)) == {"detail"}
    assert "Traceback" not in api.text


def test_every_template_is_compiled_when_the_app_is_made(
        reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    templates = server.app.state.web.templates
    names = set(templates.list_templates(extensions=["html"]))
    assert {"partners.html", "letter.html", "search.html", "review.html"} <= names
    cached = {key[1]: template for key, template in templates.cache.items()}
    assert set(cached) == names  # compiled before any request
    with client(server, home, "reader") as http:
        for path in ("/partners", "/", f"/letters/{home.ids['google-out.pdf']}",
                     "/secretaries-general/jagland"):
            assert http.get(path, headers={"Accept": "text/html"}).status_code == 200, path
    after = {key[1]: template for key, template in templates.cache.items()}
    assert all(after[name] is cached[name] for name in names)  # served from what was compiled


def test_an_app_made_later_in_the_process_loads_the_compiled_templates(
        reading: tuple[LiveServer, WebHome]) -> None:
    server, _ = reading
    names = set(server.app.state.web.templates.list_templates(extensions=["html"]))
    kept = dict(COMPILED.code)
    assert len(kept) == len(names)  # one compiled code per template, kept by the first app
    again = compiled_environment()  # what the next app's start-up does
    assert {key[1] for key, _ in again.cache.items()} == names
    # nothing compiled again: a template compiled anew would have replaced its code
    assert all(COMPILED.code[key] is code for key, code in kept.items())


#: Run in a fresh process: every template compiled as at start-up; prints how many Jinja compiled.
COMPILE_COUNT = """
import jinja2
compiled = []
original = jinja2.Environment.compile
def counted(self, *args, **kwargs):
    compiled.append(args[1] if len(args) > 1 else kwargs.get("name"))
    return original(self, *args, **kwargs)
jinja2.Environment.compile = counted
from letters.web.render import compiled_environment
compiled_environment()
print(len(compiled))
"""


def test_a_second_process_loads_the_templates_the_first_compiled(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}

    def compiles() -> int:
        done = subprocess.run([sys.executable, "-c", COMPILE_COUNT], env=env, check=True,
                              capture_output=True, text=True)
        return int(done.stdout)

    templates = len(compiled_environment().list_templates(extensions=["html"]))
    assert compiles() == templates  # the first process compiles each template
    cached = sorted(p.name for p in tmp_path.glob("_jinja2-cache-*/__letters_*.cache"))
    assert len(cached) == templates
    assert compiles() == 0  # the next loads them from Jinja's directory
    for path in tmp_path.glob("_jinja2-cache-*/__letters_*.cache"):
        path.write_bytes(path.read_bytes()[:40])  # cut short: no longer code Jinja can load
    assert compiles() == templates  # compiled again, never an error
    assert compiles() == 0


#: Run in a fresh process: the app made on a home (argv 1), then each page (argv 3...) asked twice
#: in a row with a token (argv 2); prints, a line per page, the Python calls each of its two
#: requests made, in every thread.
FIRST_AND_LATER = """
import sys, threading, warnings
warnings.simplefilter("ignore")
from pathlib import Path
from starlette.testclient import TestClient
from letters.settings import Settings
from letters.web.app import create_app
app = create_app(Settings(home=Path(sys.argv[1])))
calls = [0]
def count(frame, event, arg):
    if event == "call":
        calls[0] += 1
threading.setprofile(count)
made = []
with TestClient(app, headers={"Authorization": "Bearer " + sys.argv[2]}) as http:
    assert http.get("/healthz").status_code == 200
    for path in sys.argv[3:]:
        made = []
        for _ in range(2):
            calls[0] = 0
            sys.setprofile(count)
            answer = http.get(path)
            assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
            sys.setprofile(None)
            made.append(calls[0])
        print(path, made[0], made[1])
"""


def test_a_first_request_of_each_page_kind_costs_what_a_later_one_does(
        web_template: WebHome, tmp_path: Path) -> None:
    """Whatever a page needs is made when the app is (templates compiled, the languages' dates,
    the routes' links): its first request after a start makes about as many Python calls as
    the next one (a few thousand more, what any first request of a process makes), where
    writing the first date read Babel's locale data (some 75,000 calls, a second on a loaded
    machine)."""
    home = copy_web_home(web_template, tmp_path / "home")
    letter = home.ids["google-out.pdf"]
    paths = ["/partners", "/partners/cloudflare", "/secretaries-general/jagland",
             f"/letters/{letter}", "/review", "/audit", "/?q=partnership"]
    # one process for every kind: each kind's first request is still the first of its kind
    done = subprocess.run([sys.executable, "-c", FIRST_AND_LATER, str(home.path),
                           home.tokens["admin"], *paths], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line.split() for line in done.stdout.splitlines()]
    assert [line[0] for line in lines] == paths
    for path, first, later in lines:
        assert int(first) - int(later) < 10_000, (path, first, later)


def test_a_served_app_keeps_what_its_start_made_out_of_full_collections(
        web_template: WebHome, tmp_path: Path) -> None:
    """`letters serve` (each of its workers too) freezes what the start made: otherwise the
    first full collection, set off by the first page request, walks every object the index,
    the catalog and the templates left (80-100 ms at 10,000 letters)."""
    home = copy_web_home(web_template, tmp_path / "home")
    script = ("import gc, warnings\n"
              "warnings.simplefilter('ignore')\n"
              "from letters.web.app import from_environment\n"
              "before = gc.get_freeze_count()\n"
              "from_environment()\n"
              "print(before, gc.get_freeze_count(), len(gc.get_objects(2)))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "LETTERS_HOME": str(home.path)})
    assert done.returncode == 0, done.stderr[-2000:]
    before, frozen, oldest = (int(x) for x in done.stdout.split())
    assert before == 0 and frozen > 100_000, (before, frozen)
    assert oldest < frozen // 10  # what is left for a full collection to walk
