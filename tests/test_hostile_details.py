"""The low findings of the adversarial review, over real HTTP: Unicode digits in numbers, an
overlong slug in an export, an off-site language link, deceptive download names, formulas in
records.csv."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from email.message import Message

import httpx
import pdfkit
import pytest

from letters.registry import CHANGES_FILE
from support.server import LiveServer
from support.webhome import WebHome

Fresh = tuple[LiveServer, WebHome]


def bearer(home: WebHome, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {home.tokens[role]}"}


@pytest.mark.parametrize("query", ["page=%C2%B2", "per_page=%C2%B9", "page=" + "9" * 5000,
                                   "per_page=" + "1" * 5000, "page=%D9%A3"])
def test_unicode_and_huge_numbers_are_400(site: Fresh, query: str) -> None:
    server, home = site
    answer = httpx.get(f"{server.url}/api/search?{query}", headers=bearer(home, "reader"),
                       timeout=60)
    assert answer.status_code == 400 and "whole number" in answer.json()["detail"]
    with httpx.Client(base_url=server.url, timeout=60, headers=bearer(home, "auditor")) as http:
        assert http.get(f"/?{query}").status_code == 400
        assert http.get(f"/audit?{query}").status_code == 400


def test_a_huge_page_far_beyond_the_results_is_empty(site: Fresh) -> None:
    server, home = site
    answer = httpx.get(f"{server.url}/api/search?q=partnership&page=999999999",
                       headers=bearer(home, "reader"), timeout=60)
    assert answer.status_code == 200 and answer.json()["hits"] == []


def test_a_thumbnail_of_a_unicode_digit_page_is_404(site: Fresh) -> None:
    server, home = site
    letter = home.ids["google-out.pdf"]
    for page in ("%C2%B2", "%D9%A1", "9" * 5000):
        answer = httpx.get(f"{server.url}/letters/{letter}/pages/{page}.png",
                           headers=bearer(home, "reader"), timeout=60)
        assert answer.status_code == 404, page


def test_the_language_link_of_a_404_stays_on_the_site(site: Fresh) -> None:
    server, home = site
    with httpx.Client(base_url=server.url, timeout=60, headers=bearer(home, "reader")) as http:
        for path in ("//evil.example/x", "/\\evil.example/x", "///evil.example"):
            page = http.get(server.url + path)
            assert page.status_code == 404
            link = page.text.split('class="language__switch"')[0].rsplit('href="', 1)[1]
            assert link.startswith("/") and not link.startswith(("//", "/\\")), link


def test_an_overlong_slug_is_refused_and_an_old_one_still_exports(fresh: Fresh) -> None:
    server, home = fresh
    slug = "a" * 150 + "-" + "b" * 149
    refused = httpx.post(f"{server.url}/api/partners", headers=bearer(home, "archivist"),
                         json={"slug": slug, "name": "Long Name Ltd", "kind": "company"})
    assert refused.status_code == 422 and "at most 64 characters" in refused.json()["detail"]
    # as a registry changed by hand (or by an older version) may hold it
    change = {"op": "add_partner", "slug": slug, "name": "Long Name Ltd", "kind": "company",
              "joined": None, "by": "someone"}
    with open(home.path / "archive" / CHANGES_FILE, "a", encoding="utf-8") as log:
        log.write(json.dumps(change) + "\n")
    server.app.state.web.letters.reload_registry()
    letter = home.ids["google-out.pdf"]
    assert httpx.patch(f"{server.url}/api/letters/{letter}",
                       json={"partner": slug, "confirm_pairing": True},
                       headers=bearer(home, "archivist"), timeout=60).status_code == 200
    bundle = httpx.get(f"{server.url}/api/partners/{slug}/export",
                       headers=bearer(home, "auditor"), timeout=120)
    assert bundle.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()
    assert all(len(part.encode()) < 255 for name in names for part in name.split("/"))


def filename_of(response: httpx.Response) -> str:
    message = Message()
    message["content-disposition"] = response.headers["content-disposition"]
    name = message.get_filename()
    assert name is not None
    return name


def test_download_names_lose_direction_overrides_and_end_in_pdf(fresh: Fresh) -> None:
    server, home = fresh
    pdf = pdfkit.text_pdf([["**COUNCIL OF EUROPE", "Strasbourg, 5 May 2021", "",
                            "A letter with a deceptive name."]])
    uploaded = httpx.post(f"{server.url}/api/letters", headers=bearer(home, "archivist"),
                          files={"file": ("invoice\u202efdp.exe", pdf)}, timeout=300)
    assert uploaded.status_code == 201, uploaded.text
    letter = uploaded.json()[0]["id"]
    with httpx.Client(base_url=server.url, timeout=60, headers=bearer(home, "reader")) as http:
        for path in (f"/api/letters/{letter}/pdf", f"/letters/{letter}/original.pdf"):
            name = filename_of(http.get(path))
            assert name == "invoicefdp.exe.pdf", path


def test_records_csv_holds_no_formula(fresh: Fresh) -> None:
    server, home = fresh
    letter = home.ids["cloudflare-out.pdf"]
    formulas = {"title": '=HYPERLINK("http://evil.example","Open")', "signed_by": "@SUM(1+1)"}
    assert httpx.patch(f"{server.url}/api/letters/{letter}", json=formulas,
                       headers=bearer(home, "archivist"), timeout=60).status_code == 200
    bundle = httpx.get(f"{server.url}/api/partners/cloudflare/export",
                       headers=bearer(home, "auditor"), timeout=120)
    assert bundle.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(bundle.content))
    [csv_name] = [n for n in archive.namelist() if n.endswith("records.csv")]
    rows = list(csv.DictReader(io.StringIO(archive.read(csv_name).decode())))
    row = next(r for r in rows if r["id"] == letter)
    assert row["title"] == "'" + formulas["title"] and row["signed_by"] == "'" + formulas["signed_by"]
    assert all(not value.startswith(("=", "+", "@")) for r in rows for value in r.values())
    [json_name] = [n for n in archive.namelist() if n.endswith("records.json")]
    records = json.loads(archive.read(json_name))
    assert next(r for r in records if r["id"] == letter)["title"] == formulas["title"]
