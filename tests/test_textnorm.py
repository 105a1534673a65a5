"""Normalisation and folding used by recognition and the index."""

from __future__ import annotations

import random
import unicodedata

from letters.textnorm import _FOLD_EXTRA, fold, normalize


def fold_unicode(text: str) -> str:
    """`fold` the long way, for any text (NFKC, special letters, NFKD, no marks, casefold): the
    oracle of its shortcuts."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).translate(_FOLD_EXTRA))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def test_normalize_mends_ligatures_spaces_and_line_end_hyphens() -> None:
    text = "the ﬁnal agree-\nment\u00a0of\u2009the  parties"
    assert normalize(text) == "the final agreement of the parties"
    assert normalize("a\r\n\n\n\nb  ") == "a\n\nb"


def test_fold_removes_case_and_diacritics_including_undecomposable_letters() -> None:
    assert fold("Marija Pejčinović Burić") == "marija pejcinovic buric"
    assert fold("Thorbjørn Jagland") == "thorbjorn jagland"
    assert fold("Telefónica, S.A.") == "telefonica, s.a."
    assert fold("Straße") == "strasse"


def test_the_shortcuts_of_fold_give_what_the_long_way_gives() -> None:
    every_ascii = "".join(chr(code) for code in range(128))
    assert fold(every_ascii) == fold_unicode(every_ascii)
    for text in ("Dear Mr Zuckerberg,", "ＭＩＣＲＯＳＯＦＴ", "Pejčinović Burić", "ﬁnal ß", "",
                 "Télécommunications, coopération régionale à Strasbourg — Œuvre, Þór, Łódź"):
        assert fold(text) == fold_unicode(text)
    assert fold("Pejčinović") == "pejcinovic"  # not ASCII: the long way


def test_fold_gives_what_the_long_way_gives_on_random_text() -> None:
    # letters with and without accents, marks of Latin and of other scripts (and the grapheme
    # joiner, U+034F, which is no combining mark), the letters fold replaces, odd spaces
    alphabet = ("aeiouAEZ09 .,-/\n" "éèçàÉŒœßøØłŁđ’‘ıþð" "\u0301\u0308\u034f\u0483\u05b0\u0591"
                "\u093c\u1dc0\u20d0\ufe20" "ﬁ½²\u00a0\u2009ＭΣς日本")
    rng = random.Random(24)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert fold(text) == fold_unicode(text), repr(text)
