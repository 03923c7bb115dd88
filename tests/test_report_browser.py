"""report.html in a real browser (headless Debian chromium driven by Playwright).

The report must open offline with no console error, show its diagrams and findings table, and
treat hostile text from a map as text: a map whose names carry <script>, onerror= and onload=
payloads executes nothing.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from render_svg import records as svg_records
from reportkit import ABSOLOOP, TINY, hostile, run_cli, session_base, shared, write_map

from flowatlas.render.parts import DEFAULT_MAX_NODES, MAX_DRAWN_ARROWS
from flowatlas.report.rich import LONG_TOOLTIP, PACKED_TYPE
from flowatlas.report.runs import latest_run
from flowatlas.synth import synth_texts

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _absoloop(folder: Path) -> dict:
    return run_cli(folder, str(ABSOLOOP), "--out", str(folder / "out"), "--fail-on", "high")


def _hostile(folder: Path) -> dict:
    m = write_map(folder / "map", hostile(TINY))
    return run_cli(folder, str(m), "--out", str(folder / "out"))


def _open(browser, html: Path):
    """Open ``html`` with the network cut off; returns (page, console errors, blocked requests, dialogs)."""
    ctx = browser.new_context(offline=True, java_script_enabled=True)
    page = ctx.new_page()
    errors, blocked, dialogs = [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def block(route):
        blocked.append(route.request.url)
        route.abort()

    page.route("http*://**/*", block)
    page.goto(html.as_uri(), wait_until="load")
    unpacked(page)
    page.wait_for_timeout(200)
    return page, errors, blocked, dialogs


def unpacked(page) -> None:
    """Wait until the viewer has unpacked what the page packs (an atlas page's drawing, records)."""
    page.wait_for_selector('html[data-fa-unpacked="ready"]', state="attached", timeout=20000)


def _wheel_scrolls_the_page(page, dy: int):
    """The wheel over the page's first diagram scrolls the page by ``dy`` and leaves its zoom as
    it was; returns the diagram's box."""
    box = page.locator(".fa-zoom").first
    box.scroll_into_view_if_needed()
    b = box.bounding_box()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + min(b["height"] / 2, 200))
    y0, zoom = page.evaluate("window.scrollY"), box.get_attribute("data-zoom")
    page.mouse.wheel(0, dy)
    page.wait_for_timeout(150)
    assert page.evaluate("window.scrollY") > y0 and box.get_attribute("data-zoom") == zoom
    return box


def _absoloop_run(tmp_path_factory) -> Path:
    r = shared(session_base(tmp_path_factory), "absoloop", _absoloop)
    run = latest_run(Path(r["folder"]) / "out" / "absoloop")
    assert run is not None, r["stderr"]
    return run


def _absoloop_page(browser, tmp_path_factory):
    return _open(browser, _absoloop_run(tmp_path_factory) / "report.html")


def _run_findings(tmp_path_factory) -> dict:
    """The run's one set of findings (findings.json): what every count of the page must state."""
    return json.loads((_absoloop_run(tmp_path_factory) / "findings.json").read_text("utf-8"))


def test_absoloop_report_in_chromium(browser, tmp_path_factory):
    page, errors, blocked, dialogs = _absoloop_page(browser, tmp_path_factory)
    try:
        assert errors == [] and blocked == [] and dialogs == []  # no CSP violation either
        diagrams = page.locator(".fa-zoom svg")
        assert diagrams.count() >= 2  # real SVG in the page, not <img>
        for i in range(2):
            svg = diagrams.nth(i)
            svg.scroll_into_view_if_needed()
            assert svg.is_visible()
            box = page.locator(".fa-zoom").nth(i).evaluate("b => b.getBoundingClientRect().width")
            assert 600 < box <= page.viewport_size["width"]  # the box fits the page; the drawing pans inside
            assert svg.get_attribute("aria-label")  # alt text: what the view shows
        assert page.locator("img[src^='data:image/svg+xml']").count() == 0
        caption = page.locator(".fa-figure figcaption").first.inner_text()
        assert "78 flows" in caption and "findings:" in caption  # the view's own counts
        links = page.locator(".fa-figure").first.locator("a")
        assert {links.nth(i).get_attribute("href") for i in range(links.count())} >= {
            "diagrams/overview.svg",
            "diagrams/overview.dot",
            "findings.csv",
        }
        assert page.locator("h2", has_text="Data inventory").is_visible()
        assert page.locator("text=import flowatlas").count() == 0  # no code in the report
        assert page.locator("text=How to use this notebook").count() == 0  # notebook-only cells left out
        scripts = page.locator(f'script:not([type="{PACKED_TYPE}"])')  # (data blocks run nothing)
        assert scripts.count() == 1 and scripts.first.get_attribute("data-flowatlas") is not None
        csp = page.locator("meta[http-equiv='Content-Security-Policy']").get_attribute("content")
        assert "script-src 'sha256-" in csp and "unsafe" not in csp.split("script-src")[1].split(";")[0]
    finally:
        page.context.close()


