"""The JSON API as a contract: the shapes of its answers and bodies, its errors, its security.

The answers' models are derived from the domain's dataclasses (`derived`: their fields, in
their order, with their types; only what the JSON adds, drops or retypes is written here). Each
route declares its model (`answers`) as its `response_model` and returns its typed answer
(`answer`), and FastAPI writes the JSON and the document from that one model, leaving out what an
answer did not set, so the JSON is byte for byte what the records' `to_json` made
(tests/test_web_contract.py compares every answer with a golden file). The JSON bodies are read
into their models (`jsonbody.json_model`); schemathesis checks the server against the document.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Literal, get_type_hints

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model
from pydantic.json_schema import models_json_schema

from letters import models
from letters.curation import review
from letters.models import CORRECTABLE, Kind
from letters.pairing import exchanges
from letters.preservation import fixity
from letters.search import SearchResult
from letters.settings import Settings

#: What each error status means in the API, for the document.
ERRORS = {
    400: "The request is malformed (a query, a parameter, a body); `detail` says what is wrong.",
    401: "No credentials, or a token that is not valid: send `Authorization: Bearer TOKEN`.",
    403: "The user's role does not allow this (or a browser session sent no CSRF token).",
    404: "There is no letter, partner or report at this address.",
    408: "The body arrived too slowly (a long pause, or a trickle): send it again.",
    409: "The state does not allow this: the letter is not in the state this asks of it (set aside "
         "already, or not set aside), or an original is no longer the one archived (no bundle is "
         "made); `detail` says which.",
    413: "The body is larger than the server accepts.",
    415: "Not a PDF, or not multipart/form-data.",
    422: "The request is well formed but cannot be carried out; `detail` says why.",
    503: "Not now: the search index needs rebuilding (`letters reindex` or a restart), the "
         "upload queue is full, or another writer holds the archive too long (try again after "
         "`Retry-After` seconds), or the audit log refuses to record (it no longer agrees with "
         "its head: an auditor runs `letters audit verify`).",
}
#: The header of a 503 saying when to try again (sent when the server is busy, not when the
#: index or the audit log needs a person).
RETRY_AFTER = {"description": "seconds to wait before trying again", "required": False,
               "schema": {"type": "integer", "minimum": 0}}
PDF_FIELD = "file"
#: The schema of a query parameter holding a date (surrounding spaces and "" are ignored).
DATE = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "pattern": r"^\s*$"}]}


def choice(*alternatives: str) -> dict[str, Any]:
    """The schema of a query parameter taking one of these values (or regular expressions);
    surrounding spaces and "" are ignored."""
    return {"pattern": rf"^\s*({'|'.join(alternatives)})?\s*$"}


#: The schema of a whole number from 1 written in at most 9 digits (leading zeros included).
FROM_ONE = choice(*(f"0{{{zeros}}}[1-9][0-9]{{0,{8 - zeros}}}" for zeros in range(9)))
#: The schema of a page size from 1 to 1000 (the lists that grow with the archive).
ONE_TO_THOUSAND = choice("0{0,8}[1-9]", "0{0,7}[1-9][0-9]", "0{0,6}[1-9][0-9]{2}", "0{0,5}1000")


def one_of(*values: str) -> dict[str, Any]:
    """`choice` of these literal values."""
    return choice(*(re.escape(v) for v in values))


class _Shape(BaseModel):
    """A JSON object with exactly these keys."""

    model_config = ConfigDict(extra="forbid")


class _Body(BaseModel):
    """A JSON request body: fields it does not name are ignored (as they always were)."""

    model_config = ConfigDict(extra="ignore")


class Problem(_Shape):
    """An error: one plain sentence."""

    detail: str
    code: str | None = Field(None, description="the code of the sentence, when the domain said "
                             "it (e.g. `query.unbalanced_quote`): the same whatever the language")


def derived(source: type, name: str, doc: str | None = None, *, drop: Collection[str] = (),
            types: Mapping[str, Any] | None = None, after: Mapping[str, Mapping[str, Any]] | None
            = None, optional: Collection[str] | Mapping[str, Any] = (),
            described: Mapping[str, str] | None = None,
            base: type[BaseModel] = _Shape) -> type[BaseModel]:
    """The model of a domain dataclass's JSON, made from its fields (in their order, with their
    types) rather than written again: `drop` the fields the JSON leaves out, give some the
    `types` their JSON has, add fields `after` one of them (`""`: at the end), make some
    `optional` (absent in older answers; a mapping gives their defaults, else None),
    `described`."""
    hints = get_type_hints(source)
    types, after, described = dict(types or {}), dict(after or {}), dict(described or {})
    fields: dict[str, Any] = {}

    def add(field: str, kind: Any) -> None:
        default = (... if field not in optional
                   else optional[field] if isinstance(optional, Mapping) else None)
        fields[field] = (kind, Field(default, description=described.get(field)))
        for more, more_kind in after.get(field, {}).items():
            add(more, more_kind)

    for field in dataclasses.fields(source):
        if field.name not in drop:
            add(field.name, types.get(field.name, hints[field.name]))
    for more, kind in after.get("", {}).items():
        add(more, kind)
    model: type[BaseModel] = create_model(name, __base__=base, __module__=__name__, **fields)
    model.__doc__ = doc or source.__doc__
    return model


Signature = derived(models.Signature, "Signature")
LetterRecord = derived(
    models.Letter, "LetterRecord", drop={"recognised_title"},
    types={"reasons": list[str], "evidence": dict[str, str],
           "digital_signatures": list[Signature]},  # type: ignore[valid-type]
    optional={"aside_reason", "aside_from"},
    described={"exchange": "a manual link: the other letter's id; '' unlinked by hand; null "
                           "paired automatically",
               "aside_reason": "set aside: why (not_a_letter, copy, withdrawn, or an "
                               "archivist's words)",
               "aside_from": "set aside: the status it goes back to when restored"})


class LetterWithText(LetterRecord):  # type: ignore[valid-type,misc]
    """A record and the letter's text (pages separated by form feeds)."""

    text: str


