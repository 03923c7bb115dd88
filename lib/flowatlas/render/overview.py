"""The overview: every node and flow, countries as clusters, organisations inside them."""

from __future__ import annotations

from collections.abc import Sequence

from flowatlas.analysis import Analysis
from flowatlas.findings import Finding
from flowatlas.render.atlas import FOLDER, top
from flowatlas.render.diagram import Diagram
from flowatlas.render.legend import add_legend
from flowatlas.render.parts import (
    ARROWS_PER_NODE,
    DEFAULT_MAX_NODES,
    ViewContext,
    add_clustered_nodes,
    add_flow_edges,
    arrows,
    border_crossing,
    fits,
    kinds_present,
    new_diagram,
    view_title,
)
from flowatlas.render.registry import View, register
from flowatlas.words import counted


def overview(
    a: Analysis,
    findings: Sequence[Finding] | None = None,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    provenance: bool = True,
) -> Diagram:
    """Every node and flow: jurisdictions as clusters, organisations inside them.

    Above ``max_nodes`` nodes or :data:`MAX_DRAWN_ARROWS` arrows it returns the first page of
    the atlas (:func:`flowatlas.render.atlas.top`): the summary by organisation, or by
    jurisdiction when even that is too big, each box linked to its page in ``atlas/``, and
    says so in the diagram's title.
    ``provenance=False`` leaves file:line out of tooltips.
    """
    m = a.map
    n_arrows = arrows(m.flows.values())
    if not fits(len(m.nodes), n_arrows, max_nodes):
        too = f"{len(m.nodes)} nodes" if len(m.nodes) > max_nodes else f"{n_arrows} arrows"
        bound = f"max_nodes={max_nodes}, {ARROWS_PER_NODE * max_nodes} arrows"
        note = (
            f"collapsed: {too} is more than one drawing holds ({bound}), "
            f"so this is the map by {{by}}{{why}}: click a box to open its page"
        )
        return top(a, findings, provenance=provenance, prefix=f"{FOLDER}/", note=note, name="overview")[1]
    ctx = ViewContext.make(a, findings, provenance)
    crossing = [cb for f in m.flows.values() if (cb := border_crossing(a, f))]
    leave = sum(1 for a, _ in crossing if a == m.home)
    enter = sum(1 for _, b in crossing if b == m.home)
    flagged = sum(1 for f in m.flows.values() if ctx.by_flow.get(f.id))
    extra = [
        f"{counted(len(m.nodes), 'node')}, {counted(len(m.flows), 'flow')}, {counted(flagged, 'flow')} with findings",
        f"{counted(len(crossing), 'cross-border flow')} (thick dashed): {leave} leave {m.home}, "
        f"{len(crossing) - leave - enter} onward abroad, {enter} enter {m.home}",
    ]
    if findings is None:
        extra.append("not audited: colours show no findings")
    g = new_diagram("overview", view_title(m, "overview", ctx, extra), m)
    add_clustered_nodes(g, ctx, m.nodes)
    add_flow_edges(g, ctx, m.flows.values())
    add_legend(g, m.home, kinds=kinds_present(m, m.nodes))
    return g


def _draw(a: Analysis, arg: str, findings: Sequence[Finding] | None, *, max_nodes: int, provenance: bool) -> Diagram:
    return overview(a, findings, max_nodes=max_nodes, provenance=provenance)


VIEW = register(
    View(
        "overview",
        "every node and flow; countries as clusters, organisations inside them (the summary above --max-nodes)",
        draw=_draw,
        rank=10,
    )
)


__all__ = ["VIEW", "overview"]
