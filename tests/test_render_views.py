"""Views: what each diagram shows, read back from the SVG graphviz drew."""

from __future__ import annotations

import random

import pytest
from render_maps import RICH, findings
from render_svg import edge_by_flow, parse, title_lines

from flowatlas import load_texts
from flowatlas.analysis import Analysis
from flowatlas.errors import UsageError
from flowatlas.render import Diagram, build_view, findings_view, lineage, overview, style, summary, to_svg
from flowatlas.render.views import type_lines


@pytest.fixture(scope="module")
def m():
    return load_texts(RICH, base_taxonomy=False)


@pytest.fixture(scope="module")
def ov(m):
    return parse(to_svg(overview(Analysis(m), findings())))


def _node(items, nid):
    hits = [n for n in items if n.title == nid]
    assert len(hits) == 1, nid
    return hits[0]


def test_overview_has_every_node_flow_and_the_legend(m, ov):
    assert {n.title for n in ov["node"]} == {*m.nodes, "~legend"}
    assert len(ov["edge"]) == len(m.flows)
    legend = " ".join(_node(ov["node"], "~legend").texts)
    for words in ("data subject", "cylinder", "high-severity", "crosses a border", "hover"):
        assert words in legend


def test_overview_clusters_jurisdictions_then_organisations(ov):
    titles = {c.title for c in ov["cluster"]}
    assert {"cluster ~SG", "cluster ~US", "cluster ~DE", "cluster ~JP"} <= titles
    # the backup in JP sits in an Acme box inside the JP box; Mailer's relay in a US box
    assert {"cluster ~JP ~acme", "cluster ~SG ~acme", "cluster ~US ~mailer", "cluster ~DE ~sub"} <= titles
    labels = {c.title: " ".join(c.texts) for c in ov["cluster"]}
    assert "home" in labels["cluster ~SG"]
    assert "outside SG" in labels["cluster ~JP"]
    assert "sub processor" in labels["cluster ~DE ~sub"]


def test_overview_shapes_by_kind(m):
    src = overview(Analysis(m)).source
    lines = {ln.split(" [")[0].strip(): ln for ln in src.splitlines() if " [" in ln}
    assert "shape=ellipse" in lines["user"]
    assert "shape=box " in lines["app"] or "shape=box\n" in lines["app"] or "shape=box" in lines["app"]
    assert "shape=cylinder" in lines["db"]
    assert "shape=box3d" in lines["mail"]  # external party (processor)
    assert "shape=cylinder" in lines["extdb"] and "dashed" in lines["extdb"]  # an external party's store


def test_edge_colour_is_the_worst_finding_and_labels_say_why(ov):
    f4 = edge_by_flow(ov["edge"], "f4")
    assert style.SEVERITY_COLOUR["high"] in f4.colours
    assert "⚠ cross-border-no-basis" in f4.texts
    f5 = edge_by_flow(ov["edge"], "f5")  # medium only
    assert style.SEVERITY_COLOUR["medium"] in f5.colours
    assert style.SEVERITY_COLOUR["high"] not in f5.colours
    f2 = edge_by_flow(ov["edge"], "f2")  # informational only: blue, ℹ not ⚠
    assert style.SEVERITY_COLOUR["info"] in f2.colours
    assert any(t.startswith("ℹ") for t in f2.texts) and not any("⚠" in t for t in f2.texts)
    f1 = edge_by_flow(ov["edge"], "f1")
    assert f1.colours == {style.SEVERITY_COLOUR[None]}


def test_cross_border_edges_stand_out(m, ov):
    f3 = edge_by_flow(ov["edge"], "f3")
    assert "SG → US" in f3.texts
    assert "SG → US" not in " ".join(edge_by_flow(ov["edge"], "f2").texts)
    src = overview(Analysis(m)).source
    f3_line = next(ln for ln in src.splitlines() if ln.strip().startswith("app -> mail"))
    f2_line = next(ln for ln in src.splitlines() if ln.strip().startswith("app -> db"))
    assert "dashed" in f3_line and "penwidth=3" in f3_line
    assert "dashed" not in f2_line


