"""The audit rules: small, independent functions in a registry.

Each rule has an id, a default severity, a title and a one-paragraph explanation (its docstring);
it takes a :class:`Context` and yields :class:`~flowatlas.findings.Finding` s. Rules use only the
structure of a map (roles, countries, node kinds, hierarchies, declaration kinds), never its ids.

Severity: a rule's default severity applies to its main case; ``vague`` disclosures are reported
once per (item, deciding declarations) at ``info``; some rules raise or lower it per case (e.g.
collection of a sensitive type is ``high``); every such case is documented in docs/audit.md.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, filterfalse
from operator import attrgetter
from typing import Any

from flowatlas.atlas import Map, retention_days
from flowatlas.audit.disclosure import Part, PolicyIndex, Verdict, Verdicts, worst
from flowatlas.audit.facts import Facts
from flowatlas.audit.regimes import Regime
from flowatlas.findings import ClauseRef, Finding
from flowatlas.model import RETENTION_WHILE_SERVICE, Flow, Policy

BAD = ("omitted", "incorrect", "ambiguous")


def _distinct(values: Iterable[str | None]) -> tuple[str, ...]:
    got = set(values)
    got.discard(None)
    return tuple(sorted(got))  # type: ignore[arg-type]


def _pair(a: str | None, b: str | None) -> tuple[str, ...]:
    """``_distinct((a, b))`` without a set and a sort: what a flow's two ends give."""
    if a is None:
        return () if b is None else (b,)
    if b is None or b == a:
        return (a,)
    return (a, b) if a < b else (b, a)


@dataclass
class Context:
    """What every rule may read. Built once per audit."""

    m: Map
    policy: Policy | None
    ix: PolicyIndex | None
    verdicts: Mapping[str, tuple[Verdict, ...]]
    fx: Facts
    regime: Regime | None
    _regime_clauses: dict[str | None, tuple[ClauseRef, ...]] = field(default_factory=dict, init=False, repr=False)
    _labels: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    # -- description helpers -----------------------------------------------------------
    def label(self, node_id: str) -> str:
        """``'Name' (id)``, as messages name a node (made once per node)."""
        got = self._labels.get(node_id)
        if got is None:
            got = self._labels[node_id] = f"'{self.m.nodes[node_id].name}' ({node_id})"
        return got

    def org_of(self, node_id: str) -> str | None:
        return self.fx.owner[node_id]

    def country(self, node_id: str) -> str | None:
        return self.fx.country[node_id]

    def orgs(self, nodes: Iterable[str]) -> tuple[str, ...]:
        """The organisations owning ``nodes``, sorted, each once."""
        return _distinct(map(self.fx.owner.__getitem__, nodes))

    def countries(self, nodes: Iterable[str]) -> tuple[str, ...]:
        """The countries of ``nodes``, sorted, each once."""
        return _distinct(map(self.fx.country.__getitem__, nodes))

    def clauses(self, decl_ids: Iterable[str]) -> tuple[ClauseRef, ...]:
        return self.ix.clauses(decl_ids) if self.ix else ()

    def regime_clause(self, basis_id: str | None = None) -> tuple[ClauseRef, ...]:
        """The regime's clause for a transfer basis (or the list of bases), made once per basis."""
        got = self._regime_clauses.get(basis_id)
        if got is None:
            got = self._regime_clauses[basis_id] = self._regime_clause(basis_id)
        return got

    def _regime_clause(self, basis_id: str | None) -> tuple[ClauseRef, ...]:
        r = self.regime
        if r is None:
            return ()
        b = r.bases.get(basis_id or "")
        if b is not None:
            return (ClauseRef(r.id, b.id, b.cite, b.summary),)
        listed = ", ".join(sorted(r.bases))
        return (ClauseRef(r.id, "transfer", r.name, f"a transfer needs one of: {listed}"),)

    @cached_property
    def by_dimension(self) -> dict[str, dict[str, list[Verdict]]]:
        """``{dimension: {class: [verdicts]}}`` over every flow, in flow order: every verdict that
        is neither ``clear`` nor ``vague``, and every recipient verdict (what the rules read one by
        one; the other clear verdicts, most of them, are not made). The vague ones are read as
        groups: :attr:`vague`."""
        return self._views[0]

    @cached_property
    def vague(self) -> dict[str, dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]]]:
        """``{dimension: {(item, declarations): (reason, flow ids)}}``: the vague verdicts grouped
        as the info findings report them, each group in order of its first verdict (flow order),
        with that verdict's reason and the ids of its flows (sorted, each once)."""
        groups: dict[str, dict[tuple[str, tuple[str, ...]], Any]] = defaultdict(dict)
        for p, fids in self._views[1]:
            by_key, key = groups[p[0]], (p[1], p[3])
            got = by_key.get(key)
            if got is None:
                by_key[key] = (p[4], [fids])
            else:
                got[1].append(fids)
        for by_key in groups.values():
            for key, (reason, lists) in by_key.items():
                # flow order is usually sorted already; a flow with two alike parts is listed once
                by_key[key] = (reason, tuple(dict.fromkeys(sorted(chain.from_iterable(lists)))))
        return groups

    @cached_property
    def _views(self) -> tuple[dict[str, dict[str, list[Verdict]]], list[tuple[Part, list[str]]]]:
        """One pass over every flow's verdict parts: :attr:`by_dimension`, and each distinct vague
        part with its flows, in order of first appearance."""
        out: dict[str, dict[str, list[Verdict]]] = defaultdict(lambda: defaultdict(list))
        vague: dict[int, tuple[Part, list[str]]] = {}
        new = tuple.__new__
        for fid, parts in self._verdict_parts.parts():
            for p in parts:
                cls = p[2]
                if cls == "vague":
                    # parts are shared among the flows decided alike: group by the part itself
                    # (its identity: a cheap key; the parts live as long as the verdicts)
                    got = vague.get(id(p))
                    if got is None:
                        vague[id(p)] = (p, [fid])
                    else:
                        got[1].append(fid)
                    if p[0] != "recipient":
                        continue
                if cls != "clear" or p[0] == "recipient":
                    out[p[0]][cls].append(new(Verdict, (fid, *p)))
        return out, list(vague.values())

    @cached_property
    def _verdict_parts(self) -> Verdicts:
        verdicts = self.verdicts
        if not isinstance(verdicts, Verdicts):  # a caller's own {flow id: verdicts}
            verdicts = Verdicts({fid: tuple(v[1:] for v in vs) for fid, vs in verdicts.items()})
        return verdicts

    def bad(self, dim: str) -> dict[str, list[Verdict]]:
        """``{flow id: [omitted/incorrect/ambiguous verdicts on dim]}``, sorted by flow id."""
        got: dict[str, list[Verdict]] = defaultdict(list)
        for cls in BAD:
            for v in self.by_dimension[dim].get(cls, ()):
                got[v.flow].append(v)
        return dict(sorted(got.items()))

    @cached_property
    def personal_stores(self) -> tuple[str, ...]:
        """Stores that hold some information type (received or copied)."""
        return tuple(n for n, rec in self.m.nodes.items() if rec.kind == "store" and self.fx.held(n))

    def flow_finding(
        self,
        rule: Rule,
        f: Flow,
        *,
        severity: str | None = None,
        disclosure: str | None,
        dimension: str | None,
        types: Iterable[str],
        decls: Iterable[str] = (),
        extra_clauses: tuple[ClauseRef, ...] = (),
        message: str,
        remedy: str,
        key: str = "",
    ) -> Finding:
        ends = (u, v) = (f.source, f.target)
        fx = self.fx
        return Finding(
            rule=rule.id,
            severity=severity or rule.severity,
            message=message,
            remedy=remedy,
            disclosure=disclosure,
            dimension=dimension,
            flows=(f.id,),
            path=ends,
            nodes=(),
            types=tuple(sorted(set(types))),
            organisations=_pair(fx.owner[u], fx.owner[v]),
            countries=_pair(fx.country[u], fx.country[v]),
            clauses=self.clauses(decls) + extra_clauses,
            src=f.src,
            key=key,
        )


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    explanation: str
    func: Callable[[Context], Iterable[Finding]]
    needs_policy: bool = True
    clause: str = ""  # the statement clause(s) / law it is about, for the docs table


