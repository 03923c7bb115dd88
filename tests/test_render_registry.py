"""The view registry drives build_view, the CLI's --view help and checks, and the notebook's views."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowatlas.analysis import Analysis
from flowatlas.errors import UsageError
from flowatlas.examples import EXAMPLE
from flowatlas.loader import load_texts
from flowatlas.render import build_view
from flowatlas.render.diagram import Diagram
from flowatlas.render.registry import VIEW_REGISTRY, View, register, view_help, view_specs
from flowatlas.report.views import diagram_specs

DOCS = Path(__file__).resolve().parents[1] / "docs" / "diagrams.md"


def test_every_registered_view_builds_with_its_stem():
    m = load_texts(EXAMPLE)
    stems = [build_view(Analysis(m), spec)[0] for spec in view_specs(["email"])]
    assert stems == ["overview", "lineage-email", "findings", "summary-organisation", "summary-jurisdiction"]
    assert list(VIEW_REGISTRY) == ["overview", "lineage", "findings", "summary", "focus", "organisation"]


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        (
            "nope",
            "expected one of overview | lineage:TYPE | findings | summary[:organisation|:jurisdiction] | "
            "focus:NODE[:DEPTH] | organisation:ORG",
        ),
        ("lineage", "expected one of"),  # lineage needs a type
        ("overview:x", "expected one of"),  # overview takes no parameter
        ("summary:country", "summary takes organisation or jurisdiction"),
    ],
)
def test_a_spec_the_registry_does_not_know_is_refused_with_the_list(spec, says):
    with pytest.raises(UsageError, match=says.replace("|", r"\|").replace("[", r"\[").replace("]", r"\]")):
        build_view(Analysis(load_texts(EXAMPLE)), spec)


def test_a_new_view_is_one_registration_away(capsys):
    """Registering a view makes build_view, the CLI's help and the notebook's list know it."""
    from flowatlas.cli import build_parser

    def draw(m, arg, findings, *, max_nodes, provenance):
        return Diagram(name=f"nodes-{arg or 'all'}")

    register(View("nodes", "every node on its own", draw=draw, parameter="KIND", choices=("all", "stores"), rank=99))
    try:
        assert build_view(Analysis(load_texts(EXAMPLE)), "nodes:stores")[0] == "nodes-stores"
        assert "nodes[:all|:stores]" in view_help()
        specs = diagram_specs(Analysis(load_texts(EXAMPLE)))
        assert "nodes" in specs and "nodes:stores" in specs
        with pytest.raises(SystemExit):
            build_parser().parse_args(["render", "--help"])
        assert "nodes[:all|:stores]" in capsys.readouterr().out.replace("\n", "").replace(" ", "")
    finally:
        del VIEW_REGISTRY["nodes"]


def test_the_docs_name_every_registered_view():
    text = DOCS.read_text(encoding="utf-8")
    for v in VIEW_REGISTRY.values():
        assert f"`{v.id}" in text, v.id
