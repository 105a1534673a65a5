"""Recognition rules, each read back from a real PDF (pdfkit.text_pdf -> extract -> recognize)."""

from __future__ import annotations

from pathlib import Path

import pytest

from letters.models import status_of
from letters.registry import Registry
from support.recognition import COE_ADDRESS, evidence, incoming, outgoing, read, reasons

# -- the letter's own date -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("dateline", "iso"),
    [
        ("Strasbourg, 8 November 2017", "2017-11-08"),
        ("Strasbourg, 8th November 2017", "2017-11-08"),
        ("Cupertino, November 8, 2017", "2017-11-08"),
        ("08/11/2017", "2017-11-08"),
        ("Bonn, 17.11.2020", "2020-11-17"),
        ("2017-11-08", "2017-11-08"),
        ("Strasbourg, le 8 novembre 2017", "2017-11-08"),
        ("Paris, le 1er juin 2022", "2022-06-01"),
        ("Wednesday, 23 May 2018", "2018-05-23"),
    ],
)
def test_date_forms(tmp_path: Path, reg: Registry, dateline: str, iso: str) -> None:
    found = read(tmp_path, reg, outgoing(dateline=dateline))
    assert found.date == iso
    assert dateline in evidence(found, "date")


def test_slashed_date_is_day_first(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing(dateline="06/02/2020", signature=(
        "Marija Pejčinović Burić", "Secretary General")))
    assert found.date == "2020-02-06"


def test_dates_the_letter_refers_to_are_not_its_date(tmp_path: Path, reg: Registry) -> None:
    body = ("Further to your letter of 6 February 2020 and the framework launched on "
            "8 November 2017, I write to you.")
    found = read(tmp_path, reg, incoming(dateline="Armonk, November 19, 2020", body=body,
                                         addressee=("Ms Marija Pejcinovic Buric",
                                                    "Secretary General")))
    assert found.date == "2020-11-19"


def test_only_referred_dates_means_no_date(tmp_path: Path, reg: Registry) -> None:
    lines = outgoing(dateline="Strasbourg",
                     body="Further to your letter of 6 February 2020, launched on 8 November 2017.")
    found = read(tmp_path, reg, lines)
    assert found.date is None
    assert "The letter's own date was not found." in reasons(found)
    assert status_of(found.reasons) == "needs_review"


def test_date_in_the_future_needs_review(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing(dateline="Strasbourg, 3 March 2031",
                                         signature=("Alain Berset", "Secretary General")))
    assert found.date == "2031-03-03"
    assert reasons(found) == ["The date 2031-03-03 is in the future."]


# -- direction ---------------------------------------------------------------------------------

def test_outgoing_from_the_letterhead_and_signature(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing())
    assert found.direction == "outgoing"
    assert "COUNCIL OF EUROPE" in evidence(found, "direction")
    assert status_of(found.reasons) == "ok", reasons(found)


def test_incoming_from_the_addressee_and_salutation(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, incoming())
    assert found.direction == "incoming"
    assert status_of(found.reasons) == "ok", reasons(found)


def test_french_letterhead(tmp_path: Path, reg: Registry) -> None:
    lines = ["CONSEIL DE L'EUROPE", "La Secrétaire Générale", "Strasbourg, le 28 juin 2022",
             "Madame Claire Martin", "Directrice", "Chambre de commerce internationale",
             "33-43 avenue du Président Wilson", "75116 Paris", "Madame la Directrice,",
             "J'ai le plaisir de vous accueillir dans le partenariat du Conseil de l'Europe.",
             "Je vous prie d'agréer, Madame la Directrice, l'expression de ma haute",
             "considération.", "Marija Pejčinović Burić"]
    found = read(tmp_path, reg, lines)
    assert (found.direction, found.partner, found.signatory) == ("outgoing", "icc", "pejcinovic-buric")
    assert (found.language, found.date) == ("fr", "2022-06-28")
    assert found.signed_by == "Marija Pejčinović Burić"
    assert status_of(found.reasons) == "ok", reasons(found)


