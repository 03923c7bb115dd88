"""The rule registry: each rule registers itself with :func:`rule`, beside its code.

A rule is a function of a :class:`~flowatlas.audit.rules.context.Context` that yields
:class:`~flowatlas.findings.Finding` s; its docstring is its explanation (docs/audit.md and
``flowatlas audit --rules`` show it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flowatlas.findings import Finding, Severity

if TYPE_CHECKING:
    from flowatlas.audit.rules.context import Context

RuleFunction = Callable[["Context"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """One registered rule."""

    id: str
    severity: Severity
    title: str
    explanation: str
    func: RuleFunction
    needs_policy: bool = True
    held_against: str = ""  # what the rule holds the map against (kinds of declaration, the law)


#: Every rule, in the order the rule modules register them (the order of the docs and the CLI).
RULES: dict[str, Rule] = {}


def rule(
    rid: str, severity: Severity, title: str, *, needs_policy: bool = True, held_against: str = ""
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under ``rid``; its docstring is the explanation."""

    def deco(func: RuleFunction) -> RuleFunction:
        doc = " ".join((func.__doc__ or "").split())
        RULES[rid] = Rule(rid, severity, title, doc, func, needs_policy, held_against)
        return func

    return deco


__all__ = ["RULES", "Rule", "RuleFunction", "rule"]
