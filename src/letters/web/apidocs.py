"""The API documentation (Swagger UI) served by the program itself, for closed networks, and
beside it a plain reference made from the same OpenAPI document (`/docs/reference`: a page of
the site, readable without JavaScript and by screen readers).

Swagger UI's files (Swagger UI 5, which reads the OpenAPI 3.1 document FastAPI makes) come from the
`fastapi-offline` package, mounted under /docs/static; nothing is fetched from the internet. The
pages' only inline scripts are FastAPI's, allowed by their hashes.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from letters.web.render import render
from letters.web.routing import page_routes

DOCS = "/docs"
ASSETS = f"{DOCS}/static"
REDIRECT = f"{DOCS}/oauth2-redirect"
SPEC = "/openapi.json"
REFERENCE = f"{DOCS}/reference"
#: Darker colours for Swagger UI's text, so that it can be read (WCAG AA contrast).
CONTRAST = "/static/swagger-contrast.css"
FILES = Path(fastapi_offline.__file__).parent / "static"
#: The documentation's policy: only this site, and of inline scripts only FastAPI's (by hash).
POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
          "script-src 'self' {hashes}; connect-src 'self'; object-src 'none'; base-uri 'none'; "
          "frame-ancestors 'none'; form-action 'self'")

router = page_routes()


def docs_page(title: str) -> HTMLResponse:
    """Swagger UI's page, its script and style from ASSETS: in English (`lang`), in a `main`
    landmark, its colours darkened to be read (CONTRAST), with a link to the plain reference."""
    page = get_swagger_ui_html(openapi_url=SPEC, title=title,
                               swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                               swagger_css_url=f"{ASSETS}/swagger-ui.css",
                               swagger_favicon_url="/static/favicon.svg",
                               oauth2_redirect_url=REDIRECT)
    html = bytes(page.body).decode()
    html = html.replace("<html>", '<html lang="en">', 1)
    html = html.replace("</head>", f'<link rel="stylesheet" href="{CONTRAST}">\n</head>', 1)
    html = html.replace('<div id="swagger-ui">\n    </div>',
                        f'<main><p class="reference-link"><a href="{REFERENCE}">The API reference '
                        'as a plain page (no JavaScript)</a></p>\n<div id="swagger-ui"></div>'
                        '</main>', 1)
    return HTMLResponse(html)


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


@dataclass
class Operation:
    """One operation of the OpenAPI document as the reference lists it."""

    method: str
    path: str
    summary: str
    description: str
    role: str | None
    parameters: list[dict[str, Any]] = field(default_factory=list)
    body: str | None = None
    responses: list[tuple[str, str]] = field(default_factory=list)


def operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation of an OpenAPI document, in its order."""
    found = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            found.append(Operation(
                method.upper(), path, op.get("summary", ""), op.get("description", ""),
                op.get("x-role"),
                [{"name": p.get("name"), "in": p.get("in"), "required": p.get("required", False),
                  "type": p.get("schema", {}).get("type", ""),
                  "description": p.get("description", "")} for p in op.get("parameters", [])],
                ", ".join(body) or None,
                [(code, answer.get("description", "")) for code, answer in
                 op.get("responses", {}).items()]))
    return found


@router.get(REFERENCE, response_class=HTMLResponse)
def reference(request: Request) -> HTMLResponse:
    """The API reference as a plain page of the site, made from the OpenAPI document."""
    return render(request, "api_reference.html", {
        "operations": operations(request.app.openapi()), "swagger": DOCS})


@router.get(REDIRECT)
def oauth2_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page."""
    return get_swagger_ui_oauth2_redirect_html()
