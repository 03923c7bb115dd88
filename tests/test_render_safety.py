"""Any text in a map renders as that text: never as DOT, never as HTML, and dot never fails.

Names, descriptions, evidence and finding messages are filled with hostile text (quotes,
braces, semicolons, ``<``, ``>``, ``&`` and entities, newlines, backslashes and graphviz escapes,
right-to-left marks, emoji, control characters, ``<script>``), the map is loaded from YAML,
drawn, and the SVG graphviz returns is parsed back: same nodes and edges as asked for, no
foreign element, and every text reads exactly as written.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from render_svg import parse, tags, title_lines

from flowatlas import load_texts
from flowatlas.analysis import Analysis
from flowatlas.findings import ClauseRef, Finding
from flowatlas.render import findings_view, overview, summary, to_svg, write
from flowatlas.render.run import count_dot_edges
from flowatlas.render.text import clean, wrap

HOSTILE = [
    '"', "\\", '\\"', "{", "}", ";", "<", ">", "&", "&lt;", "&amp;", "&#45;", "\n", "\\n", "\\N", "\\G", "\\l",
    "<b>x</b>", "<<b>x</b>>", '"]; evil [label="pwned', "}; digraph x {", "<script>alert(1)</script>",
    "\u202e", "\u200f", "😀", "🏳️‍🌈", "\x00", "\x01", "\t", "subgraph", "node", "--", "->", "%3", "\r\n", "'",
    "\ufeff", "\ufffe", "]]>", "<!--", "\\\\", "x\\",
]  # fmt: skip
SVG_TAGS = {"svg", "g", "title", "polygon", "ellipse", "path", "text", "a", "polyline"}

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=6).map("".join),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
)


def yq(s: str) -> str:
    """``s`` as a YAML double-quoted scalar, every non-ASCII or special character escaped."""
    out = []
    for ch in s:
        o = ord(ch)
        if 0x20 <= o < 0x7F and ch not in '"\\':
            out.append(ch)
        elif o <= 0xFF:
            out.append(f"\\x{o:02x}")
        elif o <= 0xFFFF:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    return '"' + "".join(out) + '"'


def hostile_map(t: list[str]):
    texts = {
        "map.yaml": f"map: {{id: hm, name: {yq(t[0])}, controller: acme, home: SG}}\n",
        "taxonomy.yaml": (
            "information_types:\n"
            f"  - {{id: personal, name: {yq(t[1])}}}\n"
            "  - {id: email, name: E, parent: personal}\n"
            "purposes:\n  - {id: service, name: S}\n"
            "data_subjects:\n  - {id: user, name: U}\n"
        ),
        "orgs.yaml": (
            "organisations:\n"
            f"  - {{id: acme, name: {yq(t[2])}, role: controller, jurisdiction: SG, description: {yq(t[3])}}}\n"
            f"  - {{id: other, name: {yq(t[4])}, role: processor, jurisdiction: US}}\n"
        ),
        "nodes.yaml": (
            "nodes:\n"
            f"  - {{id: node, name: {yq(t[5])}, kind: subject, subject: user, description: {yq(t[6])}}}\n"
            f"  - {{id: edge, name: {yq(t[2] + t[5])}, kind: system, owner: acme, jurisdiction: SG}}\n"
            f"  - {{id: graph, name: {yq(t[6])}, kind: store, owner: other, jurisdiction: US, retention: P1D,"
            f" access_control: {yq(t[1])}}}\n"
        ),
        "flows.yaml": (
            "flows:\n"
            "  - {id: f1, from: node, to: edge, types: [email], purposes: [service], context: registration,"
            f" evidence: {yq(t[3])}}}\n"
            f"  - {{id: f2, from: edge, to: graph, types: [email], purposes: [service], description: {yq(t[4])}}}\n"
        ),
    }
    return load_texts(texts, base_taxonomy=False)


def norm(s: str) -> str:
    return " ".join(clean(s).split())


def squeeze(s: str) -> str:
    return "".join(clean(s).split())


def check(m, t: list[str]) -> None:
    fs = [
        Finding(
            rule="r1",
            severity="high",
            message=t[5],
            remedy=t[6],
            flows=("f2",),
            clauses=(ClauseRef("p", "d", t[0], t[1]),),
        ),
        Finding(rule="r2", severity="low", message=t[3], remedy=t[4], nodes=("graph",)),
    ]
    for g in (overview(Analysis(m), fs), findings_view(Analysis(m), fs), summary(Analysis(m), "organisation", fs)):
        svg = to_svg(g)  # raises if dot failed or an edge went missing
        assert tags(svg) <= SVG_TAGS, tags(svg) - SVG_TAGS
        got = parse(svg)
        assert len(got["edge"]) == {"overview": 2, "findings": 1, "summary-organisation": 2}[g.name]
        if g.name != "overview":
            continue
        assert {n.title for n in got["node"]} == {"node", "edge", "graph", "~legend"}
        assert norm(" ".join(title_lines(svg))).startswith(norm(f"{m.info.name} (hm): overview"))
        for nid in ("node", "edge", "graph"):
            item = next(n for n in got["node"] if n.title == nid)
            name = m.nodes[nid].name
            label = squeeze("".join(item.texts))
            assert label.startswith(squeeze(wrap(name))), (name, item.texts)
            assert norm(name) in norm(item.tooltip)
        subject = next(n for n in got["node"] if n.title == "node")
        assert norm(m.nodes["node"].description or "") in norm(subject.tooltip)
        tips = {e.tooltip.split(":")[0]: norm(e.tooltip) for e in got["edge"]}
        assert norm(m.flows["f1"].evidence or "") in tips["flow f1"]
        assert norm(m.flows["f2"].description or "") in tips["flow f2"]
        assert norm(t[5]) in tips["flow f2"] and norm(t[1]) in tips["flow f2"]
        acme = next(c for c in got["cluster"] if c.title == "cluster ~SG ~acme")
        assert squeeze("".join(acme.texts)).startswith(squeeze(wrap(m.organisations["acme"].name, 30, 2)))


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(hostile_text, min_size=7, max_size=7))
@example(HOSTILE[:7])
@example(
    [
        "<script>alert(1)</script>",
        '"]; evil [label="pwned',
        "&lt;&amp;",
        "\\N\\G\\\\",
        "\u202eabc😀",
        "a\nb\r\nc",
        "<<b>x</b>>",
    ]
)
def test_hostile_text_renders_as_text(t):
    check(hostile_map(t), t)


def test_every_hostile_fragment_at_once_writes_svg_png_and_dot(tmp_path):
    t = ["".join(HOSTILE[i::7]) for i in range(7)]
    m = hostile_map(t)
    check(m, t)
    paths = write(overview(Analysis(m)), tmp_path, "hostile", "svg,png,dot")
    assert paths["png"].stat().st_size > 1000
    dot = paths["dot"].read_text(encoding="utf-8")
    # map text never contains a raw newline in DOT, so an injected statement would start a line
    assert not any(line.lstrip().startswith(("evil", "digraph x", '"]')) for line in dot.splitlines())
    assert count_dot_edges(dot) == 2
    assert "<script>" not in paths["svg"].read_text(encoding="utf-8")
