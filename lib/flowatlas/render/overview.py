"""The overview: every node and flow, countries as clusters, organisations inside them."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from flowatlas.analysis import Analysis
from flowatlas.atlas import Map
from flowatlas.findings import Finding
from flowatlas.render.diagram import Diagram
from flowatlas.render.legend import add_legend
from flowatlas.render.parts import (
    DEFAULT_MAX_NODES,
    MAX_SUMMARY_EDGES,
    ViewContext,
    add_clustered_nodes,
    add_flow_edges,
    border_crossing,
    kinds_present,
    new_diagram,
    view_title,
)
from flowatlas.render.registry import View, register
from flowatlas.render.summary import SUBJECTS, summary
from flowatlas.words import counted


def overview(
    a: Analysis,
    findings: Sequence[Finding] | None = None,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    provenance: bool = True,
) -> Diagram:
    """Every node and flow: jurisdictions as clusters, organisations inside them.

    Above ``max_nodes`` nodes it returns the :func:`summary` by organisation, or by
    jurisdiction when even that is too big (more than ``max_nodes`` boxes or
    :data:`MAX_SUMMARY_EDGES` arrows), and says so in the diagram's title.
    ``provenance=False`` leaves file:line out of tooltips.
    """
    m = a.map
    if len(m.nodes) > max_nodes:
        by, why = collapse_by(m, max_nodes)
        note = (
            f"collapsed: {len(m.nodes)} nodes is more than max_nodes={max_nodes}, so this is the summary by {by}"
            f"{why}; draw lineage:TYPE or raise --max-nodes for detail"
        )
        return summary(a, by, findings, provenance=provenance, note=note)
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


def collapse_by(m: Map, max_nodes: int, flows: Collection[str] | None = None) -> tuple[str, str]:
    """``(by, why)``: organisation, or jurisdiction when the organisation summary is too large;
    of the whole map, or of ``flows`` (ids) and the nodes they join."""
    drawn = [m.flows[i] for i in flows] if flows is not None else list(m.flows.values())
    ends = {e for f in drawn for e in (f.source, f.target)} if flows is not None else m.nodes.keys()
    owner = {nid: m.nodes[nid].owner or SUBJECTS for nid in ends}
    n_orgs = len(set(owner.values()))
    if n_orgs > max_nodes:
        return "jurisdiction", f" ({n_orgs} organisation boxes would be more than {max_nodes})"
    pairs = {(a, b) for f in drawn if (a := owner[f.source]) != (b := owner[f.target])}
    if len(pairs) > MAX_SUMMARY_EDGES:
        return "jurisdiction", f" ({len(pairs)} arrows between organisations would be more than {MAX_SUMMARY_EDGES})"
    return "organisation", ""


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
