"""The API documentation (Swagger UI) served by the program itself, for closed networks.

Swagger UI's files (Swagger UI 5, which reads the OpenAPI 3.1 document FastAPI makes) come from the
`fastapi-offline` package, mounted under /docs/static; nothing is fetched from the internet. The
pages' only inline scripts are FastAPI's, allowed by their hashes.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

DOCS = "/docs"
ASSETS = f"{DOCS}/static"
REDIRECT = f"{DOCS}/oauth2-redirect"
SPEC = "/openapi.json"
FILES = Path(fastapi_offline.__file__).parent / "static"
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


@router.get(REDIRECT)
def oauth2_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page."""
    return get_swagger_ui_oauth2_redirect_html()
