"""The audit's rule registry: each rule registers itself with :func:`rule`, beside its code.

A rule is a function of a :class:`~flowatlas.audit.rules.context.Context` that yields
:class:`~flowatlas.findings.Finding` s (:class:`flowatlas.rules.Rule`, the type reconcile's
rules share); its docstring is its explanation (docs/audit.md and ``flowatlas audit --rules``
show it).
"""

from __future__ import annotations

from flowatlas.rules import Registry, Rule, RuleFunction

#: Every audit rule, in the order the rule modules register them (the order of the docs and the CLI).
RULES = Registry("audit")

#: The decorator that registers an audit rule: ``@rule(id, severity, title, held_against=...)``.
rule = RULES.rule

__all__ = ["RULES", "Rule", "RuleFunction", "rule"]
