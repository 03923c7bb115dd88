"""The atlas of a 10,000-flow map in Chromium: from its first page to one flow's record by clicks
alone, every page within the bounds and readable as opened, and back by the breadcrumb."""

from __future__ import annotations

import re

import pytest
from render_svg import page_svg, parse
from render_svg import records as svg_records
from test_report_browser import LABELS, browser, unpacked  # noqa: F401 - the browser fixture

from flowatlas import load_texts
from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.render.parts import DEFAULT_MAX_NODES, MAX_DRAWN_ARROWS, where_text
from flowatlas.report.atlas import write_atlas
from flowatlas.synth import synth_texts

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("atlas10k")]

#: Where the first link of a page whose address starts with ``want`` is on screen, scrolled to.
LINK = """want => {
  const a = [...document.querySelectorAll('.fa-zoom svg a')].find(a =>
    (a.getAttribute('xlink:href') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '').startsWith(want));
  if (!a) return null;
  const shape = a.querySelector('polygon, path, ellipse') || a;
  shape.scrollIntoView({block: 'center', inline: 'center'});
  const r = shape.getBoundingClientRect();
  return {x: r.x + r.width / 2, y: r.y + Math.min(r.height / 2, 12),
          href: a.getAttribute('xlink:href') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href')};
}"""

#: A point on screen where the arrow standing for the most flows is topmost (its line, not its
#: label, and not under a box or another arrow).
ARROW = """() => {
  const edges = [...document.querySelectorAll('.fa-zoom svg g.edge')];
  const flows = g => Math.max(0, ...[...g.querySelectorAll('text')].map(t =>
    parseInt((t.textContent.match(/(\\d+) flows?\\b/) || [0, 1])[1], 10)));
  const e = edges.sort((x, y) => flows(y) - flows(x) || (x.id < y.id ? -1 : 1))[0];
  const p = e.querySelector('path');
  p.scrollIntoView({block: 'center', inline: 'center'});
  const len = p.getTotalLength(), m = p.getScreenCTM();
  for (let k = 1; k < 40; k++) {
    const pt = p.getPointAtLength(len * k / 40);
    const x = pt.x * m.a + pt.y * m.c + m.e, y = pt.x * m.b + pt.y * m.d + m.f;
    const hit = document.elementFromPoint(x, y);
    if (hit && hit.closest('g.edge') === e) return {x: x, y: y, id: e.id};
  }
  return null;
}"""


@pytest.fixture(scope="module")
def ten_k(tmp_path_factory):
    m = load_texts(synth_texts(nodes=1000, flows=10000, types=60, seed=1))
    a = Analysis(m)
    out = tmp_path_factory.mktemp("atlas-10k")
    return m, out, write_atlas(a, audit(a), out)


def test_every_page_of_the_10k_atlas_is_within_the_bounds(ten_k):
    _, _, paths = ten_k
    assert len(paths) > 50
    for page in paths:
        drawn = parse(page_svg(page.read_text("utf-8")))
        assert len([n for n in drawn["node"] if n.title != "~legend"]) <= DEFAULT_MAX_NODES, page.name
        assert len(drawn["edge"]) <= MAX_DRAWN_ARROWS, page.name


def _readable(page) -> None:
    smallest = page.evaluate(LABELS)
    assert smallest and min(smallest) >= 9, smallest  # no label under 9 CSS px as the page opens


def _follow(page, want: str) -> str:
    spot = page.evaluate(LINK, want)
    assert spot, f"no link to {want}* on {page.url}"
    with page.expect_navigation():
        page.mouse.click(spot["x"], spot["y"])
    assert page.url.endswith("/" + spot["href"]), (page.url, spot["href"])
    unpacked(page)
    return spot["href"]


