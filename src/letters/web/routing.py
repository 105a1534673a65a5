"""What the feature modules' routes share: a router of pages, a router of the JSON API under
`/api`, and the role each route needs."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from letters.paging import Paging, paging
from letters.web.auth import need
from letters.web.contract import FROM_ONE, ONE_TO_THOUSAND

reader = Depends(need("reader"))
archivist = Depends(need("archivist"))
auditor = Depends(need("auditor"))
admin = Depends(need("admin"))


def _paged(page: str = Query("", description="page number, from 1", json_schema_extra=FROM_ONE),
           per_page: str = Query("", description="letters per page, 1 to 1000 (default 100)",
                                 json_schema_extra=ONE_TO_THOUSAND)) -> Paging:
    """The page of a list the query parameters ask for (QueryError, 400, when malformed)."""
    return paging(page, per_page)


#: The `page` and `per_page` of a route listing letters a page at a time.
paged = Depends(_paged)


def page_routes() -> APIRouter:
    """A router of HTML pages, which the OpenAPI document leaves out."""
    return APIRouter(include_in_schema=False)


def api_routes() -> APIRouter:
    """A router of the JSON API: under `/api`, tagged `api` in the OpenAPI document."""
    return APIRouter(prefix="/api", tags=["api"])