def test_first_screen_holds_the_date_and_what_to_fix_first(browser, tmp_path_factory):
    page, errors, _, _ = _absoloop_page(browser, tmp_path_factory)
    try:
        height = page.viewport_size["height"]
        first = page.locator(".fa-first")
        when = first.locator("time")
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", when.inner_text())
        assert when.bounding_box()["y"] < height  # without scrolling
        badges = first.locator(".fa-badges .fa-sev")
        counts = _run_findings(tmp_path_factory)["counts"]
        assert [badges.nth(i).inner_text() for i in range(badges.count())] == [
            f"{counts[s]} {s}" for s in ("high", "medium", "low", "info")
        ]
        assert badges.first.evaluate("b => getComputedStyle(b).backgroundColor") != "rgba(0, 0, 0, 0)"  # in colour
        fix = first.locator("ol > li")
        assert fix.count() == 5
        top = fix.first
        assert top.bounding_box()["y"] + top.bounding_box()["height"] < height
        # each line cites what it is held against: a clause of the statement or the law, with its
        # words, or (for what the evidence shows) where the evidence shows it
        lines = [fix.nth(i).inner_text() for i in range(fix.count())]
        assert all(re.search(r"^high \w[^(]+ \((clauses? |PDPA |PDPR |evidence at ).*?\): ", t) for t in lines), lines
        assert "high" in lines[0] and any("clause " in t for t in lines)
        titles = [fix.nth(i).locator("summary b").inner_text() for i in range(fix.count())]
        assert len(set(titles)) == 5  # five different problems, not one rule five times
        assert errors == []  # the script ran without an error
    finally:
        page.context.close()


def test_findings_table_sorts_and_filters(browser, tmp_path_factory):
    page, errors, _, _ = _absoloop_page(browser, tmp_path_factory)
    try:
        found = _run_findings(tmp_path_factory)["findings"]
        total, high = len(found), sum(f["severity"] == "high" for f in found)
        from_evidence = [f for f in found if f["rule"].startswith("evidence-")]
        ex = page.locator(".fa-explorer").first  # every finding; the second table is the evidence's
        ex.scroll_into_view_if_needed()
        visible = ex.locator("tbody tr:not([hidden])")
        assert visible.count() == total  # every finding, the evidence's included
        evidence = page.locator(".fa-explorer").nth(1)
        seen = evidence.locator("tbody tr:not([hidden])")
        assert seen.count() == len(from_evidence) > 0 and "observed at" in evidence.locator("thead").inner_text()
        assert "evidence/absoloop-infra.tfstate.json:" in evidence.inner_text()  # the evidence's own line
        evidence.locator("select[data-filter='severity']").select_option("high")
        assert seen.count() == sum(f["severity"] == "high" for f in from_evidence)
        assert visible.count() == total  # each table filters on its own
        ex.locator("select[data-filter='severity']").select_option("high")
        assert visible.count() == high and ex.locator(".fa-count").inner_text() == f"{high} of {total} findings"
        ex.locator("select[data-filter='rule']").select_option("cross-border-basis")
        n = visible.count()
        assert 0 < n < high
        assert all(visible.nth(i).get_attribute("data-rule") == "cross-border-basis" for i in range(n))
        ex.locator("select[data-filter='severity']").select_option("")
        ex.locator("select[data-filter='rule']").select_option("")
        ex.locator("input[data-filter='text']").fill("surveypulse")
        assert 0 < visible.count() < total
        assert all("surveypulse" in visible.nth(i).inner_text().lower() for i in range(visible.count()))
        ex.locator("input[data-filter='text']").fill("")
        first_rule = lambda: visible.first.locator("td").nth(1).inner_text()  # noqa: E731
        rule_head = ex.locator("th", has_text="rule")
        rule_head.click()
        down = first_rule()
        rule_head.click()
        assert first_rule() != down  # the other way round
        sev_head = ex.locator("th", has_text="severity")
        sev_head.click()  # descending: most severe first
        assert visible.first.get_attribute("data-severity") == "high"
        sev_head.click()
        assert visible.first.get_attribute("data-severity") == "info"
        details = visible.first.locator("details").first
        if details.count():
            details.locator("summary").click()
            assert details.evaluate("d => d.open")
        assert errors == []  # the script ran without an error
    finally:
        page.context.close()


