"""The query language, checked before any search engine sees it.

`prepare()` reads what a user typed, refuses what is malformed with a message that points at the
problem (QueryError), and returns the query in a canonical spelling for the index's parser:
field names lower-cased, `text:` renamed to the body field, `-word` turned into `NOT word`,
keyword values (direction, language, status, ocr) lower-cased. No search engine is imported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from letters.searching import QueryError
from letters.textnorm import fold

#: Field names users may type, in the order error messages list them.
FIELDS = ("partner", "signatory", "signed_by", "date", "year", "direction", "language", "ocr",
          "status", "text", "title", "id")
#: What a user's field is called in the index, where the names differ.
INDEX_FIELD = {"text": "content"}
TEXT_FIELDS = frozenset({"partner", "signatory", "signed_by", "text", "title", "id"})
RANGE_FIELDS = frozenset({"date", "year"})
BINARY = frozenset({"AND", "OR", "ANDNOT", "ANDMAYBE"})
OPERATORS = BINARY | {"NOT"}
EXAMPLES = {
    "partner": "partner:meta", "signatory": "signatory:jagland", "signed_by": "signed_by:smith",
    "date": "date:2020-02-06", "year": "year:2020", "direction": "direction:incoming",
    "language": "language:fr", "ocr": "ocr:true", "status": "status:needs_review",
    "text": "text:agreement", "title": "title:agreement", "id": "id:0123456789abcdef",
}
DATE_RANGE_HINT = "date range must look like [2020-01-01 TO 2020-12-31]"
DIRECTIONS = ("incoming", "outgoing")
STATUSES = ("ok", "needs_review")
BOOLEANS = {"true": "true", "yes": "true", "1": "true", "false": "false", "no": "false",
            "0": "false"}

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"'})
_FIELD = re.compile(r"(\w+):")
_PHRASE_SUFFIX = re.compile(r"[~^][0-9.]+")
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_YEAR = re.compile(r"\d{4}")
_RANGE = re.compile(r"[\[{]\s*(?P<start>[^\s\]}]+)?\s*\bTO\b\s*(?P<end>[^\s\]}]+)?\s*[\]}]",
                    re.IGNORECASE)
_WORD = re.compile(r"\w+")
_STOP = frozenset(' \t\n\r\f\v()"')


@dataclass
class Token:
    """One piece of a query: a word, a phrase, an operator, a parenthesis or a field:value."""

    kind: str  # "word", "phrase", "op", "open", "close", "field"
    text: str


def prepare(q: str, max_chars: int = 500) -> str:
    """The query in canonical form for the index's parser; QueryError when it is malformed."""
    if len(q) > max_chars:
        raise QueryError(f"the query is too long ({len(q)} characters): the limit is {max_chars}")
    tokens = _lex(q.translate(_QUOTES))
    _check_structure(tokens)
    if [token.text for token in tokens] == ["*"]:
        return ""  # every letter
    return " ".join(token.text for token in tokens)


def fields_hint() -> str:
    """The list of field names, for messages."""
    return ", ".join(FIELDS[:-1]) + " or " + FIELDS[-1]


def _lex(q: str) -> list[Token]:
    tokens: list[Token] = []
    depth = 0
    pos = 0
    while pos < len(q):
        char = q[pos]
        if char.isspace():
            pos += 1
        elif char == '"':
            phrase, pos = _phrase(q, pos)
            tokens.append(Token("phrase", phrase))
        elif char == "(":
            depth += 1
            tokens.append(Token("open", "("))
            pos += 1
        elif char == ")":
            if depth == 0:
                raise QueryError('unbalanced parenthesis: ")" has no "(" before it')
            depth -= 1
            tokens.append(Token("close", ")"))
            pos += 1
        elif char in "[{":
            raise QueryError("a range [... TO ...] needs a field before it: date: or year:")
        elif char in "-+" and pos + 1 < len(q) and not q[pos + 1].isspace():
            if char == "-":
                tokens.append(Token("op", "NOT"))
            pos += 1
        else:
            token, pos = _word_or_field(q, pos)
            depth += token.kind == "open"
            tokens.append(token)
    if depth:
        raise QueryError('unbalanced parenthesis: a "(" is never closed')
    return tokens


def _phrase(q: str, pos: int) -> tuple[str, int]:
    end = q.find('"', pos + 1)
    if end < 0:
        raise QueryError('unbalanced quote: a phrase needs a closing "')
    suffix = _PHRASE_SUFFIX.match(q, end + 1)
    stop = suffix.end() if suffix else end + 1
    return q[pos:stop], stop


def _read_word(q: str, pos: int) -> tuple[str, int]:
    end = pos
    while end < len(q) and q[end] not in _STOP:
        end += 1
    return q[pos:end], end


