"""Render diagrams to SVG/PNG/DOT with the checked runner, and write them under stable names.

>>> from flowatlas.render import overview, write            # doctest: +SKIP
>>> write(overview(m, findings), "outputs/diagrams", "overview", ["svg", "png", "dot"])  # doctest: +SKIP
{'dot': PosixPath('outputs/diagrams/overview.dot'), 'svg': ..., 'png': ...}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import graphviz

from flowatlas.errors import UsageError
from flowatlas.files import write_whole
from flowatlas.render.run import Layout, layout, plan_for
from flowatlas.render.text import dot_text, dot_tooltip

FORMATS = ("dot", "svg", "png")
#: PNG resolution: readable on a screen, small enough to commit.
PNG_DPI = "96"
#: The largest PNG, in inches at PNG_DPI (graphviz scales a larger drawing down to fit): 40 in
#: = 3,840 px a side. The SVG keeps every detail; a 50,000-flow overview's PNG was 193 MB.
PNG_MAX_INCHES = "40"
_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def source(g: graphviz.Digraph) -> str:
    """The DOT text of ``g`` (what ``.dot`` files hold), ending in one newline. A diagram too
    large for dot's full layout says in its caption which layout it gets (:func:`~.run.plan`)."""
    dot = g.source.rstrip("\n") + "\n"
    title = getattr(g, "title", "")
    note = plan_for(dot).note if title else ""
    if not note:
        return dot
    captioned = g.copy()
    captioned.attr("graph", label=dot_text(f"{title}\n{note}"), tooltip=dot_tooltip(f"{title}\n{note}"))
    return captioned.source.rstrip("\n") + "\n"


def render(g: graphviz.Digraph, *, timeout: float | None = None) -> Layout:
    """Lay ``g`` out as SVG, checking every requested edge was drawn (see :mod:`.run`)."""
    return layout(source(g), "svg", timeout=timeout)


def to_svg(g: graphviz.Digraph, *, timeout: float | None = None) -> str:
    """SVG text of ``g``; raises :class:`~flowatlas.render.run.EdgeCountError` if an edge was lost."""
    return render(g, timeout=timeout).svg


#: The smallest text a PNG is made with, in pixels: a drawing that graphviz would shrink below it
#: to fit :data:`PNG_MAX_INCHES` gets no PNG (its SVG zooms).
PNG_MIN_TEXT_PX = 9.0
_SVG_SIZE = re.compile(rb'<svg\b[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"', re.S)
_FONT_SIZE = re.compile(rb'font-size="([\d.]+)"')


def png_text_px(svg: bytes) -> float:
    """The smallest text of the PNG of this drawing, in pixels: its smallest font (points),
    scaled down as graphviz scales a drawing larger than :data:`PNG_MAX_INCHES`, at
    :data:`PNG_DPI`.

    >>> png_text_px(b'<svg width="720pt" height="360pt"><text font-size="14.00">a</text></svg>')
    18.666666666666668
    >>> round(png_text_px(b'<svg width="28800pt" height="100pt"><text font-size="14.00">a</text></svg>'), 2)
    1.87
    """
    size = _SVG_SIZE.search(svg)
    fonts = [float(x) for x in _FONT_SIZE.findall(svg)]
    if not size or not fonts:
        return float("inf")
    limit = float(PNG_MAX_INCHES) * 72
    shrink = min(1.0, limit / float(size.group(1)), limit / float(size.group(2)))
    return min(fonts) * shrink * float(PNG_DPI) / 72


def png_refused(svg: bytes) -> str:
    """Why no PNG is made of this drawing ("" when one is): its text would be too small to read."""
    px = png_text_px(svg)
    if px >= PNG_MIN_TEXT_PX:
        return ""
    return (
        f"no PNG: at the {PNG_MAX_INCHES}-inch limit its smallest text would be {px:.1f} px high "
        f"(under {PNG_MIN_TEXT_PX:g}); the SVG zooms"
    )


def to_png(g: graphviz.Digraph, *, timeout: float | None = None, checked: Layout | None = None) -> bytes:
    """PNG bytes of ``g``, laid out by the same attempt that produced a checked SVG."""
    checked = checked or render(g, timeout=timeout)
    return layout(source(g), "png", timeout=timeout, attempts=[_with_dpi(checked)]).data


def _with_dpi(checked: Layout):
    from dataclasses import replace

    size = f"-Gsize={PNG_MAX_INCHES},{PNG_MAX_INCHES}"
    return replace(checked.attempt, args=(*checked.attempt.args, f"-Gdpi={PNG_DPI}", size))


def parse_formats(formats: str | Iterable[str]) -> list[str]:
    """``"svg,png"`` or ``["svg", "png"]`` -> ``["svg", "png"]`` (checked, de-duplicated, ordered)."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = [f.strip().lower() for f in items if f.strip()]
    bad = sorted(set(wanted) - set(FORMATS))
    if bad or not wanted:
        got = ", ".join(bad) or "(none)"
        raise UsageError(f"unknown format(s) {got}: expected a comma list of {', '.join(FORMATS)}")
    return [f for f in FORMATS if f in wanted]


def write(
    g: graphviz.Digraph,
    out_dir: str | Path,
    stem: str,
    formats: str | Iterable[str] = ("svg",),
    *,
    timeout: float | None = None,
) -> dict[str, Path]:
    """Write ``g`` as ``out_dir/stem.{dot,svg,png}``; returns ``{format: path}``. No PNG is made
    of a drawing whose text it would shrink below :data:`PNG_MIN_TEXT_PX` (``g.png_refused`` says
    why).

    The SVG layout is always made and edge-checked first (even when only PNG is asked for),
    and PNG reuses that layout attempt, so no file is written for a diagram that lost a flow.
    """
    fmts = parse_formats(formats)
    if not _STEM.match(stem):
        raise UsageError(f"bad file stem {stem!r}: letters, digits, '-', '_' and '.' only")
    out = Path(out_dir)
    dot = source(g)
    data: dict[str, bytes] = {"dot": dot.encode("utf-8")}
    if "svg" in fmts or "png" in fmts:
        checked = layout(dot, "svg", timeout=timeout)
        data["svg"] = checked.data
        refused = png_refused(checked.data) if "png" in fmts else ""
        g.png_refused = refused  # (what the CLI says of a PNG not made)
        if "png" in fmts and not refused:  # an unreadable PNG is not made
            data["png"] = to_png(g, timeout=timeout, checked=checked)
    try:  # only once the layout succeeded: a failed render leaves no empty folder behind
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create output folder {out}: {exc.strerror}") from None
    written: dict[str, Path] = {}
    for fmt in (f for f in fmts if f in data):
        path = out / f"{stem}.{fmt}"
        write_whole(path, data[fmt])
        written[fmt] = path
    return written
