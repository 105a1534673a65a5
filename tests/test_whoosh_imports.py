"""Only the engine modules may import their engine: Whoosh and Tantivy stay behind one API."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def whoosh_importers(root: Path, package: str = "whoosh") -> set[str]:
    """The modules under root (paths relative to it) that import `package` in any way."""
    found: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif (isinstance(node, ast.Call) and _called(node) in ("__import__", "import_module")
                  and node.args and isinstance(node.args[0], ast.Constant)):
                names = [str(node.args[0].value)]
            if any(name == package or name.startswith(package + ".") for name in names):
                found.add(path.relative_to(root).as_posix())
    return found


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def test_exactly_one_module_imports_whoosh() -> None:
    assert whoosh_importers(SRC) == {"letters/search/index/whoosh_engine.py"}


def test_exactly_one_module_imports_tantivy() -> None:
    assert whoosh_importers(SRC, "tantivy") == {"letters/search/index/tantivy_engine.py"}


def test_only_the_web_imports_fastapi_or_starlette() -> None:
    """Domain modules never import the web framework (README: 'Domain modules never import FastAPI')."""
    for framework in ("fastapi", "starlette"):
        importers = whoosh_importers(SRC, framework)
        assert "letters/web/app.py" in importers
        assert {path for path in importers if not path.startswith("letters/web/")} == set(), framework


def test_the_scan_sees_every_form_of_import(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import whoosh\n")
    (tmp_path / "b.py").write_text("from whoosh.qparser import QueryParser\n")
    (tmp_path / "c.py").write_text("def f():\n    import whoosh.index as ix\n")
    (tmp_path / "d.py").write_text("m = __import__('whoosh')\n")
    (tmp_path / "e.py").write_text("import importlib\nimportlib.import_module('whoosh.index')\n")
    (tmp_path / "f.py").write_text("import whooshy\nfrom . import whoosh\n")
    assert whoosh_importers(tmp_path) == {"a.py", "b.py", "c.py", "d.py", "e.py"}


def test_the_scan_sees_tantivy_imports(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import tantivy\n")
    (tmp_path / "b.py").write_text("from tantivy import Query\n")
    (tmp_path / "c.py").write_text("import tantivy_extra\n")
    assert whoosh_importers(tmp_path, "tantivy") == {"a.py", "b.py"}
