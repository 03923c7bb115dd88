"""Rules on where data goes: storage locations, transfer bases, destinations, onward chains."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator
from typing import Any, cast

import networkx as nx

from flowatlas.analysis.graph import shortest_flow_paths
from flowatlas.audit.rules.context import Context, Group, flow_list
from flowatlas.audit.rules.registry import RULES, rule
from flowatlas.findings import PROBLEM_CLASSES, Dimension, Finding, is_declared


@rule("storage-location", "high", "Storage outside the declared locations", held_against="storage declarations")
def storage_location(ctx: Context) -> Iterator[Finding]:
    """A store holding personal data (backups and replicas included, each with its own location) is
    in a country that is not a declared storage location. If a declared transfer names that
    country the declarations disagree (ambiguous, medium); otherwise the storage is omitted (high).
    Runs only when the policy declares storage locations."""
    r = RULES["storage-location"]
    if not ctx.index.storage:
        return
    for sid in ctx.personal_stores:
        n = ctx.map.nodes[sid]
        if not n.jurisdiction:
            continue
        held = tuple(sorted(ctx.facts.held(sid)))
        cls, decls, why = ctx.index.location(n.jurisdiction, held, True)
        if cls not in PROBLEM_CLASSES:
            continue
        copies = ctx.facts.copy_sources(sid)
        what = f"backup/replica of {ctx.label(copies[0])}" if copies else "store"
        in_flows = ctx.facts.in_flow_ids(sid)
        declared = ", ".join(ctx.index.storage_named)
        yield Finding(
            rule=r.id,
            severity="medium" if cls == "ambiguous" else r.severity,
            message=f"{ctx.label(sid)} ({what}, owned by {n.owner}) keeps {', '.join(held)} in {n.jurisdiction}; "
            f"the statement declares storage in {declared}: {why}.",
            remedy=f"Move the {what} to {declared}, or declare storage in {n.jurisdiction} "
            f"({ctx.cite(ctx.of_kind('storage'))}) with the transfer basis that covers it.",
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


@rule(
    "cross-border-basis",
    "high",
    "Cross-border transfer without a valid basis",
    held_against="the transfer regime of the organisation sending the flow (its country's, else the map's home's)",
)
def cross_border_basis(ctx: Context) -> Iterator[Finding]:
    """A flow between nodes in different countries (not both inside the regime's area; deliveries to
    data subjects excluded; a collection counts when the controller directs it into a system or
    store abroad, its own or a processor's, with the controller as exporter) must name a transfer
    basis that is valid under the regime of the organisation that sends it (its country's where
    flowatlas ships one: PDPA, GDPR, UK GDPR, FADP, PIPL, LGPD, DPDP; else the map's home's), on the
    map's as_of date: a
    contract safeguard of the recipient naming the destination (or a region holding it),
    binding corporate rules only between related organisations and held by the recipient, a
    recognised certification (schemes count from the day the regulation recognises them), an
    adequacy decision in force, a safeguard not expired, in-transit only when the flow says so, a
    basis of the right regime (GDPR bases are invalid under a PDPA home and vice versa). A missing
    basis is omitted, an invalid one incorrect; both are high."""
    yield from ctx.one_per_cause(_transfers(ctx), _transfer_cause(ctx))


def _transfer_cause(ctx: Context) -> Callable[[Hashable, Group], tuple[str, str]]:
    def describe(cause: Hashable, g: Group) -> tuple[str, str]:
        dst_org, a, b = cast("tuple[Any, ...]", cause)
        found = sorted({r.id for r in (ctx.regime_of(f) for f in g.flows) if r})
        regime = " or ".join(found) or "any regime"
        return (
            f"{', '.join(g.types)} cross from {a} to {b} (recipient {dst_org}) on {flow_list(g.flows)}, "
            f"without a valid transfer basis under {regime}: {g.why}.",
            g.remedy,
        )

    return describe


def _transfers(ctx: Context) -> Iterator[tuple[Hashable, str, Finding]]:
    r = RULES["cross-border-basis"]
    for fid, bad in ctx.bad("safeguard").items():
        sg = next((v for v in bad if v.item == "transfer"), None)
        if sg is None:
            continue
        f = ctx.map.flows[fid]
        collected = ctx.facts.kind[f.source] == "subject"
        a, b = ctx.country(f.source) or ctx.map.home, ctx.country(f.target)
        dst_org = ctx.org_of(f.target)
        how = (
            f"{ctx.label(f.source)} in {a} gives {', '.join(sorted(f.types))} straight to "
            f"{ctx.label(f.target)} in {b}, a collection the controller directs abroad,"
            if collected
            else f"{', '.join(sorted(f.types))} cross from {a} to {b} ({ctx.label(f.source)} → {ctx.label(f.target)},"
            f" recipient {dst_org})"
        )
        held = ctx.regime_of(f.id)
        regime = held.id if held else "any regime"
        bases = ", ".join(held.bases) if held else "any basis"
        yield (
            (dst_org, a, b),  # what it is about: data for this recipient crossing these borders
            sg.reason,
            ctx.flow_finding(
                r,
                f,
                disclosure=sg.disclosure,
                dimension="safeguard",
                types=f.types,
                extra_clauses=ctx.regime_clause(f.transfer_basis, f.id),
                message=f"{how} without a valid transfer basis under {regime}: {sg.reason}.",
                remedy=f"Put a basis valid under {regime} in place for {dst_org} in {b} and record it on the flow "
                f"(transfer_basis: {bases}), or keep the data in {a}.",
                key="basis",
            ),
        )


@rule(
    "undeclared-destination",
    "medium",
    "Transfer to a country the statement never mentions",
    held_against="storage and transfer declarations",
)
def undeclared_destination(ctx: Context) -> Iterator[Finding]:
    """The controller itself sends personal data across a border on a valid basis, but to a country
    that is neither a declared storage location nor the destination of a declared transfer: the
    transfer is lawful yet undeclared. Flows into stores are left to storage-location, relays that
    only pass data through (in_transit) are not reported, and hops between other organisations
    are left to onward-transfer."""
    yield from ctx.one_per_cause(_destinations(ctx), _destination_cause)


def _destination_cause(cause: Hashable, g: Group) -> tuple[str, str]:
    (b,) = cast("tuple[Any, ...]", cause)
    return (
        f"{', '.join(g.types)} go to {b} on valid bases on {flow_list(g.flows)}, "
        f"but the statement never tells users their data goes to {b}: {g.why}.",
        g.remedy,
    )


def _destinations(ctx: Context) -> Iterator[tuple[Hashable, str, Finding]]:
    r = RULES["undeclared-destination"]
    for loc in ctx.by_dimension["location"].get("omitted", ()):
        f = ctx.map.flows[loc.flow]
        if f.in_transit or not ctx.facts.is_controller(f.source) or ctx.facts.kind[f.target] == "store":
            continue
        sg = next((v for v in ctx.verdicts[f.id] if v.dimension == "safeguard" and v.item == "transfer"), None)
        if sg is None or sg.disclosure != "clear":
            continue
        a, b = ctx.country(f.source), ctx.country(f.target)
        yield (
            (b,),  # what it is about: this destination
            loc.reason,
            ctx.flow_finding(
                r,
                f,
                disclosure="omitted",
                dimension="location",
                types=f.types,
                decls=loc.declarations,
                extra_clauses=ctx.regime_clause(f.transfer_basis, f.id),
                message=f"{', '.join(sorted(f.types))} go from {a} to {b} ({ctx.label(f.source)} → "
                f"{ctx.label(f.target)}) on a valid basis ({sg.reason}), but the statement never tells users "
                f"their data goes to {b}: {loc.reason}.",
                remedy=f"Disclose the transfer to {b} and its safeguard in the statement "
                f"({ctx.cite(ctx.of_kind('storage', 'transfer'))}), or keep the data in {a}.",
            ),
        )


@rule(
    "onward-transfer",
    "high",
    "Onward transfer through a chain of hops",
    held_against="sharing, storage and transfer declarations",
)
def onward_transfer(ctx: Context) -> Iterator[Finding]:
    """After data leaves the controller, it travels on (processor → sub-processor → ...) and reaches,
    two or more hops after the hand-over, an organisation that no sharing declaration covers
    (under the last hop's sharing basis, as recorded or as the recipient's role decides, or under
    any basis when neither names one; a role a prohibition names is incorrect) or a country the
    statement does not declare (storage locations and declared transfers). One shortest-path
    search per information type handed over, over the flows carrying it or a narrower type (a
    hand-over of contact data, from which an email address travels on, counts); the finding
    carries the whole node path from the controller's last node, and the types that travel it."""
    r = RULES["onward-transfer"]
    a = ctx.analysis
    m, facts, index = ctx.map, ctx.facts, ctx.index
    G = a.graph
    ctrl = m.info.controller
    groups: dict[tuple[str, tuple[str, ...], tuple[str, ...]], set[str]] = defaultdict(set)
    # the hand-overs, per type: (flow id, source, target) of each flow leaving the controller
    handovers: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for fid, f in m.flows.items():
        if a.flow_facts[fid].leaves_controller:
            for t in f.types:
                handovers[t].append((fid, f.source, f.target))
    for t in sorted(handovers):
        first: dict[str, tuple[str, str]] = {}  # hand-over target -> (flow id, source), smallest id
        for fid, source, target in sorted(handovers[t]):
            first.setdefault(target, (fid, source))
        carried = frozenset(a.carrying(t))  # t, or a narrower type, travels on

        def onward(u: str, v: str, k: str, carried: frozenset[str] = carried) -> bool:
            """A flow carrying t on, from a node other than a data subject, to one that is not the controller's."""
            return k in carried and facts.kind[u] != "subject" and v not in facts.controller_nodes

        view = nx.subgraph_view(G, filter_edge=onward)
        below = m.type_tree.descendants(t)
        for node, later in shortest_flow_paths(view, first).items():
            start = m.flows[later[0]].source if later else node  # the hand-over target it came from
            fid, source = first[start]
            flows = (fid, *later)
            nodes = (source, start, *(m.flows[x].target for x in later))
            if len(flows) < 2 or facts.kind[node] == "subject" or facts.owner[node] in (None, ctrl):
                continue
            groups[(node, nodes, flows)].update(below.intersection(m.flows[flows[-1]].types))
    for (node, nodes, flows), types in sorted(groups.items()):
        n = m.nodes[node]
        ttuple = tuple(sorted(types))
        role = facts.role(node)
        last = m.flows[flows[-1]]
        basis = a.flow_facts[last.id].sharing_basis  # as recorded, else as the recipient's role decides
        if basis is not None:  # hold the hop like a disclosure
            purposes = tuple(sorted(last.purposes))
            role_cls, role_decls, _ = index.recipient(role, basis, ttuple, purposes, n.owner)
        else:
            role_cls, role_decls = index.role_declared(role, n.owner)
        country_ok = n.jurisdiction is None or n.jurisdiction in index.declared_countries(ttuple)
        if is_declared(role_cls) and country_ok:
            continue
        problems = []
        if not is_declared(role_cls):
            problems.append(f"no sharing declaration covers recipients of role {role}")
        if not country_ok:
            problems.append(f"{n.jurisdiction} is not a declared location")
        dim: Dimension = "recipient" if not is_declared(role_cls) else "location"
        decls = role_decls if dim == "recipient" else tuple(d.id for d in index.of("storage"))
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
            key=f"{node}:{','.join(flows)}",  # the chain: a node reached by two chains has two findings
        )
