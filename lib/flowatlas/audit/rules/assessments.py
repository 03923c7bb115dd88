"""Transfer impact assessments (TIA) and the decisions transfers rely on.

The transfers a TIA belongs beside are the analysis's
(:func:`flowatlas.analysis.assessments.needing_assessment`): one per exporter, importer,
destination and tool, with the assessments recorded on its flows (``tia:``).
"""

from __future__ import annotations

from collections.abc import Iterator

from flowatlas.analysis.assessments import Assessed, needing_assessment
from flowatlas.audit.rules.context import Context
from flowatlas.audit.rules.registry import RULES, Rule, rule
from flowatlas.findings import ClauseRef, Finding, Severity


def _finding(ctx: Context, r: Rule, t: Assessed, *, severity: Severity, message: str, remedy: str) -> Finding:
    """A finding about the transfer ``t`` (all its flows), citing the provision of its tool."""
    m = ctx.map
    first = m.flows[t.flows[0]]
    ends = tuple(dict.fromkeys(n for f in t.flows for n in (m.flows[f].source, m.flows[f].target)))
    law = ClauseRef(t.regime.id, t.basis.id, t.basis.cite, t.basis.summary, law=True)
    return Finding(
        rule=r.id,
        severity=severity,
        message=message,
        remedy=remedy,
        disclosure="omitted" if r.id == "tia-missing" else "incorrect",
        dimension="safeguard",
        flows=t.flows,
        path=(first.source, first.target),
        types=tuple(sorted({ty for f in t.flows for ty in m.flows[f].types})),
        organisations=ctx.orgs(ends),
        countries=ctx.countries(ends),
        clauses=(law,),
        src=first.src,
        about=("tia", *t.key),
    )


def _who(ctx: Context, t: Assessed) -> str:
    m = ctx.map
    importer = m.organisations[t.importer].name if t.importer else "the importer"
    exporter = m.organisations[t.exporter].name if t.exporter else "the exporter"
    return f"{exporter} → {importer} ({t.destination}) on {t.tool} under {t.regime.id}"


@rule(
    "tia-missing",
    "medium",
    "A transfer that needs an impact assessment records none",
    held_against="the regime's transfer tools that need an assessment (EDPB Recommendations 01/2020)",
)
def tia_missing(ctx: Context) -> Iterator[Finding]:
    """A transfer relies on a tool that needs a transfer impact assessment (standard clauses,
    binding corporate rules, codes and certifications; a contract under PDPR reg 11; the PIPL
    standard contract: the regime's ``tia: true`` bases), and some of its flows record none
    (``tia:``). One finding per exporter, importer, destination and tool; ``flowatlas tia MAP``
    writes the worksheet to fill in."""
    r = RULES["tia-missing"]
    for t in needing_assessment(ctx.analysis):
        if not t.unrecorded:
            continue
        flows = ", ".join(t.unrecorded)
        yield _finding(
            ctx,
            r,
            t,
            severity=r.severity,
            message=f"{_who(ctx, t)} needs a transfer impact assessment, and {flows} record"
            f"{'s' if len(t.unrecorded) == 1 else ''} none.",
            remedy="Assess the transfer (the six steps of EDPB Recommendations 01/2020: `flowatlas tia MAP` writes the "
            "worksheet) and record it on the flows: tia: {assessed, by, conclusion, review_by, document}.",
        )


@rule(
    "tia-overdue",
    "medium",
    "A transfer impact assessment past its review date",
    held_against="the assessment recorded on the transfer (its review_by date, as of the map's date)",
)
def tia_overdue(ctx: Context) -> Iterator[Finding]:
    """A recorded transfer impact assessment's ``review_by`` date has passed on the map's
    ``as_of`` date: step 6 of EDPB Recommendations 01/2020 asks to re-evaluate at appropriate
    intervals, and the assessment no longer says whether the tool is still effective."""
    r = RULES["tia-overdue"]
    on = ctx.map.as_of
    for t in needing_assessment(ctx.analysis):
        late = [a for a in t.recorded if a.review_by is not None and a.review_by < on]
        if not late:
            continue
        dates = ", ".join(sorted(str(a.review_by) for a in late))
        yield _finding(
            ctx,
            r,
            t,
            severity=r.severity,
            message=f"The transfer impact assessment of {_who(ctx, t)} was due for review on {dates}; the map is read "
            f"as of {on}.",
            remedy="Re-evaluate the transfer (the law and practice of the destination may have changed) and record the "
            "new assessment's date and review_by on the flows.",
        )


