"""Clients of the JSON API: bearer-token clients, JSON errors, letters to upload."""

from __future__ import annotations

import httpx
import pdfkit

from support.server import LiveServer
from support.webhome import WebHome

#: The upload limit of the API tests' servers (the `reading` and `writing` fixtures).
LIMIT = 256 * 1024


def client(server: LiveServer, home: WebHome, role: str | None) -> httpx.Client:
    """An HTTP client with the role's bearer token (none for None)."""
    headers = {"Authorization": f"Bearer {home.tokens[role]}"} if role else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=60)


def new_pdf(tag: str) -> bytes:
    """A one-page letter no other test uploads."""
    return pdfkit.text_pdf([["**COUNCIL OF EUROPE", "The Secretary General", "",
                             "Strasbourg, 17 November 2020", "", "Mr Example", "IBM", "",
                             f"A letter for the test {tag}.", "", "Marija Pejčinović Burić",
                             "Secretary General"]])


def assert_error(response: httpx.Response, status: int) -> str:
    """The response is a JSON error with that status and one plain sentence."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in response.text and "\n" not in body["detail"]
    return str(body["detail"])
