"""The two boundaries a flow can cross, each decided in one place.

* :func:`is_transfer`: the flow crosses a border under the map's transfer regime;
* :func:`leaves_controller`: the flow hands data from the controller (or a data subject) to
  another organisation.

The audit, the graph's edge attributes, ``describe``, the diagrams and the inventory all ask
these two functions.

>>> from flowatlas.loader import load_texts
>>> m = load_texts({"map.yaml": '''
... map: {id: x, name: X, controller: acme, home: FR}
... organisations:
...   - {id: acme, name: Acme, role: controller, jurisdiction: FR}
...   - {id: host, name: Host, role: processor, jurisdiction: US}
... nodes:
...   - {id: app, name: App, kind: system, owner: acme, jurisdiction: FR}
...   - {id: de, name: DE copy, kind: system, owner: acme, jurisdiction: DE}
...   - {id: us, name: US host, kind: system, owner: host, jurisdiction: US}
... flows:
...   - {id: f-de, from: app, to: de, types: [email], purposes: [provide-service]}
...   - {id: f-us, from: app, to: us, types: [email], purposes: [provide-service]}
... '''})
>>> is_transfer(m, m.flows["f-de"]), is_transfer(m, m.flows["f-us"])  # the EEA is one area
(False, True)
>>> leaves_controller(m, m.flows["f-de"]), leaves_controller(m, m.flows["f-us"])
(False, True)
"""

from __future__ import annotations

from flowatlas.atlas import Map
from flowatlas.model import Flow, Node
from flowatlas.regimes import regime_of

#: Roles whose nodes count as the controller's own side of the map.
INTERNAL_ROLES = frozenset({"controller", "affiliate"})


def is_transfer(m: Map, flow: Flow) -> bool:
    """Whether ``flow`` is a cross-border transfer under the regime of ``m``'s home.

    Parameters
    ----------
    m : Map
        The map (its home selects the regime).
    flow : Flow
        One of its flows.

    Returns
    -------
    bool

    Notes
    -----
    Both ends must have a country, and the countries must differ and not both lie inside the
    regime's area (under the GDPR the EEA is one area). A home for which flowatlas ships no regime
    counts every change of country.

    Delivering data to a person is never a transfer. Collecting it from a person is one when the
    controller directs the collection into a system or store abroad: its own, or one run for it
    by an affiliate, processor or sub-processor (an overseas help desk, an SDK posting to a
    foreign endpoint). The person is taken to be where their node says (``jurisdiction``), else
    in the map's home; a person outside the home's area (the regime's area) gives data that never
    was there, so its collection is no transfer. This follows PDPA s26, which restricts any transfer "to a country or
    territory outside Singapore" by the organisation, and the GDPR reading of EDPB Guidelines
    05/2021: the controller that decides where its users' data is sent makes it available to the
    importer abroad. A person who hands data to an independent organisation of their own accord
    (a third party's own service) is not a transfer by the controller.
    """
    return transfers_between(m, m.nodes[flow.source], m.nodes[flow.target])


#: Roles of the organisations a controller directs: collection into their systems abroad is a transfer.
DIRECTED_ROLES = frozenset({"controller", "affiliate", "processor", "sub_processor"})


def transfers_between(m: Map, source: Node, target: Node) -> bool:
    """:func:`is_transfer` of a flow from node ``source`` to node ``target`` (the records)."""
    if target.kind == "subject":
        return False
    if source.kind == "subject":
        owner = m.organisations.get(target.owner) if target.owner else None
        if owner is None or owner.role not in DIRECTED_ROLES:
            return False
    a: str | None = (source.jurisdiction or m.home) if source.kind == "subject" else source.jurisdiction
    b = target.jurisdiction
    regime = regime_of(m)
    if source.kind == "subject" and a not in (regime.area if regime else {m.home}):
        return False  # collected from a person abroad: the data never was in the home area
    if regime is None:
        return bool(a and b and a != b)
    return regime.crosses(a, b)


def leaves_controller(m: Map, flow: Flow) -> bool:
    """Whether ``flow`` hands data from the controller (or a data subject) to another organisation."""
    return hands_over(m, m.nodes[flow.source], m.nodes[flow.target])


def hands_over(m: Map, source: Node, target: Node) -> bool:
    """:func:`leaves_controller` of a flow from node ``source`` to node ``target`` (the records)."""
    if target.kind == "subject" or target.owner is None or target.owner == m.info.controller:
        return False
    return source.kind == "subject" or source.owner == m.info.controller


__all__ = ["DIRECTED_ROLES", "INTERNAL_ROLES", "hands_over", "is_transfer", "leaves_controller", "transfers_between"]
