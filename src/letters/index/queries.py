"""Reading queries: the parser, the filters of a request, the words to mark, spelling hints."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from whoosh import query as wq
from whoosh.analysis import CompositeAnalyzer as Analyzer
from whoosh.qparser import MultifieldParser, SingleQuotePlugin
from whoosh.reading import IndexReader

from letters import querytext, searching, snippets
from letters.index.schema import (
    BOOSTS,
    DEFAULT_FIELDS,
    ENGLISH,
    FOLDED,
    FRENCH,
    SCHEMA,
    SPELLING_FIELDS,
    STEMMED,
    UNSTEMMED,
    midnight,
)
from letters.registry import Registry


# -- queries -------------------------------------------------------------------------------
def _parser() -> MultifieldParser:
    parser = MultifieldParser(list(DEFAULT_FIELDS), SCHEMA, fieldboosts=BOOSTS)
    parser.remove_plugin_class(SingleQuotePlugin)
    return parser


def parse(text: str) -> wq.Query:
    """The Whoosh query for a prepared query string; an empty one finds every letter."""
    if not text:
        return wq.Every()
    try:
        parsed = _parser().parse(text)
    except Exception:
        raise searching.QueryError(
            "the query could not be read: check its quotes, parentheses and field:value parts"
        ) from None
    for node in nodes(parsed):
        error = getattr(node, "error", None)
        if error:
            raise searching.QueryError(f"the query could not be read: {error}")
    query: wq.Query = parsed.accept(_unstemmed_only).normalize()
    if query is wq.NullQuery:
        raise searching.QueryError(
            'the query has nothing to search for: use words, "phrases" or field:value')
    return query


def _unstemmed_only(node: wq.Query) -> wq.Query:
    """Phrases, prefixes and wildcards are matched on the exact (unstemmed) text only."""
    exact = (wq.Phrase, wq.Prefix, wq.Wildcard, wq.FuzzyTerm)
    if isinstance(node, exact) and getattr(node, "fieldname", None) in STEMMED:
        return wq.NullQuery
    return node


def nodes(query: wq.Query) -> Iterator[wq.Query]:
    yield query
    for child in query.children():
        yield from nodes(child)


@dataclass
class Marks:
    """The words a query looks for, to mark them in a letter's text."""

    folded: set[str] = field(default_factory=set)
    english: set[str] = field(default_factory=set)
    french: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    patterns: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, query: wq.Query) -> Marks:
        """The marks of a query (words under NOT are not marked)."""
        marks = cls()
        marks._collect(query)
        return marks

    def _collect(self, query: wq.Query) -> None:
        if isinstance(query, wq.Not):
            return
        if isinstance(query, wq.AndNot):
            self._collect(query.a)
            return
        fieldname = getattr(query, "fieldname", None)
        words: list[str] = []
        if isinstance(query, wq.Term) and isinstance(query.text, str):
            words = [query.text]
        elif isinstance(query, wq.Phrase):
            words = list(query.words)
        if fieldname in UNSTEMMED:
            if isinstance(query, wq.Prefix):
                if query.text:  # "*" alone marks nothing
                    self.prefixes.add(query.text)
            elif isinstance(query, wq.Wildcard):
                if query.text.strip("*?"):
                    self.patterns.add(query.text)
            else:
                self.folded.update(words)
        elif fieldname == "text_en":
            self.english.update(words)
        elif fieldname == "text_fr":
            self.french.update(words)
        for child in query.children():
            self._collect(child)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the query's words occur in the text (character offsets)."""
        found: list[tuple[int, int]] = []
        if self.folded or self.prefixes or self.patterns:
            for start, end, word in _terms(FOLDED, text):
                if (word in self.folded or any(word.startswith(p) for p in self.prefixes)
                        or any(fnmatchcase(word, p) for p in self.patterns)):
                    found.append((start, end))
        for analyzer, words in ((ENGLISH, self.english), (FRENCH, self.french)):
            if words:
                found.extend((start, end) for start, end, word in _terms(analyzer, text)
                             if word in words)
        return found

    def snippet(self, text: str) -> str:
        """The snippet of this text: escaped, the query's words in <mark>."""
        return snippets.make(text, self.spans(text))


