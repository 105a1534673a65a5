"""Text normalisation shared by extraction, recognition and the index."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter plus a combining mark.
_FOLD_EXTRA = str.maketrans(
    {"ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ß": "ss", "æ": "ae", "Æ": "ae",
     "œ": "oe", "Œ": "oe", "ı": "i", "þ": "th", "ð": "d", "’": "'", "‘": "'"}
)
_SPACES = re.compile(r"[^\S\n]+")
_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")


def normalize(text: str) -> str:
    """NFKC, odd spaces made plain, line-end hyphenation mended, blank runs collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00ad", "").replace("\r\n", "\n").replace("\r", "\n")
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def fold(text: str) -> str:
    """Lower case without diacritics, for accent-insensitive comparison ("Pejčinović" -> "pejcinovic")."""
    if text.isascii():  # nothing to normalise, translate or strip: the same as the long way
        return text.lower()
    text = unicodedata.normalize("NFKC", text)
    if _EXTRA.search(text):  # str.translate with a dict is slow on text it leaves alone
        text = text.translate(_FOLD_EXTRA)
    text = _LATIN_MARKS.sub("", unicodedata.normalize("NFKD", text))
    return (text if text.isascii() else text.translate(_NO_MARKS)).casefold()


class _Marks(dict[int, int | None]):
    """For str.translate: combining marks map to None (dropped), other letters to themselves;
    each character is looked up in Unicode once."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_NO_MARKS = _Marks()
#: Any letter `_FOLD_EXTRA` changes.
_EXTRA = re.compile("[" + "".join(re.escape(chr(code)) for code in _FOLD_EXTRA) + "]")
#: The combining marks of Latin letters (U+0300-U+036F, but the grapheme joiner, which is not
#: one): what NFKD leaves of accents, dropped at once; any other mark goes by `_NO_MARKS`.
_LATIN_MARKS = re.compile(
    "[" + "".join(chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c))) + "]")

