"""Every drawing of a report's run folder, as a reader opens it in Chromium: ``python benchmarks/drawings.py RUN``.

Opens ``report.html``, every page of ``diagrams/atlas/`` and every view's SVG of ``diagrams/``
(each in the report's viewer, as the notebooks show them) in headless Chromium at 1280 px, and
prints for each kind: how many drawings, the most nodes and arrows any holds (the legend not
counted), the smallest label as opened in CSS px, and the time to open them. Exits 1 when a
drawing holds more than ``DEFAULT_MAX_NODES`` nodes or ``MAX_DRAWN_ARROWS`` arrows or opens with
a label under 9 CSS px; what the tests check on the 1,000- and 10,000-flow maps, for a map too
large to run in the test suite (``flowatlas synth MAP --nodes 5000 --flows 50000 --types 300
--seed 1``, ``flowatlas report MAP --out OUT``).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from flowatlas.render.parts import DEFAULT_MAX_NODES, MAX_DRAWN_ARROWS
from flowatlas.report import rich

READABLE = 9.0
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

#: For each drawing of the page: its nodes (the legend's not counted), arrows and smallest label as drawn.
MEASURE = """() => [...document.querySelectorAll('.fa-zoom svg')].map(svg => {
  const vb = svg.viewBox.baseVal, scale = svg.getBoundingClientRect().width / vb.width;
  const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')) * scale);
  const nodes = [...svg.querySelectorAll('g.node')]
    .filter(g => (g.querySelector('title') || {}).textContent !== '~legend');
  return {nodes: nodes.length, arrows: svg.querySelectorAll('g.edge').length, label: Math.min(...sizes)};
})"""


def _view_pages(run: Path, tmp: Path) -> list[Path]:
    """Each view's SVG wrapped in a page with the report's viewer, as a notebook shows it."""
    pages = []
    for svg in sorted((run / "diagrams").glob("*.svg")):
        page = tmp / f"{svg.stem}.html"
        page.write_text(
            "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body style='width:1240px'>"
            + rich.assets()
            + rich.figure(svg.read_text("utf-8"), stem=svg.stem, title=svg.stem)
            + "</body></html>",
            encoding="utf-8",
        )
        pages.append(page)
    return pages


def main(run_dir: str) -> int:
    from playwright.sync_api import sync_playwright

    run = Path(run_dir)
    tmp = Path(tempfile.mkdtemp(prefix="flowatlas-drawings-"))
    kinds = {
        "report.html": [run / "report.html"],
        "atlas pages": sorted((run / "diagrams" / "atlas").glob("*.html")),
        "views (SVG files)": _view_pages(run, tmp),
    }
    bad: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        print(f"{'drawings':<18} {'n':>5} {'max nodes':>10} {'max arrows':>11} {'min label px':>13} {'seconds':>8}")
        for kind, paths in kinds.items():
            t0, drawn = time.perf_counter(), []
            for path in paths:
                page.goto(path.as_uri())
                page.wait_for_selector('html[data-fa-unpacked="ready"]', state="attached", timeout=60000)
                for i, d in enumerate(page.evaluate(MEASURE)):
                    drawn.append(d)
                    if d["nodes"] > DEFAULT_MAX_NODES or d["arrows"] > MAX_DRAWN_ARROWS or d["label"] < READABLE:
                        bad.append(f"{path.name} #{i + 1}: {d}")
            seconds = time.perf_counter() - t0
            if drawn:
                most_nodes, most_arrows = max(d["nodes"] for d in drawn), max(d["arrows"] for d in drawn)
                smallest = min(d["label"] for d in drawn)
                n = len(drawn)
                print(f"{kind:<18} {n:>5} {most_nodes:>10} {most_arrows:>11} {smallest:>13.2f} {seconds:>8.1f}")
        browser.close()
    shutil.rmtree(tmp, ignore_errors=True)
    for line in bad:
        print("over the bounds or unreadable:", line)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.splitlines()[0])
    sys.exit(main(sys.argv[1]))
