"""The collapsed overview of a synthetic 1,000-node map: aggregated arrows, bounded text, no edge lost."""

from __future__ import annotations

import re

import pytest
from render_svg import parse, title_lines

from flowatlas import load_texts
from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.render import build_view, lineage, overview, render, source
from flowatlas.render.parts import MAX_DRAWN_ARROWS
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


def _strongest(pairs: dict[tuple[str, str], int], drawn: dict[tuple[str, str], int]) -> None:
    """``drawn`` holds at most MAX_DRAWN_ARROWS of ``pairs``, each with exactly its flows, and no
    pair left out stands for more flows than one drawn."""
    assert len(drawn) == min(len(pairs), MAX_DRAWN_ARROWS)
    assert all(pairs[p] == k for p, k in drawn.items())  # each arrow stands for exactly its flows
    left = [k for p, k in pairs.items() if p not in drawn]
    assert not left or max(left) <= min(drawn.values())


def test_collapsed_overview_of_1000_nodes_is_the_atlas_first_page_by_jurisdiction(big):
    m, fs = big
    by_org = _pairs(m, lambda n: n.owner or "~subjects")
    assert len(by_org) > MAX_DRAWN_ARROWS  # too many arrows between organisations: by jurisdiction
    g = overview(Analysis(m), fs)
    assert g.name == "overview" and g.opens == "atlas"
    got = render(g)
    svg = parse(got.svg)
    title = " ".join(title_lines(got.svg))
    assert "collapsed: 1000 nodes is more than one drawing holds (max_nodes=40, 120 arrows)" in title
    assert "so this is the map by jurisdiction" in title
    n_orgs = len({n.owner or "~subjects" for n in m.nodes.values()})
    assert f"({n_orgs} organisation boxes would be more than 40)" in title
    by_jur = _pairs(m, lambda n: n.jurisdiction or "~unlocated")
    assert got.edges == len(svg["edge"])
    _strongest(by_jur, _flow_counts(svg["edge"]))
    # each country's box opens its page of the atlas
    home = next(x for x in svg["node"] if x.title == m.home)
    assert f'xlink:href="atlas/country-{m.home}.html"' in got.svg
    n_home = sum(1 for n in m.nodes.values() if n.jurisdiction == m.home)
    assert f"nodes ({n_home}): " in home.tooltip and f" +{n_home - 8} more nodes" in home.tooltip
    # no label or tooltip grows with the map
    assert max(len(x.tooltip) for kind in ("node", "edge") for x in svg[kind]) < 4000
    assert source(overview(Analysis(m), fs)) == source(g)


def test_raising_max_nodes_draws_the_map_node_by_node_again():
    m = load_texts(synth_texts(nodes=100, flows=300, types=30, seed=1))
    assert overview(Analysis(m)).opens == "atlas"
    full = overview(Analysis(m), max_nodes=len(m.nodes))
    assert full.opens == "" and "collapsed" not in full.title


def test_a_lineage_too_large_to_draw_is_the_summary_of_its_own_flows(big):
    """A lineage of hundreds of places is summarised like the overview, but of its own flows
    alone: each arrow stands for exactly the lineage's flows between two boxes, and the file
    keeps the lineage's name."""
    m, fs = big
    a = Analysis(m)
    tid = max(m.types, key=lambda t: len(a.carrying(t)) if m.types[t].parent else -1)
    fids = set(a.carrying(tid))
    places = {e for f in fids for e in (m.flows[f].source, m.flows[f].target)}
    assert len(places) > 40  # more than max_nodes: collapsed
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
    _strongest(want, _flow_counts(parse(got.svg)["edge"]))  # the lineage's flows, none of the others
    small = lineage(a, tid, fs, max_nodes=len(places))  # raised: node by node again
    assert "collapsed" not in " ".join(small.title.splitlines())


def test_the_legend_explains_only_what_the_drawing_holds():
    """100 nodes and 1,000 flows drawn node by node (max_nodes raised): laid out by sfdp, which
    draws no country boxes; the legend then says so instead of explaining green and red boxes.
    A map dot lays out with its country boxes keeps those rows."""
    m = load_texts(synth_texts(nodes=100, flows=1000, types=60, seed=1))
    got = render(overview(Analysis(m), audit(Analysis(m)), max_nodes=400))
    assert got.attempt.engine == "sfdp" and 'class="cluster"' not in got.svg
    assert "green box" not in got.svg and "red box" not in got.svg and "not drawn as boxes" in got.svg
    small = load_texts(synth_texts(nodes=20, flows=40, types=10, seed=1))
    drawn = render(overview(Analysis(small), audit(Analysis(small))))
    assert drawn.attempt.engine == "dot" and "green box" in drawn.svg and "not drawn as boxes" not in drawn.svg


def test_the_summary_by_organisation_of_more_organisations_than_a_drawing_holds_is_by_jurisdiction(big):
    m, fs = big
    orgs = len({n.owner or "~subjects" for n in m.nodes.values()})
    assert orgs > 40
    _, g = build_view(Analysis(m), "summary", fs)
    assert g.name == "summary-organisation"
    assert f"by organisation: {orgs} boxes would be more than one drawing holds (max_nodes=40)" in g.title
    boxes = [n for n in parse(render(g).svg)["node"] if n.title != "~legend"]
    assert len(boxes) == len({n.jurisdiction or "~unlocated" for n in m.nodes.values()}) <= 40
