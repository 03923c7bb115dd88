"""The retention rule: stores that keep data longer than the statement declares."""

from __future__ import annotations

from collections.abc import Iterator

from flowatlas.atlas import retention_days
from flowatlas.audit.rules.context import Context
from flowatlas.audit.rules.registry import RULES, rule
from flowatlas.findings import Finding
from flowatlas.model import RETENTION_WHILE_SERVICE


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


@rule("retention", "medium", "Retention longer than declared", held_against="retention declarations")
def retention(ctx: Context) -> Iterator[Finding]:
    """A store keeps data longer than the declared limit: a fixed duration (or indefinite) where the
    statement keeps data only while the service is provided, or a duration beyond a declared fixed
    limit, unless one of the store's retention purposes is covered by a declared retention
    exception (e.g. legal compliance) whose own limit, if any, is respected. A fixed hold of up to
    a year under a "while the service is provided" limit (backup rotation, short logs) is low: it
    still outlives the account, so the statement should say so or the store should delete on
    account closure."""
    r = RULES["retention"]
    index, m = ctx.index, ctx.map
    limits = [d for d in index.of("retention") if d.retention and not d.purposes]
    exceptions = [d for d in index.of("retention") if d.purposes]
    if not limits:
        return
    for sid in ctx.personal_stores:
        n = m.nodes[sid]
        held = tuple(sorted(ctx.facts.held(sid)))
        applicable = [d for d in limits if not d.types or index.types_cover(d.types, held) != "none"]
        if not applicable or n.retention is None:
            continue
        values = {d.retention for d in applicable if d.retention}
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
        yield ctx.store_finding(
            r,
            sid,
            severity="low" if short else r.severity,
            types=held,
            decls=[*lim_ids, *(d.id for d in covering)],
            message=f"{ctx.label(sid)} keeps {', '.join(held)} {held_for}; {why}.",
            remedy="Shorten the store's retention to the declared limit (delete on account closure), or record the "
            f"declared exception ({ctx.cite(d.id for d in exceptions)}) that justifies the longer hold in "
            "retention_purposes.",
            key=sid,
        )
