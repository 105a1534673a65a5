"""`letters users`: create users, issue and revoke API tokens."""

from __future__ import annotations

import argparse
import getpass
import sys

from letters.cli import EXIT_OK, UsageError, add_home
from letters.service import Letters
from letters.users import ROLES, UserError, Users


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `letters users add|token|list|revoke`."""
    parser = subparsers.add_parser("users", help="manage the users of the web view and the API")
    add_home(parser)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="create a user; the password is read from stdin")
    add_home(add)
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.set_defaults(handler=add_user)

    token = actions.add_parser("token", help="print a new API token for that user")
    add_home(token)
    token.add_argument("name")
    token.set_defaults(handler=new_token)

    listing = actions.add_parser("list", help="list the users and their roles")
    add_home(listing)
    listing.set_defaults(handler=list_users)

    revoke = actions.add_parser("revoke", help="revoke every API token and session of a user")
    add_home(revoke)
    revoke.add_argument("name")
    revoke.set_defaults(handler=revoke_tokens)


def _operator() -> str:
    return getpass.getuser()


def read_password() -> str:
    """The password: typed at a prompt on a terminal, else the first line of stdin."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise UsageError("The two passwords differ.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def add_user(args: argparse.Namespace, app: Letters) -> int:
    """Create a user with the password read from stdin."""
    try:
        Users(app.settings).add(args.name, args.role, read_password(), by=_operator())
    except UserError as error:
        raise UsageError(str(error)) from error
    print(f"Added {args.name} ({args.role}).")
    return EXIT_OK


def new_token(args: argparse.Namespace, app: Letters) -> int:
    """Print a new API token (shown once: only its digest is kept)."""
    try:
        print(Users(app.settings).new_token(args.name, by=_operator()))
    except UserError as error:
        raise UsageError(str(error)) from error
    return EXIT_OK


def list_users(args: argparse.Namespace, app: Letters) -> int:
    """Print each user and role."""
    for user in Users(app.settings).all():
        print(f"{user.name}\t{user.role}\t{user.created_at}")
    return EXIT_OK


def revoke_tokens(args: argparse.Namespace, app: Letters) -> int:
    """Revoke a user's tokens and sessions."""
    try:
        count = Users(app.settings).revoke_tokens(args.name, by=_operator())
    except UserError as error:
        raise UsageError(str(error)) from error
    print(f"Revoked {count} token(s) of {args.name}; their sessions have ended.")
    return EXIT_OK
