"""Text, metadata and signature fields of a PDF, read with pypdf (no OCR here)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import (
    DependencyError,
    EmptyFileError,
    FileNotDecryptedError,
    LimitReachedError,
    PdfReadError,
    PdfStreamError,
    WrongPasswordError,
)
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from letters.errors import Explained
from letters.messages import msg
from letters.models import Signature
from letters.textnorm import normalize

# pypdf reports what it repairs through logging; without a handler Python prints it on stderr.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

HEADER_WINDOW = 1024
#: Fewer meaningful characters than this on a page means it has no usable text layer.
MIN_PAGE_CHARS = 10
#: Fewer meaningful characters than this in the whole document means it is a scan.
MIN_DOCUMENT_CHARS = 20
_MEANINGFUL = re.compile(r"\w", re.UNICODE)
# The specimen banner is real text even on a scanned specimen; it does not make a text layer.
_BANNER = re.compile(r"^\s*SP[EÉ]CIMEN\b.*$", re.IGNORECASE | re.MULTILINE)
_PDF_DATE = re.compile(
    r"^D?:?(?P<y>\d{4})(?P<mo>\d{2})?(?P<d>\d{2})?(?P<h>\d{2})?(?P<mi>\d{2})?(?P<s>\d{2})?"
    r"(?P<tz>[Zz]|[+-]\d{2}'?(?:\d{2}'?)?)?"
)
_INFO_KEYS = {
    "/Title": "title", "/Author": "author", "/Subject": "subject", "/Keywords": "keywords",
    "/Producer": "producer", "/Creator": "creator",
}
_INFO_DATES = {"/CreationDate": "creation_date", "/ModDate": "modification_date"}


class ExtractionError(Explained):
    """A file that cannot be read as a PDF; its message says why (str(error): in English)."""


@dataclass
class Extraction:
    """What a PDF's text layer, metadata and signature fields hold."""

    pages: list[str]
    page_count: int
    metadata: dict[str, str] = field(default_factory=dict)
    signatures: list[Signature] = field(default_factory=list)
    textless_pages: list[int] = field(default_factory=list)

    @property
    def scanned(self) -> bool:
        """Whether no page has a usable text layer (the text must come from OCR)."""
        if self.page_count == 0:
            return False
        if len(self.textless_pages) == self.page_count:
            return True
        return meaningful_chars("\n".join(self.pages)) < MIN_DOCUMENT_CHARS


def check_pdf_header(first_bytes: bytes) -> bool:
    """Whether '%PDF-' occurs within the first 1024 bytes."""
    return b"%PDF-" in first_bytes[:HEADER_WINDOW]


def meaningful_chars(text: str) -> int:
    """How many letters and digits a text holds, the specimen banner aside."""
    return len(_MEANINGFUL.findall(_BANNER.sub("", text)))


