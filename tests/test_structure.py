"""The package's shape: stages that import only the stages below them, no circle, no module past ~500 lines.

The house rules of the README's development page (docs/development.md), checked on every run so that
the layout cannot drift: read from the source with Python's own parser, nothing imported.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "convcalc"
MAX_LINES = 500

# Which stage a module belongs to, and the stages each may import (its own included). The base is
# the arithmetic every stage shares; the CLI and the package's facade may import anything.
BASE = {"errors", "limits", "arith", "shapes", "symbols", "textbook", "version"}
COMPUTING = {"engine", "costs", "receptive", "flops", "symbolic", "loading"}
ALLOWED = {
    "base": {"base"},
    "layers": {"base", "layers"},
    "spec": {"base", "layers", "spec"},
    "computing": {"base", "layers", "spec", "computing"},
    "render": {"base", "layers", "spec", "computing", "render"},
    "homework": {"base", "layers", "spec", "computing", "render", "homework"},
    "frameworks": {"base", "layers", "spec", "computing", "frameworks"},
}
# Third-party packages the core must not load: the CLI's and the terminal table's own.
CLI_ONLY = {"click": {"cli"}, "rich": {"render", "cli"}}


def modules() -> dict[str, Path]:
    """'spec.build' -> its file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def stage(module: str) -> str | None:
    top = module.split(".")[0]
    if top in BASE:
        return "base"
    if top in COMPUTING:
        return "computing"
    if top in ALLOWED:
        return top
    return None  # cli, api, schema, __init__, __main__: free


def imports(module: str, path: Path) -> set[str]:
    """The package modules (and third-party tops) a module imports, at any depth of its code."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
                names = [target] if node.module else [f"{target}.{a.name}".strip(".") for a in node.names]
                found.update(names)
            else:
                found.add("!" + (node.module or "").split(".")[0])
        elif isinstance(node, ast.Import):
            found.update("!" + alias.name.split(".")[0] for alias in node.names)
    return found


MODULES = modules()


def _resolve(target: str) -> str | None:
    """The package module a dotted import names (a name imported from a package resolves to the package)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target if target in MODULES else None  # '': the package's own __init__ (from .. import __version__)


GRAPH = {m: {r for t in imports(m, p) if not t.startswith("!") for r in [_resolve(t)] if r is not None and r != m}
         for m, p in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_500_lines(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"convcalc/{module}: {lines} lines; split it along its jobs"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if stage(m)))
def test_a_stage_imports_only_the_stages_below_it(module):
    own = stage(module)
    wrong = sorted(t for t in GRAPH[module] if stage(t) and stage(t) not in ALLOWED[own])
    assert wrong == [], f"{module} ({own}) imports {wrong}"


@pytest.mark.parametrize("package, allowed", sorted(CLI_ONLY.items()))
def test_click_and_rich_stay_out_of_the_core(package, allowed):
    users = sorted(m for m, p in MODULES.items() if "!" + package in imports(m, p))
    assert [m for m in users if m.split(".")[0] not in allowed] == []


def test_no_import_circle():
    """Every import (lazy ones inside functions included) points one way: a circle is a tangle."""
    # an import of a package's __init__ from inside it is not a circle of the code it holds
    edges = {m: {t for t in targets if not m.startswith(t + ".")} for m, targets in GRAPH.items()}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = 2
        path.pop()
        return None

    for module in sorted(edges):
        if module not in state:
            circle = visit(module)
            assert circle is None, " -> ".join(circle)


PACKAGES = sorted(m for m, p in MODULES.items() if p.name == "__init__.py" and m)


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_says_what_its_stage_does_and_may_import(package):
    """The first two lines of a folder's __init__ docstring: what the stage does, then 'May import …'."""
    docstring = ast.get_docstring(ast.parse(MODULES[package].read_text(encoding="utf-8"))) or ""
    lines = docstring.splitlines()
    assert len(lines) >= 2 and lines[0].strip() and lines[1].startswith("May import"), f"convcalc/{package}/__init__.py: {lines[:2]}"
