"""Search over real HTTP: the search page (facets, pages, sort, errors) and /api/search."""

from __future__ import annotations

import html
import re

import pytest

from letters.search import DEFAULT_PER_PAGE, MAX_PER_PAGE, QueryError, SearchRequest
from letters.web.search_views import PER_PAGE_RANGE, up_to
from letters.web.searchform import SearchForm, page_count
from support.api import assert_error, client
from support.server import LiveServer
from support.web import browser, text_of
from support.webhome import WebHome


def test_search_page(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with browser(server, "reader") as http:
        page = http.get("/", params={"q": "cybercrime"}).text
    text = text_of(page)
    assert "1 letter" in text and "8 November 2017" in text
    assert "<mark>cybercrime</mark>" in page
    assert f'href="/letters/{home.ids["google-out.pdf"]}?q=cybercrime"' in page
    assert 'value="cybercrime"' in page  # the box keeps the search
    assert "Partner Google" in text and "Secretary General Thorbjørn Jagland" in text
    assert "Direction From the Council of Europe" in text
    assert 'partner:google' in page  # the query language explained by example


def test_facets_narrow_and_widen(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "reader") as http:
        everything = http.get("/").text
        link = re.search(r'href="([^"]+)" class="facets__item">Cloudflare', everything)
        assert link and "partner=cloudflare" in link.group(1)
        narrowed = http.get(html.unescape(link.group(1))).text
        assert "2 letters" in text_of(narrowed)
        assert "RIPE NCC" not in text_of(narrowed.split('class="search__results"')[1])
        active = re.search(r'href="([^"]+)" class="facets__item facets__item--active" '
                           r'aria-current="true">Cloudflare', narrowed)
        assert active and "partner=" not in active.group(1)
        year = re.search(r'href="([^"]+)" class="facets__item">2018', everything)
        assert year and "from=2018-01-01" in html.unescape(year.group(1))
        assert "2 letters" in text_of(http.get(html.unescape(year.group(1))).text)


def test_pagination_and_sort_are_in_the_url(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "reader") as http:
        first = http.get("/", params={"sort": "date", "per_page": 1}).text
        second = http.get("/", params={"sort": "date", "per_page": 1, "page": 2}).text
    assert 'rel="next" href="/?sort=date&amp;page=2&amp;per_page=1"' in first
    assert 'aria-current="page"' in second and 'rel="prev"' in second
    assert "8 November 2017" in text_of(first.split('class="results"')[1])
    assert "23 May 2018" in text_of(second.split('class="results"')[1])


def test_the_page_count_rounds_up_and_is_never_zero() -> None:
    assert [page_count(total, 20) for total in (0, 1, 20, 21, 40, 41)] == [1, 1, 1, 2, 2, 3]
    assert page_count(3, 1) == 3


def test_a_malformed_search_shows_the_problem(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "reader") as http:
        response = http.get("/", params={"q": '"human rights'})
    assert response.status_code == 400
    assert "There is a problem with the search" in response.text
    assert "closing" in text_of(response.text)
    assert 'value="&#34;human rights"' in response.text or 'value="&quot;human rights"' in (
        response.text)


def test_what_users_type_is_escaped(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with browser(server, "reader") as http:
        page = http.get("/", params={"q": "<script>alert(1)</script>"}).text
        letter = http.get(f"/letters/{home.ids['google-out.pdf']}",
                          params={"q": "<img src=x onerror=alert(1)>"}).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in letter


def test_search_returns_records_snippets_and_facets(reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    with client(server, home, "reader") as http:
        found = http.get("/api/search", params={"q": "cybercrime"}).json()
    assert (found["total"], found["page"], found["per_page"]) == (1, 1, 20)
    [hit] = found["hits"]
    assert hit["id"] == home.ids["google-out.pdf"] and hit["partner"] == "google"
    assert "<mark>cybercrime</mark>" in hit["snippet"]
    for key in ("partner", "signatory", "year", "language"):
        assert key in found["facets"]
    assert found["facets"]["partner"] == {"google": 1}


def test_errors_are_english_with_their_code_unless_french_is_asked_for(
        reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    with client(server, home, "reader") as http:
        english = http.get("/api/search", params={"q": '"open'})
        french = http.get("/api/search", params={"q": '"open'},
                          headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"})
        missing = http.get("/api/letters/0000000000000000", headers={"Accept-Language": "fr"})
    assert assert_error(english, 400) == 'unbalanced quote: a phrase needs a closing "'
    assert english.json()["code"] == "query.unbalanced_quote"
    assert assert_error(french, 400) == ("guillemet non fermé : une expression entre guillemets "
                                         "doit être refermée par \"")
    assert french.json()["code"] == "query.unbalanced_quote"
    assert assert_error(missing, 404) == "Aucune lettre n’a l’identifiant « 0000000000000000 »."
    assert missing.json()["code"] == "missing.letter"  # said by its code, never matched


def test_search_filters_sort_and_pages(reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    with client(server, home, "reader") as http:
        everything = http.get("/api/search").json()  # no query: by date, oldest first
        dates = [h["date"] for h in everything["hits"]]
        assert everything["total"] == 4 and dates == sorted(dates)
        by_relevance = http.get("/api/search", params={"sort": "relevance"}).json()
        assert by_relevance["total"] == 4
        newest = http.get("/api/search", params={"sort": "-date"}).json()
        assert [h["date"] for h in newest["hits"]] == sorted(dates, reverse=True)
        cloudflare = http.get("/api/search", params={"partner": "cloudflare"}).json()
        assert {h["direction"] for h in cloudflare["hits"]} == {"outgoing", "incoming"}
        french = http.get("/api/search", params={"language": "fr", "signatory": ""}).json()
        assert [h["partner"] for h in french["hits"]] == ["ripe-ncc"]
        dated = http.get("/api/search", params={"from": "2018-01-01", "to": "2018-12-31"}).json()
        assert {h["date"][:4] for h in dated["hits"]} == {"2018"} and dated["total"] == 2
        second = http.get("/api/search", params={"sort": "date", "per_page": 1, "page": 2}).json()
        assert (second["page"], second["per_page"], second["total"]) == (2, 1, 4)
        assert [h["id"] for h in second["hits"]] == [everything["hits"][1]["id"]]


@pytest.mark.parametrize("params", [
    {"q": '"unclosed'}, {"q": "partner:"}, {"sort": "alphabetical"}, {"page": "0"},
    {"page": "two"}, {"per_page": "1000"}, {"from": "2018-13-01"}, {"to": "yesterday"},
    {"from": "2019-01-01", "to": "2018-01-01"}, {"direction": "sideways"},
    {"partner": "no-such-partner"}, {"signatory": "nobody"}, {"q": "x" * 600},
])
def test_a_malformed_search_is_400(reading: tuple[LiveServer, WebHome],
                                   params: dict[str, str]) -> None:
    server, home = reading
    with client(server, home, "reader") as http:
        assert_error(http.get("/api/search", params=params), 400)


@pytest.mark.parametrize("most", [1, 9, 37, 100, 109, 500])
def test_up_to_takes_exactly_the_whole_numbers_to_its_limit(most: int) -> None:
    pattern = re.compile(rf"^(?:{'|'.join(up_to(most))})$")
    for n in range(0, most + 120):
        for written in (str(n), f"{n:09d}"):
            assert bool(pattern.match(written)) == (1 <= n <= most), written
    assert not pattern.match(f"{most:010d}") and not pattern.match("")


def test_the_document_states_the_page_size_the_form_checks() -> None:
    """/api/search's per_page pattern (OpenAPI) and SearchForm take the same values: both come
    from search.MAX_PER_PAGE."""
    pattern = re.compile(PER_PAGE_RANGE["pattern"])
    for written in [*(str(n) for n in range(0, MAX_PER_PAGE + 50)), "0100", " 7 ", "007", "1e2"]:
        try:
            SearchForm(per_page=written.strip()).to_request()
            taken = True
        except QueryError:
            taken = False
        assert bool(pattern.match(written)) == taken, written
    assert SearchForm().to_request().per_page == SearchRequest().per_page == DEFAULT_PER_PAGE
