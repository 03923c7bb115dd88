"""Rules on what a flow discloses: collected types, purposes, recipients."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
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
    subj, context, types, reasons = cast("tuple[Any, ...]", cause)
    return (
        f"{subj} gives {', '.join(types)} in context '{context}' on {flow_list(g.flows)}, "
        f"which the statement does not declare: {reasons}.",
        g.remedy.replace("on this flow", "on these flows"),
    )


def _collections(ctx: Context) -> Iterator[tuple[Hashable, Finding]]:
    r = RULES["undeclared-collection"]
    for fid, bad in ctx.bad("type").items():
        f = ctx.map.flows[fid]
        subj = ctx.map.nodes[f.source].subject
        types = [v.item for v in bad]
        sev = "high" if any(ctx.map.is_sensitive(t) for t in types) else r.severity
        reasons = "; ".join(v.reason for v in bad)
        yield (
            (subj, f.context, tuple(types), reasons),
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
    use your location for marketing": incorrect, high), or relies on a lawful basis other than
    those the purpose's declarations name (incorrect; omitted when it names none). Purposes covered
    only by a broader declared
    purpose are reported at info."""
    r = RULES["undeclared-purpose"]
    yield from ctx.one_per_cause(_purposes(ctx), _purpose_cause)
    yield from ctx.vague_findings(r, "purpose", "Purpose", "Describe purpose '{item}' explicitly in {clause}.")


def _purpose_cause(cause: Hashable, g: Group) -> tuple[str, str]:
    purposes, reasons = cast("tuple[Any, ...]", cause)
    return f"Data is used for {', '.join(purposes)} on {flow_list(g.flows)}: {reasons}.", g.remedy


def _purposes(ctx: Context) -> Iterator[tuple[Hashable, Finding]]:
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
        cause = (tuple(purposes), reasons)
        yield (
            cause,
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
    organisation whose role, under the flow's sharing basis, no sharing declaration allows
    (omitted); if a prohibition names that role ("we will not share it with third parties") and
    no declared exception applies, the flow is incorrect. A broad
    permission against a prohibition that names the role exactly is ambiguous (medium). A flow
    whose sharing basis is sale where the statement says data is never sold is incorrect. A
    declaration that names its recipients (organisations or categories: "with pharmacies and
    insurers") covers no other organisation of the same role; one that names the lawful bases it
    relies on ("only with your explicit consent") makes a flow relying on another basis incorrect,
    and one naming no basis omitted. Roles
    covered only by a broader recipient term are reported at info."""
    r = RULES["undeclared-recipient"]
    yield from ctx.one_per_cause(_recipients(ctx), _recipient_cause)
    yield from ctx.vague_findings(
        r,
        "recipient",
        "Recipient",
        "Name the kind of recipient '{item}' is in {clause} (e.g. list sub-processors).",
    )


def _recipient_cause(cause: Hashable, g: Group) -> tuple[str, str]:
    _, name, role, country, basis, reason = cast("tuple[Any, ...]", cause)
    b = f"basis '{basis}'" if basis else "no sharing basis"
    return (
        f"{', '.join(g.types)} go to '{name}' ({role}, {country}) under {b} on {flow_list(g.flows)}: {reason}.",
        g.remedy,
    )


def _recipients(ctx: Context) -> Iterator[tuple[Hashable, Finding]]:
    r = RULES["undeclared-recipient"]
    for fid, bad in ctx.bad("recipient").items():
        f = ctx.map.flows[fid]
        v = bad[0]
        org = ctx.map.organisations[v.item]
        sold = f.sharing_basis == "sale" and v.disclosure == "incorrect"
        limits = [ctx.index.decl[i] for i in v.declarations if ctx.index.decl[i].kind == "sharing"]
        lawful = sorted({b for d in limits for b in d.lawful_bases}) if all(d.lawful_bases for d in limits) else []
        if sold:
            cited = ctx.cite(v.declarations)
            remedy = f"Stop selling the data to {org.name}: the statement says it is never sold ({cited})."
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
            (org.id, org.name, org.role, org.jurisdiction, f.sharing_basis, v.reason),
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
                f"{'basis ' + repr(f.sharing_basis) if f.sharing_basis else 'no sharing basis'}: {v.reason}.",
                remedy=remedy,
            ),
        )
