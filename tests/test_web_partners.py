"""The partners over real HTTP: the list, one partner, their API twins and the export bundle."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from support.api import assert_error, client
from support.server import LiveServer
from support.web import browser, text_of
from support.webhome import WebHome


def test_partners_page(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "reader") as http:
        page = http.get("/partners").text
    assert page.count('<th scope="row"><a href="/partners/') == 27
    assert "<svg" in page and 'role="img"' in page and "<title" in page
    assert re.search(r'href="/partners/cloudflare">Cloudflare</a></th>\s*<td[^>]*>Company</td>\s*'
                     r'<td[^>]*><span>23 May 2018</span></td>', page)
    row = page.split('href="/partners/cloudflare">Cloudflare</a></th>')[1].split("</tr>")[0]
    assert re.search(r'<td class="numeric"[^>]*>2</td>', row)
    text = text_of(page)
    assert "8 November 2017 : Apple" in text and "(14)" in text and "(26)" in text
    assert "Unknown : AT&T" in text


def test_partner_page(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with browser(server, "reader") as http:
        cloudflare = http.get("/partners/cloudflare").text
        meta = http.get("/partners/meta").text
        missing = http.get("/partners/nobody")
    founding, rest = cloudflare.split('id="exchanges-title"')
    assert founding.index(home.ids["cloudflare-out.pdf"]) < founding.index(
        home.ids["cloudflare-in.pdf"])
    assert "Founding documents" in founding and home.ids["cloudflare-in.pdf"] not in rest
    assert cloudflare.count(f'href="/letters/{home.ids["cloudflare-in.pdf"]}"') == 1
    meta_text = text_of(meta)
    assert "Facebook" in meta_text and "No letter of this partner is in the archive yet." in (
        meta_text)
    assert missing.status_code == 404
    assert "There is no partner with the slug 'nobody'." in text_of(missing.text)


def test_partners_and_one_partner(reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    with client(server, home, "reader") as http:
        partners = http.get("/api/partners").json()
        cloudflare = http.get("/api/partners/cloudflare").json()
    assert len(partners) == 27
    by_slug = {p["slug"]: p for p in partners}
    assert set(by_slug["cloudflare"]) >= {"slug", "name", "kind", "aliases", "joined", "letters"}
    assert (by_slug["cloudflare"]["letters"], by_slug["apple"]["letters"]) == (2, 0)
    assert by_slug["cloudflare"]["joined"] == "2018-05-23"
    assert cloudflare["name"] == "Cloudflare" and cloudflare["letter_count"] == 2
    assert [x["date"] for x in cloudflare["letters"]] == ["2018-05-23", "2018-05-30"]
    assert [x["id"] for x in cloudflare["founding_documents"]] == [
        home.ids["cloudflare-out.pdf"], home.ids["cloudflare-in.pdf"]]
    assert cloudflare["founding_exchange"]["complete"] is True


def test_export_is_a_bundle_sha256sum_verifies(reading: tuple[LiveServer, WebHome],
                                               tmp_path: Path) -> None:
    server, home = reading
    with client(server, home, "auditor") as http:
        response = http.get("/api/partners/cloudflare/export")
        empty = http.get("/api/partners/apple/export")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "cloudflare-founding-documents.zip" in response.headers["content-disposition"]
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(tmp_path)
    bag = tmp_path / "cloudflare-founding-documents"
    check = subprocess.run(["sha256sum", "-c", "manifest-sha256.txt"], cwd=bag,
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    originals = sorted(p.read_bytes() for p in (bag / "data" / "originals").iterdir())
    assert originals == sorted(home.sources[n].read_bytes()
                               for n in ("cloudflare-out.pdf", "cloudflare-in.pdf"))
    assert "no letters in the archive" in assert_error(empty, 404)
    records = json.loads((bag / "data" / "records.json").read_text(encoding="utf-8"))
    assert {r["id"] for r in records} == {home.ids["cloudflare-out.pdf"],
                                          home.ids["cloudflare-in.pdf"]}


def test_the_command_line_and_the_api_list_the_same_partners(
        reading: tuple[LiveServer, WebHome]) -> None:
    server, home = reading
    with client(server, home, "reader") as http:
        answered = http.get("/api/partners").json()
    printed = subprocess.run([sys.executable, "-m", "letters", "--home", str(home.path),
                              "partners", "--json"], capture_output=True, text=True, timeout=300)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == answered
    assert sum(entry["letters"] for entry in answered) > 0


def test_a_partner_without_a_secretary_general_in_the_registry_shows_its_letters_one(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    app = server.app.state.web.letters
    assert app.registry.partner("att").signatory is None  # type: ignore[union-attr]
    specimens = Path(__file__).resolve().parents[1] / "specimens"
    for result in app.ingest(sorted(specimens.glob("*-att-*.pdf")), by="setup"):
        assert result.letter is not None and result.letter.partner == "att", result
    with browser(server, "reader") as http:
        page = http.get("/partners").text
        french = http.get("/partners?lang=fr").text
    row = page.split('href="/partners/att">AT&amp;T</a></th>')[1].split("</tr>")[0]
    assert 'href="/secretaries-general/jagland"' in row and "(from its founding letters)" in row
    assert "—" not in text_of(row)
    row = french.split('href="/partners/att">AT&amp;T</a></th>')[1].split("</tr>")[0]
    assert "(d’après ses lettres fondatrices)" in row


def test_an_altered_original_is_refused_by_the_export_and_said_on_every_page(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    ident = home.ids["cloudflare-out.pdf"]
    original = server.app.state.web.letters.archive.original_path(ident)
    original.chmod(0o644)
    with open(original, "ab") as handle:
        handle.write(b"%% appended\n")
    with client(server, home, "auditor") as http:
        refused = http.get("/api/partners/cloudflare/export")
        pdf = http.get(f"/api/letters/{ident}/pdf")
        intact = http.get(f"/api/letters/{home.ids['cloudflare-in.pdf']}/pdf")
    said = assert_error(refused, 409)
    assert said == ("The founding documents of Cloudflare cannot be exported, because the "
                    "original of the letter of 2018-05-23 from the Secretary General to "
                    "Cloudflare is not the one archived: its SHA-256 differs from the one it was "
                    "archived under; restore the original from a backup, then export again.")
    # the bytes the archive holds stay readable, never as the original
    assert pdf.status_code == 200 and pdf.headers["x-original-intact"] == "no"
    assert "altered-" in pdf.headers["content-disposition"]
    assert intact.headers["x-original-intact"] == "yes"
    with browser(server, "auditor") as http:
        partner = text_of(http.get("/partners/cloudflare").text)
        letter = text_of(http.get(f"/letters/{ident}").text)
        french = text_of(http.get("/partners/cloudflare?lang=fr").text)
    assert "The founding-documents bundle is unavailable" in partner
    assert "is not the one archived" in partner and "Download the founding" not in partner
    assert "This original is not the one archived" in letter
    assert "Le dossier des documents fondateurs n’est pas disponible" in french
    assert "ne peuvent pas être exportés" in french
