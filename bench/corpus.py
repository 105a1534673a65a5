"""Deterministic generated letters for the benchmarks: PDFs for ingestion, an archive for search.

Every letter is drawn from `random.Random(f"{SEED}:{number}")`, so letter N is the same whatever
the size of the corpus. The letters are realistic exchanges with the registry's partners: the
Secretary General in office at the letter's date writes (outgoing) or is written to (incoming),
in English or French, about the partnership's work (consultations, annual meetings, projects).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import random
import sys
import textwrap
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from letters.messages import msg
from letters.models import Direction, Letter
from letters.registry import Registry
from letters.registry import load as load_registry

ROOT = Path(__file__).resolve().parents[1]
SEED = "letters-bench-1"
#: Bump when the generated text changes: cached corpora of another version are remade.
VERSION = "1"
FIRST_DAY = date(2017, 11, 8)
LAST_DAY = date(2025, 12, 19)
LINES_PER_PAGE = 46
COLUMNS = 92

FIRST_NAMES = ("Anna", "Lukas", "Sofia", "Marco", "Ingrid", "Pierre", "Elena", "Jonas", "Claire",
               "Mateo", "Hanna", "Tomás", "Nadia", "Oliver", "Zuzana", "Henrik", "Amélie", "Piotr",
               "Laura", "Stefan", "Chiara", "Björn", "Maëlle", "Dimitri", "Sarah", "Karim")
LAST_NAMES = ("Keller", "Novak", "Lindqvist", "Moreau", "Rossi", "Schmidt", "García", "Kowalski",
              "Dubois", "Jensen", "Petrović", "O'Brien", "Van den Berg", "Costa", "Horváth",
              "Nielsen", "Lefèvre", "Bauer", "Fischer", "Müller", "Andersen", "Kovač", "Marchetti")
TITLES = ("Vice President, Government Affairs", "Director of Public Policy", "Chief Executive Officer",
          "Director General", "Head of European Affairs", "General Counsel", "Secretary General")
TOPICS_EN = (
    "the protection of personal data and the modernised Convention 108+",
    "the fight against cybercrime under the Budapest Convention and its Second Additional Protocol",
    "freedom of expression online and the role of internet intermediaries",
    "artificial intelligence, human rights, democracy and the rule of law",
    "the protection of children against sexual exploitation and abuse online",
    "media literacy and the quality of information in the digital environment",
    "the right to privacy and the safeguards that surveillance requires",
    "hate speech online and the responsibilities of platforms",
    "electoral integrity and the transparency of political advertising online",
    "digital inclusion and access to the internet for persons with disabilities",
    "gender equality in the technology sector",
    "the security and resilience of critical internet infrastructure",
)
TOPICS_FR = (
    "la protection des données à caractère personnel et la Convention 108+ modernisée",
    "la lutte contre la cybercriminalité au titre de la Convention de Budapest",
    "la liberté d'expression en ligne et le rôle des intermédiaires de l'internet",
    "l'intelligence artificielle, les droits de l'homme, la démocratie et l'État de droit",
    "la protection des enfants contre l'exploitation et les abus sexuels en ligne",
    "l'éducation aux médias et la qualité de l'information dans l'environnement numérique",
    "le droit au respect de la vie privée et les garanties qu'exige la surveillance",
    "le discours de haine en ligne et les responsabilités des plateformes",
)
PURPOSES_EN = (
    ("Annual meeting of the partnership", "I am writing to invite {org} to the annual meeting of "
     "the partnership between the Council of Europe and digital companies, to be held in "
     "Strasbourg on {event}."),
    ("Consultation on draft standards", "The Steering Committee on Media and Information Society "
     "has prepared draft recommendations on which the views of {org} would be most welcome before "
     "{event}."),
    ("Joint project proposal", "Further to our recent exchanges, I would like to propose that "
     "{org} and the Council of Europe launch a joint project, with a first workshop on {event}."),
    ("Partnership between the Council of Europe and {org}", "I am very pleased that {org} is "
     "joining the partnership between the Council of Europe and digital companies, launched on "
     "8 November 2017 in Strasbourg."),
    ("Contribution to the work of the Committee of Experts", "On behalf of {org}, I am pleased to "
     "send you our contribution to the work of the Committee of Experts, which meets on {event}."),
)
PURPOSES_FR = (
    ("Réunion annuelle du partenariat", "J'ai le plaisir d'inviter {org} à la réunion annuelle du "
     "partenariat entre le Conseil de l'Europe et les entreprises du numérique, qui se tiendra à "
     "Strasbourg le {event}."),
    ("Consultation sur des projets de normes", "Le Comité directeur sur les médias et la société "
     "de l'information a préparé des projets de recommandations sur lesquels l'avis de {org} "
     "serait précieux avant le {event}."),
    ("Partenariat entre le Conseil de l'Europe et {org}", "Je suis très heureux que {org} rejoigne "
     "le partenariat entre le Conseil de l'Europe et les entreprises du numérique, lancé le "
     "8 novembre 2017 à Strasbourg."),
)
BODY_EN = (
    "The partnership allows {org} to take part in consultations on the Council of Europe's "
    "standard-setting work concerning the internet, and to engage in joint projects and research "
    "on {topic}.",
    "We would particularly value the experience of {org} regarding {topic}, on which the Council "
    "of Europe is preparing new guidance for its member States.",
    "The partners meet the Secretariat at least once a year to review the cooperation, and the "
    "results of this work are published on the website of the Council of Europe.",
    "I would suggest that our cooperation address in particular {topic}, as well as {other}.",
    "This letter and your reply will constitute the exchange of letters establishing our "
    "cooperation; it creates no financial obligation for either side.",
    "{org} shares the commitment of the Council of Europe to an open, secure and "
    "rights-respecting internet, where human rights, democracy and the rule of law are respected.",
    "We look forward to contributing to the consultations on standard-setting and to the joint "
    "projects foreseen by the partnership, notably on {topic}.",
    "A draft programme of the meeting is attached; my office remains at your disposal for any "
    "question about the practical arrangements.",
)
BODY_FR = (
    "Ce partenariat permet à {org} de participer aux consultations sur les travaux normatifs du "
    "Conseil de l'Europe relatifs à l'internet et à des projets communs portant sur {topic}.",
    "L'expérience de {org} serait particulièrement précieuse s'agissant de {topic}, sur laquelle "
    "le Conseil de l'Europe prépare de nouvelles lignes directrices.",
    "Les partenaires se réunissent avec le Secrétariat au moins une fois par an afin de faire le "
    "point sur cette coopération.",
    "Je suggère que notre coopération porte en particulier sur {topic}, ainsi que sur {other}.",
    "La présente lettre et votre réponse constitueront l'échange de lettres établissant notre "
    "coopération ; il n'en découle aucune obligation financière pour l'une ou l'autre partie.",
)
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre")


@dataclass(frozen=True)
class Spec:
    """One generated letter: who writes to whom, when, in which language, and its text."""

    number: int
    partner: str
    org: str
    signatory: str
    sg_name: str
    rep: str
    direction: Direction
    language: str
    day: date
    title: str
    paragraphs: tuple[str, ...]
    closing: str

    @property
    def signer(self) -> str:
        """Who signs: the Secretary General, or the partner's representative."""
        return self.sg_name if self.direction == "outgoing" else self.rep

    def head(self) -> list[str]:
        """Letterhead, date, addressee, subject and salutation lines."""
        fr = self.language == "fr"
        when = (f"{self.day.day} {FR_MONTHS[self.day.month - 1]} {self.day.year}" if fr else
                f"{self.day.day} {EN_MONTHS[self.day.month - 1]} {self.day.year}")
        if self.direction == "outgoing":
            return ["CONSEIL DE L'EUROPE" if fr else "COUNCIL OF EUROPE",
                    "La Secrétaire Générale" if fr and "Buri" in self.sg_name else
                    ("Le Secrétaire Général" if fr else "The Secretary General"),
                    f"Strasbourg, {'le ' if fr else ''}{when}", "", self.rep, self.org, "",
                    ("Objet : " if fr else "Subject: ") + self.title, "",
                    "Madame, Monsieur," if fr else f"Dear {self.rep},"]
        return [self.org, f"Brussels, {when}", "", self.sg_name,
                "Secrétaire Général(e)" if fr else "Secretary General", "Council of Europe",
                "F-67075 Strasbourg Cedex", "", ("Objet : " if fr else "Subject: ") + self.title, "",
                "Monsieur le Secrétaire Général," if fr else "Dear Secretary General,"]

    def tail(self) -> list[str]:
        """Closing formula and signature block."""
        office = "Secretary General" if self.direction == "outgoing" else self.org
        return [self.closing, "", self.signer, office]

    def pages_text(self) -> list[str]:
        """The text of each page, as extraction would give it (wrapped lines, no PDF needed)."""
        lines = list(self.head())
        for text in self.paragraphs:
            lines.append("")
            lines.extend(_wrapped(text))
        lines.append("")
        lines.extend(self.tail())
        return ["\n".join(lines[i:i + LINES_PER_PAGE])
                for i in range(0, len(lines), LINES_PER_PAGE)]