def _word_or_field(q: str, pos: int) -> tuple[Token, int]:
    """A bare word or operator, a field:value, or a field:( opening a group."""
    match = _FIELD.match(q, pos)
    if match and _is_field_name(match.group(1), q, match.end()):
        name = match.group(1).lower()
        if name not in FIELDS:
            raise QueryError(f'unknown field "{match.group(1)}": use {fields_hint()}')
        target = INDEX_FIELD.get(name, name)
        start = match.end()
        if start >= len(q) or q[start].isspace() or q[start] == ")":
            raise QueryError(f"{name}: needs a value, e.g. {EXAMPLES[name]}")
        if q[start] == '"':
            phrase, end = _phrase(q, start)
            if name not in TEXT_FIELDS:
                raise QueryError(f"{name}: takes a single value, e.g. {EXAMPLES[name]}")
            return Token("field", f"{target}:{phrase}"), end
        if q[start] in "[{":
            return _range(q, name, start)
        if q[start] == "(":
            if name not in TEXT_FIELDS:
                raise QueryError(f"{name}: takes a single value, e.g. {EXAMPLES[name]}; "
                                 f"combine several with OR")
            return Token("open", f"{target}:("), start + 1
        value, end = _read_word(q, start)
        return Token("field", f"{target}:{_value(name, value)}"), end
    word, end = _read_word(q, pos)
    return Token("op" if word in OPERATORS else "word", word), end


def _is_field_name(name: str, q: str, after: int) -> bool:
    """Whether `name:` is meant as a field (not a time like 10:30 or a web address)."""
    return any(c.isalpha() for c in name) and not q.startswith("/", after)


def _range(q: str, name: str, start: int) -> tuple[Token, int]:
    close = min((i for i in (q.find("]", start), q.find("}", start)) if i >= 0), default=-1)
    if close < 0:
        raise QueryError('unbalanced bracket: a range needs a closing "]"')
    text = q[start:close + 1]
    if name not in RANGE_FIELDS:
        raise QueryError(f"{name}: cannot take a range; ranges work with date: and year:")
    match = _RANGE.fullmatch(text)
    hint = DATE_RANGE_HINT if name == "date" else "year range must look like [2018 TO 2020]"
    if not match or not (match.group("start") or match.group("end")):
        raise QueryError(hint)
    low, high = match.group("start"), match.group("end")
    for bound in (low, high):
        if bound is not None and not _valid_bound(name, bound):
            raise QueryError(hint)
    if low and high and _as_date(low) > _as_date(high, end=True):
        raise QueryError(f"{name} range starts after it ends: {low} comes after {high}")
    rendered = f"{text[0]}{low + ' ' if low else ''}TO{' ' + high if high else ''}{text[-1]}"
    return Token("field", f"{name}:{rendered}"), close + 1


def _valid_bound(name: str, value: str) -> bool:
    if name == "year":
        return bool(_YEAR.fullmatch(value))
    return _valid_date(value)


def _valid_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        _as_date(value)
    except ValueError:
        return False
    return True


def _as_date(value: str, end: bool = False) -> str:
    """A partial date as a comparable full date (its first day, or last when `end`)."""
    parts = value.split("-")
    if len(parts) == 3:
        return date.fromisoformat(value).isoformat()
    if len(parts) == 2 and not 1 <= int(parts[1]) <= 12:
        raise ValueError(value)
    padding = ("-12-31" if len(parts) == 1 else "-31") if end else (
        "-01-01" if len(parts) == 1 else "-01")
    return value + padding


def _value(name: str, value: str) -> str:
    """Check one field value and return it in the index's spelling."""
    lower = value.lower()
    if name == "date":
        if not _valid_date(value):
            raise QueryError("a date must look like 2020-01-31 (or 2020-01, or 2020); "
                             + DATE_RANGE_HINT)
        return value
    if name == "year":
        if not _YEAR.fullmatch(value):
            raise QueryError(f'"{value}" is not a year: use four digits, e.g. year:2020')
        return value
    if name == "direction":
        if lower not in DIRECTIONS:
            raise QueryError('direction must be "incoming" or "outgoing"')
        return lower
    if name == "language":
        if not re.fullmatch(r"[a-z]{2}", lower):
            raise QueryError('language must be a two-letter code, e.g. "en" or "fr"')
        return lower
    if name == "status":
        lower = lower.replace("-", "_")
        if lower not in STATUSES:
            raise QueryError('status must be "ok" or "needs_review"')
        return lower
    if name == "ocr":
        if lower not in BOOLEANS:
            raise QueryError('ocr must be "true" or "false"')
        return BOOLEANS[lower]
    if name == "id":
        return lower
    return value


def _check_structure(tokens: list[Token]) -> None:
    """Operators need something on each side; parentheses need something inside."""
    previous: Token | None = None
    for token in tokens:
        if token.kind == "op" and token.text in BINARY and (
            previous is None or previous.kind in ("op", "open")
        ):
            raise QueryError(f'"{token.text}" needs something to search for on both sides')
        if token.kind == "close" and previous is not None:
            if previous.kind == "open":
                raise QueryError("empty parentheses: put words between ( and )")
            if previous.kind == "op":
                raise QueryError(_dangling(previous.text))
        previous = token
    if previous is not None and previous.kind == "op":
        raise QueryError(_dangling(previous.text))


def _dangling(operator: str) -> str:
    if operator == "NOT":
        return '"NOT" (or "-") needs something to search for after it'
    return f'"{operator}" needs something to search for on both sides'


def replace_word(q: str, folded: str, replacement: str) -> str:
    """`q` with every word whose folded form is `folded` replaced, keeping an initial capital."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if fold(word) != folded:
            return word
        return replacement[:1].upper() + replacement[1:] if word[:1].isupper() else replacement

    return _WORD.sub(swap, q)


def parse_date(value: str, what: str) -> date:
    """A YYYY-MM-DD filter date; QueryError naming `what` otherwise."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f'the {what} date "{value}" is not a date: use YYYY-MM-DD') from None
