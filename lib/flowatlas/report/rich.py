"""The rich parts of the report and of the notebooks' outputs, as HTML built with every text escaped.

- :func:`figure`: a diagram as real SVG in the page (so its tooltips work), fitted to the width,
  with pan and zoom, a reset button, a caption, alt text and links to its files;
- :func:`explorer`: every finding in one table that sorts and filters (severity, rule,
  organisation, country, text), long text folded in ``<details>``;
- :func:`first_screen`: what a privacy officer reads first.

The behaviour is one script, ``static/flowatlas.js``, part of flowatlas. A notebook output
carries it (:func:`assets`) so that JupyterLab runs it; ``report.html`` carries it once, and its
Content-Security-Policy allows that script alone, by its hash (:func:`csp`): no text of a map can
run, whatever it holds.

>>> "<script" in figure('<svg><g id="graph0"><title>&lt;script&gt;</title></g></svg>', stem="v", title="View")
False
>>> csp().startswith("default-src 'none'; script-src 'sha256-")
True
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flowatlas.findings import SEVERITIES, SEVERITY_RANK, Finding, cited, sort_findings
from flowatlas.render.parts import TOOLTIP_CHARS
from flowatlas.render.style import SEVERITY_COLOUR
from flowatlas.render.text import shorten
from flowatlas.report.runs import run_date
from flowatlas.source import Source
from flowatlas.words import counted

STATIC = Path(__file__).resolve().parent / "static"
#: The attribute that marks flowatlas's own script and style in a page.
MARK = "data-flowatlas"


@functools.cache
def script() -> str:
    """The text of flowatlas's script."""
    return (STATIC / "flowatlas.js").read_text("utf-8")


@functools.cache
def style() -> str:
    """The text of flowatlas's style sheet."""
    return (STATIC / "flowatlas.css").read_text("utf-8")


