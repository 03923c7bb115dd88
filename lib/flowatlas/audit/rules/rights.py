"""The rights rule: stores that erase and export requests do not reach."""

from __future__ import annotations

from collections.abc import Iterator

from flowatlas.audit.rules.context import Context
from flowatlas.audit.rules.registry import RULES, rule
from flowatlas.findings import Finding


@rule("rights-gap", "medium", "Rights gap: a store that requests do not reach", held_against="right declarations")
def rights_gap(ctx: Context) -> Iterator[Finding]:
    """The statement offers erasure (or access/portability) but a store holding personal data of the
    subjects the right is offered to is not reached by erase (or export) requests: erase/export
    false, or not stated. Backups and replicas count: an erase request must reach them too."""
    r = RULES["rights-gap"]
    index, m = ctx.index, ctx.map
    checks = (("erase", ("erasure",)), ("export", ("access", "portability")))
    for sid in ctx.personal_stores:
        n = m.nodes[sid]
        subjects = ctx.facts.subjects_at(sid)
        missing, decls = [], []
        for attr, rights in checks:
            if getattr(n, attr) is True:
                continue
            ids = [
                i
                for right in rights
                for i in index.rights.get(right, [])
                if not index.decl[i].subjects
                or any(
                    m.subject_tree.covers(s, x) or m.subject_tree.covers(x, s)
                    for s in index.decl[i].subjects
                    for x in subjects
                )
            ]
            if ids:
                state = "false" if getattr(n, attr) is False else "not stated"
                missing.append(f"{attr} requests ({state})")
                decls.extend(ids)
        if not missing:
            continue
        yield ctx.store_finding(
            r,
            sid,
            severity=r.severity,
            types=tuple(sorted(ctx.facts.held(sid))),
            decls=decls,
            message=f"{ctx.label(sid)} holds personal data ({', '.join(sorted(subjects)) or 'unknown subjects'}) "
            f"but is not reached by {' or '.join(missing)}, while the statement offers these rights.",
            remedy="Wire the store into the erase/export request handling (and record erase/export: true), or stop "
            "keeping personal data there.",
            key=sid,
        )
