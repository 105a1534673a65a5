"""Documents about the partnership that are not letters: press releases, speeches, communications."""

from __future__ import annotations

import re

from letters.messages import Message, msg
from letters.recognition.layout import HEAD_FALLBACK, Layout
from letters.recognition.names import Folded
from letters.recognition.people import person_name
from letters.textnorm import fold

# What such a document says of itself in its heading, folded (lower case, no accents).
_KINDS = [
    ("reason.kind_press_release", re.compile(
        r"\b(?:press\s+release|news\s+release|for\s+immediate\s+release|media\s+advisory"
        r"|communique\s+de\s+presse|press\s+statement|statement\s+by|declaration\s+(?:de|du))\b")),
    ("reason.kind_speech", re.compile(
        r"\b(?:check\s+against\s+delivery|seul\s+le\s+prononce\s+fait\s+foi|speech\s+(?:by|of|at)"
        r"|(?:opening|closing|keynote|welcome)\s+(?:remarks|address|speech)|remarks\s+by"
        r"|discours\s+(?:de|du|d'ouverture|prononce)|allocution|mot\s+d'accueil)\b")),
    ("reason.kind_communication", re.compile(
        r"\b(?:communication\s+(?:from|by|of)\s+the\s+secretary[\s-]+general"
        r"|communication\s+(?:de|du)\s+(?:la\s+|le\s+)?secretaire[\s-]+generale?"
        r"|information\s+documents?|documents?\s+d'information|sg/inf|sg/com|cm/inf)\b")),
]
# How a speech ends.
_THANKS = re.compile(
    r"\b(?:thank\s+you\s+(?:very\s+much\s+)?for\s+your\s+attention"
    r"|(?:je\s+vous\s+remercie|merci)\s+(?:beaucoup\s+)?(?:de|pour)\s+votre\s+attention)\b"
)
# How a speech addresses its audience; a letter may open "Mesdames et Messieurs," too, so this
# counts only when no closing formula follows.
_AUDIENCE = re.compile(
    r"^(?:ladies\s+and\s+gentlemen|excellencies|dear\s+(?:friends|colleagues|guests|partners)"
    r"|mesdames\s+et\s+messieurs|mesdames,\s+messieurs|chers\s+amis|chers\s+partenaires)\b"
)


def not_a_letter(layout: Layout) -> Message | None:
    """Why the text does not read as a letter, or None when it does.

    A short note with a name on a line of its own at the end is a letter even without a salutation
    and a closing formula; a text with none of the three is not.
    """
    for line in layout.head:
        folded = Folded(line)
        for kind, pattern in _KINDS:
            found = pattern.search(folded.folded)
            if found:
                start, end = folded.span(found.start(), found.end())
                said = line[start:end]
                return msg("reason.other_kind", kind=msg(kind), said=said)
    ending = next((line for line in layout.lines[-4:] if _THANKS.search(fold(line))), None)
    if ending and layout.closing is None:
        return msg("reason.speech_ending", ending=ending)
    audience = next((line for line in layout.lines[:HEAD_FALLBACK] if _AUDIENCE.match(fold(line))), None)
    if layout.closing is None and audience:
        return msg("reason.speech_opening", audience=audience)
    signed = any(person_name(line) for line in layout.signature)
    if layout.closing is None and layout.salutation is None and not signed:
        return msg("reason.no_letter_form")
    return None