# -- partner -----------------------------------------------------------------------------------

def test_partner_is_the_addressee_of_an_outgoing_letter(tmp_path: Path, reg: Registry) -> None:
    body = "You join Microsoft, Google and other partners of the Council of Europe."
    found = read(tmp_path, reg, outgoing(org="Apple Inc.", body=body))
    assert found.partner == "apple"
    assert evidence(found, "partner") == "addressee block: 'Apple Inc.'"
    assert str(found.title) == "Letter from Thorbjørn Jagland to Apple Inc."


def test_partner_is_the_sender_of_an_incoming_letter(tmp_path: Path, reg: Registry) -> None:
    body = "Thank you for your letter of 8 November 2017; like Apple and Google, we join."
    found = read(tmp_path, reg, incoming(org="Deutsche Telekom AG", dateline="Bonn, 10.11.2017",
                                         body=body))
    assert found.partner == "deutsche-telekom"
    assert str(found.title) == "Letter from Deutsche Telekom AG to Thorbjørn Jagland"


def test_former_name_in_use_on_the_date(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing(org="Facebook Inc."))
    assert found.partner == "meta"
    assert status_of(found.reasons) == "ok", reasons(found)


def test_current_name_before_it_was_in_use_needs_review(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing(org="Meta"))
    assert found.partner == "meta"
    assert reasons(found) == ["The name 'Meta' was used for Meta only from 2021-10-28, "
                             "not on 2017-11-08."]


def test_former_name_after_it_was_dropped_needs_review(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, incoming(org="Facebook", dateline="Dublin, 28 June 2022",
                                         addressee=("Ms Marija Pejčinović Burić",
                                                    "Secretary General")))
    assert found.partner == "meta"
    assert reasons(found) == ["The name 'Facebook' was used for Meta only until 2021-10-27, "
                             "not on 2022-06-28."]


def test_alias_without_accent(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, incoming(org="TELEFONICA, S.A.", dateline="Madrid, 9 November 2017"))
    assert found.partner == "telefonica"


def test_acronym_is_a_whole_word(tmp_path: Path, reg: Registry) -> None:
    lines = outgoing(org="ICCO", dateline="Strasbourg, 6 February 2020",
                     signature=("Marija Pejčinović Burić", "Secretary General"))
    found = read(tmp_path, reg, lines)
    assert found.partner == "icco"
    assert "Several partners" not in " ".join(reasons(found))


def test_longest_name_wins(tmp_path: Path, reg: Registry) -> None:
    lines = outgoing(org="International Chamber of Commerce (ICC)", dateline="28 June 2022",
                     signature=("Marija Pejčinović Burić", "Secretary General"))
    found = read(tmp_path, reg, lines)
    assert found.partner == "icc"
    assert evidence(found, "partner") == "addressee block: 'International Chamber of Commerce'"


def test_a_common_word_is_not_a_name(tmp_path: Path, reg: Registry) -> None:
    lines = incoming(org="Acme Widgets Ltd", addressee=("The Secretary General",))
    lines.insert(4, "Orange Grove Business Park")  # written as a name, a partner's name
    found = read(tmp_path, reg, lines)
    assert found.partner == "orange"
    plain = incoming(org="Acme Widgets Ltd", addressee=("The Secretary General",))
    plain.insert(4, "Fresh orange juice and meta data since 1990")
    assert read(tmp_path, reg, plain).partner is None


def test_outsider_is_not_a_partner(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, incoming(org="Acme Widgets Ltd", dateline="London, 17.11.2020",
                                         addressee=("The Secretary General",),
                                         signer=("John Smith", "Managing Director")))
    assert found.partner is None
    assert found.direction == "incoming"
    assert found.signatory == "pejcinovic-buric"
    assert found.signed_by == "John Smith"
    assert reasons(found) == [
        "The sender is not a registered partner (the letter is headed 'Acme Widgets Ltd')."]


