"""Cross-border transfer regimes as data (``flowatlas/data/regimes.yaml``) and basis checking.

The map's ``home`` selects the regime: Singapore → PDPA s26 with PDP Regulations 2021 regs 10-12;
an EU/EEA country → GDPR Chapter V. A flow crosses a border when its ends are in different
countries that are not both inside the regime's ``area`` (the EEA counts as one area).

>>> from datetime import date
>>> r = regime_for("SG")
>>> r.id, "contract" in r.bases, "adequacy" in r.bases
('SG-PDPA', True, False)
>>> regime_for("FR").id
'EU-GDPR'
>>> regime_for("SG", date(2026, 3, 1)).scheme_in_force("Global-CBPR"), r.scheme_in_force("Global-CBPR")
(False, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources

from flowatlas.atlas import Map
from flowatlas.findings import Disclosure
from flowatlas.model import Safeguard
from flowatlas.regions import base_regions, countries_of, in_force
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


#: ``(since, until)``: the first and last day a rule is in force (None: open).
Window = tuple[date | None, date | None]


@dataclass(frozen=True)
class Basis:
    id: str
    cite: str
    summary: str
    requires: str
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class LawfulBasis:
    """A lawful basis of processing under a regime (GDPR Art. 6(1), the PDPA's consent and its
    exceptions)."""

    id: str
    cite: str
    summary: str


@dataclass(frozen=True)
class Regime:
    """A transfer regime as it stood on one date (:func:`regime_for`)."""

    id: str
    name: str
    cite: str  # the transfer rules as a whole, short: "GDPR Art. 44-49"
    homes: frozenset[str]
    area: frozenset[str]
    bases: dict[str, Basis]
    schemes: dict[str, Window]  # recognised certification schemes, with their dates
    processor_only_schemes: frozenset[str]
    adequate: dict[str, Window]  # countries with an adequacy decision, with its dates
    conditional: dict[str, tuple[str, Window]]  # adequate for certified recipients only: why, dates
    on: date
    lawful_bases: dict[str, LawfulBasis]

    def crosses(self, a: str | None, b: str | None) -> bool:
        """True when a flow from country ``a`` to ``b`` is a transfer under this regime."""
        return bool(a and b and a != b and not (a in self.area and b in self.area))

    def scheme_in_force(self, scheme: str) -> bool:
        """Whether certification ``scheme`` is recognised on the regime's date."""
        w = self.schemes.get(scheme)
        return w is not None and in_force(*w, self.on)

    def adequate_on(self, country: str) -> bool:
        """Whether an adequacy decision covers ``country`` on the regime's date."""
        w = self.adequate.get(country)
        return w is not None and in_force(*w, self.on)


@dataclass(frozen=True)
class BasisVerdict:
    """The outcome of holding a flow's transfer basis against the regime."""

    valid: bool
    disclosure: Disclosure  # clear | omitted | incorrect
    reason: str
    basis: Basis | None = None


def _windows(items: list, key: str) -> dict[str, Window]:
    """``[code, {key: code, since: .., until: ..}, ...]`` as ``{code: (since, until)}``."""
    out: dict[str, Window] = {}
    for it in items:
        if isinstance(it, str):
            out[it] = (None, None)
        else:
            out[it[key]] = (_day(it.get("since")), _day(it.get("until")))
    return out


def _day(v: object) -> date | None:
    return v if isinstance(v, date) or v is None else date.fromisoformat(str(v))


@cache
def _regime_data() -> tuple[dict, ...]:
    text = resources.files("flowatlas").joinpath("data", "regimes.yaml").read_text("utf-8")
    return tuple(parse_yaml(text, "<flowatlas>/regimes.yaml").data["regimes"])


