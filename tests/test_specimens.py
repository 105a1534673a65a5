"""The specimen letters: deterministic, marked as specimens, and described honestly by truth.json."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

import make_specimens
import pytest
from pypdf import PdfReader

from letters.textnorm import fold
from support.pdfs import digests, text_of

ROOT = Path(__file__).resolve().parents[1]
SPECIMENS = ROOT / "specimens"
DATE_STYLES = ("dmy", "mdy", "ordinal", "fr", "dotted", "slash", "iso")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full generation into a temporary directory."""
    out = tmp_path_factory.mktemp("fresh")
    make_specimens.generate(out)
    return out


@pytest.fixture(scope="module")
def truth(fresh: Path) -> list[dict[str, object]]:
    """The generated truth.json."""
    entries: list[dict[str, object]] = json.loads((fresh / "truth.json").read_text("utf-8"))
    return entries


def test_generation_is_deterministic(fresh: Path, tmp_path: Path) -> None:
    """A second generation, of some partners only, makes their PDFs byte for byte again."""
    subset = ["apple", "kaspersky", "icc"]  # a text letter, a scan, a French two-page letter
    make_specimens.generate(tmp_path, subset)
    again = digests(tmp_path)
    assert len(again) == 2 * len(subset) + 2
    pdfs = {name: digest for name, digest in again.items() if name.endswith(".pdf")}
    assert len(pdfs) == 2 * len(subset)
    first = digests(fresh)
    assert pdfs == {name: first[name] for name in pdfs}


def test_committed_specimens_equal_a_fresh_generation(fresh: Path) -> None:
    assert digests(SPECIMENS) == digests(fresh), "regenerate: scripts/make_specimens.py"


def test_truth_covers_every_pdf_and_every_partner_twice(fresh: Path,
                                                       truth: list[dict[str, object]]) -> None:
    assert sorted(str(e["file"]) for e in truth) == sorted(p.name for p in fresh.glob("*.pdf"))
    slugs = {p["slug"] for p in make_specimens.registry_data()["partners"]}
    assert len(slugs) == 27
    pairs = Counter((e["partner"], e["direction"]) for e in truth)
    assert set(pairs) == {(s, d) for s in slugs for d in ("outgoing", "incoming")}
    assert set(pairs.values()) == {1}


def test_text_specimens_are_marked_and_scans_have_no_text(fresh: Path,
                                                          truth: list[dict[str, object]]) -> None:
    for entry in truth:
        path = fresh / str(entry["file"])
        text = text_of(path)
        assert len(PdfReader(path).pages) == entry["pages"]
        if entry["scanned"]:
            assert text.strip() == "", entry["file"]
        else:
            marker = "SPÉCIMEN" if entry["language"] == "fr" else "SPECIMEN"
            pages = [page.extract_text() or "" for page in PdfReader(path).pages]
            assert all(marker in page for page in pages), entry["file"]


def test_truth_is_what_the_text_says(fresh: Path, truth: list[dict[str, object]]) -> None:
    data = make_specimens.registry_data()
    sgs = make_specimens.secretaries(data)
    names = {p["slug"]: [p["name"]] + [a["name"] for a in p["aliases"]] for p in data["partners"]}
    sg_names = {sg.slug: sg.name for sg, _, _ in sgs}
    for entry in truth:
        day = date.fromisoformat(str(entry["date"]))
        assert entry["signatory"] == make_specimens.in_office(sgs, day).slug
        if entry["direction"] == "outgoing":
            signers = {sg_names[str(entry["signatory"])], make_specimens.DEPUTY, None}
            assert entry["signed_by"] in signers
        if entry["scanned"]:
            continue
        text = fold(text_of(fresh / str(entry["file"])))
        assert any(fold(n) in text for n in names[str(entry["partner"])]), entry["file"]
        assert any(fold(make_specimens.format_date(day, s)) in text for s in DATE_STYLES), entry
        if entry["signed_by"] is not None:
            signer = fold(str(entry["signed_by"]))
            assert signer in text or fold(make_specimens.plain(str(entry["signed_by"]))) in text


def test_variety_asked_of_the_specimens(truth: list[dict[str, object]]) -> None:
    assert sum(e["language"] == "fr" for e in truth) >= 10
    assert 4 <= sum(bool(e["scanned"]) for e in truth) <= 6
    assert any(e["signed_by"] is None for e in truth)
    assert any(e["signed_by"] == make_specimens.DEPUTY for e in truth)
    assert any(int(str(e["pages"])) >= 3 for e in truth)
    letters = [s for p in make_specimens.PARTIES for s in (p.out, p.inc)]
    assert len({s.layout for s in letters}) >= 6  # three letterheads each way
    assert {s.date_style for s in letters} == set(DATE_STYLES)
    assert any(not s.place for s in letters) and any(s.place for s in letters)


def test_a_scan_is_legible_to_tesseract(fresh: Path, tmp_path: Path) -> None:
    page = PdfReader(fresh / "2017-11-08-kaspersky-incoming.pdf").pages[0]
    image = tmp_path / "page.png"
    picture = page.images[0].image
    assert picture is not None
    picture.save(image)
    result = subprocess.run(["tesseract", str(image), "-", "-l", "eng"], capture_output=True,
                            text=True, check=True, timeout=120)
    for expected in ("Kaspersky Lab", "Jagland", "10 November 2017", "Mikhail Sorokin"):
        assert expected in result.stdout
