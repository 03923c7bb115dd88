"""The retention rule: stores that keep data longer than the statement declares."""

from __future__ import annotations

from collections.abc import Iterator

from flowatlas.audit.rules.context import Context
from flowatlas.audit.rules.registry import RULES, rule
from flowatlas.findings import Finding
from flowatlas.model import RETENTION_WHILE_SERVICE
from flowatlas.retention import END_OF_SERVICE, Comparison, compare, term


def _exceeds(held: str, limit: str) -> bool:
    """Whether retention ``held`` exceeds ``limit`` (:func:`flowatlas.retention.compare`)."""
    return compare(term(held), term(limit)).exceeds


#: A fixed hold of at most this many days beyond a limit counted from the end of the service
#: (backup rotation, short operational logs) is reported at low severity; longer holds at medium.
SHORT_HOLD_DAYS = 366.0


@rule("retention", "medium", "Retention longer than declared", held_against="retention declarations")
def retention(ctx: Context) -> Iterator[Finding]:
    """A store keeps data longer than the declared limit, compared like with like: periods counted
    from the same event (collection, account closure or the end of the service, end of contract)
    compare their durations; a fixed timer from collection against a limit from the end of the
    service (``while_service``, ``account_closure+P30D``) can outlive it by its whole duration; an
    ``indefinite`` hold exceeds every limit. Periods from unrelated events are not compared. A
    retention declaration that names types applies per type: each type the store holds is held
    against the declarations naming it (or a broader type), else against those naming no type.
    Unless one of the store's retention purposes is covered by a declared retention exception
    (e.g. legal compliance) whose own limit, if any, is respected. A fixed hold of up to a year
    beyond a limit counted from the end of the service (backup rotation, short logs) is low: it
    still outlives the account, so the statement should say so or the store should delete on
    account closure."""
    r = RULES["retention"]
    index, m = ctx.index, ctx.map
    limits = [d for d in index.of("retention") if d.retention and not d.purposes]
    general = [d for d in limits if not d.types]
    exceptions = [d for d in index.of("retention") if d.purposes]
    if not limits:
        return
    for sid in ctx.personal_stores:
        n = m.nodes[sid]
        if n.retention is None:
            continue
        held = tuple(sorted(ctx.facts.held(sid)))
        kept = term(n.retention)
        # each type against its own limits; the first limit (strictest first) it exceeds
        over: dict[str, list[str]] = {}  # limit declaration id -> types over it
        how: dict[str, Comparison] = {}
        for t in held:
            named = [d for d in limits if d.types and index.type_match(d.types, t) != "none"]
            for d in sorted(named or general, key=lambda d: (term(d.retention or "").days, d.id)):
                c = compare(kept, term(d.retention or ""))
                if c.exceeds:
                    over.setdefault(d.id, []).append(t)
                    how[d.id] = c
                    break
        if not over:
            continue
        covering = [
            d for d in exceptions if any(m.purpose_tree.match(d.purposes, p) != "none" for p in n.retention_purposes)
        ]
        # an exception without its own limit allows any hold (the statement states no maximum)
        ok = [d for d in covering if not (d.retention and _exceeds(n.retention, d.retention))]
        if ok:
            continue
        if covering:
            why = "the retention exceptions it cites do not allow keeping it that long"
        elif n.retention_purposes:
            why = f"its retention purposes ({', '.join(n.retention_purposes)}) are not declared retention exceptions"
        else:
            why = "no retention purpose justifies the longer hold"
        parts, short = [], True
        for did in sorted(over, key=lambda i: (over[i], i)):
            limit = term(index.decl[did].retention or "")
            whose = ", ".join(over[did]) if set(over[did]) != set(held) or len(over) > 1 else ", ".join(held)
            ends = limit.event in END_OF_SERVICE and kept.event == "collection"
            short = short and ends and kept.days - limit.days <= SHORT_HOLD_DAYS
            if limit.text == RETENTION_WHILE_SERVICE and ends:
                parts.append(
                    f"{whose} on a fixed {n.retention} timer, so it can outlive the account by up to {n.retention} "
                    "after the service ends, while the statement keeps data only while the service is provided"
                )
            elif limit.text == RETENTION_WHILE_SERVICE or kept.event is None:
                parts.append(f"{whose} for {n.retention}, longer than the declared '{limit.text}'")
            else:
                parts.append(
                    f"{whose} for {n.retention}, longer than the declared '{limit.text}' "
                    f"(clause {index.decl[did].clause}; {how[did].how})"
                )
        declared = ", ".join(sorted({index.decl[d].retention or "" for d in over}))
        yield ctx.store_finding(
            r,
            sid,
            severity="low" if short else r.severity,
            types=tuple(sorted({t for ts in over.values() for t in ts})),
            decls=[*over, *(d.id for d in covering)],
            message=f"{ctx.label(sid)} keeps {'; and '.join(parts)}; {why}.",
            remedy=f"Shorten the store's retention to the declared limit ({declared}), or "
            + (
                f"record the declared exception ({ctx.cite(d.id for d in exceptions)}) that justifies the longer hold "
                "in retention_purposes."
                if exceptions
                else "declare the exception that needs the longer hold (a retention declaration naming its purposes) "
                "and record that purpose in the store's retention_purposes."
            ),
            key=sid,
        )