@cache
def regimes(on: date | None = None) -> tuple[Regime, ...]:
    """Every shipped regime as it stood on ``on`` (default: today, UTC), in file order. Region
    ids in ``homes`` and ``area`` stand for their members on that day."""
    day = on or datetime.now(UTC).date()
    groups = base_regions()
    out = []
    for r in _regime_data():
        bases = {
            k: Basis(k, v["cite"], v["summary"], v["requires"], _day(v.get("since")), _day(v.get("until")))
            for k, v in r["bases"].items()
        }
        for b in bases.values():
            if b.requires not in REQUIREMENTS:  # pragma: no cover - data error caught by tests
                raise ValueError(f"regimes.yaml: {r['id']}.{b.id}: unknown requirement {b.requires!r}")
        homes = frozenset().union(*(countries_of(c, groups, day) for c in r["homes"]))
        area = frozenset().union(*(countries_of(c, groups, day) for c in r.get("area", r["homes"])))
        out.append(
            Regime(
                id=r["id"],
                name=r["name"],
                cite=r.get("cite", r["name"]),
                homes=homes,
                area=area,
                bases=bases,
                schemes=_windows(r.get("schemes", []), "id"),
                processor_only_schemes=frozenset(r.get("processor_only_schemes", ())),
                adequate=_windows(r.get("adequate", []), "country"),
                conditional={
                    k: (v["note"], (_day(v.get("since")), _day(v.get("until"))))
                    for k, v in r.get("conditional", {}).items()
                },
                on=day,
                lawful_bases={k: LawfulBasis(k, v["cite"], v["summary"]) for k, v in r.get("lawful_bases", {}).items()},
            )
        )
    return tuple(out)


@cache
def regime_for(home: str, on: date | None = None) -> Regime | None:
    """The regime selected by a home country on ``on`` (default today), or None when flowatlas
    ships none for it."""
    for r in regimes(on):
        if home in r.homes:
            return r
    return None


def lawful_bases_for(home: str) -> dict[str, LawfulBasis]:
    """The lawful bases a map of ``home`` may name: its regime's, or every shipped regime's when
    flowatlas ships none for that home."""
    r = regime_for(home)
    if r is not None:
        return r.lawful_bases
    out: dict[str, LawfulBasis] = {}
    for other in regimes():
        for k, v in other.lawful_bases.items():
            out.setdefault(k, v)
    return out


