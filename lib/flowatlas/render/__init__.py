"""Diagrams of a map for architects and notebooks (graphviz).

Views return :class:`graphviz.Digraph` objects (:class:`Diagram`), which JupyterLab shows
inline as SVG; :func:`to_svg` and :func:`write` render them with a time limit, fallback
layouts and a check that every requested edge was drawn.

>>> from flowatlas import load_map
>>> from flowatlas.render import overview, lineage, write    # doctest: +SKIP
>>> m = load_map("dataflows/absoloop")                         # doctest: +SKIP
>>> write(overview(m), "outputs/diagrams", "overview", "svg,png")  # doctest: +SKIP
"""

from flowatlas.render.diagram import Diagram
from flowatlas.render.files import FORMATS, parse_formats, render, source, to_png, to_svg, write
from flowatlas.render.run import ATTEMPTS, Attempt, EdgeCountError, Layout, RenderError, layout
from flowatlas.render.views import (
    DEFAULT_MAX_NODES,
    VIEWS,
    build_view,
    findings_view,
    lineage,
    overview,
    summary,
)

__all__ = [
    "ATTEMPTS",
    "DEFAULT_MAX_NODES",
    "FORMATS",
    "VIEWS",
    "Attempt",
    "Diagram",
    "EdgeCountError",
    "Layout",
    "RenderError",
    "build_view",
    "findings_view",
    "layout",
    "lineage",
    "overview",
    "parse_formats",
    "render",
    "source",
    "summary",
    "to_png",
    "to_svg",
    "write",
]
