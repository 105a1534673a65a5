"""The Tantivy engine: the same fields, analysis and primitive queries as the Whoosh engine, run
by Tantivy (Rust). The only module that imports tantivy.

Analysis: a regular-expression tokenizer (the same words as Whoosh's), lower case, then for the
stemmed fields the English or French Snowball stemmer, then ASCII folding (after stemming, so
the stemmers read the accents). Facets are terms aggregations over fast fields; dates and sort
keys are fast fields; did-you-mean finds near words with fuzzy term queries.

A letter's text is cut into words once (`words`), not once per field: the text fields are given
those words one space apart and cut again by Tantivy's whitespace tokenizer, which finds the
same words at the same positions for a fraction of the regular expression's cost. So the
original text is stored apart (`body`, not indexed); the words are what `content` indexes.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Filter, Occur, Query, TextAnalyzer, TextAnalyzerBuilder, Tokenizer

from letters.search.index.documents import FACET_FIELDS, KEYWORDS, Document
from letters.search.index.protocol import (
    All,
    AnyTerm,
    Bool,
    Days,
    Found,
    IndexDamaged,
    Kind,
    Nothing,
    Order,
    Primitive,
    Sequence,
    Term,
)

#: The words: `\w+(?:\.?\w+)*` finds the same ones (a word's own characters are never split
#: apart), more slowly.
WORDS = r"\w+(?:\.\w+)*"
HEAP_BYTES = 64_000_000  # the writer's memory per thread (Tantivy's minimum is 15 MB)
FACET_SIZE = 10_000  # values counted per facet (partners, years...: far fewer exist)
BUCKETS = 50_000  # ids listed by one aggregation (Tantivy refuses more than 65,000 buckets)
NEAR_DOCUMENTS = 5  # documents read to find the words a fuzzy query matched
NEAR_CHARS = 100_000  # of each, the characters read
#: The days Tantivy can store (nanoseconds since 1970 in 64 bits): a day outside them is stored,
#: and looked for, as the nearest of them (a range of 1500 or of 2999 is no 500).
FIRST_DAY = date(1677, 9, 22)
LAST_DAY = date(2262, 4, 11)


def _analyzer(stemmer: str | None, tokenizer: Tokenizer) -> TextAnalyzer:
    builder = TextAnalyzerBuilder(tokenizer).filter(Filter.lowercase())
    if stemmer:
        builder = builder.filter(Filter.stemmer(stemmer))
    return builder.filter(Filter.ascii_fold()).build()


STEMMERS = {"folded": None, "english": "english", "french": "french"}
#: Each analysis of a text as written (queries, highlights): its terms and their offsets.
ANALYZERS = {kind: _analyzer(stemmer, Tokenizer.regex(WORDS))
             for kind, stemmer in STEMMERS.items()}
#: The same analyses of a text's `words` (what the index is given): the same terms.
INDEXING = {kind: _analyzer(stemmer, Tokenizer.whitespace())
            for kind, stemmer in STEMMERS.items()}
TOKENIZERS = {"folded": "letters_words_folded", "english": "letters_words_english",
              "french": "letters_words_french"}
_SPLIT = TextAnalyzerBuilder(Tokenizer.regex(WORDS)).build()
_PYTHON_WORDS = re.compile(WORDS)
#: Characters Python's `\w` and Tantivy's (Rust's) agree on (a word character to both or to
#: neither), and those they do not: learnt as texts hold them.
_AGREED: set[str] = set()
_DISAGREED: set[str] = set()


def words(text: str) -> str:
    """The words of `text` as the regular expression cuts them, one space apart (a word holds
    no white space). Python's regular expressions cut them when every character is a word
    character to both Python and Rust or to neither (ASCII is; a few, such as "²" or a combining
    accent, are not), else Tantivy's own tokenizer does."""
    if text.isascii() or _agreed(text):
        return " ".join(_PYTHON_WORDS.findall(text))
    return " ".join(_SPLIT.analyze(text))


def _agreed(text: str) -> bool:
    unknown = set(text).difference(_AGREED)
    if not unknown:
        return True
    if not unknown.isdisjoint(_DISAGREED):
        return False
    for char in unknown:
        try:
            rust = _SPLIT.analyze(char) == [char]
        except Exception:  # not a character Rust can take: left to Tantivy's own tokenizer
            return False
        (_AGREED if rust == bool(_PYTHON_WORDS.fullmatch(char)) else _DISAGREED).add(char)
    return unknown.isdisjoint(_DISAGREED)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_bytes_field("record", stored=True)
    builder.add_bytes_field("body", stored=True)  # the text as written (UTF-8), for snippets
    builder.add_text_field("content", tokenizer_name=TOKENIZERS["folded"])
    builder.add_text_field("text_en", tokenizer_name=TOKENIZERS["english"], index_option="freq")
    builder.add_text_field("text_fr", tokenizer_name=TOKENIZERS["french"], index_option="freq")
    for name in ("vocab_en", "vocab_fr"):
        builder.add_text_field(name, tokenizer_name=TOKENIZERS["folded"], index_option="basic")
    for name in ("title", "partner", "signatory", "signed_by"):
        builder.add_text_field(name, stored=True, tokenizer_name=TOKENIZERS["folded"])
    for name in KEYWORDS:
        builder.add_text_field(name, stored=name == "id", tokenizer_name="raw", fast=True)
    builder.add_date_field("day", indexed=True, fast=True)
    builder.add_unsigned_field("date_asc", fast=True)
    builder.add_unsigned_field("date_desc", fast=True)
    return builder.build()


