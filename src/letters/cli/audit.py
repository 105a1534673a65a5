"""`letters audit verify`, `letters verify`, `letters export`: checking and handing over the archive.

`letters export` exits 1 with one line when the partner is unknown or has no letters (like
`letters show` for an unknown id): the command was well formed, the thing asked for is not there.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from letters.cli import EXIT_OK, EXIT_REJECTED, add_home
from letters.errors import NotFound

if TYPE_CHECKING:
    from letters.service import Letters


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `audit verify`, `verify`, `migrate` and `export`."""
    parser = subparsers.add_parser("audit", help="the audit log")
    add_home(parser)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser("verify", help="check the audit log's hash chain")
    add_home(check)
    check.set_defaults(handler=audit_verify)

    parser = subparsers.add_parser("verify", help="check the fixity of every original and that "
                                   "records, histories, texts, audit log and index agree")
    parser.add_argument("--json", action="store_true", help="the report as JSON")
    add_home(parser)
    parser.set_defaults(handler=verify)

    parser = subparsers.add_parser("migrate", help="give the histories of an archive made by an "
                                   "older version the digests verify checks (once)")
    add_home(parser)
    parser.set_defaults(handler=migrate)

    parser = subparsers.add_parser("export", help="a partner's founding-documents bundle (zip)")
    parser.add_argument("slug", metavar="SLUG")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.zip",
                        help="where to write the bundle")
    add_home(parser)
    parser.set_defaults(handler=export)


def audit_verify(args: argparse.Namespace, app: Letters) -> int:
    """Check the audit chain: exit 0 when intact, 1 naming the first broken event."""
    result = app.audit_chain()
    if result.ok:
        print(f"intact: {result.events} event{'s' if result.events != 1 else ''}")
    else:
        print(f"broken: {result.problem}")
    if result.refused:
        print(f"refused: {result.refused} write{'s' if result.refused != 1 else ''} refused "
              "because the log disagreed with its head (listed in .letters/audit-refused.jsonl)")
    return EXIT_OK if result.ok else EXIT_REJECTED


def verify(args: argparse.Namespace, app: Letters) -> int:
    """Check every original; exit 1 when anything is wrong, each problem listed."""
    from letters.preservation.fixity import Kind, advice

    report = app.verify(by=getpass.getuser())
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
    else:
        for problem in report.problems:
            print(f"problem  {problem.id or '-'}  {problem.path}: {problem.problem}")
        print(f"checked {report.checked} letter{'s' if report.checked != 1 else ''}: "
              f"{report.ok} intact, {len(report.problems)} problem"
              f"{'s' if len(report.problems) != 1 else ''}")
        kinds = sorted({problem.kind for problem in report.problems}, key=list(Kind).index)
        for kind in kinds:  # one piece of advice per kind of problem found
            print(f"to do ({kind.value}): {advice(kind)}")
    for note in report.notes:
        print(f"letters: {note}", file=sys.stderr)
    return EXIT_REJECTED if report.problems else EXIT_OK


def migrate(args: argparse.Namespace, app: Letters) -> int:
    """Give older histories the record as added and the text's digest, as one audit event."""
    done = app.migrate_histories(by=getpass.getuser())
    print(f"migrated {len(done)} letter{'s' if len(done) != 1 else ''}")
    return EXIT_OK


def export(args: argparse.Namespace, app: Letters) -> int:
    """Write a partner's founding-documents bundle."""
    from letters.preservation.originals import OriginalsAltered

    try:
        path = app.export_bundle(args.slug, args.out, by=getpass.getuser())
    except (NotFound, OriginalsAltered) as error:
        print(f"letters: {error}", file=sys.stderr)
        return EXIT_REJECTED
    except OSError as error:
        print(f"letters: the bundle could not be written to {args.out}: {error.strerror}.",
              file=sys.stderr)
        return EXIT_REJECTED
    print(path)
    return EXIT_OK