def script_hash() -> str:
    """The CSP source of the script: ``'sha256-...'`` of its exact text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script().encode("utf-8")).digest()).decode() + "'"


def csp() -> str:
    """The report's Content-Security-Policy: nothing fetched, no script but flowatlas's own
    (inline event handlers and any other script refused), images only as ``data:``."""
    return (
        f"default-src 'none'; script-src {script_hash()}; style-src 'unsafe-inline'; img-src data:; "
        "font-src data:; base-uri 'none'; form-action 'none'"
    )


def assets() -> str:
    """The style and the script, for an output that must work on its own (JupyterLab)."""
    return f"<style {MARK}>{style()}</style><script {MARK}>{script()}</script>"


_ASSET = re.compile(rf'<(style|script) {MARK}(?:="")?>.*?</\1>', re.S)  # (nbconvert writes the mark ="")


def strip_assets(page: str) -> str:
    """``page`` without the copies of the style and script its outputs carry."""
    return _ASSET.sub("", page)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------- diagrams

_COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*", re.S)


def inline_svg(svg: str, prefix: str) -> str:
    """Graphviz SVG fit for the inside of an HTML page: no XML prolog, ids prefixed (several
    diagrams share one page), and nothing that could run (graphviz escapes map text; a
    ``<script>`` element or an ``on...`` attribute would still be removed)."""
    body = _COMMENT.sub("", _PROLOG.sub("", svg, count=1))  # graphviz's comment per node and edge: 4 of 112 MB
    body = re.sub(r'\bid="([^"]*)"', lambda mm: f'id="{prefix}-{mm.group(1)}"', body)
    body = re.sub(r"<script\b.*?</script\s*>", "", body, flags=re.S | re.I)
    return re.sub(r'\son[a-z]+\s*=\s*("[^"]*"|\'[^\']*\')', "", body, flags=re.I)


def figure(
    svg: str,
    *,
    stem: str,
    title: str,
    links: Sequence[tuple[str, str]] = (),
    note: str = "",
    records: Mapping[str, str] | None = None,
    pack: bool = False,
) -> str:
    """A diagram: its SVG in the page inside a pan-and-zoom box, a caption (the view's own title
    and counts), alt text, links to its files (``(label, href)``) and the whole ``records`` of
    its arrows by their ids (:attr:`flowatlas.render.diagram.Diagram.records`), which a click
    pins. ``pack``: the SVG too is packed (:func:`packed`), for the viewer to unpack: a page
    that holds one drawing and the viewer's script beside it (the atlas's), a tenth the bytes."""
    lines = [x for x in title.splitlines() if x.strip()]
    label = "; ".join(lines) or stem
    prefix = f"fa-{re.sub(r'[^A-Za-z0-9_-]', '-', stem)}"
    svg_in = inline_svg(svg, prefix)
    svg_in = re.sub(r"<svg\b", f'<svg role="img" aria-label="{_e(label)}"', svg_in, count=1)
    link_html = " · ".join(f'<a href="{_e(href)}">{_e(name)}</a>' for name, href in links)
    caption = "<br>".join(_e(x) for x in lines) + (f"<br>{_e(note)}" if note else "")
    return (
        f'<figure class="fa-figure" data-view="{_e(stem)}">'
        f'<div class="fa-tools">'
        f"<span>ctrl + wheel: zoom · drag: pan · double-click: fit · hover: details · click: the whole record</span>"
        + (f"<span>files: {link_html}</span>" if link_html else "")
        + f'</div><div class="fa-zoom">{_packed_svg(svg_in) if pack else svg_in}</div>'
        + f"<figcaption>{caption}</figcaption></figure>"
        + records_block({f"{prefix}-{k}": v for k, v in (records or {}).items()})
    )


#: A drawing's element (node, arrow, box) in graphviz SVG, up to the next one.
#: (Attributes in either order: nbconvert writes ``class`` first.)
_ELEMENT = re.compile(
    r'<g\b(?=[^>]*\sclass="(?:node|edge|cluster)")[^>]*\sid="([^"]+)"[^>]*>'
    r'.*?(?=<g\b[^>]*\sclass="(?:node|edge|cluster)"|</svg>)',
    re.S,
)
_TITLE = re.compile(r'xlink:title="([^"]*)"')

#: A tooltip longer than this is kept whole beside the drawing by :func:`keep_records`.
LONG_TOOLTIP = 400


def keep_records(page: str) -> str:
    r"""``page`` with each tooltip of its drawings longer than :data:`LONG_TOOLTIP` characters
    cut to its first line, the whole of it kept once in a packed data block the viewer pins on a
    click (:func:`records_block`): the tooltips of a summary are most of its SVG's bytes. The
    drawings stay inline and readable without the script; only the whole record needs it.

    >>> svg = '<svg><g class="edge" id="fa-v-edge1"><a xlink:title="a&#10;' + "b" * 500 + '"></a></g></svg>'
    >>> import base64, gzip, json
    >>> out = keep_records(svg)
    >>> blob = re.search(r'class="fa-records">([^<]*)<', out).group(1)
    >>> 'xlink:title="a&#10;…"' in out, json.loads(gzip.decompress(base64.b64decode(blob)))["fa-v-edge1"][:3]
    (True, 'a\nb')
    """
    kept: dict[str, str] = {}

    def element(mm: re.Match[str]) -> str:
        def title(t: re.Match[str]) -> str:
            text = html.unescape(t.group(1))
            if len(text) <= LONG_TOOLTIP:
                return t.group(0)
            kept[mm.group(1)] = text
            first = text.split("\n", 1)[0]
            return f'xlink:title="{_e(shorten(first, TOOLTIP_CHARS))}&#10;…"'

        return _TITLE.sub(title, mm.group(0))

    out = _ELEMENT.sub(element, page)
    if not kept:
        return page
    block = records_block(kept)
    head, sep, tail = out.rpartition("</body>")
    return head + block + sep + tail if sep else out + block


def _packed_svg(svg: str) -> str:
    return (
        data_block("svg", svg) + "<noscript>The drawing is packed: the page's script (flowatlas.js, beside it) "
        "unpacks it. Open the page in a browser with JavaScript on, or draw it with flowatlas render.</noscript>"
    )


def records_block(records: Mapping[str, str]) -> str:
    """``records`` (text by element id) as JSON in a packed data block of the page
    (:func:`data_block`), which the viewer reads with ``JSON.parse``."""
    if not records:
        return ""
    return data_block("records", json.dumps(records, ensure_ascii=False, separators=(",", ":")))


def packed(text: str) -> str:
    """``text`` gzip-compressed (deterministic: no timestamp) and base64-encoded: what the viewer
    unpacks with the browser's own ``DecompressionStream``. A drawing or a record of a few
    hundred flows takes a tenth of its text's bytes.

    >>> import base64, gzip
    >>> gzip.decompress(base64.b64decode(packed("<b>"))).decode()
    '<b>'
    """
    return base64.b64encode(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


def data_block(kind: str, text: str) -> str:
    """``text`` :func:`packed` in a ``<script class="fa-KIND">`` of a type no browser runs: data,
    never code (the pages' policy allows no inline script anyway); base64 holds no ``<``.

    >>> data_block("records", "{}").split(">")[0]
    '<script type="application/x-flowatlas+gzip+base64" class="fa-records"'
    """
    return f'<script type="{PACKED_TYPE}" class="fa-{kind}">{packed(text)}</script>'


#: The type of a packed data block: not a script type, so no browser runs it.
PACKED_TYPE = "application/x-flowatlas+gzip+base64"


# --------------------------------------------------------------------------- findings


def _badge(severity: str) -> str:
    return f'<span class="fa-sev fa-{_e(severity)}">{_e(severity)}</span>'


def _fold(text: str, limit: int = 110) -> str:
    """Short text as it is; long text folded: its start, the rest on demand."""
    if len(text) <= limit:
        return _e(text)
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"<details><summary>{_e(cut)} …</summary>{_e(text)}</details>"


def _options(name: str, values: Sequence[str]) -> str:
    opts = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)
    return f'<label>{_e(name)} <select data-filter="{_e(name)}"><option value="">all</option>{opts}</select></label>'


#: The findings table lists at most this many (the most severe first): a 50,000-flow map has
#: 29,000 findings, which would make the page tens of MB (1,000 of them were 1.6 MB);
#: findings.csv has them all.
MAX_EXPLORER_ROWS = 500


def explorer(
    findings: Sequence[Finding], *, limit: int = MAX_EXPLORER_ROWS, first_seen: Mapping[str, str] | None = None
) -> str:
    """Every finding in one table that sorts (click a heading) and filters (severity, rule,
    organisation, country, and any text); the message, clause quotes and remedy of each are
    folded, with the full text a click away. Past ``limit`` findings the most severe are listed
    and the rest counted (they are all in findings.csv). With ``first_seen`` (a scheduled run's
    history), a column gives the day each finding first appeared."""
    every = sort_findings(list(findings))
    found = every[:limit]
    rules = sorted({f.rule for f in found})
    orgs = sorted({o for f in found for o in f.organisations})
    countries = sorted({c for f in found for c in f.countries})
    present = [s for s in reversed(SEVERITIES) if any(f.severity == s for f in found)]
    folder = _common_folder([f.location for f in found])
    # reconciliation findings also say where the evidence shows it, under the map record
    observed_head = "; observed at" if any(f.evidence for f in found) else ""
    rows = []
    for f in found:
        clause_cell = (
            f"<details><summary>{_e(cited(f.clauses))}</summary><ul>{_quotes(f)}</ul></details>" if f.clauses else ""
        )
        attrs = (
            f'data-severity="{_e(f.severity)}" data-rule="{_e(f.rule)}" '
            f'data-organisation="{_e(" ".join(f.organisations))}" data-country="{_e(" ".join(f.countries))}"'
        )
        rows.append(
            f"<tr {attrs}>"
            f'<td data-sort="{SEVERITY_RANK[f.severity]}">{_badge(f.severity)}</td>'
            f"<td>{_e(f.rule)}</td>"
            f'<td class="fa-text">{_fold(f.message)}</td>'
            f"<td>{clause_cell}</td>"
            f'<td class="fa-remedy">{_fold(f.remedy, 60)}</td>'
            f"<td>{_e(', '.join(f.organisations))}</td>"
            f"<td>{_e(', '.join(f.countries))}</td>"
            f'<td class="fa-where"><code title="{_e(f.location)}">{_e(f.location[len(folder) :])}</code>'
            f"<br><small>{_e(f.id)}</small>{_observed(f.evidence, folder)}</td>"
            + (f"<td>{_e(first_seen.get(f.id, ''))}</td>" if first_seen else "")
            + "</tr>"
        )
    controls = (
        _options("severity", present)
        + _options("rule", rules)
        + _options("organisation", orgs)
        + _options("country", countries)
        + '<label>text <input type="search" data-filter="text" placeholder="any word"></label>'
        + f'<span class="fa-count">{len(found)} of {counted(len(found), "finding")}</span>'
    )
    head = "".join(
        f"<th>{_e(h)}</th>" for h in ("severity", "rule", "finding", "clauses", "remedy", "organisations", "countries")
    ) + (f"<th>where (in {_e(folder)}){observed_head}</th>" if folder else f"<th>where{observed_head}</th>")
    head += "<th>first seen</th>" if first_seen else ""
    body = "".join(rows)
    more = (
        f"<p>The {len(found):,} most severe of {len(every):,} findings are listed; findings.csv and "
        "findings.json (gzip-compressed past 1 MB) have them all.</p>"
        if len(every) > len(found)
        else ""
    )
    return (
        f'<div class="fa-explorer"><div class="fa-controls">{controls}</div>{more}'
        f'<div class="fa-scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></div>'
    )


#: The trend chart's size (CSS px) and margins.
TREND_W, TREND_H, TREND_PAD = 640, 180, 36


def trend_chart(runs: Sequence[Mapping[str, Any]]) -> str:
    """The findings of each run by severity, as a small line chart in inline SVG (no script,
    nothing fetched): one line per severity, a point per run, the runs' days under it.

    >>> svg = trend_chart([{"run": "20261201T060000Z", "counts": {"high": 3, "medium": 1}},
    ...                    {"run": "20261208T060000Z", "counts": {"high": 1, "medium": 2}}])
    >>> svg.count("<polyline"), "2026-12-08" in svg, 'aria-label="high: 3 to 1; medium: 1 to 2' in svg
    (2, True, True)
    """
    severities = [x for x in reversed(SEVERITIES) if any(int(r["counts"].get(x, 0)) for r in runs)]
    top = max([int(r["counts"].get(x, 0)) for r in runs for x in severities] or [1]) or 1
    n = len(runs)
    w, h, pad = TREND_W, TREND_H, TREND_PAD

    def xy(i: int, v: int) -> tuple[float, float]:
        x = pad + (w - 2 * pad) * (i / (n - 1) if n > 1 else 0.5)
        return x, h - pad - (h - 2 * pad) * v / top

    parts = [
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#888"/>',
        f'<text x="{pad - 6}" y="{pad + 4}" text-anchor="end" font-size="11">{top}</text>',
        f'<text x="{pad - 6}" y="{h - pad + 4}" text-anchor="end" font-size="11">0</text>',
    ]
    step = max(1, (n + 7) // 8)  # at most about eight days under the axis
    for i, r in enumerate(runs):
        if i % step == 0 or i == n - 1:
            x, _ = xy(i, 0)
            parts.append(
                f'<text x="{x:.1f}" y="{h - pad + 16}" text-anchor="middle" font-size="11">'
                f"{_e(run_date(str(r['run'])))}</text>"
            )
    legend = []
    for j, sev in enumerate(severities):
        colour = SEVERITY_COLOUR.get(sev, SEVERITY_COLOUR[None])  # the diagrams' colours
        pts = [xy(i, int(r["counts"].get(sev, 0))) for i, r in enumerate(runs)]
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            + '"/>'
        )
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in pts]
        lx = pad + j * 110
        parts.append(f'<rect x="{lx}" y="6" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14}" y="15" font-size="12">{_e(sev)}</text>')
        first, last = int(runs[0]["counts"].get(sev, 0)), int(runs[-1]["counts"].get(sev, 0))
        legend.append(f"{sev}: {first} to {last}")
    label = "; ".join(legend) + f" over {n} runs"
    return (
        f'<svg class="fa-trend" role="img" aria-label="{_e(label)}" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">'
        + "".join(parts)
        + "</svg>"
    )


#: The inventory's key columns, in the order people read them (the XLSX has them all).
INVENTORY_KEYS: tuple[tuple[str, str], ...] = (
    ("type_name", "information type"),
    ("sensitivity", "sensitivity"),
    ("recipients", "recipients"),
    ("third_country_transfers", "third-country transfers (basis)"),
    ("retention", "retention"),
    ("storage", "stored in"),
    ("findings", "findings"),
)


#: Per purpose, the inventory lists at most this many rows (the XLSX has them all).
MAX_INVENTORY_ROWS = 100

#: In all, the inventory lists about this many rows: a map of many purposes lists fewer of each
#: (at least five): the 50,000-flow map's 216 purposes were 1.7 MB of its report.html.
MAX_INVENTORY_SHOWN = 1000

#: A cell of the inventory longer than this many characters lists its first items and how many
#: more there are (a 50,000-flow map's recipients per type made the inventory 4.2 MB of HTML).
MAX_INVENTORY_CELL = 300


def _fold_list(value: object, limit: int = MAX_INVENTORY_CELL) -> str:
    """``value`` as text; a ``"; "``-separated list longer than ``limit`` characters keeps the
    items that fit and says how many more there are.

    >>> _fold_list("a; b; c; d", limit=5)
    'a; b … and 2 more'
    """
    text = str(value)
    if len(text) <= limit:
        return text
    items = text.split("; ")
    kept: list[str] = []
    for item in items:
        if kept and len("; ".join([*kept, item])) > limit:
            break
        kept.append(item)
    if len(kept) == 1 and len(kept[0]) > limit:  # one long item: cut it
        kept[0] = kept[0][:limit] + "…"
    rest = len(items) - len(kept)
    return "; ".join(kept) + (f" … and {rest:,} more" if rest else "")


def inventory(rows: Sequence[dict], *, full: str = "", limit: int = MAX_INVENTORY_ROWS) -> str:
    """The record of processing folded per purpose: one ``<details>`` per purpose, its summary
    saying how many types, recipients and transfers it has; inside, the key columns
    (:data:`INVENTORY_KEYS`) of at most ``limit`` rows, fewer when there are many purposes
    (:data:`MAX_INVENTORY_SHOWN`). ``full`` names the file with every row and column."""
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(f"{r.get('purpose_name') or r.get('purpose')} ({r.get('purpose')})", []).append(r)
    limit = min(limit, max(5, MAX_INVENTORY_SHOWN // max(len(by), 1)))
    parts = []
    for purpose, items in by.items():
        recipients = {x for r in items for x in str(r.get("recipients") or "").split("; ") if x}
        transfers = {x for r in items for x in str(r.get("third_country_transfers") or "").split("; ") if x}
        # distinct findings: one finding about several types of the purpose counts once
        flagged = len({x for r in items for x in str(r.get("finding_ids") or "").split("; ") if x})
        summary = (
            f"{_e(purpose)} — {counted(len(items), 'type')}, {counted(len(recipients), 'recipient')}, "
            + counted(len(transfers), "transfer abroad", "transfers abroad")
            + (f", {counted(flagged, 'finding')}" if flagged else "")
        )
        head = "".join(f"<th>{_e(label)}</th>" for _, label in INVENTORY_KEYS)
        body = "".join(
            "<tr>" + "".join(f"<td>{_e(_fold_list(r.get(k, '') or ''))}</td>" for k, _ in INVENTORY_KEYS) + "</tr>"
            for r in items[:limit]
        )
        if len(items) > limit:
            body += (
                f'<tr><td colspan="{len(INVENTORY_KEYS)}">… and {len(items) - limit:,} more rows ({_e(full)})</td></tr>'
            )

        parts.append(
            f'<details><summary>{summary}</summary><div class="fa-scroll"><table class="fa-inventory">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></details>"
        )
    note = (
        f"<p>Every column (controller, subjects, sources, security measures, flows…): {_e(full)}.</p>" if full else ""
    )
    return f'<div class="fa-inventory-view">{note}{"".join(parts)}</div>'


def assessments(sheets: Sequence[dict], *, files: str = "", total: int | None = None) -> str:
    """The transfer impact assessment worksheets folded one per transfer: its summary says who
    sends what where on which tool and whether an assessment is recorded; inside, each of the six
    steps with what the map says and the questions a person answers. ``sheets`` are the JSON
    export's worksheets; ``files`` names the files to fill in; ``total`` is how many there are in
    all when ``sheets`` shows only the first of them."""
    if not sheets:
        return '<div class="fa-tia"><p>No transfer of the map relies on a tool that needs an assessment.</p></div>'
    parts = []
    for w in sheets:
        last = w["steps"][-1]["facts"]
        open_flows = last.get("flows without a recorded assessment", "none")
        state = "assessment recorded" if open_flows == "none" else f"no assessment for {open_flows}"
        steps = "".join(
            f"<h4>Step {s['step']}: {_e(s['title'])}</h4>"
            + (
                '<table class="fa-inventory"><tbody>'
                + "".join(f"<tr><th>{_e(k)}</th><td>{_e(_fold_list(v))}</td></tr>" for k, v in s["facts"].items())
                + "</tbody></table>"
                if s["facts"]
                else ""
            )
            + "<ul>"
            + "".join(f"<li>{_e(q)} <em>(to be answered)</em></li>" for q in s["questions"])
            + "</ul>"
            for s in w["steps"]
        )
        parts.append(f"<details><summary>{_e(w['title'])} — {_e(state)}</summary>{steps}</details>")
    note = f"<p>To fill in: {_e(files)}.</p>" if files else ""
    if total is not None and total > len(sheets):
        note += (
            f"<p>Showing {len(sheets):,} of {total:,} worksheets, those with a transfer that records no "
            f"assessment first; every one is in the files.</p>"
        )
    return f'<div class="fa-tia">{note}{"".join(parts)}</div>'


def legend(colours: dict[str, str], title: str) -> str:
    """A row of coloured labels saying what each colour of a table means."""
    items = "".join(f'<span style="background:{_e(c)}">{_e(k)}</span>' for k, c in colours.items())
    return f'<div class="fa-legend"><b>{_e(title)}</b>{items}</div>'


def first_screen(
    *,
    name: str,
    map_id: str,
    policy: str,
    run_at: str,
    previous: str,
    counts: dict[str, int],
    changes: Sequence[str],
    fix_first: Sequence[Finding],
    titles: Mapping[str, str] | None = None,
) -> str:
    """The first screen of the report: which map and policy, when it ran and against which
    earlier run, the severity counts in colour, what changed, and the few things to fix first,
    each on one line with its rule's title (``titles``, by rule id) and its clause, opening to the
    whole finding and its remedy."""
    badges = "".join(f'<span class="fa-sev fa-{_e(s)}">{counts.get(s, 0)} {_e(s)}</span>' for s in reversed(SEVERITIES))
    compared = f"compared with the run of {_e(previous)}" if previous else "first run: nothing to compare with"
    change_html = (
        "<ul>"
        + "".join(f"<li>{_e(c)}</li>" for c in changes[:6])
        + "</ul>"
        + (f"<p>… and {len(changes) - 6} more changes below.</p>" if len(changes) > 6 else "")
        if changes
        else "<p>No change since the last run.</p>"
        if previous
        else ""
    )

    def title(f: Finding) -> str:  # the rule's title, before what the finding says
        t = (titles or {}).get(f.rule)
        return f"<b>{_e(t)}</b>" if t else _e(f.rule)

    items = []
    for f in fix_first:
        # what it is held against: the statement's clauses or the law; or where the evidence shows it
        held = cited(f.clauses) or (f"evidence at {_file_line(f.evidence[0])}" if f.evidence else "")
        cite = f" ({_e(_short(held, 60))})" if held else ""
        quotes = _quotes(f)
        items.append(
            f"<li><details><summary>{_badge(f.severity)} {title(f)}{cite}: {_e(_short(f.message, 160))}</summary>"
            f"<p>{_e(f.message)}</p>"
            + (f"<p><b>Held against</b></p><ul>{quotes}</ul>" if quotes else "")
            + f"<p><b>Remedy:</b> {_e(f.remedy)}</p><p><b>At</b> <code>{_e(f.location)}</code></p></details></li>"
        )
    fix = f"<h3>Fix first</h3><ol>{''.join(items)}</ol>" if items else "<p>Nothing to fix: no finding.</p>"
    return (
        f'<section class="fa-first"><h2>{_e(name)}</h2>'
        f'<p class="fa-meta">map <b>{_e(map_id)}</b> · {_e(policy)} · run <time>{_e(run_at)}</time> · {compared}</p>'
        f'<div class="fa-badges">{badges}</div>'
        + (f"<h3>Since the last run</h3>{change_html}" if previous else "")
        + f"{fix}</section>"
    )


def _file_line(src: Source) -> str:
    """``name:line`` of an evidence location: the file's own name, not its folders.

    >>> _file_line(Source("dataflows/m/evidence/state.json", 51, 13))
    'state.json:51'
    """
    return f"{src.file.rpartition('/')[2]}:{src.line}"


def _quotes(f: Finding) -> str:
    """The clauses (or provisions) ``f`` is held against, with their words, as list items."""
    return "".join(f"<li>{_e(c.label)}: “{_e(c.quote)}”</li>" for c in f.clauses)


def _observed(places: Sequence[object], folder: str) -> str:
    """The evidence's own locations (under the finding's), the first three shown and the rest folded."""
    if not places:
        return ""
    names = [str(p)[len(folder) :] if str(p).startswith(folder) else str(p) for p in places]
    shown = '<div class="fa-observed">observed at:<br>' + "<br>".join(f"<code>{_e(n)}</code>" for n in names[:3])
    if len(names) <= 3:
        return shown + "</div>"
    rest = "<br>".join(f"<code>{_e(n)}</code>" for n in names[3:])
    return f"{shown}<details><summary>{len(names) - 3} more</summary>{rest}</details></div>"


def _common_folder(locations: Sequence[str]) -> str:
    """The folder all ``locations`` (``file:line:col``) share, with its trailing ``/``: the
    findings table names files within it.

    >>> _common_folder(["maps/a/flows.yaml:3:5", "maps/a/nodes.yaml:9:5"])
    'maps/a/'
    >>> _common_folder(["flows.yaml:3:5", "maps/a/nodes.yaml:9:5"])
    ''
    """
    folders = [loc.rsplit("/", 1)[0] + "/" if "/" in loc.split(":", 1)[0] else "" for loc in locations if loc]
    if not folders:
        return ""
    common = min(folders)
    while common and not all(f.startswith(common) for f in folders):
        common = common[:-1].rsplit("/", 1)[0] + "/" if "/" in common[:-1] else ""
    return common


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


__all__ = ["assets", "csp", "explorer", "figure", "first_screen", "inline_svg", "legend", "script", "strip_assets"]
