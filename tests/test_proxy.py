"""Behind a reverse proxy: the client's address comes from X-Forwarded-For only when the peer is a
trusted proxy (LETTERS_TRUSTED_PROXIES), and cookies are Secure when the proxy says HTTPS or when
LETTERS_SECURE_COOKIES is set."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from letters.preservation import audit
from letters.settings import Settings, from_env
from support.server import LiveServer
from support.web import csrf_of
from support.webhome import WEB_PASSWORD, WebHome, copy_web_home

PROXY, OTHER = "127.0.0.7", "127.0.0.8"


@pytest.fixture
def behind_proxy(web_template: WebHome, tmp_path: Path) -> Iterator[LiveServer]:
    home = copy_web_home(web_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path, trusted_proxies=(f"{PROXY}/32",))) as server:
        yield server


def login(server: LiveServer, peer: str, name: str, password: str,
          headers: dict[str, str] | None = None) -> httpx.Response:
    """Log in from `peer`, the form's POST carrying `headers` and the form's cookie sent back by
    hand (a plain-HTTP client keeps no Secure cookie)."""
    transport = httpx.HTTPTransport(local_address=peer)
    with httpx.Client(base_url=server.url, transport=transport, timeout=60) as http:
        page = http.get("/login")
        cookie = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
        http.cookies.clear()
        return http.post("/login", headers={**(headers or {}), "Cookie": cookie}, data={
            "csrf": csrf_of(page.text), "name": name, "password": password})


def failed_addresses(server: LiveServer) -> list[str | None]:
    return [e["address"] for e in audit.events(server.app.state.web.letters.settings.archive_dir)
            if e["action"] in ("login_failed", "login")]


def test_one_client_behind_the_proxy_does_not_lock_out_the_others(
        behind_proxy: LiveServer) -> None:
    server = behind_proxy
    attacker = {"X-Forwarded-For": "203.0.113.5"}
    statuses = [login(server, PROXY, f"victim{n}", "guess", attacker).status_code
                for n in range(11)]
    assert statuses == [401] * 10 + [429]
    someone = login(server, PROXY, "reader", WEB_PASSWORD.format(role="reader"),
                    {"X-Forwarded-For": "198.51.100.1"})
    assert someone.status_code == 303
    assert failed_addresses(server) == ["203.0.113.5"] * 10 + ["198.51.100.1"]


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(behind_proxy: LiveServer) -> None:
    server = behind_proxy
    spoofed = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    done = login(server, OTHER, "reader", WEB_PASSWORD.format(role="reader"), spoofed)
    assert done.status_code == 303 and "secure" not in done.headers["set-cookie"].lower()
    # through the proxy, only the last address not a trusted proxy counts: the rest is the client's
    chained = {"X-Forwarded-For": f"1.2.3.4, 203.0.113.5, {PROXY}", "X-Forwarded-Proto": "https"}
    done = login(server, PROXY, "reader", WEB_PASSWORD.format(role="reader"), chained)
    assert done.status_code == 303 and "secure" in done.headers["set-cookie"].lower()
    garbled = {"X-Forwarded-For": "not an address"}
    assert login(server, PROXY, "x", "guess", garbled).status_code == 401
    assert failed_addresses(server) == [OTHER, "203.0.113.5", PROXY]


def test_secure_cookies_can_be_forced(web_template: WebHome, tmp_path: Path) -> None:
    home = copy_web_home(web_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path, secure_cookies=True)) as server:
        done = login(server, OTHER, "reader", WEB_PASSWORD.format(role="reader"))
        assert done.status_code == 303
        assert "secure" in done.headers["set-cookie"].lower()


def test_the_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.setenv("LETTERS_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")
    monkeypatch.setenv("LETTERS_SECURE_COOKIES", "1")
    settings = from_env(tmp_path)
    assert settings.trusted_proxies == ("10.0.0.1/32", "192.168.0.0/16")
    assert settings.secure_cookies is True
    assert dataclasses.replace(settings, trusted_proxies=()).trusted_proxies == ()
    monkeypatch.setenv("LETTERS_TRUSTED_PROXIES", "proxy.example")
    with pytest.raises(ValueError, match="'proxy.example' is not an address"):
        from_env(tmp_path)
