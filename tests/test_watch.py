"""The watched folder: `letters watch DIR` ingests each dropped PDF once, moves it to done/ or
rejected/ with the reason beside it, loses nothing when killed, and the upload page shows it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from letters.archive import Archive
from letters.service import Letters
from letters.settings import Settings
from letters.watch import Folder
from support.pdfs import letter_lines, make
from support.processes import invoke, run
from support.server import LiveServer
from support.web import browser, text_of
from support.webhome import WebHome, copy_web_home


def names(folder: Path) -> set[str]:
    """The file names in a folder (none when it is not there)."""
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_each_dropped_file_is_ingested_once_and_moved_with_its_reason(tmp_path: Path) -> None:
    drop, home = tmp_path / "drop", tmp_path / "home"
    make(drop, "apple.pdf", letter_lines("Apple Inc.", 8))
    make(drop, "google.pdf", letter_lines("Google LLC", 9, reply=True))
    (drop / "broken.pdf").write_bytes(b"this is no PDF")
    (drop / "notes.txt").write_text("not a PDF: left where it is")
    done = run(home, "watch", "--once", "--json", "--as", "clerk", str(drop))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted((x["name"], x["result"]) for x in lines) == [
        ("apple.pdf", "added"), ("broken.pdf", "rejected"), ("google.pdf", "added")]
    assert names(drop / "done") == {"apple.pdf", "google.pdf"}
    assert names(drop / "rejected") == {"broken.pdf", "broken.pdf.reason.txt"}
    assert (drop / "rejected" / "broken.pdf.reason.txt").read_text().startswith("not a PDF")
    assert (drop / "rejected" / "broken.pdf").read_bytes() == b"this is no PDF"
    assert names(drop) == {"done", "rejected", ".processing", "notes.txt", "watch.log"}
    assert not names(drop / ".processing")
    log = (drop / "watch.log").read_text().splitlines()
    assert len(log) == 3 and any("broken.pdf -> rejected/broken.pdf: not a PDF" in x for x in log)
    records = list(Archive(home / "archive").records())
    assert sorted(r.filename for r in records) == ["apple.pdf", "google.pdf"]
    assert {r.added_by for r in records} == {"clerk"}

    again = invoke(home, "watch", "--once", str(drop))  # the next looks, in this process
    assert again.returncode == 0 and again.stdout == "", "a file is taken once"
    shutil.copy(drop / "done" / "apple.pdf", drop / "apple.pdf")  # the same letter dropped again
    (drop / "broken.pdf").write_bytes(b"still no PDF")
    third = invoke(home, "watch", "--once", "--json", str(drop))
    results = {json.loads(x)["name"]: json.loads(x) for x in third.stdout.splitlines()}
    assert results["apple.pdf"]["result"] == "duplicate"
    assert results["apple.pdf"]["moved_to"] == "done/apple-2.pdf"
    assert results["broken.pdf"]["moved_to"] == "rejected/broken-2.pdf"
    assert (drop / "rejected" / "broken.pdf").read_bytes() == b"this is no PDF", "nothing overwritten"
    assert names(drop / "rejected") >= {"broken-2.pdf", "broken-2.pdf.reason.txt"}
    assert len(list(Archive(home / "archive").records())) == 2


def test_a_file_still_being_written_waits_for_the_next_look(tmp_path: Path) -> None:
    folder = Folder(tmp_path)
    folder.prepare()
    growing = tmp_path / "scan.pdf"
    growing.write_bytes(b"%PDF-1.7 part one")
    (tmp_path / ".scan.pdf.part").write_bytes(b"%PDF")  # hidden: a copy tool's temporary file
    assert folder.dropped(settled=True) == []
    with growing.open("ab") as handle:
        handle.write(b" part two")
    assert folder.dropped(settled=True) == [], "it changed since the last look"
    assert folder.dropped(settled=True) == [growing]
    assert folder.dropped(settled=False) == [growing]


def test_two_watchers_never_take_the_same_file(tmp_path: Path) -> None:
    first, second = Folder(tmp_path), Folder(tmp_path)
    first.prepare()
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7")
    claimed = first.claim(tmp_path / "a.pdf")
    assert claimed is not None and claimed.parent.name == ".processing"
    assert second.claim(tmp_path / "a.pdf") is None
    assert Folder.dropped_name(claimed) == "a.pdf"
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7 another")  # a second file under the same name
    other = second.claim(tmp_path / "a.pdf")
    assert other is not None and other != claimed and claimed.read_bytes() == b"%PDF-1.7"


def test_kill_9_of_a_watcher_loses_nothing(tmp_path: Path) -> None:
    drop, home = tmp_path / "drop", tmp_path / "home"
    dropped = {f"{day:02}.pdf" for day in range(1, 13)}
    for name in sorted(dropped):
        make(drop, name, letter_lines("Microsoft Corporation", int(name[:2]), reply=True))
    process = subprocess.Popen([sys.executable, "-m", "letters", "--home", str(home), "watch",
                                "--interval", "0.05", str(drop)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    archive = Archive(home / "archive")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not (names(drop / ".processing")
                                               and len(list(archive.records())) >= 2):
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    left = names(drop / ".processing")
    assert left, "the kill must land while files are being ingested"
    finished = invoke(home, "watch", "--once", str(drop))  # the next start, in this process
    assert finished.returncode == 0, finished.stderr
    assert not names(drop / ".processing")
    assert names(drop / "done") == dropped, "every dropped file is in done/, once"
    assert not names(drop / "rejected")
    assert len(list(archive.records())) == len(dropped)
    app = Letters(Settings(home=home))
    assert app.index.ids() == {r.id for r in archive.records()}


def test_the_upload_page_shows_what_the_watched_folder_did(web_template: WebHome,
                                                           tmp_path: Path) -> None:
    home = copy_web_home(web_template, tmp_path / "home")
    drop = tmp_path / "drop"
    make(drop, "ibm-letter.pdf", letter_lines("IBM", 12))
    (drop / "junk.pdf").write_bytes(b"junk")
    assert invoke(home.path, "watch", "--once", str(drop)).returncode == 0
    with LiveServer(Settings(home=home.path)) as server, browser(server, "archivist") as http:
        page = text_of(http.get("/upload").text)
        french = text_of(http.get("/upload", headers={"Accept-Language": "fr"}).text)
    assert "From the watched folder" in page
    assert "junk.pdf → rejected/junk.pdf" in page and "not a PDF" in page
    assert "ibm-letter.pdf → done/ibm-letter.pdf" in page and "Open the letter" in page
    assert "Depuis le dossier surveillé" in french and "not a PDF" not in french
    assert os.path.exists(home.path / ".letters" / "watch.jsonl")