def test_from_the_first_page_to_a_flows_record_by_clicks_alone_and_back(browser, ten_k):  # noqa: F811
    m, out, _ = ten_k
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto((out / "atlas.html").as_uri())
        unpacked(page)
        assert page.locator(".fa-zoombar").count() == 1  # the viewer's script ran under the pages' CSP
        _readable(page)
        _follow(page, f"country-{m.home}")  # the home country's box
        _readable(page)
        _follow(page, "organisation-")  # an organisation located there
        _readable(page)
        spot = page.evaluate(ARROW)
        assert spot, "the arrow of most flows is nowhere topmost"
        page.mouse.click(spot["x"], spot["y"])
        record = page.locator(".fa-record-body")
        assert page.locator(".fa-record").is_visible()
        text = record.text_content()
        here = out / page.url.rsplit("/", 1)[1]
        assert text == svg_records(here.read_text("utf-8"))[spot["id"]]  # the whole record the page keeps
        ids = re.findall(r"^flow (\S+):", text, re.M)
        assert ids and set(ids) <= set(m.flows)
        chunk = next(c for c in text.split("\n\n") if c.startswith(f"flow {ids[0]}:"))
        if "\nits record: " in chunk:  # its whole record is on its source's page: one click there
            with page.expect_navigation():
                page.locator(".fa-record-body a", has_text=f"#{ids[0]}").first.click()
            unpacked(page)
            text = page.locator(".fa-record-body").first.text_content()
        f = m.flows[ids[0]]
        assert f"defined at {where_text(m, f.src)}" in text  # the flow's file:line
        page.locator(".fa-trail a", has_text="map").click()
        page.wait_for_load_state()
        assert page.url.endswith("/atlas.html")
        assert not errors, errors
    finally:
        page.close()


def _every_page_readable(browser, paths) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for path in paths:
            page.goto(path.as_uri())
            unpacked(page)
            smallest = page.evaluate(LABELS)
            assert smallest and min(smallest) >= 9, (path.name, smallest)
        assert not errors, errors
    finally:
        page.close()


def test_every_page_of_a_1k_atlas_opens_readable(browser, tmp_path):  # noqa: F811
    """100 nodes, 1,000 flows: each page's smallest label at 9 CSS px or more as it opens."""
    m = load_texts(synth_texts(nodes=100, flows=1000, types=40, seed=2))
    a = Analysis(m)
    paths = write_atlas(a, audit(a), tmp_path)
    assert len(paths) > 10
    _every_page_readable(browser, paths)


def test_the_largest_pages_of_the_10k_atlas_open_readable(browser, ten_k):  # noqa: F811
    _, _, paths = ten_k
    _every_page_readable(browser, sorted(paths, key=lambda p: -p.stat().st_size)[:15])


def test_a_link_to_a_flows_record_on_another_page_opens_it_pinned(browser, ten_k):  # noqa: F811
    """An arrow whose flow's whole record is on another page says where, as a link; the link
    opens that page with the flow's record pinned and marked."""
    m, _out, paths = ten_k
    found = next(
        (p, eid, mm.group(1), mm.group(2))
        for p in paths
        for eid, whole in sorted(svg_records(p.read_text("utf-8")).items())
        if (mm := re.search(r"^its record: (\S+\.html)#(\S+)$", whole, re.M))
    )
    page_path, eid, target, fid = found
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(page_path.as_uri())
        unpacked(page)
        page.locator(f'g.edge[id="{eid}"] path').first.dispatch_event("click")
        link = page.locator(".fa-record-body a", has_text=f"{target}#{fid}").first
        with page.expect_navigation():
            link.click()
        unpacked(page)
        assert page.url.endswith(f"/{target}#{fid}")
        panel = page.locator(".fa-record").first
        assert panel.is_visible()
        marked = panel.locator("mark").inner_text()
        assert marked.startswith(f"flow {fid}:")
        body = panel.locator(".fa-record-body").inner_text()
        f = m.flows[fid]
        assert f"defined at {where_text(m, f.src)}" in body  # the whole record, file:line
        assert not errors, errors
    finally:
        page.close()
