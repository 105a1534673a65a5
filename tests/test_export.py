"""The founding-documents bundle: a zipped BagIt bag that `sha256sum -c` verifies."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import bagit
import pdfkit
import pytest

from letters.archive import letter_id, now_iso
from letters.cli import main
from letters.export import NothingToExport, bundle_name
from letters.models import Direction, Letter
from letters.preservation import audit
from letters.preservation.originals import OriginalsAltered
from letters.service import Letters, NotFound


def archived(app: Letters, tmp_path: Path, partner: str, direction: Direction, date: str,
             text: str) -> Letter:
    """Archive a real PDF holding `text` and return its record."""
    data = pdfkit.text_pdf([[text, partner, date]])
    sha = hashlib.sha256(data).hexdigest()
    pdf = tmp_path / f"{sha[:8]}.pdf"
    pdf.write_bytes(data)
    letter = Letter(id=letter_id(sha), sha256=sha, filename=f"{partner} {direction}.pdf", pages=1,
                    partner=partner, signatory="jagland", signed_by=None, date=date,
                    direction=direction, language="en", ocr=False, digital_signatures=[],
                    status="ok", added_at=now_iso(), added_by="tester")
    assert app.parts().add(pdf, letter, [text]) is not None
    audit.record(app.settings.archive_dir, "upload", "tester",
                 {"id": letter.id, "sha256": sha, "filename": letter.filename})
    return letter


def unzip(path: Path, into: Path) -> Path:
    """Extract the bundle; the bag's directory."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        archive.extractall(into)
    roots = {n.split("/", 1)[0] for n in names}
    assert len(roots) == 1
    return into / roots.pop()


def sha256sum_check(bag: Path, manifest: str) -> subprocess.CompletedProcess[str]:
    """Run the real `sha256sum -c` in the bag's directory."""
    return subprocess.run(["sha256sum", "-c", manifest], cwd=bag, capture_output=True, text=True,
                          check=False)