#: The smallest label of each diagram of the page, in CSS px as drawn, and the diagrams' count.
LABELS = """() => [...document.querySelectorAll('.fa-zoom svg')].map(svg => {
  const vb = svg.viewBox.baseVal, scale = svg.getBoundingClientRect().width / vb.width;
  const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')) * scale);
  return Math.min(...sizes);
})"""


def test_diagrams_open_readable_and_the_wheel_scrolls_the_page(browser, tmp_path_factory):
    page, errors, _, _ = _absoloop_page(browser, tmp_path_factory)
    try:
        smallest = page.evaluate(LABELS)
        assert len(smallest) >= 2 and min(smallest) >= 9, smallest  # no label under 9 CSS px as opened
        box = page.locator(".fa-zoom").first
        box.scroll_into_view_if_needed()
        zoom = box.get_attribute("data-zoom")
        b = box.bounding_box()
        page.mouse.move(b["x"] + b["width"] / 2, b["y"] + min(b["height"] / 2, 200))
        y0 = page.evaluate("window.scrollY")
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(150)
        assert page.evaluate("window.scrollY") > y0 and box.get_attribute("data-zoom") == zoom  # scrolled, no zoom
        box.scroll_into_view_if_needed()
        b = box.bounding_box()
        page.mouse.move(b["x"] + b["width"] / 2, b["y"] + 100)
        page.keyboard.down("Control")
        page.mouse.wheel(0, -300)
        page.keyboard.up("Control")
        page.wait_for_timeout(150)
        assert float(box.get_attribute("data-zoom")) > float(zoom)  # ctrl + wheel zooms
        left = box.evaluate("b => b.scrollLeft")
        b = box.bounding_box()
        page.mouse.move(b["x"] + b["width"] / 2, b["y"] + 100)
        page.mouse.down()
        page.mouse.move(b["x"] + b["width"] / 2 - 150, b["y"] + 100, steps=5)
        page.mouse.up()
        assert box.evaluate("b => b.scrollLeft") > left  # dragged: panned
        figure = page.locator(".fa-figure").first
        figure.locator(".fa-fit").click()
        fitted = box.evaluate("b => Math.round(b.querySelector('svg').getBoundingClientRect().width - b.clientWidth)")
        assert abs(fitted) <= 3  # fit: the drawing's width is the box's
        figure.locator(".fa-readable").click()
        assert float(box.get_attribute("data-label-px")) >= 9
        assert errors == []
    finally:
        page.context.close()


def test_hover_is_short_and_a_click_pins_the_whole_record_of_the_largest_arrow(browser, tmp_path_factory):
    """The atlas page (beside the report) whose arrow has the longest record: hover gives its
    start, a click pins all of it (every flow the arrow stands for)."""
    pages = sorted((_absoloop_run(tmp_path_factory) / "diagrams" / "atlas").glob("*.html"))
    assert len(pages) > 5  # Absoloop's 57 nodes are more than one drawing holds: the overview opens the atlas
    # the arrow with the longest record, as the page keeps it (compressed beside the drawing)
    kept = {(p, i): text for p in pages for i, text in svg_records(p.read_text("utf-8")).items()}
    (where, eid), whole = max(kept.items(), key=lambda kv: (len(kv[1]), kv[0][0].name, kv[0][1]))
    assert len(whole) > 2000 and whole.count("\nflow ") > 3  # an arrow of many flows
    assert whole not in html.unescape(where.read_text("utf-8"))  # not in the SVG: only its beginning is

    page, errors, _, _ = _open(browser, where)
    try:
        box = page.locator(".fa-zoom").first
        box.scroll_into_view_if_needed()
        edge = box.locator(f'g.edge[id="{eid}"]')
        edge.locator("path").first.dispatch_event("mouseover")
        tip = page.locator(".fa-tip")
        assert tip.is_visible()
        short = tip.inner_text()
        assert short.splitlines()[0] == whole.splitlines()[0] and len(short) < 500
        assert "click: the whole record" in short
        edge.locator("path").first.dispatch_event("click")
        panel = page.locator(".fa-record").first
        assert panel.is_visible()
        assert panel.locator(".fa-record-body").inner_text() == whole  # every merged flow, whole
        fits = panel.evaluate("p => p.scrollHeight <= p.clientHeight || getComputedStyle(p).overflowY === 'auto'")
        assert fits  # what does not fit scrolls: nothing is cut off
        assert panel.evaluate("p => p.getBoundingClientRect().width") > 600
        panel.locator("button").click()
        assert not panel.is_visible()
        assert errors == []
    finally:
        page.context.close()


