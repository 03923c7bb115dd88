"""Cross-border transfer regimes as data (``flowatlas/data/regimes/*.yaml``, one file each): the law, dated.

Holding a flow's basis against a regime is :mod:`flowatlas.analysis.transfer`'s.

A flow is held against the regime of the organisation that sends it, where flowatlas ships one
for that organisation's country, else against the regime of the map's home
(:func:`flowatlas.analysis.boundaries.flow_regime`): Singapore → PDPA s26 with PDP Regulations
2021 regs 10-12; an EU/EEA country → GDPR Chapter V; the United Kingdom → the UK GDPR;
Switzerland → the FADP; China → the PIPL; Brazil → the LGPD; India → the DPDP Act. A flow
crosses a border when its ends are in different countries that are not both inside the
regime's ``area`` (the EEA counts as one area), and the regime is in force on the map's date.

>>> from datetime import date
>>> r = regime_for("SG")
>>> r.id, "contract" in r.bases, "adequacy" in r.bases
('SG-PDPA', True, False)
>>> regime_for("FR").id, regime_for("GB").id, regime_for("CH").id
('EU-GDPR', 'GB-UKGDPR', 'CH-FADP')
>>> regime_for("SG", date(2026, 3, 1)).scheme_in_force("Global-CBPR"), r.scheme_in_force("Global-CBPR")
(False, True)
>>> regime_for("IN", date(2026, 12, 1)).in_force, regime_for("IN", date(2027, 5, 13)).in_force
(False, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources

from flowatlas.regions import base_regions, countries_of, in_force
from flowatlas.yamlio import parse_yaml

#: What a basis needs to be valid in a given case (see data/regimes/README.md).
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
    "assessment",
    "not_restricted",
)


#: ``(since, until)``: the first and last day a rule is in force (None: open).
Window = tuple[date | None, date | None]


@dataclass(frozen=True)
class Volume:
    """Limits on how many people's data a basis allows (PIPL's thresholds): fewer than
    ``subjects_below`` people a year; fewer than ``sensitive_subjects_below`` when the data is
    sensitive; ``sensitive`` False: not for sensitive data at all."""

    subjects_below: int | None = None
    sensitive_subjects_below: int | None = None
    sensitive: bool = True


@dataclass(frozen=True)
class Basis:
    id: str
    cite: str
    summary: str
    requires: str
    since: date | None = None
    until: date | None = None
    documents: str = ""  # what a person must hold to rely on it
    tia: bool = False  # a transfer impact assessment belongs beside it (EDPB Recommendations 01/2020)
    volume: Volume | None = None


@dataclass(frozen=True)
class LawfulBasis:
    """A lawful basis of processing under a regime (GDPR Art. 6(1), the PDPA's consent and its
    exceptions)."""

    id: str
    cite: str
    summary: str


@dataclass(frozen=True)
class Decision:
    """A recognition of a destination (an adequacy decision, a listing), with its dates, the
    instrument, and the court challenge it faces, if any."""

    place: str  # a country code, or an international organisation's id
    since: date | None
    until: date | None
    cite: str = ""
    challenge: str = ""
    scheme: str = ""  # conditional: recipients certified under this scheme only
    note: str = ""


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
    since: date | None = None  # the day its transfer rules took effect
    order: int = 0
    clauses: dict[str, Window] = field(default_factory=dict)  # standard clauses it accepts
    default_clauses: str | None = None  # what an SCC safeguard that names no instrument is
    decisions: dict[str, Decision] = field(default_factory=dict)  # by country: adequacy and conditional
    organisations: dict[str, Decision] = field(default_factory=dict)  # international organisations
    restricted: dict[str, Window] = field(default_factory=dict)

    @property
    def in_force(self) -> bool:
        """Whether its transfer rules are in force on its date (:attr:`on`)."""
        return self.since is None or self.since <= self.on

    def crosses(self, a: str | None, b: str | None) -> bool:
        """True when a flow from country ``a`` to ``b`` is a restricted transfer under this regime
        (on its date: before its rules take effect, nothing is)."""
        return bool(a and b and a != b and not (a in self.area and b in self.area)) and self.in_force

    def scheme_in_force(self, scheme: str) -> bool:
        """Whether certification ``scheme`` is recognised on the regime's date."""
        w = self.schemes.get(scheme)
        return w is not None and in_force(*w, self.on)

    def clauses_in_force(self, instrument: str | None) -> bool:
        """Whether standard clauses ``instrument`` (None: the default ones) are accepted on its date."""
        name = instrument or self.default_clauses
        w = self.clauses.get(name) if name else None
        return w is not None and in_force(*w, self.on)

    def adequate_on(self, country: str) -> bool:
        """Whether an adequacy decision covers ``country`` on the regime's date."""
        w = self.adequate.get(country)
        return w is not None and in_force(*w, self.on)

    def restricted_on(self, country: str) -> bool:
        """Whether transfers to ``country`` are forbidden on the regime's date."""
        w = self.restricted.get(country)
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
    """Every regime file of ``flowatlas/data/regimes/``, in their ``order``."""
    folder = resources.files("flowatlas").joinpath("data", "regimes")
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            out.append(parse_yaml(entry.read_text("utf-8"), f"<flowatlas>/regimes/{entry.name}").data)
    return tuple(sorted(out, key=lambda r: (r.get("order", 99), r["id"])))