def bag_info(bag: Path) -> dict[str, str]:
    """bag-info.txt as a dict."""
    lines = (bag / "bag-info.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split(": ", 1) for line in lines)


def test_complete_exchange_bundle(app: Letters, tmp_path: Path) -> None:
    out_letter = archived(app, tmp_path, "telefonica", "outgoing", "2017-11-08", "Dear Sir")
    reply = archived(app, tmp_path, "telefonica", "incoming", "2017-11-08", "Dear SG")
    later = archived(app, tmp_path, "telefonica", "outgoing", "2021-03-01", "A later letter")
    other = archived(app, tmp_path, "orange", "incoming", "2017-11-08", "Not this one")
    app.parts().update(reply.id, {"signed_by": "José María Álvarez-Pallete"}, "archivist")

    path = app.export_bundle("telefonica", tmp_path / "out" / "bundle.zip", by="auditor")
    assert path == (tmp_path / "out" / "bundle.zip").resolve() and path.is_file()
    bag = unzip(path, tmp_path / "unzipped")
    assert bag.name == "telefonica-founding-documents"

    for manifest in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
        result = sha256sum_check(bag, manifest)
        assert result.returncode == 0, result.stdout + result.stderr
    checked = sha256sum_check(bag, "manifest-sha256.txt").stdout
    assert checked.count(": OK") == len(list((bag / "data").rglob("*.*")))
    bagit.Bag(str(bag)).validate()

    originals = sorted((bag / "data" / "originals").iterdir())
    assert [p.name for p in originals] == [
        f"2017-11-08-partner-{reply.id}.pdf", f"2017-11-08-secretary-general-{out_letter.id}.pdf"]
    for letter in (out_letter, reply):
        copy = next(p for p in originals if letter.id in p.name)
        assert copy.read_bytes() == app.archive.original_path(letter.id).read_bytes()

    records = json.loads((bag / "data" / "records.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == [out_letter.id, reply.id]
    assert records[1]["signed_by"] == "José María Álvarez-Pallete"
    assert records[0]["file"] == f"data/originals/2017-11-08-secretary-general-{out_letter.id}.pdf"
    with open(bag / "data" / "records.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["id"], r["direction"], r["sha256"]) for r in rows] == [
        (out_letter.id, "outgoing", out_letter.sha256), (reply.id, "incoming", reply.sha256)]
    assert rows[1]["signed_by"] == "José María Álvarez-Pallete"

    exchange = json.loads((bag / "data" / "exchange.json").read_text(encoding="utf-8"))
    assert exchange["complete"] is True and exchange["missing"] is None
    assert (exchange["outgoing"], exchange["incoming"]) == (out_letter.id, reply.id)

    info = bag_info(bag)
    assert info["Partner"] == "Telefónica" and info["Partner-Slug"] == "telefonica"
    assert info["Exchange-Complete"] == "yes" and "Exchange-Note" not in info
    assert info["Exported-By"] == "auditor"
    assert info["Payload-Oxum"].endswith(f".{len(list((bag / 'data').rglob('*.*')))}")

    events = [json.loads(x) for x in
              (bag / "data" / "audit-events.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(e["what"]["id"] for e in events) == sorted([out_letter.id, reply.id])
    history = (bag / "data" / "histories" / f"{reply.id}.jsonl").read_text(encoding="utf-8")
    assert "José María" in history and later.id not in history and other.id not in history

    export_event = audit.events(app.settings.archive_dir)[-1]
    assert export_event["action"] == "export" and export_event["who"] == "auditor"
    assert export_event["what"]["ids"] == [out_letter.id, reply.id]
    assert export_event["what"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert audit.verify(app.settings.archive_dir).ok


def test_incomplete_exchange_bundle_says_so(app: Letters, tmp_path: Path) -> None:
    only = archived(app, tmp_path, "att", "incoming", "2018-02-01", "Our reply")
    bag = unzip(app.export_bundle("att", tmp_path / "att.zip", by="auditor"), tmp_path / "x")
    assert sha256sum_check(bag, "manifest-sha256.txt").returncode == 0
    info = bag_info(bag)
    assert info["Exchange-Complete"] == "no"
    assert "Secretary General's letter is not in the archive" in info["Exchange-Note"]
    originals = list((bag / "data" / "originals").iterdir())
    assert [p.read_bytes() for p in originals] == [app.archive.original_path(only.id).read_bytes()]


def test_a_tampered_bundle_fails_sha256sum(app: Letters, tmp_path: Path) -> None:
    archived(app, tmp_path, "gni", "outgoing", "2017-11-08", "Letter")
    bag = unzip(app.export_bundle("gni", tmp_path / "gni.zip", by="auditor"), tmp_path / "x")
    pdf = next((bag / "data" / "originals").iterdir())
    pdf.write_bytes(pdf.read_bytes()[:-1])
    result = sha256sum_check(bag, "manifest-sha256.txt")
    assert result.returncode == 1 and "FAILED" in result.stdout


def test_unknown_partner_and_partner_without_letters(app: Letters, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no partner"):
        app.export_bundle("acme", tmp_path / "a.zip", by="auditor")
    with pytest.raises(NothingToExport, match="no letters"):
        app.export_bundle("apple", tmp_path / "a.zip", by="auditor")
    assert not (tmp_path / "a.zip").exists()
    assert bundle_name("apple") == "apple-founding-documents.zip"


def test_cli_export(app: Letters, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archived(app, tmp_path, "isoc", "outgoing", "2020-11-17", "Letter")
    archived(app, tmp_path, "isoc", "incoming", "2020-11-17", "Reply")
    home = str(app.settings.home)
    out = tmp_path / "isoc.zip"
    assert main(["export", "isoc", "--out", str(out), "--home", home]) == 0
    assert capsys.readouterr().out.strip() == str(out.resolve())
    bag = unzip(out, tmp_path / "x")
    assert bag_info(bag)["Exchange-Complete"] == "yes"
    assert main(["export", "no-such-partner", "--out", str(tmp_path / "n.zip"),
                 "--home", home]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "letters: There is no partner with the slug 'no-such-partner'."


def alter(app: Letters, letter: Letter) -> None:
    """Append bytes to an archived original, as a disk fault or a hand at the shell would."""
    path = app.archive.original_path(letter.id)
    path.chmod(0o644)
    with open(path, "ab") as handle:
        handle.write(b"%% appended\n")


def test_a_good_bundle_validates_with_bagit_and_carries_provenance(
        app: Letters, tmp_path: Path) -> None:
    sg = archived(app, tmp_path, "telefonica", "outgoing", "2017-11-08", "Dear Sir")
    reply = archived(app, tmp_path, "telefonica", "incoming", "2017-11-08", "Dear SG")
    app.link(sg.id, reply.id, by="archivist")
    app.verify(by="auditor")
    bag = unzip(app.export_bundle("telefonica", tmp_path / "t.zip", by="auditor"), tmp_path / "x")
    checked = subprocess.run([sys.executable, "-m", "bagit", "--validate", str(bag)],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    assert bagit.Bag(str(bag)).is_valid()
    provenance = json.loads((bag / "data" / "provenance.json").read_text(encoding="utf-8"))
    assert provenance["exchange"]["confirmed_by"] == "archivist"
    assert provenance["exchange"]["confirmed_at"]
    assert provenance["last_fixity_check"]["by"] == "auditor"
    letters = {x["id"]: x for x in provenance["letters"]}
    assert set(letters) == {sg.id, reply.id}
    assert [e["action"] for e in letters[sg.id]["history"]] == ["added", "linked"]
    assert {e["action"] for e in letters[sg.id]["audit_events"]} >= {"upload", "link"}
    info = bag_info(bag)
    assert info["Exchange-Confirmed-By"] == "archivist"
    assert info["Last-Fixity-Check"].endswith("by auditor: 2 letters, 0 problems")


def test_an_altered_original_never_reaches_a_bundle(app: Letters, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    sg = archived(app, tmp_path, "isoc", "outgoing", "2020-11-17", "Letter")
    archived(app, tmp_path, "isoc", "incoming", "2020-11-17", "Reply")
    alter(app, sg)
    out = tmp_path / "isoc.zip"
    assert main(["export", "isoc", "--out", str(out), "--home", str(app.settings.home)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("letters: The founding documents of Internet Society cannot be "
                          "exported, because the original of the letter of 2020-11-17 from the "
                          "Secretary General to Internet Society is not the one archived")
    assert "\n" not in err and not out.exists()
    assert not [e for e in audit.events(app.settings.archive_dir) if e["action"] == "export"]
    assert not app.original(sg.id).intact


def test_a_record_rewritten_to_the_altered_bytes_is_still_refused(app: Letters,
                                                                   tmp_path: Path) -> None:
    """The record alone is no authority: the `added` history event says what was archived."""
    sg = archived(app, tmp_path, "gni", "outgoing", "2017-11-08", "Letter")
    alter(app, sg)
    directory = app.archive.original_path(sg.id).parent
    record = json.loads((directory / "record.json").read_text(encoding="utf-8"))
    record["sha256"] = hashlib.sha256((directory / "original.pdf").read_bytes()).hexdigest()
    (directory / "record.json").write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(OriginalsAltered, match="is not the one archived"):
        app.export_bundle("gni", tmp_path / "g.zip", by="auditor")
    assert not (tmp_path / "g.zip").exists()
