"""Rules on what a flow discloses: collected types, purposes, recipients."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any, cast

from flowatlas.audit.rules.context import Context, Group, flow_list
from flowatlas.audit.rules.registry import RULES, rule
from flowatlas.findings import Finding, worst_disclosure


@rule("undeclared-collection", "medium", "Undeclared collection", held_against="collection declarations")
def undeclared_collection(ctx: Context) -> Iterator[Finding]:
    """A flow that starts at a data subject collects an information type that no collection
    declaration covers for that subject's category and the flow's context of collection (or the
    type is declared only for another context). Matching follows the type hierarchy: a declared
    ancestor covers the type vaguely (reported at info), a declared descendant or sibling does not
    cover it. Collection of a sensitive type that is not declared is high."""
    r = RULES["undeclared-collection"]
    yield from ctx.one_per_cause(_collections(ctx), _collection_cause)
    yield from ctx.vague_findings(
        r,
        "type",
        "Collected type",
        "Name '{item}' explicitly in {clause} so users know it is collected.",
    )


def _collection_cause(cause: Hashable, g: Group) -> tuple[str, str]:
    subj, context = cast("tuple[Any, ...]", cause)
    return (
        f"{subj} gives {', '.join(g.types)} in context '{context}' on {flow_list(g.flows)}, "
        f"which the statement does not declare: {g.why}.",
        g.remedy.replace("on this flow", "on these flows"),
    )


def _collections(ctx: Context) -> Iterator[tuple[Hashable, str, Finding]]:
    r = RULES["undeclared-collection"]
    for fid, bad in ctx.bad("type").items():
        f = ctx.map.flows[fid]
        subj = ctx.map.nodes[f.source].subject
        types = [v.item for v in bad]
        sev = "high" if any(ctx.map.is_sensitive(t) for t in types) else r.severity
        reasons = "; ".join(v.reason for v in bad)
        yield (
            (subj, f.context),  # what it is about: collection from this category in this context
            reasons,
            ctx.flow_finding(
                r,
                f,
                severity=sev,
                disclosure=worst_disclosure(v.disclosure for v in bad),
                dimension="type",
                types=types,
                decls=[i for v in bad for i in v.declarations],
                message=f"{ctx.label(f.source)}, of subject category '{subj}', gives {', '.join(types)} to "
                f"{ctx.label(f.target)} in context '{f.context}', which the statement does not declare: {reasons}.",
                remedy=f"Declare {', '.join(types)} as collected from {subj} in context '{f.context}' "
                f"({ctx.cite(i for v in bad for i in v.declarations)}) and notify users of the change, "
                "or stop collecting it on this flow.",
            ),
        )


@rule("undeclared-purpose", "medium", "Undeclared purpose", held_against="purpose and sharing declarations")
def undeclared_purpose(ctx: Context) -> Iterator[Finding]:
    """A flow serves a purpose that no purpose declaration covers, directly or through a broader
    purpose (omitted); or it shares data for a purpose outside the purposes that the sharing
    declaration it relies on limits itself to (incorrect, high; ambiguous when the purpose is
    declared elsewhere); or it uses a type for a purpose that a prohibition rules out ("we never
    use your location for marketing": incorrect, high); or it relies on a lawful basis other than
    those a declaration of the purpose names (incorrect, high), even where a broader list of
    purposes elsewhere in the statement names no basis. Purposes covered only by a broader
    declared purpose are reported at info."""
    r = RULES["undeclared-purpose"]
    yield from ctx.one_per_cause(_purposes(ctx), _purpose_cause)
    yield from ctx.vague_findings(r, "purpose", "Purpose", "Describe purpose '{item}' explicitly in {clause}.")


def _purpose_cause(cause: Hashable, g: Group) -> tuple[str, str]:
    (purposes,) = cast("tuple[Any, ...]", cause)
    return f"Data is used for {', '.join(purposes)} on {flow_list(g.flows)}: {g.why}.", g.remedy


def _purposes(ctx: Context) -> Iterator[tuple[Hashable, str, Finding]]:
    r = RULES["undeclared-purpose"]
    for fid, bad in ctx.bad("purpose").items():
        f = ctx.map.flows[fid]
        cls = worst_disclosure(v.disclosure for v in bad)
        purposes = [v.item for v in bad]
        forbidden = [i for v in bad for i in v.declarations if ctx.index.decl[i].kind == "prohibition"]
        remedy = (
            f"Stop using this data for {', '.join(purposes)}: the statement rules it out ({ctx.cite(forbidden)}); "
            "or change the statement first and obtain consent for the new use."
            if forbidden
            else f"Declare the purpose(s) {', '.join(purposes)} among the purposes of use "
            f"({ctx.cite(ctx.of_kind('purpose'))}), re-obtaining consent if unrelated to the original purpose, "
            "or stop using the data for it."
        )
        reasons = "; ".join(v.reason for v in bad)
        yield (
            (tuple(purposes),),  # what it is about: these purposes
            reasons,
            ctx.flow_finding(
                r,
                f,
                severity="high" if cls == "incorrect" else r.severity,
                disclosure=cls,
                dimension="purpose",
                types=f.types,
                decls=[i for v in bad for i in v.declarations],
                message=f"Flow {f.id} from {ctx.label(f.source)} to {ctx.label(f.target)} is used for "
                f"{', '.join(purposes)}: {reasons}.",
                remedy=remedy,
                key=",".join(purposes),
            ),
        )


@rule("undeclared-recipient", "high", "Undeclared recipient", held_against="sharing declarations and prohibitions")
def undeclared_recipient(ctx: Context) -> Iterator[Finding]:
    """A flow hands personal data from the controller (or straight from a data subject) to another
    organisation that no sharing declaration allows under the flow's sharing basis (omitted): the
    basis it records, else the one the recipient's role decides (a processor acts on the
    controller's instruction, an acquirer receives data in a corporate transaction), else any
    basis the statement declares for that recipient (the missing record is unrecorded-sharing-basis,
    low). If a prohibition names the recipient's role ("we will not share it with third parties")
    and no declared exception applies, the flow is incorrect. A broad permission against a
    prohibition that names the role exactly is ambiguous (medium). A flow whose sharing basis is
    sale where the statement says data is never sold is incorrect. A declaration that names its
    recipients (organisations or categories: "with PayStripe and ParcelPost", "with pharmacies")
    declares those recipients clearly, and no other organisation of the same role; one that names
    the lawful bases it relies on ("only with your explicit consent") makes a flow relying on
    another basis incorrect. Legitimate interests may be the basis of a sharing as of a
    processing. Roles covered only by a broader recipient term are reported at info."""
    r = RULES["undeclared-recipient"]
    yield from ctx.one_per_cause(_recipients(ctx), _recipient_cause(ctx))
    yield from ctx.vague_findings(
        r,
        "recipient",
        "Recipient",
        "Name the kind of recipient '{item}' is in {clause} (e.g. list sub-processors).",
    )


def _recipient_cause(ctx: Context) -> Callable[[Hashable, Group], tuple[str, str]]:
    def describe(cause: Hashable, g: Group) -> tuple[str, str]:
        (org_id,) = cast("tuple[Any, ...]", cause)
        org = ctx.map.organisations[org_id]
        b = " or ".join(sorted({_basis_phrase(ctx, x) for x in g.flows}))
        return (
            f"{', '.join(g.types)} go to '{org.name}' ({org.role}, {org.jurisdiction}) under {b} on "
            f"{flow_list(g.flows)}: {g.why}.",
            g.remedy,
        )

    return describe


def _basis_phrase(ctx: Context, flow_id: str) -> str:
    """How a message names a flow's sharing basis: as recorded, as its recipient's role decides it,
    or not recorded."""
    recorded = ctx.map.flows[flow_id].sharing_basis
    basis = ctx.analysis.flow_facts[flow_id].sharing_basis
    if basis is None:
        return "no recorded sharing basis"
    return f"basis '{basis}'" if recorded else f"basis '{basis}' (as the recipient's role decides)"


def _recipients(ctx: Context) -> Iterator[tuple[Hashable, str, Finding]]:
    r = RULES["undeclared-recipient"]
    for fid, bad in ctx.bad("recipient").items():
        f = ctx.map.flows[fid]
        v = bad[0]
        org = ctx.map.organisations[v.item]
        sold = f.sharing_basis == "sale" and v.disclosure == "incorrect"
        limits = [ctx.index.decl[i] for i in v.declarations if ctx.index.decl[i].kind == "sharing"]
        lawful = sorted({b for d in limits for b in d.lawful_bases}) if all(d.lawful_bases for d in limits) else []
        basis = ctx.analysis.flow_facts[fid].sharing_basis
        missing = ctx.index.uncovered(limits, f.types) if limits and all(
            not d.bases or basis is None or basis in d.bases for d in limits
        ) else ()  # fmt: skip
        if sold:
            cited = ctx.cite(v.declarations)
            remedy = f"Stop selling the data to {org.name}: the statement says it is never sold ({cited})."
        elif missing:
            named = sorted({t for d in limits for t in d.types})
            remedy = (
                f"Stop sending {', '.join(sorted(missing))} to {org.name}, or declare it: "
                f"{ctx.cite(v.declarations)} names only {', '.join(named)} for this recipient."
            )
        elif lawful and limits:
            remedy = (
                f"Share with {org.name} only on {', '.join(lawful)} as the statement promises "
                f"({ctx.cite(v.declarations)}), recording it as the flow's lawful_basis; or change the statement "
                "first and tell users."
            )
        else:
            remedy = (
                "Record the sharing basis this disclosure relies on and declare sharing with recipients of role "
                f"{org.role} under it ({ctx.cite(ctx.of_kind('sharing'))}), or stop the disclosure."
            )
        yield (
            (org.id,),  # what it is about: this recipient
            v.reason,
            ctx.flow_finding(
                r,
                f,
                severity="medium" if v.disclosure == "ambiguous" else r.severity,
                disclosure=v.disclosure,
                dimension="recipient",
                types=f.types,
                decls=v.declarations,
                message=f"{', '.join(sorted(f.types))} go from {ctx.label(f.source)} to {ctx.label(f.target)} of "
                f"'{org.name}' ({org.role}, {org.jurisdiction}) under "
                f"{_basis_phrase(ctx, f.id)}: {v.reason}.",
                remedy=remedy,
            ),
        )


@rule(
    "unrecorded-sharing-basis",
    "low",
    "Sharing basis not recorded",
    held_against="sharing declarations",
)
def unrecorded_sharing_basis(ctx: Context) -> Iterator[Finding]:
    """A flow hands personal data to another organisation and records no sharing basis, and the
    recipient's role does not decide one (a processor or sub-processor acts on the controller's
    instruction; an acquirer receives data in a corporate transaction). The flow is held against
    every basis the statement declares for that recipient, so the disclosure itself is judged;
    but which basis it relies on is not recorded, so no one can check it against the right
    clause (low). Where no declaration covers the recipient at all, undeclared-recipient reports
    the flow instead."""
    yield from ctx.one_per_cause(_unrecorded(ctx), _unrecorded_cause(ctx))


def _unrecorded_cause(ctx: Context) -> Callable[[Hashable, Group], tuple[str, str]]:
    def describe(cause: Hashable, g: Group) -> tuple[str, str]:
        (org_id,) = cast("tuple[Any, ...]", cause)
        org = ctx.map.organisations[org_id]
        return (
            f"{', '.join(g.types)} go to '{org.name}' ({org.role}) on {flow_list(g.flows)} without a recorded "
            f"sharing basis: {g.why}.",
            g.remedy,
        )

    return describe


def _unrecorded(ctx: Context) -> Iterator[tuple[Hashable, str, Finding]]:
    r = RULES["unrecorded-sharing-basis"]
    for fid, facts in ctx.analysis.flow_facts.items():
        if not facts.leaves_controller or facts.sharing_basis is not None:
            continue
        f = ctx.map.flows[fid]
        org = ctx.map.organisations[ctx.map.nodes[f.target].owner or ""]
        bases = ctx.index.declared_bases(org.role, org.id)
        if not bases:
            continue  # nothing covers the recipient: undeclared-recipient reports it
        decls = [d.id for d in ctx.index.of("sharing") if ctx.index.recipient_match(d, org.role, org.id) != "none"]
        named = ", ".join(b if b != "any" else "any basis" for b in bases)
        reason = f"the statement shares with them under {named} ({ctx.cite(decls)})"
        yield (
            (org.id,),  # what it is about: the disclosures to this recipient
            reason,
            ctx.flow_finding(
                r,
                f,
                disclosure=None,
                dimension="recipient",
                types=f.types,
                decls=decls,
                message=f"Flow {f.id} hands {', '.join(sorted(f.types))} from {ctx.label(f.source)} to "
                f"{ctx.label(f.target)} of '{org.name}' ({org.role}) without a recorded sharing basis, and the role "
                f"{org.role.replace('_', ' ')} decides none: {reason}.",
                remedy=f"Record the basis the disclosure relies on in the flow's sharing_basis (one of: {named}), "
                "so the audit holds it against that clause.",
                key="sharing-basis",
            ),
        )
