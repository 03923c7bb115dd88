"""Cross-border transfer regimes as data (``flowatlas/data/regimes.yaml``): the law, dated.

Holding a flow's basis against a regime is :mod:`flowatlas.analysis.transfer`'s.

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


__all__ = ["REQUIREMENTS", "Basis", "LawfulBasis", "Regime", "lawful_bases_for", "regime_for", "regimes"]
