"""`letters partners`: the registry, and how archivists extend it."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TYPE_CHECKING

from letters import registry
from letters.cli import EXIT_OK, EXIT_USAGE, add_home
from letters.errors import InvalidCorrection, NotFound
from letters.models import KINDS

if TYPE_CHECKING:
    from letters.service import Letters


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `partners`, `partners add` and `partners alias`."""
    parser = subparsers.add_parser("partners", help="the registry of partners")
    parser.add_argument("--json", action="store_true")
    add_home(parser)
    parser.set_defaults(handler=list_partners)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    add = actions.add_parser("add", help="register a new partner")
    add.add_argument("slug")
    add.add_argument("--name", required=True)
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument("--joined", default=None, help="date it joined, YYYY-MM-DD")
    add.add_argument("--force", action="store_true",
                     help="register it even though its name is very close to another partner's")
    add_home(add)
    add.set_defaults(handler=add_partner)

    alias = actions.add_parser("alias", help="give a partner another or a former name")
    alias.add_argument("slug")
    alias.add_argument("name")
    alias.add_argument("--from", dest="since", default=None, help="first day the name was used")
    alias.add_argument("--to", dest="until", default=None, help="last day the name was used")
    alias.add_argument("--force", action="store_true",
                       help="add it even though it is very close to another partner's name")
    add_home(alias)
    alias.set_defaults(handler=add_alias)

    proposal = actions.add_parser(
        "proposal", help="show, accept or dismiss a proposed change of founding exchange")
    proposal.add_argument("slug", nargs="?", default=None,
                          help="the partner (none: every partner's proposal)")
    decision = proposal.add_mutually_exclusive_group()
    decision.add_argument("--accept", action="store_true",
                          help="the proposed exchange becomes the founding exchange")
    decision.add_argument("--dismiss", action="store_true",
                          help="the founding exchange stays; this change is not proposed again")
    proposal.add_argument("--json", action="store_true")
    add_home(proposal)
    proposal.set_defaults(handler=pairing_proposal)


def list_partners(args: argparse.Namespace, app: Letters) -> int:
    """Print the registry with each partner's number of letters."""
    entries = app.partners()
    if args.json:
        print(json.dumps([entry.to_json() for entry in entries], ensure_ascii=False, indent=1))
        return EXIT_OK
    for entry in entries:
        p = entry.partner
        print(f"{p.slug:<32} {p.kind:<12} {p.joined or 'unknown':<11} {entry.letters:>3}  {p.name}")
    return EXIT_OK


def add_partner(args: argparse.Namespace, app: Letters) -> int:
    """Register a partner."""
    try:
        partner = app.add_partner(args.slug, args.name, args.kind, args.joined,
                                  by=getpass.getuser(), force=args.force)
    except registry.CloseName as error:
        print(f"letters: {error} (--force registers it all the same)", file=sys.stderr)
        return EXIT_USAGE
    except registry.RegistryError as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Added partner {partner.slug}: {partner.name}.")
    return EXIT_OK


def add_alias(args: argparse.Namespace, app: Letters) -> int:
    """Give a partner another name."""
    try:
        partner = app.add_name(args.slug, args.name, args.since, args.until,
                               by=getpass.getuser(), force=args.force)
    except registry.CloseName as error:
        print(f"letters: {error} (--force adds it all the same)", file=sys.stderr)
        return EXIT_USAGE
    except (registry.RegistryError, NotFound) as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{partner.slug} is also known as {args.name}.")
    return EXIT_OK


def pairing_proposal(args: argparse.Namespace, app: Letters) -> int:
    """Print the pairing proposals, or accept or dismiss one partner's."""
    try:
        if args.accept or args.dismiss:
            if not args.slug:
                print("letters: name the partner whose proposal to accept or dismiss.",
                      file=sys.stderr)
                return EXIT_USAGE
            done = app.decide_proposal(args.slug, args.accept, by=getpass.getuser())
            print(f"{'Accepted' if args.accept else 'Dismissed'}: {done.said()}")
            return EXIT_OK
        found = app.pairing_proposals(args.slug)
    except (NotFound, InvalidCorrection) as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps([x.to_json() for x in found], ensure_ascii=False, indent=1))
    else:
        for each in found:
            print(f"{each.partner}: {each.said()}")
    return EXIT_OK
