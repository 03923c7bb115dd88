"""The graphviz runner: edge counting, lost-edge errors, timeouts and fallback layouts."""

from __future__ import annotations

import graphviz
import pytest

from flowatlas.errors import FlowatlasError
from flowatlas.render import Attempt, EdgeCountError, RenderError, layout, to_svg, write
from flowatlas.render.run import count_dot_edges, count_svg_edges


def test_count_dot_edges_ignores_arrows_inside_strings_and_html_labels():
    src = r"""digraph {
  a -> b [label="x -> y \" -> z" tooltip="--"]
  c [label=<a -&gt; <b>-&gt;</b> --<i>x</i>>]
  a -> c -> d
  "e->f" -> g
}"""
    assert count_dot_edges(src) == 4


def test_count_svg_edges_counts_what_graphviz_drew():
    g = graphviz.Digraph()
    for a, b in [("a", "b"), ("b", "c"), ("a", "c"), ("a", "c")]:
        g.edge(a, b)
    assert count_svg_edges(to_svg(g)) == 4


def test_an_edge_graphviz_does_not_draw_is_an_error_not_a_silent_loss(tmp_path):
    g = graphviz.Digraph()
    g.edge("a", "b")
    g.edge("a", "c", style="invis")  # graphviz leaves invisible edges out of the SVG
    with pytest.raises(EdgeCountError, match="drew 1 of the 2 edges") as exc:
        to_svg(g)
    assert isinstance(exc.value, FlowatlasError)
    assert (exc.value.requested, exc.value.drawn) == (2, 1)
    with pytest.raises(EdgeCountError):  # PNG alone is still checked, and nothing is written
        write(g, tmp_path, "lost", "png,dot")
    assert list(tmp_path.iterdir()) == []


def test_a_failing_attempt_falls_back_to_the_next():
    src = "digraph { a -> b; b -> c }"
    got = layout(src, attempts=[Attempt("dot", ("-Kno-such-layout",)), Attempt("dot")])
    assert got.attempt == Attempt("dot")
    assert got.edges == 2
    assert any("failed" in n for n in got.notes)


def test_the_unclustered_fallback_drops_clusters_but_keeps_every_edge():
    g = graphviz.Digraph()
    with g.subgraph(name="cluster_x") as c:
        c.edge("a", "b")
    g.edge("b", "c")
    clustered = layout(g.source, attempts=[Attempt("dot")])
    flat = layout(g.source, attempts=[Attempt("dot", unclustered=True)])
    assert 'class="cluster"' in clustered.svg and 'class="cluster"' not in flat.svg
    assert flat.edges == count_svg_edges(flat.data) == 2


def test_rendering_never_hangs_a_timeout_is_an_error():
    g = graphviz.Digraph()
    for i in range(200):
        g.edge(f"n{i}", f"n{(i * 7) % 200}", label=f"edge {i}")
    with pytest.raises(RenderError, match=r"timed out after 0\.001s"):
        layout(g.source, timeout=0.001, attempts=[Attempt("dot"), Attempt("neato")])


def test_missing_graphviz_is_a_clear_error():
    with pytest.raises(RenderError, match="not installed"):
        layout("digraph { a -> b }", attempts=[Attempt("no-such-graphviz-engine")])
