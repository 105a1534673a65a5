"""A fixity report as an auditor reads it: for each problem, which letter, what is wrong, what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from letters.errors import NotFound
from letters.messages import Message
from letters.models import Letter
from letters.preservation.fixity import Kind, Problem, kind_of
from letters.service import Letters

#: Every kind of problem: the page says what to tell the administrator about each
#: (`fixity.todo.<kind>`).
ALL_KINDS = tuple(kind.value for kind in Kind)
#: The kinds the page names in its own words (`fixity.kind.<kind>`) instead of the message.
NAMED_KINDS = ("altered", "original_missing", "unexpected")


@dataclass
class ProblemView:
    """One problem: the letter (when the archive still knows it), the file, the kind, the message."""

    id: str | None
    path: str
    problem: Message
    kind: str
    letter: Letter | None


def problem_views(app: Letters, report: dict[str, Any]) -> list[ProblemView]:
    """The report's problems with their letters' records (None when a record cannot be read)."""
    views = []
    for problem in report.get("problems") or []:
        ident = problem.get("id")
        letter = None
        if ident:
            try:
                letter = app.get(ident)
            except (NotFound, ValueError, OSError):
                letter = None
        said = Problem.from_json(problem).message
        views.append(ProblemView(ident, str(problem.get("path") or ""), said,
                                 kind_of(said).value, letter))
    return views
