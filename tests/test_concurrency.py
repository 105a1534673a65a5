"""Two processes ingest while a third searches: every letter indexed once, no lock error seen."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pdfkit

from letters.search import SearchRequest
from letters.service import Letters
from letters.settings import Settings

SEARCHER = """
import sys, time
from letters.service import Letters
from letters.settings import Settings
from letters.search._planning import SearchRequest
from pathlib import Path
app = Letters(Settings(home=Path(sys.argv[1])))
deadline = time.monotonic() + 300
seen = 0
while time.monotonic() < deadline:
    result = app.search(SearchRequest(q="partnership", per_page=5))
    seen = max(seen, result.total)
    if open(sys.argv[2]).read().strip() == "stop":
        break
    time.sleep(0.02)
print(seen)
"""


def letters_for(folder: Path, start: int, count: int) -> Path:
    """`count` distinct small letters, numbered from `start`."""
    folder.mkdir(parents=True)
    for number in range(start, start + count):
        day = 1 + number % 28
        pdfkit.write_text_pdf(folder / f"{number:03}.pdf", [[
            "**COUNCIL OF EUROPE", f"Strasbourg, {day} November 2017", "", "Ms Jane Example",
            "Microsoft Corporation", "", "Dear Ms Example,", f"Letter number {number} about the partnership.",
            "", "Yours sincerely,", "", "Thorbjørn Jagland", "Secretary General"]])
    return folder


def test_two_ingesting_processes_and_a_searching_one(tmp_path: Path) -> None:
    home = tmp_path / "home"
    Letters(Settings(home=home)).index.count()  # create the (empty) index first
    first = letters_for(tmp_path / "a", 0, 15)
    second = letters_for(tmp_path / "b", 15, 15)
    shared = tmp_path / "b" / "000-again.pdf"  # the same file in both batches: one letter only
    shared.write_bytes((first / "000.pdf").read_bytes())
    flag = tmp_path / "flag"
    flag.write_text("")
    searcher = subprocess.Popen([sys.executable, "-c", SEARCHER, str(home), str(flag)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ingesters = [subprocess.Popen([sys.executable, "-m", "letters", "--home", str(home), "ingest",
                                   "--json", str(folder)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for folder in (first, second)]
    outputs = [process.communicate(timeout=600) for process in ingesters]
    time.sleep(0.2)
    flag.write_text("stop")
    search_out, search_err = searcher.communicate(timeout=600)
    for process, (_out, err) in zip(ingesters, outputs, strict=True):
        assert process.returncode == 0, err
        assert "LockError" not in err and "Traceback" not in err
    assert searcher.returncode == 0, search_err
    assert "LockError" not in search_err and "Traceback" not in search_err
    results = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert len(results) == 31
    assert sorted(r["result"] for r in results).count("added") == 30
    app = Letters(Settings(home=home))
    archived = {letter.id for letter in app.archive.records()}
    assert len(archived) == 30
    assert app.index.ids() == archived
    assert app.index.count() == 30
    everything = app.search(SearchRequest(q="partnership", per_page=100))
    ids = [hit.letter.id for hit in everything.hits]
    assert everything.total == 30 and len(ids) == len(set(ids)) == 30
    assert 0 <= int(search_out.strip()) <= 30