@rule(
    "tia-not-adequate",
    "high",
    "A transfer goes on although its impact assessment found the tool not effective",
    held_against="the assessment recorded on the transfer (its conclusion)",
)
def tia_not_adequate(ctx: Context) -> Iterator[Finding]:
    """The transfer impact assessment recorded on a transfer concluded ``not_adequate``: the tool
    does not protect the data in the destination and no supplementary measure closes the gap, so
    the transfer must be suspended (EDPB Recommendations 01/2020, step 4), yet the map still has
    it."""
    r = RULES["tia-not-adequate"]
    for t in needing_assessment(ctx.analysis):
        bad = [a for a in t.recorded if a.conclusion == "not_adequate"]
        if not bad:
            continue
        yield _finding(
            ctx,
            r,
            t,
            severity=r.severity,
            message=f"The transfer impact assessment of {_who(ctx, t)} ({bad[0].assessed}, {bad[0].by}) concluded "
            "that the tool is not effective, yet the transfer goes on.",
            remedy="Suspend the transfer, or put supplementary measures in place and assess again.",
        )


@rule(
    "challenged-decision",
    "info",
    "A transfer relies on a decision under legal challenge",
    held_against="the regime's adequacy decisions and the challenges they face",
)
def challenged_decision(ctx: Context) -> Iterator[Finding]:
    """A transfer relies on an adequacy decision that a court is hearing a challenge to (the
    EU-US Data Privacy Framework before the Court of Justice). The decision counts until a court
    annuls it; the finding says so, so that a fallback (standard clauses) can be ready. One per
    regime and destination."""
    r = RULES["challenged-decision"]
    m = ctx.map
    seen: dict[tuple[str, str], list[str]] = {}
    for fid, f in m.flows.items():
        facts = ctx.analysis.flow_facts[fid]
        regime = ctx.regime_of(fid)
        dest = facts.target_country or ""
        decision = regime.decisions.get(dest) if regime is not None else None
        if not facts.is_transfer or f.transfer_basis != "adequacy" or decision is None or not decision.challenge:
            continue
        judged = [v for v in ctx.verdicts[fid] if v.dimension == "safeguard" and v.item == "transfer"]
        if judged and judged[0].disclosure == "clear":
            seen.setdefault((regime.id, dest), []).append(fid)  # type: ignore[union-attr]
    for (regime_id, dest), fids in seen.items():
        regime = ctx.analysis.regimes[regime_id]
        d = regime.decisions[dest]
        f = m.flows[fids[0]]
        ends = tuple(dict.fromkeys(n for x in fids for n in (m.flows[x].source, m.flows[x].target)))
        yield Finding(
            rule=r.id,
            severity=r.severity,
            message=f"{', '.join(fids)} rel{'ies' if len(fids) == 1 else 'y'} on the {regime_id} decision for {dest} "
            f"({d.cite}), which is under legal challenge: {d.challenge}.",
            remedy="Keep relying on it while it stands, and keep a fallback ready (standard clauses with the "
            "recipient) in case a court annuls it.",
            disclosure="clear",
            dimension="safeguard",
            flows=tuple(fids),
            path=(f.source, f.target),
            types=tuple(sorted({ty for x in fids for ty in m.flows[x].types})),
            organisations=ctx.orgs(ends),
            countries=ctx.countries(ends),
            clauses=(ClauseRef(regime_id, "adequacy", d.cite or regime.cite, d.note or "adequacy decision", law=True),),
            src=f.src,
            about=("decision", regime_id, dest),
        )