RULES: dict[str, Rule] = {}


def rule(rid: str, severity: str, title: str, *, needs_policy: bool = True, clause: str = ""):
    """Register a rule function; its docstring is the explanation."""

    def deco(func: Callable[[Context], Iterable[Finding]]):
        doc = " ".join((func.__doc__ or "").split())
        RULES[rid] = Rule(rid, severity, title, doc, func, needs_policy, clause)
        return func

    return deco


# --------------------------------------------------------------------------- shared shapes


def _vague_findings(ctx: Context, r: Rule, dim: str, what: str, remedy: str) -> Iterator[Finding]:
    """One info finding per (item, deciding declarations) covered only by a broader term."""
    mf = ctx.m.flows
    for (item, decls), (reason, fids) in sorted(ctx.vague.get(dim, {}).items()):
        flows = list(map(mf.__getitem__, fids))  # the maps below run at C speed
        nodes = set(map(attrgetter("source"), flows)).union(map(attrgetter("target"), flows))
        types = (item,) if dim == "type" else tuple(sorted(set().union(*map(attrgetter("types"), flows))))
        clause_txt = ", ".join(sorted({ctx.ix.decl[d].clause for d in decls}))
        yield Finding(
            rule=r.id,
            severity="info",
            message=f"{what} '{item}' is disclosed only vaguely ({reason}; clause {clause_txt}) "
            f"on {len(fids)} flow(s): {', '.join(fids)}.",
            remedy=remedy.format(item=item, clause=clause_txt),
            disclosure="vague",
            dimension=dim,
            flows=fids,
            path=(),
            nodes=(),
            types=types,
            organisations=ctx.orgs(nodes),
            countries=ctx.countries(nodes),
            clauses=ctx.clauses(decls),
            src=flows[0].src,
            key=f"vague:{item}",
        )


# --------------------------------------------------------------------------- rules


