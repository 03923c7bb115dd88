"""Files and the ``flowatlas render`` command: stable names, formats, errors as exit 2."""

from __future__ import annotations

import graphviz
import pytest
from render_maps import RICH, RICH_ON_BASE, findings
from render_svg import parse

from flowatlas import load_texts
from flowatlas.analysis import Analysis
from flowatlas.cli import main
from flowatlas.errors import UsageError
from flowatlas.render import lineage, overview, parse_formats, source, write
from flowatlas.render.files import PNG_MIN_TEXT_PX, png_text_px


def test_write_uses_stable_names_and_consistent_contents(tmp_path):
    m = load_texts(RICH, base_taxonomy=False)
    g = overview(Analysis(m), findings())
    paths = write(g, tmp_path / "out", "overview", "svg,png,dot")
    assert {k: p.name for k, p in paths.items()} == {
        "dot": "overview.dot",
        "svg": "overview.svg",
        "png": "overview.png",
    }
    assert paths["dot"].read_text(encoding="utf-8") == source(g)
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(parse(paths["svg"].read_text(encoding="utf-8"))["edge"]) == len(m.flows)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["overview.dot", "overview.png", "overview.svg"]
    again = write(lineage(Analysis(m), "email"), tmp_path / "out", "lineage-email", ["dot"])
    assert list(again) == ["dot"]


def test_formats_and_stems_are_checked(tmp_path):
    assert parse_formats("PNG, svg,svg") == ["svg", "png"]
    for bad in ("pdf", "", "svg,jpg"):
        with pytest.raises(UsageError):
            parse_formats(bad)
    m = load_texts(RICH, base_taxonomy=False)
    with pytest.raises(UsageError, match="bad file stem"):
        write(overview(Analysis(m)), tmp_path, "../escape", "dot")


def test_cli_render_writes_each_view(make_map, tmp_path, capsys):
    folder = make_map(RICH_ON_BASE)
    out = tmp_path / "diagrams"
    code = main(
        [
            "render",
            str(folder),
            "--view",
            "overview,lineage:contact",
            "--view",
            "summary:jurisdiction",
            "--format",
            "svg,dot",
            "--out",
            str(out),
            "--no-audit",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == [
        "lineage-contact.dot",
        "lineage-contact.svg",
        "overview.dot",
        "overview.svg",
        "summary-jurisdiction.dot",
        "summary-jurisdiction.svg",
    ]
    assert "overview: " in capsys.readouterr().out


def test_cli_render_max_nodes_collapses(make_map, tmp_path):
    folder = make_map(RICH_ON_BASE)
    args = ["render", str(folder), "--max-nodes", "3", "--format", "dot", "--out", str(tmp_path), "--no-audit"]
    assert main(args) == 0
    assert "collapsed: 8 nodes" in (tmp_path / "overview.dot").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--view", "lineage:emial"], "did you mean 'email'"),
        (["--view", "sideways"], "unknown view 'sideways'"),
        (["--format", "pdf"], "unknown format"),
        (["--max-nodes", "0"], "--max-nodes"),
    ],
)
def test_cli_render_errors_exit_2_without_traceback(make_map, tmp_path, capsys, args, message):
    folder = make_map(RICH_ON_BASE)
    assert main(["render", str(folder), "--out", str(tmp_path), "--no-audit", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_no_png_is_made_whose_text_would_be_too_small_to_read(tmp_path, capsys):
    """A drawing far wider than the PNG's 40 inches would shrink its text to a few pixels: no PNG
    is made of it (the SVG is), and the reason says how small; a small drawing gets its PNG."""
    wide = graphviz.Digraph("wide", graph_attr={"rankdir": "LR"})
    for i in range(300):
        wide.edge(f"node number {i}", f"node number {i + 1}")
    got = write(wide, tmp_path, "wide", ["svg", "png"])
    assert set(got) == {"svg"} and not (tmp_path / "wide.png").exists()
    px = png_text_px((tmp_path / "wide.svg").read_bytes())
    assert px < PNG_MIN_TEXT_PX and f"{px:.1f} px" in wide.png_refused
    small = graphviz.Digraph("small")
    small.edge("a", "b")
    assert set(write(small, tmp_path, "small", ["svg", "png"])) == {"svg", "png"} and small.png_refused == ""
