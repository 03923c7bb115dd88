"""Hierarchies (information types, purposes, subject categories, recipient roles) and matching.

A :class:`Hierarchy` answers the one question the audit asks of every vocabulary: does a
declared term cover a used one, and how precisely?

>>> h = Hierarchy({"personal": None, "contact": "personal", "email": "contact"})
>>> h.covers("contact", "email"), h.covers("email", "contact")
(True, False)
>>> sorted(h.descendants("contact"))
['contact', 'email']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Literal

import networkx as nx

Match = Literal["exact", "broader", "none"]


class Hierarchy:
    """A forest given as ``{id: parent or None}``; cycles must be rejected before building."""

    def __init__(self, parents: Mapping[str, str | None]) -> None:
        self.parents: dict[str, str | None] = dict(sorted(parents.items()))
        children: dict[str, list[str]] = {k: [] for k in self.parents}
        for k, p in self.parents.items():
            if p is not None and p in children:
                children[p].append(k)
        self.children: dict[str, tuple[str, ...]] = {k: tuple(sorted(v)) for k, v in children.items()}
        #: parent -> child edges, for networkx's searches
        self.tree = nx.DiGraph()
        self.tree.add_nodes_from(self.parents)
        self.tree.add_edges_from((p, k) for k, p in self.parents.items() if p is not None)
        self._anc: dict[str, tuple[str, ...]] = {}
        self._desc: dict[str, frozenset[str]] = {}
        self._related: dict[str, frozenset[str]] = {}

    def __contains__(self, item: object) -> bool:
        return item in self.parents

    def __iter__(self):
        return iter(self.parents)

    def __len__(self) -> int:
        return len(self.parents)

    def ancestors(self, item: str) -> tuple[str, ...]:
        """``item`` and its ancestors, nearest first."""
        got = self._anc.get(item)
        if got is None:
            chain = [item]
            seen = {item}
            p = self.parents.get(item)
            while p is not None and p not in seen:
                chain.append(p)
                seen.add(p)
                p = self.parents.get(p)
            got = self._anc[item] = tuple(chain)
        return got

    def descendants(self, item: str) -> frozenset[str]:
        """``item`` and everything below it."""
        got = self._desc.get(item)
        if got is None:
            below = nx.descendants(self.tree, item) if item in self.tree else set()
            got = self._desc[item] = frozenset(below | {item})
        return got

    def related(self, item: str) -> frozenset[str]:
        """``item``, its ancestors and its descendants: every term a declaration or an observation
        of ``item`` may be said of (a flow carrying ``contact`` may carry ``email``, and one carrying
        ``email`` carries ``contact`` data).

        >>> sorted(Hierarchy({"personal": None, "contact": "personal", "email": "contact"}).related("contact"))
        ['contact', 'email', 'personal']
        """
        got = self._related.get(item)
        if got is None:
            got = self._related[item] = self.descendants(item).union(self.ancestors(item))
        return got

    def covers(self, declared: str, used: str) -> bool:
        """True when ``declared`` is ``used`` or an ancestor of it."""
        return declared in self.ancestors(used)

    def match(self, declared: Iterable[str], used: str) -> Match:
        """``exact`` if declared names ``used``; ``broader`` if only an ancestor does; else none."""
        best: Match = "none"
        anc = self.ancestors(used)
        for d in declared:
            if d == used:
                return "exact"
            if d in anc:
                best = "broader"
        return best

    def depth(self, item: str) -> int:
        return len(self.ancestors(item)) - 1

    @cached_property
    def roots(self) -> tuple[str, ...]:
        return tuple(k for k, p in self.parents.items() if p is None)

    def find_cycle(self) -> list[str] | None:
        """A parent cycle if there is one (for validation): ``[a, parent of a, ..., a]``, else None.

        >>> Hierarchy({"a": "b", "b": "a", "c": None}).find_cycle()
        ['a', 'b', 'a']
        """
        up = nx.DiGraph((k, p) for k, p in self.parents.items() if p is not None)
        try:
            edges = nx.find_cycle(up)
        except nx.NetworkXNoCycle:
            return None
        return [u for u, _ in edges] + [edges[0][0]]


#: Recipient roles as a hierarchy, so that "third-party partners" (service_provider) covers
#: processors and sub-processors, vaguely; and any_recipient covers every role.
RECIPIENT_ROLES = Hierarchy(
    {
        "any_recipient": None,
        "controller": "any_recipient",
        "affiliate": "any_recipient",
        "service_provider": "any_recipient",
        "processor": "service_provider",
        "sub_processor": "service_provider",
        "third_party": "any_recipient",
        "authority": "any_recipient",
        "acquirer": "any_recipient",
        "client": "any_recipient",
    }
)
