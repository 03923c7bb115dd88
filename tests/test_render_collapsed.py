"""The collapsed overview of a synthetic 1,000-node map: aggregated arrows, bounded text, no edge lost."""

from __future__ import annotations

import re

import pytest
from render_svg import parse, title_lines

from flowatlas import load_texts
from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.render import lineage, overview, render, source
from flowatlas.render.views import MAX_SUMMARY_EDGES, QUICK_LAYOUT_EDGES
from flowatlas.synth import synth_texts

FLOWS = re.compile(r"^(\d+) flows? · (\d+) types?$")


@pytest.fixture(scope="module")
def big():
    m = load_texts(synth_texts(nodes=1000, flows=4000, types=60, seed=1))
    return m, audit(Analysis(m))


def _pairs(m, key) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for f in m.flows.values():
        a, b = key(m.nodes[f.source]), key(m.nodes[f.target])
        if a != b:
            out[(a, b)] = out.get((a, b), 0) + 1
    return out


def _flow_counts(edges) -> dict[tuple[str, str], int]:
    """``{(a, b): flows}`` read back from the arrows' titles and labels in the SVG."""
    out = {}
    for e in edges:
        a, _, b = e.title.partition("->")
        counts = [int(x.group(1)) for t in e.texts if (x := FLOWS.match(t))]
        assert len(counts) == 1, e.texts
        out[(a, b)] = counts[0]
    return out


def test_collapsed_overview_of_1000_nodes_draws_one_arrow_per_pair_of_jurisdictions(big):
    m, fs = big
    by_org = _pairs(m, lambda n: n.owner or "~subjects")
    assert len({n.owner for n in m.nodes.values()}) <= 150 < len(m.nodes)
    assert len(by_org) > MAX_SUMMARY_EDGES  # too many arrows between organisations: by jurisdiction
    g = overview(Analysis(m), fs)
    assert g.name == "summary-jurisdiction"
    got = render(g)
    svg = parse(got.svg)
    title = " ".join(title_lines(got.svg))
    assert "collapsed: 1000 nodes is more than max_nodes=150, so this is the summary by jurisdiction" in title
    assert f"{len(by_org)} arrows between organisations would be more than {MAX_SUMMARY_EDGES}" in title
    by_jur = _pairs(m, lambda n: n.jurisdiction or "~unlocated")
    assert got.edges == len(svg["edge"]) == len(by_jur)
    assert _flow_counts(svg["edge"]) == by_jur  # each arrow stands for exactly its flows
    # no label or tooltip grows with the map: the biggest box (home) lists 8 nodes and "+K more"
    home = next(x for x in svg["node"] if x.title == m.home)
    n_home = sum(1 for n in m.nodes.values() if n.jurisdiction == m.home)
    assert f"nodes ({n_home}): " in home.tooltip and f" +{n_home - 8} more nodes" in home.tooltip
    assert max(len(x.tooltip) for kind in ("node", "edge") for x in svg[kind]) < 4000
    assert source(overview(Analysis(m), fs)) == source(g)


def test_collapsed_overview_by_organisation_with_many_arrows_uses_the_quick_layout_and_keeps_every_arrow():
    m = load_texts(synth_texts(nodes=300, flows=1200, types=60, seed=1))
    by_org = _pairs(m, lambda n: n.owner or "~subjects")
    assert QUICK_LAYOUT_EDGES < len(by_org) <= MAX_SUMMARY_EDGES
    g = overview(Analysis(m), audit(Analysis(m)))
    assert g.name == "summary-organisation"
    assert "splines=line" in source(g)
    got = render(g)
    svg = parse(got.svg)
    assert "layout: dot, straight edges, fewer crossing passes" in " ".join(title_lines(got.svg))
    assert got.edges == len(svg["edge"]) == len(by_org)
    assert _flow_counts(svg["edge"]) == by_org


def test_a_lineage_too_large_to_draw_is_the_summary_of_its_own_flows(big):
    """A lineage of hundreds of places is summarised like the overview, but of its own flows
    alone: each arrow stands for exactly the lineage's flows between two boxes, and the file
    keeps the lineage's name."""
    m, fs = big
    a = Analysis(m)
    tid = max(m.types, key=lambda t: len(a.carrying(t)) if m.types[t].parent else -1)
    fids = set(a.carrying(tid))
    places = {e for f in fids for e in (m.flows[f].source, m.flows[f].target)}
    assert len(places) > 150  # more than max_nodes: collapsed
    g = lineage(a, tid, fs)
    assert g.name == f"lineage-{tid}"
    got = render(g)
    title = " ".join(title_lines(got.svg))
    assert f"lineage of {tid}" in title and f"reaches {len(places)} places by {len(fids)} flows" in title
    by = "organisation" if "summary by organisation" in title else "jurisdiction"
    key = (lambda n: n.owner or "~subjects") if by == "organisation" else (lambda n: n.jurisdiction or "~unlocated")
    want: dict[tuple[str, str], int] = {}
    for f in fids:
        x, y = key(m.nodes[m.flows[f].source]), key(m.nodes[m.flows[f].target])
        if x != y:
            want[(x, y)] = want.get((x, y), 0) + 1
    assert _flow_counts(parse(got.svg)["edge"]) == want  # the lineage's flows, none of the others
    small = lineage(a, tid, fs, max_nodes=len(places))  # raised: node by node again
    assert "collapsed" not in " ".join(small.title.splitlines())


def test_the_legend_explains_only_what_the_drawing_holds():
    """100 nodes and 1,000 flows: under the collapse threshold, laid out by sfdp, which draws no
    country boxes; the legend then says so instead of explaining green and red boxes. A map dot
    lays out with its country boxes keeps those rows."""
    m = load_texts(synth_texts(nodes=100, flows=1000, types=60, seed=1))
    got = render(overview(Analysis(m), audit(Analysis(m))))
    assert got.attempt.engine == "sfdp" and 'class="cluster"' not in got.svg
    assert "green box" not in got.svg and "red box" not in got.svg and "not drawn as boxes" in got.svg
    small = load_texts(synth_texts(nodes=20, flows=40, types=10, seed=1))
    drawn = render(overview(Analysis(small), audit(Analysis(small))))
    assert drawn.attempt.engine == "dot" and "green box" in drawn.svg and "not drawn as boxes" not in drawn.svg
