"""Every finding of a map, in one list: the audit's, and reconcile's where the map names evidence.

The report, ``flowatlas audit`` and ``flowatlas diff`` ask :func:`assess`, so a finding that the
evidence shows (the code sends data to a recipient the map does not have) counts in the headline,
in fix first, in ``--fail-on`` and in the diff like any other.

>>> from flowatlas.analysis import Analysis
>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> [f.rule for f in assess(Analysis(load_texts(EXAMPLE)))]
['cross-border-basis', 'undeclared-recipient', 'undeclared-purpose']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flowatlas.analysis import Analysis
from flowatlas.audit import RULES, audit
from flowatlas.errors import UsageError
from flowatlas.evidence import evidence_paths, read_evidence
from flowatlas.evidence.reconcile import RECONCILE_RULES, reconcile
from flowatlas.findings import Finding, sort_findings
from flowatlas.rules import Rule


def assess(
    a: Analysis,
    evidence: Sequence[str] | None = None,
    *,
    with_evidence: bool = True,
    rules: Iterable[str] | None = None,
) -> list[Finding]:
    """The findings of the map ``a`` analyses: every audit rule's, then every reconciliation
    rule's against its evidence.

    Parameters
    ----------
    a : Analysis
        The map's analysis.
    evidence : sequence of str, optional
        Evidence files or folders; by default those the map names in ``map.evidence`` (none: no
        reconciliation).
    with_evidence : bool
        False leaves the evidence out (the audit's findings alone).
    rules : iterable of str, optional
        Only these rules, audit or reconciliation ones (an unknown id raises
        :class:`~flowatlas.errors.UsageError` naming them all); the evidence is read only when one
        of them is a reconciliation rule.

    Returns
    -------
    list of Finding
        Sorted by :func:`~flowatlas.findings.sort_findings`; each id is one finding's.

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> [f.severity for f in assess(Analysis(load_texts(EXAMPLE)), rules=["cross-border-basis"])]
    ['high']
    """
    audit_rules: list[str] | None = None
    evidence_rules: list[str] | None = None
    if rules is not None:
        wanted = list(rules)
        unknown = sorted(set(wanted) - all_rules().keys())
        if unknown:
            known = ", ".join(all_rules())
            raise UsageError(f"unknown rule(s): {', '.join(unknown)} (known: {known})")
        audit_rules = [r for r in wanted if r in RULES]
        evidence_rules = [r for r in wanted if r in RECONCILE_RULES]
    found = audit(a, audit_rules)
    if with_evidence and evidence_rules != [] and (evidence or a.map.info.evidence):
        found += reconcile(a, read_evidence(evidence_paths(a.map, evidence)), evidence_rules)
    return sort_findings(found)


def all_rules() -> dict[str, Rule]:
    """Every rule flowatlas has, by id: the audit's, then reconcile's (:class:`flowatlas.rules.Rule`).

    >>> rules = all_rules()
    >>> rules["onward-transfer"].family, rules["evidence-leakage"].family
    ('audit', 'evidence')
    """
    return {**RULES, **RECONCILE_RULES}


__all__ = ["all_rules", "assess"]