def test_edge_tooltip_is_the_full_record_with_findings_and_location(ov):
    tip = edge_by_flow(ov["edge"], "f4").tooltip
    for part in (
        "flow f4: Mail relay → Sub archive",
        "CROSS-BORDER US → DE",
        "types: email (Email)",
        "purposes: support",
        "sharing basis: on_instruction; transfer basis: -",
        "[high] cross-border-no-basis · location omitted",
        "email leaves SG for DE without a transfer basis",
        "held against clause 2 (pol/d2): “we store in Singapore”",
        "remedy: add a contract naming DE",
        "defined at more.yaml:",
    ):
        assert part in tip, part


def test_node_tooltip_has_store_facts_findings_and_location(ov):
    tip = _node(ov["node"], "bkp").tooltip
    for part in (
        "store: DB backup (bkp)",
        "retention: P30D",
        "backup of: db",
        "[low] rights-gap",
        "defined at more.yaml:",
    ):
        assert part in tip, part
    assert "rights-gap" in " ".join(_node(ov["node"], "bkp").texts)


def test_node_tooltip_lists_the_types_it_receives_and_sends(m, ov):
    for nid in ("app", "db", "bkp"):
        received = sorted({t for f in m.flows.values() if f.target == nid for t in f.types})
        sent = sorted({t for f in m.flows.values() if f.source == nid for t in f.types})
        tip = _node(ov["node"], nid).tooltip
        assert (f"receives: {', '.join(received)}" in tip) == bool(received), (nid, tip)
        assert (f"sends: {', '.join(sent)}" in tip) == bool(sent), (nid, tip)
    assert any(f.target == "app" for f in m.flows.values()) and any(f.source == "app" for f in m.flows.values())


def test_title_counts_cross_border_and_says_when_not_audited(m):
    title = title_lines(to_svg(overview(Analysis(m))))
    assert title[0] == "Mini (mini): overview"
    assert "4 cross-border flows (thick dashed): 3 leave SG, 1 onward abroad, 0 enter SG" in title
    assert "not audited: colours show no findings" in title
    audited = title_lines(to_svg(overview(Analysis(m), findings())))
    assert "findings: 2 high, 1 medium, 1 low, 2 info" in audited
    assert "8 nodes, 7 flows, 4 flows with findings" in audited


def test_findings_order_does_not_change_the_dot(m):
    fs = findings()
    shuffled = fs[:]
    random.Random(3).shuffle(shuffled)
    assert overview(Analysis(m), shuffled).source == overview(Analysis(m), fs).source


def test_lineage_follows_the_type_and_its_subtypes_only(m):
    got = parse(to_svg(lineage(Analysis(m), "password", findings())))
    assert {n.title for n in got["node"]} == {"user", "app", "db", "bkp", "~legend"}
    assert {e.tooltip.split(":")[0] for e in got["edge"]} == {"flow f1", "flow f2", "flow f5"}
    assert any("collected here" in t for t in _node(got["node"], "user").texts)
    assert any("ends here" in t for t in _node(got["node"], "bkp").texts)
    contact = parse(to_svg(lineage(Analysis(m), "contact")))
    assert len(contact["edge"]) == 7  # every flow carries email or phone
    f1 = edge_by_flow(contact["edge"], "f1")
    assert "email" in f1.texts and not any("password" in t for t in f1.texts)


def test_lineage_title_counts_the_findings_it_draws_not_the_maps():
    from flowatlas.audit import audit
    from flowatlas.loader import load_map

    from conftest import ABSOLOOP

    m = load_map(ABSOLOOP)
    found = audit(Analysis(m))
    title = lineage(Analysis(m), "password", found).body[0]
    fids = {f.id for f in m.flows.values() if "password" in f.types}
    nodes = {end for fid in fids for end in (m.flows[fid].source, m.flows[fid].target)}
    drawn = [f for f in found if set(f.flows) & fids or set(f.nodes) & nodes]
    counts = {s: sum(f.severity == s for f in drawn) for s in ("high", "medium", "low", "info")}
    want = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    assert f"findings: {want}" in title and len(drawn) < len(found)


def test_lineage_unknown_type_suggests_a_name(m):
    with pytest.raises(UsageError, match="did you mean 'email'"):
        lineage(Analysis(m), "emial")


