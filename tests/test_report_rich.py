"""The report's rich HTML parts, without a browser: text from a map stays text, the SVG put in
the page cannot run anything, and the first screen and the diff say what they should."""

from __future__ import annotations

import re

from flowatlas.findings import ClauseRef, Finding
from flowatlas.report import rich
from flowatlas.report.views import diff_view, run_time
from flowatlas.source import Source

EVIL = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def _finding(severity: str = "high", **kw) -> Finding:
    base = dict(
        rule="undeclared-recipient",
        severity=severity,
        message=f"Flow f1 goes to {EVIL}",
        remedy="Declare it " + "x " * 80,
        organisations=("evil org",),
        countries=("US",),
        clauses=(ClauseRef("p", "d1", "2.1", f"quote {EVIL}"),),
        src=Source("m/flows.yaml", 3, 5),
    )
    return Finding(**(base | kw))


def test_explorer_escapes_map_text_and_folds_long_text():
    page = rich.explorer([_finding(), _finding("low", rule="retention", message="short")])
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert page.count("<tr ") == 2 and 'data-severity="high"' in page
    assert 'data-organisation="evil org"' in page  # what the organisation filter matches
    assert "<details><summary>Declare it" in page  # the long remedy is folded
    assert "2 of 2 findings" in page
    # the table names files within the map's folder, said once in the heading; the cell keeps the path
    assert "<th>where (in m/)</th>" in page and '<code title="m/flows.yaml:3:5">flows.yaml:3:5</code>' in page
    mixed = rich.explorer([_finding(), _finding(src=Source("m/evidence/scan.json", 9, 1))])
    assert "where (in m/)" in mixed and ">evidence/scan.json:9:1<" in mixed
    assert "observed at" not in page  # audit findings have no evidence column
    seen = [Source("m/evidence/scan.json", n, 3) for n in range(1, 6)]
    rec = rich.explorer([_finding(evidence=tuple(seen))])
    assert "<th>where (in m/); observed at</th>" in rec and "<code>evidence/scan.json:1:3</code>" in rec
    assert "<summary>2 more</summary>" in rec and "evidence/scan.json:5:3" in rec  # the rest folded
    law = _finding(clauses=(ClauseRef("SG-PDPA", "contract", "PDPR 2021 reg 11", "A contract binds", law=True),))
    assert "<summary>PDPR 2021 reg 11</summary>" in rich.explorer([law])  # the law is not a "clause"


def test_inline_svg_cannot_run_anything():
    svg = (
        '<?xml version="1.0"?><!DOCTYPE svg><svg onload="alert(1)"><script>alert(2)</script>'
        "<g id=\"node1\" onclick='x()'><title>&lt;b&gt;</title></g></svg>"
    )
    out = rich.inline_svg(svg, "fa-v")
    assert not re.search(r"<script|onload|onclick|<\?xml|DOCTYPE", out)
    assert 'id="fa-v-node1"' in out and "&lt;b&gt;" in out


def test_figure_has_alt_text_caption_and_links():
    out = rich.figure("<svg><g></g></svg>", stem="overview", title="Map: overview\n57 nodes, 78 flows",
                      links=[("SVG", "diagrams/overview.svg")])  # fmt: skip
    assert 'aria-label="Map: overview; 57 nodes, 78 flows"' in out
    assert "<figcaption>Map: overview<br>57 nodes, 78 flows</figcaption>" in out
    assert '<a href="diagrams/overview.svg">SVG</a>' in out


