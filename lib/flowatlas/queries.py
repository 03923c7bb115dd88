"""Graph questions a privacy officer asks, one function each.

Each takes the map's :class:`~flowatlas.analysis.Analysis` (built once, so every question reads
the same graph and facts) and answers with networkx's algorithms over the flow graph.

* :func:`where_type_goes` — where information type T ends up: stores, organisations, countries,
  each with a path (type-aware: only flows carrying T or a subtype are followed).
* :func:`breach_impact` — what a breach of node X exposes: the types and subjects it holds, the
  nodes its data came from (upstream) and the nodes its data goes on to (downstream).
* :func:`erase_scope` — every store an erase request for a subject category must reach, and
  whether it does.
* :func:`coverage_matrix` — information type × recipient organisation, the worst disclosure
  class of the flows in each cell.
* :func:`disclosure_frame` — every verdict of every flow, with the clauses that decided it.

>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> a = Analysis(load_texts(EXAMPLE))
>>> where_type_goes(a, "email").countries
('SG', 'US')
>>> breach_impact(a, "db").upstream
('app', 'person')
>>> list(erase_scope(a, "account-holder")["store"])
['log', 'db']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from flowatlas.analysis import Analysis
from flowatlas.analysis.graph import reach
from flowatlas.atlas import Map
from flowatlas.errors import UsageError
from flowatlas.findings import Disclosure, worst_disclosure
from flowatlas.suggest import did_you_mean


def _need(what: str, key: str, table: Any) -> None:
    if key not in table:
        hint = did_you_mean(key, table)
        raise UsageError(f"unknown {what} '{key}'" + (f" ({hint})" if hint else ""))


def _node_path(m: Map, start: str, flows: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return (start, *(m.flows[f].target for f in flows))


@dataclass(frozen=True)
class TypeReach:
    """Where one information type goes: every node reached with one shortest path to it
    (:func:`where_type_goes`).

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> where_type_goes(Analysis(load_texts(EXAMPLE)), "name").paths["db"]
    (('person', 'app', 'db'), ('f-signup', 'f-save'))
    """

    type: str
    paths: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)  # node -> (nodes, flows)
    stores: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()

    def frame(self, a: Analysis) -> pd.DataFrame:
        """One row per node reached: kind, organisation, role, country, hops, node path, flows.

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> a = Analysis(load_texts(EXAMPLE))
        >>> where_type_goes(a, "email").frame(a)[["node", "country", "hops"]].values.tolist()
        [['app', 'SG', 1], ['db', 'SG', 2], ['person', '', 0], ['send', 'US', 2]]
        """
        rows = []
        for nid, (nodes, flows) in self.paths.items():
            n = a.map.nodes[nid]
            rows.append(
                {
                    "node": nid,
                    "name": n.name,
                    "kind": n.kind,
                    "organisation": n.owner or "",
                    "role": a.facts.role(nid),
                    "country": n.jurisdiction or "",
                    "hops": len(flows),
                    "path": " > ".join(nodes),
                    "flows": ", ".join(flows),
                }
            )
        cols = ["node", "name", "kind", "organisation", "role", "country", "hops", "path", "flows"]
        return pd.DataFrame(rows, columns=cols)


def where_type_goes(a: Analysis, type_id: str) -> TypeReach:
    """Every node ``type_id`` (or a subtype) reaches from where it is collected, with a path each.

    Parameters
    ----------
    a : Analysis
        The map's analysis (its graph is read).
    type_id : str
        An information type of the map; an unknown one raises :class:`~flowatlas.errors.UsageError`
        with a did-you-mean.

    Returns
    -------
    TypeReach
        The nodes reached with their node and flow paths, and the stores, organisations and
        countries among them.

    See Also
    --------
    flowatlas.analysis.graph.reach : the same question as a plain function of the graph.

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> r = where_type_goes(Analysis(load_texts(EXAMPLE)), "email")
    >>> r.stores, r.organisations, r.countries
    (('db',), ('acme', 'mailer'), ('SG', 'US'))
    """
    _need("information type", type_id, a.map.types)
    paths: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for nid, flows in reach(a.graph, type_id).items():
        start = a.map.flows[flows[0]].source if flows else nid
        paths[nid] = (_node_path(a.map, start, flows), tuple(flows))
    nodes = [a.map.nodes[n] for n in paths]
    return TypeReach(
        type=type_id,
        paths=paths,
        stores=tuple(sorted(n.id for n in nodes if n.kind == "store")),
        organisations=tuple(sorted({n.owner for n in nodes if n.owner})),
        countries=tuple(sorted({n.jurisdiction for n in nodes if n.jurisdiction})),
    )


@dataclass(frozen=True)
class Impact:
    """What a breach of one node exposes (:func:`breach_impact`).

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> breach_impact(Analysis(load_texts(EXAMPLE)), "db").subjects
    ('account-holder',)
    """

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


def breach_impact(a: Analysis, node_id: str) -> Impact:
    """Types and subjects exposed by a breach of ``node_id``; where that data came from and goes.

    Parameters
    ----------
    a : Analysis
        The map's analysis.
    node_id : str
        A node of the map.

    Returns
    -------
    Impact
        What the node holds, the categories of data subjects it concerns, the nodes upstream and
        downstream, and the organisations and countries involved.

    Notes
    -----

    Downstream follows, for each type the node holds or emits, only the flows carrying that type
    (:func:`flowatlas.analysis.graph.reach`); upstream is every ancestor of the node over the flows that
    carry one of those types (or a broader or narrower one), plus the stores it copies. Subjects
    are every category whose data can reach the node (see
    :meth:`~flowatlas.analysis.facts.Facts.subjects_at`: conservative, narrowed by ``flow.subjects``).

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> impact = breach_impact(Analysis(load_texts(EXAMPLE)), "app")
    >>> impact.types, impact.upstream, sorted(impact.downstream)
    (('email', 'ip-address', 'name'), ('person',), ['db', 'log', 'send'])
    """
    mp, fx, G = a.map, a.facts, a.graph
    _need("node", node_id, mp.nodes)
    types = sorted(fx.held(node_id) | fx.emitted(node_id))
    down: dict[str, tuple[str, ...]] = {}
    down_types: set[str] = set()
    for t in types:
        for nid, flows in reach(G, t, sources=[node_id]).items():
            if nid != node_id:
                down_types.add(t)
                down.setdefault(nid, _node_path(mp, node_id, flows))
    related = frozenset().union(*(mp.type_tree.related(t) for t in types))

    def carries_related(u: str, v: str, k: str) -> bool:
        return not related.isdisjoint(G.succ[u][v][k]["types"])

    view = nx.subgraph_view(G, filter_edge=carries_related)
    walked = nx.ancestors(view, node_id) | {node_id}
    up_types = {t for _, _, carried in view.in_edges(walked, data="types") for t in carried if t in related}
    upstream = tuple(sorted((walked | set(fx.copy_sources(node_id))) - {node_id}))
    touched = [node_id, *upstream, *down]
    return Impact(
        node=node_id,
        types=tuple(types),
        subjects=tuple(sorted(fx.subjects_at(node_id))),
        upstream=upstream,
        downstream=dict(sorted(down.items())),
        organisations=tuple(sorted({o for n in touched if (o := mp.nodes[n].owner)})),
        countries=tuple(sorted({c for n in touched if (c := mp.nodes[n].jurisdiction)})),
        upstream_types=tuple(sorted(up_types)),
        downstream_types=tuple(sorted(down_types)),
        downstream_subjects=tuple(sorted({s for n in down for s in fx.subjects_at(n)})),
    )


def erase_scope(a: Analysis, subject: str) -> pd.DataFrame:
    """Every store holding data of ``subject`` (or a narrower category): does an erase request reach it?

    Parameters
    ----------
    a : Analysis
        The map's analysis.
    subject : str
        A data-subject category of the map.

    Returns
    -------
    pandas.DataFrame
        store, name, organisation, country, copy_of, erase (True/False/None), reached (erase is
        True), sorted with the unreached first.

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> erase_scope(Analysis(load_texts(EXAMPLE)), "account-holder")[["store", "reached"]].values.tolist()
    [['log', False], ['db', True]]
    """
    _need("data subject", subject, a.map.subjects)
    below = a.map.subject_tree.descendants(subject)
    rows = []
    for nid, n in a.map.nodes.items():
        if n.kind != "store" or not (a.facts.subjects_at(nid) & below):
            continue
        copies = a.facts.copy_sources(nid)
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


def coverage_matrix(a: Analysis) -> pd.DataFrame:
    """Information type × recipient organisation: the worst disclosure class of the flows into
    that organisation carrying that type.

    Parameters
    ----------
    a : Analysis
        The map's analysis, against its policy (hold the map against another with
        ``Analysis(m, policy)``).

    Returns
    -------
    pandas.DataFrame
        Index: information types; columns: organisations; cells: the worst class, or None where
        no flow carries the type there. All dimensions of each flow count; type-dimension
        verdicts count for their own type only.

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> coverage_matrix(Analysis(load_texts(EXAMPLE))).loc["email"].to_dict()
    {'acme': 'clear', 'mailer': 'omitted'}
    """
    verdicts = a.verdicts
    cells: dict[tuple[str, str], list[Disclosure]] = {}
    for fid, f in a.map.flows.items():
        org = a.map.nodes[f.target].owner
        if org is None:
            continue
        vs = verdicts.get(fid, ())
        common = [v.disclosure for v in vs if v.dimension != "type"]
        for t in f.types:
            own = [v.disclosure for v in vs if v.dimension == "type" and v.item == t]
            cells.setdefault((t, org), []).extend(common + own)
    types = sorted({t for t, _ in cells})
    orgs = sorted({o for _, o in cells})
    data = {o: [worst_disclosure(cells.get((t, o), ())) for t in types] for o in orgs}
    return pd.DataFrame(data, index=pd.Index(types, name="type"), columns=pd.Index(orgs, name="organisation"))


def disclosure_frame(a: Analysis) -> pd.DataFrame:
    """Every verdict of every flow: one row per (flow, dimension, item), with its class and the
    clauses that decided it.

    Parameters
    ----------
    a : Analysis
        The map's analysis.

    Returns
    -------
    pandas.DataFrame
        Columns flow, source, target, dimension, item, disclosure, clauses, declarations, reason.

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> df = disclosure_frame(Analysis(load_texts(EXAMPLE)))
    >>> df[df.flow == "f-mail"][["dimension", "disclosure"]].values.tolist()
    [['recipient', 'omitted'], ['purpose', 'omitted'], ['location', 'omitted'], ['safeguard', 'omitted']]
    """
    index = a.policy_index
    rows = []
    for fid, verdicts in a.verdicts.items():
        f = a.map.flows[fid]
        for v in verdicts:
            rows.append(
                {
                    "flow": fid,
                    "source": f.source,
                    "target": f.target,
                    "dimension": v.dimension,
                    "item": v.item,
                    "disclosure": v.disclosure,
                    "clauses": ", ".join(index.decl[i].clause for i in v.declarations) if index else "",
                    "declarations": ", ".join(v.declarations),
                    "reason": v.reason,
                }
            )
    cols = ["flow", "source", "target", "dimension", "item", "disclosure", "clauses", "declarations", "reason"]
    return pd.DataFrame(rows, columns=cols)


__all__ = [
    "Impact",
    "TypeReach",
    "breach_impact",
    "coverage_matrix",
    "disclosure_frame",
    "erase_scope",
    "where_type_goes",
]