def regime_of(m: Map) -> Regime | None:
    """The regime of map ``m``: selected by its home, as it stood on the map's ``as_of`` date."""
    return regime_for(m.home, m.as_of)


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
    day = regime.on.isoformat()
    if not in_force(basis.since, basis.until, regime.on):
        return BasisVerdict(
            False,
            "incorrect",
            f"'{basis_id}' was not a transfer basis under {regime.id} on {day}{_window(basis)}",
            basis,
        )
    src_org, dst_org, dest = source_org, target_org, destination
    org = m.organisations[dst_org] if dst_org else None
    held: dict[str, list[Safeguard]] = {}
    expired: list[Safeguard] = []
    for sg in org.safeguards if org else ():
        held.setdefault(sg.kind, [])
        if sg.valid_until is not None and sg.valid_until < regime.on:
            expired.append(sg)
        else:
            held[sg.kind].append(sg)
    who = f"recipient '{dst_org}'" if dst_org else "the recipient"
    req = basis.requires
    lapsed = [sg for sg in expired if _serves(sg.kind, req)]
    if lapsed and not any(held.get(sg.kind) for sg in lapsed):
        sg = lapsed[0]
        return BasisVerdict(
            False,
            "incorrect",
            f"the {sg.kind.replace('_', ' ')} safeguard of {who} expired on {sg.valid_until} "
            f"(the map is read as of {day}) ({basis.cite})",
            basis,
        )
    if req == "none":
        return BasisVerdict(True, "clear", f"{basis_id} ({basis.cite})", basis)
    if req == "in_transit":
        if in_transit:
            return BasisVerdict(True, "clear", f"data in transit ({basis.cite})", basis)
        return BasisVerdict(False, "incorrect", "basis 'in_transit' but the flow does not say in_transit: true", basis)
    if req == "contract":
        covering = [sg for sg in held.get("contract", []) if dest in m.places_of(sg.countries)]
        if covering:
            return BasisVerdict(True, "clear", f"contract naming {dest} ({basis.cite})", basis)
        if held.get("contract"):
            named = sorted({c for sg in held["contract"] for c in sg.countries})
            shown = [c if m.places(c) == {c} else f"{c} ({', '.join(sorted(m.places(c)))})" for c in named]
            return BasisVerdict(
                False,
                "incorrect",
                f"the contract of {who} names {', '.join(shown)} but not the destination {dest} ({basis.cite})",
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
            if regime.scheme_in_force(s)
            and (s not in regime.processor_only_schemes or role in ("processor", "sub_processor"))
        }
        certs = [sg for sg in held.get("certification", []) if sg.scheme in ok_schemes]
        if req == "approved_code":
            certs = held.get("approved_code", []) + certs
        if certs:
            return BasisVerdict(True, "clear", f"{req.replace('_', ' ')} held by {who} ({basis.cite})", basis)
        have = sorted(str(sg.scheme) for sg in held.get("certification", []))
        not_yet = [s for s in have if s in regime.schemes and not regime.scheme_in_force(s)]
        if not_yet:
            since, until = regime.schemes[not_yet[0]]
            extra = f" (holds {', '.join(have)}; {not_yet[0]} is recognised{_window_text(since, until)}, not on {day})"
        else:
            extra = f" (holds {', '.join(have)}, not recognised here)" if have else ""
        return BasisVerdict(
            False, "incorrect", f"{who} holds no recognised {req.replace('_', ' ')}{extra} ({basis.cite})", basis
        )
    if req == "scc":
        if held.get("standard_contractual_clauses"):
            return BasisVerdict(True, "clear", f"standard contractual clauses ({basis.cite})", basis)
        return BasisVerdict(False, "incorrect", f"{who} holds no standard contractual clauses ({basis.cite})", basis)
    if req == "adequacy":
        if regime.adequate_on(dest):
            return BasisVerdict(True, "clear", f"adequacy decision for {dest} ({basis.cite})", basis)
        if dest in regime.adequate:
            since, until = regime.adequate[dest]
            why = f"the adequacy decision for {dest} applies{_window_text(since, until)}, not on {day} ({basis.cite})"
            return BasisVerdict(False, "incorrect", why, basis)
        cond = regime.conditional.get(dest)
        if cond and in_force(*cond[1], regime.on):
            if any(sg.scheme == "other" for sg in held.get("certification", [])):
                return BasisVerdict(True, "clear", f"{cond[0]} ({basis.cite})", basis)
            note = f"; {cond[0]}"
        elif cond:
            note = f"; {cond[0]}, in force{_window_text(*cond[1])}, not on {day}"
        else:
            note = ""
        return BasisVerdict(False, "incorrect", f"no adequacy decision covers {dest}{note} ({basis.cite})", basis)
    raise AssertionError(req)  # pragma: no cover


#: The safeguard kind each requirement rests on.
_RESTS_ON = {
    "contract": "contract",
    "bcr_related": "binding_corporate_rules",
    "binding_instrument": "binding_instrument",
    "certification": "certification",
    "approved_code": "approved_code",
    "scc": "standard_contractual_clauses",
}


def _serves(kind: str, requirement: str) -> bool:
    return _RESTS_ON.get(requirement) == kind or (requirement == "approved_code" and kind == "certification")


def _window_text(since: date | None, until: date | None) -> str:
    if since and until:
        return f" from {since} to {until}"
    if since:
        return f" from {since}"
    return f" until {until}" if until else ""


def _window(basis: Basis) -> str:
    text = _window_text(basis.since, basis.until)
    return f" (in force{text})" if text else ""


__all__ = [
    "REQUIREMENTS",
    "Basis",
    "BasisVerdict",
    "LawfulBasis",
    "Regime",
    "check_basis",
    "lawful_bases_for",
    "regime_for",
    "regime_of",
    "regimes",
]
