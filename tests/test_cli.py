"""The command line's start-up: a command imports what it uses, not what every command might.

Each case runs `letters.cli.main` in a fresh interpreter and reads its `sys.modules` afterwards:
`letters --help` and plain commands must not pay for Pillow, BagIt, Argon2, SMTP, the search
engines, the web framework or the PDF reader (issue 23: the tests run the command hundreds of
times, and every run paid some 0.5 s of CPU for them).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support import pdfs

from letters import search
from letters.cli import search as cli_search

#: Modules no command below needs (each is imported where it is used: OCR, export, passwords,
#: alerts, the index, the web view, the worker reading PDFs).
HEAVY = ("PIL", "bagit", "argon2", "smtplib", "whoosh", "tantivy", "lingua", "spellchecker",
         "jinja2", "fastapi", "starlette", "markupsafe", "pypdf")

_PROBE = """
import json, sys
from letters.cli import main
try:
    status = main(json.loads(sys.argv[1]))
except SystemExit as leaving:
    status = leaving.code
sys.stdout.flush()
print("\\n" + json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def loaded(*args: str) -> tuple[int, set[str], str]:
    """Run `letters ARGS` in a fresh interpreter: its exit status, the modules it imported (and
    the top-level package of each), and what it printed before."""
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(list(args))],
                          capture_output=True, text=True, timeout=300)
    printed, _, last = done.stdout.rstrip("\n").rpartition("\n")
    answer = json.loads(last)
    modules = set(answer["modules"])
    return answer["status"], modules | {name.split(".")[0] for name in modules}, printed


def test_help_imports_no_heavy_module() -> None:
    status, modules, printed = loaded("--help")
    assert status == 0 and "ingest" in printed
    assert modules & set(HEAVY) == set()


def test_help_does_not_import_the_application_object() -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE.replace(
        'sorted(sys.modules)', '[m for m in sys.modules if m.startswith("letters.")]'),
        json.dumps(["--help"])], capture_output=True, text=True, timeout=300)
    modules = json.loads(done.stdout.rstrip("\n").rpartition("\n")[2])["modules"]
    assert "letters.cli.ingest" in modules  # every command registered its arguments
    assert {"letters.service", "letters.search", "letters.export", "letters.ingest.pipeline",
            "letters.pdf.extract"} & set(modules) == set()


@pytest.mark.parametrize("command", ["ingest", "search", "users", "review", "audit", "export",
                                     "serve", "watch", "partners", "set-aside"])
def test_a_command_s_help_imports_no_heavy_module(command: str) -> None:
    status, modules, printed = loaded(command, "--help")
    assert status == 0 and "usage: letters" in printed
    assert modules & set(HEAVY) == set(), command


def test_a_plain_command_runs_without_the_heavy_modules(tmp_path: Path) -> None:
    status, modules, printed = loaded("--home", str(tmp_path), "partners", "--json")
    assert status == 0
    assert "meta" in {partner["slug"] for partner in json.loads(printed)}
    assert modules & set(HEAVY) == set()
    assert modules & {"letters.search", "letters.ingest.pipeline", "letters.export",
                      "letters.alerts", "letters.web"} == set()


def test_ingesting_a_typed_letter_leaves_the_reader_and_ocr_to_the_worker(tmp_path: Path) -> None:
    """The ingesting process archives and indexes; the worker reads the PDF: Pillow (OCR) and
    pypdf are the worker's, never loaded by the command for a typed letter."""
    letter = pdfs.make(tmp_path / "in", "letter.pdf", pdfs.letter_lines("Meta", 3))
    status, modules, printed = loaded("--home", str(tmp_path / "home"), "ingest", "--json",
                                      "--as", "tester", str(letter))
    assert status == 0 and json.loads(printed.splitlines()[0])["result"] == "added"
    assert modules & {"PIL", "pypdf", "bagit", "argon2", "smtplib", "fastapi"} == set()


def test_the_search_command_s_default_limit_is_the_search_s() -> None:
    """Kept in the command so that registering it does not import the engine: the two agree."""
    assert cli_search.DEFAULT_PER_PAGE == search.DEFAULT_PER_PAGE