def test_partner_merely_mentioned_by_an_outsider(tmp_path: Path, reg: Registry) -> None:
    body = ("Like Microsoft, Google and Apple Inc. did on 8 November 2017, we wish to join "
            "the partnership.")
    found = read(tmp_path, reg, incoming(org="Acme Widgets Ltd", body=body,
                                         dateline="London, 2 March 2021",
                                         addressee=("Ms Marija Pejčinović Burić",
                                                    "Secretary General")))
    assert found.partner is None
    assert status_of(found.reasons) == "needs_review"
    assert found.date == "2021-03-02"


def test_outgoing_letter_to_an_outsider(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing(org="Acme Widgets Ltd",
                                         body="Microsoft and Google are partners already."))
    assert found.partner is None
    assert reasons(found) == ["No registered partner is named in the addressee block."]


# -- signatory and signer ---------------------------------------------------------------------

def test_secretary_general_signs(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing())
    assert found.signatory == "jagland"
    assert found.signed_by == "Thorbjørn Jagland"


def test_names_without_diacritics(tmp_path: Path, reg: Registry) -> None:
    out = read(tmp_path, reg, outgoing(dateline="Strasbourg, 17 November 2020", org="BT Group plc",
                                       signature=("Marija Pejcinovic Buric", "Secretary General")))
    assert (out.signatory, out.signed_by) == ("pejcinovic-buric", "Marija Pejčinović Burić")
    inc = read(tmp_path, reg, incoming(addressee=("Mr Thorbjorn Jagland", "Secretary General")))
    assert inc.signatory == "jagland"


def test_deputy_signs_for_the_named_secretary_general(tmp_path: Path, reg: Registry) -> None:
    body = ("On behalf of Secretary General Marija Pejčinović Burić, I welcome Element AI to "
            "the partnership launched on 8 November 2017.")
    found = read(tmp_path, reg, outgoing(
        dateline="Strasbourg, 6 February 2020", org="Element AI", body=body,
        signature=("For the Secretary General", "Gabriella Battaini-Dragoni",
                   "Deputy Secretary General")))
    assert found.signatory == "pejcinovic-buric"
    assert found.signed_by == "Gabriella Battaini-Dragoni"
    assert found.partner == "servicenow"
    assert found.date == "2020-02-06"
    assert status_of(found.reasons) == "ok", reasons(found)


def test_deputy_signs_for_an_unnamed_secretary_general(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing(
        dateline="Strasbourg, le 6 février 2020", org="RIPE NCC", salutation="Monsieur,",
        body="J'ai le plaisir de vous confirmer notre partenariat avec le Conseil de l'Europe.",
        closing="Veuillez agréer, Monsieur, l'expression de ma haute considération.",
        signature=("Pour la Secrétaire Générale", "Gabriella Battaini-Dragoni",
                   "Secrétaire Générale adjointe")))
    assert found.signatory == "pejcinovic-buric"
    assert found.signed_by == "Gabriella Battaini-Dragoni"
    assert found.language == "fr"


def test_unnamed_secretary_general_is_the_one_in_office(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing(dateline="Strasbourg, 23 May 2018", org="Cloudflare, Inc.",
                                         signature=("The Secretary General",)))
    assert found.signatory == "jagland"
    assert found.signed_by is None
    assert "in office on 2018-05-23" in evidence(found, "signatory")


def test_incoming_addressed_to_the_unnamed_secretary_general(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, incoming(org="GSMA", dateline="London, 10th November 2017",
                                         addressee=("The Secretary General",)))
    assert (found.signatory, found.partner, found.date) == ("jagland", "gsma", "2017-11-10")


def test_incoming_signer_is_the_representative(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, incoming(signer=("Ms Jane Larsen", "Vice President")))
    assert found.signed_by == "Jane Larsen"
    assert found.signatory == "jagland"


