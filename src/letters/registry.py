"""The registry of partners, Secretaries General and rounds of signature.

The base is package data (`data/registry.json`); archivists' additions are appended to
`archive/registry-changes.jsonl`, so the archive stays readable without this program.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from letters.errors import NotFound
from letters.fsutil import append_line
from letters.messages import Message, msg
from letters.models import KINDS, Kind, Name, Partner, Round, SecretaryGeneral, is_iso_date
from letters.textnorm import fold

CHANGES_FILE = "registry-changes.jsonl"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 64


class RegistryError(ValueError):
    """A registry change that cannot be made; the message says why (in English; `messages`, when
    given, say it in the reader's language)."""

    def __init__(self, message: str, messages: list[Message] | None = None) -> None:
        super().__init__(message)
        self.messages = messages or []


class CloseName(RegistryError):
    """A new name very close to an existing partner's: made only when asked again (`force`);
    `partner` is the partner whose name it is close to."""

    def __init__(self, name: str, partner: Partner) -> None:
        said = msg("naming.looks_like", name=name, partner=partner.name, same=partner.name)
        super().__init__(str(said), [said])
        self.name = name
        self.partner = partner


def _refuse(code: str, **params: str | int) -> NoReturn:
    """Raise a RegistryError saying this message."""
    said = msg(code, **params)
    raise RegistryError(str(said), [said])


#: Words of a company's or association's legal form, left out when names are compared.
LEGAL_FORMS = frozenset({
    "inc", "incorporated", "llc", "ltd", "limited", "plc", "sa", "ag", "gmbh", "corp",
    "corporation", "co", "company", "nv", "bv", "spa", "srl", "sas", "sarl", "ab", "as", "oy",
    "the", "s", "a", "se", "kg", "lp", "llp", "pty"})


def _words(name: str) -> list[str]:
    return re.findall(r"[0-9a-z]+", fold(name).lower())


def _core(name: str) -> list[str]:
    return [w for w in _words(name) if w not in LEGAL_FORMS]


def _apart(a: str, b: str) -> int:
    """The edit distance of two short strings."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def holder(registry: Registry, name: str) -> Partner | None:
    """The partner that has this name already (as its name or one of its other or former
    names; case, accents and punctuation aside), if any."""
    wanted = _words(name)
    return next((p for p in registry.partners.values()
                 if any(_words(n.name) == wanted for n in p.names())), None)


def close_to(registry: Registry, name: str, besides: str | None = None) -> Partner | None:
    """A partner (other than `besides`) with a name very close to this one: the same words but
    for a legal form or a word added at the end ("Google Ireland Limited", "Google"), or a few
    letters apart ("Gooogle")."""
    mine = _core(name)
    if not mine:
        return None
    for partner in registry.partners.values():
        if partner.slug == besides:
            continue
        for known in partner.names():
            theirs = _core(known.name)
            if not theirs:
                continue
            shorter, longer = sorted((mine, theirs), key=len)
            if longer[:len(shorter)] == shorter:
                return partner
            a, b = "".join(mine), "".join(theirs)
            if min(len(a), len(b)) >= 6 and _apart(a, b) <= 2:
                return partner
    return None


def _check_name(registry: Registry, name: str, slug: str | None, force: bool) -> None:
    """Refuse a name another partner has; ask first (CloseName) for one very close to
    another partner's, unless `force`."""
    held = holder(registry, name)
    if held is not None:
        _refuse("naming.name_held_own" if held.slug == slug else "naming.name_held",
                name=name.strip(), partner=held.name, slug=held.slug)
    near = close_to(registry, name, besides=slug)
    if near is not None and not force:
        raise CloseName(name.strip(), near)


@dataclass
class Registry:
    """Partners, Secretaries General and rounds, base data plus archivists' changes."""

    partners: dict[str, Partner]
    secretaries_general: dict[str, SecretaryGeneral]
    rounds: list[Round]

    def partner(self, slug: str) -> Partner | None:
        """The partner with that slug, if any."""
        return self.partners.get(slug)

    def registered(self, slug: str) -> Partner:
        """The partner with that slug (errors.NotFound for an unknown slug)."""
        partner = self.partners.get(slug)
        if partner is None:
            raise NotFound(msg("missing.partner", value=slug))
        return partner

    def sg(self, slug: str) -> SecretaryGeneral | None:
        """The Secretary General with that slug, if any."""
        return self.secretaries_general.get(slug)

    def sg_in_office(self, iso_date: str) -> SecretaryGeneral | None:
        """The Secretary General in office on that date."""
        return next((s for s in self.secretaries_general.values() if s.in_office(iso_date)), None)

    def display_name(self, slug: str | None) -> str | None:
        """A partner's or Secretary General's name for display."""
        if slug is None:
            return None
        found = self.partners.get(slug) or self.secretaries_general.get(slug)
        return found.name if found else slug


def _base() -> dict[str, Any]:
    raw = resources.files("letters").joinpath("data/registry.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


def load(archive_dir: Path) -> Registry:
    """The registry as it stands: the package's base data with the archive's changes applied."""
    data = _base()
    partners = {
        p["slug"]: Partner(
            slug=p["slug"], name=p["name"], kind=p["kind"],
            aliases=[Name(**a) for a in p.get("aliases", [])], joined=p.get("joined"),
            joined_status=p.get("joined_status", "verified"), signatory=p.get("signatory"),
            name_since=p.get("name_since"),
        )
        for p in data["partners"]
    }
    sgs = {s["slug"]: SecretaryGeneral(**s) for s in data["secretaries_general"]}
    rounds = [Round(**r) for r in data["rounds"]]
    changes = archive_dir / CHANGES_FILE
    if changes.exists():
        for line in changes.read_text(encoding="utf-8").splitlines():
            if line.strip():
                _apply(partners, json.loads(line))
    return Registry(partners, sgs, rounds)


def _apply(partners: dict[str, Partner], change: dict[str, Any]) -> None:
    if change["op"] == "add_partner":
        partners[change["slug"]] = Partner(
            slug=change["slug"], name=change["name"], kind=change["kind"],
            joined=change.get("joined"), joined_status="verified" if change.get("joined") else "unknown",
        )
    elif change["op"] == "add_alias" and change["slug"] in partners:
        partners[change["slug"]].aliases.append(
            Name(change["name"], since=change.get("since"), until=change.get("until"))
        )


def _check_date(value: str | None) -> None:
    if value is None:
        return
    if not is_iso_date(value):
        _refuse("naming.bad_date", value=value)


def add_partner(
    archive_dir: Path, slug: str, name: str, kind: str, by: str, joined: str | None = None,
    today: str | None = None,
    force: bool = False,
) -> Partner:
    """Register a new partner; the change is appended to the archive (a date of joining after
    `today`, by default the current day in UTC, is refused). Its name must be no other partner's,
    and one very close to another partner's is refused (CloseName) unless `force`."""
    registry = load(archive_dir)
    if len(slug) > MAX_SLUG:
        _refuse("naming.long_slug", length=MAX_SLUG)
    if not SLUG_RE.match(slug):
        _refuse("naming.bad_slug", slug=slug)
    if slug in registry.partners:
        _refuse("naming.slug_exists", slug=slug)
    check_kind(kind)
    if not name.strip():
        _refuse("naming.empty_name")
    _check_date(joined)
    today = today or datetime.now(UTC).date().isoformat()
    if joined and joined > today:
        _refuse("naming.joined_in_future", joined=joined)
    _check_name(registry, name, None, force)
    change = {"op": "add_partner", "slug": slug, "name": name.strip(), "kind": kind,
              "joined": joined, "by": by}
    append_line(archive_dir / CHANGES_FILE, json.dumps(change, ensure_ascii=False))
    _apply(registry.partners, change)
    return registry.partners[slug]


def add_alias(
    archive_dir: Path, slug: str, name: str, by: str,
    since: str | None = None, until: str | None = None, force: bool = False,
) -> Partner:
    """Give a partner another name (an alias, or a former name with the dates it was used): no
    other partner's, and one very close to another partner's only with `force`."""
    registry = load(archive_dir)
    partner = registry.partner(slug)
    if partner is None:
        _refuse("naming.no_partner", slug=slug)
    if not name.strip():
        _refuse("naming.empty_name")
    for value in (since, until):
        _check_date(value)
    if since and until and since > until:
        _refuse("naming.dates_reversed")
    _check_name(registry, name, slug, force)
    change = {"op": "add_alias", "slug": slug, "name": name.strip(), "since": since,
              "until": until, "by": by}
    append_line(archive_dir / CHANGES_FILE, json.dumps(change, ensure_ascii=False))
    _apply(registry.partners, change)
    return partner


def check_kind(kind: str | None) -> Kind:
    """A partner's kind, checked (RegistryError with a sentence naming the kinds otherwise)."""
    for known in KINDS:
        if kind == known:
            return known
    _refuse("naming.bad_kind", kinds=", ".join(repr(k) for k in KINDS[:-1]), last=repr(KINDS[-1]))


def partner_json(partner: Partner, letters: int) -> dict[str, Any]:
    """A partner as `letters partners --json` prints it."""
    return {
        "slug": partner.slug, "name": partner.name, "kind": partner.kind,
        "aliases": [a.name for a in partner.aliases], "joined": partner.joined,
        "letters": letters, "former_names": [asdict(a) for a in partner.aliases if a.until],
        "joined_status": partner.joined_status, "signatory": partner.signatory,
    }
