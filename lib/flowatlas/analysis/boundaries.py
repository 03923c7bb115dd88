"""The boundaries a flow can cross, each decided in one place, once per flow.

* :func:`crossing`: the facts of one flow that every output reads, as :class:`FlowFacts`: the
  countries at its two ends (a person is where their data is collected: their node's country,
  else the map's home), whether it is a transfer under the regime (``is_transfer``),
  whether it leaves the controller, and which organisation exports it;
* :func:`in_group`: whether an organisation's role puts it on the controller's own side (the
  controller and its affiliates), which the diagrams draw as internal and reconcile does not
  count as a third party.

:class:`~flowatlas.analysis.Analysis` computes the facts of every flow once
(:attr:`~flowatlas.analysis.Analysis.flow_facts`) and sets them on the graph's edges; the
audit, the diagrams, the inventory, the diff and reconcile read them there.

>>> from flowatlas.loader import load_texts
>>> from flowatlas.regimes import regime_for
>>> m = load_texts({"map.yaml": '''
... map: {id: x, name: X, controller: acme, home: FR}
... organisations:
...   - {id: acme, name: Acme, role: controller, jurisdiction: FR}
...   - {id: host, name: Host, role: processor, jurisdiction: US}
... data_subjects: [{id: user, name: User}]
... nodes:
...   - {id: person, name: Person, kind: subject, subject: user}
...   - {id: app, name: App, kind: system, owner: acme, jurisdiction: FR}
...   - {id: de, name: DE copy, kind: system, owner: acme, jurisdiction: DE}
...   - {id: us, name: US host, kind: system, owner: host, jurisdiction: US}
... flows:
...   - {id: f-in, from: person, to: us, types: [email], purposes: [provide-service], context: registration}
...   - {id: f-de, from: app, to: de, types: [email], purposes: [provide-service]}
...   - {id: f-us, from: app, to: us, types: [email], purposes: [provide-service]}
... '''})
>>> regime = regime_for("FR")
>>> crossing(m, m.flows["f-de"], regime)[:4]  # the EEA is one area
('FR', 'DE', False, False)
>>> crossing(m, m.flows["f-us"], regime)
... # doctest: +NORMALIZE_WHITESPACE
FlowFacts(source_country='FR', target_country='US', is_transfer=True, leaves_controller=True,
          exporter='acme', sharing_basis='on_instruction', regime='EU-GDPR')
>>> crossing(m, m.flows["f-in"], regime)[:4]  # a person is where they are collected: the home, unless said
('FR', 'US', True, True)
"""

from __future__ import annotations

from typing import NamedTuple

from flowatlas.atlas import Map
from flowatlas.model import ROLE_SHARING_BASIS, Flow, Node
from flowatlas.regimes import Regime, regime_for

#: Roles on the controller's own side of the map: the controller and its affiliates.
GROUP_ROLES = frozenset({"controller", "affiliate"})

#: Roles of the organisations a controller directs: collection into their systems abroad is a transfer.
DIRECTED_ROLES = frozenset({"controller", "affiliate", "processor", "sub_processor"})


def in_group(role: str | None) -> bool:
    """Whether an organisation of ``role`` is on the controller's own side (:data:`GROUP_ROLES`).

    >>> in_group("affiliate"), in_group("processor"), in_group(None)
    (True, False, False)
    """
    return role in GROUP_ROLES


class FlowFacts(NamedTuple):
    """What every output reads of one flow, decided once (:func:`crossing`).

    Examples
    --------
    >>> from flowatlas.analysis import Analysis
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> facts = Analysis(load_texts(EXAMPLE)).flow_facts["f-mail"]
    >>> facts.is_transfer, facts.target_country, facts.sharing_basis
    (True, 'US', 'on_instruction')
    """

    source_country: str | None  # a person: where their data is collected (their node's country, else the home)
    target_country: str | None  # a person receiving data: their node's country, if it says
    is_transfer: bool  # a cross-border transfer under the regime
    leaves_controller: bool  # hands data to another organisation
    exporter: str | None  # the organisation that sends it (the controller, for a collection it directs)
    sharing_basis: str | None  # as recorded, else the one the recipient's role decides (a processor: on_instruction)
    regime: str | None = None  # the id of the regime it is held against (:func:`flow_regime`), None if none ships


def home_regime(m: Map) -> Regime | None:
    """The transfer regime of the map's home as it stood on the map's date (``as_of``), or None
    when flowatlas ships none for that home.

    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> home_regime(load_texts(EXAMPLE)).id
    'SG-PDPA'
    """
    return regime_for(m.home, m.as_of)


def exporter_of(m: Map, flow: Flow) -> str | None:
    """The organisation that sends ``flow``: its source node's owner, or the controller for a
    collection from a person (the controller directs where its users' data goes).

    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> m = load_texts(EXAMPLE)
    >>> exporter_of(m, m.flows["f-signup"]), exporter_of(m, m.flows["f-mail"])
    ('acme', 'acme')
    """
    source = m.nodes[flow.source]
    return m.info.controller if source.kind == "subject" else source.owner