class SearchHit(LetterRecord):  # type: ignore[valid-type,misc]
    """A record and its snippet (escaped HTML, matched terms in <mark>)."""

    snippet: str


SearchPage = derived(SearchResult, "SearchPage",
                     types={"hits": list[SearchHit]})


class Added(LetterRecord):  # type: ignore[valid-type,misc]
    """An uploaded file archived now (`added`) or found already archived (`duplicate`)."""

    path: str
    result: Literal["added", "duplicate"]
    error: str | None = None


class Rejected(_Shape):
    """An uploaded file refused, with the sentence saying why."""

    path: str
    result: Literal["rejected"]
    error: str
    code: str | None = Field(None, description="the code of `error` (e.g. `refusal.not_pdf`): "
                             "the same whatever the language")


IngestLine = Added | Rejected


class UploadRefused(_Shape):
    """Every uploaded file was refused: the first reason and one result per file."""

    detail: str
    results: list[IngestLine] = Field(default_factory=list,
                                      description="absent when the body was not read")


FormerName = derived(models.Name, "FormerName")
MISSING = "which letter is missing, in words; null when complete"
Exchange = derived(exchanges.Exchange, "Exchange", after={"": {"missing": str | None}},
                   described={"missing": MISSING})
ExchangeRow = derived(exchanges.Exchange, "ExchangeRow", "An exchange with its letters' records.",
                      after={"": {"missing": str | None,
                                  "letters": list[LetterRecord]}},  # type: ignore[valid-type]
                      described={"missing": MISSING})


class PairingProposal(_Shape):
    """A change of a partner's founding exchange that pairing gives: the founding exchange held
    stays until an archivist accepts or dismisses it."""

    partner: str
    summary: str = Field(description="the founding exchange held and the one proposed, in words")
    current: list[LetterRecord] = Field(  # type: ignore[valid-type]
        description="the letters of the founding exchange held")
    proposed: ExchangeRow  # type: ignore[valid-type]


