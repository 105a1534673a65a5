"""Hostile and broken files: each costs one rejected file with a sentence, never the batch."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from letters.pdf import thumbnails
from letters.service import Letters
from letters.settings import Settings
from support.pdfs import BOMB_REASON, BROKEN, REALWORLD_SCANS, slow_to_draw
from support.processes import programs_using, run

SHARED_PDFS = Path(__file__).resolve().parents[2] / "shared" / "realworld-pdfs" / "py-pdf-sample-files"


@pytest.fixture(scope="module")
def broken_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("broken")
    for name, build in BROKEN.items():
        (folder / name).write_bytes(build())
    return folder


def test_every_broken_file_is_answered(broken_dir: Path, tmp_path: Path) -> None:
    # each is answered in a second or so; the bomb too, its page weighed rather than drawn
    app = Letters(Settings(home=tmp_path, extract_timeout=10, extract_memory_bytes=768 * 1024 * 1024))
    files = sorted(broken_dir.iterdir())
    results = app.ingest(files, by="tester", jobs=2)
    assert len(results) == len(files)
    for result in results:
        assert result.result in ("added", "rejected"), result
        if result.result == "rejected":
            assert result.error and "\n" not in result.error and len(result.error) < 200
    by_name = {Path(r.path).name: r for r in results}
    for name in ("truncated.pdf", "reference-loop.pdf", "garbage.pdf"):
        assert by_name[name].result == "rejected", name
    bomb = by_name["bomb.pdf"].letter
    assert bomb is not None and bomb.status == "needs_review" and not bomb.ocr
    assert BOMB_REASON in [str(reason) for reason in bomb.reasons]
    with pytest.raises(thumbnails.ThumbnailError) as refused:  # nor drawn for its thumbnail
        app.thumbnail(bomb.id, 1)
    assert str(refused.value) == ("Page 1 is too heavy to draw: its drawing instructions weigh "
                                  "over 16 MB.")
    # Nothing half-written: every archived letter is whole.
    for letter in app.archive.records():
        original = app.archive.original_path(letter.id).read_bytes()
        assert hashlib.sha256(original).hexdigest() == letter.sha256


@pytest.fixture(scope="module")
def realworld_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real-world PDFs in their folders, but the scans (REALWORLD_SCANS) beyond the first:
    test_server_robustness.py has OCR read each of them (the same ingest, by upload); here the
    command line's answers are the point, and OCR's work is the same for all (it was 9 of the
    15 s of CPU of the run)."""
    assert SHARED_PDFS.is_dir(), "the shared real-world PDFs must be present (CI has them)"
    tree = tmp_path_factory.mktemp("realworld")
    for path in SHARED_PDFS.rglob("*"):
        if path.suffix.lower() == ".pdf" and path.name not in REALWORLD_SCANS[1:]:
            copy = tree / path.relative_to(SHARED_PDFS)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
    return tree


def test_realworld_pdfs_answered_by_the_command_line(broken_dir: Path, realworld_tree: Path,
                                                     tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "letters", "--home", str(tmp_path), "ingest", "--json", "--jobs", "2",
         str(realworld_tree), str(broken_dir)], capture_output=True, text=True, timeout=900,
        env={**os.environ, "LETTERS_EXTRACT_TIMEOUT": "20"})
    lines = [json.loads(x) for x in done.stdout.splitlines()]
    inputs = [p for p in realworld_tree.rglob("*") if p.suffix.lower() == ".pdf"]
    inputs += list(broken_dir.iterdir())
    assert len(lines) == len(inputs) and len({x["path"] for x in lines}) == len(inputs)
    assert done.returncode == 1  # the encrypted and broken files are rejected, the rest go in
    answers = {Path(x["path"]).name: x for x in lines}
    assert answers["libreoffice-writer-password.pdf"]["error"] == "encrypted: a password is needed"
    assert answers["minimal-document.pdf"]["result"] == "added"
    assert answers["bomb.pdf"]["result"] == "added" and BOMB_REASON in answers["bomb.pdf"]["reasons"]
    scan = answers[REALWORLD_SCANS[0]]  # a real-world scan, read by OCR
    assert scan["result"] == "added" and scan["ocr"] is True
    assert [x["path"] for x in lines if x.get("ocr")] == [scan["path"]]
    added = [x for x in lines if x["result"] == "added"]
    assert len(added) >= 15
    for line in lines:
        assert line["result"] in ("added", "rejected")
        if line["result"] == "rejected":
            assert line["error"] and "Traceback" not in line["error"]


def test_a_page_too_slow_to_draw_is_stopped_and_leaves_no_program_behind(tmp_path: Path) -> None:
    """A page light to weigh but endless to draw (a form drawn a million times) is drawn for OCR
    until the time limit stops it: the file is refused, and its pdftoppm is killed with it."""
    folder = tmp_path / "slow"
    folder.mkdir()
    (folder / "slow.pdf").write_bytes(slow_to_draw())
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    done = run(tmp_path / "home", "ingest", "--json", str(folder / "slow.pdf"),
               env={**os.environ, "LETTERS_EXTRACT_TIMEOUT": "2", "TMPDIR": str(scratch)})
    [answer] = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 1 and answer["result"] == "rejected", (answer, done.stderr)
    assert answer["error"] == "too slow to read: it took longer than the time allowed and was stopped"
    for _ in range(20):  # a killed program leaves /proc at once; give a loaded machine a moment
        if not programs_using(folder) and not programs_using(scratch):
            break
        time.sleep(0.1)
    assert programs_using(folder) == [] and programs_using(scratch) == []
