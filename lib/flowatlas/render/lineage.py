"""Lineage: where one information type (and its subtypes) goes, from collection on."""

from __future__ import annotations

from collections.abc import Sequence

from flowatlas.analysis import Analysis
from flowatlas.errors import UsageError
from flowatlas.findings import Finding
from flowatlas.render.diagram import Diagram
from flowatlas.render.legend import add_legend
from flowatlas.render.parts import (
    DEFAULT_MAX_NODES,
    ViewContext,
    add_clustered_nodes,
    add_flow_edge,
    arrows,
    fits,
    kinds_present,
    new_diagram,
    view_title,
)
from flowatlas.render.registry import View, register
from flowatlas.render.summary import collapse_by, country_pages, summary
from flowatlas.suggest import did_you_mean


def lineage(
    a: Analysis,
    type_id: str,
    findings: Sequence[Finding] | None = None,
    *,
    provenance: bool = True,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Diagram:
    """Where ``type_id`` and its subtypes go: from every collection point to every place reached.

    Above ``max_nodes`` places or three arrows for each (:func:`~flowatlas.render.parts.fits`)
    it returns the summary of
    those flows alone, by organisation or by jurisdiction (as the overview collapses), and its
    title says so: a lineage of thousands of places is no drawing anyone reads, and was 8-12 MB
    of SVG each on the 50,000-flow map.

    Raises :class:`~flowatlas.errors.UsageError` for an unknown type.
    """
    m = a.map
    if type_id not in m.types:
        hint = did_you_mean(type_id, m.types)
        raise UsageError(f"unknown information type '{type_id}'" + (f"; {hint}" if hint else ""))
    ctx = ViewContext.make(a, findings, provenance)
    wanted = m.type_tree.descendants(type_id)
    fids = list(a.carrying(type_id))
    node_ids = {end for fid in fids for end in (m.flows[fid].source, m.flows[fid].target)}
    has_in = {m.flows[fid].target for fid in fids}
    has_out = {m.flows[fid].source for fid in fids}
    starts = {n for n in has_out if n not in has_in or m.nodes[n].kind == "subject"}
    extras: dict[str, list[str]] = {}
    for nid in node_ids:
        if nid in starts:
            extras[nid] = ["● collected here"]
        elif nid not in has_out:
            extras[nid] = ["■ ends here"]
    t = m.types[type_id]
    if not fits(len(node_ids), arrows(m.flows[fid] for fid in fids), max_nodes):
        by, _ = collapse_by(m, max_nodes, fids)
        note = (
            f"collapsed: the lineage of {type_id} reaches {len(node_ids)} places by {len(fids)} flows, more than one "
            f"drawing holds (max_nodes={max_nodes}), so this is the summary of those flows by {by}; the inventory "
            "lists every one"
        )
        return summary(
            a, by, findings, provenance=provenance, note=note, flows=fids, name=f"lineage-{type_id}",
            what=f"lineage of {type_id} ({t.name}), summary by {by}", links=country_pages(m, by),
        )  # fmt: skip
    countries = sorted({c for n in node_ids if (c := m.nodes[n].jurisdiction)})
    orgs = sorted({o for n in node_ids if (o := m.nodes[n].owner)})
    what = f"lineage of {type_id} ({t.name})" + (f" and {len(wanted) - 1} subtypes" if len(wanted) > 1 else "")
    extra = [
        f"{len(fids)} flows, {len(node_ids)} places, {len(orgs)} organisations; reaches: "
        + (", ".join(countries) or "nowhere")
    ]
    if not fids:
        extra.append(f"no flow carries {type_id} or a subtype")
    # the title counts the findings on what this lineage draws, not the whole map's
    shown = {f.id: f for fid in fids for f in ctx.by_flow.get(fid, ())}
    shown.update({f.id: f for n in node_ids for f in ctx.by_node.get(n, ())})
    title = view_title(m, what, ctx, extra, shown=list(shown.values()))
    g = new_diagram(f"lineage-{type_id}", title, m)
    add_clustered_nodes(g, ctx, node_ids, extras, bold=frozenset(starts))
    for fid in fids:
        f = m.flows[fid]
        add_flow_edge(g, ctx, f, types=[x for x in f.types if x in wanted])
    add_legend(g, m.home, kinds=kinds_present(m, node_ids) if node_ids else ("system",))
    return g


def _draw(a: Analysis, arg: str, findings: Sequence[Finding] | None, *, max_nodes: int, provenance: bool) -> Diagram:
    return lineage(a, arg, findings, provenance=provenance, max_nodes=max_nodes)


VIEW = register(
    View(
        "lineage",
        "where one information type and its subtypes go, from collection on",
        parameter="TYPE",
        draw=_draw,
        rank=20,
    )
)


__all__ = ["VIEW", "lineage"]