#: What an answer says of its page (`paging.Paging.to_json`).
PAGE = {"page": int, "per_page": int, "letters_total": int}


def _partner(name: str, doc: str, letters: Any, then: Mapping[str, Any] | None = None,
             described: Mapping[str, str] | None = None) -> type[BaseModel]:
    """A partner's registry entry as `registry.partner_json` writes it, its `letters` of this
    type, and `then` at the end."""
    return derived(models.Partner, name, doc, drop={"name_since"}, types={"aliases": list[str]},
                   after={"joined": {"letters": letters,
                                     "former_names": list[FormerName]},  # type: ignore[valid-type]
                          "": dict(then or {})}, described=described)


PartnerEntry = _partner("PartnerEntry", "A registry entry with its number of letters, as "
                        "`letters partners --json`.", int)
PartnerDetail = _partner(
    "PartnerDetail", "A partner's entry with one page of its letters (by date) and its founding "
    "documents.", list[LetterRecord],  # type: ignore[valid-type]
    {"letter_count": int, **PAGE, "founding_documents": list[LetterRecord],  # type: ignore[valid-type]
     "founding_exchange": Exchange | None, "pairing_proposal": PairingProposal | None},
    described={"letters_total": "the partner's letters, all pages"})


class ProposalDecision(_Body):
    """An archivist's decision on a partner's pairing proposal."""

    decision: Literal["accept", "dismiss"]
    proposed: list[str] | None = Field(None, description="the ids of the proposed letters as "
                                                         "shown: refused (422) when the "
                                                         "proposal changed since")


class ProposalDecided(_Shape):
    """The decision taken, the proposal it was about, the founding exchange now."""

    decision: Literal["accept", "dismiss"]
    proposal: PairingProposal
    founding_exchange: Exchange | None  # type: ignore[valid-type]


Candidate = derived(review.Candidate, "Candidate", "A letter the registry now links to the "
                    "partner, and what recognition found.", drop={"partner"},
                    types={"letter": LetterRecord, "evidence": str})


class PartnerChanged(PartnerEntry):  # type: ignore[valid-type,misc]
    """The entry after a change of the registry, and the letters offered for relinking."""

    candidates: list[Candidate]  # type: ignore[valid-type]


class Relinked(_Shape):
    """The letters now linked to the partner."""

    relinked: list[LetterRecord]  # type: ignore[valid-type]


class Unlinked(_Shape):
    """The ids of the letters taken out of their exchange."""

    unlinked: list[str]


class ReviewQueue(_Shape):
    """One page of the letters needing review (oldest first) and the incomplete exchanges."""

    total: int
    page: int
    per_page: int
    letters_total: int = Field(description="the letters of the queue (as filtered), all pages")
    reason: str | None = Field(description="the kind of reason the queue is filtered by")
    reasons: dict[str, int] = Field(description="letters needing review by kind of reason")
    letters: list[LetterRecord]  # type: ignore[valid-type]
    incomplete_exchanges: list[ExchangeRow] = Field(  # type: ignore[valid-type]
        description="the oldest exchanges lacking one of their letters (at most 100)")
    incomplete_total: int = Field(description="the exchanges lacking one of their letters, in all")
    pairing_proposals: list[PairingProposal] = []


SecretaryGeneralEntry = derived(models.SecretaryGeneral, "SecretaryGeneralEntry", "A Secretary "
                                "General, the term of office and the number of letters.",
                                drop={"variants"}, after={"": {"letters": int}})
SecretaryGeneralDetail = derived(
    models.SecretaryGeneral, "SecretaryGeneralDetail", "A Secretary General, the term of office "
    "and one page of the letters signed, by date.", drop={"variants"},
    after={"": {"letters_count": int, **PAGE,
                "letters": list[LetterRecord]}},  # type: ignore[valid-type]
    described={"letters_total": "the letters signed, all pages"})


