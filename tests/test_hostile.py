"""Hostile and broken files: each costs one rejected file with a sentence, never the batch."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
import zlib
from pathlib import Path

import pdfkit
import pytest

from letters.service import Letters
from letters.settings import Settings

SHARED_PDFS = Path(__file__).resolve().parents[2] / "shared" / "realworld-pdfs" / "py-pdf-sample-files"


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """Assemble numbered objects into a PDF with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, root, xref)
    return bytes(out)


def page_with_stream(stream: bytes, extra: bytes = b"") -> bytes:
    """A one-page PDF whose content stream is `stream`, with `extra` entries in its dictionary."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d %s >>\nstream\n" % (len(stream), extra) + stream + b"\nendstream",
    ])


def bomb() -> bytes:
    """A content stream of 1.5 MB that inflates to 1 GiB."""
    compressor = zlib.compressobj(9)
    chunk = b"0 0 m " * (1024 * 1024 // 6)
    body = b"".join(compressor.compress(chunk) for _ in range(1024)) + compressor.flush()
    return page_with_stream(body, b"/Filter /FlateDecode")


def length_lie() -> bytes:
    """A stream whose /Length says 1 GB."""
    data = page_with_stream(b"BT /F1 12 Tf 72 712 Td (A letter) Tj ET")
    return data.replace(b"/Length 39", b"/Length 1000000000")


def reference_loop() -> bytes:
    """A page tree whose only kid is the tree itself."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>",
    ])


def flipped(seed: int) -> bytes:
    """A good letter with 40 random bytes flipped."""
    data = bytearray(pdfkit.text_pdf([["Strasbourg, 8 November 2017", "A letter to Apple Inc."]]))
    rng = random.Random(seed)
    for _ in range(40):
        position = rng.randrange(100, len(data))
        data[position] ^= 0xFF
    return bytes(data)


BROKEN = {
    "truncated.pdf": lambda: pdfkit.text_pdf([["A letter"]])[:-300],
    "flipped-1.pdf": lambda: flipped(1),
    "flipped-2.pdf": lambda: flipped(2),
    "length-lie.pdf": length_lie,
    "reference-loop.pdf": reference_loop,
    "bomb.pdf": bomb,
    "garbage.pdf": lambda: b"%PDF-1.4\n" + random.Random(3).randbytes(5000),
}


@pytest.fixture(scope="module")
def broken_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("broken")
    for name, build in BROKEN.items():
        (folder / name).write_bytes(build())
    return folder


def test_every_broken_file_is_answered(broken_dir: Path, tmp_path: Path) -> None:
    app = Letters(Settings(home=tmp_path, extract_timeout=20, extract_memory_bytes=768 * 1024 * 1024))
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
    # Nothing half-written: every archived letter is whole.
    for letter in app.archive.records():
        original = app.archive.original_path(letter.id).read_bytes()
        assert hashlib.sha256(original).hexdigest() == letter.sha256


def test_realworld_pdfs_all_answered_by_the_command_line(broken_dir: Path, tmp_path: Path) -> None:
    assert SHARED_PDFS.is_dir(), "the shared real-world PDFs must be present (CI has them)"
    done = subprocess.run(
        [sys.executable, "-m", "letters", "--home", str(tmp_path), "ingest", "--json", "--jobs", "2",
         str(SHARED_PDFS), str(broken_dir)], capture_output=True, text=True, timeout=900)
    lines = [json.loads(x) for x in done.stdout.splitlines()]
    inputs = [p for p in SHARED_PDFS.rglob("*") if p.suffix.lower() == ".pdf"] + list(broken_dir.iterdir())
    assert len(lines) == len(inputs)
    assert done.returncode == 1  # the encrypted and broken files are rejected, the rest go in
    answers = {Path(x["path"]).name: x for x in lines}
    assert answers["libreoffice-writer-password.pdf"]["error"] == "encrypted: a password is needed"
    assert answers["minimal-document.pdf"]["result"] == "added"
    added = [x for x in lines if x["result"] == "added"]
    assert len(added) >= 20
    for line in lines:
        assert line["result"] in ("added", "rejected")
        if line["result"] == "rejected":
            assert line["error"] and "Traceback" not in line["error"]
