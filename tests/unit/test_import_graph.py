"""The module graph: no import circles (counting imports inside functions, which only defer a
circle), and the plain libraries never reach into `orchestration/` or Dagster."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("orchestration", "sources", "exports", "expectations")
# the demo world generator: in the checkout, not in the product's wheel (pyproject.toml)
DEMO = "demo_world"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The project modules a file imports, anywhere in it (`from a import b` counts as a.b when
    a.b is a module, else as a)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
    return found


def project_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for pkg in (*PACKAGES, DEMO) for p in (ROOT / pkg).rglob("*.py")}
    known = set(files)
    return {name: imports_of(path, known) & known for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every circle, each reported once from its smallest module name."""
    found: list[list[str]] = []

    def walk(start: str, node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                found.append([*path, start])
            elif nxt > start and nxt not in path:
                walk(start, nxt, [*path, nxt])

    for start in sorted(graph):
        walk(start, start, [start])
    return found


def test_no_import_circles():
    assert cycles(project_graph()) == []


def test_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_libraries_never_import_orchestration_or_dagster():
    for pkg in ("sources", "exports", "expectations"):
        for path in (ROOT / pkg).rglob("*.py"):
            modules = imports_of(path, set())
            assert not {m for m in modules if m.split(".")[0] in {"orchestration", "dagster"}}, path


def test_the_product_reaches_the_demo_generator_through_one_module_only():
    """The wheel ships PACKAGES without demo_world: one lazy import, in
    orchestration.demo_generator, says what to do when it is missing."""
    import tomllib

    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    assert set(wheel["targets"]["wheel"]["packages"]) == set(PACKAGES)
    reaching = {
        name
        for name, imported in project_graph().items()
        if name.split(".")[0] in PACKAGES and any(m.split(".")[0] == DEMO for m in imported)
    }
    assert reaching == {"orchestration.demo_generator"}


def test_without_the_demo_generator_u2c_says_where_to_get_it(monkeypatch):
    import sys

    import pytest

    from orchestration.demo_generator import demo_generator
    from orchestration.errors import UserError

    for name in [m for m in sys.modules if m.split(".")[0] == DEMO]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, DEMO, None)  # as in an installed wheel: not importable
    with pytest.raises(UserError, match="ships with the source checkout"):
        demo_generator()
