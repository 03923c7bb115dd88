"""The atlas: every page within the bounds, every box a link to a page that exists and back,
every flow's record reached from the first page, the same bytes twice, map text inert."""

from __future__ import annotations

import html
import re
from collections import Counter, deque
from pathlib import Path

import pytest
from render_svg import page_svg, parse
from render_svg import records as svg_records

from flowatlas import load_map, load_texts
from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.render import build_view
from flowatlas.render.atlas import TOP, atlas, org_stem
from flowatlas.render.files import to_svg as source_svg
from flowatlas.render.parts import DEFAULT_MAX_NODES, MAX_DRAWN_ARROWS, TOOLTIP_CHARS, where_text
from flowatlas.render.summary import OTHERS, SUBJECTS, UNLOCATED, summary
from flowatlas.report.atlas import write_atlas
from flowatlas.report.rich import PACKED_TYPE
from flowatlas.report.views import diagram
from flowatlas.synth import synth_texts

from conftest import ABSOLOOP, ROOT

HREF = re.compile(r'(?:xlink:)?href="([^"#]+\.html)"')


def _maps() -> dict[str, object]:
    return {
        "absoloop": lambda: load_map(ABSOLOOP),
        "kliniko": lambda: load_map(ROOT / "dataflows" / "kliniko"),
        # another shape: 100 nodes, 1,000 flows over 8 countries and 20 organisations
        "synthetic-1k": lambda: load_texts(synth_texts(nodes=100, flows=1000, types=40, seed=2)),
        # many organisations in many countries: the first page is by country, countries are paged
        "synthetic-many-organisations": lambda: load_texts(synth_texts(nodes=600, flows=1500, types=30, seed=4)),
        # nodes in more countries than one drawing holds boxes: the first page puts the countries
        # of the fewest flows in one box, and lists every country's page under the drawing
        "synthetic-45-countries": lambda: load_texts(many_countries()),
    }


#: 45 countries: more than DEFAULT_MAX_NODES boxes.
COUNTRIES = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "HK", "IS", "LI",
    "CH", "GB", "US", "CA", "BR", "MX", "JP", "KR", "CN", "IN", "AU", "NZ", "SG", "ZA", "AE",
)  # fmt: skip


def many_countries() -> dict[str, str]:
    """A synthetic map whose systems and stores are located in 45 countries, in turn."""
    texts = synth_texts(nodes=120, flows=800, types=20, seed=7)
    turn = iter(range(10**6))
    return {
        k: re.sub(r"(\n    jurisdiction: )\S+", lambda mm: mm.group(1) + COUNTRIES[next(turn) % len(COUNTRIES)], v)
        if k.startswith("nodes/")
        else v
        for k, v in texts.items()
    }


@pytest.fixture(scope="module", params=sorted(_maps()))
def written(request, tmp_path_factory):
    m = _maps()[request.param]()
    a = Analysis(m)
    fs = audit(a)
    out = tmp_path_factory.mktemp(request.param)
    paths = write_atlas(a, fs, out)
    return m, a, fs, out, paths


def svg_records_flows(page: str) -> set[str]:
    """The flows whose whole record a page keeps (not a link to it)."""
    return {
        found.group(1)
        for whole in svg_records(page).values()
        for chunk in whole.split("\n\n")
        if (found := re.match(r"flow (\S+):", chunk)) and "\nits record: " not in chunk
    }


def _links(page: Path) -> str:
    """What holds a page's links: its HTML (breadcrumb, pager) and its drawing."""
    text = page.read_text("utf-8")
    return text + _svg(text)


def _svg(page: Path | str) -> str:
    return page_svg(page if isinstance(page, str) else page.read_text("utf-8"))


