"""Graph questions a privacy officer asks, one function each (plain functions over a map).

* :func:`where_type_goes` — where information type T ends up: stores, organisations, countries,
  each with a path (type-aware: only flows carrying T or a subtype are followed).
* :func:`breach_impact` — what a breach of node X exposes: the types and subjects it holds, the
  nodes its data came from (upstream) and the nodes its data goes on to (downstream).
* :func:`erase_scope` — every store an erase request for a subject category must reach, and
  whether it does.
* :func:`coverage_matrix` — information type × recipient organisation, the worst disclosure
  class of the flows in each cell.

>>> from flowatlas import load_map                                  # doctest: +SKIP
>>> m = load_map("dataflows/absoloop")                              # doctest: +SKIP
>>> where_type_goes(m, "password").countries                        # doctest: +SKIP
('SG', 'US')
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from operator import attrgetter

from flowatlas.atlas import Map
from flowatlas.audit.disclosure import classify, resolve_policy, worst
from flowatlas.audit.facts import facts
from flowatlas.errors import UsageError
from flowatlas.graph import build_graph, carriers, reach
from flowatlas.model import Policy

_FLOW_ID = attrgetter("id")


def _need(m: Map, what: str, key: str, table) -> None:
    if key not in table:
        from flowatlas.loader import did_you_mean

        hint = did_you_mean(key, table)
        raise UsageError(f"unknown {what} '{key}'" + (f" ({hint})" if hint else ""))


def _node_path(m: Map, start: str, flows: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return (start, *(m.flows[f].target for f in flows)) if flows else (start,)


@dataclass(frozen=True)
class TypeReach:
    """Where one information type goes: every node reached with one shortest path to it."""

    type: str
    paths: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)  # node -> (nodes, flows)
    stores: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()

    def frame(self, m: Map):
        """One row per node reached: kind, organisation, role, country, hops, node path, flows."""
        import pandas as pd

        rows = []
        fx = facts(m)
        for nid, (nodes, flows) in self.paths.items():
            n = m.nodes[nid]
            rows.append(
                {
                    "node": nid,
                    "name": n.name,
                    "kind": n.kind,
                    "organisation": n.owner or "",
                    "role": fx.role(nid),
                    "country": n.jurisdiction or "",
                    "hops": len(flows),
                    "path": " > ".join(nodes),
                    "flows": ", ".join(flows),
                }
            )
        cols = ["node", "name", "kind", "organisation", "role", "country", "hops", "path", "flows"]
        return pd.DataFrame(rows, columns=cols)


def where_type_goes(m: Map, type_id: str) -> TypeReach:
    """Every node ``type_id`` (or a subtype) reaches from where it is collected, with a path each."""
    _need(m, "information type", type_id, m.types)
    got = reach(build_graph(m), m, type_id)
    paths: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for nid, flows in got.items():
        start = m.flows[flows[0]].source if flows else nid
        paths[nid] = (_node_path(m, start, flows), tuple(flows))
    nodes = [m.nodes[n] for n in paths]
    return TypeReach(
        type=type_id,
        paths=paths,
        stores=tuple(sorted(n.id for n in nodes if n.kind == "store")),
        organisations=tuple(sorted({n.owner for n in nodes if n.owner})),
        countries=tuple(sorted({n.jurisdiction for n in nodes if n.jurisdiction})),
    )


@dataclass(frozen=True)
class Impact:
    """What a breach of one node exposes."""

    node: str
    types: tuple[str, ...]
    subjects: tuple[str, ...]
    upstream: tuple[str, ...]  # nodes whose data flows (directly or not) into the node
    downstream: dict[str, tuple[str, ...]]  # node -> node path from the breached node
    organisations: tuple[str, ...]
    countries: tuple[str, ...]
    upstream_types: tuple[str, ...] = ()  # types on the upstream flows walked
    downstream_types: tuple[str, ...] = ()  # the node's types that travel on downstream
    downstream_subjects: tuple[str, ...] = ()  # subject categories whose data reaches the downstream nodes


def breach_impact(m: Map, node_id: str) -> Impact:
    """Types and subjects exposed by a breach of ``node_id``; where that data came from and goes.

    Downstream follows, for each type the node holds or emits, only the flows carrying that type;
    upstream walks backwards over the flows that carry one of those types (or a broader or
    narrower one). Subjects are every category whose data can reach the node (see
    :meth:`~flowatlas.audit.facts.Facts.subjects_at`: conservative, narrowed by ``flow.subjects``).
    """
    _need(m, "node", node_id, m.nodes)
    fx = facts(m)
    types = sorted(fx.held(node_id) | fx.emitted(node_id))
    g = build_graph(m)
    down: dict[str, tuple[str, ...]] = {}
    down_types: set[str] = set()
    for t in types:
        for nid, flows in reach(g, m, t, sources=[node_id]).items():
            if nid != node_id:
                down_types.add(t)
                if nid not in down:
                    down[nid] = _node_path(m, node_id, flows)
    related: set[str] = set()
    for t in types:
        related.update(m.type_tree.ancestors(t))
        related.update(m.type_tree.descendants(t))
    up_types: set[str] = set()
    seen = {node_id}
    queue = deque([node_id])
    while queue:
        cur = queue.popleft()
        for f in sorted(fx.in_records.get(cur, ()), key=_FLOW_ID):
            src = f.source
            carried = related.intersection(f.types)
            if carried:
                up_types.update(carried)
            if src not in seen and carried:
                seen.add(src)
                queue.append(src)
    for src in fx.copy_sources(node_id):
        seen.add(src)
    upstream = tuple(sorted(seen - {node_id}))
    touched = [node_id, *upstream, *down]
    return Impact(
        node=node_id,
        types=tuple(types),
        subjects=tuple(sorted(fx.subjects_at(node_id))),
        upstream=upstream,
        downstream=dict(sorted(down.items())),
        organisations=tuple(sorted({o for n in touched if (o := m.nodes[n].owner)})),
        countries=tuple(sorted({c for n in touched if (c := m.nodes[n].jurisdiction)})),
        upstream_types=tuple(sorted(up_types)),
        downstream_types=tuple(sorted(down_types)),
        downstream_subjects=tuple(sorted({s for n in down for s in fx.subjects_at(n)})),
    )


def erase_scope(m: Map, subject: str):
    """Every store holding data of ``subject`` (or a narrower category): does an erase request reach it?

    Returns a DataFrame: store, name, organisation, country, copy_of, erase (True/False/None),
    reached (erase is True), sorted with the unreached first.
    """
    import pandas as pd

    _need(m, "data subject", subject, m.subjects)
    fx = facts(m)
    below = m.subject_tree.descendants(subject)
    rows = []
    for nid, n in m.nodes.items():
        if n.kind != "store" or not (fx.subjects_at(nid) & below):
            continue
        copies = fx.copy_sources(nid)
        rows.append(
            {
                "store": nid,
                "name": n.name,
                "organisation": n.owner or "",
                "country": n.jurisdiction or "",
                "copy_of": copies[0] if copies else "",
                "erase": n.erase,
                "reached": n.erase is True,
            }
        )
    df = pd.DataFrame(rows, columns=["store", "name", "organisation", "country", "copy_of", "erase", "reached"])
    return df.sort_values(["reached", "store"], kind="stable").reset_index(drop=True)


def coverage_matrix(m: Map, policy: str | Policy | None = None):
    """Information type × recipient organisation: the worst disclosure class of the flows into
    that organisation carrying that type (all dimensions of each flow count; type-dimension
    verdicts count for their own type only). Empty cells are None."""
    import pandas as pd

    pol = resolve_policy(m, policy)
    verdicts = classify(m, pol)
    cells: dict[tuple[str, str], list[str]] = {}
    for fid, f in m.flows.items():
        org = m.nodes[f.target].owner
        if org is None:
            continue
        vs = verdicts.get(fid, ())
        common = [v.disclosure for v in vs if v.dimension != "type"]
        for t in f.types:
            own = [v.disclosure for v in vs if v.dimension == "type" and v.item == t]
            cells.setdefault((t, org), []).extend(common + own)
    types = sorted({t for t, _ in cells})
    orgs = sorted({o for _, o in cells})
    data = {o: [worst(cells.get((t, o), ())) for t in types] for o in orgs}
    df = pd.DataFrame(data, index=pd.Index(types, name="type"), columns=pd.Index(orgs, name="organisation"))
    return df


__all__ = ["Impact", "TypeReach", "breach_impact", "carriers", "coverage_matrix", "erase_scope", "where_type_goes"]
