"""Common words of English and French, to tell a word from a name ("range" is a word, "Euro1SPA" is not).

The word lists are those pyspellchecker ships (word frequencies from subtitles and Wikipedia, offline);
words seen fewer than `MIN_COUNT` times there are left out, as many of them are names or misspellings.
They are loaded once per process, on first use: only a close match to a partner's name needs them.
"""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources

from letters.textnorm import fold

LANGUAGES = ("en", "fr")
#: A word counts as common from this many occurrences in the word list's sources.
MIN_COUNT = 100


@functools.cache
def common_words() -> frozenset[str]:
    """Every common English and French word, folded (lower case, no accents)."""
    found: set[str] = set()
    folder = resources.files("spellchecker") / "resources"
    for language in LANGUAGES:
        counts = json.loads(gzip.decompress((folder / f"{language}.json.gz").read_bytes()))
        found.update(fold(word) for word, count in counts.items() if count >= MIN_COUNT)
    return frozenset(found)


def is_word(text: str) -> bool:
    """Whether a token is a common English or French word, whatever its case and accents."""
    return fold(text) in common_words()
