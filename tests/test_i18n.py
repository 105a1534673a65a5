"""The interface strings (their completeness is checked in test_web_pages): lookup and fallback."""

from __future__ import annotations

from letters.web import i18n


def test_a_translator_formats_and_falls_back_to_english() -> None:
    french = i18n.translator("fr")
    assert french("nav.search") == i18n.STRINGS["fr"]["nav.search"] != i18n.STRINGS["en"]["nav.search"]
    assert i18n.translator("de")("nav.search") == i18n.STRINGS["en"]["nav.search"]