def test_the_reports_long_tooltips_are_cut_and_a_click_pins_the_whole_record(browser, tmp_path_factory):
    """report.html keeps each tooltip over LONG_TOOLTIP characters once, packed: the SVG holds its
    first line, a click on the element pins all of it."""
    run = _absoloop_run(tmp_path_factory)
    text = (run / "report.html").read_text("utf-8")
    kept = svg_records(text)
    assert kept and min(len(v) for v in kept.values()) > LONG_TOOLTIP
    arrows = {k: v for k, v in kept.items() if re.search(rf'<g class="edge" id="{re.escape(k)}"', text)}
    eid, whole = max(arrows.items(), key=lambda kv: (len(kv[1]), kv[0]))  # (a box's click opens its page)
    assert html.escape(whole.splitlines()[1], quote=False) not in text  # only its first line is in the page
    page, errors, blocked, _ = _open(browser, run / "report.html")
    try:
        element = page.locator(f'[id="{eid}"]')
        element.scroll_into_view_if_needed()
        element.locator("path, polygon").first.dispatch_event("click")
        panel = page.locator(".fa-record:visible")
        assert panel.count() == 1 and panel.locator(".fa-record-body").inner_text() == whole
        assert errors == [] and blocked == []
    finally:
        page.context.close()


def test_hostile_names_execute_nothing(browser, tmp_path_factory):
    r = shared(session_base(tmp_path_factory), "hostile", _hostile)
    assert r["code"] == 1, r["stderr"]  # a complete run with a high finding
    run = latest_run(Path(r["folder"]) / "out" / "tiny")
    page, errors, blocked, dialogs = _open(browser, run / "report.html")
    try:
        assert page.evaluate("window.__pwned") is None
        assert errors == [] and blocked == [] and dialogs == []
        scripts = page.locator(f'script:not([type="{PACKED_TYPE}"])')  # flowatlas's own, nothing from the map
        assert scripts.count() == 1 and scripts.first.get_attribute("data-flowatlas") is not None
        assert page.locator("img[src='x'], svg[onload], [onerror]").count() == 0
        body = page.inner_text("body")
        assert "<script>window.__pwned=1</script>" in body  # shown as text
        assert '<img src=x onerror="window.__pwned=2">Web & <b>shop</b>' in body
        assert page.locator(".fa-zoom svg").count() >= 2  # diagrams still drawn
    finally:
        page.context.close()


OVERLAPS = """() => {
  const nodes = [...document.querySelectorAll('g.node')].map(g => g.getBoundingClientRect());
  let labels = 0, overlaps = 0, smallest = 99;
  for (const t of document.querySelectorAll('g.edge text, g.node text')) {
    labels++;
    smallest = Math.min(smallest, parseFloat(t.getAttribute('font-size') || '0'));
    if (!t.closest('g.edge')) continue;
    const r = t.getBoundingClientRect();
    for (const n of nodes) {
      if (Math.min(r.right, n.right) - Math.max(r.left, n.left) > 1 &&
          Math.min(r.bottom, n.bottom) - Math.max(r.top, n.top) > 1) overlaps++;
    }
  }
  return {labels, overlaps, smallest};
}"""


def test_absoloop_overview_at_full_size_has_no_label_over_a_node(browser, tmp_path):
    """The overview as dot draws it, opened at 100% in Chromium: no arrow's label lies over a
    node, and no text is smaller than 8 points."""
    from flowatlas.cli import main

    # node by node (max_nodes raised above its 57 nodes): what dot makes of a dense drawing
    args = ["render", str(ABSOLOOP), "--view", "overview", "--format", "svg", "--out", str(tmp_path)]
    assert main([*args, "--max-nodes", "60"]) == 0
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    try:
        page.goto((tmp_path / "overview.svg").as_uri())
        got = page.evaluate(OVERLAPS)
        assert got["labels"] > 200 and got["overlaps"] == 0 and got["smallest"] >= 8, got
    finally:
        page.close()


def _synthetic(folder: Path) -> dict:
    """The report of a synthetic map of another shape: 30 nodes, 150 flows in several countries."""
    m = folder / "map"
    for name, text in synth_texts(nodes=30, flows=150, types=20, seed=2).items():
        (m / name).parent.mkdir(parents=True, exist_ok=True)
        (m / name).write_text(text, "utf-8")
    return run_cli(folder, str(m), "--out", str(folder / "out"), "--fail-on", "none")


