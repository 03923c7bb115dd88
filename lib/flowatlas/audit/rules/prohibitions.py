"""Rules on what the statement rules out: storing a type, holding data outside a region.

Prohibitions of use ("we never use T for P") and of sale ("we never sell your data") decide the
purpose and recipient dimensions of each flow (:mod:`flowatlas.analysis.verdicts`), so
``undeclared-purpose`` and ``undeclared-recipient`` report them, as incorrect, with the
prohibition's clause.
"""

from __future__ import annotations

from collections.abc import Iterator

from flowatlas.audit.rules.context import Context
from flowatlas.audit.rules.registry import RULES, rule
from flowatlas.findings import Finding


@rule("prohibited-storage", "high", "A store keeps what the statement says is not kept", held_against="prohibitions")
def prohibited_storage(ctx: Context) -> Iterator[Finding]:
    """A store (backups and replicas included) holds an information type, or a narrower one, that
    a prohibition of storage names ("we do not record your consultations"): incorrect, high, with
    the prohibition's clause and quote."""
    r = RULES["prohibited-storage"]
    if not ctx.index.prohibited.get("storage"):
        return
    for sid in ctx.personal_stores:
        types, decls = ctx.index.storage_prohibited(tuple(sorted(ctx.facts.held(sid))))
        if not types:
            continue
        quotes = "; ".join(f'clause {ctx.index.decl[i].clause}: "{ctx.index.decl[i].quote}"' for i in decls)
        yield ctx.store_finding(
            r,
            sid,
            types=types,
            decls=decls,
            message=f"{ctx.label(sid)} (owned by {ctx.map.nodes[sid].owner}) keeps {', '.join(types)}, "
            f"which the statement says is not kept ({quotes}).",
            remedy=f"Stop storing {', '.join(types)} in {ctx.label(sid)} (or keep it only transiently and "
            f"say so), or correct the statement ({ctx.cite(decls)}) and notify users.",
            key="prohibited-storage",
            dimension="type",
        )


@rule(
    "prohibited-location",
    "high",
    "Data held outside the places the statement says it never leaves",
    held_against="prohibitions",
)
def prohibited_location(ctx: Context) -> Iterator[Finding]:
    """A flow brings information types into a system or store in a country outside the places a
    prohibition of location lists ("your data never leaves the European Union"), whether or not
    the flow is a transfer under the regime: incorrect, high."""
    r = RULES["prohibited-location"]
    for fid, bad in ctx.bad("location").items():
        v = next((v for v in bad if v.disclosure == "incorrect"), None)
        if v is None or not all(ctx.index.decl[i].kind == "prohibition" for i in v.declarations):
            continue
        f = ctx.map.flows[fid]
        yield ctx.flow_finding(
            r,
            f,
            disclosure="incorrect",
            dimension="location",
            types=f.types,
            decls=v.declarations,
            message=f"Flow {f.id} takes data from {ctx.label(f.source)} to {ctx.label(f.target)} in {v.item}: "
            f"{v.reason}.",
            remedy=f"Keep the data inside the promised area (move {ctx.label(f.target)}), or correct the "
            f"statement ({ctx.cite(v.declarations)}) and notify users before the change.",
            key="prohibited-location",
        )
