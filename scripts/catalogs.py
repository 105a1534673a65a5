"""Bring the template `locales/messages.pot` up to date with the domain's messages, and each
language's gettext catalog up to date with the template.

The template holds every msgid: the interface strings under their key as msgctxt, the domain's
messages under their code as msgctxt (copied here from `letters.messages.ENGLISH`), each with its
English as msgid, and the English sentences of the web layer and of stored titles without
msgctxt. `python scripts/catalogs.py` writes the domain's codes into the template, adds new
messages to each `locales/<lang>/LC_MESSAGES/messages.po` (untranslated), marks those whose English
changed as fuzzy (shown in English until a translator confirms them) and keeps removed ones as
obsolete (`#~`); `--check` only says which catalogs are out of date (exit status 1).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from letters import messages as domain
from letters.web import i18n, saying

WIDTH = 100


def with_domain(template: Catalog) -> Catalog:
    """The template with one entry per code of the domain's messages (their English as msgid),
    and none for a code that is gone."""
    for message in list(template):
        code = str(message.context or "")
        if code.split(".")[0] in domain.KINDS and domain.ENGLISH.get(code) != message.id:
            template.delete(message.id, context=message.context)
    for code, english in domain.ENGLISH.items():
        if template.get(english, context=code) is None:
            flags = ("python-brace-format",) if "{" in english else ()
            template.add(english, context=code, flags=flags)
    return template


def template_text(path: Path) -> bytes:
    """The template as `with_domain` makes it."""
    with path.open("rb") as handle:
        template = with_domain(read_po(handle))
    out = io.BytesIO()
    write_po(out, template, width=WIDTH)
    return out.getvalue()


def merged(template: Path, po: Path, lang: str) -> bytes:
    """A language's .po once merged with the template."""
    with template.open("rb") as handle:
        source = with_domain(read_po(handle))
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    catalog.update(source, update_creation_date=False)
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, include_previous=True)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Update (or with --check, only compare) the template and every translated language's
    catalog."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; fail when out of date")
    args = parser.parse_args(argv)
    stale = []
    pot = saying.path_of(None)
    text = template_text(pot)
    if pot.read_bytes() != text:
        stale.append("messages.pot")
        if not args.check:
            pot.write_bytes(text)
    for lang in i18n.LANGUAGES:
        if lang == i18n.DEFAULT:
            continue
        path = saying.path_of(lang)
        after = merged(saying.path_of(None), path, lang)
        if path.read_bytes() != after:
            stale.append(lang)
            if not args.check:
                path.write_bytes(after)
    if stale:
        verb = "Out of date (run make catalogs)" if args.check else "Updated"
        print(f"{verb}: {', '.join(stale)}.", file=sys.stderr)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