def test_findings_view_shows_only_what_findings_touch(m):
    got = parse(to_svg(findings_view(Analysis(m), findings())))
    assert {n.title for n in got["node"]} == {"app", "db", "bkp", "mail", "extdb", "ads", "~legend"}
    assert {e.tooltip.split(":")[0] for e in got["edge"]} == {"flow f2", "flow f4", "flow f5", "flow f6"}
    assert "⚠ storage-outside-declared" in edge_by_flow(got["edge"], "f5").texts
    assert "1 finding not tied to a node or flow: change-notice" in title_lines(
        to_svg(findings_view(Analysis(m), findings()))
    )
    empty = parse(to_svg(findings_view(Analysis(m), [])))
    assert {n.title for n in empty["node"]} == {"~legend"}


def test_summary_by_organisation_counts_flows_and_types(m):
    got = parse(to_svg(summary(Analysis(m), "organisation", findings())))
    assert {n.title for n in got["node"]} == {"acme", "mailer", "sub", "adco", "~subjects", "~legend"}
    acme = " ".join(_node(got["node"], "acme").texts)
    assert "3 nodes" in acme and "2 internal flows" in acme and "2 types inside" in acme
    to_mailer = next(e for e in got["edge"] if e.title == "acme->mailer")
    assert "1 flow · 1 type" in to_mailer.texts and "SG → US" in to_mailer.texts
    assert style.SEVERITY_COLOUR["high"] in next(e for e in got["edge"] if e.title == "mailer->sub").colours
    jur = parse(to_svg(summary(Analysis(m), "jurisdiction")))
    assert {n.title for n in jur["node"]} == {"SG", "US", "DE", "JP", "~unlocated", "~legend"}
    with pytest.raises(UsageError):
        summary(Analysis(m), "team")


def test_overview_collapses_to_the_summary_above_max_nodes(m):
    g = overview(Analysis(m), findings(), max_nodes=5)
    assert g.name == "overview" and g.opens == "atlas"
    svg = to_svg(g)
    assert "collapsed: 8 nodes is more than one drawing holds (max_nodes=5, 15 arrows)" in svg
    assert "summary by organisation" in svg and 'xlink:href="atlas/organisation-' in svg
    assert overview(Analysis(m), max_nodes=8).opens == ""


def test_type_lines_group_under_parents_when_many(m):
    assert type_lines(m, ["email", "phone"]) == ["email", "phone"]
    assert type_lines(m, ["email", "phone", "password"], limit=2) == ["contact: email, phone", "credentials: password*"]


def test_build_view_specs(m):
    assert [
        build_view(Analysis(m), s)[0]
        for s in ("overview", "lineage:email", "findings", "summary", "summary:jurisdiction")
    ] == ["overview", "lineage-email", "findings", "summary-organisation", "summary-jurisdiction"]
    for bad in ("overveiw", "lineage", "findings:x", "summary:team"):
        with pytest.raises(UsageError):
            build_view(Analysis(m), bad)


def test_views_are_digraphs_that_display_through_the_checked_renderer(m):
    g = overview(Analysis(m))
    assert isinstance(g, Diagram)
    bundle = g._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")


def test_the_legend_explains_the_colours_and_boxes_the_drawing_holds_and_no_others(m):
    """Unaudited, every arrow is grey: the legend has no severity rows but "no finding". Audited,
    a row for each severity some arrow is drawn in, and none for the others."""
    plain = overview(Analysis(m)).source
    legend = plain[plain.index("<B>Legend</B>") :]
    assert "no finding" in legend and "high-severity" not in legend and "⚠ rule" not in legend
    fs = findings()
    src = overview(Analysis(m), fs).source
    legend = src[src.index("<B>Legend</B>") :]
    arrows = "".join(line for line in src.splitlines() if " -> " in line and "<B>Legend</B>" not in line)
    for sev, colour in style.SEVERITY_COLOUR.items():
        assert (style.SEVERITY_TEXT[sev] in legend) == (f'color="{colour}"' in arrows), sev
    assert ("green box" in legend) == (style.HOME_CLUSTER["fillcolor"] in src.replace(legend, ""))
