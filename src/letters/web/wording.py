"""Internal values in words: field labels, partner and Secretary General names, dates, yes/no.

What a record's history, an audit event or a PDF's metadata holds is data (slugs, lists of field
names, booleans, ISO dates); people read it through these functions, in their own language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from letters.registry import Registry
from letters.web import i18n, languages, saying

#: Values that are partners or Secretaries General (by slug), or days (ISO dates).
NAMED = ("partner", "signatory", "slug")
DAYS = ("date", "joined", "since", "until")
#: Values that are lists of field names.
FIELD_LISTS = ("confirmed", "fields")
#: Values that are letter ids (shown as links to the letter).
LETTERS = ("id", "ids", "exchange", "other")
#: History changes not listed (the status change says what became of them).
NOT_SHOWN = ("reasons", "recognised_title")  # the title line says it (a title said again)
#: Values before and after a change, listed in that order: what it was, then what it became.
BEFORE_AFTER = ("before", "after")


@dataclass(frozen=True)
class Line:
    """One detail in words: its label and value; letters (ids) are shown as links after the value,
    a digest (`code`) in a monospace font that breaks anywhere."""

    label: str
    value: str
    letters: tuple[str, ...] = ()
    code: bool = False


class Wording:
    """Labels and values of one page's language."""

    def __init__(self, lang: str, registry: Registry) -> None:
        self.lang = lang
        self.t: Callable[..., str] = i18n.translator(lang)
        self.registry = registry

    def label(self, key: str) -> str:
        """A field's or detail's name: the interface's own word, else the key in words."""
        for prefix in ("field.", "key."):
            if prefix + key in i18n.STRINGS[i18n.DEFAULT]:
                return self.t(prefix + key)
        return key.replace("_", " ").capitalize()

    def value(self, key: str, value: Any) -> str:
        """A value in words."""
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, bool):
            return self.t("yes" if value else "no")
        if key in FIELD_LISTS and isinstance(value, list):
            return ", ".join(self.label(str(x)) for x in value)
        if isinstance(value, list):
            return ", ".join(self.value(key, x) for x in value)
        if isinstance(value, Mapping):
            return "; ".join(f"{self.label(str(k))}: {self.value(str(k), v)}" for k, v in value.items())
        text = str(value)
        if key in NAMED:
            return self.registry.display_name(text) or text
        if key in DAYS:
            return languages.long_date(text, self.lang) or text
        if key.endswith("_date") or key == "at":
            return languages.long_moment(text, self.lang) if "T" in text else text
        if key in ("aside_reason", "reason") and f"aside.reason.{text}" in i18n.STRINGS[i18n.DEFAULT]:
            return self.t(f"aside.reason.{text}")
        if key in ("aside_from", "status_before"):
            key = "status"
        for prefix in ("direction", "language", "status", "kind", "role", "op"):
            if key == prefix and f"{prefix}.{text}" in i18n.STRINGS[i18n.DEFAULT]:
                return self.t(f"{prefix}.{text}")
        if key in BEFORE_AFTER and f"role.{text}" in i18n.STRINGS[i18n.DEFAULT]:
            return self.t(f"role.{text}")  # a change of role (user_role_set)
        return saying.translate(text, self.lang)  # a sentence of the domain (a refusal...)

    def line(self, key: str, value: Any) -> Line:
        """One detail: letters as links, digests as code, anything else in words."""
        if key in LETTERS and value:
            return Line(self.label(key), "", tuple(value if isinstance(value, list) else [value]))
        return Line(self.label(key), self.value(key, value), code=key == "sha256")

    def details(self, what: Mapping[str, Any] | None) -> list[Line]:
        """An audit event's details, one line each ("Before" ahead of "After")."""
        keys = list(what or {})
        if all(key in keys for key in BEFORE_AFTER):
            keys.remove("before")
            keys.insert(keys.index("after"), "before")
        return [self.line(k, (what or {})[k]) for k in keys]

    def changes(self, changes: Mapping[str, Mapping[str, Any]] | None) -> list[Line]:
        """A history event's changes: 'Partner: — → AT&T'; fields confirmed as they stood, by name;
        nothing for a value that stayed the same."""
        lines = []
        changes = changes or {}
        for key, change in changes.items():
            before, after = change.get("before"), change.get("after")
            if key in NOT_SHOWN or before == after:
                continue
            if key == "confirmed":  # confirmed as they stood: not the fields this event changed
                added = [x for x in after or [] if x not in (before or []) and x not in changes]
                if added:
                    lines.append(Line(self.t("key.confirmed"), self.value(key, added)))
                continue
            if key == "exchange":
                lines.append(self._exchange(after))
                continue
            lines.append(Line(self.label(key),
                              f"{self.value(key, before)} → {self.value(key, after)}"))
        return lines

    def _exchange(self, other: Any) -> Line:
        if other == "":
            return Line(self.label("exchange"), self.t("key.exchange_unlinked"))
        if other is None:
            return Line(self.label("exchange"), self.t("key.exchange_automatic"))
        return Line(self.label("exchange"), "", (str(other),))

    def metadata(self, metadata: Mapping[str, Any]) -> list[Line]:
        """A PDF's metadata, labelled in words, dates written as days."""
        return [Line(self.t(f"pdf.{k}") if f"pdf.{k}" in i18n.STRINGS[i18n.DEFAULT] else self.label(k),
                     self.value(k, v)) for k, v in sorted(metadata.items())]
