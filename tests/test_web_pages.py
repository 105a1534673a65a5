"""The pages over real HTTP: login and sessions, CSRF, search, letters, partners, upload, i18n."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import httpx
import pdfkit

from letters import audit
from letters.pdf import thumbnails
from letters.settings import Settings
from letters.web import i18n, languages
from letters.web.searchform import page_count
from support.server import LiveServer
from support.web import browser, csrf_of, text_of
from support.webhome import WEB_PASSWORD, WebHome, copy_web_home

CITATION = ("Letter from Thorbjørn Jagland, Secretary General of the Council of Europe, to "
            "Cloudflare, Inc., Strasbourg, 23 May 2018")
REPLY_CITATION = ("Letter from Matthew Prince, Cloudflare, Inc., to Thorbjørn Jagland, Secretary "
                  "General of the Council of Europe, 30 May 2018")
EVIL_NAME = "<img src=x onerror=alert(1)>.pdf"
OPEN_BANNER = "Open reading: anyone who can reach this site"


# -- login, sessions, CSRF -----------------------------------------------------------------------
def test_reading_needs_a_login_by_default(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with browser(server) as http:
        for path in ("/", "/?q=privacy", f"/letters/{home.ids['google-out.pdf']}", "/partners",
                     "/secretaries-general", "/upload"):
            response = http.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=%2F")
        assert http.get("/login").status_code == 200


def test_login_sets_a_safe_cookie_and_returns_to_the_page(site: tuple[LiveServer, WebHome]
                                                          ) -> None:
    server, _ = site
    with browser(server) as http:
        form = http.get("/login?next=/partners").text
        assert 'name="next" value="/partners"' in form
        response = http.post("/login", data={"csrf": csrf_of(form), "name": "reader",
                                             "password": WEB_PASSWORD.format(role="reader"),
                                             "next": "/partners"})
        assert response.status_code == 303 and response.headers["location"] == "/partners"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("letters_session=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie
        page = http.get("/partners")
        assert page.status_code == 200 and "Signed in as reader (reader)" in text_of(page.text)
    events = audit.events(server.app.state.web.letters.settings.archive_dir)
    assert events[-1]["action"] == "login" and events[-1]["who"] == "reader"
    assert events[-1]["address"] == "127.0.0.1"


def test_next_cannot_leave_the_site(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server) as http:
        for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
            form = http.get("/login").text
            response = http.post("/login", data={
                "csrf": csrf_of(form), "name": "reader", "next": target,
                "password": WEB_PASSWORD.format(role="reader")})
            assert response.headers["location"] == "/", target


def test_wrong_password_is_refused_and_audited(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server) as http:
        form = http.get("/login").text
        response = http.post("/login", data={"csrf": csrf_of(form), "name": "reader",
                                             "password": "not the password"})
        assert response.status_code == 401
        assert "The user name or the password is not right." in text_of(response.text)
        assert "letters_session" not in response.headers.get("set-cookie", "")
        assert http.get("/").status_code == 303
    events = audit.events(server.app.state.web.letters.settings.archive_dir)
    assert events[-1]["action"] == "login_failed" and events[-1]["what"] == {"user": "reader"}


def test_forms_without_the_csrf_token_are_refused(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server) as http:
        http.get("/login")
        for data in ({}, {"csrf": "forged"}):
            response = http.post("/login", data={"name": "reader", **data,
                                                 "password": WEB_PASSWORD.format(role="reader")})
            assert response.status_code == 403
            assert "The form has expired or did not come from this site" in response.text
    with browser(server, "archivist") as http:
        assert http.post("/logout", data={"csrf": "forged"}).status_code == 403
        assert http.get("/upload").status_code == 200  # still logged in
        before = len(list(server.app.state.web.letters.archive.records()))
        letter = pdfkit.text_pdf([["A letter sent by a forged form."]])
        refused = http.post("/upload", files={"file": ("x.pdf", letter)})
        assert refused.status_code == 403
        assert len(list(server.app.state.web.letters.archive.records())) == before


def test_logout_ends_the_session(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "reader") as http:
        page = http.get("/").text
        cookie = http.cookies["letters_session"]
        response = http.post("/logout", data={"csrf": csrf_of(page)})
        assert response.status_code == 303 and response.headers["location"] == "/"
        assert http.get("/").status_code == 303
    with httpx.Client(base_url=server.url, cookies={"letters_session": cookie}) as replay:
        assert replay.get("/").status_code == 303  # the old cookie opens nothing
    events = audit.events(server.app.state.web.letters.settings.archive_dir)
    assert events[-1]["action"] == "logout"


def test_a_tampered_cookie_opens_nothing(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "reader") as http:
        value = http.cookies["letters_session"]
    session_id, _, rest = value.partition(".")
    forged = session_id[:-1] + ("A" if session_id[-1] != "A" else "B") + "." + rest
    with httpx.Client(base_url=server.url, cookies={"letters_session": forged}) as http:
        assert http.get("/").status_code == 303


def test_many_failed_logins_are_throttled(fresh: tuple[LiveServer, WebHome]) -> None:
    server, _ = fresh
    with browser(server) as http:
        statuses = []
        for _ in range(11):
            form = http.get("/login").text
            statuses.append(http.post("/login", data={"csrf": csrf_of(form), "name": "reader",
                                                      "password": "guess"}).status_code)
        form = http.get("/login").text
        right = http.post("/login", data={"csrf": csrf_of(form), "name": "reader",
                                          "password": WEB_PASSWORD.format(role="reader")})
    assert statuses == [401] * 10 + [429]
    assert right.status_code == 429 and "Too many failed logins" in right.text


def test_roles_guard_the_pages(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with browser(server, "reader") as http:
        upload = http.get("/upload")
        assert upload.status_code == 403
        assert "This needs the archivist role; reader is a reader." in text_of(upload.text)
        letter = http.get(f"/letters/{home.ids['google-out.pdf']}").text
        assert "Correct the record" not in letter and 'href="/upload"' not in letter
    with browser(server, "auditor") as http:
        assert http.get("/upload").status_code == 403
        partner = http.get("/partners/cloudflare").text
        assert "/api/partners/cloudflare/export" in partner
    with browser(server, "archivist") as http:
        assert http.get("/upload").status_code == 200
        assert "/api/partners/cloudflare/export" not in http.get("/partners/cloudflare").text


# -- search ---------------------------------------------------------------------------------------
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


# -- letters -----------------------------------------------------------------------------------
def test_letter_page(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    out_id, in_id = home.ids["cloudflare-out.pdf"], home.ids["cloudflare-in.pdf"]
    with browser(server, "reader") as http:
        page = http.get(f"/letters/{out_id}", params={"q": "democracy"}).text
        reply = http.get(f"/letters/{in_id}").text
    text = text_of(page)
    assert CITATION in text
    assert REPLY_CITATION in text_of(reply)
    assert f'value="{server.url}/letters/{out_id}"' in page  # the permanent link
    assert f'href="/letters/{in_id}"' in page  # the other letter of the exchange
    assert f'href="/letters/{out_id}"' in reply
    assert "Found in the letter: dateline: 'Strasbourg, 23 May 2018'" in text
    assert "Found in the letter: addressee block: 'Cloudflare, Inc.'" in text
    assert "<mark>democracy</mark>" in page
    assert f'src="/letters/{out_id}/pages/1.png"' in page
    assert f'href="/letters/{out_id}/original.pdf"' in page
    assert "The PDF holds no digital signature." in text
    assert "Added to the archive" in text and "setup" in text  # the history
    assert "This letter needs review" not in text


def test_letter_that_needs_review_says_why(fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    app = server.app.state.web.letters
    letter_id = home.ids["google-out.pdf"]
    app.archive.update(letter_id, {"status": "needs_review",
                                   "reasons": ["the date is in the future"]}, by="test")
    with browser(server, "reader") as http:
        text = text_of(http.get(f"/letters/{letter_id}").text)
    assert "This letter needs review" in text and "the date is in the future" in text


def test_thumbnails_are_made_kept_and_remade(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    app = server.app.state.web.letters
    letter = app.get(home.ids["ripe-fr.pdf"])
    cached = thumbnails.thumbnail_path(app.archive, letter, 1)
    cached.unlink(missing_ok=True)
    with browser(server, "reader") as http:
        first = http.get(f"/letters/{letter.id}/pages/1.png")
        assert first.status_code == 200 and first.headers["content-type"] == "image/png"
        assert first.content.startswith(b"\x89PNG\r\n\x1a\n")
        assert cached.read_bytes() == first.content
        cached.unlink()
        assert http.get(f"/letters/{letter.id}/pages/1.png").content == first.content
        assert cached.exists()
        for page in ("0", "2", "one"):
            missing = http.get(f"/letters/{letter.id}/pages/{page}.png")
            assert missing.status_code == 404 and "Page not found" in missing.text


def test_download_the_original(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with browser(server, "reader") as http:
        response = http.get(f"/letters/{home.ids['ripe-fr.pdf']}/original.pdf")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="ripe-fr.pdf"'
    assert response.content == home.sources["ripe-fr.pdf"].read_bytes()


def test_correction_form(fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    letter_id = home.ids["ripe-fr.pdf"]
    with browser(server, "archivist") as http:
        page = http.get(f"/letters/{letter_id}").text
        form = {"csrf": csrf_of(page), "date": "2020-02-07", "partner": "ripe-ncc",
                "signatory": "pejcinovic-buric", "direction": "outgoing", "language": "fr",
                "signed_by": "Marija Pejčinović Burić",
                "title": "Letter from Marija Pejčinović Burić to RIPE NCC"}
        saved = http.post(f"/letters/{letter_id}/correct", data=form)
        assert saved.status_code == 303
        after = http.get(saved.headers["location"]).text
        assert "The correction was saved." in after and "7 February 2020" in text_of(after)
        wrong = http.post(f"/letters/{letter_id}/correct", data={**form, "date": "2020-31-01"})
        assert wrong.status_code == 422 and "is not a date of the form YYYY-MM-DD" in wrong.text
    history = server.app.state.web.letters.archive.history(letter_id)
    assert history[-1]["by"] == "archivist"
    assert set(history[-1]["changes"]) >= {"date"} and "title" not in history[-1]["changes"]


# -- partners and Secretaries General ------------------------------------------------------------
def test_partners_page(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "reader") as http:
        page = http.get("/partners").text
    assert page.count('<th scope="row"><a href="/partners/') == 27
    assert "<svg" in page and 'role="img"' in page and "<title" in page
    assert re.search(r'href="/partners/cloudflare">Cloudflare</a></th>\s*<td[^>]*>Company</td>\s*'
                     r'<td[^>]*>23 May 2018</td>', page)
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


# -- upload --------------------------------------------------------------------------------------
def test_upload_form_shows_each_file_result(fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    new = pdfkit.text_pdf([["**COUNCIL OF EUROPE", "The Secretary General", "",
                            "Strasbourg, 17 November 2020", "", "Mr Example", "IBM", "",
                            "Welcome to the partnership.", "", "Marija Pejčinović Burić",
                            "Secretary General"]])
    with browser(server, "archivist") as http:
        token = csrf_of(http.get("/upload").text)
        response = http.post("/upload", data={"csrf": token}, files=[
            ("file", (EVIL_NAME, new)),
            ("file", ("google again.pdf", home.sources["google-out.pdf"].read_bytes())),
            ("file", ("notes.pdf", b"plain text"))])
        empty = http.post("/upload", data={"csrf": token}, files=[("file", ("", b""))])
    assert response.status_code == 200
    text = text_of(response.text)
    assert f"Added {EVIL_NAME} 17 November 2020 · IBM · Marija Pejčinović Burić" in text
    assert "<img" not in response.text and "&lt;img src=x onerror=alert(1)&gt;" in response.text
    assert "Already in the archive google again.pdf" in text
    assert f'href="/letters/{home.ids["google-out.pdf"]}">Open the letter already archived' in (
        response.text)
    assert "Rejected notes.pdf not a PDF" in text
    added = [x for x in server.app.state.web.letters.archive.records() if x.partner == "ibm"]
    assert len(added) == 1 and added[0].added_by == "archivist"
    assert empty.status_code == 400 and "Choose at least one PDF file." in empty.text


def test_upload_form_too_large(web_template: WebHome, tmp_path: Path) -> None:
    home = copy_web_home(web_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path, max_upload_bytes=100_000)) as server, \
            browser(server, "archivist") as http:
        token = csrf_of(http.get("/upload").text)
        response = http.post("/upload", data={"csrf": token},
                             files=[("file", ("big.pdf", b"%PDF-1.4\n" + b"0" * 200_000))])
        french = http.post("/upload", data={"csrf": token}, headers={"Accept-Language": "fr"},
                           files=[("file", ("big.pdf", b"%PDF-1.4\n" + b"0" * 200_000))])
        garbled = http.post("/upload", headers={"Accept-Language": "fr",
                                                 "Content-Type": "multipart/form-data; boundary=x"},
                            content=b"--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n")
        api = httpx.post(f"{server.url}/api/letters", content=b"x", headers={
            "Authorization": f"Bearer {home.tokens['archivist']}", "Content-Type": "text/plain"})
    assert response.status_code == 413
    assert "The upload is larger than the limit of 100000 bytes" in text_of(response.text)
    assert french.status_code == 413
    assert "Le dépôt dépasse la limite de 100000 octets" in text_of(french.text)
    assert garbled.status_code == 400  # a refusal said in French from its code
    assert "Le dépôt s’est interrompu avant la fin de sa dernière partie." in text_of(garbled.text)
    assert api.status_code == 415 and api.json() == {  # the JSON keeps its English
        "detail": "Send the letters as multipart/form-data, one 'file' field per PDF."}


# -- open reading, languages, errors -------------------------------------------------------------
def test_open_reading_is_open_and_says_so(web_template: WebHome, tmp_path: Path) -> None:
    home = copy_web_home(web_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path, open_reading=True)) as server, \
            browser(server) as http:
        assert "set-cookie" not in http.get("/partners").headers  # reading leaves no cookie
        for path in ("/", "/?q=privacy", f"/letters/{home.ids['google-out.pdf']}", "/partners",
                     "/partners/cloudflare", "/secretaries-general", "/login", "/nowhere"):
            response = http.get(path)
            assert response.status_code in (200, 404), path
            assert OPEN_BANNER in text_of(response.text), path
        assert http.get(f"/letters/{home.ids['google-out.pdf']}/original.pdf").status_code == 200
        assert http.get("/api/search").status_code == 200
        assert http.get("/upload").status_code == 303  # writing still needs a login
        assert http.get("/api/audit").status_code == 401
    with LiveServer(Settings(home=home.path)) as closed, browser(closed, "reader") as http:
        assert OPEN_BANNER not in text_of(http.get("/").text)


def test_french_interface(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with browser(server, "reader") as http:
        english = http.get("/partners").text
        assert '<html lang="en">' in english and 'href="/partners?lang=fr"' in english
        french = http.get("/partners", params={"lang": "fr"})
        assert '<html lang="fr">' in french.text and "Partenaires" in french.text
        assert "letters_lang=fr" in french.headers["set-cookie"]
        letter = text_of(http.get(f"/letters/{home.ids['cloudflare-out.pdf']}").text)
        assert "Télécharger l’original (PDF, 1 page)" in letter and "23 mai 2018" in letter
        back = http.get("/", params={"lang": "en", "q": "privacy"}).text
        assert '<html lang="en">' in back and "Search the letters" in back
    with httpx.Client(base_url=server.url, headers={"Accept-Language": "fr-CH, en;q=0.5"}) as http:
        assert "Connexion" in http.get("/login").text


def test_every_string_is_translated() -> None:
    english, french = i18n.STRINGS["en"], i18n.STRINGS["fr"]
    assert set(english) == set(french)
    for key in english:
        assert re.findall(r"{\w+}", english[key]) == re.findall(r"{\w+}", french[key]), key
    assert languages.long_date("2018-05-23", "fr") == "23 mai 2018"
    assert languages.long_date("2018-05-23", "en") == "23 May 2018"


def test_friendly_404_and_json_under_api(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "reader") as http:
        page = http.get("/no/such/page")
        letter = http.get("/letters/0000000000000000")
        api = http.get("/api/no/such/thing")
    assert page.status_code == 404 and "Page not found" in page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "There is no letter with the id '0000000000000000'." in text_of(letter.text)
    assert api.status_code == 404 and api.json() == {"detail": "There is nothing at this address."}


def test_a_server_error_shows_no_stack_trace(fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    app = server.app.state.web.letters
    letter_id = home.ids["google-out.pdf"]
    record = app.archive.original_path(letter_id).parent / "record.json"
    record.write_text("{ this is not JSON", encoding="utf-8")
    with browser(server, "reader") as http:
        # uvicorn drops the connection after an error: each request on a connection of its own
        page = http.get(f"/letters/{letter_id}", headers={"Connection": "close"})
        api = http.get(f"/api/letters/{letter_id}", headers={"Connection": "close"})
    assert page.status_code == 500 and "Something went wrong on the server" in page.text
    assert "Traceback" not in page.text and "JSONDecodeError" not in page.text
    assert api.status_code == 500 and set(json.loads(api.text)) == {"detail"}
    assert "Traceback" not in api.text


def test_security_headers(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server) as http:
        response = http.get("/login")
        css = http.get("/static/letters.css")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in response.text and ' style="' not in response.text  # CSP-ready
    assert css.status_code == 200 and "@media print" in css.text
    assert css.headers["cache-control"].startswith("public")


def test_a_recognised_title_is_said_in_french_and_a_corrected_one_as_typed(
        fresh: tuple[LiveServer, WebHome], tmp_path: Path) -> None:
    server, home = fresh
    app = server.app.state.web.letters
    letter_id = home.ids["cloudflare-out.pdf"]
    english = "Letter from Thorbjørn Jagland to Cloudflare, Inc."
    record = app.archive.original_path(letter_id).parent / "record.json"
    assert json.loads(record.read_text("utf-8"))["recognised_title"] == {
        "code": "title.from_to", "params": {"writer": "Thorbjørn Jagland",
                                           "recipient": "Cloudflare, Inc."}}
    with browser(server, "archivist") as http:
        assert http.get(f"/api/letters/{letter_id}").json()["title"] == english
        assert "recognised_title" not in http.get(f"/api/letters/{letter_id}").json()
        french = text_of(http.get(f"/letters/{letter_id}", params={"lang": "fr"}).text)
        assert "Lettre de Thorbjørn Jagland à Cloudflare, Inc." in french and english not in french
        assert ("Lettre de Thorbjørn Jagland, Secrétaire Général du Conseil de l’Europe, à "
                "Cloudflare, Inc., Strasbourg, le 23 mai 2018") in french  # the citation
        typed = "Letter from Thorbjørn Jagland to Cloudflare"  # an archivist's words, in English
        app.correct(letter_id, {"title": typed}, by="archivist")
        page = http.get(f"/letters/{letter_id}", params={"lang": "fr"}).text
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", page)
        assert heading is not None and html.unescape(heading.group(1)) == typed
        fields = text_of(page[page.index('id="record-title"'):page.index('id="exchange-title"')])
        assert typed in fields and "Lettre de" not in fields
        assert http.get(f"/api/letters/{letter_id}").json()["title"] == typed
        # a letter recognition gave no title: the one an archivist gives it is shown as typed
        note = pdfkit.write_text_pdf(tmp_path / "note.pdf", [["Shopping list", "", "Bread, milk."]])
        [added] = app.ingest([note], by="archivist")
        assert added.letter is not None and added.letter.title is None
        untitled = added.letter.id
        assert json.loads((app.archive.original_path(untitled).parent / "record.json").read_text(
            "utf-8"))["recognised_title"] == ""
        app.correct(untitled, {"title": typed}, by="archivist")
        page = http.get(f"/letters/{untitled}", params={"lang": "fr"}).text
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", page)
        assert heading is not None and html.unescape(heading.group(1)) == typed
        # a record from before titles had codes: its English title is still said in French
        old = json.loads(record.read_text("utf-8"))
        del old["recognised_title"]
        old["title"] = english
        record.write_text(json.dumps(old), "utf-8")
        assert app.get(letter_id).recognised_title is None
        french = text_of(http.get(f"/letters/{letter_id}", params={"lang": "fr"}).text)
        assert "Lettre de Thorbjørn Jagland à Cloudflare, Inc." in french
