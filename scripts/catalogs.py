"""Bring each language's gettext catalog up to date with the template `locales/messages.pot`.

The template holds every msgid: the domain's English sentences, and the interface strings under
their key as msgctxt with the English text as msgid. `python scripts/catalogs.py` adds new
messages to each `locales/<lang>/LC_MESSAGES/messages.po` (untranslated), marks those whose English
changed as fuzzy (shown in English until a translator confirms them) and keeps removed ones as
obsolete (`#~`); `--check` only says which catalogs are out of date (exit status 1).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from letters.web import i18n, messages

WIDTH = 100


def merged(template: Path, po: Path, lang: str) -> bytes:
    """A language's .po once merged with the template."""
    with template.open("rb") as handle:
        source = read_po(handle)
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    catalog.update(source, update_creation_date=False)
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, include_previous=True)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Update (or with --check, only compare) every translated language's catalog."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; fail when out of date")
    args = parser.parse_args(argv)
    stale = []
    for lang in i18n.LANGUAGES:
        if lang == i18n.DEFAULT:
            continue
        path = messages.path_of(lang)
        after = merged(messages.path_of(None), path, lang)
        if path.read_bytes() != after:
            stale.append(lang)
            if not args.check:
                path.write_bytes(after)
    if stale:
        verb = "are out of date with" if args.check else "were updated from"
        print(f"The catalogs of {', '.join(stale)} {verb} locales/messages.pot.", file=sys.stderr)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
