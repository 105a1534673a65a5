"""The login limit under a burst: attempts are counted before the password is checked, per account
and per address, and an attacker's own successful login does not wipe the address's failures."""

from __future__ import annotations

from collections import Counter
from functools import partial

import httpx

from support.concurrency import at_once
from support.server import LiveServer
from support.web import csrf_of, from_address, try_login
from support.webhome import WEB_PASSWORD, WebHome

LIMIT = 10


def burst(server: LiveServer, attempts: list[tuple[str, str, str]]) -> Counter[int]:
    """Post every (address, name, password) login at once, each with its own form token (the
    forms are fetched first; the posts go on new connections, so that none is one the server
    closed as idle meanwhile)."""
    forms = []
    for host, name, password in attempts:
        with httpx.Client(base_url=server.url, timeout=120,
                          transport=httpx.HTTPTransport(local_address=host)) as http:
            page = http.get("/login")
            forms.append((host, dict(page.cookies), {"csrf": csrf_of(page.text), "name": name,
                                                     "password": password}))

    def post(host: str, cookies: dict[str, str], form: dict[str, str]) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=120, cookies=cookies,
                          transport=httpx.HTTPTransport(local_address=host)) as http:
            return http.post("/login", data=form)

    answers = at_once([partial(post, *each) for each in forms])
    return Counter(answer.status_code for answer in answers)


def test_a_burst_of_guesses_for_one_account_gets_only_the_limit_checked(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    attempts = [(f"127.0.1.{n % 40 + 1}", "reader", f"guess {n}") for n in range(60)]
    assert burst(server, attempts) == Counter({429: 60 - LIMIT, 401: LIMIT})
    right = burst(server, [("127.0.1.50", "reader", WEB_PASSWORD.format(role="reader"))])
    assert right == Counter({429: 1})  # the account stays closed, even to the right password


def test_a_burst_of_guesses_from_one_address_gets_only_the_limit_checked(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    statuses = burst(server, [("127.0.2.1", f"user{n}", "guess") for n in range(40)])
    assert statuses == Counter({429: 40 - LIMIT, 401: LIMIT})


def test_a_successful_login_does_not_wipe_the_addresss_failures(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    with from_address(server, "127.0.3.1") as http:
        failed = [try_login(http, f"victim{n}", "guess").status_code for n in range(LIMIT - 1)]
        own = try_login(http, "reader", WEB_PASSWORD.format(role="reader"))
        one_more = try_login(http, "victim-last", "guess")
        blocked = try_login(http, "victim-after", "guess")
    assert failed == [401] * (LIMIT - 1)
    assert own.status_code == 303
    assert one_more.status_code == 401
    assert blocked.status_code == 429
    assert "Too many failed logins from your address" in blocked.text