@rule("undeclared-collection", "medium", "Undeclared collection", clause="§1 (1.1-1.4)")
def undeclared_collection(ctx: Context) -> Iterator[Finding]:
    """A flow that starts at a data subject collects an information type that no collection
    declaration covers for that subject's category and the flow's context of collection (or the
    type is declared only for another context). Matching follows the type hierarchy: a declared
    ancestor covers the type vaguely (reported at info), a declared descendant or sibling does not
    cover it. Collection of a sensitive type that is not declared is high."""
    r = RULES["undeclared-collection"]
    for fid, bad in ctx.bad("type").items():
        f = ctx.m.flows[fid]
        subj = ctx.m.nodes[f.source].subject
        types = [v.item for v in bad]
        sev = "high" if any(ctx.m.is_sensitive(t) for t in types) else r.severity
        reasons = "; ".join(v.reason for v in bad)
        yield ctx.flow_finding(
            r,
            f,
            severity=sev,
            disclosure=worst(v.disclosure for v in bad),
            dimension="type",
            types=types,
            decls=[i for v in bad for i in v.declarations],
            message=f"{ctx.label(f.source)} ({subj}) gives {', '.join(types)} to {ctx.label(f.target)} in context "
            f"'{f.context}', which the statement does not declare: {reasons}.",
            remedy=f"Add {', '.join(types)} to the collection clause for {subj} in context '{f.context}' "
            "(and notify users of the change, §7), or stop collecting it on this flow.",
        )
    yield from _vague_findings(
        ctx,
        r,
        "type",
        "Collected type",
        "Name '{item}' explicitly in clause {clause} so users know it is collected.",
    )


@rule("undeclared-purpose", "medium", "Undeclared purpose", clause="§4; §5.2")
def undeclared_purpose(ctx: Context) -> Iterator[Finding]:
    """A flow serves a purpose that no purpose declaration covers, directly or through a broader
    purpose (omitted); or it shares data for a purpose outside the purposes that the sharing
    declaration it relies on limits itself to (incorrect, high; ambiguous when the purpose is
    declared elsewhere). Purposes covered only by a broader declared purpose are reported at info."""
    r = RULES["undeclared-purpose"]
    for fid, bad in ctx.bad("purpose").items():
        f = ctx.m.flows[fid]
        cls = worst(v.disclosure for v in bad)
        purposes = [v.item for v in bad]
        yield ctx.flow_finding(
            r,
            f,
            severity="high" if cls == "incorrect" else r.severity,
            disclosure=cls,
            dimension="purpose",
            types=f.types,
            decls=[i for v in bad for i in v.declarations],
            message=f"Flow {f.id} from {ctx.label(f.source)} to {ctx.label(f.target)} is used for "
            f"{', '.join(purposes)}: {'; '.join(v.reason for v in bad)}.",
            remedy=f"Declare the purpose(s) {', '.join(purposes)} in §4 (re-obtaining consent if unrelated to the "
            "original purpose), or stop using the data for it.",
            key=",".join(purposes),
        )
    yield from _vague_findings(ctx, r, "purpose", "Purpose", "Describe purpose '{item}' explicitly in clause {clause}.")


@rule("undeclared-recipient", "high", "Undeclared recipient", clause="§5 (opening, 5.1-5.4)")
def undeclared_recipient(ctx: Context) -> Iterator[Finding]:
    """A flow hands personal data from the controller (or straight from a data subject) to another
    organisation whose role, under the flow's sharing basis, no sharing declaration allows
    (omitted); if a prohibition names that role (the statement's "we will not share ... with any
    irrelevant third parties") and no declared exception applies, the flow is incorrect. A broad
    permission against a prohibition that names the role exactly is ambiguous (medium). Roles
    covered only by a broader recipient term are reported at info."""
    r = RULES["undeclared-recipient"]
    for fid, bad in ctx.bad("recipient").items():
        f = ctx.m.flows[fid]
        v = bad[0]
        org = ctx.m.organisations[v.item]
        yield ctx.flow_finding(
            r,
            f,
            severity="medium" if v.disclosure == "ambiguous" else r.severity,
            disclosure=v.disclosure,
            dimension="recipient",
            types=f.types,
            decls=v.declarations,
            message=f"{', '.join(sorted(f.types))} go from {ctx.label(f.source)} to {ctx.label(f.target)} of "
            f"'{org.name}' ({org.role}, {org.jurisdiction}) under "
            f"{'basis ' + repr(f.sharing_basis) if f.sharing_basis else 'no sharing basis'}: {v.reason}.",
            remedy="Record the sharing basis this disclosure relies on and declare sharing with recipients of role "
            f"{org.role} under it in §5, or stop the disclosure.",
        )
    yield from _vague_findings(
        ctx,
        r,
        "recipient",
        "Recipient",
        "Name the kind of recipient '{item}' is in clause {clause} (e.g. list sub-processors).",
    )


@rule("storage-location", "high", "Storage outside the declared locations", clause="§2.1")
def storage_location(ctx: Context) -> Iterator[Finding]:
    """A store holding personal data (backups and replicas included, each with its own location) is
    in a country that is not a declared storage location. If a declared transfer names that
    country the declarations disagree (ambiguous, medium); otherwise the storage is omitted (high).
    Runs only when the policy declares storage locations."""
    r = RULES["storage-location"]
    if not ctx.ix.storage:
        return
    for sid in ctx.personal_stores:
        n = ctx.m.nodes[sid]
        if not n.jurisdiction:
            continue
        held = tuple(sorted(ctx.fx.held(sid)))
        cls, decls, why = ctx.ix.location(n.jurisdiction, held, True)
        if cls not in BAD:
            continue
        copies = ctx.fx.copy_sources(sid)
        what = f"backup/replica of {ctx.label(copies[0])}" if copies else "store"
        in_flows = ctx.fx.in_flow_ids(sid)
        declared = ", ".join(sorted(ctx.ix.storage))
        yield Finding(
            rule=r.id,
            severity="medium" if cls == "ambiguous" else r.severity,
            message=f"{ctx.label(sid)} ({what}, owned by {n.owner}) keeps {', '.join(held)} in {n.jurisdiction}; "
            f"the statement declares storage in {declared}: {why}.",
            remedy=f"Move the {what} to {declared}, or declare storage in {n.jurisdiction} (§2.1) with the "
            "transfer basis that covers it.",
            disclosure=cls,
            dimension="location",
            flows=in_flows,
            path=(*reversed(copies), sid),
            nodes=(sid,),
            types=held,
            organisations=ctx.orgs([sid, *copies]),
            countries=ctx.countries([sid, *copies]),
            clauses=ctx.clauses(decls),
            src=n.src,
            key=sid,
        )


@rule("cross-border-basis", "high", "Cross-border transfer without a valid basis", clause="PDPA s26 / GDPR Ch. V")
def cross_border_basis(ctx: Context) -> Iterator[Finding]:
    """A flow between nodes in different countries (not both inside the regime's area; collection
    flows from and deliveries to data subjects excluded) must name a transfer basis that is valid under the regime
    selected by the map's home: a contract safeguard of the recipient naming the destination,
    binding corporate rules only between related organisations and held by the recipient, a
    recognised certification, in-transit only when the flow says so, a basis of the right regime
    (GDPR bases are invalid under a PDPA home and vice versa). A missing basis is omitted, an
    invalid one incorrect; both are high."""
    r = RULES["cross-border-basis"]
    for fid, bad in ctx.bad("safeguard").items():
        sg = next((v for v in bad if v.item == "transfer"), None)
        if sg is None:
            continue
        f = ctx.m.flows[fid]
        a, b = ctx.country(f.source), ctx.country(f.target)
        dst_org = ctx.org_of(f.target)
        yield ctx.flow_finding(
            r,
            f,
            disclosure=sg.disclosure,
            dimension="safeguard",
            types=f.types,
            extra_clauses=ctx.regime_clause(f.transfer_basis),
            message=f"{', '.join(sorted(f.types))} cross from {a} to {b} ({ctx.label(f.source)} → "
            f"{ctx.label(f.target)}, recipient {dst_org}) without a valid transfer basis under "
            f"{ctx.regime.id if ctx.regime else 'any regime'}: {sg.reason}.",
            remedy="Put a valid basis in place and record it on the flow (transfer_basis), e.g. a contract with "
            f"{dst_org} that names {b}, a recognised certification, or keep the data in {a}.",
            key="basis",
        )


@rule("undeclared-destination", "medium", "Transfer to a country the statement never mentions", clause="§2.1; §5")
def undeclared_destination(ctx: Context) -> Iterator[Finding]:
    """The controller itself sends personal data across a border on a valid basis, but to a country
    that is neither a declared storage location nor the destination of a declared transfer: the
    transfer is lawful yet undeclared. Flows into stores are left to storage-location, relays that
    only pass data through (in_transit) are not reported, and hops between other organisations
    are left to onward-transfer."""
    r = RULES["undeclared-destination"]
    for loc in ctx.by_dimension["location"].get("omitted", ()):
        f = ctx.m.flows[loc.flow]
        if f.in_transit or not ctx.fx.is_controller(f.source) or ctx.fx.kind[f.target] == "store":
            continue
        sg = next((v for v in ctx.verdicts[f.id] if v.dimension == "safeguard" and v.item == "transfer"), None)
        if sg is None or sg.disclosure != "clear":
            continue
        a, b = ctx.country(f.source), ctx.country(f.target)
        yield ctx.flow_finding(
            r,
            f,
            disclosure="omitted",
            dimension="location",
            types=f.types,
            decls=loc.declarations,
            extra_clauses=ctx.regime_clause(f.transfer_basis),
            message=f"{', '.join(sorted(f.types))} go from {a} to {b} ({ctx.label(f.source)} → "
            f"{ctx.label(f.target)}) on a valid basis ({sg.reason}), but the statement never tells users "
            f"their data goes to {b}: {loc.reason}.",
            remedy=f"Disclose the transfer to {b} and its safeguard in the statement (§2.1/§5), or keep the data "
            f"in {a}.",
        )


@rule("onward-transfer", "high", "Onward transfer through a chain of hops", clause="§5.2; §2.1")
def onward_transfer(ctx: Context) -> Iterator[Finding]:
    """After data leaves the controller, it travels on (processor → sub-processor → ...) and reaches,
    two or more hops after the hand-over, an organisation whose role no sharing declaration covers
    (under the last hop's sharing basis, or under any basis when the hop names none; a role a
    prohibition names is incorrect) or a country the statement does not declare (storage locations
    and declared transfers). One breadth-first search per information type handed over, over
    the flows carrying it; the finding carries the whole node path from the controller's last
    node, and the types that travel it."""
    r = RULES["onward-transfer"]
    m, fx, ix = ctx.m, ctx.fx, ctx.ix
    ctrl = m.info.controller
    groups: dict[tuple[str, tuple[str, ...], tuple[str, ...]], set[str]] = defaultdict(set)
    kind, owner, ctrl_nodes = fx.kind, fx.owner, fx.controller_nodes
    out_records = fx.out_records
    # the hand-overs, per type: flows from the controller (or a data subject) to a node of
    # another organisation; only types with one need a search
    exits_by_type: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for n in ctrl_nodes | {k for k, v in kind.items() if v == "subject"}:
        for f in out_records.get(n, ()):
            tgt = f.target
            if kind[tgt] != "subject" and owner[tgt] != ctrl:
                for t in f.types:
                    exits_by_type[t].append((f.id, n, tgt))
    for t in sorted(exits_by_type):
        paths: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}  # node -> (nodes, flows)
        queue: deque[str] = deque()
        for fid, s, tg in sorted(exits_by_type[t]):
            if tg not in paths:
                paths[tg] = ((s, tg), (fid,))
                queue.append(tg)
        # breadth-first over the flows carrying t, found from each reached node's own out-flows
        # (flow-id order): the search touches only what is reached after a hand-over, a small
        # part of the map, rather than indexing every flow of every type first
        while queue:
            cur = queue.popleft()
            nodes, flows = paths[cur]
            for f in out_records.get(cur, ()):
                fid, nxt = f.id, f.target
                if nxt in paths or nxt in ctrl_nodes or t not in f.types:
                    continue
                paths[nxt] = ((*nodes, nxt), (*flows, fid))
                if kind[nxt] != "subject":
                    queue.append(nxt)
        for node, (nodes, flows) in paths.items():
            if len(flows) < 2 or kind[node] == "subject" or owner[node] in (None, ctrl):
                continue
            groups[(node, nodes, flows)].add(t)
    for (node, nodes, flows), types in sorted(groups.items()):
        n = m.nodes[node]
        ttuple = tuple(sorted(types))
        role = fx.role(node)
        last = m.flows[flows[-1]]
        if last.sharing_basis is not None:  # the hop names its basis: hold it like a disclosure
            role_cls, role_decls, _ = ix.recipient(role, last.sharing_basis, ttuple, tuple(sorted(last.purposes)))
        else:
            role_cls, role_decls = ix.role_declared(role)
        country_ok = n.jurisdiction is None or n.jurisdiction in ix.declared_countries(ttuple)
        if role_cls in ("clear", "vague") and country_ok:
            continue
        problems = []
        if role_cls not in ("clear", "vague"):
            problems.append(f"no sharing declaration covers recipients of role {role}")
        if not country_ok:
            problems.append(f"{n.jurisdiction} is not a declared location")
        dim = "recipient" if role_cls not in ("clear", "vague") else "location"
        decls = role_decls if dim == "recipient" else tuple(i for v in ix.storage.values() for i in v)
        hops = " → ".join(f"{x} ({m.nodes[x].jurisdiction or '-'})" for x in nodes)
        yield Finding(
            rule=r.id,
            severity=r.severity,
            message=f"{', '.join(ttuple)} reach {ctx.label(node)} of {n.owner} ({role}, {n.jurisdiction}) "
            f"{len(flows)} hops after leaving the controller: {hops}; {' and '.join(problems)}.",
            remedy=f"Require the onward recipient chain to be approved and bound by contract, and declare "
            f"recipients of role {role} and {n.jurisdiction} in the statement, or cut the onward flow.",
            disclosure="incorrect" if role_cls == "incorrect" else "omitted",
            dimension=dim,
            flows=flows,
            path=nodes,
            nodes=(node,),
            types=ttuple,
            organisations=ctx.orgs(nodes),
            countries=ctx.countries(nodes),
            clauses=ctx.clauses(decls),
            src=m.flows[flows[-1]].src,
            key=node,
        )


def _exceeds(held: str, limit: str) -> bool:
    """Whether retention ``held`` exceeds ``limit`` (``while_service`` / ``indefinite`` / duration)."""
    if held == limit:
        return False
    if held == "indefinite":
        return True
    if limit == "indefinite":
        return False
    if limit == RETENTION_WHILE_SERVICE:
        return True  # a fixed duration runs on after the service ends
    if held == RETENTION_WHILE_SERVICE:
        return False  # cannot be compared with a fixed limit: not reported
    return retention_days(held) > retention_days(limit)  # type: ignore[operator]


#: A fixed hold of at most this many days under a "while the service is provided" limit (backup
#: rotation, short operational logs) is reported at low severity; longer holds at medium.
SHORT_HOLD_DAYS = 366.0


@rule("retention", "medium", "Retention longer than declared", clause="§2.2")
def retention(ctx: Context) -> Iterator[Finding]:
    """A store keeps data longer than the declared limit: a fixed duration (or indefinite) where the
    statement keeps data only while the service is provided, or a duration beyond a declared fixed
    limit, unless one of the store's retention purposes is covered by a declared retention
    exception (e.g. legal compliance) whose own limit, if any, is respected. A fixed hold of up to
    a year under a "while the service is provided" limit (backup rotation, short logs) is low: it
    still outlives the account, so the statement should say so or the store should delete on
    account closure."""
    r = RULES["retention"]
    ix, m = ctx.ix, ctx.m
    limits = [d for d in ix.of("retention") if d.retention and not d.purposes]
    exceptions = [d for d in ix.of("retention") if d.purposes]
    if not limits:
        return
    for sid in ctx.personal_stores:
        n = m.nodes[sid]
        held = tuple(sorted(ctx.fx.held(sid)))
        applicable = [d for d in limits if not d.types or ix._types_cover(d.types, held) != "none"]
        if not applicable or n.retention is None:
            continue
        values = {d.retention for d in applicable}
        if RETENTION_WHILE_SERVICE in values:
            limit = RETENTION_WHILE_SERVICE
        else:
            limit = min(values, key=lambda v: retention_days(v) or 0.0)
        if not _exceeds(n.retention, limit):
            continue
        covering = [
            d for d in exceptions if any(m.purpose_tree.match(d.purposes, p) != "none" for p in n.retention_purposes)
        ]
        # an exception without its own limit allows any hold (the statement states no maximum)
        ok = [d for d in covering if not (d.retention and _exceeds(n.retention, d.retention))]
        if ok:
            continue
        lim_ids = [d.id for d in applicable if d.retention == limit]
        if covering:
            why = "the retention exceptions it cites do not allow keeping it that long"
        elif n.retention_purposes:
            why = f"its retention purposes ({', '.join(n.retention_purposes)}) are not declared retention exceptions"
        else:
            why = "no retention purpose justifies the longer hold"
        days = retention_days(n.retention)
        short = days is not None and days <= SHORT_HOLD_DAYS and limit == RETENTION_WHILE_SERVICE
        if limit == RETENTION_WHILE_SERVICE and days is not None and days != float("inf"):
            held_for = (
                f"on a fixed {n.retention} timer, so it can outlive the account by up to {n.retention} "
                f"after the service ends, while the statement keeps data only while the service is provided"
            )
        else:
            held_for = f"for {n.retention}, longer than the declared '{limit}'"
        yield Finding(
            rule=r.id,
            severity="low" if short else r.severity,
            message=f"{ctx.label(sid)} keeps {', '.join(held)} {held_for}; {why}.",
            remedy="Shorten the store's retention to the declared limit (delete on account closure), or record the "
            "declared exception (§2.2) that justifies the longer hold in retention_purposes.",
            disclosure="incorrect",
            dimension="safeguard",
            flows=ctx.fx.in_flow_ids(sid),
            path=(sid,),
            nodes=(sid,),
            types=held,
            organisations=ctx.orgs([sid]),
            countries=ctx.countries([sid]),
            clauses=ctx.clauses([*lim_ids, *(d.id for d in covering)]),
            src=n.src,
            key=sid,
        )


@rule("security-contradicted", "high", "Declared security measure contradicted", clause="§3.2")
def security_contradicted(ctx: Context) -> Iterator[Finding]:
    """A declared security measure is contradicted by the map: a type declared under password
    encryption, or any sensitive type, travels over a flow marked encrypted: false or sits in a
    store marked encrypted_at_rest: false (only stated facts count: unknown is not reported). With
    encryption in transit or at rest declared, the personal data that declaration covers (its
    types, or all types if it names none) over unencrypted flows or in unencrypted stores is
    reported too (medium)."""
    r = RULES["security-contradicted"]
    ix, m = ctx.ix, ctx.m
    if not ix.of("security"):
        return
    in_transit = ix.measures.get("encryption_in_transit", [])
    at_rest = ix.measures.get("encryption_at_rest", [])
    pw_decls = ix.measures.get("password_encryption", [])
    all_sec = [d.id for d in ix.of("security")]

    def covering(decl_ids: list[str], t: str) -> list[str]:
        """The declarations among ``decl_ids`` whose types (if any) cover ``t``."""
        anc = m.type_tree.ancestors(t)
        return [i for i in decl_ids if not ix.decl[i].types or any(a in ix.decl[i].types for a in anc)]

    def classify_types(types: Iterable[str], declared: list[str]) -> tuple[list[str], list[str], str]:
        hit: list[str] = []
        decls: set[str] = set()
        high = False
        for t in sorted(set(types)):
            promised = covering(declared, t)
            if ix.is_password(t):
                hit.append(t)
                decls.update(covering(pw_decls, t) + promised)
                high = True
            elif ix.sensitive(t):
                hit.append(t)
                decls.update(promised or all_sec)
                high = True
            elif promised:
                hit.append(t)
                decls.update(promised)
        return hit, sorted(decls), ("high" if high else "medium") if hit else ""

    for f in filterfalse(attrgetter("encrypted"), m.flows.values()):  # the unencrypted flows, at C speed
        types, decls, sev = classify_types(f.types, in_transit)
        if not types:
            continue
        yield ctx.flow_finding(
            r,
            f,
            severity=sev,
            disclosure="incorrect",
            dimension="safeguard",
            types=types,
            decls=decls,
            message=f"{', '.join(types)} travel unencrypted from {ctx.label(f.source)} to {ctx.label(f.target)}, "
            "contradicting the security measures the statement declares.",
            remedy="Encrypt the flow in transit (TLS or better) and mark it encrypted, or stop sending these types.",
            key="in_transit",
        )
    for sid in ctx.personal_stores:
        n = m.nodes[sid]
        if n.encrypted_at_rest is not False:
            continue
        types, decls, sev = classify_types(ctx.fx.held(sid), at_rest)
        if not types:
            continue
        yield Finding(
            rule=r.id,
            severity=sev,
            message=f"{ctx.label(sid)} keeps {', '.join(types)} unencrypted at rest, contradicting the security "
            "measures the statement declares (e.g. password encryption).",
            remedy="Encrypt the store at rest (hash passwords with a password hashing function), or stop storing "
            "these types there.",
            disclosure="incorrect",
            dimension="safeguard",
            flows=ctx.fx.in_flow_ids(sid),
            path=(sid,),
            nodes=(sid,),
            types=tuple(types),
            organisations=ctx.orgs([sid]),
            countries=ctx.countries([sid]),
            clauses=ctx.clauses(decls),
            src=n.src,
            key="at_rest",
        )


@rule("rights-gap", "medium", "Rights gap: a store that requests do not reach", clause="§6.1-6.2")
def rights_gap(ctx: Context) -> Iterator[Finding]:
    """The statement offers erasure (or access/portability) but a store holding personal data of the
    subjects the right is offered to is not reached by erase (or export) requests: erase/export
    false, or not stated. Backups and replicas count: an erase request must reach them too."""
    r = RULES["rights-gap"]
    ix, m = ctx.ix, ctx.m
    checks = (("erase", ("erasure",)), ("export", ("access", "portability")))
    for sid in ctx.personal_stores:
        n = m.nodes[sid]
        subjects = ctx.fx.subjects_at(sid)
        missing, decls = [], []
        for attr, rights in checks:
            if getattr(n, attr) is True:
                continue
            ids = [
                i
                for right in rights
                for i in ix.rights.get(right, [])
                if not ix.decl[i].subjects
                or any(
                    m.subject_tree.covers(s, x) or m.subject_tree.covers(x, s)
                    for s in ix.decl[i].subjects
                    for x in subjects
                )
            ]
            if ids:
                state = "false" if getattr(n, attr) is False else "not stated"
                missing.append(f"{attr} requests ({state})")
                decls.extend(ids)
        if not missing:
            continue
        yield Finding(
            rule=r.id,
            severity=r.severity,
            message=f"{ctx.label(sid)} holds personal data ({', '.join(sorted(subjects)) or 'unknown subjects'}) "
            f"but is not reached by {' or '.join(missing)}, while the statement offers these rights.",
            remedy="Wire the store into the erase/export request handling (and record erase/export: true), or stop "
            "keeping personal data there.",
            disclosure="incorrect",
            dimension="safeguard",
            flows=ctx.fx.in_flow_ids(sid),
            path=(sid,),
            nodes=(sid,),
            types=tuple(sorted(ctx.fx.held(sid))),
            organisations=ctx.orgs([sid]),
            countries=ctx.countries([sid]),
            clauses=ctx.clauses(decls),
            src=n.src,
            key=sid,
        )


@rule("over-declaration", "info", "Over-declaration", clause="§1; §4")
def over_declaration(ctx: Context) -> Iterator[Finding]:
    """Informational: a collection declaration names types (or a context) that no collection flow
    uses for the subjects it applies to; a sharing declaration (basis, recipient roles, purposes)
    that no flow leaving the controller relies on; or a purpose declaration names purposes that no
    flow serves (a declared term is used when a flow carries it or a narrower term). Either the
    map is missing flows or the statement promises more than the service does."""
    r = RULES["over-declaration"]
    ix, m = ctx.ix, ctx.m
    used_col: set[tuple[str | None, str | None, str]] = set()
    for nid, kind in ctx.fx.kind.items():  # the collections: flows out of data subjects
        if kind == "subject":
            subj = m.nodes[nid].subject
            for f in ctx.fx.out_records.get(nid, ()):
                used_col.update((subj, f.context, t) for t in f.types)
    for d in ix.of("collection"):
        declared_below: set[str] = set()
        for dt in d.types:
            declared_below |= m.type_tree.descendants(dt)
        # one pass over the collections this declaration applies to (by subject): the types
        # collected in its contexts, and the contexts in which one of its types is collected
        applies = [(c, t) for s, c, t in used_col if ix._subject_applies(d, s)]
        used_types = {t for c, t in applies if not d.contexts or c in d.contexts}
        used_contexts = {c for c, t in applies if t in declared_below}
        unused = [dt for dt in d.types if m.type_tree.descendants(dt).isdisjoint(used_types)]
        idle_contexts = [c for c in d.contexts if c not in used_contexts]
        if len(idle_contexts) == len(d.contexts):
            idle_contexts = []  # nothing used at all: the unused types already say it
        if not unused and not idle_contexts:
            continue
        parts = []
        if unused:
            parts.append(
                f"collecting {', '.join(unused)}{' in ' + ', '.join(d.contexts) if d.contexts else ''}"
                f"{' from ' + ', '.join(d.subjects) if d.subjects else ''}, but no flow of the map collects it"
            )
        if idle_contexts:
            parts.append(f"collection in context {', '.join(idle_contexts)}, but no flow collects these types there")
        yield Finding(
            rule=r.id,
            severity=r.severity,
            message=f"Clause {d.clause} declares " + "; and ".join(parts) + ".",
            remedy="Add the flows that collect it to the map, or drop it from the statement if it is no longer "
            "collected.",
            dimension="type",
            types=tuple(sorted(unused)),
            clauses=ctx.clauses([d.id]),
            src=d.src,
            key=d.id,
        )
    from flowatlas.audit.disclosure import leaves_controller
    from flowatlas.taxonomy import RECIPIENT_ROLES

    # the flows leaving the controller are those classified on the recipient dimension (order is irrelevant
    # to the any() below); without verdicts (a caller's own Context) ask each flow
    rec = ctx.by_dimension["recipient"] if ctx.verdicts else {}
    if rec:
        shared = [(m.flows[v.flow], ctx.fx.role(m.flows[v.flow].target)) for vs in rec.values() for v in vs]
    else:
        shared = [(f, ctx.fx.role(f.target)) for f in m.flows.values() if leaves_controller(m, f, ctx.fx)]
    for d in ix.of("sharing"):
        if any(
            (not d.bases or f.sharing_basis in d.bases)
            and RECIPIENT_ROLES.match(d.recipient_roles or ("any_recipient",), role) != "none"
            and (not d.purposes or any(m.purpose_tree.match(d.purposes, p) != "none" for p in f.purposes))
            for f, role in shared
        ):
            continue
        roles = ", ".join(d.recipient_roles) or "any recipient"
        yield Finding(
            rule=r.id,
            severity=r.severity,
            message=f"Clause {d.clause} declares sharing with {roles} under {', '.join(d.bases) or 'any basis'}"
            f"{' for ' + ', '.join(d.purposes) if d.purposes else ''}, but no flow of the map does so.",
            remedy="Add the disclosures that rely on it to the map, or drop the clause if it no longer applies.",
            dimension="recipient",
            clauses=ctx.clauses([d.id]),
            src=d.src,
            key=d.id + ":sharing",
        )
    used_p = set().union(*map(attrgetter("purposes"), m.flows.values()))
    for d in ix.of("purpose"):
        unused = [p for p in d.purposes if not (m.purpose_tree.descendants(p) & used_p)]
        if not unused:
            continue
        yield Finding(
            rule=r.id,
            severity=r.severity,
            message=f"Clause {d.clause} declares the purpose(s) {', '.join(unused)}, but no flow of the map serves "
            "them.",
            remedy="Add the flows that serve the purpose to the map, or drop it from the statement.",
            dimension="purpose",
            clauses=ctx.clauses([d.id]),
            src=d.src,
            key=d.id + ":purpose",
        )


@rule("model-hygiene", "low", "Model hygiene", needs_policy=False, clause="-")
def model_hygiene(ctx: Context) -> Iterator[Finding]:
    """Modelling problems that make other answers unreliable: a store that emits an information
    type it never receives (neither the type, nor a broader or narrower one, directly or from the
    store it backs up or replicates); a node with no flow at all (orphan); an organisation that
    owns no node and is neither the controller nor the engager of one that does."""
    r = RULES["model-hygiene"]
    m, fx = ctx.m, ctx.fx
    tt = m.type_tree
    kin: dict[str, frozenset[str]] = {}  # type -> its ancestors and descendants

    def kin_of(h: str) -> frozenset[str]:
        got = kin.get(h)
        if got is None:
            got = kin[h] = frozenset(tt.ancestors(h)) | tt.descendants(h)
        return got

    for nid, n in m.nodes.items():
        if n.kind == "store":
            held = fx.held(nid)
            # t is kin of a held type exactly when a held type is kin of t (ancestor/descendant,
            # or t itself: a held type is never a ghost, and is set aside at C speed first)
            ghost = sorted(t for t in fx.emitted(nid) - held if kin_of(t).isdisjoint(held))
            if ghost:
                gs = frozenset(ghost)
                out = tuple(sorted(f.id for f in fx.out_records.get(nid, ()) if not gs.isdisjoint(f.types)))
                yield Finding(
                    rule=r.id,
                    severity=r.severity,
                    message=f"Store {ctx.label(nid)} emits {', '.join(ghost)} but no flow brings it there.",
                    remedy="Add the flow that writes this type into the store, or correct the outgoing flow's types.",
                    flows=out,
                    path=(nid,),
                    nodes=(nid,),
                    types=tuple(ghost),
                    organisations=ctx.orgs([nid]),
                    countries=ctx.countries([nid]),
                    src=n.src,
                    key="emits:" + nid,
                )
        if nid not in fx.in_records and nid not in fx.out_records and not n.backup_of and not n.replica_of:
            yield Finding(
                rule=r.id,
                severity=r.severity,
                message=f"Node {ctx.label(nid)} ({n.kind}) has no flow in or out.",
                remedy="Connect it with the flows that use it, or remove it from the map.",
                path=(nid,),
                nodes=(nid,),
                organisations=ctx.orgs([nid]),
                countries=ctx.countries([nid]),
                src=n.src,
                key="orphan:" + nid,
            )
    owners = {n.owner for n in m.nodes.values() if n.owner}
    engagers = {m.organisations[o].engaged_by for o in owners if m.organisations[o].engaged_by}
    for oid, o in m.organisations.items():
        if oid == m.info.controller or oid in owners or oid in engagers:
            continue
        yield Finding(
            rule=r.id,
            severity=r.severity,
            message=f"Organisation '{o.name}' ({oid}, {o.role}, {o.jurisdiction}) owns no node of the map.",
            remedy="Add the systems or stores it runs, or remove it.",
            organisations=(oid,),
            countries=(o.jurisdiction,),
            src=o.src,
            key="org:" + oid,
        )
