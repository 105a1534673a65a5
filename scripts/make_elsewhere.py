"""Generate specimens "written elsewhere" and their ground truth (deterministic).

Not the shapes of make_specimens.py: other letterheads, reference and subject lines, other wording
and representatives; a French reply to "Le Secrétaire Général" without a name, typed and scanned;
replies whose partner name is written as OCR misreads it ("Eur0ISPA", "EuroIPSA", "Euro1SPA"); and documents
about the partnership that are not letters (a press release quoting several partners, a speech at
the signing ceremony, a communication of the Secretary General), which a recogniser must send to
review; and documents mixing typed and scanned pages, one scanned sideways, one with an annex in
Arabic script, a common word one edit from a partner's name, a short English note and an invoice.
`truth.json` says what a correct recogniser reports for each file.

Run: .venv/bin/python scripts/make_elsewhere.py [--out specimens/elsewhere]
(`make specimens` writes them too.)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pdfkit
from pdfkit import Line

ROOT = Path(__file__).resolve().parents[1]
BANNER = {"en": "SPECIMEN – not the original letter", "fr": "SPÉCIMEN – ce n'est pas la lettre originale"}
COE = ["Conseil de l'Europe", "Avenue de l'Europe", "67075 Strasbourg Cedex", "France"]


@dataclass(frozen=True)
class Truth:
    """What a correct recogniser reports for one file; `reason` is part of a reason it must give."""

    file: str
    kind: str  # "letter", "press release", "speech", "communication"
    partner: str | None
    signatory: str | None
    signed_by: str | None
    date: str | None
    direction: str | None
    language: str
    scanned: bool
    pages: int
    status: str
    reason: str
    note: str
    ocr_pages: tuple[int, ...] = ()  # the pages (from 1) that have no text layer: read by OCR
    title: str | None = None  # the title recognition must give, when a case is about it


@dataclass(frozen=True)
class Scan:
    """How a document is "scanned": tilt in degrees and resolution (lower reads worse); `pages`:
    only these pages (from 0) are scanned, each turned by the degrees given (the others typed)."""

    skew: float = 0.0
    dpi: int = 200
    pages: tuple[tuple[int, int], ...] = ()


#: Where a document's text goes on to a new page.
PAGE_BREAK = Line(mark="page")


def _lines(*parts: str | Line | list[Line]) -> tuple[Line, ...]:
    """Strings become left-aligned 10.5 pt lines; lists of lines are spliced in."""
    out: list[Line] = []
    for part in parts:
        if isinstance(part, str):
            out.append(Line(part, size=10.5))
        elif isinstance(part, Line):
            out.append(part)
        else:
            out.extend(part)
    return tuple(out)


def para(text: str, before: float = 8.0) -> list[Line]:
    """A body paragraph in 10.5 pt."""
    return pdfkit.paragraph(text, size=10.5, before=before)


def gap(points: float) -> Line:
    """Blank vertical space."""
    return Line("", size=2, before=points)


def _truth(kind: str, language: str, status: str = "ok", reason: str = "", note: str = "",
           **fields: str | None) -> Truth:
    values = {name: fields.get(name) for name in ("partner", "signatory", "signed_by", "date",
                                                   "direction")}
    return Truth(file="", kind=kind, language=language, scanned=False, pages=0, status=status,
                 reason=reason, note=note, **values)


# --- Letters ---------------------------------------------------------------------------------


def orange_reply() -> tuple[tuple[Line, ...], Truth]:
    """Orange's reply in French, to "Le Secrétaire Général" without a name."""
    lines = _lines(
        Line("orange", bold=True, size=22), Line("Direction des Relations institutionnelles", size=9),
        Line("111 quai du Président Roosevelt – 92130 Issy-les-Moulineaux", size=9),
        gap(24), *[Line(t, size=10.5, align="right") for t in ["Le Secrétaire Général", *COE]],
        gap(14), Line("Issy-les-Moulineaux, le 9 novembre 2017", size=10.5, align="right"),
        gap(10), Line("N/Réf. : DRI/2017-0412", size=9), Line("Objet : partenariat numérique", size=10.5,
                                                              bold=True),
        gap(12), "Monsieur le Secrétaire Général,",
        *para("Par votre courrier, vous avez bien voulu associer notre groupe au partenariat que le "
              "Conseil de l'Europe engage avec les entreprises du secteur numérique, et je vous en "
              "remercie vivement."),
        *para("Orange souscrit aux objectifs de ce partenariat : un internet ouvert, sûr et "
              "respectueux des droits de chacun. Nos équipes participeront volontiers aux "
              "consultations et aux travaux d'experts qui seront organisés dans ce cadre."),
        *para("Le présent courrier vaut acceptation des modalités de coopération que vous nous avez "
              "proposées."),
        *para("Veuillez agréer, Monsieur le Secrétaire Général, l'assurance de ma haute "
              "considération."),
        gap(40), "Claire Dumont-Ribeiro", "Directrice des Relations institutionnelles", "Orange S.A.",
    )
    truth = _truth("letter", "fr", partner="orange", signatory="jagland",
                   signed_by="Claire Dumont-Ribeiro", date="2017-11-09", direction="incoming",
                   note="Addressed to 'Le Secrétaire Général' without a name: the signatory is the "
                        "Secretary General in office on the letter's date. The logo 'orange' is "
                        "in lower case.")
    return lines, truth