@functools.lru_cache(maxsize=200_000)
def _wrapped(text: str) -> tuple[str, ...]:
    """A paragraph's lines (paragraphs repeat across letters: each is wrapped once)."""
    return tuple(textwrap.wrap(text, COLUMNS))


def _when(rng: random.Random) -> date:
    return FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))


def spec(number: int, registry: Registry, heavy: str | None = None) -> Spec:
    """Letter `number` of the corpus (the same whatever the corpus size); with `heavy`, every
    third letter is that partner's (a skewed archive)."""
    rng = random.Random(f"{SEED}:{number}")
    partner = rng.choice(sorted(registry.partners))
    if heavy is not None and number % 3 == 0:
        partner = heavy
    entry = registry.partners[partner]
    org = rng.choice([entry.name, *(a.name for a in entry.aliases)])
    day = _when(rng)
    sg = registry.sg_in_office(day.isoformat()) or registry.secretaries_general["jagland"]
    language = "fr" if rng.random() < 0.2 else "en"
    direction: Direction = "outgoing" if rng.random() < 0.55 else "incoming"
    rep = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, {rng.choice(TITLES)}"
    topics, purposes, body = ((TOPICS_FR, PURPOSES_FR, BODY_FR) if language == "fr"
                              else (TOPICS_EN, PURPOSES_EN, BODY_EN))
    subject, opening = rng.choice(purposes)
    event = day + timedelta(days=rng.randrange(20, 120))
    event_text = (f"{event.day} {FR_MONTHS[event.month - 1]} {event.year}" if language == "fr"
                  else f"{event.day} {EN_MONTHS[event.month - 1]} {event.year}")
    size = rng.choice((4, 4, 4, 10, 10, 22))  # paragraphs: about 1, 2 or 3 pages
    paragraphs = [opening.format(org=org, event=event_text)]
    for _ in range(size - 1):
        topic, other = rng.sample(topics, 2)
        paragraphs.append(rng.choice(body).format(org=org, topic=topic, other=other))
    closing = ("Je vous prie d'agréer l'expression de ma haute considération." if language == "fr"
               else rng.choice(("Yours sincerely,", "Sincerely,", "Yours faithfully,")))
    return Spec(number=number, partner=partner, org=org, signatory=sg.slug, sg_name=sg.name,
                rep=rep.split(",")[0], direction=direction, language=language, day=day,
                title=subject.format(org=org), paragraphs=tuple(paragraphs), closing=closing)