def test_every_page_is_within_the_bounds(written):
    _m, _, _, _out, paths = written
    for page in paths:
        drawn = parse(_svg(page))
        nodes = [n for n in drawn["node"] if n.title != "~legend"]
        assert len(nodes) <= DEFAULT_MAX_NODES, (page.name, len(nodes))
        assert len(drawn["edge"]) <= MAX_DRAWN_ARROWS, (page.name, len(drawn["edge"]))


def test_every_link_opens_a_page_and_every_page_is_reached_from_the_first_and_leads_back(written):
    _m, _, _, out, paths = written
    names = {p.name for p in paths}
    assert paths[0].name == f"{TOP}.html"
    reached, todo = {paths[0].name}, deque([paths[0].name])
    while todo:
        text = _links(out / todo.popleft())
        for href in HREF.findall(text):
            assert href in names, f"a link to {href}, which was not written"
            if href not in reached:
                reached.add(href)
                todo.append(href)
    assert reached == names  # by clicks alone, from the first page
    for page in paths[1:]:  # and back: a breadcrumb to the first page on every other page
        crumbs = re.search(r'<nav class="fa-trail".*?</nav>', page.read_text("utf-8"), re.S).group(0)
        assert f'href="{TOP}.html"' in crumbs and 'aria-current="page"' in crumbs


def test_every_flow_has_its_whole_record_once_and_the_other_page_links_to_it(written):
    m, _, fs, out, paths = written
    records: dict[str, str] = {}
    pointers: list[tuple[str, str, str]] = []
    for page in paths:
        if not page.name.startswith("organisation-"):
            continue
        text = page.read_text("utf-8")
        kept = svg_records(text)
        for edge in parse(_svg(text))["edge"]:
            whole = kept[edge.id]  # every arrow of an organisation page keeps its record
            assert not re.search(r"^\s*\+\d+ more flows", whole, re.M)  # all of them: none left out
            assert whole.startswith(edge.tooltip.split("\n")[0].removesuffix("…")), edge.id  # the tooltip begins it
            for chunk in whole.split("\n\n"):
                if not (found := re.match(r"flow (\S+):", chunk)):
                    continue
                if away := re.search(r"^its record: (\S+\.html)#(\S+)$", chunk, re.M):
                    pointers.append((found.group(1), away.group(1), away.group(2)))
                    continue
                assert found.group(1) not in records, f"the record of {found.group(1)} is written twice"
                records[found.group(1)] = chunk
    assert set(records) == set(m.flows) and pointers  # every flow, by clicks from the first page, once
    for fid, where, anchor in pointers:  # a link to a flow's record leads to a page that holds it
        assert anchor == fid and fid in svg_records_flows((out / where).read_text("utf-8")), (fid, where)
    by_flow: dict[str, list] = {}
    for f in fs:
        for fid in f.flows:
            by_flow.setdefault(fid, []).append(f)
    fid = max(m.flows, key=lambda i: (len(by_flow.get(i, ())), i))  # the flow with the most findings
    f = m.flows[fid]
    record = records[fid]
    types = re.search(r"^types: (.*)$", record, re.M).group(1)
    assert all(t in types for t in f.types)
    assert f"defined at {where_text(m, f.src)}" in record
    for x in by_flow.get(fid, ()):
        assert x.id in record  # each finding of the flow, by its id (its whole text in the findings table)


def test_a_tooltip_is_short_and_the_svg_holds_no_whole_record(written):
    """Below the first page (a summary) the SVG holds the beginning of a record; the whole of it
    is kept beside it, compressed."""
    _, _, _, _, paths = written
    longest = max(len(e.tooltip) for p in paths[1:] for e in parse(_svg(p.read_text("utf-8")))["edge"])
    assert longest <= TOOLTIP_CHARS + 2


def test_the_same_map_gives_the_same_pages_byte_for_byte(written, tmp_path):
    m, _a, fs, out, paths = written
    again = write_atlas(Analysis(m), list(reversed(fs)), tmp_path)
    assert [p.name for p in again] == [p.name for p in paths]
    assert all(p.read_bytes() == (out / p.name).read_bytes() for p in again)


