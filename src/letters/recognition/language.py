"""English or French, by counting common words."""

from __future__ import annotations

import re

from letters.messages import Message, msg
from letters.textnorm import fold

ENGLISH = frozenset(str.split(
    "the and of to in is that for with on as be this by we our your you are it have has will"
    " which from at an would its not been their these they was were all i my me"
))
FRENCH = frozenset(str.split(
    "le la les et des du de un une est que qui pour dans sur par au aux ce cette ces nous notre"
    " vous votre vos sont avec pas plus ne se sa son ses il elle je mon ma mes leur leurs ont"
    " ete etre"
))
_WORD = re.compile(r"[a-z]+")


def language(text: str) -> tuple[str, Message]:
    """("en" or "fr", evidence) for a text; English when nothing tells."""
    english = french = 0
    for word in _WORD.findall(fold(text)):
        english += word in ENGLISH
        french += word in FRENCH
    chosen = "fr" if french > english else "en"
    return chosen, msg("evidence.common_words", english=english, french=french)