def icc_reply() -> tuple[tuple[Line, ...], Truth]:
    """ICC's reply in French, to the Secretary General by title only, in capitals without accents."""
    lines = _lines(
        Line("ICC", bold=True, size=24, align="center"),
        Line("Chambre de commerce internationale – Comité national France", size=9, align="center"),
        gap(26), "Paris, le 30 juin 2022", gap(12),
        *[Line(t, size=10.5) for t in ["MADAME LA SECRETAIRE GENERALE", "CONSEIL DE L'EUROPE",
                                       "F-67075 STRASBOURG CEDEX"]],
        gap(18), "Madame la Secrétaire Générale,",
        *para("C'est avec un grand plaisir que la Chambre de commerce internationale répond à votre "
              "invitation à rejoindre le partenariat numérique du Conseil de l'Europe."),
        *para("Les entreprises que nous représentons partagent votre attachement à un internet "
              "ouvert et sûr. Nous contribuerons aux consultations et aux projets communs du "
              "partenariat."),
        *para("Je vous prie de croire, Madame la Secrétaire Générale, à l'assurance de ma très "
              "haute considération."),
        gap(40), "Mathilde Carrasco", "Secrétaire générale du Comité national", "ICC France",
    )
    truth = _truth("letter", "fr", partner="icc", signatory="pejcinovic-buric",
                   signed_by="Mathilde Carrasco", date="2022-06-30", direction="incoming",
                   note="Addressed to 'MADAME LA SECRETAIRE GENERALE' in capitals without accents; "
                        "the partner's signer is a 'Secrétaire générale' too.")
    return lines, truth


def euroispa_reply(head_name: str, sign_name: str) -> tuple[tuple[Line, ...], Truth]:
    """EuroISPA's reply in English with its name written as OCR misreads it."""
    lines = _lines(
        Line(head_name, bold=True, size=20), Line("Rue Montoyer 39 | 1000 Brussels | Belgium", size=9),
        Line(mark="rule", before=2), gap(16),
        "Mr Thorbjørn Jagland", "Secretary General", "Council of Europe", "F-67075 Strasbourg",
        gap(12), "Brussels, 25 May 2018", gap(10),
        Line("Re: The Digital Partnership of the Council of Europe", bold=True, size=10.5),
        gap(10), "Dear Secretary General,",
        *para("On behalf of the European internet services providers we represent, I thank you for "
              "your letter of 23 May 2018 and confirm that our association joins the partnership."),
        *para("Our members operate much of the infrastructure on which Europeans rely every day. We "
              "will contribute their technical knowledge to the consultations and working groups of "
              "the partnership."),
        *para("With kind regards,", before=12),
        gap(36), "Ana Lindqvist-Moreau", "President", sign_name,
    )
    truth = _truth("letter", "en", status="needs_review", reason="close match",
                   partner="euroispa", signatory="jagland", signed_by="Ana Lindqvist-Moreau",
                   date="2018-05-25", direction="incoming",
                   note=f"The partner's name is written '{head_name}' and '{sign_name}', as OCR "
                        "misreads 'EuroISPA': a close match, flagged for a person to confirm.")
    return lines, truth