SCHEMA = _schema()
#: The stored field read for the words of an indexed one, when it is not that field itself.
STORED = {"content": "body"}


class TantivyEngine:
    """An index in a directory, through Tantivy."""

    name = "tantivy"

    def analyze(self, kind: Kind, text: str) -> list[tuple[int, int, str]]:
        """The terms of `text` under one analysis, with their character offsets."""
        return [(token.char_offset_from, token.char_offset_to, token.text)
                for token in ANALYZERS[kind].pre_tokenize(text).tokens]

    def create(self, path: Path) -> None:
        """An empty index in `path`."""
        _registered(tantivy.Index(SCHEMA, path=str(path), reuse=False))

    def owns(self, path: Path) -> bool:
        """Whether `path` holds a Tantivy index."""
        return bool(tantivy.Index.exists(str(path)))

    def open(self, path: Path) -> TantivyReader:
        """A reader, after reading a little of the index so that damage shows."""
        try:
            index = _registered(tantivy.Index.open(str(path)))
            index.reload()
            reader = TantivyReader(index)
            found = reader.searcher.search(Query.all_query(), limit=1)
            for _score, address in found.hits:
                reader.searcher.doc(address)
        except Exception as error:
            raise IndexDamaged(f"{type(error).__name__}: {error}") from None
        return reader

    @contextlib.contextmanager
    def writer(self, path: Path, procs: int = 1, merge: bool = True) -> Iterator[TantivyWriter]:
        """A writer that commits when the block ends, rolls back and re-raises on an exception."""
        try:
            index = _registered(tantivy.Index.open(str(path)))
            writer = index.writer(heap_size=HEAP_BYTES * max(1, procs), num_threads=max(1, procs))
        except ValueError as error:
            raise IndexDamaged(f"{type(error).__name__}: {error}") from None
        try:
            yield TantivyWriter(writer)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # and releases the writer's lock

    def segments(self, path: Path) -> int:
        """How many segments the latest commit has."""
        index = _registered(tantivy.Index.open(str(path)))
        index.reload()
        return int(index.searcher().num_segments)

    def merge(self, path: Path) -> None:
        """Nothing: Tantivy merges segments on its writer's own threads."""

    def refresh(self, reader: Any, path: Path) -> bool:
        """Bring the reader to the latest commit."""
        try:
            reader.index.reload()
        except ValueError:
            return False
        reader.searcher = reader.index.searcher()
        return True


class TantivyWriter:
    """Adds and deletes documents through one Tantivy writer."""

    def __init__(self, writer: tantivy.IndexWriter) -> None:
        self.writer = writer

    def add(self, document: Document) -> None:
        """Add one letter's document."""
        doc = tantivy.Document()
        doc.add_bytes("record", document.record.encode("utf-8"))
        doc.add_bytes("body", document.content.encode("utf-8"))
        text = words(document.content)
        doc.add_text("content", text)
        for name in ("title", "partner", "signatory", "signed_by"):
            doc.add_text(name, words(getattr(document, name)))
        for language, given in (("en", document.text_en), ("fr", document.text_fr)):
            if given is not None:
                cut = text if given == document.content else words(given)
                doc.add_text(f"text_{language}", cut)
                doc.add_text(f"vocab_{language}", cut)
        for name, value in document.keywords().items():
            doc.add_text(name, value)
        if document.day is not None:
            doc.add_date("day", _midnight(_storable(document.day)))
        doc.add_unsigned("date_asc", document.date_asc)
        doc.add_unsigned("date_desc", document.date_desc)
        self.writer.add_document(doc)

    def delete(self, letter_id: str) -> None:
        """Remove one letter's document."""
        self.writer.delete_documents_by_term("id", letter_id)


