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
    Both ends must be systems or stores (collecting data from a person, or delivering it to a
    person, is not a transfer), both must have a country, and the countries must differ and not
    both lie inside the regime's area (under the GDPR the EEA is one area). A home for which
    flowatlas ships no regime counts every change of country.
    """
    return transfers_between(m, m.nodes[flow.source], m.nodes[flow.target])


def transfers_between(m: Map, source: Node, target: Node) -> bool:
    """:func:`is_transfer` of a flow from node ``source`` to node ``target`` (the records)."""
    if source.kind == "subject" or target.kind == "subject":
        return False
    a, b = source.jurisdiction, target.jurisdiction
    regime = regime_of(m)
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


__all__ = ["INTERNAL_ROLES", "hands_over", "is_transfer", "leaves_controller", "transfers_between"]
