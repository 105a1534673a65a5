"""Telling a person's name from a title, an organisation or an address in a signature block."""

from __future__ import annotations

import re

from letters.textnorm import fold

_HONORIFIC = re.compile(
    r"^(?:mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|h\.\s?e\.|m|mme|mlle|madame|monsieur"
    r"|me|pr)\.?\s+",
    re.IGNORECASE,
)
_PARTICLES = {"de", "du", "des", "da", "di", "van", "von", "der", "den", "la", "le", "bin", "al",
              "el", "y", "dos", "das", "del", "ter", "zu", "af", "ben"}
# Words that make a line a title, an organisation, an address or a formula, never a name.
_NOT_NAME = {
    "secretary", "general", "secretaire", "generale", "deputy", "adjoint", "adjointe", "president",
    "presidente", "vice", "director", "directeur", "directrice", "chief", "officer", "head", "chair",
    "chairman", "chairwoman", "chairperson", "manager", "counsel", "affairs", "policy", "policies",
    "public", "government", "governmental", "council", "europe", "conseil", "association",
    "group", "inc", "ltd", "llc", "plc", "ag", "sa", "corporation", "company", "society", "chamber",
    "avenue", "street", "road", "rue", "cedex", "office", "cabinet", "for", "on", "behalf", "pour",
    "the", "of", "and", "et", "yours", "sincerely", "regards", "executive", "senior", "global",
    "international", "european", "relations", "legal", "partner", "partnership", "digital",
    "member", "board", "founder", "ceo", "cto", "coo", "cfo", "evp", "svp", "vp", "md", "gmbh",
    "foundation", "institute", "alliance", "network", "initiative", "industry", "organisation",
    "organization", "centre", "center", "signed", "signature", "strategy", "communications",
    "affaires", "publiques", "secretariat", "private", "privee", "ambassador",
    "representative", "representant", "representante", "department", "division", "unit", "team",
    "au", "nom", "par", "ordre", "lettre", "letter", "page", "ref", "date", "objet", "subject",
    "deleguee", "delegue", "chargee", "charge", "mission", "responsable", "treasurer", "lead",
    "coordinator", "coordinatrice", "coordinateur", "advisor", "adviser", "conseiller",
    "conseillere", "administrator", "administrateur", "administratrice", "executif",
    "regional", "country", "corporate", "regulatory", "technical", "operations", "research",
}
_NAME_WORD = re.compile(r"^[^\W\d_][\w'’.\-]*$")
# Marks that OCR reads from a pen stroke or speck beside a name ("Mathilde Carrasco :", "| Jane Doe").
_NOISE = re.compile(r"^[\s|:;,•·*©®»«~=_—–-]+|[\s|:;,•·*©®»«~=_—–-]+$")


def person_name(line: str) -> str | None:
    """The person's name a line holds (honorifics dropped), or None if it is not a name."""
    text = _HONORIFIC.sub("", _NOISE.sub("", line).strip(",;"))
    if not text or any(ch.isdigit() for ch in text) or len(text) > 60:
        return None
    words = text.split()
    if not 2 <= len(words) <= 5:
        return None
    capitals = 0
    for word in words:
        bare = fold(word).strip(".,")
        if not _NAME_WORD.match(word) or _parts(bare) & _NOT_NAME:
            return None
        if len(bare) == 1 and not word.endswith("."):  # an initial has its full stop
            return None
        if bare in _PARTICLES:
            continue
        if not word[0].isupper():
            return None
        capitals += 1
    return text if capitals >= 2 else None


def name_in(line: str) -> str | None:
    """A name at the start of a line such as "Jane Larsen, Vice President" or the whole line."""
    whole = person_name(line)
    if whole:
        return whole
    head = re.split(r"\s*[,–—|]\s*|\s+-\s+", line, maxsplit=1)[0]
    return person_name(head) if head != line else None


def is_title(line: str) -> bool:
    """Whether a line reads as a title or an organisation ("Vice President", "Deputy Secretary General")."""
    words: set[str] = set()
    for word in line.split():
        words |= _parts(fold(word))
    return person_name(line) is None and bool(words & _NOT_NAME)


def _parts(word: str) -> set[str]:
    """A word and its hyphenated parts, bare ("vice-president," -> vice-president, vice, president)."""
    bare = word.strip(".,;:()")
    return {bare, *bare.split("-")}
