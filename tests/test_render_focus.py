"""The overview merges parallel flows and two-way pairs; focus:NODE[:DEPTH] and
organisation:ORG draw a part of a map. On a map of our own, rendered by the real dot."""

from __future__ import annotations

import re

import pytest

from flowatlas.analysis import Analysis
from flowatlas.cli import main
from flowatlas.errors import UsageError
from flowatlas.loader import load_texts
from flowatlas.render import build_view, to_svg
from flowatlas.render.registry import view_specs

MAP = """
map: {id: shop, name: Shop, controller: shop, home: FR}
organisations:
  - {id: shop, name: Shop SAS, role: controller, jurisdiction: FR}
  - {id: pay, name: Pay Ltd, role: processor, jurisdiction: GB}
nodes:
  - {id: buyer, name: Buyer, kind: subject, subject: account-holder}
  - {id: web, name: Web shop, kind: system, owner: shop, jurisdiction: FR}
  - {id: crm, name: CRM, kind: system, owner: shop, jurisdiction: FR}
  - {id: orders, name: Orders, kind: store, owner: shop, jurisdiction: FR, retention: P1Y}
  - {id: gateway, name: Payment gateway, kind: system, owner: pay, jurisdiction: GB}
flows:
  - {id: f1, from: buyer, to: web, types: [name], purposes: [provide-service], context: registration}
  - {id: f2, from: buyer, to: web, types: [email], purposes: [provide-service], context: registration}
  - {id: f3, from: web, to: crm, types: [email], purposes: [provide-service]}
  - {id: f4, from: crm, to: web, types: [email], purposes: [provide-service]}
  - {id: f5, from: web, to: orders, types: [name, email], purposes: [provide-service]}
  - {id: f6, from: web, to: gateway, types: [payment-card], purposes: [payment], sharing_basis: on_instruction,
     transfer_basis: adequacy}
"""


@pytest.fixture(scope="module")
def m():
    return load_texts({"map.yaml": MAP})


def _edges(dot: str) -> list[str]:
    """The edge statements of a DOT source, ids unquoted (graphviz quotes only where it must)."""
    return [line.strip().replace('"', "") for line in dot.splitlines() if " -> " in line]


def test_parallel_flows_become_one_arrow_and_a_two_way_pair_one_two_headed_arrow(m):
    _, g = build_view(Analysis(m), "overview", [])
    edges = _edges(g.source)
    buyer_web = [e for e in edges if e.startswith("buyer -> web")]
    assert len(buyer_web) == 1 and "2 flows" in buyer_web[0]
    assert "flows f1, f2" in buyer_web[0]  # the tooltip lists both
    two_way = [e for e in edges if e.startswith(("web -> crm", "crm -> web"))]
    assert len(two_way) == 1 and "dir=both" in two_way[0]
    assert len(edges) == 4  # buyer-web, web-crm, web-orders, web-gateway
    svg = to_svg(g)
    assert "flows f1, f2: Buyer \u2192 Web shop" in svg


def test_focus_and_organisation_views(m):
    _, near = build_view(Analysis(m), "focus:gateway", [])
    assert [e.split(" [")[0] for e in _edges(near.source)] == ["web -> gateway"]
    assert "focus on gateway (Payment gateway), 1 flow away" in near.title
    assert "2 nodes, 1 flow" in near.title
    _, wider = build_view(Analysis(m), "focus:gateway:2", [])
    assert "5 nodes" in wider.title  # two flows away: the whole shop
    stem, org = build_view(Analysis(m), "organisation:pay", [])
    assert stem == "organisation-pay" and "1 node of pay, 1 counterpart" in org.title
    assert build_view(Analysis(m), "focus:gateway:2", [])[0] == "focus-gateway-2"
    assert not [s for s in view_specs(["email"]) if s.startswith(("focus", "organisation"))]  # only when asked


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("focus:gatway", "did you mean 'gateway'"),
        ("focus:gateway:0", "depth must be 1 to 6"),
        ("focus:gateway:two", "a number of flows"),
        ("organisation:payy", "did you mean 'pay'"),
        ("focus", "unknown view"),
    ],
)
def test_bad_parts_are_clear_errors(m, spec, says):
    with pytest.raises(UsageError, match=re.escape(says)):
        build_view(Analysis(m), spec, [])


def test_render_cli_draws_a_focus_view(tmp_path, capsys):
    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "map.yaml").write_text(MAP, "utf-8")
    assert main(["render", str(folder), "--view", "focus:web", "--format", "svg", "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "focus-web.svg").stat().st_size > 0