def microsoft_letter() -> tuple[tuple[Line, ...], Truth]:
    """The Secretary General's letter to Microsoft, laid out as another office might."""
    lines = _lines(
        Line("Council of Europe", bold=True, size=14), Line("Office of the Secretary General", size=9),
        Line("SG/Ref(2017)811", size=9), gap(20),
        "Strasbourg, 8th November 2017", gap(14),
        "Mr Brendan Walsh", "Vice President, European Government Affairs", "Microsoft Corporation",
        "Rue Montoyer 51", "1000 Brussels", gap(14),
        Line("Subject: Partnership with digital companies", bold=True, size=10.5), gap(8),
        "Dear Mr Walsh,",
        *para("I would like to thank you for the readiness of your company to join the Council of "
              "Europe's partnership with technology companies, which we launch today."),
        *para("The partnership will allow your experts to take part in our consultations on the "
              "internet, and to join in projects on data protection, cybercrime and freedom of "
              "expression."),
        *para("Yours sincerely,", before=12), gap(36), "Thorbjørn Jagland",
    )
    truth = _truth("letter", "en", partner="microsoft", signatory="jagland",
                   signed_by="Thorbjørn Jagland", date="2017-11-08", direction="outgoing",
                   note="Signed with the name alone, no title under it; a reference number above "
                        "the date.")
    return lines, truth


def ibm_reply() -> tuple[tuple[Line, ...], Truth]:
    """IBM's reply to "The Secretary General", without a name."""
    lines = _lines(
        Line("IBM", bold=True, size=26, align="right"), Line("IBM Europe", size=9, align="right"),
        gap(30), "19 November 2020", gap(10),
        "The Secretary General", "Council of Europe", "Avenue de l'Europe", "67075 Strasbourg", "France",
        gap(16), "Dear Secretary General,",
        *para("IBM is honoured to accept the invitation to take part in the Council of Europe's "
              "partnership with digital companies."),
        *para("We look forward to working with the Secretariat and with the other partners on the "
              "responsible use of artificial intelligence."),
        *para("Sincerely,", before=12), gap(36), "Marcus Feldmann", "Vice President, Government Affairs",
        "International Business Machines Corporation",
    )
    truth = _truth("letter", "en", partner="ibm", signatory="pejcinovic-buric",
                   signed_by="Marcus Feldmann", date="2020-11-19", direction="incoming",
                   note="Addressed to 'The Secretary General' without a name.")
    return lines, truth


def etno_letter() -> tuple[tuple[Line, ...], Truth]:
    """The Secretary General's letter in French, signed 'Le Secrétaire Général' without a name."""
    lines = _lines(
        Line("CONSEIL DE L'EUROPE", bold=True, size=15, align="center"), gap(22),
        Line("Strasbourg, le 8 novembre 2017", align="right", size=10.5), gap(12),
        "Madame Ingrid Solberg", "Directrice générale", "ETNO", "Boulevard du Régent 43", "1000 Bruxelles",
        gap(16), "Madame la Directrice générale,",
        *para("Je vous remercie de l'intérêt que l'ETNO porte au partenariat que le Conseil de "
              "l'Europe lance aujourd'hui avec les entreprises du numérique."),
        *para("Je vous prie d'agréer, Madame la Directrice générale, l'expression de ma haute "
              "considération.", before=10),
        gap(36), "Le Secrétaire Général",
    )
    truth = _truth("letter", "fr", partner="etno", signatory="jagland", signed_by=None,
                   date="2017-11-08", direction="outgoing",
                   note="Signed 'Le Secrétaire Général' without a name.")
    return lines, truth


def google_reply() -> tuple[tuple[Line, ...], Truth]:
    """Google's reply with a weekday in the date, an "H.E." addressee and a title before the name."""
    lines = _lines(
        Line("Google", bold=True, size=22), Line("Chaussée d'Etterbeek 180 · 1040 Brussels", size=9),
        gap(22), "Thursday, November 9, 2017", gap(12),
        "H.E. Mr Thorbjørn Jagland", "Secretary General of the Council of Europe", "Strasbourg",
        gap(14), "Dear Mr Secretary General,",
        *para("Thank you for inviting Google to become a partner of the Council of Europe. We accept "
              "with pleasure and look forward to the first annual meeting of the partners."),
        *para("We will ask our teams working on privacy, security and content policy to contribute "
              "to the consultations of the partnership."),
        *para("Sincerely yours,", before=12), gap(36), "Director, EU Public Policy", "Dr. Lena Hofmann",
        "Google LLC",
    )
    truth = _truth("letter", "en", partner="google", signatory="jagland", signed_by="Lena Hofmann",
                   date="2017-11-09", direction="incoming",
                   note="A weekday before the date, 'H.E.' before the addressee, the signer's title "
                        "above the name and 'Dr.' before it.")
    return lines, truth


