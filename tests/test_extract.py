"""PDF extraction: text per page, metadata, signature fields and the sentences for unreadable files."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pdfkit
import pytest
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from letters.extract import (
    ExtractionError,
    check_pdf_header,
    extract,
    pdf_date_to_iso,
)

SAMPLES = Path(__file__).parents[1].parent / "shared" / "realworld-pdfs" / "py-pdf-sample-files"

LETTER = [
    "COUNCIL OF EUROPE",
    "Strasbourg, 8 November 2017",
    "Ms Jane Larsen, Apple Inc.",
    "Dear Ms Larsen,",
    "Thorbjørn Jagland, Secretary General",
]


def _write(tmp_path: Path, data: bytes, name: str = "letter.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _error(path: Path) -> str:
    with pytest.raises(ExtractionError) as caught:
        extract(path)
    return str(caught.value)


# -- text ----------------------------------------------------------------------------------

def test_text_per_page_is_normalised(tmp_path: Path) -> None:
    pdf = pdfkit.text_pdf([LETTER, ["ﬁnal page: the Secretary Gen-", "eral signed"]], title="Letter")
    result = extract(_write(tmp_path, pdf))
    assert result.page_count == 2
    assert len(result.pages) == 2
    assert "Strasbourg, 8 November 2017" in result.pages[0]
    assert "Thorbjørn Jagland" in result.pages[0]
    assert "final page" in result.pages[1]  # NFKC mends the ligature
    assert "Secretary General signed" in result.pages[1]  # the line-end hyphen is mended
    assert result.textless_pages == []
    assert not result.scanned
    assert result.metadata["title"] == "Letter"


def test_page_without_text_is_textless(tmp_path: Path) -> None:
    pdf = pdfkit.text_pdf([LETTER, [], ["SPECIMEN – not the original letter"]])
    result = extract(_write(tmp_path, pdf))
    assert result.textless_pages == [1, 2]
    assert not result.scanned


def test_document_without_text_is_scanned(tmp_path: Path) -> None:
    pdf = pdfkit.text_pdf([[], ["SPÉCIMEN – ce n'est pas la lettre originale"]])
    result = extract(_write(tmp_path, pdf))
    assert result.page_count == 2
    assert result.textless_pages == [0, 1]
    assert result.scanned


def test_image_only_real_world_pdf_is_scanned() -> None:
    result = extract(SAMPLES / "007-imagemagick-images" / "imagemagick-lzw.pdf")
    assert result.page_count == 1
    assert result.scanned


@pytest.mark.parametrize(
    ("folder", "pages", "words"),
    [
        ("001-trivial", 1, "Lorem ipsum"),
        ("002-trivial-libre-office-writer", 1, "Lorem ipsum"),
        ("004-pdflatex-4-pages", 4, "some text without a meaning"),
        ("011-google-doc-document", 1, "Example"),
        ("021-pdfa", 1, "crazy"),
        ("026-latex-multicolumn", 3, "Lorem"),
    ],
)
def test_real_world_pdfs(folder: str, pages: int, words: str) -> None:
    path = next((SAMPLES / folder).glob("*.pdf"))
    result = extract(path)
    assert result.page_count == pages
    assert words.casefold() in "\n\n".join(result.pages).casefold()
    assert not result.scanned


def test_info_metadata_of_a_reportlab_pdf() -> None:
    result = extract(SAMPLES / "008-reportlab-inline-image" / "inline-image.pdf")
    assert result.metadata["author"] == "anonymous"
    assert result.metadata["subject"] == "unspecified"
    assert result.metadata["creation_date"] == "2022-04-15T13:30:24-01:00"


# -- metadata ------------------------------------------------------------------------------

def test_info_metadata() -> None:
    result = extract(SAMPLES / "001-trivial" / "minimal-document.pdf")
    assert result.metadata["producer"] == "pdfTeX-1.40.23"
    assert result.metadata["creator"] == "TeX"
    assert result.metadata["creation_date"] == "2022-04-03T18:05:42+02:00"


def test_xmp_metadata_fills_what_info_lacks() -> None:
    result = extract(SAMPLES / "020-xmp" / "output_with_metadata_pymupdf.pdf")
    assert result.metadata["title"] == "Sample PDF with XMP Metadata"
    assert result.metadata["author"] == "John Doe"


def test_info_pointing_at_a_non_info_object_is_ignored() -> None:
    result = extract(SAMPLES / "023-cmyk-image" / "cmyk-image.pdf")  # its /Info is the /Pages node
    assert result.metadata == {}
    assert result.page_count == 1


def test_nul_bytes_in_metadata_are_removed() -> None:
    result = extract(SAMPLES / "007-imagemagick-images" / "imagemagick-lzw.pdf")
    assert result.metadata["title"] == "imagemagick-lzw"


def test_unreadable_metadata_gives_a_sentence_not_a_traceback() -> None:
    path = SAMPLES / "017-unreadable-meta-data" / "unreadablemetadata.pdf"
    message = _error(path)
    assert message.startswith("damaged: pypdf could not read it (")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("D:20171108103000+01'00'", "2017-11-08T10:30:00+01:00"),
        ("D:20200206", "2020-02-06"),
        ("D:20230410074654Z07'46'", "2023-04-10T07:46:54Z"),
        ("20221231235959-05'30", "2022-12-31T23:59:59-05:30"),
        ("D:20201399", None),
        ("yesterday", None),
    ],
)
def test_pdf_dates(raw: str, iso: str | None) -> None:
    assert pdf_date_to_iso(raw) == iso


# -- unreadable files ----------------------------------------------------------------------

def test_header_check() -> None:
    assert check_pdf_header(b"%PDF-1.7\n")
    assert check_pdf_header(b"\xef\xbb\xbf" + b" " * 900 + b"%PDF-1.4")
    assert not check_pdf_header(b" " * 1024 + b"%PDF-1.4")
    assert not check_pdf_header(b"PK\x03\x04")


def test_empty_file(tmp_path: Path) -> None:
    assert _error(_write(tmp_path, b"")) == "empty file: it holds no bytes"


def test_not_a_pdf(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, b"Dear Secretary General,\nthis is plain text.\n"))
    assert message == "not a PDF: the file does not start with a PDF header"


def test_truncated_pdf(tmp_path: Path) -> None:
    pdf = pdfkit.text_pdf([LETTER])
    message = _error(_write(tmp_path, pdf[: len(pdf) // 2]))
    assert message == "damaged: the file ends before its cross-reference table"


def test_garbage_after_header(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, b"%PDF-1.4\n" + b"\x00garbage " * 50 + b"\nstartxref\n9\n%%EOF\n"))
    assert message.startswith("damaged: ")
    assert "\n" not in message


def test_pdf_without_pages(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    assert _error(_write(tmp_path, buffer.getvalue())) == "damaged: it has no pages"


def test_password_protected_real_world_pdf() -> None:
    path = SAMPLES / "005-libreoffice-writer-password" / "libreoffice-writer-password.pdf"
    assert _error(path) == "encrypted: a password is needed"


def test_encrypted_with_empty_user_password_is_read(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=io.BytesIO(pdfkit.text_pdf([LETTER])))
    writer.encrypt(user_password="", owner_password="archive-owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    result = extract(_write(tmp_path, buffer.getvalue()))
    assert "Strasbourg, 8 November 2017" in result.pages[0]


def test_encrypted_with_user_password(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=io.BytesIO(pdfkit.text_pdf([LETTER])))
    writer.encrypt(user_password="secret", owner_password="archive-owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert _error(_write(tmp_path, buffer.getvalue())) == "encrypted: a password is needed"


def test_missing_file(tmp_path: Path) -> None:
    assert _error(tmp_path / "absent.pdf").startswith("unreadable: the file could not be opened")


# -- signature fields ----------------------------------------------------------------------

def _sig_value(name: str | None, when: str) -> DictionaryObject:
    value = DictionaryObject({
        NameObject("/Type"): NameObject("/Sig"),
        NameObject("/Filter"): NameObject("/Adobe.PPKLite"),
        NameObject("/SubFilter"): NameObject("/adbe.pkcs7.detached"),
        NameObject("/ByteRange"): ArrayObject([NumberObject(0), NumberObject(10),
                                               NumberObject(100), NumberObject(10)]),
        NameObject("/Contents"): ByteStringObject(b"\x00" * 32),
        NameObject("/M"): TextStringObject(when),
    })
    if name:
        value[NameObject("/Name")] = TextStringObject(name)
    return value


def _pdf_with_signature_fields(tmp_path: Path) -> Path:
    writer = PdfWriter(clone_from=io.BytesIO(pdfkit.text_pdf([LETTER])))
    page = writer.pages[0]
    signed = writer._add_object(_sig_value("Gabriella Battaini-Dragoni", "D:20200206103000+01'00'"))
    usage_rights = writer._add_object(_sig_value("ARE Acrobat Product v8.0", "D:20200101000000Z"))
    rect = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(0), FloatObject(0)])
    parent = DictionaryObject({NameObject("/T"): TextStringObject("Signatures")})
    parent_ref = writer._add_object(parent)
    deputy = writer._add_object(DictionaryObject({
        NameObject("/FT"): NameObject("/Sig"), NameObject("/T"): TextStringObject("Deputy"),
        NameObject("/V"): signed, NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Widget"), NameObject("/Rect"): rect,
        NameObject("/Parent"): parent_ref,
    }))
    empty = writer._add_object(DictionaryObject({
        NameObject("/FT"): NameObject("/Sig"), NameObject("/T"): TextStringObject("Unsigned"),
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/Rect"): rect,
    }))
    parent[NameObject("/Kids")] = ArrayObject([deputy])
    page[NameObject("/Annots")] = ArrayObject([deputy, empty])
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject([parent_ref, empty]),
        NameObject("/SigFlags"): NumberObject(3),
    })
    writer.root_object[NameObject("/Perms")] = DictionaryObject({
        NameObject("/UR3"): usage_rights, NameObject("/DocMDP"): signed,
    })
    buffer = io.BytesIO()
    writer.write(buffer)
    return _write(tmp_path, buffer.getvalue(), "signed-fields.pdf")


def test_signature_fields_with_name_and_time(tmp_path: Path) -> None:
    result = extract(_pdf_with_signature_fields(tmp_path))
    assert len(result.signatures) == 1  # not the empty field, not the usage-rights signature
    signature = result.signatures[0]
    assert signature.field == "Signatures.Deputy"
    assert signature.signer == "Gabriella Battaini-Dragoni"
    assert signature.signing_time == "2020-02-06T10:30:00+01:00"
    assert signature.intact is None


def test_signer_from_the_certificate(tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Jane Larsen")])
    start = datetime.datetime(2017, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(20171108)
        .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=36500))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    signer = signers.SimpleSigner.load(str(tmp_path / "key.pem"), str(tmp_path / "cert.pem"))
    assert signer is not None
    writer = IncrementalPdfFileWriter(io.BytesIO(pdfkit.text_pdf([LETTER])))
    out = io.BytesIO()
    signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Representative"),
                     signer=signer, output=out)
    result = extract(_write(tmp_path, out.getvalue(), "signed.pdf"))
    assert [s.field for s in result.signatures] == ["Representative"]
    assert result.signatures[0].signer == "Jane Larsen"
    assert result.signatures[0].signing_time is not None
    assert result.signatures[0].signing_time[:2] == "20"
    assert "Strasbourg, 8 November 2017" in result.pages[0]


def test_unsigned_pdf_has_no_signatures(tmp_path: Path) -> None:
    assert extract(_write(tmp_path, pdfkit.text_pdf([LETTER]))).signatures == []
