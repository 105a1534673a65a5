"""Digital signatures of a PDF: who signed, when, and whether the signed bytes are unchanged.

Integrity only: the signer's certificate is not checked against any trust list (the archive has
none), so a signature tells an archivist that the signed bytes are what was signed, not who
really signed them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import logging
from datetime import UTC
from pathlib import Path
from typing import Any

from letters.models import Signature

UNVERIFIED = "signer not verified against a trust list"
INTACT = f"integrity checked, {UNVERIFIED}"
CHANGED_AFTER = f"signed bytes intact, but the document was changed after signing; {UNVERIFIED}"
ALTERED = "altered: the signed bytes changed after signing"
UNCHECKED = "the signature could not be checked"

# pyHanko logs each untrusted certificate with a traceback; without a handler of the program's
# own these would reach stderr through logging's last resort.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


def validate(path: Path) -> list[Signature]:
    """The signatures embedded in a PDF, each checked for integrity; never raises."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    return validate_bytes(data)


def validate_bytes(data: bytes) -> list[Signature]:
    """`validate` for PDF bytes already in memory; never raises."""
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.fields import enumerate_sig_fields

        reader = PdfFileReader(io.BytesIO(data), strict=False)
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception:  # a broken or encrypted file simply yields no signature
        return []
    found: list[tuple[int, Signature]] = []
    for number, (name, _value, field_ref) in enumerate(fields, start=1):
        label = str(name) if name else f"signature {number}"
        try:
            from pyhanko.sign.validation import EmbeddedPdfSignature

            embedded = EmbeddedPdfSignature(reader, field_ref, name)
            revision = int(embedded.signed_revision)
        except Exception as error:  # the signature value itself is unreadable
            found.append((len(fields) + number, Signature(field=label, signer=None,
                                                          signing_time=None,
                                                          summary=f"{UNCHECKED}: {_reason(error)}")))
            continue
        found.append((revision, _check(embedded, label)))
    return [signature for _, signature in sorted(found, key=lambda pair: pair[0])]


def _check(embedded: Any, field: str) -> Signature:
    signer = _signer(embedded)
    signing_time = _self_reported_time(embedded)
    try:
        status = _run(embedded)
    except Exception as error:  # a malformed signature is reported, not raised
        return Signature(field=field, signer=signer, signing_time=signing_time,
                         summary=f"{UNCHECKED}: {_reason(error)}")
    if status.signer_reported_dt is not None:
        signing_time = _iso(status.signer_reported_dt)
    intact = bool(status.intact and status.valid)
    modified_after = status.coverage is None or status.coverage.name != "ENTIRE_FILE"
    if not intact:
        summary = ALTERED
    elif modified_after:
        summary = CHANGED_AFTER
    else:
        summary = INTACT
    return Signature(field=field, signer=signer, signing_time=signing_time, intact=intact,
                     modified_after=modified_after, summary=summary)


def _run(embedded: Any) -> Any:
    """Validate with an empty trust list (pyHanko runs its own event loop for this)."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    def work() -> Any:
        return validate_pdf_signature(embedded, ValidationContext(trust_roots=[]))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    # Called from inside an event loop (the web server): pyHanko's loop needs its own thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _reason(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def _signer(embedded: Any) -> str | None:
    """The common name of the signer's certificate, else its whole subject."""
    try:
        subject = embedded.signer_cert.subject
    except Exception:
        return None
    try:
        common_name = subject.native.get("common_name")
        if common_name:
            return str(common_name)
        return str(subject.human_friendly) or None
    except Exception:
        return None


def _self_reported_time(embedded: Any) -> str | None:
    try:
        moment = embedded.self_reported_timestamp
    except Exception:
        return None
    return _iso(moment) if moment is not None else None


def _iso(moment: Any) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
        return str(moment.replace(microsecond=0).isoformat().replace("+00:00", "Z"))
    return str(moment.replace(microsecond=0).isoformat())