def intel_letter() -> tuple[tuple[Line, ...], Truth]:
    """The Secretary General's letter in French, signed 'La Secrétaire Générale' without a name."""
    lines = _lines(
        Line("CONSEIL DE L'EUROPE", bold=True, size=15), Line("COUNCIL OF EUROPE", bold=True, size=11),
        gap(22), Line("Strasbourg, le 6 février 2020", align="right", size=10.5), gap(12),
        "Monsieur Paul Lefort", "Directeur des politiques publiques pour l'Europe", "Intel Corporation",
        "2 rue de Paris", "92190 Meudon", gap(16), "Monsieur le Directeur,",
        *para("J'ai le plaisir de vous confirmer que le Conseil de l'Europe accueille Intel "
              "Corporation parmi les partenaires de son partenariat numérique."),
        *para("Veuillez agréer, Monsieur le Directeur, l'expression de ma considération distinguée.",
              before=10),
        gap(36), "La Secrétaire Générale",
    )
    truth = _truth("letter", "fr", partner="intel", signatory="pejcinovic-buric", signed_by=None,
                   date="2020-02-06", direction="outgoing",
                   note="Signed 'La Secrétaire Générale' without a name.")
    return lines, truth


# --- Documents that are not letters ----------------------------------------------------------


def press_release() -> tuple[tuple[Line, ...], Truth]:
    """A press release quoting several partners."""
    lines = _lines(
        Line("COUNCIL OF EUROPE", bold=True, size=14), Line("Press release – DC 162(2017)", size=10),
        gap(10), "Strasbourg, 8 November 2017", gap(10),
        Line("Tech firms and the Council of Europe join forces for an open internet", bold=True, size=13),
        *para("Eight technology companies and six associations exchanged letters with the Council "
              "of Europe today, launching a partnership for human rights online."),
        *para("\u201cThe internet must respect human rights,\u201d said Secretary General Thorbjørn "
              "Jagland."),
        *para("\u201cWe are proud to take part,\u201d said a spokesperson for Apple Inc. Google LLC, "
              "Microsoft Corporation and Orange S.A. also welcomed the partnership."),
        gap(12), Line("Contact: Press Office, +33 3 88 41 25 60", size=9),
    )
    return lines, _truth("press release", "en", status="needs_review", reason="a press release")


def speech() -> tuple[tuple[Line, ...], Truth]:
    """The Secretary General's speech at the signing ceremony."""
    lines = _lines(
        Line("Speech by Marija Pejčinović Burić, Secretary General", bold=True, size=12),
        "Signing ceremony of the Digital Partnership", "Strasbourg, 28 June 2022",
        Line("Check against delivery", size=9, before=4), gap(14), "Excellencies,",
        "Ladies and gentlemen,",
        *para("It is a pleasure to welcome the International Chamber of Commerce and the LEGO Group "
              "to our partnership today."),
        *para("Together we will work for an internet in which children are safe and rights are "
              "respected."),
        *para("Thank you."),
    )
    return lines, _truth("speech", "en", status="needs_review", reason="a speech")


def communication() -> tuple[tuple[Line, ...], Truth]:
    """A communication of the Secretary General to the Committee of Ministers."""
    lines = _lines(
        Line("Information Documents", bold=True, size=12), "SG/Inf(2018)14", "28 May 2018",
        gap(10), Line("Digital Partnership: two new partners", bold=True, size=12),
        Line("Communication from the Secretary General", size=10.5, before=4),
        *para("1. The Secretary General informs the Committee of Ministers that Cloudflare, Inc. and "
              "EuroISPA joined the partnership on 23 May 2018 by an exchange of letters."),
        *para("2. The partnership now counts sixteen companies and associations."),
    )
    return lines, _truth("communication", "en", status="needs_review",
                         reason="a communication of the Secretary General")


