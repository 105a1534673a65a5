"""A query's syntax tree made into the primitive queries every engine runs alike.

Each word is analysed by the engine (folded; stemmed in English and French) and looked for in
the unstemmed fields and, by its stems, in `text_en` and `text_fr`. A stem is only looked for in
the language the word belongs to (`languages`), so that `agreements` (French stem "agre") does
not find French letters through "agréer", nor `accords` English letters through "accordance".
Patterns are expanded through the index's word list, at most `MAX_EXPANSION` words per field:
the cost of `cyber*` or `kasp?rsky` is bounded whatever the index holds, and a pattern whose
beginning more words share is refused (a search of some of them would find letters that depend
on the engine's order of words, and on what its word lists still hold of deleted letters).
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from letters.errors import QueryError
from letters.messages import msg
from letters.search import _syntax as qs
from letters.search.index.documents import DEFAULT_FIELDS, TEXT_FIELD, VALUE_FIELD
from letters.search.index.protocol import (
    All,
    AnyTerm,
    Bool,
    Days,
    Engine,
    Nothing,
    Primitive,
    Reader,
    Sequence,
    Term,
)
from letters.textnorm import fold

#: Words of the index one pattern may stand for, per field; the first ones in order are kept.
MAX_EXPANSION = 1000
#: Words of a language's vocabulary compared with a searched word to tell its language.
MAX_NEIGHBOURS = 200
LANGUAGES = {"en": ("english", "text_en", "vocab_en"), "fr": ("french", "text_fr", "vocab_fr")}


class Lowering:
    """Lowers trees against one engine's analysis and one reader's word lists."""

    def __init__(self, engine: Engine, reader: Reader) -> None:
        self.engine = engine
        self.reader = reader

    def terms(self, kind: str, text: str) -> list[str]:
        """The terms of a word or phrase under one analysis."""
        return [term for _s, _e, term in self.engine.analyze(kind, text)]  # type: ignore[arg-type]

    def lower(self, node: qs.Node) -> Primitive:
        """The primitive query of a tree."""
        if isinstance(node, qs.Every):
            return All()
        if isinstance(node, qs.And):
            must = tuple(self.lower(n) for n in node.children if not isinstance(n, qs.Not))
            must_not = tuple(self.lower(n.child) for n in node.children if isinstance(n, qs.Not))
            return Bool(must=must or (All(),), must_not=must_not)
        if isinstance(node, qs.Or):
            return Bool(should=tuple(self.lower(child) for child in node.children))
        if isinstance(node, qs.Not):
            return Bool(must=(All(),), must_not=(self.lower(node.child),))
        if isinstance(node, qs.DateRange):
            return Days(node.start, node.end)
        if isinstance(node, qs.Value):
            return Term(VALUE_FIELD[node.field], node.value)
        if isinstance(node, qs.Pattern):
            return self._pattern(node)
        if isinstance(node, qs.Phrase):
            return self._phrase(" ".join(node.words), node.field)
        return self._word(node)

    def _fields(self, field: str | None) -> dict[str, float]:
        return dict(DEFAULT_FIELDS) if field is None else {TEXT_FIELD[field]: 1.0}

    def _phrase(self, text: str, field: str | None) -> Primitive:
        terms = tuple(self.terms("folded", text))
        if not terms:
            return Nothing()
        if len(terms) == 1:
            return _any([Term(name, terms[0], boost) for name, boost in self._fields(field).items()])
        return _any([Sequence(name, terms, boost) for name, boost in self._fields(field).items()])

    def _word(self, word: qs.Word) -> Primitive:
        terms = self.terms("folded", word.text)
        if len(terms) != 1:
            return self._phrase(word.text, word.field)
        [term] = terms
        parts: list[Primitive] = [Term(name, term, boost)
                                  for name, boost in self._fields(word.field).items()]
        if word.field is None:
            for kind, field_name in self.stems(word.text, term):
                parts.extend(Term(field_name, stem) for stem in self.terms(kind, word.text))
        return _any(parts)

    def stems(self, text: str, folded: str) -> list[tuple[str, str]]:
        """The (analysis, field) pairs a word's stems are looked for in: the languages whose
        letters use the word, or the word's nearest forms, best (ties: every such language)."""
        scores: dict[str, int] = {}
        for language, (kind, field_name, vocab) in LANGUAGES.items():
            stems = self.terms(kind, text)
            if len(stems) != 1 or not self.reader.known(field_name, stems[0]):
                continue  # this language's letters hold no word of this stem
            scores[language] = self._closeness(folded, stems[0], vocab)
        best = max(scores.values(), default=0)
        return [LANGUAGES[language][:2] for language, score in scores.items() if score == best]

    def _closeness(self, folded: str, stem: str, vocab: str) -> int:
        """How long a beginning the word shares with the closest word of this vocabulary
        that begins like its stem (the word itself: its whole length)."""
        if self.reader.known(vocab, folded):
            return len(folded) + 1
        start = _common(folded, stem)
        if len(start) < 2:
            return len(start)
        words = self.reader.expand(vocab, start, MAX_NEIGHBOURS)
        return max((len(_common(folded, word)) for word in words), default=0)

    def _pattern(self, pattern: qs.Pattern) -> Primitive:
        wanted = fold(pattern.text)
        prefix = fold(pattern.prefix)
        parts: list[Primitive] = []
        for name, boost in self._fields(pattern.field).items():
            listed = self.reader.expand(name, prefix, MAX_EXPANSION + 1)
            if len(listed) > MAX_EXPANSION:
                raise QueryError(msg("query.too_wide", text=pattern.text, prefix=pattern.prefix,
                                     limit=MAX_EXPANSION))
            words = [word for word in listed if fnmatchcase(word, wanted)]
            if words:
                parts.append(AnyTerm(name, tuple(words), boost))
        return _any(parts)


def _any(parts: list[Primitive]) -> Primitive:
    kept = [part for part in parts if not isinstance(part, Nothing)]
    if not kept:
        return Nothing()
    return kept[0] if len(kept) == 1 else Bool(should=tuple(kept))


def _common(a: str, b: str) -> str:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return a[:size]


def size(query: Primitive) -> int:
    """How many terms a primitive query looks up (the work it asks of the engine)."""
    if isinstance(query, Bool):
        return sum(size(part) for part in (*query.must, *query.should, *query.must_not))
    if isinstance(query, AnyTerm | Sequence):
        return len(query.terms)
    return 1 if isinstance(query, Term) else 0
