"""A clustered map of 320 nodes: every view renders and no edge is lost; big overviews collapse."""

from __future__ import annotations

import pytest
from render_maps import clustered_texts
from render_svg import parse, title_lines

from flowatlas import load_texts
from flowatlas.analysis import Analysis
from flowatlas.findings import Finding
from flowatlas.render import findings_view, lineage, overview, render, summary


@pytest.fixture(scope="module")
def big():
    m = load_texts(clustered_texts(nodes=320), base_taxonomy=False)
    assert len(m.nodes) >= 300
    return m


def _findings(m) -> list[Finding]:
    fids = list(m.flows)
    return [
        Finding(
            rule=f"rule-{i % 5}",
            severity=("high", "medium", "low", "info")[i % 4],
            message="m",
            remedy="r",
            flows=(fids[i * 7],),
        )
        for i in range(40)
    ]


@pytest.mark.slow
def test_full_overview_of_a_300_node_clustered_map_draws_every_edge(big):
    got = render(overview(Analysis(big), _findings(big), max_nodes=10_000))
    svg = parse(got.svg)
    assert got.edges == len(big.flows) == len(svg["edge"])
    assert len(svg["node"]) == len(big.nodes) + 1  # + legend
    pairs = {(n.jurisdiction, n.owner) for n in big.nodes.values() if n.jurisdiction}
    jurisdictions = {j for j, _ in pairs}
    assert len(svg["cluster"]) == len(jurisdictions) + len(pairs) + 1  # + legend box


def test_every_other_view_of_the_big_map_renders_without_losing_an_edge(big):
    fs = _findings(big)
    collapsed = render(overview(Analysis(big), fs))  # 320 nodes > 40: the atlas's first page, by organisation
    assert "collapsed: 320 nodes is more than one drawing holds" in " ".join(title_lines(collapsed.svg))
    assert len(parse(collapsed.svg)["node"]) == len(big.organisations) + 2  # + subjects box + legend
    for g in (
        summary(Analysis(big), "jurisdiction", fs),
        lineage(Analysis(big), "password", fs),
        findings_view(Analysis(big), fs),
    ):
        got = render(g)
        assert got.edges == len(parse(got.svg)["edge"]) > 0