def cloudflare_reply() -> tuple[tuple[Line, ...], Truth]:
    """Cloudflare's reply on two pages: the first typed, the signed second page scanned."""
    lines = _lines(
        Line("Cloudflare, Inc.", bold=True, size=20), Line("101 Townsend Street, San Francisco, CA 94107",
                                                           size=9),
        gap(20), "24 May 2018", gap(10),
        "Mr Thorbjørn Jagland", "Secretary General", "Council of Europe", "F-67075 Strasbourg Cedex",
        gap(14), "Dear Secretary General,",
        *para("Thank you for your letter of 23 May 2018 inviting Cloudflare to join the Council of "
              "Europe's partnership with digital companies. We accept the invitation with pleasure."),
        *para("Our teams will take part in the consultations of the partnership on the security of "
              "the internet and on the protection of journalists and human rights defenders online."),
        PAGE_BREAK,
        *para("We look forward to the first meeting of the partners and to working with the "
              "Secretariat."),
        *para("Yours sincerely,", before=12), Line("Matthew Prince", mark="signature", before=4),
        "Matthew Prince", "Co-founder and Chief Executive Officer", "Cloudflare, Inc.",
    )
    truth = _truth("letter", "en", partner="cloudflare", signatory="jagland",
                   signed_by="Matthew Prince", date="2018-05-24", direction="incoming",
                   note="Two pages: the first typed, the second (closing and signature) scanned: "
                        "the signer is only on the scanned page.")
    return lines, truth


def bt_reply() -> tuple[tuple[Line, ...], Truth]:
    """BT's reply on two pages: the first scanned sideways, the second typed."""
    lines = _lines(
        Line("BT Group plc", bold=True, size=20), Line("One Braham, London E1 8EE", size=9),
        gap(20), "18 November 2020", gap(10),
        "The Secretary General", "Council of Europe", "Avenue de l'Europe", "67075 Strasbourg", "France",
        gap(14), "Dear Secretary General,",
        *para("Thank you for your letter of 17 November 2020. BT is pleased to join the Council of "
              "Europe's partnership with digital companies."),
        PAGE_BREAK,
        *para("We will contribute to the work of the partnership on connectivity, cyber security and "
              "the protection of children online."),
        *para("Yours faithfully,", before=12), gap(36), "Sarah Whitcombe", "Director of Public Policy",
        "BT Group plc",
    )
    truth = _truth("letter", "en", partner="bt", signatory="pejcinovic-buric",
                   signed_by="Sarah Whitcombe", date="2020-11-18", direction="incoming",
                   note="Two pages: the first (letterhead, date, addressee) scanned sideways, the "
                        "second typed: the date is only on the scanned page.")
    return lines, truth


def alpine_letter() -> tuple[tuple[Line, ...], Truth]:
    """A letter from a company that is not a partner, whose heading has a word one edit from a
    partner's name ("Range", "Orange")."""
    lines = _lines(
        Line("Alpine Range Consulting", bold=True, size=18), Line("Via Nassa 12, 6900 Lugano", size=9),
        gap(20), "12 March 2021", gap(10),
        "The Secretary General", "Council of Europe", "67075 Strasbourg Cedex", gap(14),
        "Dear Secretary General,",
        *para("We would welcome the chance to present our services for mountain regions to the "
              "Council of Europe."),
        *para("Yours sincerely,", before=12), gap(36), "Luca Bernasconi", "Managing Partner",
        "Alpine Range Consulting",
    )
    truth = _truth("letter", "en", status="needs_review", reason="not a registered partner",
                   partner=None, signatory="pejcinovic-buric", signed_by="Luca Bernasconi",
                   date="2021-03-12", direction="incoming",
                   note="'Range' in the sender's name is one edit from 'Orange' but a common word: "
                        "no partner.")
    return lines, truth


def orange_note() -> tuple[tuple[Line, ...], Truth]:
    """A short note in English from Orange, its addresses in French."""
    lines = _lines(
        Line("Orange S.A.", bold=True, size=18), Line("Direction des affaires publiques", size=9),
        Line("111 quai du Président Roosevelt, 92130 Issy-les-Moulineaux", size=9),
        gap(20), "10 November 2017", gap(10),
        "Le Secrétaire Général", "Conseil de l'Europe", "Avenue de l'Europe", "67075 Strasbourg Cedex",
        gap(14), "Dear Secretary General,", *para("Our signed copy is enclosed."),
        *para("Best regards,", before=12), gap(30), "Claire Dumont-Ribeiro",
        "Directrice des affaires publiques", "Orange S.A.",
    )
    truth = _truth("letter", "en", partner="orange", signatory="jagland",
                   signed_by="Claire Dumont-Ribeiro", date="2017-11-10", direction="incoming",
                   note="A note of one sentence in English, with more French common words in its "
                        "addresses than English ones in the whole text.")
    return lines, truth


