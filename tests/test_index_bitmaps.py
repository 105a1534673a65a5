"""Document sets as integers: building, reading back, and the set operations the engine uses."""

from __future__ import annotations

import random

from letters.index import bitmaps


def test_members_give_back_the_numbers_in_order() -> None:
    numbers = [0, 1, 7, 8, 9, 63, 64, 999]
    assert bitmaps.members(bitmaps.from_ids(reversed(numbers), 1000), 1000) == numbers


def test_empty_and_full_sets() -> None:
    assert bitmaps.from_ids([], 10) == 0
    assert bitmaps.members(0, 10) == []
    assert bitmaps.flags(0, 4) == b"\x00\x00\x00\x00"
    assert bitmaps.members(bitmaps.full(5), 5) == [0, 1, 2, 3, 4]
    assert bitmaps.flags(bitmaps.full(3), 5) == b"\x01\x01\x01\x00\x00"
    assert bitmaps.from_flags(b"") == 0


def test_flags_test_membership_for_every_document() -> None:
    chosen = {2, 3, 5, 11, 4096}
    flags = bitmaps.flags(bitmaps.from_ids(chosen, 5000), 5000)
    assert len(flags) == 5000
    assert {d for d in range(5000) if flags[d]} == chosen


def test_integer_operations_match_python_sets() -> None:
    rng = random.Random(7)
    size = 20_000
    a = set(rng.sample(range(size), 9_000))
    b = set(rng.sample(range(size), 4_000))
    bits_a, bits_b = bitmaps.from_ids(a, size), bitmaps.from_ids(b, size)
    assert bitmaps.members(bits_a & bits_b, size) == sorted(a & b)
    assert bitmaps.members(bits_a | bits_b, size) == sorted(a | b)
    assert bitmaps.members(bits_a & ~bits_b, size) == sorted(a - b)
    assert (bits_a & bits_b).bit_count() == len(a & b)
    assert bitmaps.from_flags(bitmaps.flags(bits_a, size)) == bits_a
