"""Recognition of what letters written elsewhere do differently, each read back from a real PDF.

An unnamed French Secretary General resolved by the date, partner names misread by OCR matched
closely (and only when one partner is close), and documents that are not letters sent to review.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pdfkit
import pytest

from letters import registry
from letters.models import status_of
from letters.pdf.extract import extract
from letters.recognition import fuzzy, layout, names
from letters.recognition.parties import partner_matcher
from letters.recognition.recognize import recognize
from letters.registry import Registry
from support.recognition import COE_ADDRESS, TODAY, evidence, incoming, outgoing, read, reasons


def french_reply(addressee: list[str], salutation: str, dateline: str = "Bruxelles, le 25 mai 2018",
                 org: str = "EuroISPA") -> list[str]:
    """A partner's reply in French, to the Secretary General as `addressee` and `salutation` say."""
    return [org, "Avenue de Tervueren 112", "1040 Bruxelles", dateline, *addressee,
            "Conseil de l'Europe", *COE_ADDRESS, salutation,
            "Je vous remercie de votre lettre par laquelle vous invitez notre association à "
            "rejoindre le partenariat.", "Nous acceptons avec plaisir les modalités de coopération.",
            f"Je vous prie d'agréer, {salutation.rstrip(',')}, l'expression de ma haute considération.",
            "Pierre Lemoine", "Président", org]


# -- the Secretary General without a name, in French -----------------------------------------

@pytest.mark.parametrize(
    ("addressee", "salutation", "dateline", "slug", "term"),
    [
        (["Le Secrétaire Général"], "Monsieur le Secrétaire Général,", "Bruxelles, le 25 mai 2018",
         "jagland", "2009-10-01 to 2019-09-17"),
        (["Le Secretaire General"], "Monsieur le Secretaire General,", "Bruxelles, le 25 mai 2018",
         "jagland", "2009-10-01 to 2019-09-17"),
        (["A l'attention du Secrétaire Général"], "Madame, Monsieur,", "Paris, le 3 mai 2019",
         "jagland", "2009-10-01 to 2019-09-17"),
        ([], "Madame la Secrétaire Générale,", "Paris, le 30 juin 2022", "pejcinovic-buric",
         "2019-09-18 to 2024-09-17"),
        (["La Secretaire Generale"], "Madame la Secretaire Generale,", "Paris, le 30 juin 2022",
         "pejcinovic-buric", "2019-09-18 to 2024-09-17"),
        ([], "Monsieur le Secrétaire Général,", "Genève, le 2 décembre 2024", "berset",
         "2024-09-18 to today"),
    ],
)
def test_french_unnamed_secretary_general_is_resolved_by_the_date(
    tmp_path: Path, reg: Registry, addressee: list[str], salutation: str, dateline: str, slug: str,
    term: str,
) -> None:
    found = read(tmp_path, reg, french_reply(addressee, salutation, dateline))
    assert (found.direction, found.partner, found.signatory, found.language) == (
        "incoming", "euroispa", slug, "fr")
    assert "without a name; resolved by the letter's date" in evidence(found, "signatory")
    assert f"(term {term})" in evidence(found, "signatory")
    assert status_of(found.reasons) == "ok", reasons(found)


def test_french_letter_signed_by_the_unnamed_secretary_general(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing(
        dateline="Strasbourg, le 23 mai 2018", org="EuroISPA", salutation="Monsieur le Président,",
        body="J'ai le plaisir de vous accueillir dans le partenariat avec le Conseil de l'Europe.",
        closing="Je vous prie d'agréer, Monsieur le Président, l'expression de ma haute considération.",
        signature=("Le Secrétaire Général",)))
    assert (found.direction, found.partner, found.signatory, found.signed_by) == (
        "outgoing", "euroispa", "jagland", None)
    assert "Thorbjørn Jagland was in office on 2018-05-23" in evidence(found, "signatory")


# -- partner names misread by OCR --------------------------------------------------------------