def google_invoice() -> tuple[tuple[Line, ...], Truth]:
    """An invoice from Google: not a letter, and its title must not call it one."""
    lines = _lines(
        Line("Google Ireland Limited", bold=True, size=16), Line("Gordon House, Barrow Street, Dublin 4",
                                                                 size=9),
        gap(20), Line("Invoice", bold=True, size=16), "Invoice number: 5312-8840",
        "Invoice date: 15 March 2018", gap(10), "Bill to:", "Council of Europe",
        "Avenue de l'Europe", "67075 Strasbourg Cedex", gap(14),
        "Google Workspace Business Standard, 120 users, March 2018: EUR 1,296.00",
        "VAT reverse charge: EUR 0.00", Line("Total due: EUR 1,296.00", bold=True),
        gap(10), "Payment within 30 days by bank transfer.",
    )
    return lines, replace(_truth("invoice", "en", status="needs_review",
                                 reason="does not read as a letter"),
                          title="Document from Google, not recognised as a letter")


ARABIC = ["ملحق: قائمة المشاركين في الاجتماع الأول للشراكة الرقمية",
          "نحن سعداء بالانضمام إلى هذه الشراكة المهمة مع مجلس أوروبا",
          "مع أطيب التحيات والتقدير لجميع الشركاء في هذا المشروع"]


def ibm_reply_with_annex() -> tuple[tuple[Line, ...], Truth]:
    """IBM's typed reply with a scanned annex in Arabic: a page the archive cannot read."""
    lines, truth = ibm_reply()
    annex = [Line(text, size=14, align="right", before=10) for text in ARABIC * 4]
    return (*lines, PAGE_BREAK, *annex), replace(
        truth, status="needs_review", reason="could not be read",
        note="A typed letter with a scanned annex in Arabic script: the annex is kept as evidence, "
             "not as text, and the letter goes to review.")


def _misread_by_ocr() -> tuple[tuple[Line, ...], Truth]:
    """EuroISPA's reply with its name written right, scanned so coarsely that OCR misreads it."""
    lines, truth = euroispa_reply("EuroISPA", "EuroISPA")
    note = ("The name is written 'EuroISPA' but scanned at 100 dpi, where Tesseract reads "
            "'EurolSPA': a close match, flagged for a person to confirm.")
    return lines, replace(truth, note=note)


# (file stem, maker, how it was scanned or None)
DOCUMENTS: list[tuple[str, Callable[[], tuple[tuple[Line, ...], Truth]], Scan | None]] = [
    ("2017-11-09-orange-reply-unnamed-fr", orange_reply, None),
    ("2017-11-09-orange-reply-unnamed-fr-scan", orange_reply, Scan(skew=0.8)),
    ("2022-06-30-icc-reply-capitals-fr", icc_reply, None),
    ("2022-06-30-icc-reply-capitals-fr-scan", icc_reply, Scan(skew=-1.1)),
    ("2018-05-25-euroispa-reply-misread", lambda: euroispa_reply("Eur0ISPA", "Euro1SPA"), None),
    ("2018-05-25-euroispa-reply-misread-scan", lambda: euroispa_reply("EuroIPSA", "Euro1SPA"),
     Scan(skew=-0.7)),
    ("2018-05-25-euroispa-reply-coarse-scan", _misread_by_ocr, Scan(skew=0.6, dpi=100)),
    ("2017-11-08-microsoft-letter-other-office", microsoft_letter, None),
    ("2017-11-08-microsoft-letter-other-office-scan", microsoft_letter, Scan(skew=1.0)),
    ("2020-11-19-ibm-reply-unnamed", ibm_reply, None),
    ("2017-11-08-etno-letter-unnamed-fr", etno_letter, None),
    ("2017-11-09-google-reply-weekday", google_reply, None),
    ("2020-02-06-intel-letter-unnamed-fr", intel_letter, None),
    ("2017-11-08-press-release", press_release, None),
    ("2017-11-08-press-release-scan", press_release, Scan(skew=0.5)),
    ("2022-06-28-speech-signing-ceremony", speech, None),
    ("2018-05-28-communication-secretary-general", communication, None),
    ("2018-05-24-cloudflare-reply-signed-page-scan", cloudflare_reply, Scan(pages=((1, 0),))),
    ("2020-11-18-bt-reply-sideways-scan", bt_reply, Scan(skew=0.4, pages=((0, 90),))),
    ("2021-03-12-alpine-range-letter", alpine_letter, None),
    ("2017-11-10-orange-note-short", orange_note, None),
    ("2018-03-15-google-invoice", google_invoice, None),
    ("2020-11-19-ibm-reply-annex-arabic-scan", ibm_reply_with_annex, Scan(pages=((1, 0),))),
]


