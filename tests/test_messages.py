"""The French catalog of the domain's sentences (a gettext .po read with Babel) and how a stored
English sentence finds its translation."""

from __future__ import annotations

import re
from dataclasses import replace

from babel.messages.pofile import read_po

from letters.models import Letter
from letters.recognition import titles
from letters.registry import Registry
from letters.web import i18n, messages
from letters.web.render import letter_title
from support.letters import make


def test_every_translation_keeps_the_parts_of_its_sentence() -> None:
    path = messages.LOCALES / "fr" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    entries = [m for m in catalog if m.id]
    assert len(entries) > 100
    for message in entries:
        assert message.string, message.id
        assert sorted(re.findall(r"{(\w+)}", str(message.id))) == sorted(
            re.findall(r"{(\w+)}", str(message.string))), message.id


def test_stored_sentences_are_found_with_their_parts_and_lists_part_by_part() -> None:
    fr = "fr"
    assert messages.translate("Thorbjørn Jagland was not Secretary General on 2021-03-03.", fr) == (
        "Thorbjørn Jagland n’était pas Secrétaire Général le 2021-03-03.")
    assert messages.translate("Letter from Cloudflare, Inc. to the Secretary General", fr) == (
        "Lettre de Cloudflare, Inc. au Secrétaire Général")  # the most specific sentence first
    assert messages.translate("letterhead: 'COUNCIL OF EUROPE'; salutation: 'Dear Sir,'", fr) == (
        "en-tête : « COUNCIL OF EUROPE » ; formule d’appel : « Dear Sir, »")
    nested = ("Several partners are named in the addressee block ('A', 'B'); check which one the "
              "letter is exchanged with.")
    assert messages.translate(nested, fr).startswith(
        "Plusieurs partenaires sont nommés dans le bloc du destinataire ('A', 'B') ;")
    assert messages.translate("Something nobody wrote down.", fr) == "Something nobody wrote down."
    assert messages.translate("The letter's own date was not found.", "en") == (
        "The letter's own date was not found.")
    assert messages.gettext(" (signed by {name})", fr, name="X") == " (signée par X)"


def test_a_letter_without_a_title_is_named_as_recognition_words_a_title(reg: Registry) -> None:
    letter = make("apple", "outgoing", "2017-11-08", "untitled")  # signed by Jagland, no title

    def shown(record: Letter, lang: str) -> str:
        return letter_title(record, reg, i18n.translator(lang), lang)

    assert shown(letter, "en") == titles.letter_title("outgoing", "Thorbjørn Jagland", "Apple")
    assert shown(letter, "fr") == "Lettre de Thorbjørn Jagland à Apple"
    assert shown(replace(letter, direction="incoming", signatory=None), "fr") == (
        "Lettre de Apple à Non reconnu")  # a name not known is said so, in the page's language
    assert shown(replace(letter, direction=None), "en") == "Letter untitled.pdf"
    assert shown(replace(letter, title="Letter from Thorbjørn Jagland"), "fr") == (
        "Lettre de Thorbjørn Jagland")
