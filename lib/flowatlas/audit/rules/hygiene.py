"""The model-hygiene rule: modelling gaps that make the other answers unreliable."""

from __future__ import annotations

from collections.abc import Iterator

from flowatlas.audit.rules.context import Context
from flowatlas.audit.rules.registry import RULES, rule
from flowatlas.findings import Finding


@rule("model-hygiene", "low", "Model hygiene", needs_policy=False, held_against="the map itself")
def model_hygiene(ctx: Context) -> Iterator[Finding]:
    """Modelling problems that make other answers unreliable: a store or system that emits an
    information type it never receives (neither the type, nor a broader or narrower one, directly,
    from a data subject, or from the store it backs up or replicates) and, for a system, does not
    list in ``generates``; a node with no flow at all (orphan); a flow naming a transfer basis
    that crosses no border under the regime (the basis would go unchecked); an organisation that
    owns no node and is neither the controller nor the engager of one that does."""
    r = RULES["model-hygiene"]
    m, facts = ctx.map, ctx.facts
    related = m.type_tree.related

    for nid, n in m.nodes.items():
        if n.kind != "subject":
            held = facts.held(nid) | frozenset(n.generates)
            # a ghost: an emitted type with no held (or generated) type among its ancestors and
            # descendants (a held type is its own kin, so it is never a ghost)
            ghost = sorted(t for t in facts.emitted(nid) - held if related(t).isdisjoint(held))
            if ghost:
                gs = frozenset(ghost)
                out = tuple(sorted(f.id for f in facts.out_records.get(nid, ()) if not gs.isdisjoint(f.types)))
                what = "Store" if n.kind == "store" else "System"
                remedy = (
                    "Add the flow that writes this type into the store, or correct the outgoing flow's types."
                    if n.kind == "store"
                    else "Add the flow that brings this type in, list it in the system's 'generates' if the system "
                    "creates it (identifiers, logs, derived data), or correct the outgoing flow's types."
                )
                yield Finding(
                    rule=r.id,
                    severity=r.severity,
                    message=f"{what} {ctx.label(nid)} emits {', '.join(ghost)} but no flow brings it there"
                    + ("." if n.kind == "store" else " and the system does not say it generates it."),
                    remedy=remedy,
                    flows=out,
                    path=(nid,),
                    nodes=(nid,),
                    types=tuple(ghost),
                    organisations=ctx.orgs([nid]),
                    countries=ctx.countries([nid]),
                    src=n.src,
                    key="emits:" + nid,
                )
        if nid not in facts.in_records and nid not in facts.out_records and not n.backup_of and not n.replica_of:
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
    for f in m.flows.values():
        facts_of = ctx.analysis.flow_facts[f.id]
        if f.transfer_basis and not facts_of.is_transfer:
            a, b = facts_of.source_country, facts_of.target_country
            regime = ctx.analysis.flow_regimes[f.id]
            if regime is not None and not regime.in_force and a and b and a != b:
                # a border crossed before the regime's transfer rules apply: say when they do
                message = (
                    f"Flow {f.id} names transfer basis '{f.transfer_basis}' ({a} → {b}), but the transfer rules "
                    f"of {regime.id} apply from {regime.since} (the map is as of {m.as_of}): the basis is not "
                    "checked yet."
                )
                remedy = (
                    f"Keep the basis if it will hold under {regime.id} from {regime.since}; "
                    "nothing to change before then."
                )
            else:
                collected = (
                    ", collected by an organisation the controller does not direct"
                    if facts.kind[f.source] == "subject"
                    else ""
                )
                message = (
                    f"Flow {f.id} names transfer basis '{f.transfer_basis}' but is no transfer under "
                    f"{facts_of.regime or 'the map'} ({a} → {b}{collected}): the basis is not checked."
                )
                remedy = (
                    "Remove the transfer basis, or correct the jurisdictions of its ends if the data does cross "
                    "a border."
                )
            yield Finding(
                rule=r.id,
                severity=r.severity,
                message=message,
                remedy=remedy,
                flows=(f.id,),
                path=(f.source, f.target),
                organisations=ctx.orgs([f.source, f.target]),
                countries=ctx.countries([f.source, f.target]),
                src=f.src,
                key="basis:" + f.id,
            )
    owners = {n.owner for n in m.nodes.values() if n.owner}
    engagers = {m.organisations[o].engaged_by for o in owners if m.organisations[o].engaged_by}
    for oid, o in m.organisations.items():
        if oid == m.info.controller or oid in owners or oid in engagers or o.role == "client":
            continue  # a client runs no node of the map: the map's organisation processes for it
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
