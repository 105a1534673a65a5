"""The Tantivy engine indexes a text's words, cut once (`words`), not the text itself: the same
terms at the same positions as the regular expression finds in the text as written, on a real
index on disk."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tantivy import Filter, TextAnalyzer, TextAnalyzerBuilder, Tokenizer

from letters.search.index.documents import Document
from letters.search.index.protocol import Sequence, Term
from letters.search.index.tantivy_engine import ANALYZERS, INDEXING, TantivyEngine, words

#: Dots, digits, underscores, accents written as one character or with a combining one, and the
#: characters on which Python's `\w` and Rust's differ ("²", "½", combining marks, "‿", a joiner).
TEXTS = [
    "", "   ", "Dear Mr Zuckerberg,\nthe agreement (e.g. www.coe.int) costs 3.5 euros.",
    "U.S.A... ..a..b.. a. .b snake_case __init__ x_1.y_2",
    "Telefónica confirme les accords; Veuillez agréer l'expression. Œuvre straße",
    "Pe\u0301jc\u030cinovic\u0301 Buric\u0301 signe\u0301",
    "10 m² of ½ land, x¹ and 2³", "tie‿bar zero\u200dwidth", "Σίσυφος Москва 中文 ٣١٢ Ⅻⅻ",
    "\ttabs\tand\r\nline ends\u00a0no-break\u2028separator",
]


def previous_analyzer(stemmer: str | None) -> TextAnalyzer:
    """The analysis of schema version 2 (a slower pattern of the same words)."""
    builder = TextAnalyzerBuilder(Tokenizer.regex(r"\w+(?:\.?\w+)*")).filter(Filter.lowercase())
    if stemmer:
        builder = builder.filter(Filter.stemmer(stemmer))
    return builder.filter(Filter.ascii_fold()).build()


def terms(analyzer: TextAnalyzer, text: str) -> list[tuple[str, int]]:
    """The terms and positions an analyzer makes of a text."""
    return [(token.text, token.position) for token in analyzer.pre_tokenize(text).tokens]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize(("kind", "stemmer"), [("folded", None), ("english", "english"),
                                               ("french", "french")])
def test_the_words_give_the_terms_of_the_text_as_written(text: str, kind: str,
                                                         stemmer: str | None) -> None:
    indexed = terms(INDEXING[kind], words(text))
    assert indexed == terms(ANALYZERS[kind], text) == terms(previous_analyzer(stemmer), text)
    assert bool(indexed) == bool(text.strip())


def letter(text: str, title: str = "Exchange of letters") -> Document:
    """An English letter's document holding `text`."""
    return Document(id="0123456789abcdef", record='{"id": "0123456789abcdef"}', content=text,
                    text_en=text, text_fr=None, title=title, partner="meta\nMeta Platforms",
                    signatory="", signed_by="", partner_slug="meta", signatory_slug=None,
                    language="en", direction="outgoing", status="ok", ocr="false",
                    day=date(2020, 1, 2))


def test_a_letter_is_found_by_its_words_and_shown_as_written(tmp_path: Path) -> None:
    text = "\n\n".join(TEXTS)
    engine = TantivyEngine()
    engine.create(tmp_path)
    with engine.writer(tmp_path) as writer:
        writer.add(letter(text))
    reader = engine.open(tmp_path)
    folded = [term for _s, _e, term in engine.analyze("folded", text)]
    assert {"e.g", "www.coe.int", "3.5", "snake_case", "telefonica", "москва"} <= set(folded)
    for term in folded:
        assert reader.known("content", term) == reader.known("vocab_en", term) == 1
    for term in (t for _s, _e, t in engine.analyze("english", text)):
        assert reader.known("text_en", term) == 1
    phrase = tuple(t for _s, _e, t in engine.analyze("folded", "confirme les accords Veuillez"))
    found = reader.search(Sequence("content", phrase), "relevance", 0, 10, facets=False)
    assert found.total == 1 and found.hits[0][1] == text  # the text as written, not its words
    assert reader.search(Sequence("partner", ("meta", "platforms")), "relevance", 0, 10,
                         facets=False).total == 1
    assert reader.search(Term("title", "letters"), "relevance", 0, 10, facets=False).total == 1
    assert reader.near("content", "telefomica", 1, 10) == ["telefonica"]
    assert reader.near("partner", "platfoms", 1, 10) == ["platforms"]
