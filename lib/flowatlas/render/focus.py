"""Two views of a part of a map: one node's neighbourhood, and one organisation with its counterparts.

- ``focus:NODE[:DEPTH]``: the nodes at most DEPTH flows away from NODE (either direction; 1 by
  default), and the flows between them (networkx's ``ego_graph`` over the flow graph);
- ``organisation:ORG``: every node ORG owns, every node that exchanges data with them, and
  those flows.

>>> from flowatlas.analysis import Analysis
>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> g = focus(Analysis(load_texts(EXAMPLE)), "app")
>>> g.title.splitlines()[0]
'Example (example): focus on app (App), 1 flow away'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import networkx as nx

from flowatlas.analysis import Analysis
from flowatlas.errors import UsageError
from flowatlas.findings import Finding
from flowatlas.render.diagram import Diagram
from flowatlas.render.legend import add_legend
from flowatlas.render.parts import (
    ViewContext,
    add_clustered_nodes,
    add_flow_edges,
    kinds_present,
    new_diagram,
    view_title,
)
from flowatlas.render.registry import View, register
from flowatlas.suggest import did_you_mean
from flowatlas.words import counted

#: How far ``focus:NODE`` reaches without a depth; and the most it is allowed.
DEFAULT_DEPTH, MAX_DEPTH = 1, 6


def _part(a: Analysis, stem: str, what: str, node_ids: set[str], findings, provenance: bool, extra: Iterable[str]):
    m = a.map
    ctx = ViewContext.make(a, findings, provenance)
    fids = [f.id for f in m.flows.values() if f.source in node_ids and f.target in node_ids]
    shown = {f.id: f for fid in fids for f in ctx.by_flow.get(fid, ())}
    shown.update({f.id: f for n in node_ids for f in ctx.by_node.get(n, ())})
    countries = sorted({c for n in node_ids if (c := m.nodes[n].jurisdiction)})
    lines = [
        f"{counted(len(node_ids), 'node')}, {counted(len(fids), 'flow')}; countries: "
        + (", ".join(countries) or "none"),
        *extra,
    ]
    g = new_diagram(stem, view_title(m, what, ctx, lines, shown=list(shown.values())), m)
    add_clustered_nodes(g, ctx, node_ids)
    add_flow_edges(g, ctx, (m.flows[fid] for fid in fids))
    add_legend(g, m.home, kinds=kinds_present(m, node_ids))
    return g


def focus(
    a: Analysis,
    node: str,
    findings: Sequence[Finding] | None = None,
    *,
    depth: int = DEFAULT_DEPTH,
    provenance: bool = True,
) -> Diagram:
    """``node`` and the nodes at most ``depth`` flows away from it, with the flows between them."""
    m = a.map
    if node not in m.nodes:
        hint = did_you_mean(node, m.nodes)
        raise UsageError(f"focus: unknown node '{node}'" + (f"; {hint}" if hint else ""))
    if not 1 <= depth <= MAX_DEPTH:
        raise UsageError(f"focus: depth must be 1 to {MAX_DEPTH}, got {depth}")
    near = set(nx.ego_graph(a.graph, node, radius=depth, undirected=True).nodes)
    n = m.nodes[node]
    what = f"focus on {node} ({n.name}), {counted(depth, 'flow')} away"
    return _part(a, f"focus-{node}-{depth}", what, near, findings, provenance, [])


def organisation(
    a: Analysis, org: str, findings: Sequence[Finding] | None = None, *, provenance: bool = True
) -> Diagram:
    """Every node ``org`` owns, the nodes it exchanges data with, and those flows."""
    m = a.map
    if org not in m.organisations:
        hint = did_you_mean(org, m.organisations)
        raise UsageError(f"organisation: unknown organisation '{org}'" + (f"; {hint}" if hint else ""))
    own = {nid for nid, n in m.nodes.items() if n.owner == org}
    others = {e for f in m.flows.values() if (f.source in own) != (f.target in own) for e in (f.source, f.target)} - own
    o = m.organisations[org]
    what = f"organisation {org} ({o.name}, {o.role.replace('_', ' ')}, {o.jurisdiction}) and its counterparts"
    extra = [f"{counted(len(own), 'node')} of {org}, {counted(len(others), 'counterpart')}"]
    return _part(a, f"organisation-{org}", what, own | others, findings, provenance, extra)


def _parse_focus(arg: str) -> tuple[str, int]:
    node, _, depth = arg.partition(":")
    if not depth:
        return node, DEFAULT_DEPTH
    if not depth.isdigit():
        raise UsageError(f"focus:{arg}: the depth after the node must be a number of flows (1 to {MAX_DEPTH})")
    return node, int(depth)


def _draw_focus(a: Analysis, arg: str, findings, *, max_nodes: int, provenance: bool) -> Diagram:
    node, depth = _parse_focus(arg)
    return focus(a, node, findings, depth=depth, provenance=provenance)


def _draw_organisation(a: Analysis, arg: str, findings, *, max_nodes: int, provenance: bool) -> Diagram:
    return organisation(a, arg, findings, provenance=provenance)


FOCUS = register(
    View(
        "focus",
        "one node's neighbourhood: the nodes DEPTH flows away (default 1) and their flows",
        parameter="NODE[:DEPTH]",
        draw=_draw_focus,
        rank=50,
    )
)
ORGANISATION = register(
    View(
        "organisation",
        "one organisation's nodes, the nodes it exchanges data with, and those flows",
        parameter="ORG",
        draw=_draw_organisation,
        rank=60,
    )
)

__all__ = ["FOCUS", "ORGANISATION", "focus", "organisation"]
