"""The Secretaries General over real HTTP: the list and one Secretary General's letters."""

from __future__ import annotations

from support.server import LiveServer
from support.web import browser, text_of
from support.webhome import WebHome


def test_secretaries_general(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with browser(server, "reader") as http:
        listing = text_of(http.get("/secretaries-general").text)
        jagland = http.get("/secretaries-general/jagland").text
        berset = text_of(http.get("/secretaries-general/berset").text)
        assert http.get("/secretaries-general/nobody").status_code == 404
    assert "Thorbjørn Jagland 1 October 2009 to 17 September 2019 3" in listing
    assert "Alain Berset since 18 September 2024 0" in listing
    assert home.ids["cloudflare-out.pdf"] in jagland and home.ids["ripe-fr.pdf"] not in jagland
    assert "No letter of this Secretary General is in the archive yet." in berset