def test_representative_with_title_on_the_same_line(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, incoming(signer=("Søren Kjær Madsen, Vice President",),
                                         org="LEGO A/S", dateline="Billund, 29 June 2022",
                                         addressee=("Ms Marija Pejčinović Burić",
                                                    "Secretary General")))
    assert found.signed_by == "Søren Kjær Madsen"
    assert found.partner == "lego-group"


def test_secretary_general_not_in_office_needs_review(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing(dateline="Strasbourg, 17 November 2020"))
    assert found.signatory == "jagland"
    assert reasons(found) == ["Thorbjørn Jagland was not Secretary General on 2020-11-17."]


def test_partners_own_secretary_general_is_not_the_signatory(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, incoming(
        org="European DIGITAL SME Alliance", dateline="Brussels, 9 November 2017",
        signer=("Oliver Grant", "Secretary General")))
    assert found.direction == "incoming"
    assert found.partner == "european-digital-sme-alliance"
    assert (found.signatory, found.signed_by) == ("jagland", "Oliver Grant")


# -- language, banner, missing parts -----------------------------------------------------------

def test_language_french(tmp_path: Path, reg: Registry) -> None:
    lines = ["SPÉCIMEN – ce n'est pas la lettre originale", "Orange SA", "Paris, le 1er juin 2022",
             "Madame Marija Pejčinović Burić", "Secrétaire Générale", "Conseil de l'Europe",
             "Madame la Secrétaire Générale,",
             "Nous vous remercions de votre lettre du 6 février 2020 et nous sommes heureux de",
             "participer au partenariat.", "Je vous prie d'agréer, Madame la Secrétaire Générale,",
             "l'expression de ma très haute considération.", "Anaïs Lefèvre",
             "Directrice des affaires publiques", "Orange SA"]
    found = read(tmp_path, reg, lines)
    assert found.language == "fr"
    assert (found.partner, found.signatory, found.signed_by) == ("orange", "pejcinovic-buric",
                                                                 "Anaïs Lefèvre")
    assert (found.direction, found.date) == ("incoming", "2022-06-01")


def test_language_english(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing(org="Orange S.A."))
    assert found.language == "en"
    assert found.partner == "orange"


def test_specimen_banner_is_ignored(tmp_path: Path, reg: Registry) -> None:
    lines = ["SPECIMEN – not the original letter", "SPECIMEN – not the original letter",
             *outgoing()[1:]]
    found = read(tmp_path, reg, lines, second_page=["SPECIMEN – not the original letter"])
    assert status_of(found.reasons) == "ok", reasons(found)
    assert all("SPECIMEN" not in evidence(found, field) for field in found.evidence)


def test_second_page_signature(tmp_path: Path, reg: Registry) -> None:
    lines = outgoing()
    found = read(tmp_path, reg, lines[:-3], second_page=["- 2 -", *lines[-3:]])
    assert (found.signatory, found.signed_by) == ("jagland", "Thorbjørn Jagland")


def test_text_that_is_not_a_letter_needs_review(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, ["Minutes of the meeting", "Items discussed: budget and staff."])
    assert (found.partner, found.signatory, found.date, found.direction) == (None, None, None, None)
    assert status_of(found.reasons) == "needs_review"
    assert len(reasons(found)) == 5
    assert reasons(found)[0].startswith("This does not read as a letter: it has neither a salutation")
    assert str(found.title) == "Document not recognised as a letter"


# -- layouts other than the usual ones ----------------------------------------------------------

def test_letterhead_and_dateline_on_one_line(tmp_path: Path, reg: Registry) -> None:
    lines = ["COUNCIL OF EUROPE                     Strasbourg, 8 November 2017", "Mr John Doe",
             "Google LLC", "Dear Mr Doe,", "Welcome to the partnership.", "Yours sincerely,",
             "Thorbjørn Jagland", "Secretary General"]
    found = read(tmp_path, reg, lines)
    assert (found.direction, found.partner, found.date) == ("outgoing", "google", "2017-11-08")


