"""The map as a :class:`networkx.MultiDiGraph`, and type-aware reachability.

Node attributes (one node per map node, key = node id):

``kind``          subject | system | store
``name``          display name
``owner``         organisation id (None for subjects)
``role``          the owner's role (controller, processor, ...), "subject" for subjects
``jurisdiction``  ISO 3166-1 alpha-2 country, or None
``external``      True when the owner is neither the controller nor an affiliate
``record``        the :class:`~flowatlas.model.Node`

Edge attributes (key = flow id):

``types``         tuple of information-type ids carried
``purposes``      tuple of purpose ids
``cross_border``  True when both ends have a country and they differ
``record``        the :class:`~flowatlas.model.Flow`

Reachability follows only edges that carry the type asked for (or one of its subtypes), so
"where can ``email`` go" never walks an edge that carries only ``ip-address``.

>>> from flowatlas.loader import load_map
>>> g = build_graph(load_map("dataflows/absoloop"))  # doctest: +SKIP
>>> sorted(reach(g, m, "password"))                  # doctest: +SKIP
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import networkx as nx

from flowatlas.atlas import Map
from flowatlas.gcpause import gc_paused

INTERNAL_ROLES = frozenset({"controller", "affiliate"})


def build_graph(m: Map) -> nx.MultiDiGraph:
    """Build the flow graph of ``m`` (cached on the map: same map, same graph object).

    Treat the result as read-only; copy it (``g.copy()``) before changing it.
    """
    g = m._cache.get("graph")
    if g is not None:
        return g
    with gc_paused():  # 50,000 edges allocate ~1M objects; collections during that double the time
        g = _build(m)
    m._cache["graph"] = g
    return g


def _build(m: Map) -> nx.MultiDiGraph:
    """The graph, nodes through the public API and edges written straight into its adjacency.

    A MultiDiGraph keeps ``succ[u][v][key] = data`` with ``pred[v][u]`` the very same key dict
    (networkx's documented dict-of-dict-of-dict structure). Writing that directly is what
    ``add_edge`` does minus its per-call checks and key bookkeeping, and halves the build on a
    50,000-flow map; ``tests/test_model_graph.py`` checks the result against ``add_edge``.
    """
    g = nx.MultiDiGraph(map_id=m.info.id, name=m.info.name, controller=m.info.controller, home=m.home)
    orgs = m.organisations
    for nid, n in m.nodes.items():
        org = orgs[n.owner] if n.owner else None
        g.add_node(
            nid,
            kind=n.kind,
            name=n.name,
            owner=n.owner,
            role=org.role if org else "subject",
            jurisdiction=n.jurisdiction,
            external=bool(org and org.role not in INTERNAL_ROLES),
            record=n,
        )
    succ, pred = g._succ, g._pred
    # one lookup per end of a flow: a node's successors, predecessors and country together
    ends = {nid: (succ[nid], pred[nid], n.jurisdiction) for nid, n in m.nodes.items()}
    for fid, f in m.flows.items():  # the loader guarantees both ends exist and ids are unique
        u, v = f.source, f.target
        su, _, a = ends[u]
        _, pv, b = ends[v]
        keys = su.get(v)
        if keys is None:
            keys = su[v] = pv[u] = {}
        keys[fid] = {
            "types": f.types,  # the record's own (immutable) tuples
            "purposes": f.purposes,
            "cross_border": bool(a and b and a != b),
            "record": f,
        }
    return g


def carriers(m: Map, type_id: str) -> list[str]:
    """Ids of flows that carry ``type_id`` or one of its subtypes, sorted."""
    index = m._cache.get("carriers")
    if index is None:
        index = {}
        for fid, f in m.flows.items():
            for t in f.types:
                for anc in m.type_tree.ancestors(t):
                    index.setdefault(anc, []).append(fid)
        index = {k: sorted(set(v)) for k, v in index.items()}
        m._cache["carriers"] = index
    return index.get(type_id, [])


def _type_edges(m: Map, type_id: str) -> tuple[dict[str, list[tuple[str, str]]], frozenset[str]]:
    """The edges of one type (``{source: [(flow id, target)]}``, in flow-id order) and their
    targets, built once per type and cached on the map: every later :func:`reach` for that type,
    from any sources, walks only these edges."""
    key = ("reach.edges", type_id)
    got = m._cache.get(key)
    if got is None:
        out_edges: dict[str, list[tuple[str, str]]] = {}
        has_in: set[str] = set()
        flows = m.flows
        for fid in carriers(m, type_id):
            f = flows[fid]
            out_edges.setdefault(f.source, []).append((fid, f.target))
            has_in.add(f.target)
        got = m._cache[key] = (out_edges, frozenset(has_in))
    return got


def reach(g: nx.MultiDiGraph, m: Map, type_id: str, sources: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Where ``type_id`` (or a subtype) can go: ``{node: [flow ids of one shortest path]}``.

    Starts from ``sources`` or, by default, from every node where a carrying flow starts and no
    carrying flow arrives (the collection points). One breadth-first pass over the carrying
    edges only; the returned path is the first found in sorted order, so it is deterministic.
    The type's edges and each answer are cached on the map (a notebook asks again and again);
    the caller gets its own copy.
    """
    starts = None if sources is None else tuple(sorted(set(sources)))
    key = ("reach", type_id, starts)
    got = m._cache.get(key)
    if got is None:
        out_edges, has_in = _type_edges(m, type_id)
        if starts is None:
            starts = tuple(sorted(n for n in out_edges if n not in has_in) or sorted(out_edges))
        paths: dict[str, list[str]] = {s: [] for s in starts}
        queue = deque(starts)
        while queue:
            cur = queue.popleft()
            for fid, nxt in out_edges.get(cur, ()):
                if nxt not in paths:
                    paths[nxt] = [*paths[cur], fid]
                    queue.append(nxt)
        got = m._cache[key] = dict(sorted(paths.items()))
    return {k: list(v) for k, v in got.items()}


def types_reaching(m: Map, node_id: str) -> set[str]:
    """Information types that arrive at ``node_id`` on any flow (indexed once per map)."""
    index = m._cache.get("types_reaching")
    if index is None:
        index = {}
        for f in m.flows.values():
            index.setdefault(f.target, set()).update(f.types)
        m._cache["types_reaching"] = index
    return set(index.get(node_id, ()))