@pytest.mark.parametrize(("written", "certain"), [
    ("Euro1SPA", False), ("EUR0ISPA", False), ("EuroISP A", True), ("Eur oISPA", True),
])
def test_misread_partner_name_is_a_close_match(tmp_path: Path, reg: Registry, written: str,
                                               certain: bool) -> None:
    lines = incoming(org=written, dateline="Brussels, 25 May 2018")
    found = read(tmp_path, reg, lines)
    assert found.partner == "euroispa"
    assert evidence(found, "partner") == f"signature block: close match: '{written}' read as 'EuroISPA'"
    assert str(found.title) == "Letter from EuroISPA to Thorbjørn Jagland"
    if certain:  # only spaces differ: the letters are all there, in order
        assert status_of(found.reasons) == "ok", reasons(found)
    else:
        assert reasons(found) == [f"The partner was recognised by a close match only: '{written}' in "
                                 "the signature block was read as 'EuroISPA'; confirm the partner."]


def test_longer_names_tolerate_more_misread_letters(tmp_path: Path, reg: Registry) -> None:
    lines = incoming(org="Glob al Netw0rk lnitiatlve", dateline="New York, November 14, 2017")
    found = read(tmp_path, reg, lines)
    assert found.partner == "gni"
    assert status_of(found.reasons) == "needs_review"
    assert "read as 'Global Network Initiative'" in reasons(found)[0]


def test_ligatures_in_a_name_are_read_as_letters(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, incoming(org="Cloudﬂare, Inc.", dateline="May 24, 2018"))
    assert found.partner == "cloudflare"
    assert status_of(found.reasons) == "ok", reasons(found)


@pytest.mark.parametrize(("other", "written"), [
    ("EuroSPA", "Euro1SPA"),  # one edit from the text, the registered name none
    ("EuroSPAX", "Euro1SPX"),  # two edits from the text, the registered name one
])
def test_two_close_partners_means_no_partner(tmp_path: Path, other: str, written: str) -> None:
    archive = tmp_path / "archive"
    registry.add_partner(archive, "other", other, "association", by="tester", force=True)
    found = read(tmp_path, registry.load(archive), incoming(org=written, dateline="25 May 2018"))
    assert found.partner is None
    assert (f"The signature block has '{written}', which is close to the names of several partners "
            f"('EuroISPA', '{other}'); check which one the letter is exchanged with.") in reasons(found)
    assert status_of(found.reasons) == "needs_review"


@pytest.mark.parametrize("written", ["ICC0", "lBM", "Acme Widgets Ltd", "Eurolspa Consultants Europe"])
def test_short_or_distant_names_are_not_matched(tmp_path: Path, reg: Registry, written: str) -> None:
    lines = incoming(org=written, dateline="Paris, 30 June 2022")
    found = read(tmp_path, reg, lines)
    if written.startswith("Eurolspa"):  # close to EuroISPA: matched, never silently
        assert (found.partner, status_of(found.reasons)) == ("euroispa", "needs_review")
    else:
        assert found.partner is None
        assert reasons(found)[0].startswith("The sender is not a registered partner")


def test_edit_distance_counts_a_swap_as_one_edit() -> None:
    assert names.distance("euroipsa", "euroispa", 3) == 1
    assert names.distance("euroispa", "euroispa", 0) == 0
    assert names.distance("eurspa", "euroispa", 1) == 2  # beyond the limit: limit + 1
    assert fuzzy.canonical(fuzzy.compact("Eur0 lSP-A")) == "euroispa"
    assert [fuzzy.allowed_edits("x" * n) for n in (5, 6, 12, 18, 40)] == [0, 1, 2, 3, 3]


# -- documents that are not letters ------------------------------------------------------------

PRESS_RELEASE = [
    "COUNCIL OF EUROPE", "PRESS RELEASE", "Strasbourg, 8 November 2017",
    "Leading technology firms join the Council of Europe in a partnership for an open internet",
    "The Council of Europe and eight technology firms and six associations exchanged letters today.",
    "\"Human rights must be respected online,\" said Secretary General Thorbjørn Jagland.",
    "\"We are proud to join,\" said Jane Larsen of Apple Inc., and Google LLC, Microsoft Corporation",
    "and Orange S.A. welcomed the partnership.", "Contact: Press Office, +33 3 88 41 25 60"]
SPEECH = [
    "Speech by the Secretary General at the signing ceremony", "Strasbourg, 8 November 2017",
    "Check against delivery", "Ladies and gentlemen,",
    "It is a pleasure to welcome Apple, Google and Microsoft to the partnership.",
    "Together we will work for an open and safe internet.", "Thank you.", "Thorbjørn Jagland"]