def test_incoming_without_letterhead(tmp_path: Path, reg: Registry) -> None:
    lines = ["8 November 2017", "Mr Thorbjørn Jagland", "Secretary General", "Council of Europe",
             *COE_ADDRESS, "Dear Secretary General,", "We are pleased to join the partnership.",
             "Kind regards,", "Jane Larsen", "Vice President", "Apple Inc."]
    found = read(tmp_path, reg, lines)
    assert (found.direction, found.partner, found.signed_by) == ("incoming", "apple", "Jane Larsen")


def test_outsider_without_address_writes_to_the_unnamed_secretary_general(
    tmp_path: Path, reg: Registry
) -> None:
    lines = ["Acme Widgets Ltd", "The Secretary General", "Council of Europe", "3 May 2019",
             "Dear Colleague,", "We wish to join the partnership.", "Best regards,", "Ann Roe"]
    found = read(tmp_path, reg, lines)
    assert (found.direction, found.partner, found.signatory) == ("incoming", None, "jagland")


def test_dateline_below_the_signature(tmp_path: Path, reg: Registry) -> None:
    lines = ["CONSEIL DE L'EUROPE", "Monsieur Jean Roche", "Président", "EuroISPA",
             "Monsieur le Président,", "J'ai le plaisir de vous accueillir dans le partenariat, "
             "lancé le 8 novembre 2017.", "Je vous prie d'agréer, Monsieur le Président,",
             "l'expression de ma haute considération.", "Thorbjørn Jagland", "Secrétaire Général",
             "Fait à Strasbourg, le 23 mai 2018"]
    found = read(tmp_path, reg, lines)
    assert (found.date, found.partner, found.direction) == ("2018-05-23", "euroispa", "outgoing")


def test_hyphenated_title_is_not_a_name(tmp_path: Path, reg: Registry) -> None:
    lines = incoming(org="Orange", signer=("Président-Directeur Général", "Stéphane Richard",
                                           "Vice-Président Exécutif"))
    assert read(tmp_path, reg, lines).signed_by == "Stéphane Richard"


def test_misread_handwriting_above_the_name_is_not_the_signer(tmp_path: Path, reg: Registry) -> None:
    lines = incoming(signer=("Ze SIN,", "Sandra Whitaker", "Vice President, Global Public Policy"))
    assert read(tmp_path, reg, lines).signed_by == "Sandra Whitaker"


def test_secretary_general_name_with_misread_letters(tmp_path: Path, reg: Registry) -> None:
    found = read(tmp_path, reg, outgoing(dateline="17 November 2020", org="BT Group plc",
                                         signature=("Marija Pejcinovié Burié", "Secretary General")))
    assert (found.signatory, found.signed_by) == ("pejcinovic-buric", "Marija Pejčinović Burić")
    assert evidence(found, "signatory") == "signature block: 'Marija Pejcinovié Burié'"


def test_partners_own_secretary_general_without_organisation(tmp_path: Path, reg: Registry) -> None:
    lines = ["International Chamber of Commerce", "Paris, 30 June 2022", "Ms Marija Pejčinović Burić",
             "Secretary General", "Council of Europe", *COE_ADDRESS, "Dear Secretary General,",
             "We are pleased to join the partnership.", "Yours sincerely,", "John W. H. Denton",
             "Secretary General"]
    found = read(tmp_path, reg, lines)
    assert (found.direction, found.partner) == ("incoming", "icc")
    assert (found.signatory, found.signed_by) == ("pejcinovic-buric", "John W. H. Denton")


def test_letterhead_and_signature_naming_different_partners(tmp_path: Path, reg: Registry) -> None:
    lines = incoming(org="Intel Corporation", dateline="Santa Clara, 10 February 2020",
                     addressee=("The Secretary General",))
    lines[-1] = "IEEE"
    found = read(tmp_path, reg, lines)
    assert found.partner == "ieee"
    assert reasons(found) == ["The letterhead names 'Intel Corporation' but the signature block names "
                             "'IEEE'; check which partner the letter is exchanged with."]


