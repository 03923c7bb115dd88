"""Views of a map as :class:`graphviz.Digraph` objects (shown inline as SVG in JupyterLab).

Every view takes the audit's findings as a parameter (``list[Finding] | None``) and never runs
the audit itself, so a notebook can audit once and draw many views. One module per view; each
registers itself in :data:`~flowatlas.render.registry.VIEW_REGISTRY`:

* :func:`overview`: jurisdictions as clusters, organisations inside them, every flow;
* :func:`lineage`: where one information type (and its subtypes) goes, from collection on;
* :func:`findings_view`: only the nodes and flows that findings touch, edges marked with rules;
* :func:`summary`: one box per organisation or jurisdiction with flow and type counts;
* :func:`~flowatlas.render.focus.focus`: one node's neighbourhood (``focus:NODE[:DEPTH]``);
* :func:`~flowatlas.render.focus.organisation`: one organisation and its counterparts.

>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> stem, diagram = build_view(load_texts(EXAMPLE), "lineage:email")
>>> stem, diagram.name
('lineage-email', 'lineage-email')
"""

from __future__ import annotations

from collections.abc import Sequence

from flowatlas.atlas import Map
from flowatlas.findings import Finding
from flowatlas.render import findings_view as _findings_view
from flowatlas.render import focus as _focus
from flowatlas.render import lineage as _lineage
from flowatlas.render import overview as _overview
from flowatlas.render import summary as _summary
from flowatlas.render.diagram import Diagram
from flowatlas.render.findings_view import findings_view
from flowatlas.render.lineage import lineage
from flowatlas.render.overview import overview
from flowatlas.render.parts import (
    DEFAULT_MAX_NODES,
    MAX_SUMMARY_EDGES,
    QUICK_LAYOUT_EDGES,
    SUMMARY_LIST,
    country_name,
    type_lines,
)
from flowatlas.render.registry import VIEW_REGISTRY, parse_spec, register, view_help, view_specs
from flowatlas.render.summary import SUBJECTS, UNLOCATED, summary

# The registry: one line per view, in the order the CLI, the notebooks and the docs list them.
register(_overview.VIEW)
register(_lineage.VIEW)
register(_findings_view.VIEW)
register(_summary.VIEW)
register(_focus.FOCUS)
register(_focus.ORGANISATION)


def build_view(
    m: Map,
    spec: str,
    findings: Sequence[Finding] | None = None,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    provenance: bool = True,
) -> tuple[str, Diagram]:
    """``(file stem, diagram)`` for a view spec such as ``overview`` or ``lineage:email``;
    raises :class:`~flowatlas.errors.UsageError` for an unknown view."""
    v, arg = parse_spec(spec)
    return v.stem(arg), v.draw(m, arg, findings, max_nodes=max_nodes, provenance=provenance)


#: View specs the CLI and notebooks accept (``lineage:TYPE`` takes a type id).
VIEWS: tuple[str, ...] = tuple(v.spec for v in VIEW_REGISTRY.values())

__all__ = [
    "DEFAULT_MAX_NODES",
    "MAX_SUMMARY_EDGES",
    "QUICK_LAYOUT_EDGES",
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
