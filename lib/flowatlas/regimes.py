"""Cross-border transfer regimes as data (``flowatlas/data/regimes.yaml``) and basis checking.

The map's ``home`` selects the regime: Singapore → PDPA s26 with PDP Regulations 2021 regs 10-12;
an EU/EEA country → GDPR Chapter V. A flow crosses a border when its ends are in different
countries that are not both inside the regime's ``area`` (the EEA counts as one area).

>>> r = regime_for("SG")
>>> r.id, "contract" in r.bases, "adequacy" in r.bases
('SG-PDPA', True, False)
>>> regime_for("FR").id
'EU-GDPR'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from flowatlas.atlas import Map
from flowatlas.findings import Disclosure
from flowatlas.model import Safeguard
from flowatlas.yamlio import parse_yaml

#: What a basis needs to be valid in a given case (see regimes.yaml).
REQUIREMENTS = (
    "none",
    "in_transit",
    "contract",
    "bcr_related",
    "binding_instrument",
    "certification",
    "scc",
    "approved_code",
    "adequacy",
)


@dataclass(frozen=True)
class Basis:
    id: str
    cite: str
    summary: str
    requires: str


@dataclass(frozen=True)
class Regime:
    id: str
    name: str
    homes: frozenset[str]
    area: frozenset[str]
    bases: dict[str, Basis]
    schemes: frozenset[str]
    processor_only_schemes: frozenset[str]
    adequate: frozenset[str]
    conditional: dict[str, str]

    def crosses(self, a: str | None, b: str | None) -> bool:
        """True when a flow from country ``a`` to ``b`` is a transfer under this regime."""
        return bool(a and b and a != b and not (a in self.area and b in self.area))


@dataclass(frozen=True)
class BasisVerdict:
    """The outcome of holding a flow's transfer basis against the regime."""

    valid: bool
    disclosure: Disclosure  # clear | omitted | incorrect
    reason: str
    basis: Basis | None = None


@cache
def regimes() -> tuple[Regime, ...]:
    """Every shipped regime, in file order."""
    text = resources.files("flowatlas").joinpath("data", "regimes.yaml").read_text("utf-8")
    out = []
    for r in parse_yaml(text, "<flowatlas>/regimes.yaml").data["regimes"]:
        bases = {k: Basis(k, v["cite"], v["summary"], v["requires"]) for k, v in r["bases"].items()}
        for b in bases.values():
            if b.requires not in REQUIREMENTS:  # pragma: no cover - data error caught by tests
                raise ValueError(f"regimes.yaml: {r['id']}.{b.id}: unknown requirement {b.requires!r}")
        out.append(
            Regime(
                id=r["id"],
                name=r["name"],
                homes=frozenset(r["homes"]),
                area=frozenset(r.get("area", r["homes"])),
                bases=bases,
                schemes=frozenset(r.get("schemes", ())),
                processor_only_schemes=frozenset(r.get("processor_only_schemes", ())),
                adequate=frozenset(r.get("adequate", ())),
                conditional=dict(r.get("conditional", {})),
            )
        )
    return tuple(out)


@cache
def regime_for(home: str) -> Regime | None:
    """The regime selected by a home country, or None when flowatlas ships none for it."""
    for r in regimes():
        if home in r.homes:
            return r
    return None