def _basis(k: str, v: dict) -> Basis:
    vol = v.get("volume")
    volume = (
        Volume(vol.get("subjects_below"), vol.get("sensitive_subjects_below"), vol.get("sensitive", True))
        if vol
        else None
    )
    return Basis(
        k,
        v["cite"],
        v["summary"],
        v["requires"],
        _day(v.get("since")),
        _day(v.get("until")),
        v.get("documents", ""),
        bool(v.get("tia", False)),
        volume,
    )


@cache
def regimes(on: date | None = None) -> tuple[Regime, ...]:
    """Every shipped regime as it stood on ``on`` (default: today, UTC), in their order. Region
    ids in ``homes``, ``area`` and ``adequate`` stand for their members on that day."""
    day = on or datetime.now(UTC).date()
    groups = base_regions()
    out = []
    for r in _regime_data():
        bases = {k: _basis(k, v) for k, v in r["bases"].items()}
        for b in bases.values():
            if b.requires not in REQUIREMENTS:  # pragma: no cover - data error caught by tests
                raise ValueError(f"regimes/{r['id']}: {b.id}: unknown requirement {b.requires!r}")
        homes = frozenset().union(*(countries_of(c, groups, day) for c in r["homes"]))
        area = frozenset().union(*(countries_of(c, groups, day) for c in r.get("area", r["homes"])))
        decisions: dict[str, Decision] = {}
        for it in r.get("adequate", []):
            for country in sorted(countries_of(it["country"], groups, day)):
                decisions[country] = Decision(
                    country, _day(it.get("since")), _day(it.get("until")), it.get("cite", ""), it.get("challenge", "")
                )
        for country, v in r.get("conditional", {}).items():
            decisions[country] = Decision(
                country,
                _day(v.get("since")),
                _day(v.get("until")),
                v.get("cite", ""),
                v.get("challenge", ""),
                v.get("scheme", "other"),
                v["note"],
            )
        orgs = {
            it["id"]: Decision(it["id"], _day(it.get("since")), _day(it.get("until")), it.get("cite", ""))
            for it in r.get("adequate_organisations", [])
        }
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
                adequate={c: (d.since, d.until) for c, d in decisions.items() if not d.scheme},
                conditional={c: (d.note, (d.since, d.until)) for c, d in decisions.items() if d.scheme},
                on=day,
                lawful_bases={k: LawfulBasis(k, v["cite"], v["summary"]) for k, v in r.get("lawful_bases", {}).items()},
                since=_day(r.get("since")),
                order=int(r.get("order", 99)),
                clauses=_windows(r.get("clauses", []), "id"),
                default_clauses=r.get("default_clauses"),
                decisions=decisions,
                organisations=orgs,
                restricted=_windows(r.get("restricted", []), "country"),
            )
        )
    return tuple(out)


