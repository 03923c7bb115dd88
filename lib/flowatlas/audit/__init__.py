"""The audit: hold every flow of a map against its privacy policy and report what it does not cover.

>>> from flowatlas import load_map                                     # doctest: +SKIP
>>> from flowatlas.analysis import Analysis                            # doctest: +SKIP
>>> from flowatlas.audit import audit, findings_frame, undeclared_transfers  # doctest: +SKIP
>>> found = audit(Analysis(load_map("dataflows/absoloop")))            # doctest: +SKIP
>>> findings_frame(found).groupby("rule").size()                       # doctest: +SKIP
>>> undeclared_transfers(found)                                        # doctest: +SKIP

Semantics: DESIGN.md "Undeclared transfers"; rule list and regimes: docs/audit.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from flowatlas.analysis import Analysis
from flowatlas.analysis.verdicts import Verdict, Verdicts
from flowatlas.audit.rules import RULES, Context, Rule
from flowatlas.findings import UNDECLARED, Finding, distinct_ids, findings_table, is_undeclared_transfer, sort_findings
from flowatlas.gcpause import gc_paused


def audit(a: Analysis, rules: Iterable[str] | None = None) -> list[Finding]:
    """Run the rules (all, or those named) on the analysis ``a`` of a map and its policy.

    Parameters
    ----------
    a : Analysis
        The map's analysis (:class:`~flowatlas.analysis.Analysis`): its graph, facts and verdicts
        are what the rules read. Hold the map against another of its policies with
        ``audit(Analysis(m, policy))``.
    rules : iterable of str, optional
        Rule ids; by default every registered rule. An unknown id raises
        :class:`~flowatlas.errors.UsageError`. Without a policy only the rules that need none
        (model hygiene) run.

    Returns
    -------
    list of Finding
        Sorted by :func:`~flowatlas.findings.sort_findings`; ids are stable under file and
        record order, and each id is one finding's.

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> found = audit(Analysis(load_texts(EXAMPLE)))
    >>> sorted({f.rule for f in found})
    ['cross-border-basis', 'undeclared-purpose', 'undeclared-recipient']
    """
    selected = select_rules(rules)
    # The audit allocates many small acyclic objects next to a large live map: cyclic garbage
    # collection passes would walk the whole map again and again for nothing.
    with gc_paused():
        ctx = Context(a)
        found: list[Finding] = []
        for r in selected:
            if r.needs_policy and a.policy is None:
                continue
            found.extend(r.func(ctx))
        return sort_findings(distinct_ids(found))


def select_rules(rules: Iterable[str] | None) -> list[Rule]:
    """The audit rules named (registry order), or all; unknown ids raise UsageError.

    >>> [r.id for r in select_rules(["onward-transfer", "model-hygiene"])]
    ['onward-transfer', 'model-hygiene']
    """
    return RULES.select(rules)


def undeclared_transfers(findings: Iterable[Finding]) -> list[str]:
    """Ids of the flows that are undeclared transfers (:func:`~flowatlas.findings.is_undeclared_transfer`),
    sorted.

    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> undeclared_transfers(audit(Analysis(load_texts(EXAMPLE))))
    ['f-mail']
    """
    return sorted({fid for f in findings if is_undeclared_transfer(f) for fid in f.flows})


def findings_frame(findings: Iterable[Finding]):
    """The findings as a pandas DataFrame, one row each, most severe first: the layout of
    ``findings.csv`` (:func:`flowatlas.findings.findings_table`), with column ``undeclared``.

    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> findings_frame(audit(Analysis(load_texts(EXAMPLE))))[["rule", "severity"]].values.tolist()
    [['cross-border-basis', 'high'], ['undeclared-recipient', 'high'], ['undeclared-purpose', 'medium']]
    """
    return findings_table(findings)


def rules_frame():
    """The rule registry as a DataFrame: id, severity, title, what it is held against, explanation.

    >>> rules_frame().loc[0, "id"]
    'undeclared-collection'
    """
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
    "Analysis",
    "Context",
    "Finding",
    "Rule",
    "Verdict",
    "Verdicts",
    "audit",
    "findings_frame",
    "is_undeclared_transfer",
    "rules_frame",
    "select_rules",
    "undeclared_transfers",
]
