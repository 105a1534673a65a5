"""Digital signatures: a signed PDF is intact; a flipped byte or a later update is reported."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from pathlib import Path

import pdfkit
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata

from letters.models import Signature
from letters.pdf import signatures
from support.pdfs import SIGNER, throwaway_signer


@pytest.fixture(scope="module")
def signed() -> bytes:
    """A letter signed with pyHanko."""
    pdf = pdfkit.text_pdf([["Dear Secretary General,", "We are pleased to join."]])
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = signers.sign_pdf(writer, PdfSignatureMetadata(field_name="PartnerSignature"),
                           signer=throwaway_signer())
    return out.getvalue()


def test_a_signed_letter_is_intact(signed: bytes, tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    [found] = signatures.validate(path)
    assert found.field == "PartnerSignature"
    assert found.signer == SIGNER
    assert found.signing_time is not None and found.signing_time[:4].isdigit()
    assert dt.datetime.fromisoformat(found.signing_time.replace("Z", "+00:00")).tzinfo is not None
    assert found.intact is True and found.modified_after is False
    assert found.summary == "integrity checked, signer not verified against a trust list"


def test_a_flipped_byte_inside_the_signed_range_is_not_intact(signed: bytes,
                                                              tmp_path: Path) -> None:
    # the header comment lies inside the first signed byte range and is ignored by parsers
    at = signed.index(b"ReportLab Generated")
    assert signed.index(b"/ByteRange") > at
    altered = signed[:at] + b"X" + signed[at + 1:]
    path = tmp_path / "altered.pdf"
    path.write_bytes(altered)
    [found] = signatures.validate(path)
    assert found.signer == SIGNER
    assert found.intact is False
    assert found.summary is not None and found.summary.startswith("altered")


def test_an_update_after_signing_is_reported(signed: bytes, tmp_path: Path) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Note"] = generic.TextStringObject("added after signing")
    writer.update_root()
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "updated.pdf"
    path.write_bytes(buffer.getvalue())
    [found] = signatures.validate(path)
    assert found.intact is True and found.modified_after is True
    assert found.summary is not None and "changed after signing" in found.summary


def test_unsigned_and_broken_files_never_raise(signed: bytes, tmp_path: Path) -> None:
    unsigned = tmp_path / "unsigned.pdf"
    unsigned.write_bytes(pdfkit.text_pdf([["No signature here"]]))
    assert signatures.validate(unsigned) == []
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(signed[: len(signed) // 2])
    assert signatures.validate(truncated) == []
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    assert signatures.validate(garbage) == []
    assert signatures.validate(tmp_path / "missing.pdf") == []


def test_a_damaged_signature_value_is_reported_not_raised(signed: bytes, tmp_path: Path) -> None:
    start = signed.index(b"/Contents <") + len(b"/Contents <")
    damaged = signed[:start] + b"00" * 64 + signed[start + 128:]
    path = tmp_path / "damaged.pdf"
    path.write_bytes(damaged)
    [found] = signatures.validate(path)
    assert found.field == "PartnerSignature"
    assert found.intact is None
    assert found.summary is not None
    assert found.summary.startswith("the signature could not be checked: ")


def test_validation_works_inside_an_event_loop(signed: bytes, tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)

    async def inside() -> list[Signature]:
        return signatures.validate(path)

    [found] = asyncio.run(inside())
    assert found.intact is True and found.signer == SIGNER
