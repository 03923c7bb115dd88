"""Notebook parameters: where relative paths resolve, and the check every notebook runs first.

A notebook's ``parameters`` cell is the source of truth for its parameters (papermill reads it);
:func:`check_parameters` turns the values a notebook received into a :class:`Session` (the map
loaded, paths resolved) or raises :class:`ParameterError` with a one-line message, which is what
both ``papermill`` and ``flowatlas report`` show to the person who passed the parameter.
"""

from __future__ import annotations

import ast
import os
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from flowatlas.analysis import Analysis
from flowatlas.assess import assess
from flowatlas.atlas import Map
from flowatlas.errors import MapValidationError, UsageError
from flowatlas.findings import SEVERITIES, Finding
from flowatlas.inert import excerpt
from flowatlas.loader import load_map
from flowatlas.suggest import did_you_mean

#: The map every notebook opens when given no parameters.
DEFAULT_MAP = "dataflows/absoloop"
#: ``previous_run`` value meaning "no earlier run: do not diff".
NO_PREVIOUS = "none"


class ParameterError(UsageError):
    """A notebook or report parameter is wrong. Shown as one line, without a traceback."""

    def _render_traceback_(self) -> list[str]:  # IPython: print this instead of a traceback
        return [f"ParameterError: {self}"]


def repo_root(start: str | os.PathLike | None = None) -> Path:
    """The checkout holding ``start`` (default: the working folder): the first folder at or
    above it that holds ``dataflows/``, else ``start`` itself. Never the installed package."""
    base = Path(start or os.getcwd()).resolve()
    for d in (base, *base.parents):
        if (d / "dataflows").is_dir():
            return d
    return base


def resolve_map_dir(map_dir: str | os.PathLike) -> Path:
    """An existing map folder (or YAML file) for ``map_dir``.

    Absolute paths are used as given. A relative path is tried against the working folder, then
    each folder above it (so ``dataflows/absoloop`` works from the repository root and from
    ``notebooks/`` in JupyterLab); never against the folder flowatlas is installed in.
    """
    text = str(map_dir).strip()
    if not text:
        raise ParameterError("map_dir is empty: give a map folder such as dataflows/absoloop")
    p = Path(text).expanduser()
    if p.is_absolute():
        if p.exists():
            return p
        raise ParameterError(f"map_dir '{text}': no such file or folder")
    cwd = Path.cwd().resolve()
    for d in (cwd, *cwd.parents):
        if (d / p).exists():
            return (d / p).resolve()
    raise ParameterError(f"map_dir '{text}': no such map folder (looked in {cwd} and the folders above it)")


def outputs_root(start: str | os.PathLike | None = None) -> Path:
    """``outputs/`` of the checkout (see :func:`repo_root`)."""
    return repo_root(start) / "outputs"


@dataclass
class Session:
    """What a notebook works on once its parameters are checked."""

    notebook: str
    map_dir: Path
    map: Map
    params: dict[str, Any] = field(default_factory=dict)
    out_dir: Path | None = None
    interactive: bool = False

    @cached_property
    def analysis(self) -> Analysis:
        """The notebook's one analysis of the map (graph, flow facts, verdicts): every cell reads it."""
        return Analysis(self.map)

    @cached_property
    def findings(self) -> list[Finding]:
        """Every finding of the map, the evidence's included (:func:`flowatlas.assess.assess`),
        most severe first, computed once."""
        return assess(self.analysis)


def _expect(name: str, value: Any, kind: type | tuple[type, ...], what: str) -> None:
    if (isinstance(value, bool) and kind is int) or not isinstance(value, kind):
        raise ParameterError(f"{name} must be {what}, got {excerpt(value)} ({type(value).__name__})")


def _frontend_attached() -> bool:
    """True in JupyterLab / Jupyter Server (which names the kernel's session); False under
    papermill, nbclient or a plain script, which get static output instead of widgets."""
    return bool(os.environ.get("JPY_SESSION_NAME"))


def display_name(path: Path) -> str:
    """How a resolved map path is named in file:line references: relative to the checkout when
    inside it (``dataflows/absoloop``), so reports do not depend on where the checkout lives."""
    root = repo_root()
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def load_checked(map_dir: str | os.PathLike):
    """Load the map at ``map_dir`` (resolved as :func:`resolve_map_dir`); a map with errors gives
    a one-line :class:`ParameterError` naming the first problem and how many there are."""
    path = resolve_map_dir(map_dir)
    try:
        return path, load_map(path, display=display_name(path))
    except MapValidationError as exc:
        n = len(exc.errors)
        first = str(exc.errors[0]) if exc.errors else "invalid map"
        more = f" (and {n - 1} more: run `flowatlas validate {map_dir}`)" if n > 1 else ""
        raise ParameterError(f"map_dir '{map_dir}' is not a valid map: {first}{more}") from None


#: The first line of the cell papermill injects after a notebook's ``parameters`` cell.
PAPERMILL_INJECTED_HEADER = "# Parameters"