DISCOURS = [
    "Allocution de la Secrétaire Générale", "Strasbourg, le 28 juin 2022",
    "Mesdames et Messieurs,", "C'est un plaisir d'accueillir la Chambre de commerce internationale "
    "et le LEGO Group dans le partenariat.", "Je vous remercie.", "Marija Pejčinović Burić"]
COMMUNICATION = [
    "Communication from the Secretary General", "SG/Inf(2018)12", "23 May 2018",
    "1. The Secretary General informs the Committee of Ministers that Cloudflare, Inc. and EuroISPA",
    "joined the partnership on 23 May 2018 by an exchange of letters.", "Thorbjørn Jagland",
    "Secretary General"]


@pytest.mark.parametrize(("lines", "kind", "said"), [
    (PRESS_RELEASE, "a press release or statement", "PRESS RELEASE"),
    (SPEECH, "a speech", "Speech by"),
    (DISCOURS, "a speech", "Allocution"),
    (COMMUNICATION, "a communication of the Secretary General", "Communication from the Secretary General"),
], ids=["press-release", "speech", "discours", "communication"])
def test_documents_that_are_not_letters_need_review(tmp_path: Path, reg: Registry, lines: list[str],
                                                    kind: str, said: str) -> None:
    found = read(tmp_path, reg, lines)
    assert status_of(found.reasons) == "needs_review"
    assert reasons(found)[0] == (f"This does not read as a letter but as {kind} (it says '{said}'); "
                                "check whether it belongs in the archive and what it is about.")


def test_a_speech_without_a_heading_is_told_by_its_opening(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, SPEECH[1:2] + SPEECH[3:])
    assert reasons(found)[0] == ("This does not read as a letter but as a speech (it opens 'Ladies and "
                                "gentlemen,' and has no closing formula); check whether it belongs in "
                                "the archive.")
    found = read(tmp_path, reg, DISCOURS[1:])
    assert reasons(found)[0].startswith("This does not read as a letter but as a speech (it opens "
                                       "'Mesdames et Messieurs,' and has no closing formula)")


def test_a_letter_to_ladies_and_gentlemen_is_still_a_letter(tmp_path: Path, reg: Registry) -> None:
    lines = french_reply(["Le Secrétaire Général"], "Mesdames et Messieurs,")
    found = read(tmp_path, reg, lines, today=date(2025, 1, 15))
    assert (found.partner, found.signatory) == ("euroispa", "jagland") and not reasons(found), (
        reasons(found))


def test_secretary_general_name_misread_in_two_letters_of_a_word(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing(dateline="17 November 2020", org="BT Group plc",
                                         signature=("Marija Pejéinovié Burié", "Secretary General")))
    assert (found.signatory, found.signed_by) == ("pejcinovic-buric", "Marija Pejčinović Burić")
    assert status_of(found.reasons) == "ok", reasons(found)


def test_unknown_name_above_the_secretary_generals_title_needs_review(tmp_path: Path,
                                                                      reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing(dateline="17 November 2020", org="BT Group plc",
                                         signature=("Maria Pexxxxxxx Bxxxx", "Secretary General")))
    assert found.signatory == "pejcinovic-buric"  # the one in office: the letter is still filed
    assert reasons(found) == ["The signature block has the name 'Maria Pexxxxxxx Bxxxx', which is not "
                             "a registered Secretary General's; check who signed the letter."]


def test_specks_beside_a_name_and_after_a_closing_are_ignored(tmp_path: Path, reg: Registry) -> None:
    lines = french_reply(["Le Secrétaire Général"], "Monsieur le Secrétaire Général,")
    # The closing over two lines, with specks after its full stop, and a speck beside the name.
    lines[-4:-2] = ["Je vous prie d'agréer, Monsieur le Secrétaire Général,",
                    "l'expression de ma haute considération. | = 4", "Pierre Lemoine :"]
    found = read(tmp_path, reg, lines)
    assert (found.partner, found.signed_by, status_of(found.reasons)) == ("euroispa", "Pierre Lemoine", "ok")
    assert layout.analyse("\n".join(lines)).signature == lines[-3:]


