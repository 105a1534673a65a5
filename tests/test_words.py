"""The common words shipped folded and ready are exactly those pyspellchecker's lists give."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

from letters.recognition import words


def test_the_shipped_words_are_those_of_the_word_lists() -> None:
    made = words.from_word_lists()
    assert words.common_words() == made
    shipped = (resources.files("letters") / "data" / words.SHIPPED).read_bytes()
    assert shipped == words.shipped_bytes(made)  # written by `python -m letters.recognition.words`


def test_the_words_are_folded_and_tell_words_from_names() -> None:
    assert words.is_word("Range") and words.is_word("ÉTÉ") and not words.is_word("Euro1SPA")
    assert all(word == word.lower() and "\n" not in word for word in words.common_words())


def test_loading_them_parses_no_word_list() -> None:
    """A worker's first letter reads the shipped list, not pyspellchecker's (0.4 s of CPU)."""
    done = subprocess.run([sys.executable, "-c", "import sys\n"
                           "from letters.recognition.words import common_words\n"
                           "assert len(common_words()) > 50000\n"
                           "print('spellchecker' in sys.modules)"],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False", done.stderr
