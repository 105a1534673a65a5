"""The founding-documents bundle of a partner: a zipped BagIt bag, verifiable without this program.

    <slug>-founding-documents/
        bagit.txt, bag-info.txt          BagIt declaration; partner, completeness, who, when
        manifest-sha256.txt              `sha256sum -c manifest-sha256.txt` checks the payload
        tagmanifest-sha256.txt           `sha256sum -c tagmanifest-sha256.txt` checks the tag files
        data/originals/<date>-<sender>-<id>.pdf   the original PDFs, byte for byte
        data/records.json, records.csv   the letters' records
        data/exchange.json               the exchange: partner, letters, complete or not, why not
        data/histories/<id>.jsonl        every change made to each record
        data/audit-events.jsonl          the audit events that mention these letters
        data/provenance.json             per letter its history and audit events, who confirmed
                                         the exchange and when, the last fixity check
        data/README.txt                  how to verify the bundle

Each original is packed only once its copy in the bag is re-hashed and found to be the one archived
(`originals.check`): an altered or missing original refuses the export (`OriginalsAltered`, naming
each letter), so no bag's manifest is ever computed over bytes the archive did not receive.

The bag is written by hand (the `bagit` package's writer changes the process's working
directory, which a web server's threads cannot share) and checked with `bagit` before zipping.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bagit

from letters.archive import HISTORY, Archive, now_iso
from letters.errors import NotFound
from letters.fsutil import atomic_output, sha256_of
from letters.models import Letter
from letters.pairing import exchanges
from letters.pairing.exchanges import Exchange
from letters.parts import letter_of
from letters.preservation import audit, originals

if TYPE_CHECKING:
    from letters.catalog import Catalog
    from letters.registry import Registry

CSV_FIELDS = ("id", "file", "sha256", "filename", "date", "direction", "partner", "signatory",
              "signed_by", "language", "pages", "ocr", "status", "title", "digital_signatures",
              "added_at", "added_by")
SENDER = {"outgoing": "secretary-general", "incoming": "partner"}
README = """\
Founding documents of a Digital Partnership partner of the Council of Europe: the exchange of
letters by which it joined, exported from the archive of exchange-of-letters agreements.

This directory is a BagIt bag (RFC 8493). bag-info.txt names the partner and says whether the
exchange is complete. To check that every file is intact, run in the bag's directory:

    sha256sum -c manifest-sha256.txt
    sha256sum -c tagmanifest-sha256.txt

