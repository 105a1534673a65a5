"""Fitness tests of the layers docs/architecture.md describes: HTML is made in `letters.web` alone,
and a process builds one application object (`Letters`)."""

from __future__ import annotations

import ast
import functools
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "letters"
#: Elements a page or a snippet could be made of (placeholders such as <slug> or (?P<year>) are not).
ELEMENTS = ("a|abbr|article|b|body|br|button|code|dd|div|dl|dt|em|footer|form|h[1-6]|head|header|"
            "html|i|img|input|label|li|main|mark|nav|ol|option|p|pre|script|section|select|small|"
            "span|strong|sub|sup|table|td|textarea|th|time|tr|u|ul")
TAG = re.compile(rf"</?(?:{ELEMENTS})(?:\s[^<>]*)?/?>", re.IGNORECASE)


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes of a module, its classes and functions (prose may name a tag)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


@functools.cache
def parsed(path: Path) -> ast.Module:
    """A file's syntax tree, parsed once for all the tests here (they only read it)."""
    return ast.parse(path.read_text(encoding="utf-8"))


def html_made_in(source: str | ast.Module) -> list[str]:
    """The HTML tags in the string literals (f-strings too) of a module, docstrings aside."""
    tree = ast.parse(source) if isinstance(source, str) else source
    skip = _docstrings(tree)
    return [match.group(0) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
            for match in TAG.finditer(node.value)]


def test_the_detector_finds_html_and_not_placeholders() -> None:
    made = 'def f(t):\n    """A <mark> in prose."""\n    return f"<mark>{t}</mark>" + "<p class=\'x\'>"\n'
    assert sorted(html_made_in(made)) == ["</mark>", "<mark>", "<p class='x'>"]
    assert html_made_in('PATTERN = r"(?P<year>\\d{4})"\nUSAGE = "letters export <slug> <sha>"\n') == []


def test_no_module_outside_the_web_makes_html() -> None:
    found = {str(path.relative_to(SOURCE)): tags for path in sorted(SOURCE.rglob("*.py"))
             if path.relative_to(SOURCE).parts[0] != "web"
             and (tags := html_made_in(parsed(path)))}
    assert found == {}


#: `letters ...` with each making of the application object counted, the count printed at the end.
COUNTED = """
import sys
from letters import service
from letters.cli import main

made = []
making = service.Letters.__init__

def counted(self, *args, **kwargs):
    made.append(1)
    making(self, *args, **kwargs)

service.Letters.__init__ = counted
status = main(sys.argv[1:])
print(f"Letters made: {len(made)}", flush=True)
sys.exit(status)
"""


@pytest.mark.slow  # starts `letters serve` in a process of its own
def test_letters_serve_makes_one_letters(tmp_path: Path) -> None:
    """The command line's `Letters` is the one the web application serves: two would mean two
    catalogs, two indexes and two sets of locks in one process."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-c", COUNTED, "--home", str(tmp_path), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for _ in range(600):
            if process.poll() is not None:
                break
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        assert process.poll() is None, "the server did not start"
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert "Letters made: 1\n" in out


def test_a_search_hit_is_shaped_for_json_in_one_place() -> None:
    """/api/search and `letters search --json` share `web/search_json.py`: a dict with a
    "snippet" key made anywhere else is a second shape of the same answer."""
    found = set()
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Dict) and any(
                    isinstance(key, ast.Constant) and key.value == "snippet" for key in node.keys):
                found.add(path.relative_to(SOURCE).as_posix())
    assert found == {"web/search_json.py"}


def test_the_command_line_search_does_not_load_the_web_framework() -> None:
    done = subprocess.run([sys.executable, "-c", "import sys, letters.cli.search; "
                           "print(sorted({'fastapi', 'starlette'} & set(sys.modules)))"],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr


def test_letters_is_made_by_the_entry_points_alone() -> None:
    """The command line's `main` and `create_app` (given settings alone, as tests do) are the only
    places that make a `Letters`: a use case takes the one it is given."""
    found = set()
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "Letters":
                found.add(path.relative_to(SOURCE).as_posix())
    assert found == {"cli/__init__.py", "web/app.py"}


#: The tests of the search package's interior itself (the engines' conformance, the index on disk,
#: the Tantivy engine's word cutting).
SEARCH_INTERIOR_TESTS = {"test_search_conformance.py", "test_index.py", "test_tantivy_engine.py"}


def _imports_of(path: Path) -> set[str]:
    """The `letters` modules a file imports (`from letters.x import y` gives letters.x.y too when
    y is a module)."""
    found = set()
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == "letters" and _is_module(name)}


def _is_module(name: str) -> bool:
    path = SOURCE.joinpath(*name.split(".")[1:])
    return path.is_dir() or path.with_suffix(".py").is_file()


def test_the_search_package_is_used_by_its_public_names() -> None:
    """Outside `letters/search/` the search concept is `letters.search` alone: its interior
    (query language, planning, snippets, index and engines) may change without touching a caller."""
    tests = Path(__file__).resolve().parent
    files = [path for path in SOURCE.rglob("*.py") if path.relative_to(SOURCE).parts[0] != "search"]
    files += [path for path in tests.rglob("*.py") if path.name not in SEARCH_INTERIOR_TESTS]
    found = {f"{path.name}: {name}" for path in files for name in _imports_of(path)
             if name.startswith("letters.search.")}
    assert found == set()


def test_the_search_concept_lives_in_one_package() -> None:
    """The query language, the request and its plan, snippets and the index are defined under
    `letters/search/`, and nowhere at the top of the package."""
    wanted = {"SearchRequest", "SearchResult", "Index", "parse", "plan", "make"}
    homes: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*.py"):
        for node in parsed(path).body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name in wanted:
                homes.setdefault(node.name, set()).add(path.relative_to(SOURCE).parts[0])
    assert homes and all(places == {"search"} for places in homes.values()), homes
    assert set(homes) == wanted


def test_the_web_has_one_router_style() -> None:
    """Every router is made by `web/routing` (a router of pages, one of the API under `/api`), and
    every feature module with routes is in `FEATURES`; the API is on its API router only."""
    from letters.web import app, routing

    web = SOURCE / "web"
    for path in sorted(web.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        if path.name == "routing.py":
            continue
        assert "APIRouter(" not in source, path.name
        assert not re.search(r'@router\.\w+\(\s*"/api', source), path.name  # API on a page router
        assert "tags=[\"api\"]" not in source, path.name  # api_routes() tags it
        if "= api_routes()" in source or "= page_routes()" in source:
            assert path.stem in {m.__name__.rsplit(".", 1)[1] for m in app.FEATURES} | {
                "login", "admin", "account", "apidocs"}, path.name
    api_paths = {route.path for feature in app.FEATURES for route in feature.api_router.routes}
    assert api_paths and all(p.startswith("/api/") for p in api_paths)
    assert routing.api_routes().prefix == "/api"