class AuditEvent(_Shape):
    """One event of the audit trail, carrying the SHA-256 of the one before (its keys in the
    order the log keeps them)."""

    action: str
    address: str | None
    at: str
    mac: str | None = Field(None, description="the event's keyed digest (absent from events "
                                              "recorded before events carried one)")
    prev: str
    what: dict[str, Any]
    who: str


FixityProblem = derived(
    fixity.Problem, "FixityProblem", drop={"message"},
    after={"": {"problem": str, "code": str, "params": dict[str, Any],
                "kind": Literal[tuple(k.value for k in fixity.Kind)] | None,
                "advice": str | None}},
    optional={"code", "params", "kind", "advice"},
    described={"code": "the code of `problem` (e.g. `integrity.original_altered`), absent "
                       "from reports saved by earlier versions",
               "params": "the values `problem` names (a value may itself be `{\"code\", "
                         "\"params\"}`)",
               "kind": "what kind of problem it is (absent from reports saved by earlier "
                       "versions)",
               "advice": "what to do about it, in a sentence"})
FixityReport = derived(
    fixity.FixityReport, "FixityReport", "A fixity check: how many originals, how many intact, "
    "every problem, when, by whom.", types={"problems": list[FixityProblem],  # type: ignore[valid-type]
                                           "notes": list[str]},
    after={"": {"by": str | None}}, optional={"notes"},
    described={"notes": "what could not be done, in sentences (absent from reports saved by "
                        "earlier versions)"})


class Health(_Shape):
    """The server is up."""

    status: Literal["ok"]


# -- request bodies (read by the routes themselves, declared here for the document) -------------
class SetAside(_Body):
    """Why a letter is set aside: not_a_letter, copy, withdrawn, or in an archivist's words."""

    reason: str


Correction = derived(
    models.Letter, "Correction", "Fields of the record to correct (null clears one), fields to "
    "confirm as they stand.",
    drop={f.name for f in dataclasses.fields(models.Letter)} - {*CORRECTABLE, "confirmed"},
    types={"direction": models.Direction | None, "language": Literal["en", "fr"] | None,
           "confirmed": list[Literal[CORRECTABLE]] | None},  # type: ignore[valid-type]
    after={"": {"confirm_pairing": bool}},
    optional={**{name: None for name in (*CORRECTABLE, "confirmed")}, "confirm_pairing": False},
    described={"date": "YYYY-MM-DD", "confirm_pairing": "save even though the partner's "
               "founding exchange or a paired exchange would change"})


class LinkRequest(_Body):
    """The other letter of the exchange."""

    other: str


#: A name: some text that is not only spaces.
NAME = Field(min_length=1, pattern=r"\S", description="not empty, not only spaces")


class NewPartner(_Body):
    """A partner to register."""

    slug: str | None = Field(None, description="made from the name when not given")
    name: str = NAME
    kind: Kind
    joined: str | None = Field(None, description="YYYY-MM-DD")
    force: bool = Field(False, description="register it although its name is very close to "
                                           "another partner's (refused otherwise)")


class NewName(_Body):
    """Another name of a partner; a former name has the dates it was in use."""

    name: str = NAME
    since: str | None = Field(None, description="YYYY-MM-DD")
    until: str | None = Field(None, description="YYYY-MM-DD")
    force: bool = Field(False, description="add it although it is very close to another "
                                           "partner's name (refused otherwise)")


class RelinkRequest(_Body):
    """The letters to link to the partner."""

    ids: list[str] = Field(min_length=1, description="one letter id at least")
    confirm_pairing: bool = False


BODIES: list[type[BaseModel]] = [Correction, LinkRequest, NewPartner, NewName, RelinkRequest,
                                  ProposalDecision, SetAside]


