"""Views of a map as :class:`graphviz.Digraph` objects (shown inline as SVG in JupyterLab).

Every view takes the map's :class:`~flowatlas.analysis.Analysis` and the findings to show
(``list[Finding] | None``) and never runs the audit itself, so the caller analyses and audits
once and draws many views. One module per view; each registers itself in
:data:`~flowatlas.render.registry.VIEW_REGISTRY`:

* :func:`overview`: jurisdictions as clusters, organisations inside them, every flow;
* :func:`lineage`: where one information type (and its subtypes) goes, from collection on;
* :func:`findings_view`: only the nodes and flows that findings touch, edges marked with rules;
* :func:`summary`: one box per organisation or jurisdiction with flow and type counts;
* :func:`~flowatlas.render.focus.focus`: one node's neighbourhood (``focus:NODE[:DEPTH]``);
* :func:`~flowatlas.render.focus.organisation`: one organisation and its counterparts.

>>> from flowatlas.analysis import Analysis
>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> stem, diagram = build_view(Analysis(load_texts(EXAMPLE)), "lineage:email")
>>> stem, diagram.name
('lineage-email', 'lineage-email')
"""

from __future__ import annotations

from collections.abc import Sequence

from flowatlas.analysis import Analysis
from flowatlas.findings import Finding

# the view modules: importing one registers its views (VIEW_REGISTRY)
from flowatlas.render import findings_view as findings_view_module  # noqa: F401
from flowatlas.render import focus as focus_module  # noqa: F401
from flowatlas.render import lineage as lineage_module  # noqa: F401
from flowatlas.render import overview as overview_module  # noqa: F401
from flowatlas.render import summary as summary_module  # noqa: F401
from flowatlas.render.diagram import Diagram
from flowatlas.render.findings_view import findings_view
from flowatlas.render.lineage import lineage
from flowatlas.render.overview import overview
from flowatlas.render.parts import (
    DEFAULT_MAX_NODES,
    SUMMARY_LIST,
    country_name,
    type_lines,
)
from flowatlas.render.registry import VIEW_REGISTRY, parse_spec, view_help, view_specs
from flowatlas.render.summary import SUBJECTS, UNLOCATED, summary


def build_view(
    a: Analysis,
    spec: str,
    findings: Sequence[Finding] | None = None,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    provenance: bool = True,
) -> tuple[str, Diagram]:
    """``(file stem, diagram)`` of a view spec such as ``overview`` or ``lineage:email``, drawn
    from the map's analysis ``a`` with ``findings``; raises :class:`~flowatlas.errors.UsageError`
    for an unknown view."""
    v, arg = parse_spec(spec)
    return v.stem(arg), v.draw(a, arg, findings, max_nodes=max_nodes, provenance=provenance)


#: View specs the CLI and notebooks accept (``lineage:TYPE`` takes a type id).
VIEWS: tuple[str, ...] = tuple(v.spec for v in VIEW_REGISTRY.values())

__all__ = [
    "DEFAULT_MAX_NODES",
    "SUBJECTS",
    "SUMMARY_LIST",
    "UNLOCATED",
    "VIEWS",
    "VIEW_REGISTRY",
    "build_view",
    "country_name",
    "findings_view",
    "lineage",
    "overview",
    "parse_spec",
    "summary",
    "type_lines",
    "view_help",
    "view_specs",
]
