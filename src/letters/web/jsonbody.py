"""Small JSON request bodies, read under a size limit, refused in one sentence when malformed."""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException
from starlette.requests import Request

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