def extract(path: Path) -> Extraction:
    """Read a PDF's text per page, metadata and signature fields; raise ExtractionError if unreadable."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ExtractionError(
            msg("refusal.unreadable", why=_short(error.strerror or str(error)))) from None
    if not data:
        raise ExtractionError(msg("refusal.empty"))
    if not check_pdf_header(data):
        raise ExtractionError(msg("refusal.not_pdf"))
    try:
        return _extract(data)
    except ExtractionError:
        raise
    except (WrongPasswordError, FileNotDecryptedError):
        raise ExtractionError(msg("refusal.encrypted")) from None
    except DependencyError as error:
        raise ExtractionError(msg("refusal.unsupported", why=_short(error))) from None
    except LimitReachedError:
        raise ExtractionError(msg("refusal.too_large_or_deep")) from None
    except (EmptyFileError, PdfStreamError, PdfReadError) as error:
        if _truncated(data):
            raise ExtractionError(msg("refusal.truncated")) from None
        raise ExtractionError(msg("refusal.pypdf_failed", why=_short(error))) from None
    except RecursionError:
        raise ExtractionError(msg("refusal.loops")) from None
    except Exception as error:  # any other failure of the parser is a damaged file, not a crash
        raise ExtractionError(msg("refusal.pypdf_failed", why=_short(error))) from None


def _extract(data: bytes) -> Extraction:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise ExtractionError(msg("refusal.encrypted"))
    count = len(reader.pages)
    if count == 0:
        raise ExtractionError(msg("refusal.no_pages"))
    pages: list[str] = []
    textless: list[int] = []
    for number, page in enumerate(reader.pages):
        try:
            text = normalize(page.extract_text() or "")
        except Exception:  # one unreadable page does not make the letter unreadable
            text = ""
        pages.append(text)
        if meaningful_chars(text) < MIN_PAGE_CHARS:
            textless.append(number)
    return Extraction(pages=pages, page_count=count, metadata=_metadata(reader),
                      signatures=_signatures(reader), textless_pages=textless)


def _truncated(data: bytes) -> bool:
    tail = data[-HEADER_WINDOW:]
    return b"startxref" not in data or (b"%%EOF" not in tail and b"xref" not in tail)


def _short(error: BaseException | str) -> str:
    text = " ".join(str(error).split()).rstrip(".") or type(error).__name__
    if len(text) > 100:
        text = text[:97] + "..."
    return text[0].lower() + text[1:] if text[:2] != text[:2].upper() else text


# -- metadata ------------------------------------------------------------------------------

def pdf_date_to_iso(value: str) -> str | None:
    """A PDF date ("D:20171108120000+01'00'") as ISO 8601, or None if it is not one."""
    match = _PDF_DATE.match(value.strip())
    if not match:
        return None
    parts = match.groupdict()
    iso = parts["y"]
    if parts["mo"]:
        iso += f"-{parts['mo']}"
        if parts["d"]:
            iso += f"-{parts['d']}"
            if parts["h"]:
                iso += f"T{parts['h']}:{parts['mi'] or '00'}:{parts['s'] or '00'}"
                iso += _tz(parts["tz"])
    if not _plausible(iso):
        return None
    return iso


def _tz(raw: str | None) -> str:
    if not raw:
        return ""
    if raw in "Zz":
        return "Z"
    digits = raw[1:].replace("'", "")
    return f"{raw[0]}{digits[:2]}:{digits[2:4] or '00'}"


def _plausible(iso: str) -> bool:
    month = iso[5:7]
    day = iso[8:10]
    return (not month or 1 <= int(month) <= 12) and (not day or 1 <= int(day) <= 31)


def _clean(value: Any) -> str | None:
    text = str(value).replace("\x00", "").strip()
    return text or None


def _metadata(reader: PdfReader) -> dict[str, str]:
    found: dict[str, str] = {}
    try:
        info = reader.metadata
        items = list(info.items()) if info else []
    except Exception:  # a broken /Info must not stop extraction
        items = []
    for key, raw in items:
        try:
            value = _clean(raw.get_object() if isinstance(raw, IndirectObject) else raw)
        except Exception:
            continue
        if value is None:
            continue
        if key in _INFO_KEYS:
            found[_INFO_KEYS[key]] = value
        elif key in _INFO_DATES and (iso := pdf_date_to_iso(value)):
            found[_INFO_DATES[key]] = iso
    for key, value in _xmp(reader):
        found.setdefault(key, value)
    return found


def _xmp(reader: PdfReader) -> Iterator[tuple[str, str]]:
    try:
        xmp = reader.xmp_metadata
    except Exception:  # broken XMP is ignored like broken /Info
        return
    if xmp is None:
        return
    readers: list[tuple[str, Any]] = [
        ("title", lambda: _lang_alt(xmp.dc_title)),
        ("author", lambda: _joined(xmp.dc_creator)),
        ("subject", lambda: _lang_alt(xmp.dc_description)),
        ("keywords", lambda: xmp.pdf_keywords),
        ("producer", lambda: xmp.pdf_producer),
        ("creator", lambda: xmp.xmp_creator_tool),
        ("creation_date", lambda: xmp.xmp_create_date),
        ("modification_date", lambda: xmp.xmp_modify_date),
    ]
    for key, read in readers:
        try:
            value = read()
        except Exception:
            continue
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        text = _clean(value) if value is not None else None
        if text:
            yield key, text


def _lang_alt(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("x-default") or next(iter(value.values()), None)
    return None if value is None else str(value)


def _joined(value: Any) -> str | None:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value if str(v).strip()) or None
    return None if value is None else str(value)


# -- signature fields ----------------------------------------------------------------------

def _signatures(reader: PdfReader) -> list[Signature]:
    try:
        return list(_signature_fields(reader))
    except Exception:  # signature fields are a bonus; a damaged form never stops extraction
        return []


def _signature_fields(reader: PdfReader) -> Iterator[Signature]:
    root = reader.root_object
    usage_rights = _usage_rights_ids(root)
    seen: set[int] = set()
    acroform = root.get("/AcroForm")
    acroform = acroform.get_object() if acroform is not None else None
    fields = acroform.get("/Fields") if isinstance(acroform, DictionaryObject) else None
    if isinstance(fields, IndirectObject):
        fields = fields.get_object()
    candidates: list[tuple[str, DictionaryObject]] = []
    if isinstance(fields, ArrayObject):
        candidates.extend(_walk_fields(fields, "", depth=0))
    for page in reader.pages:
        annots = page.get("/Annots")
        if isinstance(annots, IndirectObject):
            annots = annots.get_object()
        if isinstance(annots, ArrayObject):
            for annot in annots:
                node = annot.get_object()
                if isinstance(node, DictionaryObject) and node.get("/FT") == "/Sig":
                    candidates.append((_text(node.get("/T")) or "", node))
    for name, node in candidates:
        value_ref = node.get("/V")
        if value_ref is None:
            continue
        key = value_ref.idnum if isinstance(value_ref, IndirectObject) else id(value_ref)
        value = value_ref.get_object()
        if key in seen or key in usage_rights or not isinstance(value, DictionaryObject):
            continue
        if "/ByteRange" not in value:
            continue
        seen.add(key)
        signing_time = _text(value.get("/M"))
        yield Signature(
            field=name or f"Signature{len(seen)}",
            signer=_text(value.get("/Name")) or _certificate_signer(value.get("/Contents")),
            signing_time=pdf_date_to_iso(signing_time) if signing_time else None,
        )


def _walk_fields(
    fields: ArrayObject, prefix: str, depth: int
) -> Iterator[tuple[str, DictionaryObject]]:
    if depth > 32:
        return
    for ref in fields:
        node = ref.get_object()
        if not isinstance(node, DictionaryObject):
            continue
        partial = _text(node.get("/T"))
        name = f"{prefix}.{partial}" if prefix and partial else (partial or prefix)
        if node.get("/FT") == "/Sig" or (node.get("/V") is not None and _is_sig_value(node)):
            yield name, node
        kids = node.get("/Kids")
        if isinstance(kids, IndirectObject):
            kids = kids.get_object()
        if isinstance(kids, ArrayObject):
            yield from _walk_fields(kids, name, depth + 1)


def _is_sig_value(node: DictionaryObject) -> bool:
    value = node["/V"].get_object()
    return isinstance(value, DictionaryObject) and value.get("/Type") == "/Sig"


def _usage_rights_ids(root: DictionaryObject) -> set[int]:
    """Object numbers of usage-rights signatures (/Perms /UR3, /UR): an application's, not a signer's."""
    perms = root.get("/Perms")
    perms = perms.get_object() if perms is not None else None
    ids: set[int] = set()
    if isinstance(perms, DictionaryObject):
        for key in ("/UR3", "/UR"):
            ref = perms.raw_get(key) if key in perms else None
            if isinstance(ref, IndirectObject):
                ids.add(ref.idnum)
    return ids


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return _clean(value)


def _certificate_signer(contents: Any) -> str | None:
    """The common name of the signer's certificate in a CMS /Contents, if it can be read cheaply."""
    try:
        from asn1crypto import cms

        value = contents.get_object() if isinstance(contents, IndirectObject) else contents
        if not isinstance(value, bytes):
            return None
        raw = bytes(value)
        info = cms.ContentInfo.load(raw, strict=False)
        signed = info["content"]
        signer_id = signed["signer_infos"][0]["sid"]
        for choice in signed["certificates"]:
            cert = choice.chosen
            if signer_id.name == "issuer_and_serial_number":
                wanted = signer_id.chosen
                if cert.issuer != wanted["issuer"] or cert.serial_number != wanted["serial_number"].native:
                    continue
            elif cert.key_identifier != signer_id.chosen.native:
                continue
            name = cert.subject.native.get("common_name")
            return str(name) if name else cert.subject.human_friendly
    except Exception:
        return None
    return None