def test_an_organisation_is_not_the_person_who_signed(tmp_path: Path, reg: Registry) -> None:
    lines = incoming(org="ICC", dateline="Paris, 30 June 2022",
                     signer=("Secrétaire générale du Comité national", "ICC France"))
    found = read(tmp_path, reg, lines)
    assert (found.partner, found.signed_by) == ("icc", None)
    assert "The signature block's 'ICC France' names an organisation, not a person." in reasons(found)


def test_close_matching_looks_at_a_bounded_number_of_lines_and_words(reg: Registry) -> None:
    entries = partner_matcher(reg).names()
    filler = ["Avenue de l'Europe"] * (fuzzy.MAX_LINES - 1)
    found = fuzzy.closest(entries, [*filler, "Euro1SPA"])
    assert isinstance(found, fuzzy.CloseMatch) and found.entry.key == "euroispa"
    assert fuzzy.closest(entries, [*filler, "Brussels", "Euro1SPA"]) is None
    assert fuzzy.closest(entries, [" ".join(["word"] * fuzzy.MAX_WORDS + ["Euro1SPA"])]) is None


@pytest.mark.parametrize(("dateline", "slug", "when"), [
    ("Bruxelles, le 2 octobre 2019", "pejcinovic-buric", "Marija Pejčinović Burić took office on 2019-09-18"),
    ("Bruxelles, le 10 septembre 2019", "jagland", "Thorbjørn Jagland's term ended on 2019-09-17"),
])
def test_unnamed_secretary_general_near_a_change_of_office_needs_review(
    tmp_path: Path, reg: Registry, dateline: str, slug: str, when: str
) -> None:
    found = read(tmp_path, reg, french_reply(["Le Secrétaire Général"], "Madame, Monsieur,", dateline))
    assert found.signatory == slug
    assert reasons(found) == [f"The Secretary General is not named and the letter's date {found.date} is "
                             f"close to a change of office ({when}); check which Secretary General it "
                             "belongs to."]


@pytest.mark.parametrize("dateline", ["Done at Brussels on 25 May 2018", "Fait à Bruxelles le 25 mai 2018",
                                      "Signed in Brussels, on 25 May 2018"])
def test_date_below_the_signature_after_the_place(tmp_path: Path, reg: Registry, dateline: str) -> None:
    lines = ["EuroISPA", "To the attention of the Secretary General of the Council of Europe",
             "Dear Secretary General,", "We are pleased to join the partnership.", "Yours faithfully,",
             "On behalf of EuroISPA", "Ana Berg", "President", dateline]
    found = read(tmp_path, reg, lines)
    assert (found.partner, found.signatory, found.signed_by, found.date) == (
        "euroispa", "jagland", "Ana Berg", "2018-05-25")
    assert evidence(found, "date") == f"date beside the signature: '{dateline}'"


def test_a_speech_is_told_by_its_thanks_for_the_attention(tmp_path: Path, reg: Registry) -> None:
    lines = ["Strasbourg, 8 November 2017", "Dear Ministers, dear Ambassadors,",
             "Today Apple, Google and Microsoft join our partnership.", "Thank you for your attention."]
    found = read(tmp_path, reg, lines)
    assert reasons(found)[0] == ("This does not read as a letter but as a speech (it ends 'Thank you for "
                                "your attention.'); check whether it belongs in the archive.")


def test_a_statement_is_not_a_letter(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, ["Statement by the Secretary General on the Digital Partnership",
                                 "Strasbourg, 8 November 2017", "Dear friends,",
                                 "I welcome Apple, Google and Microsoft.", "Yours sincerely,",
                                 "Thorbjørn Jagland"])
    assert reasons(found)[0].startswith("This does not read as a letter but as a press release or "
                                       "statement (it says 'Statement by')")


@pytest.mark.parametrize("addressee", ["Le Secr6taire Genéra1", "The Secretarv Genera1",
                                       "LA SECRETAIRE GENERAIE"])
def test_the_secretary_generals_title_misread_by_ocr(tmp_path: Path, reg: Registry, addressee: str) -> None:
    found = read(tmp_path, reg, french_reply([addressee], "Madame, Monsieur,", "Paris, le 30 juin 2022"))
    assert (found.partner, found.signatory) == ("euroispa", "pejcinovic-buric")
    assert status_of(found.reasons) == "ok"