originals/ holds the letters exactly as they were archived; records.json and records.csv describe
them; histories/ lists every correction made to each record; audit-events.jsonl holds the audit
events that mention these letters.
"""


class NothingToExport(NotFound):
    """A registered partner whose founding documents are not in the archive."""


#: Characters of a slug kept in file names (a registry written by hand may hold longer slugs,
#: and a file name is at most 255 bytes).
NAME_SLUG = 64
#: Characters a spreadsheet reads as the start of a formula in a CSV cell.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def bag_root(slug: str) -> str:
    """The directory the bag is zipped under."""
    return f"{slug[:NAME_SLUG].rstrip('-')}-founding-documents"


def bundle_name(slug: str) -> str:
    """The file name a bundle is offered under."""
    return f"{bag_root(slug)}.zip"


def export_bundle(archive: Archive, catalog: Catalog, names: Registry, slug: str, out: Path,
                  by: str, address: str | None = None,
                  last_check: dict[str, Any] | None = None) -> Path:
    """Write the founding-documents bundle of a partner to `out` (a zip) and record the export
    in the archive's audit log; `last_check` is the last fixity report (with `by`), for the
    provenance. originals.OriginalsAltered when an original is not the one archived."""
    exchange = exchanges.founding_documents_for(names, catalog, slug)
    partner = names.partner(slug)
    assert partner is not None  # founding_documents_for raised NotFound otherwise
    if exchange is None:
        raise NothingToExport(f"The partner '{slug}' has no letters in the archive, so there are "
                              "no founding documents to export.")
    chosen = [letter_of(archive, i) for i in exchange.ids()]  # the records as the archive has them
    root = bag_root(slug)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="letters-export-") as scratch:
        bag = Path(scratch) / root
        provenance = _write_payload(archive, bag / "data", partner.name, exchange, chosen,
                                    last_check)
        _write_tags(bag, _bag_info(partner.name, slug, exchange, by, provenance))
        bagit.Bag(str(bag)).validate()
        _zip(bag, root, out)
    audit.record(archive.root, "export", by,
                 {"partner": slug, "ids": exchange.ids(), "complete": exchange.complete,
                  "file": out.name, "sha256": sha256_of(out)}, address)
    return out


def _write_payload(archive: Archive, data: Path, name: str, exchange: Exchange,
                   letters: list[Letter], last_check: dict[str, Any] | None) -> dict[str, Any]:
    """The payload; the provenance it holds (data/provenance.json)."""
    (data / "originals").mkdir(parents=True)
    (data / "histories").mkdir()
    files: dict[str, str] = {}
    problems = []
    for letter in letters:
        target = data / "originals" / _original_name(letter)
        shutil.copyfile(archive.original_path(letter.id), target)
        packed = originals.check(archive, letter, target, originals.in_words(letter, name))
        if packed.problem is not None:
            problems.append(packed.problem)
        files[letter.id] = target.relative_to(data.parent).as_posix()
        shutil.copyfile(packed.path.parent / HISTORY, data / "histories" / f"{letter.id}.jsonl")
    if problems:
        raise originals.refusal(name, problems)
    records = [{**letter.to_json(), "file": files[letter.id]} for letter in letters]
    _write_json(data / "records.json", records)
    (data / "records.csv").write_bytes(_csv(records))
    _write_json(data / "exchange.json", {**exchange.to_json(), "partner_name": name,
                                         "missing": exchange.missing()})
    ids = exchange.ids()
    events = [e for e in audit.events(archive.root) if _mentions(e, ids)]
    _write_lines(data / "audit-events.jsonl", events)
    provenance = _provenance(archive, exchange, letters, events, last_check)
    _write_json(data / "provenance.json", provenance)
    (data / "README.txt").write_text(README, encoding="utf-8")
    return provenance


def _provenance(archive: Archive, exchange: Exchange, letters: list[Letter],
                events: list[dict[str, Any]], last_check: dict[str, Any] | None
                ) -> dict[str, Any]:
    """Where each letter comes from and what happened to it, who confirmed the exchange and
    when, and when the archive was last checked."""
    checked_at = now_iso()
    histories = {letter.id: archive.history(letter.id) for letter in letters}
    linked = sorted((str(e.get("at") or ""), str(e.get("by") or ""))
                    for history in histories.values() for e in history
                    if e.get("action") == "linked" and e.get("by") == exchange.confirmed_by)
    return {
        "exchange": {"how": exchange.how, "confirmed_by": exchange.confirmed_by,
                     "confirmed_at": linked[-1][0] if exchange.confirmed_by and linked else None},
        "letters": [{"id": letter.id, "sha256": letter.sha256, "original_checked_at": checked_at,
                     "history": histories[letter.id],
                     "audit_events": [e for e in events if _mentions(e, [letter.id])]}
                    for letter in letters],
        "last_fixity_check": None if last_check is None else {
            "at": last_check.get("at"), "by": last_check.get("by"),
            "checked": last_check.get("checked"), "ok": last_check.get("ok"),
            "problems": len(last_check.get("problems") or [])},
    }


def _confirmation(exchange: Exchange) -> str:
    """Who confirmed the pairing, in words."""
    if exchange.confirmed_by:
        return exchange.confirmed_by
    if exchange.how == "automatic":
        return "nobody: paired automatically, not confirmed by a person"
    return "nobody: an archivist took the letter out of its exchange"


def _bag_info(name: str, slug: str, exchange: Exchange, by: str,
              provenance: dict[str, Any]) -> dict[str, str]:
    missing = exchange.missing()
    confirmed_at = provenance["exchange"]["confirmed_at"]
    last = provenance["last_fixity_check"]
    info = {
        "Source-Organization": "Council of Europe",
        "External-Identifier": f"letters:founding-documents:{slug}",
        "External-Description": f"Founding documents of the Digital Partnership with {name}: "
                                "the exchange of letters by which it joined.",
        "Partner": name,
        "Partner-Slug": slug,
        "Exchange-Date": exchange.date or "unknown",
        "Exchange-Complete": "yes" if exchange.complete else "no",
        "Exchange-Pairing": exchange.how,
        "Exchange-Confirmed-By": _confirmation(exchange),
        "Exchange-Confirmed-At": confirmed_at or "not confirmed by a person",
        "Originals-Checked": f"each original re-hashed against the SHA-256 it was archived under "
                             f"at {now_iso()}: intact",
        "Last-Fixity-Check": (f"{last['at']} by {last['by'] or 'unknown'}: {last['checked']} "
                              f"letters, {last['problems']} problems" if last else
                              "the archive was never checked"),
        "Letters": " ".join(exchange.ids()),
        "Exported-By": by,
        "Export-Date": now_iso(),
        "Bagging-Date": datetime.now(UTC).date().isoformat(),
        "Bag-Software-Agent": "letters (Council of Europe exchange-of-letters archive)",
    }
    if missing:
        info["Exchange-Note"] = (f"The exchange is incomplete: {missing}; only the letter that "
                                 "is archived is included.")
    return info


def _write_tags(bag: Path, info: dict[str, str]) -> None:
    """bagit.txt, the payload manifest, bag-info.txt and the tag manifest, sha256sum format."""
    payload = sorted(p for p in (bag / "data").rglob("*") if p.is_file())
    lines = [f"{sha256_of(p)}  {p.relative_to(bag).as_posix()}\n" for p in payload]
    size = sum(p.stat().st_size for p in payload)
    (bag / "manifest-sha256.txt").write_text("".join(lines), encoding="utf-8")
    (bag / "bagit.txt").write_text("BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n",
                                   encoding="utf-8")
    info = {**info, "Payload-Oxum": f"{size}.{len(payload)}"}
    text = "".join(f"{key}: {' '.join(value.split())}\n" for key, value in info.items())
    (bag / "bag-info.txt").write_text(text, encoding="utf-8")
    tags = ("bagit.txt", "bag-info.txt", "manifest-sha256.txt")
    (bag / "tagmanifest-sha256.txt").write_text(
        "".join(f"{sha256_of(bag / t)}  {t}\n" for t in tags), encoding="utf-8")


def _zip(bag: Path, root: str, out: Path) -> None:
    """Zip the bag under `root/`, replacing `out` in one step."""
    with atomic_output(out) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(bag.rglob("*")):
            if path.is_file():
                archive.write(path, f"{root}/{path.relative_to(bag).as_posix()}")


def _original_name(letter: Letter) -> str:
    sender = SENDER.get(letter.direction or "", "unknown-sender")
    return f"{letter.date or 'undated'}-{sender}-{letter.id}.pdf"


def _mentions(event: dict[str, Any], ids: list[str]) -> bool:
    what = json.dumps(event.get("what") or {}, ensure_ascii=False)
    return any(i in what for i in ids)


def _csv(records: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for record in records:
        row = dict(record)
        row["digital_signatures"] = "; ".join(
            f"{s.get('signer') or 'unknown signer'} ({s.get('summary') or 'not checked'})"
            for s in record.get("digital_signatures", []))
        row["ocr"] = "yes" if record.get("ocr") else "no"
        writer.writerow({k: _cell(row.get(k)) for k in CSV_FIELDS})
    return buffer.getvalue().encode("utf-8")


def _cell(value: Any) -> Any:
    """A CSV value a spreadsheet shows as text: one starting like a formula gets a leading quote
    (OWASP's advice against CSV injection); records.json keeps the value as it is."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                    encoding="utf-8")


def _write_lines(path: Path, items: list[dict[str, Any]]) -> None:
    # sorted keys, no ASCII escaping: the very lines of the audit log, so `prev` digests still hold
    path.write_text("".join(json.dumps(i, ensure_ascii=False, sort_keys=True) + "\n"
                            for i in items), encoding="utf-8")
