"""The house's dependencies point one way (DESIGN.md "Shape"): an app imports only the apps
below it, and no two modules import each other, however deep in a function the import
sits. An app that needs something from above declares a registry instead."""

import ast
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

# Each app and the apps it may import.
BELOW = {
    "portal": set(),
    "accounts": {"portal"},
    "payments": {"portal", "accounts"},
    "licensing": {"portal", "accounts", "payments"},
    "permits": {"portal", "accounts", "payments", "licensing"},
    "inspections": {"portal", "accounts", "payments", "licensing", "permits"},
}


def _modules() -> dict[str, Path]:
    modules = {}
    for app in BELOW:
        for path in (PROJECT_ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project's modules that `path` imports, at any depth of its code."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                imported.add(submodule if submodule in modules else node.module)
    return {name for name in imported if name in modules}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    """Each of the project's modules and those it imports; read once for the three tests."""
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_no_app_imports_an_app_above_it(graph):
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if (app := module.split(".")[0]) != (other := target.split(".")[0])
        and other not in BELOW[app]
    )
    assert upward == []


def test_no_modules_import_each_other(graph):
    circles = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                circles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_the_check_sees_an_import_inside_a_function(graph):
    # The circles this test guards against were imports inside functions.
    assert "permits.services" in graph["permits.tasks"]
    assert "portal.outbox" in graph["permits.services"]
