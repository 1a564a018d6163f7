"""The atlas package's structure: one-way imports, no optional first-party modules, small files."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

import exobone.atlas

ATLAS = Path(exobone.atlas.__file__).resolve().parent
SOURCES = sorted(ATLAS.rglob("*.py"))
MAX_LINES = 700


def _module_name(path: Path) -> str:
    parts = ["exobone", "atlas", *path.relative_to(ATLAS).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in SOURCES}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, package: str) -> set[str]:
    """Modules ``path`` imports anywhere (also inside functions), except under TYPE_CHECKING.

    ``from a import b`` counts as importing ``a`` and ``a.b`` (``b`` may be a submodule);
    relative imports are resolved against ``package``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _package_of(path: Path) -> str:
    name = _module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def test_no_import_cycle_in_the_atlas_package():
    graph = {
        name: (_imports(path, _package_of(path)) & MODULES.keys()) - {name}
        for name, path in MODULES.items()
    }
    # a package's __init__ re-exporting its submodules is not a knot: drop package -> child edges
    graph = {n: {d for d in deps if not d.startswith(n + ".")} for n, deps in graph.items()}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle in exobone.atlas: {' -> '.join(exc.args[1])}")


def test_the_cycle_check_sees_imports_inside_functions(tmp_path):
    # guards the guard: a function-level import counts, a TYPE_CHECKING one does not
    src = tmp_path / "m.py"
    src.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from exobone.atlas import query\n"
        "def f():\n    from .store import Store\n",
        encoding="utf-8",
    )
    found = _imports(src, "exobone.atlas")
    assert "exobone.atlas.store" in found
    assert "exobone.atlas.query" not in found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ATLAS)))
def test_no_optional_first_party_imports_and_no_loads_by_name(path):
    text = path.read_text(encoding="utf-8")
    assert "except ImportError" not in text
    assert "import_module(" not in text and "find_spec(" not in text


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ATLAS)))
def test_no_source_file_over_the_line_limit(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES
