"""The map's references, checked: pass 3 of loading (:mod:`flowatlas.loader`), as a list of checks.

Each check is a function of a :class:`Build` (the records of every section, indexed by id, and
:class:`Refs`, which reports at a record's file:line:column), registered with :func:`check`
beside its code and run in the order registered. A check reports every problem it finds; the
loader raises them all at once. ``flowatlas validate`` prints what they report.

>>> [c.__name__ for c in CHECKS][:3]
['hierarchies', 'region_groups', 'map_section']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import isodate
import networkx as nx
import pycountry

from flowatlas.errors import MapError
from flowatlas.inert import excerpt
from flowatlas.model import (
    ID_PATTERN,
    RETENTION_EVENTS,
    RETENTION_WHILE_SERVICE,
    Declaration,
    Flow,
    MapInfo,
    Policy,
    Purpose,
    Record,
    Source,
)
from flowatlas.readers import Located
from flowatlas.regimes import known_terms, lawful_bases_for, regimes
from flowatlas.regions import member_codes
from flowatlas.retention import term as retention_term
from flowatlas.statement import missing_quotes, read_statement
from flowatlas.suggest import did_you_mean
from flowatlas.taxonomy import Hierarchy

#: Errors about the items of one list (unknown ids in a flow's types, ...) reported one by one;
#: the rest are counted in one more error.
MAX_ERRORS_PER_LIST = 10

_COUNTRIES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries)


#: The transfer bases, certification schemes, standard clauses and international organisations
#: the shipped regimes name (flowatlas/data/regimes/): what a map may name.
TERMS = known_terms()


def is_country(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code that pycountry knows.

    >>> is_country("SG"), is_country("EU"), is_country("XX")
    (True, False, False)
    """
    return code in _COUNTRIES


def place_hint(code: str, *, countries_only: bool, regions: Sequence[str] = ("EU", "EEA")) -> str:
    """What to write instead of a place code no one knows: the nearest code, or what a place is."""
    choices = _COUNTRIES if countries_only else _COUNTRIES | set(regions)
    found = did_you_mean(code, choices)
    if found:
        return found
    if countries_only:
        return "use a two-letter country code such as SG, US, DE (a region such as EU is not a country here)"
    return f"use a country code such as SG, US, DE or a region id ({', '.join(sorted(regions))})"


def field_label(loc: tuple[str | int, ...]) -> str:
    """The field an error is about, as a reader names it: ``kind``, or ``contexts[1]`` for an
    item of a list.

    >>> field_label(("declarations", 0, "contexts", 1)), field_label(("kind",)), field_label(())
    ('contexts[1]', 'kind', '')
    """
    if not loc:
        return ""
    if isinstance(loc[-1], int) and len(loc) > 1:
        return f"{loc[-2]}[{loc[-1]}]"
    return str(loc[-1])


class Refs:
    """Checks references, reporting at the record's source line with the key's name."""

    def __init__(
        self,
        errors: list[MapError],
        where: dict[int, tuple[Located, tuple]],
        failed: set[str],
        unsure: tuple[dict, ...] = (),
    ) -> None:
        self.errors = errors
        self.where = where
        self.failed = failed  # ids already reported as malformed: no cascade of "unknown" errors
        self.unsure = {id(t) for t in unsure}  # tables with a record whose id could not be read
        self.suppressed = 0  # unknown-id errors into those tables, not reported

    def err(self, rec: Record, message: str, hint: str = "", at: tuple = (), *, consequential: bool = False) -> None:
        """Report at the key ``at`` (a path inside the record) or at the record itself."""
        w = self.where.get(id(rec))
        src = w[0].locate(w[1] + at) if w else (rec.src or Source("<unknown>", 1))
        self.errors.append(MapError(src, message, hint, consequential))

    def ref(self, rec: Record, key: str, value: str | None, table: dict, what: str, at: tuple | None = None) -> bool:
        if value is None or value in table:
            return True
        if value in self.failed:
            return False
        hint = did_you_mean(value, table, _names(table), _aliases(table)) or _define_hint(what, value)
        if id(table) in self.unsure:  # a record that failed its checks may have this id: count it
            self.suppressed += 1
            return False
        label = field_label(at) if at else key
        at = (key,) if at is None else at
        self.err(rec, f"{label}: unknown {what} {excerpt(value)}", hint, at, consequential=True)
        return False

    def refs(self, rec: Record, key: str, values: tuple[str, ...], table: dict, what: str) -> None:
        if all(v in table for v in values):
            return
        reported = 0
        for i, v in enumerate(values):
            if not self.ref(rec, key, v, table, what, (key, i)) and v not in self.failed:
                reported += 1
                if reported == MAX_ERRORS_PER_LIST:
                    rest = sum(1 for u in values[i + 1 :] if u not in table and u not in self.failed)
                    if rest:
                        more = f"{key}: and {rest:,} more unknown {what} ids like these"
                        self.err(rec, more, "", (key,), consequential=True)
                    return

    def country(self, rec: Record, key: str, code: str | None, at: tuple | None = None) -> None:
        if code is not None and not is_country(code):
            self.err(
                rec,
                f"{key}: '{code}' is not an ISO 3166-1 alpha-2 country code",
                place_hint(code, countries_only=True),
                (key,) if at is None else at,
            )

    def place(self, rec: Record, key: str, code: str, regions: dict, at: tuple) -> None:
        """A country code or the id of a region (shipped or the map's own)."""
        if not is_country(code) and code not in regions:
            self.err(
                rec,
                f"{field_label(at)}: '{code}' is neither an ISO 3166-1 country code nor a region id",
                place_hint(code, countries_only=False, regions=sorted(regions))
                + f" (regions: {', '.join(sorted(regions))}; define others in 'regions')",
                at,
            )

    def retention(self, rec: Record, key: str, value: str | None) -> None:
        if value is None or value in (RETENTION_WHILE_SERVICE, "indefinite"):
            return
        try:
            got = retention_term(value)
        except (isodate.ISO8601Error, ValueError) as exc:
            event = value.partition("+")[0].strip() if "+" in value else ""
            if event and event not in RETENTION_EVENTS:
                hint = did_you_mean(event, RETENTION_EVENTS) or f"events: {', '.join(RETENTION_EVENTS)}"
                self.err(rec, f"{key}: {excerpt(value)}: unknown event {excerpt(event)}", hint, (key,))
                return
            self.err(
                rec,
                f"{key}: {excerpt(value)} is not an ISO 8601 duration" + (f" ({exc})" if "+" in value else ""),
                "write e.g. P30D, P6M, P7Y, account_closure+P30D, contract_end+P7Y, or 'while_service' or 'indefinite'",
                (key,),
            )
            return
        except OverflowError:
            self.err(rec, f"{key}: {excerpt(value)} is too long a duration", "write 'indefinite' for no limit", (key,))
            return
        if got.days <= 0 and "+" not in value:
            self.err(rec, f"{key}: {excerpt(value)} is not a positive duration", "give a duration above zero", (key,))
        elif got.days < 0:
            self.err(rec, f"{key}: {excerpt(value)} is a negative duration", "give a duration of zero or more", (key,))


def _hierarchy_checks(table: dict, what: str, chk: Refs) -> None:
    for r in table.values():
        if r.parent is not None:
            chk.ref(r, "parent", r.parent, table, what)
    h = Hierarchy({k: (v.parent if v.parent in table else None) for k, v in table.items()})
    cyc = h.find_cycle()
    if cyc:
        chk.err(table[cyc[0]], f"{what} hierarchy has a cycle: {' > '.join(cyc)}", "one of these parents must change")


#: The references of each section's records: key -> (table, what it names).
_RAW_REFS: dict[str, dict[str, tuple[str, str]]] = {
    "flows": {
        "from": ("nodes", "node"),
        "to": ("nodes", "node"),
        "types": ("information_types", "information type"),
        "purposes": ("purposes", "purpose"),
        "subjects": ("data_subjects", "data subject"),
        "context": ("contexts", "context of collection"),
    },
    "nodes": {
        "owner": ("organisations", "organisation"),
        "subject": ("data_subjects", "data subject"),
        "generates": ("information_types", "information type"),
        "retention_purposes": ("purposes", "purpose"),
        "backup_of": ("nodes", "node"),
        "keys_held_by": ("organisations", "organisation"),
        "replica_of": ("nodes", "node"),
    },
    "organisations": {"engaged_by": ("organisations", "organisation")},
    "information_types": {"parent": ("information_types", "information type")},
    "purposes": {"parent": ("purposes", "purpose")},
    "data_subjects": {"parent": ("data_subjects", "data subject")},
}


def _raw_refs(failed: list[tuple[str, dict, Located, tuple]], tables: dict, chk: Refs) -> None:
    """The references of records whose shape was wrong, read from what was written: an unknown
    node or type there is reported in the same run as the shape error."""
    for section, item, doc, path in failed:
        for key, (table_name, what) in _RAW_REFS.get(section, {}).items():
            value = item.get(key)
            values: list[tuple[str, tuple[str | int, ...]]] = [(value, (key,))] if isinstance(value, str) else []
            if isinstance(value, list):
                values = [(v, (key, j)) for j, v in enumerate(value) if isinstance(v, str)]
            table = tables[table_name]
            for v, at in values[:MAX_ERRORS_PER_LIST]:
                if v in table or v in chk.failed:
                    continue
                if id(table) in chk.unsure:  # a record of that table that failed may define it
                    chk.suppressed += 1
                    continue
                src = doc.locate(path + at)
                suggestion = did_you_mean(v, table, _names(table), _aliases(table))
                if not ID_PATTERN.match(v):  # already reported as no valid id: add the suggestion there
                    for k, e in enumerate(chk.errors):
                        if e.src == src and suggestion and "not a valid id" in e.message:
                            chk.errors[k] = MapError(e.src, e.message, f"{suggestion} ids {e.hint}", e.consequential)
                    continue
                hint = suggestion or _define_hint(what, v)
                chk.errors.append(MapError(src, f"{field_label(at)}: unknown {what} {excerpt(v)}", hint, True))


#: For a term a map may add: the section it goes in, and the command listing the existing ones.
_ADD_TERM = {
    "information type": ("information_types", "parent: personal", "types"),
    "purpose": ("purposes", "parent: provide-service", "purposes"),
    "data subject": ("data_subjects", "parent: account-holder", "subjects"),
    "context of collection": ("contexts", "", "contexts"),
}


def _define_hint(what: str, value: str) -> str:
    """How to fix an unknown id: for a taxonomy term, how to add it to the map (it is in no
    taxonomy yet); for anything else, define it or fix the id.

    >>> hint = _define_hint("information type", "tax_number")
    >>> hint.split(":")[0], "information_types: [{id: tax_number, name: ..., parent: personal}]" in hint
    ("no information type 'tax_number' in the taxonomy", True)
    """
    if what in _ADD_TERM:
        section, parent, kind = _ADD_TERM[what]
        record = f"{{id: {value}, name: ...{', ' + parent if parent else ''}}}"
        return (
            f"no {what} {excerpt(value)} in the taxonomy: add it to the map, e.g. {section}: "
            f"[{record}] (flowatlas taxonomy --kind {kind} lists them)"
        )
    return f"define {what} {excerpt(value)} or fix the id"


def _names(table: dict) -> dict[str, str]:
    """``{id: name}`` of a table's records that have a name (for did-you-mean by name)."""
    return {k: v.name for k, v in table.items() if isinstance(getattr(v, "name", None), str)}


def _aliases(table: dict) -> dict[str, tuple[str, ...]]:
    """``{id: (fideslang key,)}`` of a table's terms that name one (for did-you-mean by it)."""
    return {k: (v.fides,) for k, v in table.items() if isinstance(getattr(v, "fides", None), str)}


def _lawful_check(home: str, lawful: dict, rec: Record, basis: str, at: tuple, chk: Refs) -> None:
    if basis in lawful:
        return
    elsewhere = [r.id for r in regimes() if basis in r.lawful_bases]
    label = field_label(at)
    if elsewhere:
        message = f"{label}: '{basis}' is a lawful basis under {', '.join(elsewhere)}, not under the regime of {home}"
    else:
        message = f"{label}: unknown lawful basis '{basis}'"
    hint = did_you_mean(basis, lawful) or f"one of: {', '.join(sorted(lawful))} (flowatlas taxonomy --kind bases)"
    chk.err(rec, message, hint, at)


def _lawful_checks(home: str, lawful: dict, purposes: Iterable[Purpose], flows: list[Flow], chk: Refs) -> None:
    """Lawful bases named on purposes and flows are the regime's (checked record by record only
    when the map names one the regime lacks)."""
    records: list[Purpose | Flow] = [*purposes, *flows]
    if {r.lawful_basis for r in records if r.lawful_basis} <= lawful.keys():
        return
    for rec in records:
        b = rec.lawful_basis
        if b:
            _lawful_check(home, lawful, rec, b, ("lawful_basis",), chk)


def _region_checks(regions: dict, chk: Refs) -> None:
    """A region is no country code, lists known countries or regions, and contains no cycle."""
    for r in regions.values():
        if is_country(r.id):
            chk.err(r, f"region id '{r.id}' is a country code", "give the group another id", ("id",))
        for j, code in enumerate(member_codes(r)):
            if code == r.id:
                chk.err(r, f"members[{j}]: region '{r.id}' lists itself", "remove it", ("members", j))
            elif not is_country(code) and code not in regions:
                hint = place_hint(code, countries_only=False, regions=sorted(regions))
                chk.err(r, f"members[{j}]: '{code}' is neither a country code nor a region id", hint, ("members", j))
        if r.valid_from and r.valid_until and r.valid_until < r.valid_from:
            chk.err(r, "valid_until is before valid_from", "swap the dates", ("valid_until",))
    g = nx.DiGraph((r.id, c) for r in regions.values() for c in member_codes(r) if c in regions and c != r.id)
    try:
        cycle = [a for a, _ in nx.find_cycle(g)]
    except nx.NetworkXNoCycle:
        return
    chk.err(
        regions[cycle[0]],
        f"regions contain each other: {' > '.join([*cycle, cycle[0]])}",
        "one must not list the other",
    )


_NEEDS: dict[str, tuple[str, ...]] = {
    "collection": ("types",),
    "storage": ("locations",),
    "purpose": ("purposes",),
    "sharing": ("bases",),
    "transfer": ("locations",),
    "right": ("rights",),
    "security": ("measures",),
}


def _check_statement(p: Policy, root: str, chk: Refs) -> None:
    """The policy's statement file exists in the map folder and holds every declaration's quote.
    Maps read from memory or from other readers' records have no folder: nothing to read."""
    folder = Path(root)
    if not (folder.is_dir() or folder.is_file()):
        return
    if folder.is_file():
        folder = folder.parent
    try:
        text = read_statement(folder, p.statement or "")
    except (ValueError, OSError) as exc:
        chk.err(p, f"statement: {exc}", at=("statement",))
        return
    missing = missing_quotes(p, text)
    for d in missing[:MAX_ERRORS_PER_LIST]:
        chk.err(
            d,
            f"quote not found in {p.statement}: {excerpt(d.quote)}",
            "copy the words exactly as the statement has them (spacing and case aside; '...' for a cut)",
            ("quote",),
        )
    if len(missing) > MAX_ERRORS_PER_LIST:
        chk.err(p, f"{len(missing) - MAX_ERRORS_PER_LIST} more declarations quote text {p.statement} does not hold")


#: What each kind of prohibition needs.
_PROHIBITION_NEEDS: dict[str, tuple[str, ...]] = {
    "sharing": ("recipient_roles",),
    "storage": ("types",),
    "use": ("purposes",),
    "location": ("locations",),
    "sale": (),
}


def _declaration_shape(d: Declaration, chk: Refs) -> None:
    for key in _NEEDS.get(d.kind, ()):
        if not getattr(d, key):
            chk.err(d, f"a '{d.kind}' declaration needs '{key}'")
    if d.prohibits is not None and d.kind != "prohibition":
        chk.err(d, f"'prohibits' is only for prohibitions, not for a '{d.kind}' declaration", at=("prohibits",))
    if d.kind == "prohibition":
        what = d.prohibits or "sharing"
        for key in _PROHIBITION_NEEDS[what]:
            if not getattr(d, key):
                hint = "" if d.prohibits else "or set 'prohibits' (storage, use, location, sale) for another kind"
                chk.err(d, f"a prohibition of {what} needs '{key}'", hint)
    if d.kind == "retention" and d.retention is None and not d.purposes:
        chk.err(d, "a 'retention' declaration needs 'retention' (the limit) or 'purposes' (the exceptions)")


# --------------------------------------------------------------------------- the registry


@dataclass
class Build:
    """What every check reads: the records of each section indexed by id (``tables``), the map
    section once found (``info``), the documents read, and :class:`Refs` to report with."""

    docs: Sequence[Located]
    root: str
    tables: dict[str, dict]
    maps: list[MapInfo]
    chk: Refs
    failed_raw: list[tuple[str, dict, Located, tuple]]
    info: MapInfo | None = None
    #: what validation notes without refusing the map (a term of the map's own that the base
    #: taxonomy also has): ``flowatlas validate`` prints them
    notes: list[MapError] = field(default_factory=list)

    @property
    def information_types(self) -> dict:
        return self.tables["information_types"]

    @property
    def purposes(self) -> dict:
        return self.tables["purposes"]

    @property
    def data_subjects(self) -> dict:
        return self.tables["data_subjects"]

    @property
    def contexts(self) -> dict:
        return self.tables["contexts"]

    @property
    def organisations(self) -> dict:
        return self.tables["organisations"]

    @property
    def nodes(self) -> dict:
        return self.tables["nodes"]

    @property
    def flows(self) -> dict:
        return self.tables["flows"]

    @property
    def policies(self) -> dict:
        return self.tables["policies"]

    @property
    def regions(self) -> dict:
        return self.tables["regions"]


Check = Callable[[Build], None]

#: Every check, in the order it runs (the order registered).
CHECKS: list[Check] = []


def check(func: Check) -> Check:
    """Register a check of the map's references; it runs after those registered before it."""
    CHECKS.append(func)
    return func


# --------------------------------------------------------------------------- the checks


@check
def hierarchies(b: Build) -> None:
    """Parents of information types, purposes and data-subject categories exist, with no cycle."""
    _hierarchy_checks(b.information_types, "information type", b.chk)
    _hierarchy_checks(b.purposes, "purpose", b.chk)
    _hierarchy_checks(b.data_subjects, "data subject", b.chk)


@check
def region_groups(b: Build) -> None:
    """A region is no country code, lists known countries or regions, and contains no cycle."""
    _region_checks(b.regions, b.chk)


@check
def map_section(b: Build) -> None:
    """One ``map`` section: its controller is an organisation of role controller, its home a
    country, its policy one of the map's."""
    chk = b.chk
    if not b.maps:
        if not any(isinstance(d.data, dict) and "map" in d.data for d in b.docs):  # (one that failed is reported)
            first = next((d.file for d in b.docs if not d.file.startswith("<flowatlas>")), b.root)
            chk.errors.append(
                MapError(
                    Source(first, 1),
                    "the map has no 'map' section",
                    "add one file with 'map: {id: ..., name: ..., controller: ..., home: SG}'",
                    consequential=True,
                )
            )
        return
    info = b.info = b.maps[0]
    for extra in b.maps[1:]:
        chk.errors.append(
            MapError(
                extra.src or Source(b.root, 1),
                f"a second 'map' section (first at {info.src})",
                "keep one 'map' section per map",
            )
        )
    orgs = b.organisations
    known = chk.ref(info, "controller", info.controller, orgs, "organisation")
    if known and (role := orgs[info.controller].role) != "controller":
        message = f"controller: organisation '{info.controller}' has role '{role}', expected 'controller'"
        chk.err(info, message, "", ("controller",))
    chk.country(info, "home", info.home)
    chk.ref(info, "policy", info.policy, b.policies, "policy")


@check
def organisations(b: Build) -> None:
    """Jurisdictions are countries; safeguards name the places they cover (a contract must) and
    certifications their scheme; a sub-processor names who engaged it."""
    chk = b.chk
    for o in b.organisations.values():
        chk.country(o, "jurisdiction", o.jurisdiction)
        chk.ref(o, "engaged_by", o.engaged_by, b.organisations, "organisation")
        for i, sg in enumerate(o.safeguards):
            for j, c in enumerate(sg.countries):
                chk.place(o, "countries", c, b.regions, ("safeguards", i, "countries", j))
            if sg.kind == "contract" and not sg.countries:
                chk.err(
                    o,
                    "safeguards: a contract must name the countries it covers (countries: [..])",
                    "PDPR 2021 reg 12(1)(b) needs the contract to specify the destination countries",
                    ("safeguards", i),
                )
            if sg.kind == "certification" and sg.scheme is None:
                chk.err(
                    o,
                    "safeguards: a certification needs a scheme",
                    f"scheme: one of {', '.join(sorted(TERMS['schemes']))}",
                    ("safeguards", i),
                )
            known = TERMS["clauses"] if sg.kind == "standard_contractual_clauses" else TERMS["schemes"]
            if sg.scheme is not None and sg.scheme not in known:
                what = "standard clauses" if sg.kind == "standard_contractual_clauses" else "certification scheme"
                chk.err(
                    o,
                    f"safeguards: unknown {what} {excerpt(sg.scheme)}",
                    did_you_mean(sg.scheme, known) or f"one of: {', '.join(sorted(known))}",
                    ("safeguards", i, "scheme"),
                )
        if o.international_organisation is not None and o.international_organisation not in TERMS["organisations"]:
            chk.err(
                o,
                f"international_organisation: no regime recognises {excerpt(o.international_organisation)}",
                f"one of: {', '.join(sorted(TERMS['organisations'])) or 'none'}; or leave it out",
                ("international_organisation",),
            )
        chk.refs(o, "subjects", o.subjects, b.data_subjects, "data subject")
        if o.subjects and o.role != "client":
            chk.err(
                o,
                "'subjects' is only for an organisation of role client",
                "set role: client or remove it",
                ("subjects",),
            )
        if o.role == "sub_processor" and o.engaged_by is None:
            chk.err(o, "a sub_processor needs engaged_by: the organisation that engaged it")


#: Fields only a store may have.
STORE_ONLY = ("retention", "encrypted_at_rest", "erase", "export", "backup_of", "replica_of")


@check
def nodes(b: Build) -> None:
    """Owners, countries and subject categories resolve; a system or store has an owner and a
    country, a subject node its category; store fields only on stores, which need a retention."""
    chk = b.chk
    for n in b.nodes.values():
        chk.ref(n, "owner", n.owner, b.organisations, "organisation")
        chk.ref(n, "keys_held_by", n.keys_held_by, b.organisations, "organisation")
        chk.country(n, "jurisdiction", n.jurisdiction)
        if n.kind == "subject":
            if n.subject is None:
                chk.err(
                    n,
                    "a subject node needs 'subject': the data-subject category",
                    f"one of: {', '.join(sorted(b.data_subjects))}",
                )
            else:
                chk.ref(n, "subject", n.subject, b.data_subjects, "data subject")
        else:
            if n.subject is not None:
                chk.err(n, f"'subject' is only for subject nodes, not for a {n.kind}")
            if n.owner is None:
                chk.err(n, f"a {n.kind} needs 'owner': the organisation that runs it")
            if n.jurisdiction is None:
                chk.err(n, f"a {n.kind} needs 'jurisdiction': the country it is located in")
        if n.generates:
            if n.kind != "system":
                chk.err(n, f"'generates' is only for systems, not for a {n.kind}", "", ("generates",))
            chk.refs(n, "generates", n.generates, b.information_types, "information type")
        if n.kind != "store":
            for k in STORE_ONLY:
                if getattr(n, k) not in (None, False):
                    chk.err(n, f"'{k}' is only for stores, not for a {n.kind}", "set kind: store or remove it", (k,))
        else:
            if n.retention is None:
                chk.err(n, "a store needs 'retention'", "an ISO 8601 duration such as P30D, or while_service")
            chk.retention(n, "retention", n.retention)
            chk.refs(n, "retention_purposes", n.retention_purposes, b.purposes, "purpose")
            for k in ("backup_of", "replica_of"):
                v = getattr(n, k)
                if v is not None and chk.ref(n, k, v, b.nodes, "node") and b.nodes[v].kind != "store":
                    chk.err(n, f"{k}: '{v}' is a {b.nodes[v].kind}, expected a store")


@check
def flows(b: Build) -> None:
    """Ends, types, purposes and subjects resolve; no flow to itself or between two people;
    a context exactly on collections; nothing listed twice. Checked for the whole map first: the
    checks per flow, which report each problem at its own flow, run only when that finds
    something (they take 4x as long on 50,000 flows)."""
    chk, nodes = b.chk, b.nodes
    fl = list(b.flows.values())
    refs_ok = (
        {f.source for f in fl} | {f.target for f in fl} <= nodes.keys()
        and {t for f in fl for t in f.types} <= b.information_types.keys()
        and {p for f in fl for p in f.purposes} <= b.purposes.keys()
        and {s for f in fl for s in f.subjects} <= b.data_subjects.keys()
        and {f.context for f in fl if f.context is not None} <= b.contexts.keys()
    )
    kind_of = {k: n.kind for k, n in nodes.items()}
    flows_ok = refs_ok and all(
        f.source != f.target  # no flow to itself
        and (kind_of[f.source] == "subject") == (f.context is not None)  # a context exactly on collections
        and not (kind_of[f.source] == "subject" and kind_of[f.target] == "subject")
        and len(set(f.types)) == len(f.types)  # nothing listed twice
        and len(set(f.purposes)) == len(f.purposes)
        and (f.transfer_basis is None or f.transfer_basis in TERMS["bases"])
        for f in fl
    )
    for f in () if flows_ok else fl:
        if refs_ok:
            ok_s = ok_t = True
        else:
            ok_s = chk.ref(f, "from", f.source, nodes, "node")
            ok_t = chk.ref(f, "to", f.target, nodes, "node")
            chk.refs(f, "types", f.types, b.information_types, "information type")
            chk.refs(f, "purposes", f.purposes, b.purposes, "purpose")
            chk.refs(f, "subjects", f.subjects, b.data_subjects, "data subject")
            if f.context is not None:
                chk.ref(f, "context", f.context, b.contexts, "context of collection")
        for key, vals in (("types", f.types), ("purposes", f.purposes)):
            if len(set(vals)) == len(vals):
                continue
            dup = sorted(v for v, n in Counter(vals).items() if n > 1)
            if dup:
                more = len(dup) - MAX_ERRORS_PER_LIST
                shown = ", ".join(dup[:MAX_ERRORS_PER_LIST]) + (f" and {more:,} more" if more > 0 else "")
                chk.err(f, f"{key}: listed twice: {shown}", "list each once", (key,))
        if f.transfer_basis is not None and f.transfer_basis not in TERMS["bases"]:
            _unknown_transfer_basis(chk, f, f.transfer_basis, ("transfer_basis",))
        if f.source == f.target:
            chk.err(f, f"flow goes from '{f.source}' to itself", "a flow joins two different nodes")
        if ok_s and ok_t:
            src_subject = kind_of[f.source] == "subject"
            if src_subject and f.context is None:
                chk.err(
                    f,
                    "a flow from a data subject needs 'context'",
                    f"one of: {', '.join(sorted(b.contexts)[:12])}{', ...' if len(b.contexts) > 12 else ''} "
                    "(flowatlas taxonomy --kind contexts; a map may add its own under 'contexts')",
                )
            if not src_subject and f.context is not None:
                chk.err(f, "'context' is only for flows that start at a data subject", "", ("context",))
            if src_subject and kind_of[f.target] == "subject":
                chk.err(f, "a flow cannot join two data subjects directly", "route it through a system")


def _unknown_transfer_basis(chk: Refs, rec: Record, basis: str, at: tuple) -> None:
    chk.err(
        rec,
        f"{field_label(at)}: unknown transfer basis {excerpt(basis)}",
        did_you_mean(basis, TERMS["bases"]) or "flowatlas taxonomy --kind transfer lists each regime's",
        at,
    )


@check
def lawful_bases(b: Build) -> None:
    """The lawful bases purposes and flows name are the regime's of the map's home."""
    home = b.info.home if b.info is not None else ""
    _lawful_checks(home, lawful_bases_for(home), b.purposes.values(), list(b.flows.values()), b.chk)


@check
def policies(b: Build) -> None:
    """Each policy's controller, and each declaration's ids, places, durations, lawful bases and
    recipients resolve; each declaration has what its kind needs; the statement file holds every
    quote."""
    chk = b.chk
    home = b.info.home if b.info is not None else ""
    lawful = lawful_bases_for(home)
    categories = {o.category for o in b.organisations.values() if o.category}
    for p in b.policies.values():
        chk.ref(p, "controller", p.controller, b.organisations, "organisation")
        seen: dict[str, Declaration] = {}
        for d in p.declarations:
            if d.id in seen:
                chk.err(d, f"duplicate declaration id '{d.id}' in policy '{p.id}' (first at {seen[d.id].src})")
            seen[d.id] = d
            chk.refs(d, "subjects", d.subjects, b.data_subjects, "data subject")
            chk.refs(d, "contexts", d.contexts, b.contexts, "context of collection")
            chk.refs(d, "types", d.types, b.information_types, "information type")
            chk.refs(d, "purposes", d.purposes, b.purposes, "purpose")
            for j, c in enumerate(d.locations):
                chk.place(d, "locations", c, b.regions, ("locations", j))
            for j, tb in enumerate(d.transfer_bases):
                if tb not in TERMS["bases"]:
                    _unknown_transfer_basis(chk, d, tb, ("transfer_bases", j))
            chk.retention(d, "retention", d.retention)
            for j, basis in enumerate(d.lawful_bases):
                _lawful_check(home, lawful, d, basis, ("lawful_bases", j), chk)
            for j, who in enumerate(d.recipients):
                if who not in b.organisations and who not in categories and who not in chk.failed:
                    hint = did_you_mean(who, [*b.organisations, *categories]) or (
                        "name an organisation id, or a category that organisations give in 'category'"
                    )
                    message = f"recipients[{j}]: '{who}' is neither an organisation nor a category"
                    chk.err(d, message, hint, ("recipients", j))
            _declaration_shape(d, chk)
        if p.statement is not None:
            _check_statement(p, b.root, chk)


@check
def malformed_references(b: Build) -> None:
    """The references of records whose shape was wrong, read from what was written: an unknown
    node or type there is reported in the same run as the shape error."""
    _raw_refs(b.failed_raw, b.tables, b.chk)


__all__ = [
    "CHECKS",
    "MAX_ERRORS_PER_LIST",
    "STORE_ONLY",
    "Build",
    "Check",
    "Refs",
    "check",
    "field_label",
    "is_country",
    "place_hint",
]
