"""Facts about a map that several rules and queries need: who owns each node, which types it
holds, whose data reaches it.

* who owns a node, whether it is the controller's;
* which information types each node holds (received, plus what its backup/replica source holds);
* which data-subject categories' data reaches each node.

Get them from :attr:`flowatlas.analysis.Analysis.facts` (one per map).

>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> fx = Facts(load_texts(EXAMPLE))
>>> sorted(fx.held("db")), sorted(fx.subjects_at("db")), fx.role("db")
(['email', 'name'], ['account-holder'], 'controller')
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache, cached_property

from flowatlas.atlas import Map
from flowatlas.model import Flow


class Facts:
    """Derived, read-only indexes over one map, each computed on first use.

    Parameters
    ----------
    m : Map
        The map (:attr:`flowatlas.analysis.Analysis.facts` keeps one per map).

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> fx = Facts(load_texts(EXAMPLE))
    >>> fx.in_flow_ids("db"), sorted(fx.emitted("app")), fx.is_controller("send")
    (('f-save',), ['email', 'ip-address', 'name'], False)
    """

    def __init__(self, m: Map) -> None:
        self.map = m
        ctrl = m.info.controller
        self.controller_nodes = frozenset(n for n, rec in m.nodes.items() if rec.owner == ctrl)
        self.owner: dict[str, str | None] = {n: rec.owner for n, rec in m.nodes.items()}
        self.country: dict[str, str | None] = {n: rec.jurisdiction for n, rec in m.nodes.items()}
        self.kind: dict[str, str] = {n: rec.kind for n, rec in m.nodes.items()}
        roles = {o: rec.role for o, rec in m.organisations.items()}
        self.roles: dict[str, str] = {n: (roles[o] if o else "subject") for n, o in self.owner.items()}
        out_records: dict[str, list[Flow]] = defaultdict(list)
        in_records: dict[str, list[Flow]] = defaultdict(list)
        for f in m.flows.values():
            out_records[f.source].append(f)
            in_records[f.target].append(f)
        #: ``{node: [flow records]}`` out of and into each node, in flow-id order
        self.out_records: dict[str, list[Flow]] = dict(out_records)
        self.in_records: dict[str, list[Flow]] = dict(in_records)
        self._received: dict[str, frozenset[str]] = {}
        self._emitted: dict[str, frozenset[str]] = {}
        self._held: dict[str, frozenset[str]] = {}

    def in_flow_ids(self, node_id: str) -> tuple[str, ...]:
        """Ids of the flows into ``node_id``, sorted."""
        return tuple(sorted(f.id for f in self.in_records.get(node_id, ())))

    # -- nodes -------------------------------------------------------------------------
    def is_controller(self, node_id: str) -> bool:
        return node_id in self.controller_nodes

    def role(self, node_id: str) -> str:
        """The owner's role, or ``subject`` for a data subject node."""
        return self.roles[node_id]

    def received(self, node_id: str) -> frozenset[str]:
        """Types the flows into ``node_id`` carry."""
        got = self._received.get(node_id)
        if got is None:
            got = self._received[node_id] = frozenset(t for f in self.in_records.get(node_id, ()) for t in f.types)
        return got

    def emitted(self, node_id: str) -> frozenset[str]:
        """Types the flows out of ``node_id`` carry."""
        got = self._emitted.get(node_id)
        if got is None:
            got = self._emitted[node_id] = frozenset(t for f in self.out_records.get(node_id, ()) for t in f.types)
        return got

    def held(self, node_id: str) -> frozenset[str]:
        """Types a node holds: what flows bring it, plus what the stores it copies hold."""
        got = self._held.get(node_id)
        if got is None:
            self._held[node_id] = frozenset()  # what a copy cycle gives back: nothing more
            n = self.map.nodes[node_id]
            copied = (self.held(src) for src in (n.backup_of, n.replica_of) if src)
            got = self._held[node_id] = self.received(node_id).union(*copied)
        return got

    def copy_sources(self, node_id: str) -> tuple[str, ...]:
        """The chain of stores a backup/replica copies from (nearest first)."""
        chain: list[str] = []
        cur = self.map.nodes[node_id]
        while True:
            nxt = cur.backup_of or cur.replica_of
            if not nxt or nxt in chain or nxt == node_id:
                return tuple(chain)
            chain.append(nxt)
            cur = self.map.nodes[nxt]

    # -- subjects ----------------------------------------------------------------------
    def subjects_at(self, node_id: str) -> frozenset[str]:
        """Data-subject categories whose data reaches ``node_id`` (its own category for a subject).

        A flow that names its ``subjects`` carries only those categories (and the categories
        above and below them); one that names none carries every category that reaches its source.
        """
        return self._subjects.get(node_id, frozenset())

    @cached_property
    def _subjects(self) -> dict[str, frozenset[str]]:
        """Every node's categories as a bit mask, grown along the flows to a fixed point: a node
        whose mask grows passes it on again, so each node is revisited at most once per category
        (a data-flow fixpoint: networkx has no edge-filtered label propagation, and an SCC
        condensation first costs 6x as long on a 50,000-flow map)."""
        m = self.map
        tree = m.subject_tree
        categories = sorted(
            {n.subject for n in m.nodes.values() if n.kind == "subject" and n.subject}
            | {s for f in m.flows.values() for s in f.subjects}
        )
        bit = {c: 1 << i for i, c in enumerate(categories)}
        everything = (1 << len(categories)) - 1

        @cache
        def carried(named: tuple[str, ...]) -> int:
            """The categories a flow naming ``named`` may carry (those above and below them)."""
            if not named:
                return everything
            return sum(bit[c] for c in categories if any(tree.covers(s, c) or tree.covers(c, s) for s in named))

        mask: dict[str, int] = dict.fromkeys(m.nodes, 0)
        for nid, n in m.nodes.items():
            if n.kind == "subject" and n.subject:
                mask[nid] |= bit[n.subject]
        for f in m.flows.values():
            for s in f.subjects:
                mask[f.target] |= bit[s]
        pending = [n for n, v in mask.items() if v]
        while pending:
            u = pending.pop()
            for f in self.out_records.get(u, ()):
                grown = mask[f.target] | (mask[u] & carried(f.subjects))
                if grown != mask[f.target]:
                    mask[f.target] = grown
                    pending.append(f.target)
        for nid in m.nodes:
            for src in self.copy_sources(nid):
                mask[nid] |= mask[src]
        return {nid: frozenset(c for c in categories if v & bit[c]) for nid, v in mask.items() if v}


__all__ = ["Facts"]
