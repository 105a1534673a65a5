"""A fixity report as an auditor reads it: for each problem, which letter, what is wrong, what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from letters.errors import NotFound
from letters.fixity import Problem
from letters.messages import ENGLISH, WRITTEN, Message
from letters.models import Letter
from letters.service import Letters

#: The kinds of problem fixity reports, recognised by a phrase of their English (first match).
PHRASES = (("altered", "has been altered"), ("original_missing", "the original is missing"),
           ("unexpected", "unexpected file"), ("unreadable", "cannot be read"),
           ("missing", "is missing"))
#: Every kind of problem: the page says what to do about each (`fixity.todo.<kind>`).
ALL_KINDS = (*(kind for kind, _ in PHRASES), "other")
#: The kinds the page names in its own words (`fixity.kind.<kind>`) instead of the message.
NAMED_KINDS = ("altered", "original_missing", "unexpected")


def _by_phrase(english: str) -> str:
    return next((kind for kind, phrase in PHRASES if phrase in english), "other")


#: The kind of each problem by its code.
KINDS = {code: _by_phrase(english) for code, english in ENGLISH.items()
         if code.startswith("integrity.")}


@dataclass
class ProblemView:
    """One problem: the letter (when the archive still knows it), the file, the kind, the message."""

    id: str | None
    path: str
    problem: Message
    kind: str
    letter: Letter | None


def kind_of(problem: Message) -> str:
    """The kind of a fixity problem ('other' when it is none of KINDS)."""
    if problem.code != WRITTEN:
        return KINDS.get(problem.code, "other")
    return _by_phrase(str(problem))  # a report saved before codes


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
        views.append(ProblemView(ident, str(problem.get("path") or ""), said, kind_of(said),
                                 letter))
    return views
