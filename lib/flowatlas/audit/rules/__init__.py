"""The audit rules: small, independent functions in a registry, one module per family.

Each rule has an id, a default severity, a title and a one-paragraph explanation (its docstring);
it takes a :class:`~flowatlas.audit.rules.context.Context` and yields
:class:`~flowatlas.findings.Finding` s. Rules use only the structure of a map (roles, countries,
node kinds, hierarchies, declaration kinds), never its ids.

Severity: a rule's default severity applies to its main case; ``vague`` disclosures are reported
once per (item, deciding declarations) at ``info``; some rules raise or lower it per case (e.g.
collection of a sensitive type is ``high``); every such case is documented in docs/audit.md.

To add a rule: write it in the module of its family (or a new one), decorated with
:func:`~flowatlas.audit.rules.registry.rule`, and import that module below (the registry line).
"""

# The registry line of each rule module, in the order the rules are listed (docs, CLI, reports).
# isort: off
from flowatlas.audit.rules import disclosures  # noqa: F401 - importing a rule module registers its rules
from flowatlas.audit.rules import locations  # noqa: F401
from flowatlas.audit.rules import assessments  # noqa: F401
from flowatlas.audit.rules import retention  # noqa: F401
from flowatlas.audit.rules import prohibitions  # noqa: F401
from flowatlas.audit.rules import security  # noqa: F401
from flowatlas.audit.rules import rights  # noqa: F401
from flowatlas.audit.rules import declarations  # noqa: F401
from flowatlas.audit.rules import hygiene  # noqa: F401

# isort: on
from flowatlas.audit.rules.context import Context, distinct
from flowatlas.audit.rules.registry import RULES, Rule, rule

__all__ = ["RULES", "Context", "Rule", "distinct", "rule"]