def documents() -> list[tuple[Truth, bytes]]:
    """Every document: its truth and its PDF bytes."""
    out = []
    for stem, make, scan in DOCUMENTS:
        lines, truth = make()
        name = f"{stem}.pdf"
        footer = (Line(BANNER[truth.language], align="center", size=8),)
        pages = _pages(lines, footer)
        if scan is None:
            pdf = pdfkit.layout_pdf(pages)
        elif scan.pages:
            pdf = pdfkit.mixed_pdf(pages, dict(scan.pages), name, dpi=scan.dpi, skew=scan.skew)
        else:
            pdf = pdfkit.scan_pdf(pages, name, dpi=scan.dpi, skew=scan.skew)
        image_only = scan is not None and not scan.pages
        read = (range(len(pages)) if image_only else [n for n, _ in scan.pages] if scan else [])
        note = truth.note + (" Image-only scan." if image_only else "")
        out.append((replace(truth, file=name, scanned=image_only, pages=len(pages),
                            note=note.strip(), ocr_pages=tuple(n + 1 for n in read)), pdf))
    return out


def _pages(lines: tuple[Line, ...], footer: tuple[Line, ...]) -> list[pdfkit.Page]:
    """The lines flowed onto pages, a new page at each `PAGE_BREAK`."""
    chunks: list[list[Line]] = [[]]
    for line in lines:
        if line == PAGE_BREAK:
            chunks.append([])
        else:
            chunks[-1].append(line)
    if len(chunks) == 1:
        return pdfkit.paginate([chunks[0]], footer, lambda n, total: [])
    return [pdfkit.Page(tuple(chunk), footer) for chunk in chunks]


README = """\
# Specimens written elsewhere

Specimens made by `scripts/make_elsewhere.py`, not by the generator of the letters one folder up:
other letterheads, reference and subject lines, other wording and representatives (all invented;
every page says it is a specimen). They hold what recognition found hard on letters written
elsewhere: a French reply to "Le Secrétaire Général" without a name (typed and scanned), replies
whose partner name is written as OCR misreads it ("Eur0ISPA", "EuroIPSA", "Euro1SPA") or written
right and scanned so coarsely (100 dpi) that Tesseract misreads it ("EurolSPA"), letters signed or
addressed by title only, and documents about the partnership that are not letters (a press release
quoting several partners, a speech at a signing ceremony, a communication of the Secretary
General), which must go to review. Others mix typed and scanned pages (a typed reply whose signed
page is scanned, a reply whose first page was fed into the scanner sideways, a typed reply with a
scanned annex in Arabic script, which must be kept as evidence and not as text), and some hold what
recognition once got wrong: a sender's name with a common word one edit from a partner's
("Alpine Range Consulting", not Orange), a one-sentence English note whose French addresses hold
more French common words than the note English ones, and an invoice, which must get no letter's title.

`truth.json` lists, for every file, its kind, what a correct recogniser reports (the fields of a
letter; none for the other documents), the status it must get, part of a reason it must give, the
pages (from 1) that have no text layer and must be read by OCR, and the title when a case is about it.
These are not part of the sample archive. Regenerate with `make specimens` (a test checks that this
directory equals a fresh generation).
"""


def generate(out: Path) -> list[Truth]:
    """Write the documents, `truth.json` and `README.md` into `out`; return the truths."""
    return pdfkit.write_specimens(out, documents(), README)


def main(argv: list[str] | None = None) -> int:
    """Command line: write the documents into --out (default: specimens/elsewhere)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "specimens" / "elsewhere")
    args = parser.parse_args(argv)
    truths = generate(args.out)
    print(f"{len(truths)} specimens written elsewhere to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
