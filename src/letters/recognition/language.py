"""English or French, by Lingua's statistical models (offline, only these two languages), with the
count of common words beside it as evidence; unsure when Lingua is."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from letters.messages import Message, msg
from letters.textnorm import fold

if TYPE_CHECKING:
    from lingua import LanguageDetector

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
#: Below this confidence (0-1) in the language found, the language is unclear.
SURE = 0.75
#: Texts shorter than this (characters) are read with Lingua's high-accuracy models, which take
#: longer to load; longer ones with its low-accuracy models, as accurate on them.
SHORT = 120


@dataclass(frozen=True)
class Detected:
    """The language of a text ("en" or "fr"), how sure of it Lingua is (0-1), and the evidence."""

    code: str
    confidence: float
    evidence: list[Message]

    @property
    def unsure(self) -> bool:
        """Whether the language should be checked by a person."""
        return self.confidence < SURE


@functools.cache
def _detector(high: bool) -> LanguageDetector:
    from lingua import Language, LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.FRENCH)
    return (builder if high else builder.with_low_accuracy_mode()).build()


def common_words(text: str) -> Message:
    """Evidence: how many common English and French words the text holds."""
    english = french = 0
    for word in _WORD.findall(fold(text)):
        english += word in ENGLISH
        french += word in FRENCH
    return msg("evidence.common_words", english=english, french=french)


def detect(text: str) -> Detected:
    """The language of a text, English when nothing tells (then unsure)."""
    from lingua import Language

    values = _detector(len(text) < SHORT).compute_language_confidence_values(text)
    best = max(values, key=lambda value: value.value, default=None)
    if best is None or best.value <= 0:
        code, confidence = "en", 0.0
    else:
        code, confidence = ("fr" if best.language == Language.FRENCH else "en"), best.value
    name = msg("evidence.french" if code == "fr" else "evidence.english")
    said = msg("evidence.language" if confidence >= SURE else "evidence.language_unsure",
               language=name, confidence=f"{confidence:.2f}")
    return Detected(code, round(confidence, 2), [said, common_words(text)])