def test_closing_without_comma_keeps_the_signature_block(tmp_path: Path, reg: Registry) -> None:
    lines = incoming(signer=("Jane Larsen", "Vice President, Government Affairs"))
    lines[lines.index("Yours sincerely,")] = "Yours sincerely"
    found = read(tmp_path, reg, lines)
    assert (found.partner, found.signed_by) == ("apple", "Jane Larsen")


def test_french_closing_over_three_lines(tmp_path: Path, reg: Registry) -> None:
    lines = ["Orange SA", "Paris, le 10 novembre 2017", "Monsieur Thorbjørn Jagland",
             "Secrétaire Général", "Conseil de l'Europe", "Monsieur le Secrétaire Général,",
             "Nous avons le plaisir de vous confirmer notre participation au partenariat.",
             "Je vous prie d'agréer,", "Monsieur le Secrétaire Général,",
             "l'expression de ma très haute considération.", "Anaïs Lefèvre",
             "Directrice des affaires publiques", "Orange SA"]
    found = read(tmp_path, reg, lines)
    assert (found.direction, found.partner, found.signed_by) == ("incoming", "orange", "Anaïs Lefèvre")
    assert status_of(found.reasons) == "ok", reasons(found)


def test_a_short_english_note_with_french_addresses_is_english(tmp_path: Path, reg: Registry) -> None:
    """More French common words than English ones (in the addresses), but an English note."""
    lines = ["Orange S.A.", "Direction des affaires publiques", "111 quai du Président Roosevelt",
             "10 November 2017", "Le Secrétaire Général", "Conseil de l'Europe", "Avenue de l'Europe",
             "67075 Strasbourg Cedex", "Dear Secretary General,", "Our signed copy is enclosed.",
             "Best regards,", "Claire Dumont-Ribeiro", "Orange S.A."]
    found = read(tmp_path, reg, lines)
    assert found.language == "en"
    assert evidence(found, "language").startswith("detected English, ")
    assert status_of(found.reasons) == "ok", reasons(found)


def test_a_language_the_detector_is_unsure_of_needs_review(tmp_path: Path, reg: Registry) -> None:
    lines = ["Apple Inc.", "1 Market Street", "Cupertino, November 8, 2017", "Mr Thorbjørn Jagland",
             "Secretary General", "Council of Europe", *COE_ADDRESS, "Dear Sir,",
             "Signature page, annexe 2", "Yours sincerely,", "Jane Larsen", "Apple Inc."]
    found = read(tmp_path, reg, lines)
    said = evidence(found, "language")
    assert said.startswith("detected English, 0.") and ": unsure" in said, said
    assert any(r.startswith("The language is unclear (detected English, 0.") for r in reasons(found))
    assert status_of(found.reasons) == "needs_review"


def test_a_document_that_is_not_a_letter_gets_no_letter_title(tmp_path: Path, reg: Registry) -> None:
    from letters.web import saying

    lines = ["Google Ireland Limited", "Gordon House, Barrow Street, Dublin 4", "Invoice",
             "Invoice number: 5312-8840", "Invoice date: 15 March 2018", "Bill to:",
             "Council of Europe", "Avenue de l'Europe", "67075 Strasbourg Cedex",
             "Google Workspace Business Standard, 120 users: EUR 1,296.00",
             "Total due: EUR 1,296.00", "Payment within 30 days by bank transfer."]
    found = read(tmp_path, reg, lines)
    assert reasons(found)[0].startswith("This does not read as a letter")
    assert found.title is not None
    assert str(found.title) == "Document from Google, not recognised as a letter"
    assert saying.say(found.title, "fr") == "Document de Google, non reconnu comme une lettre"
