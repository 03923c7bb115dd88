"""The atlas's pages as files: one small HTML page per drawing, linked both ways.

Each page of :func:`flowatlas.render.atlas.atlas` is written as ``STEM.html`` in one folder:
a breadcrumb (the pages above it, each a link), links to the page before and after it when
its level is cut into pages, and its drawing as inline SVG in the viewer the report uses
(pan, zoom, a click pins the whole record, which the page keeps compressed beside its SVG:
:func:`flowatlas.report.rich.records_block`). The viewer's script and style are written once
beside the pages (``flowatlas.js``, ``flowatlas.css``) and the pages' Content-Security-Policy
allows no other script: a map's text stays text.

>>> from flowatlas.analysis import Analysis
>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> from flowatlas.render.atlas import atlas
>>> "<nav" in page_html(atlas(Analysis(load_texts(EXAMPLE)))[1], "<svg></svg>")
True
"""

from __future__ import annotations

import concurrent.futures as cf
import html
from collections.abc import Sequence
from pathlib import Path

from flowatlas.analysis import Analysis
from flowatlas.files import write_whole
from flowatlas.findings import Finding
from flowatlas.render.atlas import MAX_PAGES, Page, atlas
from flowatlas.render.files import to_svg
from flowatlas.report import rich

#: The pages' policy: the viewer's script from the folder, nothing fetched, no inline script.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def page_html(page: Page, svg: str, *, home: str = "") -> str:
    """The HTML of one page around its laid-out ``svg`` (``home``: a link to the report, when
    the pages sit in a run folder)."""
    crumbs = [f'<a href="{_e(home)}">report</a>'] if home else []
    crumbs += [f'<a href="{_e(stem)}.html">{_e(name)}</a>' for name, stem in page.trail]
    crumbs.append(f'<span aria-current="page">{_e(page.name)}</span>')
    pager = []
    if page.prev:
        pager.append(f'<a rel="prev" href="{_e(page.prev)}.html">← previous page</a>')
    if page.next:
        pager.append(f'<a rel="next" href="{_e(page.next)}.html">next page →</a>')
    title = page.diagram.title.splitlines()[0] if page.diagram.title else page.name
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{_e(title)}</title><link rel="stylesheet" href="flowatlas.css"></head>\n'
        '<body class="fa-atlas"><nav class="fa-trail" aria-label="where this page is">'
        + " › ".join(crumbs)
        + "</nav>\n"
        + (f'<nav class="fa-pager">{" · ".join(pager)}</nav>\n' if pager else "")
        + rich.figure(svg, stem=page.stem, title=page.diagram.title, records=page.diagram.records or {}, pack=True)
        + (
            '\n<nav class="fa-index" aria-label="the pages one level down">'
            + " · ".join(f'<a href="{_e(stem)}.html">{_e(name)}</a>' for name, stem in page.index)
            + "</nav>"
            if page.index
            else ""
        )
        + '\n<script src="flowatlas.js"></script></body></html>\n'
    )


def write_atlas(
    a: Analysis,
    findings: Sequence[Finding] | None,
    out_dir: str | Path,
    *,
    home: str = "",
    provenance: bool = True,
    workers: int = 2,
    max_pages: int = MAX_PAGES,
) -> list[Path]:
    """Write the pages of the atlas of ``a`` (at most ``max_pages``) into ``out_dir``, the
    viewer's script and style beside them; returns the pages' paths, the first page first. Each
    file is replaced whole."""
    out = Path(out_dir)
    pages = atlas(a, findings, provenance=provenance, max_pages=max_pages)
    laid: dict[str, str] = {}

    def one(page: Page) -> None:
        laid[page.stem] = page_html(page, to_svg(page.diagram), home=home)

    # each page is laid out by its own `dot` process: two at once on two cores
    with cf.ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        list(pool.map(one, pages))
    # written once every page is laid out: a page that fails leaves no half-written folder
    out.mkdir(parents=True, exist_ok=True)
    for name, text in (("flowatlas.js", rich.script()), ("flowatlas.css", rich.style() + PAGE_STYLE)):
        write_whole(out / name, text.encode("utf-8"))
    paths = []
    for page in pages:
        paths.append(out / f"{page.stem}.html")
        write_whole(paths[-1], laid[page.stem].encode("utf-8"))
    return paths


#: What the pages add to the viewer's style: the breadcrumb and the pager.
PAGE_STYLE = """
body.fa-atlas { font-family: system-ui, sans-serif; margin: 1em; }
.fa-trail, .fa-pager, .fa-index { font-size: 14px; margin: 0.2em 0 0.6em; }
.fa-trail [aria-current] { font-weight: 600; }
"""


__all__ = ["CSP", "page_html", "write_atlas"]