def errors(*codes: int, **special: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """The error answers of an operation, each `{"detail": ...}` unless `special` (e.g. s415=)
    names another model for its status."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        model = special.get(f"s{code}", Problem)
        out[code] = {"model": model, "description": ERRORS[code]}
        if code == 503:
            out[code]["headers"] = {"Retry-After": RETRY_AFTER}
    return out


def answers(model: Any, *codes: int, status: int = 200, description: str = "Successful Response",
            **special: type[BaseModel]) -> dict[str, Any]:
    """The route's keywords declaring its answer's model (`response_model`: the document's
    schema, and what FastAPI writes the JSON from, leaving out what the answer did not set) and
    its error answers."""
    return {"response_model": model, "response_model_exclude_unset": True,
            "responses": {status: {"description": description}, **errors(*codes, **special)}}


def answer(model: Any, data: Any) -> BaseModel:
    """The typed answer of a route: `data` (a domain object's JSON) read into its model (or
    into the one of a union of models, e.g. `IngestLine`, that it is)."""
    read: BaseModel = _adapter(model).validate_python(data)
    return read


@functools.cache
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def each(model: Any, items: Iterable[Any]) -> list[BaseModel]:
    """`answer` of each of `items`."""
    return [answer(model, item) for item in items]


def list_of(model: Any) -> Any:
    """The model of a JSON list of `model`s."""
    return list[model]


#: What a route of the API answers (FastAPI writes it through the route's `response_model`).
Answer = BaseModel


def download(media_type: str, *codes: int, description: str) -> dict[str, Any]:
    """The route's keywords declaring a file answer and its error answers."""
    return {"responses": {200: {"description": description, "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}}}}, **errors(*codes)}}


def json_body(model: type[BaseModel], required: bool = True) -> dict[str, Any]:
    """`openapi_extra` declaring a JSON request body of this model (listed in BODIES)."""
    assert model in BODIES, model
    return {"requestBody": {"required": required, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


#: The upload's body: one or more PDFs in the repeatable field `file`.
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": [PDF_FIELD], "properties": {
        PDF_FIELD: {"type": "array", "minItems": 1,
                    "items": {"type": "string", "format": "binary"},
                    "description": "a PDF letter; repeat the field for more"}}},
    "encoding": {PDF_FIELD: {"contentType": "application/pdf"}}}}}}


def operation_id(route: APIRoute) -> str:
    """An operation's id in the document: the name of its route (what a generated client calls)."""
    return route.name


def install(app: FastAPI, settings: Settings) -> None:
    """Make the app's OpenAPI document this contract: the request bodies' models in its
    components, no answer FastAPI adds that the API never gives (its own 422), the longest query
    these settings accept, each operation's least role (and with reading open, reading needs no
    credentials)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _amend(build())
            for parameter in app.openapi_schema["paths"]["/api/search"]["get"]["parameters"]:
                if parameter["name"] == "q":
                    parameter["schema"]["maxLength"] = settings.max_query_chars
            _roles(app, app.openapi_schema, settings.open_reading)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _roles(app: FastAPI, document: dict[str, Any], open_reading: bool) -> None:
    """Each operation says the least role it needs (`x-role`, and in its description); with
    reading open, the readers' operations need no credentials (`{}` in `security`)."""
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        roles = [getattr(d.call, "role", None) for d in dependant.dependencies] if dependant else []
        role = next((r for r in roles if r), None)
        if role is None:
            continue
        for method in route.methods or ():
            operation = document["paths"].get(route.path, {}).get(method.lower())
            if operation is None:
                continue
            operation["x-role"] = role
            operation["description"] = (operation.get("description", "") +
                                        f"\n\nNeeds the {role} role.").strip()
            if open_reading and role == "reader":
                operation["security"] = [*operation.get("security", []), {}]


def _amend(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _, defs = models_json_schema([(m, "validation") for m in BODIES],
                                 ref_template="#/components/schemas/{model}")
    schemas.update(defs.get("$defs", {}))
    unused = "#/components/schemas/HTTPValidationError"
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            answer = operation.get("responses", {}).get("422", {})
            if answer.get("content", {}).get("application/json", {}).get("schema", {}).get(
                    "$ref") == unused:
                del operation["responses"]["422"]
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document
