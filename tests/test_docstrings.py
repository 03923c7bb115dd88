"""The public functions and classes of the analysis, the queries and the audit carry a runnable
example (doctests run with the suite), and their docstrings read as numpydoc: sections, when a
docstring has them, are numpydoc's."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

MODULES = (
    "flowatlas.analysis",
    "flowatlas.analysis.boundaries",
    "flowatlas.analysis.facts",
    "flowatlas.analysis.graph",
    "flowatlas.analysis.policy_index",
    "flowatlas.analysis.transfer",
    "flowatlas.analysis.verdicts",
    "flowatlas.queries",
    "flowatlas.assess",
    "flowatlas.audit",
    "flowatlas.audit.rules.context",
    "flowatlas.rules",
)

#: numpydoc's section names (a heading underlined with dashes must be one of them)
NUMPYDOC = {"Parameters", "Returns", "Yields", "Raises", "See Also", "Notes", "Examples", "Attributes", "Methods",
            "Other Parameters", "Warns", "References"}  # fmt: skip


def _public(module_name: str):
    module = importlib.import_module(module_name)
    for name in getattr(module, "__all__", ()):
        obj = getattr(module, name)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module_name:
            yield f"{module_name}.{name}", obj


PUBLIC = [item for m in MODULES for item in _public(m)]


@pytest.mark.parametrize("name,obj", PUBLIC, ids=[n for n, _ in PUBLIC])
def test_every_public_function_and_class_has_a_runnable_example(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert ">>>" in doc, f"{name} has no example"
    headings = re.findall(r"^(.+)\n-{3,}$", doc, re.M)
    assert set(headings) <= NUMPYDOC, f"{name}: sections {headings}"


def test_the_analysis_explains_each_of_its_facts_with_an_example():
    from flowatlas.analysis import Analysis

    members = {k: v for k, v in vars(Analysis).items() if not k.startswith("_")}
    assert {"flow_facts", "graph", "facts", "policy_index", "verdicts", "carriers", "carrying"} <= members.keys()
    for name, member in members.items():
        assert ">>>" in (inspect.getdoc(member) or ""), name


def test_there_are_many_of_them():
    assert len(PUBLIC) > 40  # the list above is not empty by mistake
