"""The over-declaration rule: what the statement declares and no flow uses."""

from __future__ import annotations

from collections.abc import Iterator

from flowatlas.audit.rules.context import Context
from flowatlas.audit.rules.registry import RULES, rule
from flowatlas.findings import Finding


@rule("over-declaration", "info", "Over-declaration", held_against="collection, sharing and purpose declarations")
def over_declaration(ctx: Context) -> Iterator[Finding]:
    """Informational: a collection declaration names types (or a context) that no collection flow
    uses for the subjects it applies to; a sharing declaration (basis, recipient roles, purposes)
    that no flow leaving the controller relies on; or a purpose declaration names purposes that no
    flow serves (a declared term is used when a flow carries it or a narrower term). Either the
    map is missing flows or the statement promises more than the service does."""
    r = RULES["over-declaration"]
    index, m, facts = ctx.index, ctx.map, ctx.facts
    used_col: set[tuple[str | None, str | None, str]] = set()
    for nid, kind in ctx.facts.kind.items():  # the collections: flows out of data subjects
        if kind == "subject":
            subj = m.nodes[nid].subject
            for f in ctx.facts.out_records.get(nid, ()):
                used_col.update((subj, f.context, t) for t in f.types)
    for d in index.of("collection"):
        declared_below: set[str] = set()
        for dt in d.types:
            declared_below |= m.type_tree.descendants(dt)
        # one pass over the collections this declaration applies to (by subject): the types
        # collected in its contexts, and the contexts in which one of its types is collected
        applies = [(c, t) for s, c, t in used_col if index.subject_applies(d, s)]
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
    # the flows leaving the controller, with their recipients' roles
    flow_facts = ctx.analysis.flow_facts
    shared = [(f, facts.role(f.target)) for fid, f in m.flows.items() if flow_facts[fid].leaves_controller]
    for d in index.of("sharing"):
        if any(
            (not d.bases or flow_facts[f.id].sharing_basis in (None, *d.bases))
            and index.recipient_match(d, role, m.nodes[f.target].owner) != "none"
            and (not d.purposes or any(m.purpose_tree.match(d.purposes, p) != "none" for p in f.purposes))
            for f, role in shared
        ):
            continue
        roles = ", ".join([*d.recipients, *d.recipient_roles]) or "any recipient"
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
    used_p = {p for f in m.flows.values() for p in f.purposes}
    for d in index.of("purpose"):
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
