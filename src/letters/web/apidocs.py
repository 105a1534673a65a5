"""The API documentation (Swagger UI) served by the program itself, for closed networks.

Swagger UI's files come from the `swagger-ui-bundle` package, mounted under /docs/static; nothing
is fetched from the internet. The pages' only inline scripts are FastAPI's, allowed by their hashes.
That package's Swagger UI (4.x) reads OpenAPI 3.0 documents only: it is given /docs/openapi.json,
the same document as /openapi.json labelled 3.0.3 (its schemas render the same).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import swagger_ui_bundle
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

DOCS = "/docs"
ASSETS = f"{DOCS}/static"
REDIRECT = f"{DOCS}/oauth2-redirect"
SPEC = f"{DOCS}/openapi.json"
FILES = swagger_ui_bundle.swagger_ui_path
#: The documentation's policy: only this site, and of inline scripts only FastAPI's (by hash).
POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
          "script-src 'self' {hashes}; connect-src 'self'; object-src 'none'; base-uri 'none'; "
          "frame-ancestors 'none'; form-action 'self'")

router = APIRouter(include_in_schema=False)


def docs_page(title: str) -> HTMLResponse:
    """Swagger UI's page, its script and style from ASSETS."""
    return get_swagger_ui_html(openapi_url=SPEC, title=title,
                               swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                               swagger_css_url=f"{ASSETS}/swagger-ui.css",
                               swagger_favicon_url="/static/favicon.svg",
                               oauth2_redirect_url=REDIRECT)


def policy(title: str) -> str:
    """POLICY allowing exactly the inline scripts of the documentation's two pages."""
    pages = (docs_page(title), get_swagger_ui_oauth2_redirect_html())
    scripts = [m for page in pages
               for m in re.findall(r"<script>(.*?)</script>", bytes(page.body).decode(), re.S)]
    digests = [base64.b64encode(hashlib.sha256(x.encode()).digest()).decode() for x in scripts]
    return POLICY.format(hashes=" ".join(f"'sha256-{d}'" for d in digests))


def assets() -> StaticFiles:
    """Swagger UI's files, from the installed package."""
    return StaticFiles(directory=FILES)


TITLE = "letters - Swagger UI"


@router.get(DOCS)
def docs() -> HTMLResponse:
    """The interactive API documentation."""
    return docs_page(TITLE)


@router.get(SPEC)
def spec_for_swagger_ui(request: Request) -> dict[str, Any]:
    """The OpenAPI document as this Swagger UI reads it (labelled 3.0.3)."""
    return {**request.app.openapi(), "openapi": "3.0.3"}


@router.get(REDIRECT)
def oauth2_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page."""
    return get_swagger_ui_oauth2_redirect_html()
