"""The audit: hold every flow of a map against its privacy policy and report what it does not cover.

>>> from flowatlas import load_map                                     # doctest: +SKIP
>>> from flowatlas.audit import audit, findings_frame, undeclared_transfers  # doctest: +SKIP
>>> found = audit(load_map("dataflows/absoloop"))                      # doctest: +SKIP
>>> findings_frame(found).groupby("rule").size()                       # doctest: +SKIP
>>> undeclared_transfers(found)                                        # doctest: +SKIP

Semantics: DESIGN.md "Undeclared transfers"; rule list and regimes: docs/audit.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from flowatlas import analysis as _analysis  # a module: Analysis reads the audit's modules in turn
from flowatlas.atlas import Map
from flowatlas.audit.disclosure import (
    Verdict,
    Verdicts,
    classify,
    disclosure_frame,
    policy_index,
    resolve_policy,
    worst,
)
from flowatlas.audit.rules import RULES, Context, Rule
from flowatlas.errors import UsageError
from flowatlas.findings import UNDECLARED, Finding, findings_table, is_undeclared_transfer, sort_findings
from flowatlas.gcpause import gc_paused
from flowatlas.model import Policy
from flowatlas.regimes import Regime, check_basis, regime_for, regimes


def audit(
    m: Map | _analysis.Analysis, policy: str | Policy | None = None, rules: Iterable[str] | None = None
) -> list[Finding]:
    """Run the rules (all, or those named) on ``m`` against ``policy`` (default: the map's policy).

    ``m`` is a map or an :class:`~flowatlas.analysis.Analysis` (whose graph, facts and verdicts
    are then reused). Without a policy only the rules that need none (model hygiene) run.
    Returns findings sorted by :func:`~flowatlas.findings.sort_findings`; ids are stable under
    file and record order. Raises :class:`~flowatlas.errors.UsageError` for an unknown rule or
    policy.

    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> sorted({f.rule for f in audit(load_texts(EXAMPLE))})
    ['cross-border-basis', 'undeclared-purpose', 'undeclared-recipient']
    """
    selected = select_rules(rules)
    if isinstance(m, _analysis.Analysis):
        a = m if policy is None else _analysis.Analysis(m.map, policy)
    else:
        a = _analysis.Analysis(m, policy)
    # The audit allocates many small acyclic objects next to a large live map: cyclic garbage
    # collection passes would walk the whole map again and again for nothing.
    with gc_paused():
        ctx = Context(a)
        seen: dict[str, Finding] = {}
        for r in selected:
            if r.needs_policy and a.policy is None:
                continue
            for f in r.func(ctx):
                seen.setdefault(f.id, f)
        return sort_findings(list(seen.values()))


def select_rules(rules: Iterable[str] | None) -> list[Rule]:
    """The rules named (registry order), or all; unknown ids raise UsageError."""
    if rules is None:
        return list(RULES.values())
    wanted = list(rules)
    unknown = sorted(set(wanted) - set(RULES))
    if unknown:
        raise UsageError(f"unknown rule(s): {', '.join(unknown)} (known: {', '.join(RULES)})")
    return [r for rid, r in RULES.items() if rid in wanted]


def undeclared_transfers(findings: Iterable[Finding]) -> list[str]:
    """Ids of the flows that are undeclared transfers, sorted."""
    return sorted({fid for f in findings if is_undeclared_transfer(f) for fid in f.flows})


def findings_frame(findings: Iterable[Finding]):
    """The findings as a pandas DataFrame, one row each, most severe first: the layout of
    ``findings.csv`` (:func:`flowatlas.findings.findings_table`), with column ``undeclared``."""
    return findings_table(findings)


def rules_frame():
    """The rule registry as a DataFrame: id, severity, title, what it is held against, explanation."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "id": r.id,
                "severity": r.severity,
                "title": r.title,
                "held_against": r.held_against,
                "explanation": r.explanation,
            }
            for r in RULES.values()
        ]
    )


__all__ = [
    "RULES",
    "UNDECLARED",
    "Context",
    "Finding",
    "Regime",
    "Rule",
    "Verdict",
    "Verdicts",
    "audit",
    "check_basis",
    "classify",
    "disclosure_frame",
    "findings_frame",
    "is_undeclared_transfer",
    "policy_index",
    "regime_for",
    "regimes",
    "resolve_policy",
    "rules_frame",
    "select_rules",
    "undeclared_transfers",
    "worst",
]