def test_first_screen():
    out = rich.first_screen(
        name="Acme <b>", map_id="acme", policy="Policy, version 3", run_at="2026-12-01 10:00:00 UTC",
        previous="20261130T100000Z", counts={"high": 2, "medium": 0, "low": 1, "info": 0},
        changes=["+1 high: something"], fix_first=[_finding()],
        titles={"undeclared-recipient": "Undeclared <recipient>"},
    )  # fmt: skip
    assert "<summary><span" in out and "<b>Undeclared &lt;recipient&gt;</b> (clause 2.1): Flow f1" in out  # one line
    assert "<li>clause 2.1: “quote &lt;img" in out  # the quote, on opening
    assert "<b>Remedy:</b> Declare it" in out and "<b>At</b> <code>m/flows.yaml:3:5</code>" in out  # on opening
    assert "Acme &lt;b&gt;" in out and "<time>2026-12-01 10:00:00 UTC</time>" in out
    assert "compared with the run of 20261130T100000Z" in out and "+1 high: something" in out
    assert out.index("2 high") < out.index("0 medium") < out.index("1 low")
    assert "clause 2.1" in out and "m/flows.yaml:3:5" in out and "<script>" not in out
    first = rich.first_screen(name="A", map_id="a", policy="P", run_at="t", previous="", counts={},
                              changes=[], fix_first=[])  # fmt: skip
    assert "first run: nothing to compare with" in first and "Since the last run" not in first


def test_run_time_from_the_run_folder():
    assert run_time("outputs/acme/20261201T195524Z") == "2026-12-01 19:55:24 UTC"
    assert run_time("outputs/acme/20261201T195524Z-2") == "2026-12-01 19:55:24 UTC"
    assert run_time("").endswith(" UTC")


def test_the_diff_is_sentences_not_a_structure():
    diff = {
        "previous": True,
        "new": [{"id": "r-1", "severity": "high", "message": "A new problem", "rule": "r"}],
        "resolved": [],
        "changed": [{"id": "r-2", "rule": "r", "fields": ["severity"], "before": {"severity": "low"},
                     "after": {"severity": "high"}}],
        "counts": {"new": 1, "resolved": 0, "changed": 1, "unchanged": 3},
    }  # fmt: skip
    out = str(diff_view(diff, "outputs/m/20261130T000000Z"))
    assert "<li>+1 high: A new problem (r-1)</li>" in out
    assert "changed r-2 (high): severity low \u2192 high" in out
    assert "{" not in out and "'" not in out  # never a repr


def test_large_maps_keep_the_page_bounded():
    """A 50,000-flow map has 20,000 findings: the table lists the most severe, says so, and the
    files keep them all; the inventory lists a bounded number of rows per purpose."""
    many = [_finding("low", key=str(i), message=f"m{i}") for i in range(30)] + [_finding("high", key="h")]
    page = rich.explorer(many, limit=10)
    assert page.count("<tr ") == 10 and 'data-severity="high"' in page.split("<tr ")[1]
    assert "The 10 most severe of 31 findings are listed" in page
    rows = [{"purpose": "p", "purpose_name": "P", "type_name": f"t{i}"} for i in range(12)]
    inv = rich.inventory(rows, full="inventory.xlsx", limit=5)
    assert inv.count("<td>t") == 5 and "… and 7 more rows (inventory.xlsx)" in inv
    # many purposes: fewer rows of each, about MAX_INVENTORY_SHOWN in all, at least five of each
    n = rich.MAX_INVENTORY_SHOWN // 5  # 200 purposes of 12 rows each: five rows of each
    rows = [{"purpose": f"p{j}", "purpose_name": "P", "type_name": f"t{i}"} for j in range(n) for i in range(12)]
    inv = rich.inventory(rows, full="inventory.xlsx")
    assert inv.count("<details>") == n and inv.count("<td>t") == 5 * n == rich.MAX_INVENTORY_SHOWN
    wide = [{"purpose": "p", "purpose_name": "P", "recipients": "; ".join(f"org-{i:04d}" for i in range(2000))}]
    cell = rich.inventory(wide, full="inventory.xlsx")
    assert "org-0000; org-0001" in cell and "org-1999" not in cell and "more" in cell
    kept = cell.count("org-")
    assert f"… and {2000 - kept:,} more" in cell and len(cell) < 2_000


def test_counts_in_summaries_are_singular_for_one():
    one = [{"purpose": "p", "purpose_name": "P", "type_name": "t", "recipients": "acme",
            "third_country_transfers": "US (contract)", "finding_ids": "r-1", "findings": 1}]  # fmt: skip
    assert "P (p) — 1 type, 1 recipient, 1 transfer abroad, 1 finding</summary>" in rich.inventory(one, full="x")
    assert "1 of 1 finding<" in rich.explorer([_finding()])
