"""The query language, read once into a syntax tree (`search._syntax`) before any engine sees it.

`parse()` reads what a user typed and refuses what is malformed with a message that points at the
problem (QueryError). Precedence: NOT (or `-word`) binds tightest, then OR, then AND (written or
implied between neighbours): `a b OR c` is `a AND (b OR c)`. No search engine is imported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from letters.errors import QueryError
from letters.messages import Message, msg
from letters.search._syntax import And, DateRange, Every, Node, Not, Or, Pattern, Phrase, Value, Word, walk
from letters.textnorm import fold

#: Field names users may type, in the order error messages list them.
FIELDS = ("partner", "signatory", "signed_by", "date", "year", "direction", "language", "ocr",
          "status", "text", "title", "id")
TEXT_FIELDS = frozenset({"partner", "signatory", "signed_by", "text", "title"})
RANGE_FIELDS = frozenset({"date", "year"})
BINARY = frozenset({"AND", "OR"})
OPERATORS = BINARY | {"NOT"}
EXAMPLES = {
    "partner": "partner:meta", "signatory": "signatory:jagland", "signed_by": "signed_by:smith",
    "date": "date:2020-02-06", "year": "year:2020", "direction": "direction:incoming",
    "language": "language:fr", "ocr": "ocr:true", "status": "status:needs_review",
    "text": "text:agreement", "title": "title:agreement", "id": "id:0123456789abcdef",
}
DIRECTIONS = ("incoming", "outgoing")
STATUSES = ("ok", "needs_review", "set_aside")
BOOLEANS = {"true": "true", "yes": "true", "1": "true", "false": "false", "no": "false",
            "0": "false"}
#: Words with wildcards in one query, at most: each is looked up in the index's word list.
MAX_PATTERNS = 5
#: NOTs and parentheses one inside the other, at most: every layer is a level of recursion in the
#: parser, the lowering and the engine's own query tree (400 of them overflowed Python's stack).
MAX_DEPTH = 16
#: Words of one phrase, at most (each is a list of positions to walk beside the others).
MAX_PHRASE_WORDS = 20
#: Letters a wildcard needs before it, so that `*a*` cannot make the index list every word.
PATTERN_PREFIX = 2
WILDCARDS = "*?"

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
    """One piece of a query: a word, an operator, a parenthesis, or a part already read."""

    kind: str  # "word", "op", "open", "close", "node"
    text: str
    node: Node | None = None
    field: str | None = None  # of a word inside `field:( ... )`, or of the group an "open" starts


def parse(q: str, max_chars: int = 500) -> Node:
    """The syntax tree of a query; QueryError when it is malformed. Empty or `*`: Every."""
    if len(q) > max_chars:
        raise QueryError(msg("query.too_long", length=len(q), limit=max_chars))
    tokens = _lex(q.translate(_QUOTES))
    _check_structure(tokens)
    if not tokens or [token.text for token in tokens] == ["*"]:
        return Every()
    tree = _Parser(tokens).parse()
    if tree is None:
        raise QueryError(msg("query.nothing"))
    patterns = sum(isinstance(node, Pattern) for node, _ in walk(tree))
    if patterns > MAX_PATTERNS:
        raise QueryError(msg("query.too_many_patterns", count=patterns, limit=MAX_PATTERNS))
    return tree


def fields_hint() -> str:
    """The list of field names, for messages."""
    return ", ".join(FIELDS[:-1]) + " or " + FIELDS[-1]


# -- reading the pieces --------------------------------------------------------------------------
def _lex(q: str) -> list[Token]:
    tokens: list[Token] = []
    groups: list[str | None] = []  # the field of each open parenthesis
    pos = 0
    while pos < len(q):
        char = q[pos]
        field = next((f for f in reversed(groups) if f), None)
        if char.isspace():
            pos += 1
        elif char == '"':
            words, pos = _phrase(q, pos)
            tokens.append(Token("node", words, node=_phrase_node(words, field)))
        elif char == "(":
            groups.append(None)
            tokens.append(Token("open", "("))
            pos += 1
        elif char == ")":
            if not groups:
                raise QueryError(msg("query.unbalanced_close"))
            groups.pop()
            tokens.append(Token("close", ")"))
            pos += 1
        elif char in "[{":
            raise QueryError(msg("query.range_without_field"))
        elif char in "-+" and pos + 1 < len(q) and not q[pos + 1].isspace():
            if char == "-":
                tokens.append(Token("op", "NOT"))
            pos += 1
        else:
            token, pos = _word_or_field(q, pos, field)
            if token.kind == "open":
                groups.append(token.field)
            tokens.append(token)
    if groups:
        raise QueryError(msg("query.unbalanced_open"))
    return tokens


def _phrase(q: str, pos: int) -> tuple[str, int]:
    """The text between a pair of quotes (and the position after them and any ~2 or ^2)."""
    end = q.find('"', pos + 1)
    if end < 0:
        raise QueryError(msg("query.unbalanced_quote"))
    suffix = _PHRASE_SUFFIX.match(q, end + 1)
    stop = suffix.end() if suffix else end + 1
    return q[pos + 1:end], stop


def _phrase_node(text: str, field: str | None) -> Node | None:
    words = tuple(_WORD.findall(text))
    if not words:
        return None
    if len(words) > MAX_PHRASE_WORDS:
        raise QueryError(msg("query.long_phrase", limit=MAX_PHRASE_WORDS, count=len(words)))
    return Phrase(words, field) if len(words) > 1 else Word(words[0], field)


def _read_word(q: str, pos: int) -> tuple[str, int]:
    end = pos
    while end < len(q) and q[end] not in _STOP:
        end += 1
    return q[pos:end], end


def _word_or_field(q: str, pos: int, group: str | None) -> tuple[Token, int]:
    """A bare word or operator, a field:value, or a field:( opening a group."""
    match = _FIELD.match(q, pos)
    if match and _is_field_name(match.group(1), q, match.end()):
        name = match.group(1).lower()
        if name not in FIELDS:
            raise QueryError(msg("query.unknown_field", field=match.group(1), fields=fields_hint()))
        start = match.end()
        if start >= len(q) or q[start].isspace() or q[start] == ")":
            raise QueryError(msg("query.needs_value", name=name, example=EXAMPLES[name]))
        if q[start] in "[{":
            return _range(q, name, start)
        if name not in TEXT_FIELDS and q[start] in '"(':
            code = "query.single_value_or" if q[start] == "(" else "query.single_value"
            raise QueryError(msg(code, name=name, example=EXAMPLES[name]))
        if q[start] == '"':
            words, end = _phrase(q, start)
            return Token("node", words, node=_phrase_node(words, name)), end
        if q[start] == "(":
            return Token("open", "(", field=name), start + 1
        value, end = _read_word(q, start)
        if name in TEXT_FIELDS:
            return Token("word", value, field=name), end
        return Token("node", value, node=_value(name, value)), end
    word, end = _read_word(q, pos)
    return Token("op" if word in OPERATORS else "word", word, field=group), end


def _is_field_name(name: str, q: str, after: int) -> bool:
    """Whether `name:` is meant as a field (not a time like 10:30 or a web address)."""
    return any(c.isalpha() for c in name) and not q.startswith("/", after)


def _word_node(text: str, field: str | None) -> Node | None:
    """A word, or a pattern when it has wildcards; None when it holds nothing searchable."""
    if not any(c in WILDCARDS for c in text):
        words = _WORD.findall(text)
        if not words:
            return None
        # "data-protection", "coe.int": one word to the user; the engine splits it alike
        return Word(text.strip("'’.,;:!?"), field) if len(words) > 1 else Word(words[0], field)
    if text.strip(WILDCARDS) == "" and field is None:
        return None
    cut = min(i for i, c in enumerate(text) if c in WILDCARDS)
    prefix = text[:cut]
    if len(fold("".join(_WORD.findall(prefix)))) < PATTERN_PREFIX:
        raise QueryError(msg("query.short_pattern", text=text, n=PATTERN_PREFIX))
    return Pattern(text, prefix, field)


def _range(q: str, name: str, start: int) -> tuple[Token, int]:
    close = min((i for i in (q.find("]", start), q.find("}", start)) if i >= 0), default=-1)
    if close < 0:
        raise QueryError(msg("query.unbalanced_bracket"))
    text = q[start:close + 1]
    if name not in RANGE_FIELDS:
        raise QueryError(msg("query.no_range", name=name))
    match = _RANGE.fullmatch(text)
    hint = msg("query.date_range_form" if name == "date" else "query.year_range_form")
    if not match or not (match.group("start") or match.group("end")):
        raise QueryError(hint)
    low, high = match.group("start"), match.group("end")
    for bound in (low, high):
        if bound is not None and not _valid_bound(name, bound):
            raise QueryError(hint)
    first = _first_day(low) if low else None
    last = _last_day(high) if high else None
    if first and last and first > last:
        raise QueryError(msg("query.range_reversed", name=name, low=low, high=high))
    if first and text[0] == "{":  # exclusive bounds
        first = _last_day(low) + timedelta(days=1) if low else None
    if last and text[-1] == "}":
        last = _first_day(high) - timedelta(days=1) if high else None
    return Token("node", text, node=DateRange(first, last)), close + 1


def _valid_bound(name: str, value: str) -> bool:
    if name == "year":
        return bool(_YEAR.fullmatch(value)) and int(value) >= 1
    return _valid_date(value)


def _valid_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        _first_day(value)
        _last_day(value)
    except ValueError:
        return False
    return True


def _first_day(value: str) -> date:
    """The first day of a date, a month (2020-02) or a year (2020)."""
    parts = [int(part) for part in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _last_day(value: str) -> date:
    """The last day of a date, a month or a year."""
    parts = [int(part) for part in value.split("-")]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 1:
        return date(parts[0], 12, 31)
    following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
    return following - timedelta(days=1)


def _value(name: str, value: str) -> Node:
    """Check one field value; the node it stands for."""
    lower = value.lower()
    if name == "date":
        if not _valid_date(value):
            raise QueryError(msg("query.bad_date"))
        return DateRange(_first_day(value), _last_day(value))
    if name == "year":
        if not _YEAR.fullmatch(value) or int(value) < 1:
            raise QueryError(msg("query.not_a_year", value=value))
        return DateRange(_first_day(value), _last_day(value))
    if name == "direction":
        return Value(name, check_direction(lower))
    if name == "language":
        return Value(name, check_language(lower))
    if name == "status":
        return Value(name, check_status(lower.replace("-", "_")))
    if name == "ocr":
        if lower not in BOOLEANS:
            raise QueryError(msg("query.bad_ocr"))
        return Value(name, BOOLEANS[lower])
    return Value(name, lower)


def check_direction(value: str) -> str:
    """A direction, or QueryError (one sentence shared by the query language and filters)."""
    if value not in DIRECTIONS:
        raise QueryError(msg("query.bad_direction"))
    return value


def check_language(value: str) -> str:
    """A language code in lower case, or QueryError."""
    lower = value.lower()
    if not re.fullmatch(r"[a-z]{2}", lower):
        raise QueryError(msg("query.bad_language"))
    return lower


def check_status(value: str) -> str:
    """A review status, or QueryError."""
    if value not in STATUSES:
        raise QueryError(msg("query.bad_status"))
    return value


# -- structure -----------------------------------------------------------------------------------
def _check_structure(tokens: list[Token]) -> None:
    """Operators need something on each side; parentheses need something inside."""
    previous: Token | None = None
    for token in tokens:
        if token.kind == "op" and token.text in BINARY and (
            previous is None or previous.kind in ("op", "open")
        ):
            raise QueryError(msg("query.operator_alone", op=token.text))
        if token.kind == "close" and previous is not None:
            if previous.kind == "open":
                raise QueryError(msg("query.empty_parentheses"))
            if previous.kind == "op":
                raise QueryError(_dangling(previous.text))
        previous = token
    if previous is not None and previous.kind == "op":
        raise QueryError(_dangling(previous.text))


def _dangling(operator: str) -> Message:
    if operator == "NOT":
        return msg("query.not_alone")
    return msg("query.operator_alone", op=operator)


class _Parser:
    """Recursive descent over checked tokens; parts that hold nothing searchable drop out."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(msg("query.too_deep", limit=MAX_DEPTH))

    def parse(self) -> Node | None:
        return self._and()

    def _peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _and(self) -> Node | None:
        parts: list[Node] = []
        while (token := self._peek()) is not None and token.kind != "close":
            if token.kind == "op" and token.text == "AND":
                self.pos += 1
                continue
            part = self._or()
            if part is not None:
                parts.append(part)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def _or(self) -> Node | None:
        parts = [self._unary()]
        while (token := self._peek()) is not None and token.kind == "op" and token.text == "OR":
            self.pos += 1
            parts.append(self._unary())
        kept = [part for part in parts if part is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def _unary(self) -> Node | None:
        token = self.tokens[self.pos]
        self.pos += 1
        if token.kind == "op" and token.text == "NOT":
            self._deeper()
            child = self._unary()
            self.depth -= 1
            return Not(child) if child is not None else None
        if token.kind == "open":
            self._deeper()
            inner = self._and()
            self.depth -= 1
            self.pos += 1  # the closing parenthesis (the lexer checked it is there)
            return inner
        if token.kind == "node":
            return token.node
        return _word_node(token.text, token.field)


# -- helpers for callers -------------------------------------------------------------------------
def replace_word(q: str, folded: str, replacement: str) -> str:
    """`q` with every word whose folded form is `folded` replaced, keeping an initial capital."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if fold(word) != folded:
            return word
        return replacement[:1].upper() + replacement[1:] if word[:1].isupper() else replacement

    return _WORD.sub(swap, q)


#: The message saying a filter's date is not one, by filter.
DATE_FORMS = {"from": "query.from_date_form", "to": "query.to_date_form"}


def parse_date(value: str, what: str) -> date:
    """A YYYY-MM-DD filter date; QueryError naming `what` ("from" or "to") otherwise."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(msg(DATE_FORMS[what], value=value)) from None
