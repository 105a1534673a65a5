"""Fitness tests of the layers docs/architecture.md describes: HTML is made in `letters.web` alone,
and a process builds one application object (`Letters`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "letters"
#: Elements a page or a snippet could be made of (placeholders such as <slug> or (?P<year>) are not).
ELEMENTS = ("a|abbr|article|b|body|br|button|code|dd|div|dl|dt|em|footer|form|h[1-6]|head|header|"
            "html|i|img|input|label|li|main|mark|nav|ol|option|p|pre|script|section|select|small|"
            "span|strong|sub|sup|table|td|textarea|th|time|tr|u|ul")
TAG = re.compile(rf"</?(?:{ELEMENTS})(?:\s[^<>]*)?/?>", re.IGNORECASE)


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes of a module, its classes and functions (prose may name a tag)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def html_made_in(source: str) -> list[str]:
    """The HTML tags in the string literals (f-strings too) of a module, docstrings aside."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    return [match.group(0) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
            for match in TAG.finditer(node.value)]


def test_the_detector_finds_html_and_not_placeholders() -> None:
    made = 'def f(t):\n    """A <mark> in prose."""\n    return f"<mark>{t}</mark>" + "<p class=\'x\'>"\n'
    assert sorted(html_made_in(made)) == ["</mark>", "<mark>", "<p class='x'>"]
    assert html_made_in('PATTERN = r"(?P<year>\\d{4})"\nUSAGE = "letters export <slug> <sha>"\n') == []


def test_no_module_outside_the_web_makes_html() -> None:
    found = {str(path.relative_to(SOURCE)): tags for path in sorted(SOURCE.rglob("*.py"))
             if path.relative_to(SOURCE).parts[0] != "web"
             and (tags := html_made_in(path.read_text(encoding="utf-8")))}
    assert found == {}
