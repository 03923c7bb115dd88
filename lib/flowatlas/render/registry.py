"""The view registry: each diagram view registers itself with :func:`view`, beside its code.

Each view module registers its view in one line beside its code (``register(VIEW)``), with the
rank it is listed at; :mod:`flowatlas.render.views` imports the view modules. The registry
drives ``flowatlas render --view`` (its help and its checks), the diagrams the report's notebook
writes (:func:`view_specs`), and the table in docs/diagrams.md.

A view spec is the view's id, optionally followed by ``:`` and a parameter: ``overview``,
``lineage:email``, ``summary:jurisdiction``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from flowatlas.analysis import Analysis
from flowatlas.errors import UsageError
from flowatlas.findings import Finding
from flowatlas.render.diagram import Diagram


class Draw(Protocol):
    def __call__(
        self, a: Analysis, arg: str, findings: Sequence[Finding] | None, *, max_nodes: int, provenance: bool
    ) -> Diagram: ...


@dataclass(frozen=True)
class View:
    """One registered view."""

    id: str
    title: str  # what it shows, in one line (CLI help, docs)
    draw: Draw
    rank: int  # where the CLI, the notebooks and the docs list it (smallest first)
    parameter: str = ""  # what follows "id:" ("TYPE"), or "" when the view takes none
    choices: tuple[str, ...] = ()  # the allowed parameters, when they are a closed list (first: default)

    @property
    def spec(self) -> str:
        """How the CLI help writes it: ``overview``, ``lineage:TYPE``, ``summary[:organisation|:jurisdiction]``."""
        if self.choices:
            return f"{self.id}[{'|'.join(':' + c for c in self.choices)}]"
        return f"{self.id}:{self.parameter}" if self.parameter else self.id

    def stem(self, arg: str) -> str:
        """The file name (without extension) of the view drawn with parameter ``arg``."""
        if self.choices:
            return f"{self.id}-{arg or self.choices[0]}"
        return f"{self.id}-{arg.replace(':', '-')}" if self.parameter else self.id


#: Every view, in the order of their ranks.
VIEW_REGISTRY: dict[str, View] = {}


def register(view: View) -> View:
    """Add ``view`` to the registry, listed by its rank; returns it."""
    if view.id in VIEW_REGISTRY and VIEW_REGISTRY[view.id] is not view:
        raise ValueError(f"a view '{view.id}' is registered already")  # pragma: no cover - a programming error
    VIEW_REGISTRY[view.id] = view
    ordered = sorted(VIEW_REGISTRY.values(), key=lambda v: (v.rank, v.id))
    VIEW_REGISTRY.clear()
    VIEW_REGISTRY.update((v.id, v) for v in ordered)
    return view


def view_help() -> str:
    """The views as the CLI lists them: ``overview | lineage:TYPE | findings | summary[...]``."""
    return " | ".join(v.spec for v in VIEW_REGISTRY.values())


def parse_spec(spec: str) -> tuple[View, str]:
    """The view a spec names and its parameter; raises UsageError naming the known views."""
    name, _, arg = spec.partition(":")
    v = VIEW_REGISTRY.get(name)
    if v is None or (arg and not v.parameter) or (v.parameter and not v.choices and not arg):
        raise UsageError(f"unknown view '{spec}': expected one of {view_help()}")
    if v.choices and arg and arg not in v.choices:
        raise UsageError(f"unknown view '{spec}': {v.id} takes {' or '.join(v.choices)}")
    return v, arg


def view_specs(lineage_types: Sequence[str] = ()) -> list[str]:
    """Every spec of every view: each choice of a view with choices, the view once per type of
    ``lineage_types`` when it takes a type, and the others once (a view of one node or
    organisation, ``focus:NODE``, only when asked for)."""
    out: list[str] = []
    for v in VIEW_REGISTRY.values():
        if v.choices:
            out.extend(v.id if i == 0 else f"{v.id}:{c}" for i, c in enumerate(v.choices))
        elif v.parameter == "TYPE":
            out.extend(f"{v.id}:{t}" for t in lineage_types)
        elif v.parameter:  # a view of one node or organisation: drawn when asked for
            continue
        else:
            out.append(v.id)
    return out


__all__ = ["VIEW_REGISTRY", "Draw", "View", "parse_spec", "register", "view_help", "view_specs"]
