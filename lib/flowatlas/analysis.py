"""One :class:`Analysis` per map and policy: everything derived from them, in one visible place.

A :class:`~flowatlas.atlas.Map` is immutable and holds only what the files say. What is
computed from it (the flow graph, the facts, the policy index, the verdicts, the findings) is
an attribute of its ``Analysis``, computed on first use and then kept. The CLI, the report and
the notebooks make one and pass it on; functions that accept a map also accept an analysis
(:func:`analyse`) and then reuse what it has already computed.

>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> a = Analysis(load_texts(EXAMPLE))
>>> a.policy.id, a.graph.number_of_edges(), len(a.verdicts)
('pol', 4, 4)
>>> a.findings[0].rule, a.findings[0].severity
('cross-border-basis', 'high')
>>> a.carriers["email"]
('f-mail', 'f-save', 'f-signup')
"""

from __future__ import annotations

from functools import cached_property

import networkx as nx

from flowatlas import audit as _audit  # a module: the audit reads Analysis objects in turn
from flowatlas.atlas import Map
from flowatlas.audit.disclosure import Verdicts, classify, resolve_policy
from flowatlas.audit.facts import Facts
from flowatlas.audit.policy_index import PolicyIndex
from flowatlas.findings import Finding
from flowatlas.graph import build_graph, carrier_index
from flowatlas.model import Policy
from flowatlas.regimes import Regime, regime_of


class Analysis:
    """What is derived from map ``m`` held against ``policy`` (a policy id or record; default: the
    map's own). Raises :class:`~flowatlas.errors.UsageError` for an unknown policy id."""

    def __init__(self, m: Map, policy: str | Policy | None = None) -> None:
        self.map = m
        self.policy: Policy | None = resolve_policy(m, policy)

    def __repr__(self) -> str:
        return f"Analysis({self.map.info.id!r}, policy={self.policy.id if self.policy else None!r})"

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The flow graph (:func:`flowatlas.graph.build_graph`), frozen (:func:`networkx.freeze`):
        every query and view of the map shares it, so none may change it."""
        return nx.freeze(build_graph(self.map))

    @cached_property
    def facts(self) -> Facts:
        """Owners, held types and subjects per node (:class:`~flowatlas.audit.facts.Facts`)."""
        return Facts(self.map)

    @cached_property
    def regime(self) -> Regime | None:
        """The transfer regime of the map's home, or None when flowatlas ships none for it."""
        return regime_of(self.map)

    @cached_property
    def policy_index(self) -> PolicyIndex | None:
        """The policy's declarations, indexed (None without a policy)."""
        return PolicyIndex(self.map, self.policy) if self.policy else None

    @cached_property
    def verdicts(self) -> Verdicts:
        """Every flow held against the policy on each dimension (:func:`~flowatlas.audit.disclosure.classify`)."""
        return classify(self.map, self.policy, index=self.policy_index)

    @cached_property
    def findings(self) -> list[Finding]:
        """Every rule's findings (:func:`flowatlas.audit.audit`)."""
        return _audit.audit(self)

    @cached_property
    def carriers(self) -> dict[str, tuple[str, ...]]:
        """``{type: flow ids}``: the flows that carry each type or one of its subtypes
        (:func:`flowatlas.graph.carrier_index`)."""
        return carrier_index(self.graph)


def analyse(x: Map | Analysis) -> Analysis:
    """``x`` itself if it is an :class:`Analysis`, else map ``x``'s own (default policy), kept
    with the map (:attr:`flowatlas.atlas.Map.analysis`).

    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> m = load_texts(EXAMPLE)
    >>> analyse(m) is analyse(m) is m.analysis, analyse(m.analysis) is m.analysis
    (True, True)
    """
    return x if isinstance(x, Analysis) else x.analysis


__all__ = ["Analysis", "analyse"]
