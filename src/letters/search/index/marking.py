"""The searched words in a letter's text (for snippets and the letter page), and did-you-mean.

Both use the engine's own analysis, so a word is marked exactly when the engine would match it.
A snippet reads at most `SNIPPET_CHARS` of a letter's text: the work per hit is bounded however
long the letter and however often the word occurs in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from letters.search import _language
from letters.search import _syntax as qs
from letters.search.index.documents import DEFAULT_FIELDS
from letters.search.index.lowering import Lowering
from letters.search.index.protocol import Engine, Reader
from letters.textnorm import fold

#: Characters of a letter's text a snippet is chosen from (its beginning).
SNIPPET_CHARS = 100_000
SPELLING_FIELDS = ("content", "partner", "signatory", "title")
#: Unknown words of one query for which a nearer known word is looked for, at most.
MAX_CORRECTED = 5
#: Known words near one unknown word that are weighed, per field and distance, at most: the work
#: of did-you-mean is bounded however many similar words the index holds.
NEAR_WORDS = 50


@dataclass
class Marks:
    """The words a query looks for, to mark them in a letter's text."""

    folded: set[str] = field(default_factory=set)
    english: set[str] = field(default_factory=set)
    french: set[str] = field(default_factory=set)
    patterns: set[str] = field(default_factory=set)
    _seen: dict[str, bool] = field(default_factory=dict, repr=False)  # word -> marked?

    @classmethod
    def of(cls, query: qs.Node, engine: Engine) -> Marks:
        """The marks of a query (words under NOT are not marked)."""
        marks = cls()
        for node, negated in qs.walk(query):
            if negated:
                continue
            if isinstance(node, qs.Word | qs.Phrase):
                text = node.text if isinstance(node, qs.Word) else " ".join(node.words)
                marks.folded.update(term for _s, _e, term in engine.analyze("folded", text))
                if isinstance(node, qs.Word) and node.field is None:
                    marks.english.update(t for _s, _e, t in engine.analyze("english", text))
                    marks.french.update(t for _s, _e, t in engine.analyze("french", text))
            elif isinstance(node, qs.Pattern):
                marks.patterns.add(fold(node.text))
        return marks

    def __bool__(self) -> bool:
        return bool(self.folded or self.english or self.french or self.patterns)

    def spans(self, text: str, engine: Engine) -> list[tuple[int, int]]:
        """Where the query's words occur in the text (character offsets).

        Each distinct word of the text is analysed once (and remembered across searches), then
        the marked words are found by one regular expression: the cost is a scan of the text,
        not an analysis of every occurrence.
        """
        marked = sorted((word for word in set(_TOKEN.findall(text)) if self._marks(word, engine)),
                        key=lambda word: (-len(word), word))
        if not marked:
            return []
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, marked)) + r")(?!\w)")
        return [(match.start(), match.end()) for match in pattern.finditer(text)]

    def _marks(self, word: str, engine: Engine) -> bool:
        known = self._seen.get(word)
        if known is None:
            folded, english, french = _terms(engine, word)
            known = (folded in self.folded or any(fnmatchcase(folded, p) for p in self.patterns)
                     or english in self.english or french in self.french)
            self._seen[word] = known
        return known


#: The words of a text as every engine's tokenizer cuts them.
_TOKEN = re.compile(r"\w+(?:\.?\w+)*")
_TERMS: dict[tuple[str, str], tuple[str, str, str]] = {}
MAX_REMEMBERED = 200_000


def _terms(engine: Engine, word: str) -> tuple[str, str, str]:
    """The folded, English and French terms of one word ("" where not exactly one),
    remembered across searches."""
    key = (engine.name, word)
    terms = _TERMS.get(key)
    if terms is None:
        found = []
        for kind in ("folded", "english", "french"):
            analysed = engine.analyze(kind, word)
            found.append(analysed[0][2] if len(analysed) == 1 else "")
        terms = (found[0], found[1], found[2])
        if len(_TERMS) >= MAX_REMEMBERED:
            _TERMS.clear()
        _TERMS[key] = terms
    return terms


def suggest(lowering: Lowering, query: qs.Node, original: str) -> str | None:
    """The query with each word the index does not know replaced by the nearest one it knows."""
    words = sorted({node.text for node, negated in qs.walk(query)
                    if isinstance(node, qs.Word) and node.field in (None, "text")})
    corrected = original
    looked_up = 0
    for word in words:
        terms = lowering.terms("folded", word)
        if len(terms) != 1 or len(terms[0]) < 3 or terms[0].isdigit():
            continue
        if _known(lowering, word, terms[0]):
            continue
        looked_up += 1
        if looked_up > MAX_CORRECTED:  # each costs fuzzy lookups: a query of gibberish stops here
            break
        better = _nearest(lowering.reader, terms[0])
        if better:
            corrected = _language.replace_word(corrected, fold(word), better)
    return corrected if corrected != original else None


def _known(lowering: Lowering, word: str, term: str) -> bool:
    reader = lowering.reader
    if any(reader.known(name, term) for name in DEFAULT_FIELDS):
        return True
    return any(reader.known(name, stem) for kind, name in (("english", "text_en"),
                                                          ("french", "text_fr"))
               for stem in lowering.terms(kind, word))


def _nearest(reader: Reader, word: str) -> str | None:
    """The closest known word (fewest edits, then most frequent), if any is near enough."""
    for distance in (1, 2):
        candidates: set[str] = set()
        for name in SPELLING_FIELDS:
            candidates.update(reader.near(name, word, distance, NEAR_WORDS))
        candidates.discard(word)
        if candidates:
            return max(sorted(candidates),
                       key=lambda c: sum(reader.known(n, c) for n in SPELLING_FIELDS))
    return None
