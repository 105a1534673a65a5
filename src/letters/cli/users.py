"""`letters users`: create, change, disable and remove users; issue and revoke API tokens.

Every change goes through `Letters` (to `letters.users.Users`), as the admin pages' do, and is
audited there.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from letters.cli import EXIT_OK, UsageError, add_home
from letters.users import ROLES, UserError

if TYPE_CHECKING:
    from letters.service import Letters


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
    token.add_argument("--label", default="", help="a name for the token, to tell it from others")
    token.set_defaults(handler=new_token)

    listing = actions.add_parser("list", help="list the users and their roles")
    add_home(listing)
    listing.set_defaults(handler=list_users)

    revoke = actions.add_parser("revoke", help="disable a user and revoke all their tokens and "
                                "sessions")
    add_home(revoke)
    revoke.add_argument("name")
    revoke.set_defaults(handler=revoke_tokens)

    for action, text in (("disable", "stop a user logging in or using tokens"),
                         ("enable", "let a disabled user log in again"),
                         ("remove", "remove a user, their tokens and sessions"),
                         ("passwd", "give a user a new password, read from stdin"),
                         ("tokens", "list a user's API tokens by id")):
        parser = actions.add_parser(action, help=text)
        add_home(parser)
        parser.add_argument("name")
        parser.set_defaults(handler=change_user)

    role = actions.add_parser("role", help="change a user's role")
    add_home(role)
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(handler=change_user)

    one = actions.add_parser("revoke-token", help="revoke one API token (its id from `tokens`)")
    add_home(one)
    one.add_argument("name")
    one.add_argument("token", metavar="TOKEN_ID")
    one.set_defaults(handler=change_user)


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
        app.add_user(args.name, args.role, read_password(), by=_operator())
    except UserError as error:
        raise UsageError(str(error)) from error
    print(f"Added {args.name} ({args.role}).")
    return EXIT_OK


def new_token(args: argparse.Namespace, app: Letters) -> int:
    """Print a new API token (shown once: only its digest is kept)."""
    try:
        print(app.new_token(args.name, by=_operator(), label=args.label))
    except UserError as error:
        raise UsageError(str(error)) from error
    return EXIT_OK


def list_users(args: argparse.Namespace, app: Letters) -> int:
    """Print each user and role (and `disabled` for a disabled user)."""
    for user, _ in app.user_rows():
        print(f"{user.name}\t{user.role}\t{user.created_at}" + ("\tdisabled" if user.disabled else ""))
    return EXIT_OK


def revoke_tokens(args: argparse.Namespace, app: Letters) -> int:
    """Disable a user and revoke their tokens and sessions."""
    try:
        app.set_disabled(args.name, True, by=_operator())  # first: the last admin is refused whole
        count = app.revoke_tokens(args.name, by=_operator())
    except UserError as error:
        raise UsageError(str(error)) from error
    print(f"Revoked {count} token(s) of {args.name}; their sessions have ended and they cannot "
          f"log in until `letters users enable {args.name}`.")
    return EXIT_OK


def change_user(args: argparse.Namespace, app: Letters) -> int:
    """Disable, enable, remove, change the password or role of a user, or revoke one token."""
    by, name = _operator(), args.name
    try:
        if args.action == "disable":
            app.set_disabled(name, True, by=by)
            print(f"Disabled {name}: they can no longer log in or use their tokens.")
        elif args.action == "enable":
            app.set_disabled(name, False, by=by)
            print(f"Enabled {name}.")
        elif args.action == "remove":
            app.remove_user(name, by=by)
            print(f"Removed {name}, their tokens and their sessions.")
        elif args.action == "passwd":
            app.set_password(name, read_password(), by=by)
            print(f"Set a new password for {name}; their sessions have ended.")
        elif args.action == "role":
            app.set_role(name, args.role, by=by)
            print(f"{name} is now {args.role}.")
        elif args.action == "revoke-token":
            app.revoke_token(name, args.token, by=by)
            print(f"Revoked that token of {name}.")
        else:  # tokens
            for token in app.user_tokens(name):
                print(f"{token.id}\t{token.created_at}" + (f"\t{token.label}" if token.label else ""))
    except UserError as error:
        raise UsageError(str(error)) from error
    return EXIT_OK
