"""The one :class:`Rule` type, and the registries the audit and reconcile keep their rules in.

A rule is a function that reads a context (the audit's :class:`~flowatlas.audit.rules.Context`,
or reconcile's :class:`~flowatlas.evidence.reconcile.Reconciliation`) and yields
:class:`~flowatlas.findings.Finding` s; it registers itself, beside its code, with the
:meth:`Registry.rule` decorator of its family. Its docstring is its explanation (docs/audit.md,
``flowatlas audit --rules``, SARIF rule descriptors).

>>> checks = Registry("example")
>>> @checks.rule("no-flows", "low", "A map with no flow")
... def no_flows(m):
...     '''Nothing flows: the map is empty.'''
...     return []
>>> checks["no-flows"].family, checks["no-flows"].explanation
('example', 'Nothing flows: the map is empty.')
>>> [r.id for r in checks.select(["no-flows"])]
['no-flows']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flowatlas.errors import UsageError
from flowatlas.findings import Finding, Severity

RuleFunction = Callable[[Any], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """One registered rule, of the audit or of reconcile (its ``family``).

    Examples
    --------
    >>> from flowatlas.audit import RULES
    >>> r = RULES["cross-border-basis"]
    >>> r.family, r.severity, r.title
    ('audit', 'high', 'Cross-border transfer without a valid basis')
    """

    id: str
    severity: Severity  # the severity of its main case; documented cases raise or lower it
    title: str
    explanation: str
    func: RuleFunction
    family: str  # "audit" | "evidence": which registry holds it, and what it reads
    needs_policy: bool = True
    held_against: str = ""  # what the rule holds the map against (kinds of declaration, the law, evidence)


class Registry(dict[str, Rule]):
    """``{rule id: Rule}`` of one family, in the order the rules register.

    Examples
    --------
    >>> from flowatlas.evidence.reconcile import RECONCILE_RULES
    >>> RECONCILE_RULES.family, next(iter(RECONCILE_RULES))
    ('evidence', 'evidence-unmapped-recipient')
    """

    def __init__(self, family: str) -> None:
        super().__init__()
        self.family = family

    def rule(
        self, rid: str, severity: Severity, title: str, *, needs_policy: bool = True, held_against: str = ""
    ) -> Callable[[RuleFunction], RuleFunction]:
        """Register the decorated function as rule ``rid``; its docstring is the explanation."""

        def deco(func: RuleFunction) -> RuleFunction:
            doc = " ".join((func.__doc__ or "").split())
            self[rid] = Rule(rid, severity, title, doc, func, self.family, needs_policy, held_against)
            return func

        return deco

    def select(self, rules: Iterable[str] | None) -> list[Rule]:
        """The rules named (in registry order), or all; an unknown id raises
        :class:`~flowatlas.errors.UsageError` listing the known ones."""
        if rules is None:
            return list(self.values())
        wanted = set(rules)
        unknown = sorted(wanted - self.keys())
        if unknown:
            raise UsageError(f"unknown rule(s): {', '.join(unknown)} (known: {', '.join(self)})")
        return [r for rid, r in self.items() if rid in wanted]


def rules_markdown(rules: Iterable[Rule]) -> str:
    """The rules as the docs' Markdown table: id, default severity, what it checks (its
    explanation), what it is held against. ``docs/audit.md`` and ``docs/evidence.md`` hold it
    (``python tools/docs.py`` writes it; a test fails when they differ).

    >>> r = Rule("r-1", "low", "T", "Checks ``x``.", lambda c: [], "audit", held_against="the map")
    >>> print(rules_markdown([r]))
    | id | default severity | what it checks | held against |
    | --- | --- | --- | --- |
    | `r-1` | low | Checks `x`. | the map |
    """
    rows = ["| id | default severity | what it checks | held against |", "| --- | --- | --- | --- |"]
    for r in rules:
        text = r.explanation.replace("``", "`").replace("|", "\\|")
        rows.append(f"| `{r.id}` | {r.severity} | {text} | {r.held_against} |")
    return "\n".join(rows)


__all__ = ["Registry", "Rule", "RuleFunction", "rules_markdown"]
