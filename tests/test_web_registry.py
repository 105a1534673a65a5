"""The registry from the web over real HTTP: add a partner, add a name, relink the letters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pdfkit
import pytest

from letters.models import KINDS
from letters.preservation import audit
from letters.service import Letters
from letters.settings import Settings
from letters.web import contract, i18n
from support.server import LiveServer
from support.web import browser, csrf_of, text_of
from support.webhome import WebHome, copy_web_home


def sg_letter(org: str, day: str) -> list[str]:
    """The Secretary General's letter to an organisation, on that day."""
    return ["**COUNCIL OF EUROPE", "The Secretary General", "", f"Strasbourg, {day}", "",
            "Ms Jane Doe", "Chief Executive Officer", org, "1 Main Street, Berlin", "",
            "Dear Ms Doe,", "", f"I am pleased to welcome {org} to the Digital Partnership.", "",
            "Yours sincerely,", "", "Marija Pejčinović Burić", "Secretary General"]


#: Letters to organisations the registry does not know yet.
EXTRA = {"acme.pdf": sg_letter("Acme Robotics GmbH", "12 March 2021"),
         "zeta.pdf": sg_letter("Zeta Systems AG", "3 March 2020")}


@pytest.fixture(scope="module")
def registry_template(web_template: WebHome, tmp_path_factory: pytest.TempPathFactory
                      ) -> WebHome:
    """The web home plus two letters whose partner is not registered."""
    root = tmp_path_factory.mktemp("registry")
    home = copy_web_home(web_template, root / "home")
    files = [pdfkit.write_text_pdf(root / name, [lines]) for name, lines in EXTRA.items()]
    for result in Letters(Settings(home=home.path)).ingest(files, by="setup"):
        assert result.letter is not None and result.letter.partner is None, result
        home.ids[Path(result.path).name] = result.letter.id
    return home


@pytest.fixture
def site(registry_template: WebHome, tmp_path: Path) -> Iterator[tuple[LiveServer, WebHome]]:
    """A server on a private copy of the registry home."""
    home = copy_web_home(registry_template, tmp_path / "home")
    with LiveServer(Settings(home=home.path)) as server:
        yield server, home


def api(server: LiveServer, home: WebHome, role: str | None) -> httpx.Client:
    """An API client with the role's bearer token (none for None)."""
    headers = {"Authorization": f"Bearer {home.tokens[role]}"} if role else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=60)


def actions(server: LiveServer) -> list[tuple[str, dict[str, object]]]:
    """The audit log's actions and what they were about, oldest first."""
    return [(e["action"], e["what"])
            for e in audit.events(server.app.state.web.letters.settings.archive_dir)]


def test_the_kinds_of_partner_are_one_list_with_a_label_in_each_language() -> None:
    for lang in i18n.LANGUAGES:
        assert all(i18n.STRINGS[lang].get(f"kind.{kind}") for kind in KINDS), lang
    assert contract.NewPartner.model_json_schema()["properties"]["kind"]["enum"] == list(KINDS)


