"""What the feature modules' routes share: a router of pages, a router of the JSON API under
`/api`, and the role each route needs."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from letters.web.auth import need

reader = Depends(need("reader"))
archivist = Depends(need("archivist"))
auditor = Depends(need("auditor"))
admin = Depends(need("admin"))


def page_routes() -> APIRouter:
    """A router of HTML pages, which the OpenAPI document leaves out."""
    return APIRouter(include_in_schema=False)


def api_routes() -> APIRouter:
    """A router of the JSON API: under `/api`, tagged `api` in the OpenAPI document."""
    return APIRouter(prefix="/api", tags=["api"])