# -- PDFs, for ingestion ---------------------------------------------------------------------
def _pdfkit() -> Any:
    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    import pdfkit

    return pdfkit


def letter_pdf(letter: Spec) -> tuple[bytes, int]:
    """The letter laid out as a PDF with a text layer (deterministic bytes), and its page count."""
    pdfkit = _pdfkit()
    line = pdfkit.Line
    head = [line(text, bold=i == 0, size=14 if i == 0 else 11) for i, text in enumerate(letter.head())]
    blocks = [head] + [pdfkit.paragraph(text, before=9.0) for text in letter.paragraphs]
    blocks.append([line(letter.closing, before=12), line(letter.signer, mark="signature", before=4),
                   line(letter.signer), line(letter.tail()[-1])])
    footer = (line("Generated letter for benchmarks – not an original", align="center", size=8),)

    def continuation(number: int, total: int) -> list[object]:
        return [line(f"- {number} -", align="center", size=10), line("", size=6)]

    pages = pdfkit.paginate(blocks, footer, continuation)
    return pdfkit.layout_pdf(pages, title=letter.title), len(pages)


def pdf_corpus(directory: Path, count: int, start: int = 0) -> list[tuple[Path, int]]:
    """`count` letter PDFs (numbers from `start`) under `directory`, made once, then reused;
    with their page counts."""
    registry = load_registry(directory / "no-archive")
    directory.mkdir(parents=True, exist_ok=True)
    manifest = directory / f"manifest-v{VERSION}.json"
    known: dict[str, int] = json.loads(manifest.read_text()) if manifest.exists() else {}
    out: list[tuple[Path, int]] = []
    for number in range(start, start + count):
        letter = spec(number, registry)
        name = f"{number:06d}-{letter.day.isoformat()}-{letter.partner}-{letter.direction}.pdf"
        path = directory / name
        if name not in known or not path.exists():
            data, pages = letter_pdf(letter)
            path.write_bytes(data)
            known[name] = pages
        out.append((path, known[name]))
    manifest.write_text(json.dumps(known, sort_keys=True))
    return out