def injected_names() -> list[str] | None:
    """The names papermill injected into this IPython kernel, in the order it assigned them.

    Papermill adds a cell (tagged ``injected-parameters``) after the ``parameters`` cell, whose
    Python source starts with ``# Parameters`` and assigns one name per line; the kernel's input
    history (``In``) holds its source. ``None`` outside IPython, ``[]`` when nothing was
    injected (JupyterLab, a plain run).

    >>> injected_names() is None  # not in a kernel
    True
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return None
    for source in reversed(shell.user_ns.get("In") or []):
        if source.lstrip().startswith(PAPERMILL_INJECTED_HEADER):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                return []
            return [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
                    if isinstance(t, ast.Name)]  # fmt: skip
    return []


def unknown_injected(notebook: str, declared: list[str], injected: list[str]) -> None:
    """Raise :class:`ParameterError` for the first injected name the notebook does not declare.

    >>> unknown_injected("audit", ["map_dir", "min_severity"], ["map_dir"])
    >>> unknown_injected("audit", ["map_dir", "min_severity"], ["map_dri"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    flowatlas.report.params.ParameterError: unknown parameter 'map_dri'; did you mean 'map_dir'? (audit.ipynb ...)
    """
    unknown = [name for name in injected if name not in declared]
    if unknown:
        hint = did_you_mean(unknown[0], declared)
        raise ParameterError(
            f"unknown parameter {unknown[0]!r}"
            + (f"; {hint}" if hint else "")
            + f" ({notebook}.ipynb declares {', '.join(declared)})"
        )


def _tell_terminal(notebook: str, exc: ParameterError) -> None:
    """Under papermill, write the one-line error to the kernel's own stderr, which papermill's
    process shares: the person sees it before papermill's traceback of the failed cell."""
    if not _frontend_attached() and sys.__stderr__ is not None:
        # a new line first: papermill's progress bar leaves the line open
        print(f"\nflowatlas: {notebook}.ipynb: ParameterError: {exc}", file=sys.__stderr__, flush=True)


def check_parameters(notebook: str, **params: Any) -> Session:
    """Check a notebook's parameters, load its map, and return the :class:`Session`.

    Each notebook calls this first with every parameter of its ``parameters`` cell. Known names
    are checked by type and value (a type id must exist in the map, a node must exist, ...); in a
    kernel that papermill ran, a name papermill injected that the notebook does not declare is
    refused (papermill itself only warns and runs on the defaults). A wrong value raises
    :class:`ParameterError` with one line saying which and why.

    >>> s = check_parameters("audit", map_dir="dataflows/absoloop")  # doctest: +SKIP
    """
    injected = injected_names()
    try:
        if injected:
            unknown_injected(notebook, list(params), injected)
        return _check(notebook, params)
    except ParameterError as exc:
        if injected is not None:
            _tell_terminal(notebook, exc)
        raise


def _check(notebook: str, params: dict[str, Any]) -> Session:
    map_dir = params.get("map_dir", DEFAULT_MAP)
    _expect("map_dir", map_dir, (str, os.PathLike), "a path (text)")
    path, m = load_checked(map_dir)

    def hint_for(word: str, choices) -> str:
        hint = did_you_mean(word, choices)
        return f"; {hint}" if hint else ""

    for name, value in params.items():
        if name == "lineage_type":
            _expect(name, value, str, "an information type id (text; empty for the default)")
            if value and value not in m.types:
                raise ParameterError(
                    f"{name}: no information type '{value}' in map '{m.info.id}'" + hint_for(value, m.types)
                )
        elif name == "breach_node":
            _expect(name, value, str, "a node id (text; empty for the default)")
            if value and value not in m.nodes:
                raise ParameterError(f"{name}: no node '{value}' in map '{m.info.id}'" + hint_for(value, m.nodes))
        elif name == "erase_subject":
            _expect(name, value, str, "a data-subject category id (text; empty for the default)")
            if value and value not in m.subjects:
                raise ParameterError(
                    f"{name}: no data-subject category '{value}' in map '{m.info.id}'" + hint_for(value, m.subjects)
                )
        elif name in ("min_severity", "fail_on"):
            _expect(name, value, str, f"one of {', '.join(SEVERITIES)}")
            if value not in SEVERITIES:
                raise ParameterError(f"{name} must be one of {', '.join(SEVERITIES)}, got {value!r}")
        elif name == "top_n":
            _expect(name, value, int, "a whole number")
            if value < 1:
                raise ParameterError(f"top_n must be at least 1, got {value}")
        elif name == "formats":
            _expect(name, value, str, "a comma-separated list such as 'dot,svg,png'")
            bad = sorted({f.strip() for f in value.split(",")} - {"dot", "svg", "png"})
            if bad or not value.strip():
                raise ParameterError(f"formats: unknown format(s) {', '.join(bad) or '(none)'}: use dot, svg, png")
        elif name == "lineage_types":
            _expect(name, value, str, "sensitive, all, or a comma list of information type ids")
            if value not in ("sensitive", "all"):
                ids = [t.strip() for t in value.split(",") if t.strip()]
                bad = [t for t in ids if t not in m.types]
                if bad or not ids:
                    raise ParameterError(
                        f"lineage_types: no information type '{bad[0] if bad else value}' in map '{m.info.id}'"
                        + (hint_for(bad[0], m.types) if bad else "; use sensitive, all or type ids")
                    )
        elif name == "interactive":
            _expect(name, value, bool, "True or False")
        elif name in ("out_dir", "previous_run"):
            _expect(name, value, (str, os.PathLike), "a path (text)")
            if name == "previous_run" and value and value != NO_PREVIOUS and not Path(value).is_dir():
                raise ParameterError(f"previous_run '{value}': no such run folder (or use '{NO_PREVIOUS}')")

    out = params.get("out_dir") or ""
    out_dir = Path(out).expanduser().resolve() if out else outputs_root() / m.info.id / "notebooks"
    interactive = bool(params.get("interactive", False)) and _frontend_attached()
    return Session(
        notebook=notebook, map_dir=path, map=m, params=dict(params), out_dir=out_dir, interactive=interactive
    )
