"""Small JSON request bodies, read under a size limit, refused in one sentence when malformed."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from fastapi import HTTPException
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

M = TypeVar("M", bound=BaseModel)
#: What to raise for a field's error (given pydantic's account of it); None: the usual sentence.
Refusal = Callable[[Mapping[str, Any]], Exception | None]

MAX_JSON_BYTES = 64 * 1024


async def json_object(request: Request, what: str) -> dict[str, Any]:
    """The body as a JSON object (413 when too large, 400 when not an object); `what` names it."""
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_JSON_BYTES:
            raise HTTPException(413, f"The body must be a small JSON object with {what}: this "
                                     "one is too large.")
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise HTTPException(400, f"The body must be a JSON object with {what}.")
    return data


def text_field(data: dict[str, Any], key: str, required: bool = False) -> str | None:
    """A string field of a JSON body, stripped (None when absent or empty); 422 when not text."""
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise HTTPException(422, f"'{key}' must be a string.")
    value = (value or "").strip() or None
    if required and value is None:
        raise HTTPException(422, f"'{key}' is required.")
    return value


async def json_model(request: Request, model: type[M], what: str,
                     refusals: Mapping[str, Refusal] | None = None) -> M:
    """The body read into its model (the one the document declares), each text stripped and a
    blank one taken as absent, fields the model does not know ignored: 413 and 400 as
    `json_object`, then for the first field that is wrong its `refusals` or a 422 sentence ("'x'
    is required.", "'x' must be a string.", "'x' must be true or false.")."""
    data = await json_object(request, what)
    known = {key: _text(value) for key, value in data.items() if key in model.model_fields}
    try:
        return model.model_validate(known, strict=True)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else what
        special = (refusals or {}).get(field)
        refused = special(first) if special else None
        if refused is not None:
            raise refused from None
        if first["type"] == "missing" or known.get(field) is None:
            raise HTTPException(422, f"'{field}' is required.") from None
        if first["type"] == "bool_type":
            raise HTTPException(422, f"'{field}' must be true or false.") from None
        if first["type"] == "string_type":
            raise HTTPException(422, f"'{field}' must be a string.") from None
        raise HTTPException(422, f"'{field}' is not valid.") from None


def _text(value: Any) -> Any:
    """A text stripped, None when blank; any other value as it is."""
    return (value.strip() or None) if isinstance(value, str) else value
