"""One :class:`Analysis` per map and policy: every fact derived from them, in one visible place.

A :class:`~flowatlas.atlas.Map` is plain, immutable data and knows nothing above it. What is
computed from it (the facts of each flow, the flow graph, who holds what, the policy index, the
verdicts) is an attribute of its ``Analysis``, computed on first use and then kept. Whoever
starts the work (the CLI, the report runner, a notebook session) builds one and hands it to
the audit, the queries, the views, the inventory, reconcile, the diff and the report, so every
output states the same facts.

The modules of this package, one concern each:

* :mod:`~flowatlas.analysis.boundaries`: whether a flow is a transfer, whether it leaves the
  controller, the countries at its ends (:class:`~flowatlas.analysis.boundaries.FlowFacts`);
* :mod:`~flowatlas.analysis.graph`: the flow graph and type-aware reachability;
* :mod:`~flowatlas.analysis.facts`: owners, held types and subjects per node;
* :mod:`~flowatlas.analysis.policy_index`: what one policy declares, indexed;
* :mod:`~flowatlas.analysis.transfer`: a transfer basis held against its regime;
* :mod:`~flowatlas.analysis.verdicts`: each flow held against the policy on each dimension.

>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> a = Analysis(load_texts(EXAMPLE))
>>> a.policy.id, a.graph.number_of_edges(), len(a.verdicts)
('pol', 4, 4)
>>> a.carrying("contact")  # email is a kind of contact data
('f-mail', 'f-save', 'f-signup')
>>> a.flow_facts["f-mail"].is_transfer, a.flow_facts["f-save"].is_transfer
(True, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType

import networkx as nx

from flowatlas.analysis import graph as _graph
from flowatlas.analysis.boundaries import FlowFacts, crossing, flow_regime, home_regime
from flowatlas.analysis.facts import Facts
from flowatlas.analysis.policy_index import PolicyIndex
from flowatlas.analysis.verdicts import Verdicts, classify
from flowatlas.atlas import Map
from flowatlas.errors import UsageError
from flowatlas.model import Policy
from flowatlas.regimes import Regime


def resolve_policy(m: Map, policy: str | Policy | None) -> Policy | None:
    """The policy to hold ``m`` against: a Policy, a policy id of ``m``, or None for the map's
    default (:attr:`~flowatlas.atlas.Map.policy`). An unknown id raises
    :class:`~flowatlas.errors.UsageError`.

    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> m = load_texts(EXAMPLE)
    >>> resolve_policy(m, None).id, resolve_policy(m, "pol").id
    ('pol', 'pol')
    """
    if policy is None:
        return m.policy
    if isinstance(policy, Policy):
        return policy
    if policy not in m.policies:
        raise UsageError(f"unknown policy '{policy}' (map has: {', '.join(m.policies) or 'none'})")
    return m.policies[policy]


class Analysis:
    """What is derived from map ``m`` held against ``policy``.

    Parameters
    ----------
    m : Map
        A validated map.
    policy : str or Policy, optional
        A policy id of the map or a policy record; by default the map's own
        (:attr:`~flowatlas.atlas.Map.policy`). An unknown id raises
        :class:`~flowatlas.errors.UsageError`.

    Notes
    -----
    Every attribute is computed on first use and kept (``functools.cached_property``); the graph
    is frozen, so no reader can change what the others read.

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> a = Analysis(load_texts(EXAMPLE))
    >>> a.graph.edges["app", "send", "f-mail"]["is_transfer"], a.regime.id
    (True, 'SG-PDPA')
    >>> a.graph is a.graph, a.policy_index is a.policy_index
    (True, True)
    """

    def __init__(self, m: Map, policy: str | Policy | None = None) -> None:
        self.map = m
        self.policy: Policy | None = resolve_policy(m, policy)

    def __repr__(self) -> str:
        return f"Analysis({self.map.info.id!r}, policy={self.policy.id if self.policy else None!r})"

    @cached_property
    def regime(self) -> Regime | None:
        """The transfer regime of the map's home as of its date, or None when flowatlas ships
        none for it (:func:`~flowatlas.analysis.boundaries.home_regime`).

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> Analysis(load_texts(EXAMPLE)).regime.cite
        'PDPA s26; PDPR 2021 regs 9-12'
        """
        return home_regime(self.map)

    @cached_property
    def flow_facts(self) -> Mapping[str, FlowFacts]:
        """``{flow id: FlowFacts}``: the countries at each flow's ends, whether it is a transfer
        under :attr:`regime` and whether it leaves the controller, decided once
        (:func:`~flowatlas.analysis.boundaries.crossing`).

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> Analysis(load_texts(EXAMPLE)).flow_facts["f-signup"].source_country
        'SG'
        """
        m, regimes = self.map, self.flow_regimes
        return MappingProxyType({fid: crossing(m, f, regimes[fid]) for fid, f in m.flows.items()})

    @cached_property
    def flow_regimes(self) -> Mapping[str, Regime | None]:
        """``{flow id: Regime}``: the regime each flow is held against, its sender's where
        flowatlas ships one, else the home's (:func:`~flowatlas.analysis.boundaries.flow_regime`).

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> Analysis(load_texts(EXAMPLE)).flow_regimes["f-mail"].id
        'SG-PDPA'
        """
        m = self.map
        return MappingProxyType({fid: flow_regime(m, f) for fid, f in m.flows.items()})

    @cached_property
    def regimes(self) -> Mapping[str, Regime]:
        """``{regime id: Regime}``: the home's and every regime a flow is held against.

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> list(Analysis(load_texts(EXAMPLE)).regimes)
        ['SG-PDPA']
        """
        found = {r.id: r for r in (self.regime, *self.flow_regimes.values()) if r is not None}
        return MappingProxyType(dict(sorted(found.items(), key=lambda kv: kv[1].order)))

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The flow graph (:func:`flowatlas.analysis.graph.build_graph`) with :attr:`flow_facts`
        on its edges, frozen (:func:`networkx.freeze`): every query and view shares it.

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> G = Analysis(load_texts(EXAMPLE)).graph
        >>> G.edges["person", "app", "f-signup"]["source_country"], nx.is_frozen(G)
        ('SG', True)
        """
        return nx.freeze(_graph.build_graph(self.map, self.flow_facts))

    @cached_property
    def facts(self) -> Facts:
        """Owners, held types and subjects per node (:class:`~flowatlas.analysis.facts.Facts`).

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> sorted(Analysis(load_texts(EXAMPLE)).facts.held("db"))
        ['email', 'name']
        """
        return Facts(self.map)

    @cached_property
    def policy_index(self) -> PolicyIndex | None:
        """The policy's declarations, indexed (:class:`~flowatlas.analysis.policy_index.PolicyIndex`;
        None without a policy).

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> sorted(Analysis(load_texts(EXAMPLE)).policy_index.storage)
        ['SG']
        """
        return PolicyIndex(self.map, self.policy) if self.policy else None

    @cached_property
    def verdicts(self) -> Verdicts:
        """Every flow held against the policy on each dimension
        (:func:`~flowatlas.analysis.verdicts.classify`); no verdicts without a policy.

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> [(v.dimension, v.disclosure) for v in Analysis(load_texts(EXAMPLE)).verdicts["f-save"]]
        [('purpose', 'clear'), ('location', 'clear')]
        """
        return classify(self.map, self.policy_index, self.regimes, self.flow_facts)

    @cached_property
    def carriers(self) -> Mapping[str, tuple[str, ...]]:
        """``{type: flow ids}``: the flows that carry each type or one of its subtypes
        (:func:`~flowatlas.analysis.graph.carrier_index`); :meth:`carrying` asks it.

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> Analysis(load_texts(EXAMPLE)).carriers["ip-address"]
        ('f-log', 'f-signup')
        """
        return MappingProxyType(_graph.carrier_index(self.graph))

    def carrying(self, type_id: str) -> tuple[str, ...]:
        """Ids of the flows that carry ``type_id`` or one of its subtypes, sorted: what every
        rule, query and view that asks "which flows carry T" reads.

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> a = Analysis(load_texts(EXAMPLE))
        >>> a.carrying("email"), a.carrying("bank-account")
        (('f-mail', 'f-save', 'f-signup'), ())
        """
        return self.carriers.get(type_id, ())


__all__ = ["Analysis", "resolve_policy"]
