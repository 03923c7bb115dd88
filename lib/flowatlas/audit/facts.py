"""Facts about a map that several rules and queries need, computed once and cached on the map.

* who owns a node, whether it is the controller's;
* which information types each node holds (received, plus what its backup/replica source holds);
* which data-subject categories' data reaches each node (one bitmask propagation).

Only the flows in and out of each node are indexed up front; the rest is computed for the nodes
(or on the first question) that ask for it: the audit asks about stores only.
"""

from __future__ import annotations

import weakref
from collections import defaultdict, deque
from operator import attrgetter

from flowatlas.atlas import Map
from flowatlas.model import Flow

_TYPES = attrgetter("types")
_SUBJECTS = attrgetter("subjects")


class Facts:
    """Derived, read-only indexes over one map. Get it with :func:`facts`; it is cached on the
    map and refers to it weakly, so use it while you hold the map."""

    def __init__(self, m: Map) -> None:
        self.m = weakref.proxy(m)  # cached on m: a strong reference would keep m alive in a cycle
        ctrl = m.info.controller
        self.controller_nodes = frozenset(n for n, rec in m.nodes.items() if rec.owner == ctrl)
        self.owner: dict[str, str | None] = {n: rec.owner for n, rec in m.nodes.items()}
        self.country: dict[str, str | None] = {n: rec.jurisdiction for n, rec in m.nodes.items()}
        self.kind: dict[str, str] = {n: rec.kind for n, rec in m.nodes.items()}
        roles = {o: rec.role for o, rec in m.organisations.items()}
        self.roles: dict[str, str] = {n: (roles[o] if o else "subject") for n, o in self.owner.items()}
        out_recs: dict[str, list[Flow]] = defaultdict(list)
        in_recs: dict[str, list[Flow]] = defaultdict(list)
        for f in m.flows.values():
            out_recs[f.source].append(f)
            in_recs[f.target].append(f)
        #: ``{node: [flow records]}`` out of and into each node, in flow order
        self.out_records = dict(out_recs)
        self.in_records = dict(in_recs)
        self._received: dict[str, frozenset[str]] = {}
        self._emitted: dict[str, frozenset[str]] = {}
        self._held: dict[str, frozenset[str]] = {}
        self._subjects: dict[str, frozenset[str]] | None = None

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
        """Types the flows into ``node_id`` carry (computed for the nodes asked about only)."""
        return self._types_of(self._received, self.in_records, node_id)

    def emitted(self, node_id: str) -> frozenset[str]:
        """Types the flows out of ``node_id`` carry."""
        return self._types_of(self._emitted, self.out_records, node_id)

    @staticmethod
    def _types_of(memo: dict[str, frozenset[str]], at: dict[str, list[Flow]], node_id: str) -> frozenset[str]:
        got = memo.get(node_id)
        if got is None:
            # one C-level union over the flows' type tuples
            got = memo[node_id] = frozenset().union(*map(_TYPES, at.get(node_id, ())))
        return got

    def held(self, node_id: str) -> frozenset[str]:
        """Types a node holds: what flows bring it, plus what the store it backs up/replicates holds."""
        got = self._held.get(node_id)
        if got is not None:
            return got
        self._held[node_id] = frozenset()  # guard against backup cycles
        n = self.m.nodes[node_id]
        out = set(self.received(node_id))
        for src in (n.backup_of, n.replica_of):
            if src:
                out |= self.held(src)
        got = self._held[node_id] = frozenset(out)
        return got

    def copy_sources(self, node_id: str) -> tuple[str, ...]:
        """The chain of stores a backup/replica copies from (nearest first)."""
        chain: list[str] = []
        cur = self.m.nodes[node_id]
        while True:
            nxt = cur.backup_of or cur.replica_of
            if not nxt or nxt in chain or nxt == node_id:
                return tuple(chain)
            chain.append(nxt)
            cur = self.m.nodes[nxt]

    # -- subjects ----------------------------------------------------------------------
    def subjects_at(self, node_id: str) -> frozenset[str]:
        """Data-subject categories whose data reaches ``node_id`` (its subject category for a subject)."""
        if self._subjects is None:
            self._subjects = self._compute_subjects()
        return self._subjects.get(node_id, frozenset())

    def _compute_subjects(self) -> dict[str, frozenset[str]]:
        """One propagation of subject-category bitmasks to a fixpoint (each node re-queued only
        when its mask grows, so at most once per category)."""
        m = self.m
        st = m.subject_tree
        cats = sorted(
            {n.subject for n in m.nodes.values() if n.kind == "subject" and n.subject}.union(
                *map(_SUBJECTS, m.flows.values())
            )
        )
        bit = {c: 1 << i for i, c in enumerate(cats)}
        allowed_memo: dict[tuple[str, ...], int] = {}

        def allowed(subjects: tuple[str, ...]) -> int:
            got = allowed_memo.get(subjects)
            if got is None:
                got = 0
                for c in cats:
                    if any(st.covers(s, c) or st.covers(c, s) for s in subjects):
                        got |= bit[c]
                allowed_memo[subjects] = got
            return got

        everything = (1 << len(cats)) - 1
        mask: dict[str, int] = defaultdict(int)
        for nid, n in m.nodes.items():
            if n.kind == "subject" and n.subject:
                mask[nid] |= bit[n.subject]
        for f in filter(_SUBJECTS, m.flows.values()):  # the flows that name their subjects
            for s in f.subjects:
                mask[f.target] |= bit[s]
        queue = deque(sorted(n for n, v in mask.items() if v))
        queued = set(queue)
        out_records = self.out_records
        while queue:
            cur = queue.popleft()
            queued.discard(cur)
            have = mask[cur]
            for f in out_records.get(cur, ()):
                target, ok = f.target, allowed(f.subjects) if f.subjects else everything
                old = mask[target]
                new = old | (have & ok)
                if new != old:
                    mask[target] = new
                    if target not in queued:
                        queued.add(target)
                        queue.append(target)
        for nid in m.nodes:
            for src in self.copy_sources(nid):
                mask[nid] |= mask.get(src, 0)
        names: dict[int, frozenset[str]] = {}
        out: dict[str, frozenset[str]] = {}
        for nid, v in mask.items():
            if v:
                got = names.get(v)
                if got is None:
                    got = names[v] = frozenset(c for c in cats if v & bit[c])
                out[nid] = got
        return out


def facts(m: Map) -> Facts:
    """The :class:`Facts` of ``m`` (cached on the map)."""
    got = m._cache.get("audit.facts")
    if got is None:
        got = m._cache["audit.facts"] = Facts(m)
    return got
