"""Typed records shared by every part of the program."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, get_args

from letters.messages import Message, joined, parts_from_record, parts_to_record, written

Direction = Literal["outgoing", "incoming"]
Status = Literal["ok", "needs_review", "set_aside"]
#: The kinds of reason for setting a letter aside an archivist may pick (their labels are the
#: catalogs' `aside.reason.<kind>`); any other reason is the archivist's own words.
ASIDE_REASONS = ("not_a_letter", "copy", "withdrawn")
#: The kinds of partner: the one definition (their labels are the catalogs' `kind.<kind>`).
Kind = Literal["company", "association"]
KINDS: tuple[Kind, ...] = get_args(Kind)

def status_of(reasons: Sequence[object]) -> Status:
    """A record's status: "ok" when nothing needs an archivist's eye, else "needs_review"."""
    return "needs_review" if reasons else "ok"


#: Fields of a record that an archivist may correct (PATCH /api/letters/{id}).
CORRECTABLE = ("partner", "signatory", "date", "direction", "language", "signed_by", "title")


def is_iso_date(value: str) -> bool:
    """Whether `value` is a real date written YYYY-MM-DD."""
    try:
        return len(value) == 10 and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


@dataclass
class Name:
    """A name a partner is or was known by, with the dates it was in use (ISO, inclusive)."""

    name: str
    since: str | None = None
    until: str | None = None


@dataclass
class Partner:
    """A company or association of the Digital Partnership."""

    slug: str
    name: str
    kind: Kind
    aliases: list[Name] = field(default_factory=list)
    joined: str | None = None
    joined_status: Literal["verified", "unverified", "unknown"] = "verified"
    signatory: str | None = None  # slug of the Secretary General who signed its joining letter
    name_since: str | None = None  # when the current name came into use, if it replaced another

    def names(self) -> list[Name]:
        """The current name first, then every alias and former name."""
        return [Name(self.name, since=self.name_since), *self.aliases]


@dataclass
class SecretaryGeneral:
    """A Secretary General of the Council of Europe and the term of office."""

    slug: str
    name: str
    variants: list[str]
    term_start: str
    term_end: str | None = None

    def in_office(self, iso_date: str) -> bool:
        """Whether this Secretary General held office on that date."""
        return self.term_start <= iso_date and (self.term_end is None or iso_date <= self.term_end)


@dataclass
class Round:
    """A round of signature: a date, the Secretary General, the partners who joined."""

    date: str
    signatory: str
    partners: list[str]


@dataclass
class Signature:
    """A digital signature field found in a PDF."""

    field: str
    signer: str | None
    signing_time: str | None
    intact: bool | None = None  # whether the signed bytes are unchanged (None: not checked)
    modified_after: bool | None = None
    summary: str | None = None


#: The recognised title of a letter recognition gave no title (stored as "").
NO_TITLE = written("")


@dataclass
class Letter:
    """The record of one archived letter (the JSON of INTERFACE.md, plus evidence and reasons)."""

    id: str
    sha256: str
    filename: str
    pages: int
    partner: str | None
    signatory: str | None
    signed_by: str | None
    date: str | None
    direction: Direction | None
    language: str
    ocr: bool
    digital_signatures: list[Signature]
    status: Status
    added_at: str
    added_by: str
    title: str | None = None
    reasons: list[Message] = field(default_factory=list)
    evidence: dict[str, list[Message]] = field(default_factory=dict)
    confirmed: list[str] = field(default_factory=list)
    ocr_confidence: float | None = None
    exchange: str | None = None  # id of the other letter of the same exchange
    pdf_metadata: dict[str, str] = field(default_factory=dict)  # /Info and XMP, as the file says
    # the title as recognition said it (`NO_TITLE` when it gave none; None in records made before
    # titles had codes); `title` is its English until an archivist corrects it
    recognised_title: Message | None = None
    # set aside: why (a kind of ASIDE_REASONS or the archivist's words), and the status it had
    aside_reason: str | None = None
    aside_from: Status | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as the JSON answers and the command line show it: reasons and evidence in
        English sentences, the title as its English."""
        out = self._fields()  # what `asdict` gave, without its deep copies (47 -> 5 us a record)
        out["reasons"] = [str(reason) for reason in self.reasons]
        out["evidence"] = {key: joined(parts) for key, parts in self.evidence.items()}
        return out

    def _fields(self) -> dict[str, Any]:
        """The record's fields in order, the recognised title left out, the lists and dicts
        copied (their reasons and evidence as they are, for the caller to write)."""
        out = {name: getattr(self, name) for name in _LETTER_FIELDS}
        out["digital_signatures"] = [{name: getattr(s, name) for name in _SIGNATURE_FIELDS}
                                     for s in self.digital_signatures]
        out["confirmed"] = list(self.confirmed)
        out["pdf_metadata"] = dict(self.pdf_metadata)
        return out

    def to_record(self) -> dict[str, Any]:
        """The record as it is stored (record.json, its history, the catalog, the index):
        reasons, evidence and the recognised title as codes with parameters (an old record's
        sentences as they were)."""
        out = self._fields()  # asdict, without its deep copies: at 100,000 records it counts
        if self.recognised_title is not None:
            out["recognised_title"] = self.recognised_title.to_record()
        out["reasons"] = [reason.to_record() for reason in self.reasons]
        out["evidence"] = {key: parts_to_record(parts) for key, parts in self.evidence.items()}
        return out

    def said_title(self) -> Message | str | None:
        """The title to show: recognition's message while `title` is still its English, else
        `title` (an archivist's text, or an old record's English sentence)."""
        if self.recognised_title is not None and str(self.recognised_title) == self.title:
            return self.recognised_title
        return self.title

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Letter:
        """Read a record back (stored, or as `to_json` wrote it: English sentences), tolerating
        fields added by later versions."""
        known = cls.__dataclass_fields__  # a dict: `in` asks it as a set would
        values = {k: v for k, v in data.items() if k in known}
        values["digital_signatures"] = [Signature(**s) for s in data.get("digital_signatures", [])]
        values["reasons"] = [Message.from_record(r) for r in data.get("reasons") or []]
        values["evidence"] = {str(k): parts_from_record(v)
                              for k, v in (data.get("evidence") or {}).items()}
        said = data.get("recognised_title")
        values["recognised_title"] = None if said is None else Message.from_record(said)
        return cls(**values)


#: The fields of a record in order, as `to_record` writes them (the recognised title last).
_LETTER_FIELDS = tuple(name for name in Letter.__dataclass_fields__ if name != "recognised_title")
_SIGNATURE_FIELDS = tuple(Signature.__dataclass_fields__)


@dataclass
class IngestResult:
    """The answer for one input file of an ingest."""

    path: str
    result: Literal["added", "duplicate", "rejected"]
    letter: Letter | None = None
    refusal: Message | None = None

    @property
    def error(self) -> str | None:
        """Why the file was rejected, in English."""
        return None if self.refusal is None else str(self.refusal)

    def to_json(self) -> dict[str, Any]:
        """One line of `ingest --json`: the record fields plus path, result, and the error (and
        its code) of a rejected file."""
        out: dict[str, Any] = self.letter.to_json() if self.letter else {}
        out["path"] = self.path
        out["result"] = self.result
        if self.refusal is not None:
            out["error"] = self.error
            if self.refusal.code:
                out["code"] = self.refusal.code
        return out
