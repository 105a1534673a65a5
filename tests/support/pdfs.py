"""PDFs for the tests: typed letters, scans for OCR, signed and broken files, archived letters."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import pdfkit
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from letters.archive import Archive, letter_id
from letters.models import Letter

if TYPE_CHECKING:
    from pyhanko.sign import signers


def build_letter(archive: Archive, folder: Path, lines: list[str], partner: str | None = None,
                 signatory: str | None = None, date: str | None = None,
                 direction: str | None = None, language: str = "en",
                 signed_by: str | None = None, status: str = "ok", ocr: bool = False) -> Letter:
    """Archive a one-page text PDF with this record through the real Archive.add."""
    pdf = pdfkit.text_pdf([lines])
    sha = hashlib.sha256(pdf).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha[:12]}.pdf"
    path.write_bytes(pdf)
    letter = Letter(
        id=letter_id(sha), sha256=sha, filename=path.name, pages=1, partner=partner,
        signatory=signatory, signed_by=signed_by, date=date, direction=direction,
        language=language, ocr=ocr, digital_signatures=[], status=status,
        added_at="2024-01-01T00:00:00Z", added_by="tester",
    )
    assert archive.add(path, letter, ["\n".join(lines)])
    return letter


def letter_lines(partner: str, day: int, reply: bool = False) -> list[str]:
    """A short, well-formed outgoing letter (or the partner's reply) to a registered partner."""
    if reply:
        return [f"**{partner}", "1 Example Street, Springfield", "", f"Springfield, {day} November 2017",
                "", "Mr Thorbjørn Jagland", "Secretary General", "Council of Europe",
                "F-67075 Strasbourg Cedex", "", "Dear Secretary General,", "",
                f"Thank you for your letter of {day} November 2017.", "We are glad to join.",
                "", "Yours sincerely,", "", "Jane Example", f"Director, {partner}"]
    return ["**COUNCIL OF EUROPE", "The Secretary General", "", f"Strasbourg, {day} November 2017",
            "", "Ms Jane Example", "Director", partner, "1 Example Street, Springfield", "",
            "Dear Ms Example,", "", "I am pleased to confirm the partnership.", "",
            "Yours sincerely,", "", "Thorbjørn Jagland", "Secretary General"]


def make(folder: Path, name: str, lines: list[str]) -> Path:
    """Write a one-page text PDF."""
    folder.mkdir(parents=True, exist_ok=True)
    return pdfkit.write_text_pdf(folder / name, [lines])


FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def scan(path: Path, lines: list[str], rotate: int = 0) -> Path:
    """An image-only PDF of the lines, as a 300 dpi grey scan, rotated by `rotate` degrees: A4's
    width, as tall as the lines need (a whole A4 page costs OCR a third more CPU, for nothing)."""
    font = ImageFont.truetype(FONT, 36)
    image = Image.new("L", (2480, 440 + 64 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((220, 220 + number * 64), line, font=font, fill=0)
    image.rotate(rotate, expand=True, fillcolor=255).save(path, "PDF", resolution=300)
    return path


LINES = ["COUNCIL OF EUROPE", "", "Strasbourg, 23 May 2018", "", "Ms Ada Example", "Cloudflare, Inc.",
         "", "Dear Ms Example,", "I am pleased to welcome Cloudflare to the partnership.", "",
         "Yours sincerely,", "", "Thorbjorn Jagland", "Secretary General"]


SIGNER = "Pat Example, Digital Partnership Officer"


def throwaway_signer(common_name: str = SIGNER, organisation: str | None = "Example Corp"
                     ) -> signers.SimpleSigner:
    """A signer with a fresh key and a self-signed certificate for that name."""
    # imported here: pyhanko takes half a second to import, and few tests sign
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    name = x509.Name(attributes)
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=365 * 50))
            .sign(key, hashes.SHA256()))
    certificate = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    private = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return signers.SimpleSigner(signing_cert=certificate, signing_key=private,
                                cert_registry=SimpleCertificateStore.from_certs([certificate]))


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in `folder`, by name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def text_of(path: Path) -> str:
    """The text layer of a PDF, all pages."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


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
    """A content stream of 1.5 MB that inflates to 1 GiB of drawing operators."""
    chunk = b"0 0 m " * (1024 * 1024 // 6)
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    # after a full flush the compressor starts afresh: each further chunk compresses to the same
    # bytes, so they are compressed once (compressing the whole gigabyte took 3 s of CPU)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(1024):
        checksum = zlib.adler32(chunk, checksum)
    final = b"\x03\x00"  # an empty last block, then the stream's checksum
    return page_with_stream(first + again * 1023 + final + checksum.to_bytes(4, "big"),
                            b"/Filter /FlateDecode")


#: The real-world PDFs (../shared/realworld-pdfs) only OCR can read, every page or some.
REALWORLD_SCANS = ("imagemagick-ASCII85Decode.pdf", "imagemagick-CCITTFaxDecode.pdf",
                   "imagemagick-images.pdf", "imagemagick-lzw.pdf", "inline-image.pdf",
                   "pdflatex-forms.pdf", "habibi-oneline-cmap.pdf", "habibi.pdf",
                   "grayscale-image.pdf", "output_with_metadata_pymupdf.pdf", "pdfkit.pdf",
                   "cmyk-image.pdf")
#: What the record of the bomb says: its page was weighed, not drawn for OCR.
BOMB_REASON = ("Page 1 could not be read (its drawing instructions weigh over 16 MB, too heavy to "
               "draw); read it in the original.")


def slow_to_draw(fan: int = 10, depth: int = 6) -> bytes:
    """A page of 1.5 KB that draws a form `fan` times, which draws another `fan` times, `depth`
    forms deep: a million half-page triangles to fill. Its drawing instructions weigh little, so
    OCR draws it, and pdftoppm works on it for many minutes: only a time limit stops it."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /XObject << /F 5 0 R >> >> >>"]
    draw = b"/F Do " * fan
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(draw), draw))
    for level in range(depth):
        last = level == depth - 1
        body = b"0 0 m 595 842 l 595 0 l f" if last else draw
        resources = b"" if last else b"/Resources << /XObject << /F %d 0 R >> >> " % (6 + level)
        objects.append(b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] %s/Length %d >>\n"
                       b"stream\n%s\nendstream" % (resources, len(body), body))
    return raw_pdf(objects)


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
