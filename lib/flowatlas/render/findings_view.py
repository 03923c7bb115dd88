"""The findings view: only the nodes and flows that findings touch, edges marked with rules."""

from __future__ import annotations

from collections.abc import Sequence

from flowatlas.analysis import Analysis
from flowatlas.findings import Finding
from flowatlas.render.diagram import Diagram
from flowatlas.render.legend import add_legend
from flowatlas.render.parts import (
    DEFAULT_MAX_NODES,
    ViewContext,
    add_clustered_nodes,
    add_flow_edges,
    arrows,
    fits,
    kinds_present,
    new_diagram,
    view_title,
)
from flowatlas.render.registry import View, register
from flowatlas.render.summary import collapse_by, country_pages, summary
from flowatlas.render.text import shorten
from flowatlas.words import counted


def findings_view(
    a: Analysis,
    findings: Sequence[Finding],
    *,
    provenance: bool = True,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Diagram:
    """Only the nodes and flows that ``findings`` touch; each edge lists its rules. When they
    touch more than ``max_nodes`` nodes, the summary by organisation (or jurisdiction) coloured
    by the worst finding, as the overview collapses, and the title says so."""
    m = a.map
    ctx = ViewContext.make(a, findings, provenance)
    fids = sorted({fid for f in ctx.findings for fid in f.flows if fid in m.flows})
    node_ids = {n for f in ctx.findings for n in (*f.path, *f.nodes) if n in m.nodes}
    for fid in fids:
        node_ids.update((m.flows[fid].source, m.flows[fid].target))
    if not fits(len(node_ids), arrows(m.flows[fid] for fid in fids), max_nodes):
        by, why = collapse_by(m, max_nodes)
        note = (
            f"collapsed: the findings touch {len(node_ids):,} nodes by {len(fids):,} flows, more than one drawing "
            f"holds (max_nodes={max_nodes}), so this is the "
            f"summary by {by}{why}, coloured by the worst finding; draw lineage:TYPE or raise --max-nodes for detail"
        )
        g = summary(a, by, findings, provenance=provenance, note=note, links=country_pages(m, by))
        g.name = "findings"
        return g
    loose = [
        f
        for f in ctx.findings
        if not any(x in m.flows for x in f.flows) and not any(n in m.nodes for n in (*f.path, *f.nodes))
    ]
    extra = [
        f"{counted(len(ctx.findings), 'finding')} touching {counted(len(fids), 'flow')} "
        f"and {counted(len(node_ids), 'node')}"
    ]
    if loose:
        rules = sorted({f.rule for f in loose})
        extra.append(f"{counted(len(loose), 'finding')} not tied to a node or flow: {shorten(', '.join(rules), 100)}")
    if not ctx.findings:
        extra.append("no findings")
    g = new_diagram("findings", view_title(m, "findings", ctx, extra), m)
    add_clustered_nodes(g, ctx, node_ids)
    add_flow_edges(g, ctx, (m.flows[fid] for fid in fids), rules=True)
    add_legend(g, m.home, kinds=kinds_present(m, node_ids) if node_ids else ("system",))
    return g


def _draw(a: Analysis, arg: str, findings: Sequence[Finding] | None, *, max_nodes: int, provenance: bool) -> Diagram:
    return findings_view(a, findings or [], provenance=provenance, max_nodes=max_nodes)


VIEW = register(
    View("findings", "only the nodes and flows that findings touch; each edge lists its rules", draw=_draw, rank=30)
)


__all__ = ["VIEW", "findings_view"]