def test_a_person_named_like_the_company_is_the_signer(tmp_path: Path, reg: Registry) -> None:
    lines = incoming(org="Kaspersky Lab", dateline="Moscow, 10 November 2017",
                     signer=("Eugene Kaspersky", "Chief Executive Officer, Kaspersky Lab"))
    found = read(tmp_path, reg, lines)
    assert (found.partner, found.signed_by) == ("kaspersky", "Eugene Kaspersky")
    assert status_of(found.reasons) == "ok"


def test_a_signed_note_without_salutation_or_closing_is_a_letter(tmp_path: Path, reg: Registry) -> None:
    lines = ["COUNCIL OF EUROPE", "The Secretary General", "Strasbourg, 17 November 2020",
             "Mr Example", "IBM", "Welcome to the partnership.", "Marija Pejčinović Burić",
             "Secretary General"]
    found = read(tmp_path, reg, lines)
    assert (found.partner, found.signatory, found.direction) == ("ibm", "pejcinovic-buric", "outgoing")
    assert status_of(found.reasons) == "ok", reasons(found)


@pytest.mark.parametrize("addressee", ["Secretariat General", "Secrétariat Général"])
def test_the_secretariat_is_not_the_secretary_general(tmp_path: Path, reg: Registry,
                                                     addressee: str) -> None:
    found = read(tmp_path, reg, french_reply([addressee], "Madame, Monsieur,", "Paris, le 30 juin 2022"))
    assert found.signatory is None
    assert "The Secretary General could not be recognised." in reasons(found)


def test_a_date_or_signer_read_with_little_confidence_needs_review(tmp_path: Path, reg: Registry) -> None:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdfkit.text_pdf([incoming(dateline="Brussels, 26 May 2018", org="EuroISPA",
                                               signer=("Ana Lindgvist-Moreau", "President"))]))
    text = "\n\n".join(extract(path).pages)
    found = recognize(text, reg, TODAY, doubtful=["Lindgvist-Moreau", "26", "tothe"])
    assert (found.signed_by, found.date) == ("Ana Lindgvist-Moreau", "2018-05-26")
    assert reasons(found) == [
        "OCR was unsure of the date '26 May 2018' (it read '26' with little confidence); check it "
        "against the original.",
        "OCR was unsure of the signer's name 'Ana Lindgvist-Moreau' (it read 'Lindgvist-Moreau' with "
        "little confidence); check it against the original."]
    assert status_of(recognize(text, reg, TODAY, doubtful=["tothe"]).reasons) == "ok"


def test_a_name_inside_a_sentence_is_no_signature(tmp_path: Path, reg: Registry) -> None:
    lines = ["Strasbourg, 23 May 2018 – Cloudflare and EuroISPA joined the partnership today.",
             "Secretary General Thorbjørn Jagland welcomed the new partners.",
             "For more information: www.coe.int/digital"]
    found = read(tmp_path, reg, lines)
    assert reasons(found)[0] == ("This does not read as a letter: it has neither a salutation nor a "
                                "closing formula; check whether it belongs in the archive.")


def test_a_common_word_in_a_heading_is_not_a_close_partner_name(tmp_path: Path, reg: Registry) -> None:
    """'Range' is one edit from 'Orange', but a word of English and French, not a name."""
    lines = incoming(org="Alpine Range Consulting", dateline="Lugano, 12 March 2021",
                     addressee=("The Secretary General",))
    found = read(tmp_path, reg, lines)
    assert found.partner is None
    assert "Orange" not in " ".join(reasons(found)) + evidence(found, "partner")
    assert reasons(found)[0].startswith("The sender is not a registered partner")


@pytest.mark.parametrize(("line", "matched"), [
    ("Alpine Range Consulting", False), ("a Range of services", False), ("range", False),
    ("0range S.A.", True), ("O range", True), ("Orang3", True),
])
def test_close_matches_are_for_names_not_words(line: str, matched: bool, reg: Registry) -> None:
    entries = partner_matcher(reg).names()
    found = fuzzy.closest(entries, [line], names_only=True)
    assert isinstance(found, fuzzy.CloseMatch) is matched, found
    if matched:
        assert isinstance(found, fuzzy.CloseMatch) and found.entry.key == "orange"
