"""The French catalog of the domain's sentences (a gettext .po read with Babel) and how a stored
English sentence finds its translation."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from letters.web import messages


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
