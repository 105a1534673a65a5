"""The French catalog of the domain's sentences (a gettext .po read with Babel) and how a stored
English sentence finds its translation."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from babel.messages.pofile import read_po

from letters.messages import ENGLISH, KINDS, Message, msg, parts_from_record, parts_to_record
from letters.models import Letter
from letters.recognition import titles
from letters.registry import Registry
from letters.web import i18n, saying
from letters.web.render import letter_title
from support.letters import make


def test_every_translation_keeps_the_parts_of_its_sentence() -> None:
    path = saying.LOCALES / "fr" / "LC_MESSAGES" / "messages.po"
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
    assert saying.translate("Thorbjørn Jagland was not Secretary General on 2021-03-03.", fr) == (
        "Thorbjørn Jagland n’était pas Secrétaire Général le 3 mars 2021.")
    assert saying.translate("Letter from Cloudflare, Inc. to the Secretary General", fr) == (
        "Lettre de Cloudflare, Inc. au Secrétaire Général")  # the most specific sentence first
    assert saying.translate("letterhead: 'COUNCIL OF EUROPE'; salutation: 'Dear Sir,'", fr) == (
        "en-tête : « COUNCIL OF EUROPE » ; formule d’appel : « Dear Sir, »")
    nested = ("Several partners are named in the addressee block ('A', 'B'); check which one the "
              "letter is exchanged with.")
    assert saying.translate(nested, fr).startswith(
        "Plusieurs partenaires sont nommés dans le bloc du destinataire ('A', 'B') ;")
    assert saying.translate("Something nobody wrote down.", fr) == "Something nobody wrote down."
    assert saying.translate("The letter's own date was not found.", "en") == (
        "The letter's own date was not found.")
    assert saying.gettext(" (signed by {name})", fr, name="X") == " (signée par X)"
    assert saying.translate("The server is busy: try again in a few minutes.", fr) == (
        "Le serveur est occupé : réessayez dans quelques minutes.")  # the web layer's own
    assert saying.translate("The parameter 'page' is not valid: x.", fr) == (
        "Le paramètre « page » n’est pas valide : x.")


def crafted(msgid: str, length: int) -> str:
    """A sentence of about `length` characters that starts as `msgid` does and repeats its inner
    fixed pieces without ever ending as it does: the worst case for a matcher that backtracks
    (cubic and worse)."""
    pieces = re.split(r"{\w+}", msgid)
    inner = "".join(pieces[1:-1]) or " "
    return pieces[0] + inner * ((length - len(pieces[0])) // len(inner)) + "~"


def test_translating_a_crafted_sentence_costs_work_linear_in_its_length() -> None:
    table = saying.catalog("fr")
    templates = [m for m in table.msgids if len(re.findall(r"{\w+}", m)) >= 3]
    assert len(templates) >= 8
    for msgid in templates:
        sentence = crafted(msgid, saying.LONGEST - 1)
        assert len(sentence) <= saying.LONGEST
        before = table.scanned
        said = saying.translate(sentence, "fr")
        if not msgid.endswith("}"):  # it never ends as the msgid does: as it is, read once each
            assert said == sentence
            # read once as a whole, and once part by part when it is a list joined by "; "
            # (and, where a template of little fixed text, "{first} and {second}", looks at its
            # parts, which it takes only when they are sentences too, once more at each level)
            reads = (2 if "; " in sentence else 1) * (saying.DEPTH if " and " in sentence else 1)
            assert table.scanned - before <= reads * len(table.patterns) * len(sentence), msgid
        # read as a whole and as its "; " parts, each part of a part at most DEPTH levels deep
        # (disjoint pieces of the sentence at each level)
        assert table.scanned - before <= 2 * saying.DEPTH * len(table.patterns) * len(sentence)
    # inside a sentence that is one: its part is tried in turn, a bounded number of levels deep
    inner = crafted("The name '{name}' was used for {partner} {when}, not on {date}.", 1900)
    before = table.scanned
    assert saying.translate(f"The parameter 'x' is not valid: {inner}.", "fr") == (
        f"Le paramètre « x » n’est pas valide : {inner}.")
    assert table.scanned - before <= saying.DEPTH * len(table.patterns) * (len(inner) + 40)
    # longer than any catalog sentence can reasonably be: not looked at at all
    huge = "The server is busy: try again in a few minutes.; " * 100
    before = table.scanned
    assert saying.translate(huge, "fr") == huge and table.scanned == before


def test_a_template_finds_the_same_parts_as_shortest_matching_would() -> None:
    template = saying.Template("Letter from {sg_part}{signer}, to {who}, Strasbourg, {when}")
    assert template.match("Letter from A, B, to C, to D, Strasbourg, E, Strasbourg, F") == {
        "sg_part": "", "signer": "A, B", "who": "C, to D", "when": "E, Strasbourg, F"}
    assert template.match("Letter from A, to B, Strasbourg") is None
    assert saying.Template("{a}: {b}").match(": ") == {"a": "", "b": ""}
    assert saying.Template("a {x} b").match("a b") is None  # the pieces may not overlap


def test_templates_find_what_the_lazy_regular_expressions_found() -> None:
    """The linear matcher gives every catalog sentence the parts the regular expressions with lazy
    groups gave (run here on short sentences only)."""
    values = ["X", "", "Cloudflare, Inc.", "2021-03-03", "a to b", "'q'", "it (as x) by y"]
    checked = 0
    for msgid in saying.catalog("fr").msgids:
        pieces = re.split(r"{(\w+)}", msgid)
        if len(pieces) == 1:
            continue
        lazy = re.compile("^" + "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.*?)"
                                        for i, p in enumerate(pieces)) + "$", re.S)
        template = saying.Template(msgid)
        for value in values:
            sentence = msgid.format(**{name: value for name in pieces[1::2]})
            for text in (sentence, sentence[:-1], "~" + sentence):
                found = lazy.match(text)
                assert template.match(text) == (found.groupdict() if found else None), text
                checked += 1
    assert checked > 1000


def test_an_old_records_sentence_has_its_days_written_out_in_french_as_a_code_has() -> None:
    future = msg("reason.date_in_future", date="2031-01-01")
    assert saying.translate(str(future), "fr") == saying.say(future, "fr")
    assert "1er janvier 2031" in saying.say(future, "fr") and "2031-01-01" not in saying.say(
        future, "fr")
    typed = msg("query.range_reversed", name="date", low="2020-05-01", high="2020-01-01")
    assert "2020-05-01" in saying.translate(str(typed), "fr")  # a search error repeats the query


def test_a_letter_without_a_title_is_named_as_recognition_words_a_title(reg: Registry) -> None:
    letter = make("apple", "outgoing", "2017-11-08", "untitled")  # signed by Jagland, no title

    def shown(record: Letter, lang: str) -> str:
        return letter_title(record, reg, i18n.translator(lang), lang)

    assert shown(letter, "en") == titles.letter_title("outgoing", "Thorbjørn Jagland", "Apple")
    assert shown(letter, "fr") == "Lettre de Thorbjørn Jagland à Apple"
    assert shown(replace(letter, direction="incoming", signatory=None), "fr") == (
        "Lettre d’Apple à Non reconnu")  # a name not known is said so, in the page's language
    assert shown(replace(letter, direction=None), "en") == "Letter untitled.pdf"
    assert shown(replace(letter, title="Letter from Thorbjørn Jagland"), "fr") == (
        "Lettre de Thorbjørn Jagland")


# -- the domain's messages: codes with parameters ------------------------------------------------

def test_a_message_says_its_english_and_is_stored_as_its_code_and_parameters() -> None:
    change = msg("reason.took_office", name="Alain Berset", date="2024-09-18")
    said = msg("reason.near_change_of_office", date="2024-09-20", when=change)
    assert str(said) == ("The Secretary General is not named and the letter's date 2024-09-20 is "
                         "close to a change of office (Alain Berset took office on 2024-09-18); "
                         "check which Secretary General it belongs to.")
    stored = said.to_record()
    assert stored == {"code": "reason.near_change_of_office",
                      "params": {"date": "2024-09-20", "when": {
                          "code": "reason.took_office",
                          "params": {"name": "Alain Berset", "date": "2024-09-18"}}}}
    back = Message.from_record(json.loads(json.dumps(stored)))
    assert back.code == said.code and back.to_record() == stored
    assert saying.say(back, "fr") == (
        "Le Secrétaire Général n’est pas nommé et la date de la lettre, 20 septembre 2024, est "
        "proche d’un changement de titulaire (Alain Berset a pris ses fonctions le 18 septembre "
        "2024) ; vérifiez de quel Secrétaire Général elle relève.")
    assert saying.say(back, "en") == str(said).replace("2024-09-20", "20 September 2024").replace(
        "2024-09-18", "18 September 2024")  # pages write days out; the command line as ISO
    with pytest.raises(KeyError):
        msg("reason.no_such_code")


def test_an_old_sentence_is_kept_as_written_and_said_like_its_code() -> None:
    sentence = "Thorbjørn Jagland was not Secretary General on 2021-03-03."
    old = Message.from_record(sentence)
    coded = msg("reason.sg_not_in_office", sg="Thorbjørn Jagland", date="2021-03-03")
    assert old.to_record() == sentence and old == coded and len({old, coded}) == 1
    assert saying.say(old, "fr") == saying.say(coded, "fr") == (
        "Thorbjørn Jagland n’était pas Secrétaire Général le 3 mars 2021.")
    assert parts_to_record(parts_from_record("letterhead: 'X'; salutation: 'Dear Sir,'")) == (
        "letterhead: 'X'; salutation: 'Dear Sir,'")
    # a code of a later version is kept as it was stored, and said as the code
    later = {"code": "reason.from_a_later_version", "params": {"n": 2}}
    assert Message.from_record(later).to_record() == later
    assert saying.say(Message.from_record(later), "fr") == "reason.from_a_later_version"


def test_every_code_has_its_english_in_the_template_and_a_french_translation() -> None:
    template = {str(m.context): str(m.id) for m in saying.read(None) if m.context}
    french = {str(m.context): m for m in saying.read("fr") if m.context}
    assert len(ENGLISH) > 130
    for code, english in ENGLISH.items():
        assert code.split(".")[0] in KINDS, code
        assert template.get(code) == english, code  # `make catalogs` copies it
        entry = french.get(code)
        assert entry is not None and entry.string and not entry.fuzzy, code
        assert sorted(re.findall(r"{(\w+)}", english)) == sorted(
            re.findall(r"{(\w+)}", str(entry.string))), code
    # interface keys and codes never meet
    assert not [key for key in template if key.split(".")[0] in KINDS and key not in ENGLISH]