def suggest(reader: IndexReader, query: wq.Query, original: str) -> str | None:
    """The query with each word the index does not know replaced by the nearest one it knows."""
    words = sorted({node.text for node in nodes(query) if isinstance(node, wq.Term)
                    and node.fieldname == "content" and isinstance(node.text, str)})
    corrected = original
    for word in words:
        if len(word) < 3 or word.isdigit() or _known(reader, word):
            continue
        better = _nearest(reader, word)
        if better:
            corrected = querytext.replace_word(corrected, word, better)
    return corrected if corrected != original else None


def _known(reader: IndexReader, word: str) -> bool:
    if any((name, word) in reader for name in UNSTEMMED):
        return True
    return any((name, token.text) in reader
               for name, analyzer in (("text_en", ENGLISH), ("text_fr", FRENCH))
               for token in analyzer(word))


def _nearest(reader: IndexReader, word: str) -> str | None:
    """The closest known word (fewest edits, then most frequent), if any is near enough."""
    for distance in (1, 2):
        candidates: set[str] = set()
        for name in SPELLING_FIELDS:
            candidates.update(reader.corrector(name).suggest(word, limit=5, maxdist=distance,
                                                             prefix=1))
        if candidates:
            return max(sorted(candidates),
                       key=lambda c: sum(reader.doc_frequency(n, c) for n in SPELLING_FIELDS))
    return None


def filters(request: searching.SearchRequest, registry: Registry) -> wq.Query | None:
    """The filters of a request as one query (None when there is none); checks each value."""
    parts: list[wq.Query] = []
    if request.partner:
        if registry.partner(request.partner) is None:
            raise searching.QueryError(f'there is no partner "{request.partner}"')
        parts.append(wq.Term("partner_slug", request.partner))
    if request.signatory:
        if registry.sg(request.signatory) is None:
            raise searching.QueryError(
                f'there is no Secretary General "{request.signatory}"')
        parts.append(wq.Term("signatory_slug", request.signatory))
    if request.direction:
        if request.direction not in querytext.DIRECTIONS:
            raise searching.QueryError('direction must be "incoming" or "outgoing"')
        parts.append(wq.Term("direction", request.direction))
    if request.language:
        if not (len(request.language) == 2 and request.language.isalpha()):
            raise searching.QueryError('language must be a two-letter code, e.g. "en" or "fr"')
        parts.append(wq.Term("language", request.language.lower()))
    if request.status:
        if request.status not in querytext.STATUSES:
            raise searching.QueryError('status must be "ok" or "needs_review"')
        parts.append(wq.Term("status", request.status))
    start = querytext.parse_date(request.date_from, "from") if request.date_from else None
    end = querytext.parse_date(request.date_to, "to") if request.date_to else None
    if start and end and start > end:
        raise searching.QueryError(f"the from date {start} comes after the to date {end}")
    if start or end:
        parts.append(wq.DateRange("date", midnight(start) if start else None,
                                  midnight(end) if end else None))
    return wq.And(parts) if parts else None


def _terms(analyzer: Analyzer, text: str) -> Iterator[tuple[int, int, str]]:
    """The terms `analyzer` makes of `text`, with their offsets: the same as running it, but each
    distinct word goes through the filters once (`_term`), not once per occurrence."""
    name = _NAMES[id(analyzer)]
    for match in analyzer.items[0].expression.finditer(text):
        term = _term(name, match.group())
        if term:
            yield match.start(), match.end(), term


_ANALYZERS = {"folded": FOLDED, "english": ENGLISH, "french": FRENCH}
_NAMES = {id(analyzer): name for name, analyzer in _ANALYZERS.items()}


@functools.lru_cache(maxsize=100_000)
def _term(analyzer: str, word: str) -> str:
    """The term one word (one token of the analyzer's tokenizer) becomes, or "" if none."""
    terms = [token.text for token in _ANALYZERS[analyzer](word)]
    return terms[0] if len(terms) == 1 else ""
