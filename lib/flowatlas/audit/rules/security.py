"""The security rule: declared measures the map contradicts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flowatlas.audit.rules.context import Context
from flowatlas.audit.rules.registry import RULES, rule
from flowatlas.findings import Finding, Severity


@rule("security-contradicted", "high", "Declared security measure contradicted", held_against="security declarations")
def security_contradicted(ctx: Context) -> Iterator[Finding]:
    """A declared security measure is contradicted by the map: a type declared under password
    encryption, or any sensitive type, travels over a flow marked encrypted: false or sits in a
    store marked encrypted_at_rest: false (only stated facts count: unknown is not reported). With
    encryption in transit or at rest declared, the personal data that declaration covers (its
    types, or all types if it names none) over unencrypted flows or in unencrypted stores is
    reported too (medium)."""
    r = RULES["security-contradicted"]
    index, m = ctx.index, ctx.map
    if not index.of("security"):
        return
    in_transit = index.measures.get("encryption_in_transit", [])
    at_rest = index.measures.get("encryption_at_rest", [])
    pw_decls = index.measures.get("password_encryption", [])
    all_sec = [d.id for d in index.of("security")]

    def covering(decl_ids: list[str], t: str) -> list[str]:
        """The declarations among ``decl_ids`` whose types (if any) cover ``t``."""
        anc = m.type_tree.ancestors(t)
        return [i for i in decl_ids if not index.decl[i].types or any(a in index.decl[i].types for a in anc)]

    def classify_types(types: Iterable[str], declared: list[str]) -> tuple[list[str], list[str], Severity]:
        hit: list[str] = []
        decls: set[str] = set()
        high = False
        for t in sorted(set(types)):
            promised = covering(declared, t)
            if index.is_password(t):
                hit.append(t)
                decls.update(covering(pw_decls, t) + promised)
                high = True
            elif index.sensitive(t):
                hit.append(t)
                decls.update(promised or all_sec)
                high = True
            elif promised:
                hit.append(t)
                decls.update(promised)
        return hit, sorted(decls), "high" if high else "medium"

    for f in m.flows.values():
        if f.encrypted:
            continue
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
        types, decls, sev = classify_types(ctx.facts.held(sid), at_rest)
        if not types:
            continue
        yield ctx.store_finding(
            r,
            sid,
            severity=sev,
            types=tuple(types),
            decls=decls,
            message=f"{ctx.label(sid)} keeps {', '.join(types)} unencrypted at rest, contradicting the security "
            "measures the statement declares (e.g. password encryption).",
            remedy="Encrypt the store at rest (hash passwords with a password hashing function), or stop storing "
            "these types there.",
            key="at_rest",
        )
