"""The atlas of the 50,000-flow synthetic map (the size the issue names) in Chromium: every page
within the bounds and readable as it opens. The report of this map is checked by hand with
``benchmarks/drawings.py`` (it takes a minute more than this test)."""

from __future__ import annotations

import pytest
from render_svg import page_svg, parse
from test_atlas_browser import _every_page_readable
from test_report_browser import browser  # noqa: F401 - the browser fixture

from flowatlas import load_texts
from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.render.atlas import MAX_PAGES
from flowatlas.render.parts import DEFAULT_MAX_NODES, MAX_DRAWN_ARROWS
from flowatlas.report.atlas import write_atlas
from flowatlas.synth import synth_texts

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("atlas50k")]


def test_every_page_of_the_50k_atlas_is_within_the_bounds_and_opens_readable(browser, tmp_path):  # noqa: F811
    m = load_texts(synth_texts(nodes=5000, flows=50000, types=300, seed=1))
    a = Analysis(m)
    paths = write_atlas(a, audit(a), tmp_path)
    assert len(paths) == MAX_PAGES  # the budget: the organisations of the fewest flows a page have none
    for path in paths:
        drawn = parse(page_svg(path.read_text("utf-8")))
        assert len([n for n in drawn["node"] if n.title != "~legend"]) <= DEFAULT_MAX_NODES, path.name
        assert len(drawn["edge"]) <= MAX_DRAWN_ARROWS, path.name
    _every_page_readable(browser, paths)