# -- an archive written directly, for search -------------------------------------------------
def placeholder_pdf(number: int) -> bytes:
    """A tiny valid one-page PDF standing for an original (unique per letter, no text)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
               f"<< /Title (bench letter {number}) >>".encode()]
    body = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    body += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 4 0 R >>\n"
             f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(body)


def record_of(letter: Spec, sha256: str, pages: int) -> Letter:
    """The archive record of a generated letter, as ingestion would have written it."""
    missing = letter.number % 23 == 0  # a few letters whose partner was not recognised
    return Letter(
        id=sha256[:16], sha256=sha256, filename=f"letter-{letter.number:06d}.pdf", pages=pages,
        partner=None if missing else letter.partner, signatory=letter.signatory,
        signed_by=letter.signer, date=letter.day.isoformat(),
        direction=letter.direction,
        language=letter.language, ocr=False, digital_signatures=[],
        status="needs_review" if missing else "ok", added_at="2026-01-01T00:00:00Z",
        added_by="bench", title=letter.title,
        reasons=[msg("reason.no_partner")] if missing else [],
    )


def _dump(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                    encoding="utf-8")


def archive_corpus(archive_dir: Path, count: int, heavy: str | None = None,
                   jobs: int | None = None) -> int:
    """Write `count` letters straight into the archive layout (no PDF parsing); letters written.
    With `heavy`, a third of them are that partner's. Large archives are written by `jobs`
    processes (default: one per core), each its own letters.

    Complete archives are kept: a `.bench-complete` marker names the count and version.
    """
    marker = archive_dir / ".bench-complete"
    wanted = f"{count} v{VERSION}" + (f" {heavy}" if heavy else "")
    if marker.exists() and marker.read_text().strip() == wanted:
        return 0
    jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1)) if count >= 2000 else 1
    if jobs == 1:
        written = _write_letters(archive_dir, range(count), heavy)
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs) as pool:
            written = sum(pool.map(_write_letters, [archive_dir] * jobs,
                                   [range(i, count, jobs) for i in range(jobs)], [heavy] * jobs))
    marker.write_text(wanted + "\n")
    return written


def _write_letters(archive_dir: Path, numbers: range, heavy: str | None) -> int:
    registry = load_registry(archive_dir)
    written = 0
    for number in numbers:
        letter = spec(number, registry, heavy)
        original = placeholder_pdf(number)
        sha = hashlib.sha256(original).hexdigest()
        folder = archive_dir / "letters" / sha[:2] / sha
        if (folder / "record.json").exists():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        pages = letter.pages_text()
        (folder / "original.pdf").write_bytes(original)
        os.chmod(folder / "original.pdf", 0o444)
        _dump(folder / "text.json", {"pages": pages})
        event = {"at": "2026-01-01T00:00:00Z", "by": "bench", "action": "added", "changes": {}}
        (folder / "history.jsonl").write_text(json.dumps(event) + "\n", encoding="utf-8")
        _dump(folder / "record.json", record_of(letter, sha, len(pages)).to_record())
        written += 1
    return written