def regimes_markdown(on: date | None = None) -> str:
    """Every shipped regime as Markdown: its bases (citation, what makes each valid, the documents
    it needs, its dates) and its decisions (destination, dates, instrument, challenge).

    >>> text = regimes_markdown(date(2026, 12, 1))
    >>> "### GB-UKGDPR" in text and "| `UK-IDTA` | from 2022-03-21 |" in text
    True
    """

    def span(since: date | None, until: date | None, open_: str = "-") -> str:
        if since and until:
            return f"{since} to {until}"
        return f"from {since}" if since else (f"until {until}" if until else open_)

    out: list[str] = []
    for r in regimes(on):
        homes = ", ".join(sorted(r.homes)) if len(r.homes) <= 4 else f"{len(r.homes)} countries"
        out += [f"### {r.id}: {r.name}", ""]
        out.append(f"Homes: {homes}. In force {span(r.since, None)}. Cited as {r.cite}.")
        out += [
            "",
            "| basis | citation | valid when | documents | TIA | in force |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for b in r.bases.values():
            when = REQUIREMENT_WORDS[b.requires]
            if b.volume is not None:
                v = b.volume
                limits = [f"fewer than {v.subjects_below:,} people a year" if v.subjects_below else ""]
                if v.sensitive_subjects_below:
                    limits.append(f"fewer than {v.sensitive_subjects_below:,} with sensitive data")
                if not v.sensitive:
                    limits.append("no sensitive data")
                when += "; " + ", ".join(x for x in limits if x)
            tia = "yes" if b.tia else "-"
            out.append(f"| `{b.id}` | {b.cite} | {when} | {b.documents or '-'} | {tia} | {span(b.since, b.until)} |")
        if r.decisions or r.organisations:
            out += ["", "| destination | in force | instrument | note |", "| --- | --- | --- | --- |"]
            for d in sorted([*r.decisions.values(), *r.organisations.values()], key=lambda d: d.place):
                note = "; ".join(x for x in (d.note, f"challenged: {d.challenge}" if d.challenge else "") if x)
                out.append(f"| {d.place} | {span(d.since, d.until)} | {d.cite or '-'} | {note or '-'} |")
        if r.clauses:
            out += ["", "| standard clauses | in force |", "| --- | --- |"]
            default = " (the default)" if r.default_clauses else ""
            for c, (since, until) in r.clauses.items():
                out.append(f"| `{c}`{default if c == r.default_clauses else ''} | {span(since, until)} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


#: How the docs say what each requirement needs.
REQUIREMENT_WORDS: dict[str, str] = {
    "none": "as stated (the map records the fact)",
    "in_transit": "the flow says `in_transit: true`",
    "contract": "the recipient holds a `contract` naming the destination",
    "bcr_related": "related organisations (one `group`), the recipient holding binding corporate rules",
    "binding_instrument": "the recipient holds a `binding_instrument`",
    "certification": "the recipient holds a certification of a recognised scheme",
    "scc": "the recipient holds standard clauses the regime accepts",
    "approved_code": "the recipient holds an `approved_code` (or a recognised certification)",
    "adequacy": "the destination (or the international organisation) is recognised on the date",
    "assessment": "a `security_assessment` approval for the recipient, in force",
    "not_restricted": "the destination is not restricted on the date",
}


def known_terms() -> dict[str, frozenset[str]]:
    """What a map may name, across every shipped regime: transfer ``bases``, certification
    ``schemes`` (conditional decisions' included), standard ``clauses`` and recognised
    international ``organisations``.

    >>> terms = known_terms()
    >>> "standard_contract" in terms["bases"], "UK-IDTA" in terms["clauses"], "DPF" in terms["schemes"]
    (True, True, True)
    """
    bases: set[str] = set()
    schemes: set[str] = set()
    clauses: set[str] = set()
    organisations: set[str] = set()
    for r in regimes():
        bases |= set(r.bases)
        schemes |= set(r.schemes) | {d.scheme for d in r.decisions.values() if d.scheme}
        clauses |= set(r.clauses)
        organisations |= set(r.organisations)
    return {
        "bases": frozenset(bases),
        "schemes": frozenset(schemes),
        "clauses": frozenset(clauses),
        "organisations": frozenset(organisations),
    }


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


__all__ = [
    "REQUIREMENTS",
    "Basis",
    "Decision",
    "LawfulBasis",
    "Regime",
    "Volume",
    "known_terms",
    "lawful_bases_for",
    "regime_for",
    "regimes",
    "regimes_markdown",
]
