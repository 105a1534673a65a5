"""Clients of the live server: logged-in browsers, CSRF tokens, page text, login attempts."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from support.server import LiveServer
from support.webhome import WEB_PASSWORD


def csrf_of(page: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no CSRF field"
    return found.group(1)


@contextmanager
def browser(server: LiveServer, role: str | None = None) -> Iterator[httpx.Client]:
    """A client keeping cookies like a browser, logged in as the role's user if given."""
    with httpx.Client(base_url=server.url, timeout=60) as http:
        if role:
            token = csrf_of(http.get("/login").text)
            done = http.post("/login", data={"csrf": token, "name": role,
                                             "password": WEB_PASSWORD.format(role=role)})
            assert done.status_code == 303, done.text
        yield http


def text_of(page: str) -> str:
    """The visible text of a page, roughly: tags removed, entities decoded, blanks squeezed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@contextmanager
def from_address(server: LiveServer, host: str) -> Iterator[httpx.Client]:
    """A client whose connections come from another loopback address (127.0.0.0/8)."""
    transport = httpx.HTTPTransport(local_address=host)
    with httpx.Client(base_url=server.url, transport=transport, timeout=60) as http:
        yield http


def try_login(http: httpx.Client, name: str, password: str) -> httpx.Response:
    return http.post("/login", data={"csrf": csrf_of(http.get("/login").text), "name": name,
                                     "password": password})


#: Every form control the user can reach must have a label; every image a text alternative.
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.outerHTML)
    .concat([...document.querySelectorAll('img:not([alt])')].map(e => e.outerHTML))"""
