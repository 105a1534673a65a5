"""The interface strings, read from the gettext catalogs (the English of the template
`locales/messages.pot`, the French of `fr/LC_MESSAGES/messages.po`): lookup, fallback,
completeness, catalogs kept up to date with the template, and the interface in French over
real HTTP."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from types import FrameType
from typing import get_args, get_type_hints

import catalogs
import httpx
from babel.dates import format_date
from babel.messages.pofile import read_po

from letters import users
from letters.curation import corrections, review
from letters.models import ASIDE_REASONS, CORRECTABLE, KINDS, IngestResult
from letters.pairing.exchanges import Exchange
from letters.search import DIRECTIONS, SORTS, STATUSES
from letters.web import (
    account,
    admin,
    exchange_links,
    fixity_view,
    i18n,
    languages,
    letter_views,
    record_view,
    saying,
    search_views,
)
from support.server import LiveServer
from support.web import browser, text_of
from support.webhome import WebHome

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "src" / "letters" / "web"
#: A literal key given to the translator: `t("nav.search")`, `t('title.other', ...)`.
KEY_USE = re.compile(r"""\bt\(\s*['"]([\w.]+)['"]\s*[,)]""")


def test_a_translator_formats_and_falls_back_to_english() -> None:
    french = i18n.translator("fr")
    assert french("nav.search") == "Recherche" and i18n.translator("en")("nav.search") == "Search"
    assert french("account.signed_in", name="ann", role="admin") == "Connecté en tant que ann (admin)"
    assert i18n.translator("de")("nav.search") == "Search"
    assert french("no.such.key") == "no.such.key"


def test_every_key_used_in_templates_and_routes_is_in_both_catalogs() -> None:
    sources = [*(WEB / "templates").glob("*.html"), *WEB.glob("*.py")]
    used = {key for path in sources for key in KEY_USE.findall(path.read_text("utf-8"))}
    assert len(used) > 250
    for lang in i18n.LANGUAGES:
        missing = sorted(used - set(i18n.STRINGS[lang]))
        assert missing == [], (lang, missing)
    assert set(i18n.STRINGS["en"]) == set(i18n.STRINGS["fr"])


def test_interface_strings_keep_their_parts_and_stay_out_of_the_domain_sentences() -> None:
    english, french = i18n.STRINGS["en"], i18n.STRINGS["fr"]
    for key, text in english.items():
        assert sorted(re.findall(r"{\w+}", text)) == sorted(re.findall(r"{\w+}", french[key])), key
    # the interface's msgids live under a msgctxt: a stored sentence is never taken for one
    assert saying.translate("Search", "fr") == "Search"
    assert "Search" not in saying.catalog("fr").msgids


def test_the_catalogs_are_up_to_date_with_the_template(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "catalogs.py"), "--check"],
                         capture_output=True, text=True, cwd=ROOT)
    assert (run.returncode, run.stderr) == (0, "")
    template = {(m.context, m.id) for m in saying.read(None) if m.id}
    french = {(m.context, m.id) for m in saying.read("fr") if m.id and m.string and not m.fuzzy}
    assert template == french and len(template) > 500


