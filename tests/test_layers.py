"""Imports run one way (model -> map -> analysis -> audit/evidence -> views/exports -> report/CLI).

The layers are import-linter contracts in pyproject.toml ([tool.importlinter]); ``./run.sh test``
runs ``lint-imports``. These tests show the contract is live (an upward import planted in a copy
of the package breaks it), that nothing closes an import circle, and that no module imports
another of the package inside a function, but for the command-line entry points, which import
a command's modules only when it runs (so ``flowatlas --help`` loads no pandas or networkx).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lib" / "flowatlas"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

#: Modules that import the package's modules on first use, for start-up time: the CLI's entry
#: points (the package's own lazy names, PEP 562, go through importlib).
LAZY = {"flowatlas/cli/__init__.py", "flowatlas/cli/audit.py", "flowatlas/cli/reconcile.py",
        "flowatlas/cli/render.py", "flowatlas/report/cli.py"}  # fmt: skip


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env={"PYTHONPATH": str(root / "lib"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_layer_contracts_hold():
    r = _lint(ROOT)
    assert r.returncode == 0, r.stdout[-3000:]
    assert "2 kept, 0 broken" in r.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    """A copy of the package whose map (a lower layer) imports the audit (a higher one)."""
    copy = tmp_path / "repo"
    shutil.copytree(PACKAGE, copy / "lib" / "flowatlas", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    atlas = copy / "lib" / "flowatlas" / "atlas.py"
    text = atlas.read_text("utf-8")
    atlas.write_text(text + "\n\ndef _up():\n    from flowatlas.audit import audit\n\n    return audit\n", "utf-8")
    r = _lint(copy)
    assert r.returncode != 0
    assert "flowatlas.atlas -> flowatlas.audit" in r.stdout


def test_no_import_circle():
    graph = grimp.build_graph("flowatlas")
    G = nx.DiGraph((m, imported) for m in graph.modules for imported in graph.find_modules_directly_imported_by(m))
    assert [sorted(c) for c in nx.strongly_connected_components(G) if len(c) > 1] == []


def _imports_in_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "flowatlas":
                found.append(f"{fn.name}: from {node.module}")
            elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "flowatlas" for a in node.names):
                found.append(f"{fn.name}: import {node.names[0].name}")
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(PACKAGE.parent).as_posix())
def test_no_module_imports_another_inside_a_function(path):
    rel = path.relative_to(PACKAGE.parent).as_posix()
    found = _imports_in_functions(path)
    if rel in LAZY:
        return
    assert found == [], f"{rel} imports inside functions: {found}"


def test_the_lazy_modules_do_import_on_first_use():
    """The allow-list is no blanket: each module on it does import lazily (else it should go)."""
    for rel in sorted(LAZY):
        assert _imports_in_functions(PACKAGE.parent / rel), rel


def test_every_module_is_in_a_layer():
    """A module outside every layer would escape the contract: each top-level module and
    subpackage of flowatlas is named in one layer."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    listed = {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}
    graph = grimp.build_graph("flowatlas")
    tops = {".".join(m.split(".")[:2]) for m in graph.modules if m != "flowatlas"}
    assert sorted(tops - listed) == []
