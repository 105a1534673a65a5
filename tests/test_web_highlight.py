"""Snippet HTML is made in one place (`letters.web.highlight`): the search page, `/api/search` and
`letters search --json` give the same `<mark>` markup, and the JSON says what it said (fields
only added, none changed) before the renderers were joined
(`tests/golden/search-json-sample.json`, made by the old code on the sample archive)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from letters.cli import main
from letters.settings import Settings
from support.server import LiveServer

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "search-json-sample.json"
#: Searches whose snippets hold apostrophes, accents, phrases and several marks.
QUERIES = ("partnership", "l'Europe", '"rule of law"', "partenariat OR numérique",
           "cybercrime privacy", "partner:apple")


def sample_home(root: Path) -> Path:
    """A home holding a copy of the committed sample archive."""
    home = root / "home"
    shutil.copytree(ROOT / "archive", home / "archive")
    return home


def outputs(home: Path) -> dict[str, str]:
    """The exact text of /api/search and of `letters search --json` for each of QUERIES."""
    found: dict[str, str] = {}
    with LiveServer(Settings(home=home, open_reading=True)) as server:
        for q in QUERIES:
            answer = httpx.get(f"{server.url}/api/search", params={"q": q, "per_page": "10"},
                               timeout=60)
            assert answer.status_code == 200, answer.text
            found[f"api {q}"] = answer.text
    for n, q in enumerate(QUERIES):
        command = ["--home", str(home), "search", "--json", "--limit", "10", q]
        if n == 0:  # the real command in a process of its own, once; the others in this one
            done = subprocess.run([sys.executable, "-m", "letters", *command],
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            found[f"cli {q}"] = done.stdout
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert main(command) == 0
        found[f"cli {q}"] = printed.getvalue()
    return found


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The outputs of the current code on the sample archive."""
    yield outputs(sample_home(tmp_path_factory.mktemp("sample")))


def kept(now: object, then: object) -> bool:
    """Whether `now` says all that `then` said, value for value and in its order: a field may be
    added (INTERFACE.md changes only by adding), none changed, moved or taken away."""
    if isinstance(then, dict):
        return (isinstance(now, dict) and [k for k in now if k in then] == list(then)
                and all(kept(now[k], then[k]) for k in then))
    if isinstance(then, list):
        return (isinstance(now, list) and len(now) == len(then)
                and all(kept(x, y) for x, y in zip(now, then, strict=True)))
    return type(now) is type(then) and now == then


def test_the_search_json_says_what_it_said(sample: dict[str, str]) -> None:
    before = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sample.keys() == before.keys()
    changed = [key for key in before if not kept(json.loads(sample[key]), json.loads(before[key]))]
    assert changed == []
    # the snippets, with their marks and escaping, byte for byte
    assert sum(text.count("<mark>") for text in sample.values()) > 100
    assert kept({"added": 1, "a": 1}, {"a": 1}) and not kept({"a": 2}, {"a": 1})
    assert not kept({"b": 1, "a": 1}, {"a": 1, "b": 1}) and not kept({}, {"a": None})


def test_snippets_and_letter_text_are_marked_by_one_function() -> None:
    from letters.search import split
    from letters.web.highlight import marked, snippet_json
    from letters.web.render import environment

    parts = [("…", False), ("Council", True), (" of l'Europe & <b>\"x\"</b>", False)]
    html = "…<mark>Council</mark> of l'Europe &amp; &lt;b&gt;\"x\"&lt;/b&gt;"
    assert marked(parts) == html and snippet_json(parts) == html
    page = environment().from_string("<p>{{ parts|marked }}</p><p>{{ parts }}</p>")
    shown = page.render(parts=split("a <b> a", [(6, 7), (0, 1), (6, 7), (3, 3)]))
    assert shown.startswith("<p><mark>a</mark> &lt;b&gt; <mark>a</mark></p>")
    assert "<mark>" not in shown.split("</p>")[1]  # only the filter marks