def flow_regime(m: Map, flow: Flow) -> Regime | None:
    """The regime ``flow`` is held against, as it stood on the map's date: that of the
    organisation sending it (:func:`exporter_of`) where flowatlas ships one for its country
    (an EU controller's Brazilian affiliate sends under the LGPD), else that of the map's home (a
    processor abroad sends on under the controller's regime: GDPR Art. 44 covers onward
    transfers).

    >>> from flowatlas.loader import load_texts
    >>> m = load_texts({"map.yaml": '''
    ... map: {id: x, name: X, controller: acme, home: FR}
    ... organisations:
    ...   - {id: acme, name: Acme, role: controller, jurisdiction: FR}
    ...   - {id: acme-br, name: Acme Brasil, role: affiliate, jurisdiction: BR}
    ...   - {id: host, name: Host, role: processor, jurisdiction: US}
    ... nodes:
    ...   - {id: app, name: App, kind: system, owner: acme, jurisdiction: FR}
    ...   - {id: br, name: BR office, kind: system, owner: acme-br, jurisdiction: BR}
    ...   - {id: us, name: US host, kind: system, owner: host, jurisdiction: US}
    ... flows:
    ...   - {id: f-fr, from: app, to: us, types: [email], purposes: [provide-service]}
    ...   - {id: f-br, from: br, to: us, types: [email], purposes: [provide-service]}
    ...   - {id: f-us, from: us, to: br, types: [email], purposes: [provide-service]}
    ... '''})
    >>> [flow_regime(m, m.flows[f]).id for f in ("f-fr", "f-br", "f-us")]
    ['EU-GDPR', 'BR-LGPD', 'EU-GDPR']
    """
    exporter = exporter_of(m, flow)
    org = m.organisations.get(exporter) if exporter else None
    own = regime_for(org.jurisdiction, m.as_of) if org is not None else None
    return own if own is not None else home_regime(m)


def crossing(m: Map, flow: Flow, regime: Regime | None) -> FlowFacts:
    """The :class:`FlowFacts` of ``flow`` under ``regime`` (the regime of the map's home).

    Parameters
    ----------
    m : Map
        The map.
    flow : Flow
        One of its flows.
    regime : Regime or None
        The transfer regime the flow is held against (:func:`flow_regime`), as it stood on the
        map's date; None when flowatlas ships none (then every change of country is a transfer).

    Returns
    -------
    FlowFacts

    Notes
    -----
    A transfer: both ends have a country, and the countries differ and do not both lie inside
    the regime's area (under the GDPR the EEA is one area).

    Delivering data to a person is never a transfer. Collecting it from a person is one when the
    controller directs the collection into a system or store abroad: its own, or one run for it
    by an affiliate, processor or sub-processor (an overseas help desk, an SDK posting to a
    foreign endpoint); the controller is then the exporter. A person outside the regime's area
    gives data that never was there, so its collection is no transfer. This follows PDPA s26,
    which restricts any transfer "to a country or territory outside Singapore" by the
    organisation, and the GDPR reading of EDPB Guidelines 05/2021: the controller that decides
    where its users' data is sent makes it available to the importer abroad. A person who hands
    data to an independent organisation of their own accord (a third party's own service) is not
    a transfer by the controller.

    A flow leaves the controller when it hands data from the controller (or from a person) to a
    node of another organisation. Its sharing basis is the one it records, else the one the
    recipient's role decides (:data:`~flowatlas.model.ROLE_SHARING_BASIS`: a processor acts on the
    controller's instruction), else None: not recorded.

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> from flowatlas.regimes import regime_for
    >>> m = load_texts(EXAMPLE)
    >>> crossing(m, m.flows["f-mail"], regime_for("SG"))  # doctest: +NORMALIZE_WHITESPACE
    FlowFacts(source_country='SG', target_country='US', is_transfer=True, leaves_controller=True,
              exporter='acme', sharing_basis='on_instruction', regime='SG-PDPA')
    """
    source, target = m.nodes[flow.source], m.nodes[flow.target]
    collected = source.kind == "subject"
    # a person is where the controller collects their data: their node's country, else the home
    a = (source.jurisdiction or m.home) if collected else source.jurisdiction
    b = target.jurisdiction
    exporter = exporter_of(m, flow)
    basis: str | None = flow.sharing_basis
    if basis is None and target.owner is not None and target.owner != source.owner:
        basis = ROLE_SHARING_BASIS.get(m.organisations[target.owner].role)
    transfer = _transfers(m, source, target, a, b, regime)
    return FlowFacts(a, b, transfer, _hands_over(m, source, target), exporter, basis, regime.id if regime else None)


def _transfers(m: Map, source: Node, target: Node, a: str | None, b: str | None, regime: Regime | None) -> bool:
    if target.kind == "subject":
        return False
    if source.kind == "subject":
        owner = m.organisations.get(target.owner) if target.owner else None
        if owner is None or owner.role not in DIRECTED_ROLES:
            return False
        if a not in (regime.area if regime else {m.home}):
            return False  # collected from a person abroad: the data never was in the home area
    if regime is None:
        return bool(a and b and a != b)
    return regime.crosses(a, b)


def _hands_over(m: Map, source: Node, target: Node) -> bool:
    if target.kind == "subject" or target.owner is None or target.owner == m.info.controller:
        return False
    return source.kind == "subject" or source.owner == m.info.controller


__all__ = [
    "DIRECTED_ROLES",
    "GROUP_ROLES",
    "FlowFacts",
    "crossing",
    "exporter_of",
    "flow_regime",
    "home_regime",
    "in_group",
]
