"""Generate the specimen letters of the Digital Partnership and their ground truth (deterministic).

The real letters are not public, so these are specimens: for each of the 27 partners, the Secretary
General's letter and the partner's reply, with fictional representatives and addresses, in several
layouts, languages and date styles, a few of them image-only scans. `truth.json` says what a correct
recogniser reads from each one.

Run: .venv/bin/python scripts/make_specimens.py [--out specimens]
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Collection
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import make_elsewhere
import pdfkit
from pdfkit import Line

ROOT = Path(__file__).resolve().parents[1]
DEPUTY = "Gabriella Battaini-Dragoni"
DEPUTY_ROUNDS = {date(2020, 2, 6)}
LAUNCH = date(2017, 11, 8)
ATT_DATE = date(2019, 3, 12)
FEMALE_SGS = {"pejcinovic-buric"}
SPECIMEN = {"en": "SPECIMEN – not the original letter",
            "fr": "SPÉCIMEN – ce n'est pas la lettre originale"}
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre"]
FR_PLACES = {"Brussels": "Bruxelles", "Belgium": "Belgique", "Germany": "Allemagne",
             "Geneva": "Genève", "Switzerland": "Suisse", "the Netherlands": "Pays-Bas"}
COE_ADDRESS = ("Avenue de l'Europe", "F-67075 Strasbourg Cedex", "France")


@dataclass(frozen=True)
class Scan:
    """How an image-only specimen was "scanned"."""

    skew: float = 0.0
    upside_down: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Style:
    """How one letter looks and what it says beyond the common text."""

    layout: str
    language: str = "en"
    date_style: str = "dmy"
    place: str = ""
    delay: int = 0
    signer: str = "sg"
    plain_names: bool = False
    named_addressee: bool = True
    mention: str = ""
    opening: int = 0
    pages: int = 1
    scan: Scan | None = None
    meta_title: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Party:
    """A partner as the specimens show it: fictional representative and address, names of the time."""

    slug: str
    org_out: str
    org_in: str
    rep: str
    title: str
    female: bool
    address: tuple[str, ...]
    out: Style
    inc: Style
    surname: str = ""
    sig_org: str = ""
    tagline: str = ""
    title_fr: str = ""
    salut_fr: str = ""
    org_fr: str = ""
    short: str = ""


@dataclass(frozen=True)
class Truth:
    """What a correct recogniser reads from one specimen (INTERFACE.md semantics)."""

    file: str
    partner: str
    signatory: str
    signed_by: str | None
    date: str
    direction: str
    language: str
    scanned: bool
    pages: int
    title: str
    note: str


@dataclass(frozen=True)
class SG:
    """A Secretary General as the letters name them."""

    slug: str
    name: str
    female: bool


@dataclass
class Draft:
    """A letter being composed: its blocks, footer, continuation head and notes."""

    blocks: list[list[Line]] = field(default_factory=list)
    footer: tuple[Line, ...] = ()
    notes: list[str] = field(default_factory=list)


def _p(slug: str, org_out: str, org_in: str, rep: str, title: str, female: bool,
       address: tuple[str, ...], out: Style, inc: Style, **extra: str) -> Party:
    return Party(slug, org_out, org_in, rep, title, female, address, out, inc, **extra)


US = "United States"
PARTIES: list[Party] = [
    _p("apple", "Apple Inc.", "Apple Inc.", "Jane Larsen", "Vice President, Government Affairs",
       True, ("One Orchard Way", "Cupertino, CA 95014", US),
       Style("centered", place="Strasbourg", mention="Microsoft, Google"),
       Style("left", date_style="mdy", place="Cupertino")),
    _p("deutsche-telekom", "Deutsche Telekom AG", "Deutsche Telekom", "Jürgen Brandt",
       "Senior Vice President, Group Public Policy", False, ("Rheinufer 12", "53113 Bonn", "Germany"),
       Style("office", language="fr", date_style="fr"),
       Style("right", date_style="dotted", place="Bonn", opening=1),
       sig_org="Deutsche Telekom AG", title_fr="Vice-Président, Affaires publiques du groupe",
       salut_fr="Monsieur le Vice-Président"),
    _p("meta", "Facebook Inc.", "Facebook", "Rachel Whitford", "Director, Public Policy EMEA", True,
       ("4 Grand Canal Quay", "Dublin 2", "Ireland"),
       Style("single", place="Strasbourg", note="Facebook Inc. was Meta's name in 2017."),
       Style("center", date_style="ordinal", place="Dublin",
             note="Facebook was Meta's name in 2017."),
       sig_org="Facebook, Inc."),
    _p("google", "Google LLC", "Google", "Daniel Okafor",
       "Director, Public Policy and Government Relations", False,
       ("45 Shoreline Court", "Mountain View, CA 94043", US),
       Style("office"),
       Style("left", date_style="iso", pages=2, mention="Microsoft and Facebook",
             meta_title="Microsoft Word - Letter_CoE_final.docx",
             note="The PDF title names Microsoft; it is not the partner."),
       sig_org="Google LLC"),
    _p("kaspersky", "Kaspersky Lab", "Kaspersky Lab", "Mikhail Sorokin", "Head of Public Affairs",
       False, ("14 Volokolamskoe Shosse", "125080 Moscow", "Russian Federation"),
       Style("centered", place="Strasbourg", note="Kaspersky Lab was Kaspersky's name in 2017."),
       Style("center", place="Moscow", delay=2, scan=Scan(skew=1.2),
             note="Kaspersky Lab was Kaspersky's name in 2017.")),
    _p("microsoft", "Microsoft Corporation", "Microsoft", "Amelia Hart",
       "Corporate Vice President, European Government Affairs", True,
       ("One Redmond Plaza", "Redmond, WA 98052", US),
       Style("single", place="Strasbourg", plain_names=True),
       Style("right", date_style="mdy", place="Redmond", delay=2, mention="Apple, Google, Facebook"),
       sig_org="Microsoft Corporation"),
    _p("orange", "Orange S.A.", "Orange", "Anaïs Lefèvre", "Directrice des affaires publiques", True,
       ("21 rue des Vignes", "75015 Paris", "France"),
       Style("centered", language="fr", date_style="fr", place="Strasbourg"),
       Style("left", language="fr", date_style="fr", place="Paris"),
       sig_org="Orange SA", salut_fr="Madame la Directrice"),
    _p("telefonica", "Telefónica, S.A.", "Telefonica", "José Álvarez Peña",
       "Director of Public Policy", False, ("Calle de la Ronda 7", "28050 Madrid", "Spain"),
       Style("office"),
       Style("center", place="Madrid", delay=1, opening=1,
             note="Written Telefonica, without the accent."),
       surname="Álvarez Peña", sig_org="Telefonica S.A."),
    _p("ccia", "Computer & Communications Industry Association (CCIA)", "CCIA", "Robert Kessler",
       "President and Chief Executive Officer", False,
       ("1410 Harbor Avenue NW", "Washington, DC 20007", US),
       Style("single", place="Strasbourg", pages=2),
       Style("left", date_style="mdy", place="Washington, D.C."),
       tagline="Computer & Communications Industry Association"),
    _p("digitaleurope", "DIGITALEUROPE", "DIGITALEUROPE", "Cecilia Lindqvist", "Director-General",
       True, ("Rue de la Science 14", "1040 Brussels", "Belgium"),
       Style("centered", language="fr", date_style="fr", place="Strasbourg"),
       Style("right", date_style="slash"),
       title_fr="Directrice générale", salut_fr="Madame la Directrice générale"),
    _p("european-digital-sme-alliance", "European DIGITAL SME Alliance",
       "European DIGITAL SME Alliance", "Oliver Grant", "Secretary General", False,
       ("Rue Marie-Thérèse 21", "1000 Brussels", "Belgium"),
       Style("office"),
       Style("left", opening=1,
             note="The partner's representative is its own Secretary General; the letter is "
                  "addressed to the Council of Europe's."),
       tagline="The voice of SMEs in the digital economy"),
    _p("etno", "ETNO – European Telecommunications Network Operators' Association", "ETNO",
       "Lise Hansen", "Director General", True,
       ("Boulevard Bischoffsheim 33", "1000 Brussels", "Belgium"),
       Style("single", language="fr", date_style="fr", place="Strasbourg"),
       Style("center", date_style="dotted", place="Brussels"),
       tagline="European Telecommunications Network Operators' Association",
       title_fr="Directrice générale", salut_fr="Madame la Directrice générale", org_fr="l'ETNO"),
    _p("gni", "Global Network Initiative", "Global Network Initiative", "Marcus Webb",
       "Executive Director", False, ("220 Hudson Row, Suite 400", "New York, NY 10013", US),
       Style("centered", place="Strasbourg", signer="unnamed"),
       Style("right", date_style="mdy", place="New York", delay=6, opening=1)),
    _p("gsma", "GSM Association", "GSMA", "Hannah Moreau", "Head of Public Policy, Europe", True,
       ("14 Fleet Lane", "London EC4A 2AB", "United Kingdom"),
       Style("office"),
       Style("left", date_style="ordinal", place="London", named_addressee=False),
       sig_org="GSM Association"),
    _p("cloudflare", "Cloudflare, Inc.", "Cloudflare", "Nathan Brooks", "Head of Public Policy",
       False, ("88 Brannan Row", "San Francisco, CA 94107", US),
       Style("single", place="Strasbourg", mention="EuroISPA, Apple, Google, Microsoft"),
       Style("center", date_style="mdy", place="San Francisco", plain_names=True),
       sig_org="Cloudflare, Inc."),
    _p("euroispa", "EuroISPA", "EuroISPA", "Pierre Lemoine", "President", False,
       ("Avenue de Tervueren 112", "1040 Brussels", "Belgium"),
       Style("centered", language="fr", date_style="fr", place="Strasbourg"),
       Style("left", language="fr", date_style="fr", place="Bruxelles", delay=2, scan=Scan()),
       tagline="European Internet Services Providers Association", title_fr="Président",
       salut_fr="Monsieur le Président"),
    _p("att", "AT&T Inc.", "AT&T", "Gregory Lawson",
       "Senior Vice President, International External Affairs", False,
       ("208 Akard Plaza", "Dallas, TX 75202", US),
       Style("office"),
       Style("right", date_style="mdy", place="Dallas", delay=8),
       sig_org="AT&T Inc."),
    _p("servicenow", "Element AI", "Element AI", "Élodie Tremblay",
       "Vice-President, Policy and Partnerships", True,
       ("350 rue Saint-Paul Est", "Montréal (Québec) H2Y 1H2", "Canada"),
       Style("single", place="Strasbourg", note="Element AI was ServiceNow's name in 2020."),
       Style("left", date_style="iso", place="Montréal", delay=4, opening=2,
             note="Element AI was ServiceNow's name in 2020."),
       sig_org="Element AI Inc."),
    _p("icco", "ICCO – International Communications Consultancy Organisation", "ICCO",
       "Fiona McAllister", "President", True, ("12 Bedford Row", "London WC1R 4BU", "United Kingdom"),
       Style("centered", place="Strasbourg"),
       Style("center", date_style="ordinal", place="London", named_addressee=False),
       tagline="International Communications Consultancy Organisation", short="ICCO"),
    _p("ieee", "IEEE", "IEEE", "Victor Almeida", "Managing Director, Technical Activities", False,
       ("12 Technology Park Road", "Piscataway, NJ 08854", US),
       Style("office"),
       Style("right", date_style="mdy", place="Piscataway"),
       tagline="Advancing Technology for Humanity"),
    _p("intel", "Intel Corporation", "Intel", "Sandra Whitaker", "Vice President, Global Public Policy",
       True, ("2200 Mission Loop", "Santa Clara, CA 95054", US),
       Style("single", place="Strasbourg"),
       Style("left", place="Santa Clara", delay=4, opening=2, mention="Element AI, IEEE, RIPE NCC",
             scan=Scan(skew=-1.6)),
       sig_org="Intel Corporation"),
    _p("ripe-ncc", "RIPE NCC", "RIPE NCC", "Maarten de Vries", "Managing Director", False,
       ("Stationsplein 11", "1012 AB Amsterdam", "the Netherlands"),
       Style("centered", language="fr", date_style="fr", place="Strasbourg"),
       Style("center", date_style="slash", place="Amsterdam"),
       tagline="Réseaux IP Européens Network Coordination Centre", surname="de Vries",
       title_fr="Directeur général", salut_fr="Monsieur le Directeur général"),
    _p("bt", "BT Group plc", "BT", "Charlotte Evans", "Director, Public Policy and Regulatory Affairs",
       True, ("81 Newgate Row", "London EC1A 7AJ", "United Kingdom"),
       Style("office", scan=Scan(upside_down=frozenset({0})), meta_title="SCAN_0042"),
       Style("left", date_style="ordinal", place="London", mention="IBM, the Internet Society"),
       sig_org="BT Group plc"),
    _p("ibm", "International Business Machines Corporation (IBM)", "IBM", "Thomas Reiner",
       "Vice President, Government and Regulatory Affairs", False,
       ("1 New Orchard Lane", "Armonk, NY 10504", US),
       Style("single", place="Strasbourg", plain_names=True),
       Style("right", date_style="mdy", place="Armonk", delay=2, pages=3),
       sig_org="International Business Machines Corporation", short="IBM"),
    _p("isoc", "Internet Society", "Internet Society", "Isabel Fontaine", "Vice President, Policy",
       True, ("Rue Vallin 2", "1201 Geneva", "Switzerland"),
       Style("centered", language="fr", date_style="fr", place="Strasbourg"),
       Style("center", date_style="dotted", place="Geneva", opening=1),
       title_fr="Vice-Présidente, Politiques publiques", salut_fr="Madame la Vice-Présidente"),
    _p("icc", "Chambre de commerce internationale (ICC)", "ICC", "Hélène Marchetti",
       "Directrice générale adjointe", True, ("12 avenue Kléber", "75116 Paris", "France"),
       Style("office", language="fr", date_style="fr", pages=2, mention="Microsoft, Orange, Intel"),
       Style("left", language="fr", date_style="fr", place="Paris", delay=3),
       tagline="Chambre de commerce internationale", salut_fr="Madame la Directrice générale adjointe",
       org_fr="la Chambre de commerce internationale (ICC)"),
    _p("lego-group", "The LEGO Group", "The LEGO Group", "Anders Kjeldsen",
       "Vice President, Corporate Affairs", False, ("Klodsvej 3", "7190 Billund", "Denmark"),
       Style("single", place="Strasbourg"),
       Style("right", place="Billund", delay=1, pages=2, plain_names=True, scan=Scan()),
       sig_org="LEGO A/S"),
]

COOPERATION_EN = [
    "the protection of personal data, in line with the modernised Convention for the Protection of "
    "Individuals with regard to Automatic Processing of Personal Data (Convention 108+), including "
    "the transparency of data processing and the effective exercise of the rights of data subjects;",
    "the fight against cybercrime and the access of criminal justice authorities to electronic "
    "evidence under the Budapest Convention on Cybercrime, in full respect of procedural safeguards "
    "and of the rule of law;",
    "freedom of expression and the free flow of information online, including the roles and "
    "responsibilities of internet intermediaries as described in the recommendations of the "
    "Committee of Ministers to member States;",
    "the protection of children against sexual exploitation and sexual abuse online, and the "
    "promotion of the rights of the child in the digital environment;",
    "the integrity of elections and of democratic processes, including questions of "
    "disinformation, micro-targeting and political advertising on social media;",
    "the impact of artificial intelligence and of algorithmic systems on human rights, democracy "
    "and the rule of law, and the safeguards that their design and use require;",
    "cyber-security systems and solutions which protect users, networks and critical "
    "infrastructure without undermining the privacy of communications;",
    "combating hate speech and discrimination online while safeguarding freedom of expression and "
    "the right to receive and impart information;",
    "access to the internet for everyone, including older persons and persons with disabilities, "
    "and the reduction of the digital divide between and within member States;",
    "digital citizenship education, media literacy and the skills that people of all ages need to "
    "take part in democratic life online.",
]
COOPERATION_FR = [
    "la protection des données à caractère personnel, conformément à la Convention modernisée pour "
    "la protection des personnes à l'égard du traitement automatisé des données à caractère "
    "personnel (Convention 108+), y compris la transparence des traitements ;",
    "la lutte contre la cybercriminalité et l'accès des autorités de justice pénale aux preuves "
    "électroniques au titre de la Convention de Budapest, dans le plein respect des garanties "
    "procédurales et de l'État de droit ;",
    "la liberté d'expression et la libre circulation de l'information en ligne, y compris le rôle "
    "et les responsabilités des intermédiaires d'internet ;",
    "la protection des enfants contre l'exploitation et les abus sexuels en ligne et la promotion "
    "des droits de l'enfant dans l'environnement numérique ;",
    "l'intégrité des élections et des processus démocratiques, y compris les questions de "
    "désinformation et de publicité politique sur les réseaux sociaux ;",
    "l'incidence de l'intelligence artificielle et des systèmes algorithmiques sur les droits de "
    "l'homme, la démocratie et l'État de droit ;",
    "la lutte contre le discours de haine et les discriminations en ligne, dans le respect de la "
    "liberté d'expression ;",
    "l'éducation à la citoyenneté numérique et l'éducation aux médias.",
]
COMMITMENTS_EN = [
    "We have long held that the companies which build and operate digital services share a "
    "responsibility with governments for the respect of human rights online. Our teams already "
    "work with national authorities, regulators and civil society organisations across Europe, and "
    "the partnership will give this work a coherent framework and a regular forum.",
    "We intend to take an active part in the consultations which the Council of Europe organises on "
    "its standard-setting work, and to make our technical experts available to the steering "
    "committees and working groups where their knowledge of products, networks and infrastructure "
    "can help the member States to reach well-founded decisions.",
    "We would also welcome the opportunity to take part in joint projects, research and capacity "
    "building activities, in particular those which aim to strengthen the skills of judges, "
    "prosecutors and data protection authorities in matters of technology.",
    "Transparency is at the heart of trust. We publish regular reports on government requests for "
    "user data and on the removal of content, and we are ready to share our experience of such "
    "reporting with the other partners and with the Secretariat.",
    "We understand that the partnership does not create financial obligations for either side, and "
    "that each partner remains free to decide on the extent of its participation in particular "
    "activities. We also understand that the Council of Europe retains full independence in its "
    "standard-setting and monitoring work.",
    "We look forward to the annual meeting between the partners and the Secretary General, which "
    "will be an occasion to review the cooperation, to take stock of the projects carried out and "
    "to agree on priorities for the following year.",
    "Our contact point for the partnership will be our office for European public policy, which "
    "will coordinate the participation of our experts and keep the Secretariat informed of our "
    "contributions to the work of the Organisation.",
    "Finally, we note with appreciation the openness of the Council of Europe to a multi-stakeholder "
    "approach, bringing governments, civil society and companies together around the same table "
    "when shaping policies for the digital environment.",
]


def registry_data() -> dict[str, Any]:
    """The registry's base data, as the package ships it."""
    text = resources.files("letters").joinpath("data/registry.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def plain(text: str) -> str:
    """`text` without diacritics ("Thorbjørn" -> "Thorbjorn", "Burić" -> "Buric")."""
    text = text.replace("ø", "o").replace("Ø", "O")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def format_date(day: date, style: str) -> str:
    """The date written in one of the specimens' styles (`fr` without the article)."""
    month = day.month - 1
    if style == "mdy":
        return f"{EN_MONTHS[month]} {day.day}, {day.year}"
    if style == "ordinal":
        suffix = "th" if 10 <= day.day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
        return f"{day.day}{suffix} {EN_MONTHS[month]} {day.year}"
    if style == "fr":
        return f"{'1er' if day.day == 1 else day.day} {FR_MONTHS[month]} {day.year}"
    if style == "dotted":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    if style == "slash":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if style == "iso":
        return day.isoformat()
    return f"{day.day} {EN_MONTHS[month]} {day.year}"


def date_line(day: date, style: str, place: str) -> str:
    """The place-and-date line ("Paris, le 1er juin 2022"), or the date alone without a place."""
    written = format_date(day, style)
    if not place:
        return written
    return f"{place}, le {written}" if style == "fr" else f"{place}, {written}"


def mentioned_date(day: date, style: Style) -> str:
    """How a reply writes the date of the letter it answers."""
    return format_date(day, style.date_style if style.date_style in ("mdy", "ordinal", "fr") else "dmy")


def listing(names: str, language: str) -> str:
    """ "A, B, C" as "A, B and C" (or "A, B et C")."""
    items = [n.strip() for n in names.split(",") if n.strip()]
    word = " et " if language == "fr" else " and "
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + word + items[-1]


def localise(lines: tuple[str, ...], language: str) -> list[str]:
    """Address lines in the letter's language (only city and country names change)."""
    if language != "fr":
        return list(lines)
    out = []
    for line in lines:
        for english, french in FR_PLACES.items():
            line = line.replace(english, french)
        out.append(line)
    return out


def block(texts: list[str], before: float = 0.0, size: float = 11.0, align: str = "left",
          bold: bool = False) -> list[Line]:
    """Short lines kept together, the first one `before` points below what precedes."""
    return [Line(t, align=align, bold=bold, size=size, before=before if i == 0 else 0.0)
            for i, t in enumerate(texts)]


def para(text: str, before: float = 9.0, indent: float = 0.0) -> list[Line]:
    """A body paragraph."""
    return pdfkit.paragraph(text, before=before, indent=indent)


def footer(language: str, extra: tuple[str, ...] = ()) -> tuple[Line, ...]:
    """Footer lines: the layout's own, then the specimen line that every page carries."""
    lines = [Line(t, align="center", size=8) for t in extra]
    return (*lines, Line(SPECIMEN[language], align="center", size=8, before=4))


# --- The Secretary General's letter ----------------------------------------------------------


def office_title(sg: SG, signer: str, language: str) -> str:
    """The letterhead's office line."""
    if signer == "deputy":
        return "La Secrétaire Générale adjointe" if language == "fr" else "The Deputy Secretary General"
    if language == "fr":
        return "La Secrétaire Générale" if sg.female else "Le Secrétaire Général"
    return "The Secretary General"


def outgoing_head(party: Party, sg: SG, day: date, seq: int, draft: Draft) -> list[Line]:
    """Letterhead, date and addressee block of the Secretary General's letter."""
    style, fr = party.out, party.out.language == "fr"
    office = office_title(sg, style.signer, style.language)
    honorific = ("Madame" if party.female else "Monsieur") if fr else ("Ms" if party.female else "Mr")
    title = party.title_fr or party.title if fr else party.title
    addressee = [f"{honorific} {party.rep}", title, party.org_out,
                 *localise(party.address, style.language)]
    dated = date_line(day, style.date_style, style.place)
    if style.layout == "centered":
        first, second = ("CONSEIL DE L'EUROPE", "COUNCIL OF EUROPE") if fr else (
            "COUNCIL OF EUROPE", "CONSEIL DE L'EUROPE")
        draft.footer = footer(style.language)
        return [*block([first, second], size=15, align="center", bold=True),
                Line(office, align="center", size=10, before=2), Line(mark="rule", before=4),
                Line(dated, align="right", before=14), *block(addressee, before=20)]
    if style.layout == "office":
        heading = "CONSEIL DE L'EUROPE    COUNCIL OF EUROPE"
        cabinet = ("Cabinet de la Secrétaire Générale" if sg.female else "Cabinet du Secrétaire Général"
                   ) if fr else "Private Office of the Secretary General"
        draft.footer = footer(style.language)
        return [Line(heading, bold=True, size=13), Line(cabinet, size=10, before=2),
                Line(f"Réf. : SG-PO/{seq:03d}" if fr else f"Ref.: SG-PO/{seq:03d}", size=9, before=2),
                Line(mark="rule", before=2), *block(addressee, before=22),
                Line(dated, align="right", before=20)]
    heading = "CONSEIL DE L'EUROPE" if fr else "COUNCIL OF EUROPE"
    coe = "Conseil de l'Europe" if fr else "Council of Europe"
    draft.footer = footer(style.language, (" · ".join([coe, *COE_ADDRESS, "www.coe.int"]),))
    return [Line(heading, align="right", bold=True, size=16), Line(office, align="right", size=10),
            Line(dated, before=30), *block(addressee, before=16)]


def outgoing_body(party: Party, sg: SG, day: date, kind: str) -> tuple[list[str], list[str]]:
    """Subject, salutation and paragraphs of the Secretary General's letter; and its closing."""
    style, org = party.out, party.short or party.org_out
    deputy = style.signer == "deputy"
    if style.language == "fr":
        org = party.org_fr or org
        noun = "votre entreprise" if kind == "company" else "votre association"
        glad = "heureuse" if (sg.female or deputy) else "heureux"
        others = f", aux côtés de {listing(style.mention, 'fr')} et d'autres partenaires" \
            if style.mention else ""
        if day == LAUNCH:
            opening = [
                "À l'occasion du Forum mondial de la démocratie, le Conseil de l'Europe lance "
                "aujourd'hui un partenariat avec des entreprises du numérique et leurs associations "
                "représentatives, afin de promouvoir un internet ouvert et sûr, où les droits de "
                "l'homme, la démocratie et l'État de droit sont respectés.",
                f"Je me réjouis que {noun}, {org}, ait accepté de s'associer à ce "
                f"partenariat{others}. Son expérience sera précieuse pour nos travaux sur la "
                "gouvernance de l'internet, la protection des données, la cybercriminalité et la "
                "liberté d'expression en ligne."]
        elif deputy:
            opening = [
                f"Au nom de la Secrétaire Générale, Mme {sg.name}, j'ai le plaisir d'inviter {noun}, "
                f"{org}, à rejoindre le partenariat entre le Conseil de l'Europe et les entreprises "
                "du numérique, lancé le 8 novembre 2017 à Strasbourg.",
                f"Je suis très {glad} que {noun} apporte à ce partenariat{others} son expérience "
                "de la gestion des ressources et des infrastructures de l'internet."]
        else:
            opening = [
                "Depuis son lancement le 8 novembre 2017, le partenariat entre le Conseil de "
                "l'Europe et les entreprises du numérique réunit des entreprises et des associations"
                f"{others} dans un effort commun pour promouvoir un internet ouvert et sûr, où les "
                "droits de l'homme, la démocratie et l'État de droit sont respectés.",
                f"Je suis très {glad} que {noun}, {org}, rejoigne aujourd'hui ce partenariat."]
        body = [*opening,
                f"Ce partenariat permettra à {noun} de participer aux consultations sur les travaux "
                "normatifs du Conseil de l'Europe relatifs à l'internet, de contribuer, le cas "
                "échéant, aux activités de nos comités directeurs et de s'engager dans des projets "
                "et des recherches communs. Les partenaires se réuniront avec le Secrétariat au "
                "moins une fois par an afin de faire le point sur cette coopération.",
                "La présente lettre et votre réponse confirmant votre accord constitueront "
                "l'échange de lettres établissant notre coopération. Il n'en découle aucune "
                "obligation financière pour l'une ou l'autre partie."]
        head = [f"Objet : Partenariat entre le Conseil de l'Europe et {org}", f"{party.salut_fr},"]
        closing = [f"Je vous prie d'agréer, {party.salut_fr}, l'expression de ma haute considération."]
        return head + body, closing
    others = f", together with {listing(style.mention, 'en')} and other partners" if style.mention \
        else ""
    if day == LAUNCH:
        opening = [
            "Today, on the occasion of the World Forum for Democracy, the Council of Europe is "
            "launching a partnership with leading technology companies and their associations to "
            "promote an open and safe internet, where human rights, democracy and the rule of law "
            "are respected online.",
            f"I am delighted that {org} has agreed to take part in this partnership{others}. Its "
            "experience will be valuable for our work on internet governance, data protection, "
            "cybercrime and freedom of expression online."]
    elif deputy:
        opening = [
            f"On behalf of Secretary General {sg.name}, I have the pleasure of inviting {org} to "
            "join the partnership between the Council of Europe and digital companies, launched "
            "on 8 November 2017 in Strasbourg.",
            f"The Secretary General and I are confident that {org} will bring to this "
            f"partnership{others} expertise which our member States value highly."]
    else:
        including = f", including {listing(style.mention, 'en')}," if style.mention else ""
        opening = [
            "Since its launch on 8 November 2017, the partnership between the Council of Europe "
            f"and digital companies has brought together companies and associations{including} "
            "in a common effort to promote an open and safe internet, where human rights, "
            "democracy and the rule of law are respected online.",
            f"I am very pleased that {org} is joining this partnership today."]
    body = [*opening,
            f"The partnership will allow {org} to take part in consultations on the Council of "
            "Europe's standard-setting work concerning the internet, to contribute where appropriate "
            "to the activities of our steering committees, and to engage in joint projects and "
            "research. The partners will meet the Secretariat at least once a year to review the "
            "cooperation.",
            f"This letter and your reply confirming the agreement of {org} will constitute the "
            "exchange of letters establishing our cooperation. It creates no financial obligation "
            "for either side."]
    honorific = "Ms" if party.female else "Mr"
    surname = party.surname or party.rep.split()[-1]
    head = [f"Subject: Partnership between the Council of Europe and {org}",
            f"Dear {honorific} {surname},"]
    return head + body, ["Yours sincerely,"]


def outgoing_signature(party: Party, sg: SG) -> tuple[list[Line], str | None]:
    """The signature block and who signed (`signed_by`)."""
    style, fr = party.out, party.out.language == "fr"
    name = plain(sg.name) if style.plain_names else sg.name
    if style.signer == "deputy":
        lines = ["Pour la Secrétaire Générale" if fr else "For the Secretary General", "", DEPUTY,
                 "Secrétaire Générale adjointe" if fr else "Deputy Secretary General"]
        return _signed(lines, DEPUTY), DEPUTY
    if style.signer == "unnamed":
        return _signed(["", "Le Secrétaire Général" if fr else "The Secretary General"], sg.name), None
    office = ("Secrétaire Générale" if sg.female else "Secrétaire Général") if fr else "Secretary General"
    return _signed(["", name, office], sg.name), sg.name


def _signed(lines: list[str], signer: str) -> list[Line]:
    """Lines of a signature block; the empty one becomes the handwritten stroke."""
    return [Line(signer, mark="signature", before=4) if not t else Line(t) for t in lines]


def outgoing(party: Party, kind: str, sg: SG, day: date, seq: int) -> tuple[Draft, Truth]:
    """The Secretary General's letter to the partner, and its truth."""
    style, draft = party.out, Draft()
    head = outgoing_head(party, sg, day, seq, draft)
    texts, closing = outgoing_body(party, sg, day, kind)
    signature, signed_by = outgoing_signature(party, sg)
    subject = pdfkit.wrap(texts[0], bold=True)
    draft.blocks = [head, block(subject, before=20, bold=True), block([texts[1]], before=14)]
    draft.blocks += [para(t) for t in texts[2:4]]
    extras = COOPERATION_FR if style.language == "fr" else COOPERATION_EN
    lead = ("Je suggère en particulier que notre coopération porte sur les domaines suivants :"
            if style.language == "fr" else
            "In particular, I would suggest that our cooperation address the following areas:")
    tail = [para(t) for t in texts[4:]] + [
        [*para(closing[0], before=12), *signature]]
    draft.blocks += _fill(draft, _areas(lead, extras), style.pages, tail)
    notes = draft.notes
    if style.signer == "deputy":
        notes.append("Signed for the Secretary General by the Deputy Secretary General.")
    if style.signer == "unnamed":
        notes.append("Signed by an unnamed 'The Secretary General': signatory from the date, "
                     "signed_by unknown.")
    if style.plain_names:
        notes.append("The Secretary General's name is written without diacritics.")
    if style.mention:
        notes.append(f"The body mentions {listing(style.mention, 'en')}, not the partner.")
    if day != LAUNCH:
        notes.append("The body mentions 8 November 2017, the launch, which is not its date.")
    who = "The Deputy, for the Secretary General," if style.signer == "deputy" else \
        "The Secretary General"
    title = f"{who} to {party.org_out}"
    return draft, _truth(party, "outgoing", style, sg, day, signed_by, title)


# --- The partner's reply ----------------------------------------------------------------------


def incoming_head(party: Party, sg: SG, day: date, draft: Draft) -> list[Line]:
    """Letterhead, date and addressee block of the partner's reply."""
    style, fr = party.inc, party.inc.language == "fr"
    name = plain(sg.name) if style.plain_names else sg.name
    if style.named_addressee:
        honorific = ("Madame" if sg.female else "Monsieur") if fr else ("Ms" if sg.female else "Mr")
        office = ("Secrétaire Générale" if sg.female else "Secrétaire Général") if fr else \
            "Secretary General"
        addressee = [f"{honorific} {name}", office, "Conseil de l'Europe" if fr else
                     "Council of Europe", *COE_ADDRESS]
    else:
        addressee = ["Le Secrétaire Général" if fr else "The Secretary General",
                     "Conseil de l'Europe" if fr else "Council of Europe", *COE_ADDRESS]
    address = localise(party.address, style.language)
    dated = date_line(day, style.date_style, style.place)
    tagline = [Line(party.tagline, size=10, align=_align(style.layout))] if party.tagline else []
    if style.layout == "left":
        draft.footer = footer(style.language)
        return [Line(party.org_in, bold=True, size=18), *tagline, *block(address, size=9, before=2),
                Line(mark="rule", before=2), Line(dated, align="right", before=16),
                *block(addressee, before=16)]
    if style.layout == "center":
        draft.footer = footer(style.language)
        return [Line(party.org_in, align="center", bold=True, size=18), *tagline,
                Line(" · ".join(address), align="center", size=9, before=2),
                Line(mark="rule", before=2), *block(addressee, before=24), Line(dated, before=18)]
    draft.footer = footer(style.language, (" · ".join([party.org_in, *address]),))
    return [Line(party.org_in, align="right", bold=True, size=20), *tagline,
            Line(dated, before=30), *block(addressee, before=16)]


def _align(layout: str) -> str:
    return {"center": "center", "right": "right"}.get(layout, "left")


def incoming_body(party: Party, sg: SG, sg_day: date, kind: str) -> tuple[list[str], str]:
    """Salutation and paragraphs of the partner's reply; and its closing."""
    style = party.inc
    when = mentioned_date(sg_day, style)
    if style.language == "fr":
        org = party.org_fr or party.org_in
        salutation = "Madame la Secrétaire Générale" if sg.female else "Monsieur le Secrétaire Général"
        noun = "notre entreprise" if kind == "company" else "notre organisation"
        body = [
            f"{salutation},",
            f"Je vous remercie de votre lettre du {when} par laquelle vous invitez {org} à rejoindre "
            "le partenariat entre le Conseil de l'Europe et les entreprises du numérique.",
            f"J'ai le plaisir de vous confirmer que {noun} accepte les modalités de coopération "
            "exposées dans votre lettre et prendra part à ce partenariat.",
            "Nous partageons l'engagement du Conseil de l'Europe en faveur d'un internet ouvert, "
            "sûr et respectueux des droits fondamentaux, et nous nous réjouissons de contribuer aux "
            "consultations sur les travaux normatifs ainsi qu'aux projets communs prévus par le "
            "partenariat.",
            "Votre lettre et la présente réponse constituent ensemble l'échange de lettres "
            "établissant notre coopération."]
        return body, f"Je vous prie d'agréer, {salutation}, l'expression de ma très haute considération."
    org = party.org_in
    if style.named_addressee and style.opening == 1:
        salutation = f"Dear {'Ms' if sg.female else 'Mr'} {sg.name.split(' ', 1)[1]},"
        if style.plain_names:
            salutation = plain(salutation)
    else:
        salutation = "Dear Secretary General,"
    openings = [
        f"Thank you for your letter of {when} inviting {org} to join the partnership between the "
        "Council of Europe and digital companies.",
        f"I refer to your letter of {when} concerning the participation of {org} in the Council of "
        "Europe's partnership with internet companies.",
        f"Thank you for the letter of {when}, signed on your behalf by the Deputy Secretary "
        f"General, Ms {DEPUTY}, inviting {org} to join the partnership between the Council of "
        "Europe and digital companies."]
    alongside = f" alongside {listing(style.mention, 'en')}" if style.mention else ""
    body = [
        salutation, openings[style.opening],
        f"I am pleased to confirm that {org} accepts the terms of cooperation set out in your "
        f"letter and will take part in the partnership{alongside}.",
        "We share the Council of Europe's commitment to an open, secure and rights-respecting "
        "internet, and we look forward to contributing to the consultations on standard-setting and "
        "to the joint projects foreseen by the partnership.",
        "Your letter and this reply together constitute the exchange of letters establishing our "
        "cooperation."]
    closing = "Sincerely," if style.date_style == "mdy" else "Yours sincerely,"
    return body, closing


def incoming(party: Party, kind: str, sg: SG, sg_day: date) -> tuple[Draft, Truth]:
    """The partner's reply to the Secretary General, and its truth."""
    style, draft = party.inc, Draft()
    day = sg_day + timedelta(days=style.delay)
    head = incoming_head(party, sg, day, draft)
    texts, closing = incoming_body(party, sg, sg_day, kind)
    signature = [Line(party.rep, mark="signature", before=4), Line(party.rep),
                 Line(party.title), Line(party.sig_org or party.org_in)]
    draft.blocks = [head, block([texts[0]], before=22)]
    draft.blocks += [para(t) for t in texts[1:3]]
    lead = f"In particular, {party.org_in} intends to contribute to the work of the partnership on:"
    tail = [para(t) for t in texts[3:]] + [[*para(closing, before=12), *signature]]
    pool = [(t, 0.0) for t in COMMITMENTS_EN] + _areas(lead, COOPERATION_EN)
    draft.blocks += _fill(draft, pool, style.pages, tail)
    notes = draft.notes
    if day != sg_day:
        notes.append(f"Dated {day.isoformat()}; refers to the Secretary General's letter of "
                     f"{sg_day.isoformat()}.")
    if not style.named_addressee:
        notes.append("Addressed to 'The Secretary General' without a name: signatory from the date.")
    if style.plain_names:
        notes.append("The Secretary General's name is written without diacritics.")
    if style.opening == 2:
        notes.append("Mentions the Deputy Secretary General, who did not sign this letter.")
    if style.mention:
        notes.append(f"The body mentions {listing(style.mention, 'en')}, not the partner.")
    title = f"{party.sig_org or party.org_in} to the Secretary General, in reply"
    return draft, _truth(party, "incoming", style, sg, day, party.rep, title)


# --- Pages, files and truth ------------------------------------------------------------------


def _fill(draft: Draft, pool: list[tuple[str, float]], pages: int,
          tail: list[list[Line]]) -> list[list[Line]]:
    """As many paragraphs of `pool` (text, indent) as fit in `pages` pages with `tail`; then `tail`."""
    extra: list[list[Line]] = []
    if pages > 1:
        for text, indent in pool:
            more = [*extra, para(text, before=4.0 if indent else 9.0, indent=indent)]
            if _count(draft, more + tail) > pages:
                break
            extra = more
    if _count(draft, extra + tail) != pages:
        raise RuntimeError(f"the specimen table asks for {pages} page(s), which the text cannot fill")
    return extra + tail


def _areas(lead: str, items: list[str]) -> list[tuple[str, float]]:
    """A lead sentence and its lettered items, as a pool for `_fill`."""
    return [(lead, 0.0)] + [(f"({chr(97 + i)}) {t}", 18.0) for i, t in enumerate(items)]


def _count(draft: Draft, more: list[list[Line]]) -> int:
    return len(pdfkit.paginate(draft.blocks + more, draft.footer, _continuation))


def _continuation(number: int, total: int) -> list[Line]:
    return [Line(f"- {number} -", align="center", size=10), Line("", size=6)]


def _truth(party: Party, direction: str, style: Style, sg: SG, day: date, signed_by: str | None,
           title: str) -> Truth:
    return Truth(file="", partner=party.slug, signatory=sg.slug, signed_by=signed_by,
                 date=day.isoformat(), direction=direction, language=style.language,
                 scanned=style.scan is not None, pages=style.pages, title=title, note=style.note)


def _notes(truth: Truth, draft: Draft, style: Style, invented: bool) -> str:
    notes = [truth.note] if truth.note else []
    if invented:
        notes.append("The date is invented for this specimen: AT&T's date of joining is not public.")
    notes += draft.notes
    if style.pages > 1:
        notes.append(f"{style.pages} pages.")
    if style.scan is not None:
        how = ["image-only scan, no text layer"]
        if style.scan.skew:
            how.append(f"skewed {abs(style.scan.skew):g} degrees")
        if style.scan.upside_down:
            how.append("a page upside down")
        notes.append(", ".join(how).capitalize() + ".")
    return " ".join(notes)


def secretaries(data: dict[str, Any]) -> list[tuple[SG, date, date | None]]:
    """The Secretaries General of the registry with their terms."""
    return [(SG(s["slug"], s["name"], s["slug"] in FEMALE_SGS), date.fromisoformat(s["term_start"]),
             date.fromisoformat(s["term_end"]) if s["term_end"] else None)
            for s in data["secretaries_general"]]


def in_office(sgs: list[tuple[SG, date, date | None]], day: date) -> SG:
    """The Secretary General in office on `day`."""
    for sg, start, end in sgs:
        if start <= day and (end is None or day <= end):
            return sg
    raise ValueError(f"no Secretary General in office on {day}")


def letters(only: Collection[str] | None = None) -> list[tuple[Truth, bytes]]:
    """Every specimen (or those of the partners in `only`): its truth and its PDF bytes."""
    data = registry_data()
    kinds = {p["slug"]: p["kind"] for p in data["partners"]}
    missing = set(kinds) ^ {p.slug for p in PARTIES}
    if missing:
        raise RuntimeError(f"registry and specimen table disagree on: {sorted(missing)}")
    sgs = secretaries(data)
    joined = {p["slug"]: p["joined"] for p in data["partners"]}
    out: list[tuple[Truth, bytes]] = []
    for seq, party in enumerate(PARTIES, start=101):
        if only is not None and party.slug not in only:
            continue
        invented = joined[party.slug] is None
        day = ATT_DATE if invented else date.fromisoformat(joined[party.slug])
        sg = in_office(sgs, day)
        if day in DEPUTY_ROUNDS:  # the Deputy signed every letter of that round
            party = replace(party, out=replace(party.out, signer="deputy"))
        for direction, (draft, truth) in (("outgoing", outgoing(party, kinds[party.slug], sg, day, seq)),
                                          ("incoming", incoming(party, kinds[party.slug], sg, day))):
            style = party.out if direction == "outgoing" else party.inc
            name = f"{day.isoformat()}-{party.slug}-{direction}.pdf"
            pages = pdfkit.paginate(draft.blocks, draft.footer, _continuation)
            if style.scan is None:
                pdf = pdfkit.layout_pdf(pages, style.meta_title)
            else:
                pdf = pdfkit.scan_pdf(pages, name, skew=style.scan.skew,
                                      upside_down=style.scan.upside_down, title=style.meta_title)
            truth = Truth(**{**asdict(truth), "file": name, "pages": len(pages),
                             "note": _notes(truth, draft, style, invented)})
            out.append((truth, pdf))
    return out


README = """\
# Specimen letters

These are **specimens, not the real letters** of the Council of Europe's Digital Partnership. The
real exchanges of letters are not public; these imitate their shape so that the program can be
built, tested and demonstrated: for each of the 27 partners of the registry, the Secretary
General's letter (`-outgoing.pdf`) and the partner's reply (`-incoming.pdf`), dated by the rounds
of signature. Representatives' names, titles, addresses and every word of the letters are
invented; every page says so ("SPECIMEN – not the original letter" / "SPÉCIMEN – ce n'est pas la
lettre originale"). AT&T's date (2019-03-12) is invented as well: its real date is not public.

They vary on purpose: English and French, several letterheads and date styles, names as they were
at the time (Facebook, Element AI, Kaspersky Lab), names without diacritics, letters signed by the
Deputy Secretary General for the Secretary General, bodies that mention other partners or other
dates, letters of two or three pages, and a few image-only scans (no text layer; skewed, noisy,
one page upside down) that only OCR can read. File names and PDF titles are not evidence: a
recogniser must read the text.

`truth.json` lists, for every file, what a correct recogniser reports (`partner`, `signatory`,
`signed_by`, `date`, `direction`, `language`, `pages`), whether it is a scan, a short title and a
note on what makes it tricky.

Regenerate (the output is byte-for-byte deterministic, and a test checks that this directory equals
a fresh generation, so do not edit these files by hand):

```sh
.venv/bin/python scripts/make_specimens.py --out specimens
```
"""


def generate(out: Path, only: Collection[str] | None = None) -> list[Truth]:
    """Write the specimens, `truth.json` and `README.md` into `out`; return the truths."""
    return pdfkit.write_specimens(out, letters(only), README)


def main(argv: list[str] | None = None) -> int:
    """Command line: write the specimens into --out (default: specimens/ of the repository)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "specimens")
    args = parser.parse_args(argv)
    truths = generate(args.out)
    print(f"{len(truths)} specimens written to {args.out}")
    others = make_elsewhere.generate(args.out / "elsewhere")
    print(f"{len(others)} specimens written elsewhere to {args.out / 'elsewhere'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
