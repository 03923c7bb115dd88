"""The diagrams a notebook shows come from the files the diagrams notebook wrote (their index,
views.json) when they were drawn from the same inputs, and are laid out again otherwise; the
page is the same either way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.loader import load_map
from flowatlas.report import views

KLINIKO = Path(__file__).resolve().parents[1] / "dataflows" / "kliniko"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    m = Analysis(load_map(KLINIKO))
    findings = audit(m)
    out = tmp_path_factory.mktemp("diagrams")
    views.write_diagrams(m, findings, out, "dot,svg", "sensitive")
    return m, findings, out


def _count_builds(monkeypatch) -> list[str]:
    built: list[str] = []
    real = views.build_view

    def counting(m, spec, *a, **kw):
        built.append(spec)
        return real(m, spec, *a, **kw)

    monkeypatch.setattr(views, "build_view", counting)
    return built


def test_the_index_lists_every_view_written_with_its_dot(written):
    m, _, out = written
    index = json.loads((out / views.VIEWS_INDEX).read_text("utf-8"))
    assert set(index["views"]) == set(views.diagram_specs(m, "sensitive"))
    for spec, v in index["views"].items():
        assert (out / f"{v['stem']}.svg").is_file(), spec
        assert views._sha256(out / f"{v['stem']}.dot") == v["dot_sha256"]
        assert v["title"].startswith(m.map.info.name)


def test_a_written_view_is_shown_from_its_files_as_if_laid_out_here(written, monkeypatch):
    m, findings, out = written
    fresh = {spec: views.diagram(m, findings, spec).data for spec in ("overview", "findings")}
    built = _count_builds(monkeypatch)
    for spec, page in fresh.items():
        assert views.diagram(m, findings, spec, out).data == page  # the same page, byte for byte
    assert built == []  # and no view was built again


def test_other_inputs_or_an_edited_file_are_laid_out_again(written, monkeypatch, tmp_path):
    m, findings, out = written
    built = _count_builds(monkeypatch)
    views.diagram(m, findings[1:], "overview", out)  # other findings: another key
    assert built == ["overview"]
    edited = tmp_path / "edited"
    edited.mkdir()
    for f in out.iterdir():
        (edited / f.name).write_bytes(f.read_bytes())
    (edited / "overview.dot").write_text("digraph { a }\n", "utf-8")
    views.diagram(m, findings, "overview", edited)
    assert built == ["overview", "overview"]
    (edited / views.VIEWS_INDEX).write_text("{not json", "utf-8")
    assert "<svg" in views.diagram(m, findings, "findings", edited).data  # no index: laid out here
    assert built[-1] == "findings"


def test_a_large_dot_is_written_compressed_and_still_shown_from_its_files(monkeypatch, tmp_path):
    """Past DOT_COMPRESS_OVER a view's DOT is kept as .dot.gz: the index still finds it, the view
    is shown from its files, and the DOT inside lays out the SVG written beside it."""
    import gzip
    import re

    from flowatlas.render.run import count_dot_edges, count_svg_edges

    m = Analysis(load_map(KLINIKO))
    findings = audit(m)
    monkeypatch.setattr(views, "DOT_COMPRESS_OVER", 2_000)
    views.write_diagrams(m, findings, tmp_path, "dot,svg", "sensitive")
    assert (tmp_path / "overview.dot.gz").is_file() and not (tmp_path / "overview.dot").exists()
    dot = gzip.decompress((tmp_path / "overview.dot.gz").read_bytes()).decode("utf-8")
    assert count_dot_edges(dot) == count_svg_edges((tmp_path / "overview.svg").read_text("utf-8"))
    built = _count_builds(monkeypatch)
    page = views.diagram(m, findings, "overview", tmp_path).data
    assert built == [] and re.search(r"<svg\b", page)


def test_a_diagram_over_the_notebooks_limit_is_linked_to_its_file(written, monkeypatch):
    """The diagrams notebook links a view larger than its limit to the file it wrote."""
    m, findings, out = written
    monkeypatch.chdir(out.parent)
    page = views.diagram(m, findings, "overview", out, inline_max=1_000).data
    assert "<svg" not in page
    href = page.split('href="', 1)[1].split('"', 1)[0]
    assert (out.parent / href).resolve() == (out / "overview.svg").resolve()
    assert m.map.info.name in page  # and what it is, from its title
