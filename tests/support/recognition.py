"""Letters written as PDFs and recognised; typical outgoing and incoming letter lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pdfkit

from letters.extract import extract
from letters.messages import joined
from letters.recognize import Recognition, recognize
from letters.registry import Registry

TODAY = date(2025, 1, 15)


COE_ADDRESS = ["Avenue de l'Europe", "F-67075 Strasbourg Cedex", "France"]


def read(tmp_path: Path, reg: Registry, lines: list[str], today: date = TODAY,
         second_page: list[str] | None = None) -> Recognition:
    """Write the lines as a PDF, extract its text and recognise it."""
    path = tmp_path / "letter.pdf"
    pages = [lines, second_page] if second_page else [lines]
    path.write_bytes(pdfkit.text_pdf(pages))
    extraction = extract(path)
    assert not extraction.scanned
    return recognize("\n\n".join(extraction.pages), reg, today)


def reasons(found: Recognition) -> list[str]:
    """The reasons for review, in English (as the command line and the JSON say them)."""
    return [str(reason) for reason in found.reasons]


def evidence(found: Recognition, field: str) -> str:
    """How a field was found, in English (as the command line and the JSON say it)."""
    return joined(found.evidence.get(field, []))


def outgoing(dateline: str = "Strasbourg, 8 November 2017", org: str = "Apple Inc.",
             body: str = "I am pleased to welcome you to the partnership with the Council of Europe.",
             signature: tuple[str, ...] = ("Thorbjørn Jagland", "Secretary General"),
             salutation: str = "Dear Ms Larsen,", closing: str = "Yours sincerely,") -> list[str]:
    """A Secretary General's letter to a partner."""
    return ["SPECIMEN – not the original letter", "COUNCIL OF EUROPE", "The Secretary General",
            dateline, "Ms Jane Larsen", "Vice President, Government Affairs", org,
            "1 Market Street", "Springfield", salutation, body,
            "We look forward to our cooperation.", closing, *signature]


def incoming(dateline: str = "Cupertino, November 8, 2017", org: str = "Apple Inc.",
             addressee: tuple[str, ...] = ("Mr Thorbjørn Jagland", "Secretary General"),
             body: str = "Thank you for your letter of 8 November 2017 inviting us to join.",
             signer: tuple[str, ...] = ("Jane Larsen", "Vice President, Government Affairs"),
             salutation: str = "Dear Secretary General,") -> list[str]:
    """A partner's letter to the Secretary General."""
    return ["SPECIMEN – not the original letter", org, "1 Market Street", "Springfield",
            dateline, *addressee, "Council of Europe", *COE_ADDRESS, salutation, body,
            "We are pleased to confirm that we accept the terms of the partnership.",
            "Yours sincerely,", *signer, org]
