"""The sample archive: every specimen ingested and recognised as its ground truth says."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from letters.archive import Archive
from letters.cli import main
from letters.preservation import audit
from letters.service import Letters

ROOT = Path(__file__).resolve().parents[1]
SPECIMENS = ROOT / "specimens"
FIELDS = ("partner", "signatory", "signed_by", "date", "direction", "language")


def truth() -> list[dict[str, object]]:
    """The generator's ground truth."""
    entries: list[dict[str, object]] = json.loads((SPECIMENS / "truth.json").read_text(encoding="utf-8"))
    return entries


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Every text specimen ingested into a fresh home, by file name."""
    from letters.settings import Settings

    app = Letters(Settings(home=tmp_path_factory.mktemp("home")))
    files = [SPECIMENS / str(entry["file"]) for entry in truth() if not entry["scanned"]]
    results = app.ingest(files, by="tester", jobs=2)
    assert [r.result for r in results] == ["added"] * len(files)
    return {Path(r.path).name: r.letter.to_json() for r in results if r.letter}


@pytest.mark.parametrize("field", FIELDS)
def test_text_specimens_match_the_ground_truth(ingested: dict[str, dict[str, object]], field: str) -> None:
    wrong = {entry["file"]: (ingested[str(entry["file"])][field], entry[field])
             for entry in truth() if not entry["scanned"]
             and ingested[str(entry["file"])][field] != entry[field]}
    assert wrong == {}, f"{field}: (found, expected)"


def test_text_specimens_are_all_ok(ingested: dict[str, dict[str, object]]) -> None:
    flagged = {name: letter["reasons"] for name, letter in ingested.items() if letter["status"] != "ok"}
    assert flagged == {}


def test_committed_archive_holds_every_specimen_untouched() -> None:
    archive = Archive(ROOT / "archive")
    records = {letter.sha256: letter for letter in archive.records()}
    for entry in truth():
        data = (SPECIMENS / str(entry["file"])).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        assert sha in records, entry["file"]
        assert archive.original_path(records[sha].id).read_bytes() == data
    assert len(records) == len(truth())


def test_the_committed_archive_is_verified_whole(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Its histories carry the record as added and the text's digest (migrated once, as an
    audit event), so a changed record or text in a copy of it would be found."""
    home = tmp_path / "home"
    shutil.copytree(ROOT / "archive", home / "archive")
    histories = sorted((home / "archive" / "letters").glob("*/*/history.jsonl"))
    assert len(histories) == len(truth())
    for path in histories:
        added = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
        assert isinstance(added["record"], dict) and len(added["text_sha256"]) == 64, path
    migrated = [e for e in audit.events(home / "archive") if e["action"] == "migrate_histories"]
    assert len(migrated) == 1 and len(migrated[0]["what"]["ids"]) == len(truth())
    assert main(["verify", "--home", str(home)]) == 0
    assert f"{len(truth())} intact, 0 problems" in capsys.readouterr().out
    assert main(["audit", "verify", "--home", str(home)]) == 0
    text = next((home / "archive" / "letters").glob("*/*/text.json"))
    text.write_text(json.dumps({"pages": ["Another text."]}), encoding="utf-8")
    assert main(["verify", "--home", str(home)]) == 1
    assert "the text is not the text the letter was added with" in capsys.readouterr().out