def test_a_changed_english_string_comes_back_fuzzy_with_its_old_translation(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    template.write_text(saying.path_of(None).read_text("utf-8").replace(
        'msgid "Skip to main content"', 'msgid "Skip to the main content"'), "utf-8")
    po = tmp_path / "messages.po"
    po.write_bytes(catalogs.merged(template, saying.path_of("fr"), "fr"))
    with po.open("rb") as handle:
        french = read_po(handle, locale="fr")
    skip = french.get("Skip to the main content", context="skip")
    assert skip is not None and skip.fuzzy and skip.string == "Aller au contenu principal"
    assert '#| msgid "Skip to main content"' in po.read_text("utf-8")  # shown to the translator
    assert "skip" not in {str(m.context) for m in french if m.context and not m.fuzzy}


#: The row of a letter's record, given a field name: `row("date", ...)` shows `t("field.date")`.
ROW_USE = re.compile(r"""\brow\(\s*['"](\w+)['"]""")


def dynamic_keys() -> dict[str, set[str]]:
    """The keys templates and routes build at run time (`t("admin." ~ action)`), each prefix with
    the values it is built from, read from their source of truth."""
    outcomes = get_args(get_type_hints(IngestResult)["result"])
    ways = get_args(get_type_hints(Exchange)["how"])
    rows = {key for path in (WEB / "templates").glob("*.html")
            for key in ROW_USE.findall(path.read_text("utf-8"))}
    return {
        "admin.": set(admin.ACTIONS), "admin.done_": set(admin.ACTIONS) | {"added"},
        "myaccount.done_": set(account.DONE), "role.": set(users.ROLES), "sort.": set(SORTS),
        "facet.": set(search_views.FACETS), "direction.": set(DIRECTIONS),
        "exchange.missing_": set(DIRECTIONS), "language.": set(corrections.LANGUAGES),
        "kind.": set(KINDS), "status.": set(STATUSES),
        "fixity.kind.": set(fixity_view.NAMED_KINDS), "fixity.todo.": set(fixity_view.ALL_KINDS),
        "upload.": set(outcomes), "exchange.": {*ways, "linked", "unlinked"},
        "field.": {*CORRECTABLE, *letter_views.FORM_FIELDS, *rows},
        "relink.added_": {"partner", "name"},
        "proposal.done_": set(exchange_links.PROPOSAL_NOTICES),
        "letter.": {f"{kind}_by" for kind in record_view.MARKS},
        "aside.reason.": set(ASIDE_REASONS), "review.batch_done.": set(review.ACTIONS),
        "review.kind.": {*review.REASON_KINDS, review.OTHER},
    }


def test_every_key_built_at_run_time_is_in_both_catalogs() -> None:
    built = {prefix + value for prefix, values in dynamic_keys().items() for value in values}
    assert len(built) > 60
    for lang in i18n.LANGUAGES:
        assert sorted(built - set(i18n.STRINGS[lang])) == [], lang
    # every prefix a template builds a key from is one of those
    sources = [*(WEB / "templates").glob("*.html"), *WEB.glob("*.py")]
    prefixes = {prefix for path in sources
                for prefix in re.findall(r"""\bt\(\s*f?['"]([\w.]+?)(?:['"]\s*~|\{)""",
                                         path.read_text("utf-8"))}
    guarded = {"action.", "history.", "error.", "pdf."}  # shown as they are when no string has them
    assert prefixes - guarded <= set(dynamic_keys()), prefixes - guarded - set(dynamic_keys())


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


def test_accept_language_q_values_are_honoured(site: tuple[LiveServer, WebHome]) -> None:
    server, _ = site
    asked = {"fr;q=0, en": "en", "en;q=0.5, fr;q=0.8": "fr", "de, fr;q=0.1": "fr",
             "fr;q=0": "en", "en-GB, fr;q=0.9": "en", "fr;q=oops, en;q=0.2": "en", "fr-CA": "fr"}
    for header, lang in asked.items():
        with httpx.Client(base_url=server.url, headers={"Accept-Language": header}) as http:
            page = http.get("/login").text
            error = http.get("/api/partners").json()["detail"]  # anonymous: 401, in its language
        assert f'<html lang="{lang}">' in page, header
        assert (error.startswith("Connectez-vous") if lang == "fr" else
                error.startswith("Log in")), (header, error)


def test_every_string_is_translated() -> None:
    english, french = i18n.STRINGS["en"], i18n.STRINGS["fr"]
    assert set(english) == set(french)
    for key in english:
        assert re.findall(r"{\w+}", english[key]) == re.findall(r"{\w+}", french[key]), key
    assert languages.long_date("2018-05-23", "fr") == "23 mai 2018"
    assert languages.long_date("2018-05-23", "en") == "23 May 2018"


def test_a_date_is_written_out_as_babel_writes_it_without_asking_babel_each_time() -> None:
    """A page of 100 letters writes some 400 dates; Babel (~0.1 ms a date) is asked for the
    months' names once per language, and the words are Babel's own for every day."""
    asked: list[str] = []

    def count(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code is format_date.__code__:
            asked.append(event)

    days = ["2018-05-23", "2009-10-01", "2020-02-10", "2018-05-23T10:00:00Z"]
    every = [(date(2000, 1, 1) + timedelta(days=n)).isoformat() for n in range(0, 3660, 7)]
    every += [f"{year}-{month:02}-01" for year in (1949, 2026, 2100) for month in range(1, 13)]
    sys.setprofile(count)
    try:
        first = [languages.long_date(day, lang) for day in days for lang in ("en", "fr")]
        written = {(day, lang): languages.long_date(day, lang) for day in every
                   for lang in ("en", "fr", "de")}
        again = [languages.long_date(day, lang) for _ in range(50) for day in days
                 for lang in ("en", "fr")]
    finally:
        sys.setprofile(None)
    assert again == first * 50 and asked == []
    for (day, lang), words in written.items():
        babel = ("1er " + format_date(date.fromisoformat(day), "MMMM y", locale="fr")
                 if lang == "fr" and day.endswith("-01") else
                 format_date(date.fromisoformat(day), "d MMMM y", locale=lang.replace("de", "en")))
        assert words == babel, (day, lang)
    assert first[:4] == ["23 May 2018", "23 mai 2018", "1 October 2009", "1er octobre 2009"]
