"""The map as a :class:`networkx.MultiDiGraph`, and type-aware reachability over it.

Node attributes (one node per map node, key = node id):

``kind``          subject | system | store
``name``          display name
``owner``         organisation id (None for subjects)
``role``          the owner's role (controller, processor, ...), "subject" for subjects
``jurisdiction``  ISO 3166-1 alpha-2 country, or None
``external``      True when the owner is outside the controller's group
                  (:func:`~flowatlas.analysis.boundaries.in_group`)
``record``        the :class:`~flowatlas.model.Node`

Edge attributes (key = flow id):

``types``              tuple of information-type ids carried
``purposes``           tuple of purpose ids
``source_country``,    the countries at the two ends
``target_country``
``is_transfer``        a cross-border transfer under the map's regime
``leaves_controller``  hands data to another organisation
``exporter``           the organisation that sends it
``record``             the :class:`~flowatlas.model.Flow`

(the facts of :class:`~flowatlas.analysis.boundaries.FlowFacts`, decided once per flow).

Graph attributes: ``map_id``, ``name``, ``controller``, ``home`` and ``type_tree`` (the
:class:`~flowatlas.taxonomy.Hierarchy` of information types, which the type-aware questions
read).

Reachability follows only edges that carry the type asked for (or one of its subtypes), so
"where can ``email`` go" never walks an edge that carries only ``ip-address``: a
:func:`carrying` view of the graph, then networkx's shortest-path search over it.

>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> G = build_graph(load_texts(EXAMPLE))
>>> sorted(G.edges(keys=True))
[('app', 'db', 'f-save'), ('app', 'log', 'f-log'), ('app', 'send', 'f-mail'), ('person', 'app', 'f-signup')]
>>> reach(G, "email")
{'app': ['f-signup'], 'db': ['f-signup', 'f-save'], 'person': [], 'send': ['f-signup', 'f-mail']}
>>> reach(G, "ip-address")
{'app': ['f-signup'], 'log': ['f-signup', 'f-log'], 'person': []}
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

import networkx as nx

from flowatlas.analysis.boundaries import FlowFacts, crossing, home_regime, in_group
from flowatlas.atlas import Map
from flowatlas.gcpause import gc_paused


def build_graph(m: Map, flow_facts: Mapping[str, FlowFacts] | None = None) -> nx.MultiDiGraph:
    """The flow graph of ``m``: one node per map node, one edge per flow (key = flow id).

    Parameters
    ----------
    m : Map
        A validated map.
    flow_facts : mapping, optional
        ``{flow id: FlowFacts}`` already decided (:attr:`flowatlas.analysis.Analysis.flow_facts`);
        by default decided here, under the regime of the map's home.

    Returns
    -------
    networkx.MultiDiGraph
        Node, edge and graph attributes as the module docstring lists them. Each call builds a
        new graph; :attr:`flowatlas.analysis.Analysis.graph` keeps one per map.

    Examples
    --------

    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> G = build_graph(load_texts(EXAMPLE))
    >>> G.nodes["db"]["kind"], G.edges["app", "db", "f-save"]["types"]
    ('store', ('email', 'name'))
    """
    if flow_facts is None:
        regime = home_regime(m)
        flow_facts = {fid: crossing(m, f, regime) for fid, f in m.flows.items()}
    with gc_paused():  # 50,000 flows allocate ~1M objects: collections during that take 40% of the build
        return _build(m, flow_facts)


def _build(m: Map, flow_facts: Mapping[str, FlowFacts]) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(
        map_id=m.info.id, name=m.info.name, controller=m.info.controller, home=m.home, type_tree=m.type_tree
    )
    orgs = m.organisations
    G.add_nodes_from(
        (
            nid,
            {
                "kind": n.kind,
                "name": n.name,
                "owner": n.owner,
                "role": orgs[n.owner].role if n.owner else "subject",
                "jurisdiction": n.jurisdiction,
                "external": n.owner is not None and not in_group(orgs[n.owner].role),
                "record": n,
            },
        )
        for nid, n in m.nodes.items()
    )
    G.add_edges_from(
        (
            f.source,
            f.target,
            fid,
            {"types": f.types, "purposes": f.purposes, **flow_facts[fid]._asdict(), "record": f},
        )
        for fid, f in m.flows.items()
    )
    return G


def carrying(G: nx.MultiDiGraph, type_id: str) -> nx.MultiDiGraph:
    """A read-only view of ``G`` holding only the edges that carry ``type_id`` or a subtype.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A flow graph from :func:`build_graph`.
    type_id : str
        An information type of the map.

    Returns
    -------
    networkx.MultiDiGraph
        A subgraph view (``networkx.subgraph_view``) with every node and the carrying edges.

    See Also
    --------
    reach, carriers

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> G = build_graph(load_texts(EXAMPLE))
    >>> sorted(carrying(G, "contact").edges(keys=True))  # email is a kind of contact data
    [('app', 'db', 'f-save'), ('app', 'send', 'f-mail'), ('person', 'app', 'f-signup')]
    """
    covered = G.graph["type_tree"].descendants(type_id)
    succ = G.succ

    def carries(u: str, v: str, k: str) -> bool:
        return not covered.isdisjoint(succ[u][v][k]["types"])

    return nx.subgraph_view(G, filter_edge=carries)


def carriers(G: nx.MultiDiGraph, type_id: str) -> list[str]:
    """Ids of the flows that carry ``type_id`` or one of its subtypes, sorted.

    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> carriers(build_graph(load_texts(EXAMPLE)), "email")
    ['f-mail', 'f-save', 'f-signup']
    """
    return sorted(k for _, _, k in carrying(G, type_id).edges(keys=True))


def carrier_index(G: nx.MultiDiGraph) -> dict[str, tuple[str, ...]]:
    """``{type: flow ids}`` for every type some flow carries or carries a subtype of: each entry
    is :func:`carriers` of that type, all found in one pass over the edges.

    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> carrier_index(build_graph(load_texts(EXAMPLE)))["contact"]
    ('f-mail', 'f-save', 'f-signup')
    """
    tree = G.graph["type_tree"]
    index: dict[str, set[str]] = {}
    for _, _, k, types in G.edges(keys=True, data="types"):
        for t in types:
            for above in tree.ancestors(t):
                index.setdefault(above, set()).add(k)
    return {t: tuple(sorted(index[t])) for t in sorted(index)}


def collection_points(view: nx.MultiDiGraph) -> list[str]:
    """The nodes of ``view`` where an edge starts and none arrives (or, on a cycle with no such
    node, every node an edge starts from), sorted.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        A flow graph or a view of one (:func:`carrying`).

    Returns
    -------
    list of str

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> G = build_graph(load_texts(EXAMPLE))
    >>> collection_points(G), collection_points(carrying(G, "ip-address"))
    (['person'], ['person'])
    """
    starts = [n for n in view if view.out_degree(n)]
    return sorted(n for n in starts if not view.in_degree(n)) or sorted(starts)


def flow_path(view: nx.MultiDiGraph, nodes: list[str]) -> list[str]:
    """The flow ids along a node path of ``view``: on each hop, the smallest flow id there.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        A flow graph or a view of one.
    nodes : list of str
        A path of node ids, each joined to the next by a flow of ``view``.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> flow_path(build_graph(load_texts(EXAMPLE)), ["person", "app", "send"])
    ['f-signup', 'f-mail']
    """
    return [min(view[u][v]) for u, v in itertools.pairwise(nodes)]


def shortest_flow_paths(view: nx.MultiDiGraph, sources: Iterable[str]) -> dict[str, list[str]]:
    """``{node: [flow ids]}``: one shortest path from the nearest of ``sources`` to every node
    of ``view`` they reach (a source's own path is empty), sorted by node.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        A flow graph or a view of one (:func:`carrying`).
    sources : iterable of str
        The nodes to start from, in the order ties are broken.

    Returns
    -------
    dict

    Notes
    -----
    networkx's multi-source shortest-path search with every hop weighing 1: it breaks ties in
    the order it meets the nodes (the sources in the order given, then each node's successors in
    the graph's order), so the same graph and sources always give the same paths.

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> shortest_flow_paths(carrying(build_graph(load_texts(EXAMPLE)), "name"), ["person"])
    {'app': ['f-signup'], 'db': ['f-signup', 'f-save'], 'person': []}
    """
    starts = list(dict.fromkeys(sources))
    if not starts:
        return {}
    paths = nx.multi_source_dijkstra_path(view, starts, weight=lambda u, v, d: 1)
    return {n: flow_path(view, paths[n]) for n in sorted(paths)}


def reach(G: nx.MultiDiGraph, type_id: str, sources: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Where ``type_id`` (or a subtype) can go, with one shortest path to each place.

    Follows only the flows that carry the type (a :func:`carrying` view), with networkx's
    multi-source shortest-path search (:func:`shortest_flow_paths`).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A flow graph from :func:`build_graph`.
    type_id : str
        An information type of the map.
    sources : iterable of str, optional
        Nodes to start from; by default the :func:`collection_points` of the type's flows.

    Returns
    -------
    dict
        ``{node: [flow id, ...]}``, sorted by node: the flows of one shortest path from the
        nearest source (empty for a source).

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> G = build_graph(load_texts(EXAMPLE))
    >>> reach(G, "name", sources=["app"])
    {'app': [], 'db': ['f-save']}
    """
    view = carrying(G, type_id)
    starts = collection_points(view) if sources is None else sorted(set(sources))
    return shortest_flow_paths(view, starts)


__all__ = [
    "build_graph",
    "carrier_index",
    "carriers",
    "carrying",
    "collection_points",
    "flow_path",
    "reach",
    "shortest_flow_paths",
]
