"""The searched words in a letter's text (for snippets and the letter page), and did-you-mean.

Both use the engine's own analysis, so a word is marked exactly when the engine would match it.
A snippet reads at most `SNIPPET_CHARS` of a letter's text: the work per hit is bounded however
long the letter and however often the word occurs in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from letters import querysyntax as qs
from letters import querytext
from letters.index.documents import DEFAULT_FIELDS
from letters.index.lowering import Lowering
from letters.index.protocol import Engine, Reader
from letters.textnorm import fold

#: Characters of a letter's text a snippet is chosen from (its beginning).
SNIPPET_CHARS = 100_000
SPELLING_FIELDS = ("content", "partner", "signatory", "title")


@dataclass
class Marks:
    """The words a query looks for, to mark them in a letter's text."""

    folded: set[str] = field(default_factory=set)
    english: set[str] = field(default_factory=set)
    french: set[str] = field(default_factory=set)
    patterns: set[str] = field(default_factory=set)

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
        """Where the query's words occur in the text (character offsets)."""
        found: list[tuple[int, int]] = []
        if self.folded or self.patterns:
            for start, end, word in engine.analyze("folded", text):
                if word in self.folded or any(fnmatchcase(word, p) for p in self.patterns):
                    found.append((start, end))
        for kind, words in (("english", self.english), ("french", self.french)):
            if words:
                found.extend((start, end) for start, end, word in
                             engine.analyze(kind, text) if word in words)  # type: ignore[arg-type]
        return found


def suggest(lowering: Lowering, query: qs.Node, original: str) -> str | None:
    """The query with each word the index does not know replaced by the nearest one it knows."""
    words = sorted({node.text for node, negated in qs.walk(query)
                    if isinstance(node, qs.Word) and node.field in (None, "text")})
    corrected = original
    for word in words:
        terms = lowering.terms("folded", word)
        if len(terms) != 1 or len(terms[0]) < 3 or terms[0].isdigit():
            continue
        if _known(lowering, word, terms[0]):
            continue
        better = _nearest(lowering.reader, terms[0])
        if better:
            corrected = querytext.replace_word(corrected, fold(word), better)
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
            candidates.update(reader.near(name, word, distance))
        candidates.discard(word)
        if candidates:
            return max(sorted(candidates),
                       key=lambda c: sum(reader.known(n, c) for n in SPELLING_FIELDS))
    return None
