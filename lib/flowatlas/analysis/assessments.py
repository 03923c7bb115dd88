"""The transfers that need a transfer impact assessment (TIA), grouped as one assessment each.

A transfer needs one when it relies on a tool of the kind EDPB Recommendations 01/2020 were
written for (standard clauses, binding corporate rules, codes and certifications; a contract
under PDPR reg 11; the PIPL standard contract): its regime's basis says ``tia: true``
(``flowatlas/data/regimes/*.yaml``). One assessment covers the transfers of one exporter to one
importer in one destination on one tool, as a TIA is written; it holds every flow it covers and
the assessments recorded on them (``tia:``).

>>> from flowatlas.analysis import Analysis
>>> from flowatlas.loader import load_texts
>>> m = load_texts({"map.yaml": '''
... map: {id: x, name: X, controller: acme, home: FR}
... organisations:
...   - {id: acme, name: Acme, role: controller, jurisdiction: FR}
...   - {id: host, name: Host, role: processor, jurisdiction: US,
...      safeguards: [{kind: standard_contractual_clauses}]}
... nodes:
...   - {id: app, name: App, kind: system, owner: acme, jurisdiction: FR}
...   - {id: us, name: US host, kind: system, owner: host, jurisdiction: US}
... flows:
...   - {id: f-1, from: app, to: us, types: [email], purposes: [provide-service],
...      transfer_basis: standard_contractual_clauses}
... '''})
>>> (t,) = needing_assessment(Analysis(m))
>>> t.key, t.flows, t.unrecorded
(('acme', 'host', 'US', 'standard_contractual_clauses'), ('f-1',), ('f-1',))
>>> t.tool
'standard_contractual_clauses (EU-SCC-2021)'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flowatlas.model import Safeguard, TransferAssessment
from flowatlas.regimes import Basis, Regime

if TYPE_CHECKING:  # the Analysis builds these; its module imports this one
    from flowatlas.analysis import Analysis


@dataclass(frozen=True)
class Assessed:
    """One transfer (exporter, importer, destination, tool) that needs an impact assessment."""

    regime: Regime
    basis: Basis
    exporter: str | None  # organisation ids
    importer: str | None
    destination: str
    flows: tuple[str, ...]
    recorded: tuple[TransferAssessment, ...]  # the distinct assessments recorded on its flows
    unrecorded: tuple[str, ...]  # its flows that record none
    safeguards: tuple[Safeguard, ...]  # the importer's safeguards of the tool's kind

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What it is about: (exporter, importer, destination, basis)."""
        return (self.exporter or "", self.importer or "", self.destination, self.basis.id)

    @property
    def tool(self) -> str:
        """The tool in words: the basis, with the clauses or scheme it names where it names one."""
        names = sorted({sg.scheme or (self.regime.default_clauses or "") for sg in self.safeguards} - {""})
        return f"{self.basis.id} ({', '.join(names)})" if names else self.basis.id


#: The safeguard kinds a basis's requirement rests on (what the worksheet lists as the tool).
TOOL_KINDS: Mapping[str, tuple[str, ...]] = {
    "scc": ("standard_contractual_clauses",),
    "contract": ("contract",),
    "bcr_related": ("binding_corporate_rules",),
    "binding_instrument": ("binding_instrument",),
    "certification": ("certification",),
    "approved_code": ("approved_code", "certification"),
    "assessment": ("security_assessment",),
}


def needing_assessment(a: Analysis) -> list[Assessed]:
    """Every transfer of ``a``'s map that relies on a basis needing an impact assessment, one per
    (exporter, importer, destination, basis), in that order.

    Parameters
    ----------
    a : Analysis
        The map's analysis (its flow facts and regimes).

    Returns
    -------
    list of Assessed
    """
    m = a.map
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    held: dict[tuple[str, str, str, str], tuple[Regime, Basis]] = {}
    for fid, f in m.flows.items():
        facts = a.flow_facts[fid]
        regime = a.regimes.get(facts.regime) if facts.regime else None
        if not facts.is_transfer or regime is None or f.transfer_basis not in regime.bases:
            continue
        basis = regime.bases[f.transfer_basis]
        if not basis.tia:
            continue
        importer = m.nodes[f.target].owner
        key = (facts.exporter or "", importer or "", facts.target_country or "", basis.id)
        groups.setdefault(key, []).append(fid)
        held[key] = (regime, basis)
    out = []
    for key in sorted(groups):
        regime, basis = held[key]
        fids = tuple(sorted(groups[key]))
        recorded = tuple(dict.fromkeys(m.flows[f].tia for f in fids if m.flows[f].tia is not None))
        org = m.organisations.get(key[1])
        kinds = TOOL_KINDS.get(basis.requires, ())
        tools = tuple(sg for sg in (org.safeguards if org else ()) if sg.kind in kinds)
        out.append(
            Assessed(
                regime,
                basis,
                key[0] or None,
                key[1] or None,
                key[2],
                fids,
                recorded,  # type: ignore[arg-type]
                tuple(f for f in fids if m.flows[f].tia is None),
                tools,
            )
        )
    return out


__all__ = ["TOOL_KINDS", "Assessed", "needing_assessment"]
