"""The module structure ARCHITECTURE.md draws: one-way imports, and the walls between the parts.

Every import of a halnav module is counted, at any depth and under ``TYPE_CHECKING`` too: an
import cycle dodged by a function-level or type-only import is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "halnav"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(module: str, is_package: bool, node: ast.ImportFrom, known: set[str]) -> list[str]:
    """The halnav modules a ``from ... import ...`` imports: ``from . import _json`` imports
    the module ``_json``; ``from ._json import loads`` the module holding ``loads``."""
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    submodules = [f"{target}.{alias.name}" for alias in node.names]
    found = [name for name in submodules if name in known]
    if len(found) < len(submodules):  # some names are attributes of ``target`` itself
        found.append(target)
    return [name for name in found if name.startswith("halnav")]


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports() -> dict[str, set[str]]:
    """module -> the halnav modules it imports (anywhere in it)."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                candidates = resolve(name, path.name == "__init__.py", node, set(known))
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            targets |= {c for c in candidates if c in known and c != name}
        graph[name] = targets
    return graph


def function_level_imports() -> list[str]:
    found = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for inner in ast.walk(node):
                if _imports_halnav(inner):
                    found.append(f"{name}:{getattr(inner, 'lineno', 0)}")
    return found


def _imports_halnav(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return bool(node.level) or (node.module or "").startswith("halnav")
    if isinstance(node, ast.Import):
        return any(alias.name.startswith("halnav") for alias in node.names)
    return False


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_among_halnavs_modules():
    assert cycles(imports()) == []


def test_no_function_level_import_of_a_halnav_module():
    assert function_level_imports() == []


@pytest.mark.parametrize(
    ("part", "forbidden"),
    [
        ("halnav._", ("halnav.bootic", "halnav.cli", "halnav.sandbox")),
        ("halnav.bootic", ("halnav.cli", "halnav.sandbox")),
        ("halnav.sandbox", ("halnav._", "halnav.bootic", "halnav.cli")),
    ],
)
def test_the_walls_between_the_parts_hold(part, forbidden):
    graph = imports()
    crossing = {
        module: sorted(t for t in targets if t.startswith(forbidden))
        for module, targets in graph.items()
        if module.startswith(part) and module != "halnav.__main__"  # the command's entry point
    }
    assert {module: targets for module, targets in crossing.items() if targets} == {}


def test_the_core_flows_one_way():
    """document -> resource -> link -> request -> document: the resource knows no client."""
    graph = imports()
    assert "halnav._client" not in graph["halnav._resource"]
    assert "halnav._resource" not in graph["halnav._cache_stores"]
    assert "halnav._resource" not in graph["halnav._cache_rules"]
    assert "halnav._resource" not in graph["halnav._pagination"]
    bottom = ("halnav._json", "halnav._redact", "halnav._version")
    for module in bottom:
        assert graph[module] == set(), module
    assert graph["halnav._exceptions"] == {"halnav._redact"}
