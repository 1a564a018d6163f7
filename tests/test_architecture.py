"""The package's shape, read from its source: one-way imports, no by-name loading, small files.

These checks read ``src/exobone`` with :mod:`ast` (nothing is imported), so a violation names the
file and line. Imports inside functions count: a cycle closed by a function-level import is
still a cycle. Imports under ``if TYPE_CHECKING:`` do not (they never run).
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "exobone"
MAX_LINES = 700


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node that can run: the tree without ``if TYPE_CHECKING:`` bodies."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            stack.append(child)
    return out


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _target(name: str) -> str | None:
    """The first-party module an imported dotted name lives in (longest known prefix)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> dict[str, int]:
    """First-party modules ``module`` imports at run time, with the line of the first import."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: dict[str, int] = {}
    for node in _runtime_nodes(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            # `from pkg import mod` imports pkg.mod when mod is a module
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                     for a in node.names]
        for name in names:
            target = _target(name)
            if target and target != module:
                found.setdefault(target, node.lineno)
    return found


GRAPH = {m: _imports(m) for m in MODULES}


def _edges_without_packages() -> dict[str, set[str]]:
    """Import edges, leaving out a package's own ``__init__`` re-exporting its submodules.

    ``import exobone.a.b`` runs ``exobone/a/__init__.py`` first; an ``__init__`` that re-exports
    from its own submodules is the package's face, not a layer, so edges from a package to its
    own submodules are left out (an edge *into* a package from outside it is kept).
    """
    edges: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        is_package = MODULES[module].name == "__init__.py"
        edges[module] = {t for t in targets
                         if not (is_package and t.startswith(module + "."))}
    return edges


def test_no_import_cycle() -> None:
    edges = _edges_without_packages()
    graph = nx.DiGraph([(a, b) for a, targets in edges.items() for b in targets])
    knots = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    if knots:
        lines = []
        for knot in sorted(knots):
            lines.append("knot: " + ", ".join(knot))
            lines += [f"    {a}:{GRAPH[a][b]} -> {b}" for a in knot for b in sorted(edges[a])
                      if b in knot]
        pytest.fail("import cycles:\n" + "\n".join(lines))
    graphlib.TopologicalSorter(edges).prepare()  # the same verdict from the stdlib


def test_checker_sees_a_cycle_closed_inside_a_function() -> None:
    # the checker itself: a function-level import that closes a loop must be found
    edges = {"a": {"b"}, "b": set()}
    tree = ast.parse("def f():\n    from a import x\n")
    assert any(isinstance(n, ast.ImportFrom) for n in _runtime_nodes(tree))
    edges["b"].add("a")
    with pytest.raises(graphlib.CycleError):
        graphlib.TopologicalSorter(edges).prepare()
    tree = ast.parse("if TYPE_CHECKING:\n    from a import x\n")
    assert not any(isinstance(n, ast.ImportFrom) for n in _runtime_nodes(tree))


def _calls(tree: ast.AST, *names: str) -> list[ast.Call]:
    out = []
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in names:
                out.append(node)
    return out


#: the two places that may import by name, and why:
#: - ``exobone.__getattr__``: the public API re-exported lazily (PEP 562) from a static table of
#:   names and their modules, so ``import exobone`` (and so every CLI command) does not pay for
#:   SciPy and numba; a broken module still fails loudly at first use
#:   (tests/test_public_api.py resolves every name);
#: - ``exobone.errors.require_extra``: third-party packages of an optional extra, to name the
#:   extra when one is missing (never a module of this package: checked below).
BY_NAME_ALLOWED = {("exobone", "__getattr__"), ("exobone.errors", "require_extra")}


def _functions(tree: ast.AST) -> dict[ast.AST, str]:
    """Each node inside a top-level function, mapped to that function's name."""
    owner: dict[ast.AST, str] = {}
    for fn in getattr(tree, "body", []):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                owner[node] = fn.name
    return owner


def test_no_first_party_module_loaded_by_name() -> None:
    offenders = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner = _functions(tree)
        for call in _calls(tree, "import_module", "find_spec", "__import__"):
            if (module, owner.get(call, "")) not in BY_NAME_ALLOWED:
                offenders.append(f"{path.relative_to(SRC.parent)}:{call.lineno}")
        for call in _calls(tree, "require_extra"):
            arg = call.args[0] if call.args else None
            if isinstance(arg, ast.Constant) and str(arg.value).split(".")[0] == "exobone":
                offenders.append(f"{path.relative_to(SRC.parent)}:{call.lineno} require_extra "
                                 "is for third-party modules")
    assert not offenders, "modules loaded by name (import them plainly): " + ", ".join(offenders)


def test_no_import_error_fallback() -> None:
    """``except ImportError`` only in the one helper that names a missing optional extra."""
    offenders = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ExceptHandler) or node.type is None:
                continue
            caught = ast.unparse(node.type)
            if "ImportError" in caught or "ModuleNotFoundError" in caught:
                offenders.append(f"{path.relative_to(SRC.parent)}:{node.lineno}")
    allowed = {o for o in offenders if o.startswith("exobone/errors.py:")}
    assert set(offenders) == allowed, (
        "ImportError caught outside exobone.errors.require_extra: " + ", ".join(
            sorted(set(offenders) - allowed)))


def test_no_source_file_over_the_limit() -> None:
    long = {str(p.relative_to(SRC.parent)): n for p in MODULES.values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"files over {MAX_LINES} lines: {long}"


def test_no_test_skips_a_required_dependency() -> None:
    """Tests never skip for what ``pip install -e '.[test]'`` installs, nor for our own modules."""
    tests = Path(__file__).resolve().parent
    offenders = []
    for path in sorted(tests.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _calls(tree, "importorskip"):
            offenders.append(f"{path.relative_to(tests)}:{call.lineno} importorskip")
    assert not offenders, ", ".join(offenders)