# -- pages ---------------------------------------------------------------------------------------
def test_add_a_partner_then_relink_its_letter(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    acme = home.ids["acme.pdf"]
    with browser(server, "archivist") as http:
        assert 'href="/partners/new"' in http.get("/partners").text
        form = http.get("/partners/new")
        assert form.status_code == 200 and "Add a partner" in text_of(form.text)
        assert all(f'<option value="{kind}"' in form.text for kind in KINDS)
        added = http.post("/partners/new", data={
            "csrf": csrf_of(form.text), "name": "Acme Robotics", "slug": "", "kind": "company",
            "joined": "2021-03-01"})
        assert added.status_code == 303
        assert added.headers["location"] == "/partners/acme-robotics/relink?added=partner"
        offer = http.get(added.headers["location"]).text
        text = text_of(offer)
        assert "The partner was added." in text and "Letters to link to Acme Robotics" in text
        assert f'name="id" value="{acme}"' in offer
        assert "addressee block: 'Acme Robotics'" in text
        french = text_of(http.get(added.headers["location"], headers={"Accept-Language": "fr"}).text)
        assert "bloc du destinataire : « Acme Robotics »" in french and "addressee block" not in french
        assert f'value="{home.ids["zeta.pdf"]}"' not in offer  # not named in the Zeta letter
        done = http.post("/partners/acme-robotics/relink",
                         data={"csrf": csrf_of(offer), "id": acme})
        assert done.status_code == 303
        assert done.headers["location"] == "/partners/acme-robotics/relink?relinked=1"
        after = text_of(http.get(done.headers["location"]).text)
        assert "Letters linked to Acme Robotics: 1." in after
        assert "No other letter names this partner." in after
        partner_page = text_of(http.get("/partners/acme-robotics").text)
        assert "Acme Robotics" in partner_page and "1 March 2021" in partner_page
        # re-indexed at once: the partner filter finds the letter
        found = http.get("/api/search", params={"partner": "acme-robotics"}).json()
        assert [hit["id"] for hit in found["hits"]] == [acme]
    app = server.app.state.web.letters
    assert app.get(acme).partner == "acme-robotics"
    change = app.archive.history(acme)[-1]
    assert change["by"] == "archivist" and change["changes"]["partner"] == {
        "before": None, "after": "acme-robotics"}
    log = actions(server)
    assert ("registry", {"op": "add_partner", "slug": "acme-robotics", "name": "Acme Robotics",
                         "kind": "company", "joined": "2021-03-01"}) in log
    assert ("relink", {"slug": "acme-robotics", "ids": [acme]}) in log
    assert ("correct", {"id": acme, "fields": ["partner"]}) in log


def test_add_a_former_name_then_relink(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    zeta = home.ids["zeta.pdf"]
    with api(server, home, "archivist") as http:
        assert http.post("/api/partners", json={"slug": "acme-robotics", "name": "Acme Robotics",
                                                "kind": "company"}).status_code == 201
    with browser(server, "archivist") as http:
        partner_page = http.get("/partners/acme-robotics").text
        assert 'href="/partners/acme-robotics/names"' in partner_page
        form = http.get("/partners/acme-robotics/names").text
        added = http.post("/partners/acme-robotics/names", data={
            "csrf": csrf_of(form), "name": "Zeta Systems AG", "since": "", "until": "2020-12-31"})
        assert added.status_code == 303
        assert added.headers["location"] == "/partners/acme-robotics/relink?added=name"
        offer = http.get(added.headers["location"]).text
        assert "The name was added." in text_of(offer)
        assert f'name="id" value="{zeta}"' in offer and f'value="{home.ids["acme.pdf"]}"' in offer
        done = http.post("/partners/acme-robotics/relink", data={"csrf": csrf_of(offer), "id": zeta})
        assert done.status_code == 303
        text = text_of(http.get("/partners/acme-robotics").text)
    assert "Zeta Systems AG (until 31 December 2020)" in text
    app = server.app.state.web.letters
    assert app.get(zeta).partner == "acme-robotics"
    assert app.get(home.ids["acme.pdf"]).partner is None  # not ticked, not linked
    assert ("registry", {"op": "add_alias", "slug": "acme-robotics", "name": "Zeta Systems AG",
                         "since": None, "until": "2020-12-31"}) in actions(server)


def test_form_errors_are_shown_on_the_form(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "archivist") as http:
        token = csrf_of(http.get("/partners/new").text)
        taken = http.post("/partners/new", data={"csrf": token, "name": "Google again",
                                                 "slug": "google", "kind": "company"})
        assert taken.status_code == 422
        assert "A partner with the slug 'google' already exists." in text_of(taken.text)
        assert 'value="Google again"' in taken.text  # what was typed is kept
        bad_date = http.post("/partners/new", data={"csrf": token, "name": "Acme",
                                                    "kind": "company", "joined": "2021-13-01"})
        assert bad_date.status_code == 422
        assert "'2021-13-01' is not a date of the form YYYY-MM-DD." in text_of(bad_date.text)
        bad_slug = http.post("/partners/new", data={"csrf": token, "name": "Acme",
                                                    "slug": "Acme Inc", "kind": "company"})
        assert bad_slug.status_code == 422 and "is not a valid slug" in text_of(bad_slug.text)
        dates = http.post("/partners/google/names", data={
            "csrf": token, "name": "Google Old", "since": "2020-01-01", "until": "2019-01-01"})
        assert dates.status_code == 422
        assert "The name's first date comes after its last date." in text_of(dates.text)
        empty = http.post("/partners/google/relink", data={"csrf": token})
        assert empty.status_code == 422
        assert "Choose at least one letter to link to the partner." in text_of(empty.text)
        unknown = http.get("/partners/no-such-partner/names")
        assert unknown.status_code == 404
    assert not any(a == "registry" for a, _ in actions(server))
    assert "google-old" not in server.app.state.web.letters.registry.partners


def test_registry_pages_need_an_archivist_and_the_form_token(
        site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "reader") as http:
        assert http.get("/partners/new").status_code == 403  # not read as a partner's slug
        assert http.get("/partners/google/names").status_code == 403
        assert http.get("/partners/google/relink").status_code == 403
        assert 'href="/partners/new"' not in http.get("/partners").text
        assert 'href="/partners/google/names"' not in http.get("/partners/google").text
    with browser(server, "archivist") as http:
        http.get("/partners/new")
        forged = http.post("/partners/new", data={"csrf": "forged", "name": "Acme",
                                                  "kind": "company"})
        assert forged.status_code == 403
    assert "acme" not in server.app.state.web.letters.registry.partners


def test_registry_forms_in_french(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "archivist") as http:
        assert "Ajouter un partenaire" in text_of(http.get("/partners/new?lang=fr").text)
        names = text_of(http.get("/partners/google/names").text)
    assert "Un autre nom pour Google" in names and "Google LLC" in names


# -- the API -------------------------------------------------------------------------------------
def test_api_add_partner_name_and_relink(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    acme, zeta = home.ids["acme.pdf"], home.ids["zeta.pdf"]
    with api(server, home, "archivist") as http:
        added = http.post("/api/partners", json={"slug": "acme-robotics", "name": "Acme Robotics",
                                                 "kind": "company"})
        assert added.status_code == 201
        body = added.json()
        assert body["slug"] == "acme-robotics" and body["letters"] == 0
        assert [c["letter"]["id"] for c in body["candidates"]] == [acme]
        assert body["candidates"][0]["evidence"] == "addressee block: 'Acme Robotics'"
        named = http.post("/api/partners/acme-robotics/names",
                          json={"name": "Zeta Systems AG", "until": "2020-12-31"})
        assert named.status_code == 201
        assert named.json()["former_names"] == [
            {"name": "Zeta Systems AG", "since": None, "until": "2020-12-31"}]
        assert {c["letter"]["id"] for c in named.json()["candidates"]} == {acme, zeta}
        listed = http.get("/api/partners/acme-robotics/relink").json()
        assert {c["letter"]["id"] for c in listed} == {acme, zeta}
        linked = http.post("/api/partners/acme-robotics/relink", json={"ids": [zeta, zeta]})
        assert linked.status_code == 200
        assert [x["partner"] for x in linked.json()["relinked"]] == ["acme-robotics"]
        assert [c["letter"]["id"] for c in http.get("/api/partners/acme-robotics/relink").json()
                ] == [acme]
        entry = http.get("/api/partners/acme-robotics").json()
        assert [x["id"] for x in entry["letters"]] == [zeta]
    log = actions(server)
    assert ("relink", {"slug": "acme-robotics", "ids": [zeta]}) in log
    assert [a for a, w in log if a == "registry"] == ["registry", "registry"]


def test_api_errors_are_one_sentence(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    cases = [
        ("/api/partners", {"slug": "google", "name": "Google", "kind": "company"}, 422,
         "A partner with the slug 'google' already exists."),
        ("/api/partners", {"slug": "acme", "name": "Acme", "kind": "charity"}, 422,
         "The kind must be 'company' or 'association'."),
        ("/api/partners", {"slug": "acme", "name": "Acme"}, 422, "'kind' is required."),
        ("/api/partners", {"name": 7, "kind": "company"}, 422, "'name' must be a string."),
        ("/api/partners", {"name": "Acme", "kind": "company", "joined": "soon"}, 422,
         "'soon' is not a date of the form YYYY-MM-DD."),
        ("/api/partners/google/names", {"name": "  "}, 422, "'name' is required."),
        ("/api/partners/google/names", {"name": "G", "since": "2020-02-30"}, 422,
         "'2020-02-30' is not a date of the form YYYY-MM-DD."),
        ("/api/partners/nobody/names", {"name": "Nobody"}, 404,
         "There is no partner with the slug 'nobody'."),
        ("/api/partners/google/relink", {"ids": "abc"}, 422, "'ids' must be a list of letter ids."),
        ("/api/partners/google/relink", {"ids": []}, 422,
         "Choose at least one letter to link to the partner."),
        ("/api/partners/google/relink", {"ids": ["0000000000000000"]}, 422,
         "There is no letter with the id '0000000000000000'."),
    ]
    with api(server, home, "archivist") as http:
        for path, body, status, detail in cases:
            answer = http.post(path, json=body)
            said = {"detail": detail, **({"code": "missing.partner"} if status == 404 else {})}
            assert (answer.status_code, answer.json()) == (status, said), body
        broken = http.post("/api/partners", content=b"[1, 2", headers={
            "Content-Type": "application/json"})
        assert broken.status_code == 400 and broken.json()["detail"].startswith("The body must")
    assert not any(a in ("registry", "relink") for a, _ in actions(server))


def test_api_registry_needs_an_archivist(site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    body = {"slug": "acme", "name": "Acme", "kind": "company"}
    for role, status in ((None, 401), ("reader", 403), ("auditor", 403)):
        with api(server, home, role) as http:
            assert http.post("/api/partners", json=body).status_code == status, role
            assert http.post("/api/partners/google/names",
                             json={"name": "G"}).status_code == status, role
            assert http.post("/api/partners/google/relink",
                             json={"ids": [home.ids["acme.pdf"]]}).status_code == status, role
    with api(server, home, "admin") as http:
        assert http.post("/api/partners", json=body).status_code == 201
    with browser(server, "archivist") as http:  # a browser session must send the CSRF header
        refused = http.post("/api/partners", json={**body, "slug": "acme-two"})
        assert refused.status_code == 403
    assert "acme-two" not in server.app.state.web.letters.registry.partners


def test_a_date_of_joining_in_the_future_or_not_a_day_is_refused_in_the_pages_language(
        site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    with browser(server, "archivist") as http:
        form = http.get("/partners/new")
        fields = {"csrf": csrf_of(form.text), "name": "Futura", "slug": "", "kind": "company"}
        future = http.post("/partners/new", data={**fields, "joined": "2099-01-01"})
        assert future.status_code == 422
        assert "The date of joining 2099-01-01 is in the future." in text_of(future.text)
        http.get("/partners/new?lang=fr")
        french = http.post("/partners/new", data={**fields, "joined": "2019-02-30"})
        assert french.status_code == 422
        assert "« 2019-02-30 » n’est pas une date de la forme AAAA-MM-JJ." in text_of(french.text)
        assert "is not a date" not in french.text
        french = http.post("/partners/new", data={**fields, "joined": "2099-01-01"})
        assert "La date d’adhésion 2099-01-01 est dans le futur." in text_of(french.text)
        chart = http.get("/partners").text
    assert "Futura" not in chart
    assert server.app.state.web.letters.registry.partner("futura") is None

def test_a_name_close_to_another_partners_asks_first_on_the_form_and_in_the_api(
        site: tuple[LiveServer, WebHome]) -> None:
    server, home = site
    with browser(server, "archivist") as http:
        page = http.get("/partners/new").text
        asked = http.post("/partners/new", data={"csrf": csrf_of(page), "name":
                                                 "Google Ireland Limited", "kind": "company"})
        assert asked.status_code == 200
        said = text_of(asked.text)
        assert "“Google Ireland Limited” looks like Google: add it as a name of Google instead?" \
               in said
        assert 'action="/partners/google/names"' in asked.text
        assert "google-ireland-limited" not in {
            p["slug"] for p in http.get("/api/partners").json()}
        # "yes": the name goes to Google
        as_name = http.post("/partners/google/names", data={"csrf": csrf_of(page),
                                                             "name": "Google Ireland Limited"})
        assert as_name.status_code == 303, as_name.text
        refused = http.post("/partners/new", data={"csrf": csrf_of(page), "name": "Element AI",
                                                   "kind": "company"})
        assert refused.status_code == 422
        assert "already a name of ServiceNow" in text_of(refused.text)
        refused = http.post("/partners/new?lang=fr", data={
            "csrf": csrf_of(page), "name": "Element AI", "kind": "company"})
        assert "« Element AI » est déjà un nom de ServiceNow (servicenow)." in text_of(refused.text)
        assert "already a name of" not in refused.text
        http.get("/partners/new?lang=en")
        french = http.post("/partners/new?lang=fr", data={"csrf": csrf_of(page), "name":
                                                          "Orange Business", "kind": "company"})
        assert "« Orange Business » ressemble à Orange" in text_of(french.text)
        anyway = http.post("/partners/new", data={"csrf": csrf_of(page), "name": "Orange Business",
                                                  "kind": "company", "force": "1"})
        assert anyway.status_code == 303
    with api(server, home, "reader") as reader:
        google = next(p for p in reader.get("/api/partners").json() if p["slug"] == "google")
    assert "Google Ireland Limited" in google["aliases"]
    with api(server, home, "archivist") as client:
        close = client.post("/api/partners", json={"name": "Intel Ireland", "kind": "company"})
        assert close.status_code == 422 and "looks like Intel" in close.json()["detail"]
        forced = client.post("/api/partners", json={"name": "Intel Ireland", "kind": "company",
                                                    "force": True})
        assert forced.status_code == 201, forced.text
        taken = client.post("/api/partners/intel-ireland/names", json={"name": "AT&T Inc.",
                                                                       "force": True})
        assert taken.status_code == 422 and "already a name of AT&T" in taken.json()["detail"]