def test_pages_use_only_the_viewer_script_and_forbid_any_other(written):
    _, _, _, out, paths = written
    assert (out / "flowatlas.js").is_file() and (out / "flowatlas.css").is_file()
    for page in paths:
        text = page.read_text("utf-8")
        assert _scripts(text) == ['<script src="flowatlas.js">']
        assert "default-src 'none'; script-src 'self';" in text
        assert not re.search(r"<[^>]*\son[a-z]+=", text)  # no event handler attribute anywhere


def test_map_text_stays_text_on_every_page(tmp_path):
    """A map whose names and descriptions hold markup: no element of it reaches a page."""
    texts = synth_texts(nodes=60, flows=200, types=20, seed=5)
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>"&'
    texts = {
        k: re.sub(r"(    name: )(.*)", lambda mm: f"{mm.group(1)}'{mm.group(2)} {evil}'", v) for k, v in texts.items()
    }
    m = load_texts(texts)
    a = Analysis(m)
    paths = write_atlas(a, audit(a), tmp_path)
    for page in paths:
        text = page.read_text("utf-8")
        assert "<script>alert" not in text and "<img" not in text
        assert _scripts(text) == ['<script src="flowatlas.js">']
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in _svg(p) for p in paths)  # shown as text
    assert not any("<script" in _svg(p) or "<img" in _svg(p) for p in paths)
    kept = [r for p in paths for r in svg_records(p.read_text("utf-8")).values()]
    assert any(evil in r for r in kept)  # kept as data, which the viewer only ever sets as text


def _scripts(page: str) -> list[str]:
    """The page's script elements, but for its packed data blocks (base64 only, of a type no
    browser runs)."""
    data = rf'<script type="{re.escape(PACKED_TYPE)}" class="fa-(?:svg|records)">'
    for blob in re.findall(rf"{data}(.*?)</script>", page, re.S):
        assert re.fullmatch(r"[A-Za-z0-9+/=]+", blob)
    page = re.sub(data, "", page)
    return re.findall(r"<script\b[^>]*>", page)


def test_a_large_organisation_is_cut_into_pages_linked_both_ways():
    m = load_texts(synth_texts(nodes=600, flows=1500, types=30, seed=4))
    pages = atlas(Analysis(m))
    paged = [p for p in pages if p.next or p.prev]
    assert paged, "the controller's hundreds of nodes fit no one page"
    stems = {p.stem for p in pages}
    for p in paged:
        assert (p.prev is None or p.prev in stems) and (p.next is None or p.next in stems)
        if p.next:
            after = next(q for q in pages if q.stem == p.next)
            assert after.prev == p.stem and after.trail == p.trail


def test_an_atlas_past_its_page_budget_names_the_organisations_left_without_a_page(tmp_path):
    m = load_texts(synth_texts(nodes=600, flows=1500, types=30, seed=4))
    a = Analysis(m)
    assert len(atlas(a)) > 30
    paths = write_atlas(a, None, tmp_path, max_pages=30)
    assert len(paths) == 30
    names = {p.name for p in paths}
    for page in paths:  # no link to a page that was not written
        assert set(HREF.findall(_links(page))) <= names
    left = [o for o in {n.owner or SUBJECTS for n in m.nodes.values()} if f"{org_stem(o)}.html" not in names]
    assert left
    first = html.unescape(paths[0].read_text("utf-8"))
    assert f"{len(left)} organisations without a page here (the atlas holds at most 30 pages)" in first
    assert "flowatlas render MAP --view organisation:ORG draws one" in first


