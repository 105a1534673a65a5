"""A fixity report as an auditor reads it: for each problem, which letter, what is wrong, what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from letters.errors import NotFound
from letters.models import Letter
from letters.service import Letters

#: The kinds of problem fixity reports, recognised by a phrase of their sentence (first match).
KINDS = (("altered", "has been altered"), ("original_missing", "the original is missing"),
         ("unexpected", "unexpected file"), ("unreadable", "cannot be read"),
         ("missing", "is missing"))


@dataclass
class ProblemView:
    """One problem: the letter (when the archive still knows it), the file, the kind, the sentence."""

    id: str | None
    path: str
    problem: str
    kind: str
    letter: Letter | None


def kind_of(sentence: str) -> str:
    """The kind of a fixity problem ('other' when its sentence is not one of KINDS)."""
    return next((kind for kind, phrase in KINDS if phrase in sentence), "other")


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
        sentence = str(problem.get("problem") or "")
        views.append(ProblemView(ident, str(problem.get("path") or ""), sentence,
                                 kind_of(sentence), letter))
    return views