class TantivyReader:
    """The latest commit of a Tantivy index (reloaded before each use by `refresh`)."""

    def __init__(self, index: tantivy.Index) -> None:
        self.index = index
        self.searcher = index.searcher()

    def count(self) -> int:
        """How many documents."""
        return int(self.searcher.num_docs)

    def ids(self) -> set[str]:
        """The ids of the documents (listed by terms aggregations, a slice of ids at a time)."""
        if self.count() <= BUCKETS:
            return self._ids(Query.all_query())
        found: set[str] = set()
        for digit in "0123456789abcdef":
            found |= self._ids(Query.regex_query(SCHEMA, "id", f"{digit}.*"))
        return found

    def _ids(self, query: Query) -> set[str]:
        result = self.searcher.aggregate(query, {"ids": {"terms": {"field": "id",
                                                                   "size": BUCKETS}}})
        return {str(bucket["key"]) for bucket in result["ids"]["buckets"]}

    def search(self, query: Primitive, order: Order, offset: int, limit: int,
               facets: bool, positions: int | None = None) -> Found:
        """Run a primitive query (Tantivy walks phrase positions in compiled code, in time
        linear in them, and does not count them: `positions` is not needed here)."""
        compiled = _compile(query)
        if order == "relevance":
            result = self.searcher.search(compiled, limit=limit, offset=offset, count=True)
        else:
            result = self.searcher.search(
                compiled, limit=limit, offset=offset, count=True,
                order_by_field="date_asc" if order == "date" else "date_desc",
                order=tantivy.Order.Asc)
        hits = []
        for key, address in result.hits:
            doc = self.searcher.doc(address)
            record = bytes(doc.get_first("record") or b"").decode("utf-8")
            hits.append((record, bytes(doc.get_first("body") or b"").decode("utf-8"),
                         float(key) if order == "relevance" else 0.0))
        counts: dict[str, dict[str, int]] = {}
        if facets:
            aggregations = {name: {"terms": {"field": field, "size": FACET_SIZE}}
                            for name, field in FACET_FIELDS.items()}
            answer = self.searcher.aggregate(compiled, aggregations)
            for name in FACET_FIELDS:
                buckets = answer.get(name, {}).get("buckets", [])
                counts[name] = dict(sorted((str(b["key"]), int(b["doc_count"]))
                                           for b in buckets if b["doc_count"]))
        return Found(int(getattr(result, "count", 0) or 0), hits, counts)

    def known(self, field: str, term: str) -> int:
        """In how many documents `field` holds `term`."""
        return int(self.searcher.doc_freq(field, term))

    def expand(self, field: str, prefix: str, limit: int) -> list[str]:
        """The first `limit` terms of `field` beginning with `prefix`."""
        return [term for term, _count in
                self.searcher.terms_with_prefix(field, prefix, limit=limit)]

    def near(self, field: str, word: str, distance: int, limit: int) -> list[str]:
        """Words of `field` within `distance` edits of `word`, sharing its first letter, at most
        `limit` of them: the few documents a fuzzy term query finds are read for the words that
        made them match."""
        fuzzy = Query.fuzzy_term_query(SCHEMA, field, word, distance=distance,
                                       transposition_cost_one=False)
        found: set[str] = set()
        for _score, address in self.searcher.search(fuzzy, limit=NEAR_DOCUMENTS).hits:
            stored = self.searcher.doc(address).get_first(STORED.get(field, field))
            text = (stored.decode("utf-8") if isinstance(stored, bytes)
                    else str(stored or ""))[:NEAR_CHARS]
            for term in {token for token in ANALYZERS["folded"].analyze(text)}:
                if term[:1] == word[:1] and _within(term, word, distance):
                    found.add(term)
        return sorted(found)[:limit]

    def close(self) -> None:
        """Nothing to release: Tantivy frees the segments when the reader is forgotten."""


def _registered(index: tantivy.Index) -> tantivy.Index:
    for kind, name in TOKENIZERS.items():
        index.register_tokenizer(name, INDEXING[kind])
    return index


def _compile(query: Primitive) -> Query:
    """A primitive query as a Tantivy query."""
    if isinstance(query, Term):
        return _boosted(Query.term_query(SCHEMA, query.field, query.term), query.boost)
    if isinstance(query, AnyTerm):
        terms = [(Occur.Should, Query.term_query(SCHEMA, query.field, term))
                 for term in query.terms]
        return _boosted(Query.boolean_query(terms), query.boost)
    if isinstance(query, Sequence):
        return _boosted(Query.phrase_query(SCHEMA, query.field, list(query.terms)), query.boost)
    if isinstance(query, Days):
        start = _midnight(_storable(query.start)) if query.start else tantivy.MIN_DATETIME
        end = _midnight(_storable(query.end)) if query.end else tantivy.MAX_DATETIME
        return Query.range_query(SCHEMA, "day", tantivy.FieldType.Date, start, end)
    if isinstance(query, All):
        return Query.all_query()
    if isinstance(query, Nothing):
        return Query.empty_query()
    assert isinstance(query, Bool)
    clauses = [(Occur.Must, _compile(part)) for part in query.must]
    should = [(Occur.Should, _compile(part)) for part in query.should]
    if should and clauses:  # at least one of them must match, not only add to the score
        clauses.append((Occur.Must, Query.boolean_query(should)))
    else:
        clauses.extend(should)
    clauses.extend((Occur.MustNot, _compile(part)) for part in query.must_not)
    return Query.boolean_query(clauses)


def _boosted(query: Query, boost: float) -> Query:
    return query if boost == 1.0 else Query.boost_query(query, boost)


def _storable(day: date) -> date:
    """The day as Tantivy can hold it: the nearest of FIRST_DAY..LAST_DAY."""
    return min(max(day, FIRST_DAY), LAST_DAY)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _within(a: str, b: str, distance: int) -> bool:
    """Whether two words are at most `distance` insertions, deletions or substitutions apart."""
    if abs(len(a) - len(b)) > distance:
        return False
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        if min(current) > distance:
            return False
        previous = current
    return previous[-1] <= distance