def test_outside_a_run_folder_the_overview_links_to_no_page_and_says_where_they_are(tmp_path):
    """A notebook shows the collapsed overview with no run folder beside it: no box links to an
    atlas page that is not there, and the caption says where the pages are written; in a run
    folder the links are made relative to the report."""
    a = Analysis(load_map(ABSOLOOP))
    fs = audit(a)
    alone = diagram(a, fs, "overview").data
    assert 'href="atlas/' not in alone and "Its boxes open the atlas&#x27;s pages in a run folder" in alone
    in_run = diagram(a, fs, "overview", run_dir=tmp_path).data
    assert 'xlink:href="diagrams/atlas/organisation-' in in_run and "Its boxes open" not in in_run


def test_a_page_by_role_boxes_each_role_with_its_own_flows_only():
    """An organisation whose nodes exchange with too many organisations and countries for one page
    groups them by the role of their organisation: each role's box holds only nodes of that role,
    and each arrow to it only flows with such a node."""
    m = load_texts(synth_texts(nodes=300, flows=3000, types=30, seed=3))
    page = next(p for p in atlas(Analysis(m)) if "by the role of their organisation" in p.diagram.title)
    svg = parse(source_svg(page.diagram))
    boxes = {n.title: n for n in svg["node"] if n.title.startswith("r~")}
    assert boxes

    def role(nid: str) -> str:
        owner = m.nodes[nid].owner
        return m.organisations[owner].role if owner else "data subject"

    for title, box in boxes.items():
        wanted = title[2:]
        orgs = re.search(r"organisations \(\d+\): (.*)", box.tooltip).group(1).split(", ")
        assert all(m.organisations[o].role == wanted for o in orgs if o in m.organisations)
    checked = 0
    for e in svg["edge"]:
        tail, _, head = e.title.partition("->")
        box = tail if tail.startswith("r~") else head if head.startswith("r~") else None
        if box is None:
            continue
        for fid in re.findall(r"^flow (\S+):", page.diagram.records[e.id], re.M):
            f = m.flows[fid]
            other = f.source if box == tail else f.target
            assert role(other) == box[2:]
            checked += 1
    assert checked


def test_a_summary_past_the_bound_puts_the_countries_of_fewest_flows_in_one_box():
    m = load_texts(many_countries())
    assert len({n.jurisdiction for n in m.nodes.values()}) > DEFAULT_MAX_NODES
    drawn = parse(source_svg(summary(Analysis(m), "jurisdiction")))
    boxes = [n for n in drawn["node"] if n.title != "~legend"]
    assert len(boxes) == DEFAULT_MAX_NODES
    others = next(n for n in boxes if n.title == OTHERS)
    listed = re.search(r"^(\d+) other countries", others.tooltip, re.M)
    named = {n.title for n in boxes} - {OTHERS, UNLOCATED}
    located = {n.jurisdiction for n in m.nodes.values() if n.jurisdiction}
    assert listed and int(listed.group(1)) == len(located - named)  # each country once: a box or in the others


@pytest.mark.parametrize("view", ["lineage", "findings"])
def test_a_lineage_or_findings_summary_opens_the_atlas_country_pages(view, tmp_path):
    """Past the bound a lineage and the findings view are summaries by country: each country box
    links to that country's atlas page (written beside the drawing), and the drawing says it
    opens the atlas, so whoever writes it writes the atlas."""
    m = load_texts(synth_texts(nodes=600, flows=1500, types=30, seed=4))
    a = Analysis(m)
    fs = audit(a)
    carried = Counter(t for f in m.flows.values() for t in f.types)
    spec = f"lineage:{carried.most_common(1)[0][0]}" if view == "lineage" else "findings"
    _, g = build_view(a, spec, fs)
    assert g.opens == "atlas" and "summary" in g.title
    written = {p.name for p in write_atlas(a, fs, tmp_path)}
    drawn = parse(source_svg(g))
    hrefs = re.findall(r'xlink:href="atlas/([^"]+)"', source_svg(g))
    boxes = [n.title for n in drawn["node"] if n.title not in ("~legend", OTHERS)]
    assert hrefs and set(hrefs) <= written and len(set(hrefs)) == len(boxes)  # every box, a page that is there
