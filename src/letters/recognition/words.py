"""Common words of English and French, to tell a word from a name ("range" is a word, "Euro1SPA" is not).

The word lists are those pyspellchecker ships (word frequencies from subtitles and Wikipedia, offline);
words seen fewer than `MIN_COUNT` times there are left out, as many of them are names or misspellings.
They are loaded once per process, on first use: only a close match to a partner's name needs them.
Every ingesting worker needs them on its first letter, so the folded list ships ready in
`letters/data/common_words.txt.gz` (read in some 0.02 s, where parsing pyspellchecker's lists
takes 0.4 s of CPU); `from_word_lists()` makes it again, and a test checks that the two agree
(after an upgrade of pyspellchecker: `python -m letters.recognition.words` writes it anew).
"""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources
from pathlib import Path

from letters.textnorm import fold

LANGUAGES = ("en", "fr")
#: A word counts as common from this many occurrences in the word list's sources.
MIN_COUNT = 100


#: The folded words, one a line, sorted, gzip-compressed.
SHIPPED = "common_words.txt.gz"


@functools.cache
def common_words() -> frozenset[str]:
    """Every common English and French word, folded (lower case, no accents)."""
    data = (resources.files("letters") / "data" / SHIPPED).read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").splitlines())


def from_word_lists() -> frozenset[str]:
    """The common words as pyspellchecker's word lists give them (what the shipped file holds)."""
    found: set[str] = set()
    folder = resources.files("spellchecker") / "resources"
    for language in LANGUAGES:
        counts = json.loads(gzip.decompress((folder / f"{language}.json.gz").read_bytes()))
        found.update(fold(word) for word, count in counts.items() if count >= MIN_COUNT)
    return frozenset(found)


def is_word(text: str) -> bool:
    """Whether a token is a common English or French word, whatever its case and accents."""
    return fold(text) in common_words()


def shipped_bytes(words: frozenset[str]) -> bytes:
    """The shipped file's content for these words (the same bytes for the same words)."""
    return gzip.compress(("\n".join(sorted(words)) + "\n").encode("utf-8"), 9, mtime=0)


if __name__ == "__main__":
    Path(__file__).parents[1].joinpath("data", SHIPPED).write_bytes(shipped_bytes(from_word_lists()))