def test_a_synthetic_maps_diagrams_open_readable_and_the_page_scrolls(browser, tmp_path_factory):
    """Not Absoloop alone: a synthetic map of 150 flows: its report opens each inline diagram with
    its smallest label at 9 CSS px or more, the wheel scrolls the page over a diagram, and a
    click on an arrow pins its whole record."""
    r = shared(session_base(tmp_path_factory), "synthetic-small", _synthetic)
    assert r["code"] == 0, r["stderr"]
    run = next(p for p in (Path(r["folder"]) / "out").iterdir() if p.is_dir())
    page, errors, blocked, _ = _open(browser, latest_run(run) / "report.html")
    try:
        smallest = page.evaluate(LABELS)
        assert smallest and min(smallest) >= 9, smallest
        box = _wheel_scrolls_the_page(page, 300)
        edge = box.locator("g.edge").first
        edge.locator("path").first.dispatch_event("click")
        record = page.locator(".fa-record-body").first
        assert record.is_visible() and re.match(r"(flows? |\d+ flows? from )", record.inner_text())
        assert errors == [] and blocked == []
    finally:
        page.context.close()


def test_the_reports_overview_opens_the_atlas_and_its_pages_lead_back(browser, tmp_path_factory):
    """Absoloop's 57 nodes are more than one drawing holds: the report's overview is the atlas's
    first page, each box a link to a page written beside the report, which links back to it."""
    run = _absoloop_run(tmp_path_factory)
    report = (run / "report.html").read_text("utf-8")
    hrefs = set(re.findall(r'xlink:href="(diagrams/atlas/[^"]+)"', report))
    assert hrefs and all((run / h).is_file() for h in hrefs)
    page, errors, blocked, _ = _open(browser, run / "report.html")
    try:
        spot = page.evaluate(
            """() => {
              const a = [...document.querySelectorAll('svg a')].find(a => (a.getAttribute('xlink:href') ||
                a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '').startsWith('diagrams/atlas/'));
              const shape = a.querySelector('polygon, path, ellipse');
              shape.scrollIntoView({block: 'center'});
              const r = shape.getBoundingClientRect();
              return {x: r.x + r.width / 2, y: r.y + Math.min(r.height / 2, 10),
                      href: a.getAttribute('xlink:href') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href')};
            }"""
        )
        target = spot["href"]
        with page.expect_navigation():
            page.mouse.click(spot["x"], spot["y"])
        assert page.url.endswith(target.removeprefix("diagrams"))
        unpacked(page)
        assert page.locator(".fa-zoombar").count() == 1  # the viewer runs on the atlas's page
        back = page.locator(".fa-trail a", has_text="report")
        assert back.get_attribute("href") == "../../report.html"
        back.click()
        page.wait_for_load_state()
        assert page.url.endswith("/report.html")
        assert errors == [] and blocked == []
    finally:
        page.context.close()


#: Each drawing of the page: its nodes (the legend's not counted) and arrows.
DRAWN = """() => [...document.querySelectorAll('.fa-zoom svg')].map(svg => ({
  nodes: [...svg.querySelectorAll('g.node')]
    .filter(g => (g.querySelector('title') || {}).textContent !== '~legend').length,
  arrows: svg.querySelectorAll('g.edge').length}))"""


def test_the_second_maps_report_opens_readable_within_the_bounds_and_pins_a_record(browser, tmp_path_factory):
    """Kliniko (GDPR, 25 nodes: drawn node by node, no atlas): every drawing of its report within
    the bounds and readable as opened, the wheel scrolls the page, a click pins an arrow's record."""
    kliniko = ABSOLOOP.parent / "kliniko"
    make = lambda folder: run_cli(folder, str(kliniko), "--out", str(folder / "out"), "--fail-on", "none")  # noqa: E731
    r = shared(session_base(tmp_path_factory), "kliniko-browser", make)
    assert r["code"] == 0, r["stderr"]
    run = latest_run(Path(r["folder"]) / "out" / "kliniko")
    page, errors, blocked, _ = _open(browser, run / "report.html")
    try:
        drawn = page.evaluate(DRAWN)
        assert len(drawn) >= 2 and all(
            d["nodes"] <= DEFAULT_MAX_NODES and d["arrows"] <= MAX_DRAWN_ARROWS for d in drawn
        )
        smallest = page.evaluate(LABELS)
        assert min(smallest) >= 9, smallest
        box = _wheel_scrolls_the_page(page, 400)
        edge = box.locator("g.edge").first
        edge.scroll_into_view_if_needed()
        edge.locator("path").first.dispatch_event("click")
        record = page.locator(".fa-record:visible .fa-record-body")
        assert re.match(r"flows? ", record.inner_text())  # the arrow's record: its flow(s)
        assert errors == [] and blocked == []
    finally:
        page.context.close()
