"""The syntax tree of a search query: what `search._language.parse` makes and every engine reads.

A tree says what the user asked for, in the user's terms (words as typed, field names of the
query language); no engine is imported here, and no analysis has been applied yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

#: Text fields a word or phrase may be restricted to; None means every text field.
TEXT_FIELDS = ("partner", "signatory", "signed_by", "title", "text")


@dataclass(frozen=True)
class Word:
    """A word as typed ("Pejčinović"), in one text field or (field None) in all of them."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Phrase:
    """Words that must follow each other, unstemmed."""

    words: tuple[str, ...]
    field: str | None = None


@dataclass(frozen=True)
class Pattern:
    """A word with wildcards: `cyber*` (a prefix) or `kasp?rsky`; `prefix` is what precedes
    the first wildcard (never empty: a pattern needs letters before its first wildcard)."""

    text: str
    prefix: str
    field: str | None = None


@dataclass(frozen=True)
class Value:
    """An exact value of a keyword field: direction, language, status, ocr ("true"/"false"), id."""

    field: str
    value: str


@dataclass(frozen=True)
class DateRange:
    """Letters dated from `start` to `end`, both inclusive; None is open."""

    start: date | None
    end: date | None


@dataclass(frozen=True)
class And:
    """Every child must match."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """At least one child must match."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """Letters the child does not match."""

    child: Node


@dataclass(frozen=True)
class Every:
    """Every letter (the empty query, or `*`)."""


Node = Word | Phrase | Pattern | Value | DateRange | And | Or | Not | Every


def walk(node: Node, negated: bool = False) -> Iterator[tuple[Node, bool]]:
    """Every node of the tree with whether it sits under a NOT."""
    yield node, negated
    if isinstance(node, And | Or):
        for child in node.children:
            yield from walk(child, negated)
    elif isinstance(node, Not):
        yield from walk(node.child, not negated)


def conjunction(parts: list[Node]) -> Node:
    """The AND of these nodes (Every when there is none, the node itself when one)."""
    kept = [part for part in parts if not isinstance(part, Every)]
    if not kept:
        return Every()
    return kept[0] if len(kept) == 1 else And(tuple(kept))