def check_basis(
    m: Map,
    regime: Regime | None,
    basis_id: str | None,
    in_transit: bool,
    source_org: str | None,
    target_org: str | None,
    destination: str,
) -> BasisVerdict:
    """Hold a cross-border flow's transfer basis against ``regime``.

    The flow names ``basis_id`` (or none) and may pass ``in_transit``; it goes from a node of
    ``source_org`` to a node of ``target_org`` (the recipient, whose safeguards count) in
    country ``destination``. These, with the map's organisations, are all the answer depends on.
    """
    if basis_id is None and in_transit and regime is not None and "in_transit" in regime.bases:
        basis_id = "in_transit"  # the flow says the data only passes through
    if basis_id is None:
        return BasisVerdict(False, "omitted", "the flow names no transfer basis")
    if regime is None:
        return BasisVerdict(True, "clear", f"basis '{basis_id}' (no regime shipped for home {m.home})")
    basis = regime.bases.get(basis_id)
    if basis is None:
        others = [r.id for r in regimes() if basis_id in r.bases]
        where = f" (a basis of {', '.join(others)})" if others else ""
        return BasisVerdict(False, "incorrect", f"'{basis_id}' is not a transfer basis under {regime.id}{where}")
    src_org, dst_org, dest = source_org, target_org, destination
    org = m.organisations[dst_org] if dst_org else None
    held: dict[str, list[Safeguard]] = {sg.kind: [] for sg in org.safeguards} if org else {}
    if org:
        for sg in org.safeguards:
            held[sg.kind].append(sg)
    who = f"recipient '{dst_org}'" if dst_org else "the recipient"
    req = basis.requires
    if req == "none":
        return BasisVerdict(True, "clear", f"{basis_id} ({basis.cite})", basis)
    if req == "in_transit":
        if in_transit:
            return BasisVerdict(True, "clear", f"data in transit ({basis.cite})", basis)
        return BasisVerdict(False, "incorrect", "basis 'in_transit' but the flow does not say in_transit: true", basis)
    if req == "contract":
        covering = [sg for sg in held.get("contract", []) if dest in sg.countries]
        if covering:
            return BasisVerdict(True, "clear", f"contract naming {dest} ({basis.cite})", basis)
        if held.get("contract"):
            named = sorted({c for sg in held["contract"] for c in sg.countries})
            return BasisVerdict(
                False,
                "incorrect",
                f"{who}'s contract names {', '.join(named)} but not the destination {dest} ({basis.cite})",
                basis,
            )
        return BasisVerdict(False, "incorrect", f"{who} holds no contract safeguard ({basis.cite})", basis)
    if req == "bcr_related":
        if not (src_org and dst_org and m.related(src_org, dst_org)):
            return BasisVerdict(
                False,
                "incorrect",
                f"binding corporate rules between unrelated organisations '{src_org}' and '{dst_org}' ({basis.cite})",
                basis,
            )
        if not held.get("binding_corporate_rules"):
            return BasisVerdict(False, "incorrect", f"{who} holds no binding corporate rules ({basis.cite})", basis)
        return BasisVerdict(True, "clear", f"binding corporate rules within the group ({basis.cite})", basis)
    if req == "binding_instrument":
        if held.get("binding_instrument"):
            return BasisVerdict(True, "clear", f"binding instrument ({basis.cite})", basis)
        return BasisVerdict(False, "incorrect", f"{who} holds no binding_instrument safeguard ({basis.cite})", basis)
    if req in ("certification", "approved_code"):
        role = org.role if org else ""
        ok_schemes = {
            s
            for s in regime.schemes
            if s not in regime.processor_only_schemes or role in ("processor", "sub_processor")
        }
        certs = [sg for sg in held.get("certification", []) if sg.scheme in ok_schemes]
        if req == "approved_code":
            certs = held.get("approved_code", []) + certs
        if certs:
            return BasisVerdict(True, "clear", f"{req.replace('_', ' ')} held by {who} ({basis.cite})", basis)
        have = sorted(str(sg.scheme) for sg in held.get("certification", []))
        extra = f" (holds {', '.join(have)}, not recognised here)" if have else ""
        return BasisVerdict(
            False, "incorrect", f"{who} holds no recognised {req.replace('_', ' ')}{extra} ({basis.cite})", basis
        )
    if req == "scc":
        if held.get("standard_contractual_clauses"):
            return BasisVerdict(True, "clear", f"standard contractual clauses ({basis.cite})", basis)
        return BasisVerdict(False, "incorrect", f"{who} holds no standard contractual clauses ({basis.cite})", basis)
    if req == "adequacy":
        if dest in regime.adequate:
            return BasisVerdict(True, "clear", f"adequacy decision for {dest} ({basis.cite})", basis)
        if dest in regime.conditional and any(sg.scheme == "other" for sg in held.get("certification", [])):
            return BasisVerdict(True, "clear", f"{regime.conditional[dest]} ({basis.cite})", basis)
        note = f"; {regime.conditional[dest]}" if dest in regime.conditional else ""
        return BasisVerdict(False, "incorrect", f"no adequacy decision covers {dest}{note} ({basis.cite})", basis)
    raise AssertionError(req)  # pragma: no cover


__all__ = ["REQUIREMENTS", "Basis", "BasisVerdict", "Regime", "check_basis", "regime_for", "regimes"]
