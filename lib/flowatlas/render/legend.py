"""The legend drawn on every diagram: an HTML-like table built only from fixed text.

The only map-derived text in it (the home country) is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import graphviz

from flowatlas.render import style

LEGEND_NODE = "~legend"
LEGEND_CLUSTER = "cluster ~legend"


def _row(cells: str) -> str:
    return f"<TR>{cells}</TR>"


#: The legend's rows that explain the country boxes (clusters), as :func:`legend_html` writes them.
_BOX_ROWS = re.compile(
    r"<TR><TD BGCOLOR=\"[^\"]*\" BORDER=\"1\" COLOR=\"[^\"]*\">[^<]*</TD>"
    r"<TD ALIGN=\"LEFT\">(?:green|red) box: [^<]*</TD></TR>"
)
NO_BOXES_ROW = (
    '<TR><TD>no boxes</TD><TD ALIGN="LEFT">countries are not drawn as boxes at this size (the layout cannot); '
    "each box's tooltip names its country</TD></TR>"
)


def without_country_boxes(source: str) -> str:
    """``source`` with the legend's rows about country boxes replaced by one saying there are
    none: for a layout that draws no clusters (sfdp, neato, dot with clusters off), so the
    legend explains only what the drawing holds.

    >>> src = "label=<" + legend_html("SG", kinds=("system",)) + ">"
    >>> "green box" in without_country_boxes(src), "not drawn as boxes" in without_country_boxes(src)
    (False, True)
    """
    rows = list(_BOX_ROWS.finditer(source))
    if not rows:
        return source
    first, last = rows[0], rows[-1]
    return (
        source[: first.start()]
        + NO_BOXES_ROW
        + _BOX_ROWS.sub("", source[first.end() : last.end()])
        + source[last.end() :]
    )


@dataclass(frozen=True)
class Drawn:
    """What a drawing holds that its legend explains (read from its DOT by :func:`drawn`)."""

    severities: frozenset[str | None] = frozenset(style.SEVERITY_COLOUR)  # the arrows' colours
    crossing: bool = True  # a thick dashed arrow
    home: bool = True  # the home country's box
    foreign: bool = True  # another country's box
    rules: bool = True  # an arrow marked ⚠
    info: bool = True  # an arrow marked ℹ


#: An edge statement of graphviz's DOT body: ``\t"a" -> "b" [...]``.
_EDGE_LINE = re.compile(r'^\t(?:"(?:[^"\\]|\\.)*"|\S+) -> ')


def drawn(g: graphviz.Digraph) -> Drawn:
    """What ``g`` holds so far: the colours and styles of its arrows and its country boxes.

    >>> g = graphviz.Digraph()
    >>> g.edge("a", "b", color=style.SEVERITY_COLOUR["high"], **style.DOMESTIC)
    >>> d = drawn(g)
    >>> sorted(d.severities), d.crossing, d.home
    (['high'], False, False)
    """
    edges = "".join(line for line in g.body if _EDGE_LINE.match(line))
    body = "".join(g.body)
    return Drawn(
        severities=frozenset(s for s, c in style.SEVERITY_COLOUR.items() if f'color="{c}"' in edges),
        crossing=f'style="{style.CROSS_BORDER["style"]}"' in edges,
        home=f'fillcolor="{style.HOME_CLUSTER["fillcolor"]}"' in body,
        foreign=f'fillcolor="{style.FOREIGN_CLUSTER["fillcolor"]}"' in body,
        rules="⚠" in edges,
        info="ℹ" in edges,
    )


def legend_html(
    home: str, *, kinds: tuple[str, ...], edges: bool = True, summary: bool = False, shown: Drawn = Drawn()
) -> str:
    """The legend table as an HTML-like label (``<...>``): the rows of what the drawing holds
    (``shown``; every row by default)."""
    home_e = html.escape(home)
    rows = [_row('<TD COLSPAN="2"><B>Legend</B></TD>')]
    for kind in kinds:
        st = style.NODE_STYLE[kind]
        rows.append(
            _row(
                f'<TD BGCOLOR="{st["fillcolor"]}" BORDER="1" COLOR="{st["color"]}">{html.escape(st["shape"])}</TD>'
                f'<TD ALIGN="LEFT">{html.escape(style.NODE_KIND_TEXT[kind])}</TD>'
            )
        )
    if shown.home:
        rows.append(
            _row(
                f'<TD BGCOLOR="{style.HOME_CLUSTER["fillcolor"]}" BORDER="1" COLOR="{style.HOME_CLUSTER["color"]}">'
                f"{home_e}</TD>"
                f'<TD ALIGN="LEFT">green box: home jurisdiction ({home_e}), '
                "where the statement says data is stored</TD>"
            )
        )
    if shown.foreign:
        rows.append(
            _row(
                f'<TD BGCOLOR="{style.FOREIGN_CLUSTER["fillcolor"]}" BORDER="1" '
                f'COLOR="{style.FOREIGN_CLUSTER["color"]}">XX</TD>'
                f'<TD ALIGN="LEFT">red box: another jurisdiction: anything drawn here has left {home_e}</TD>'
            )
        )
    if edges:
        for sev in ("high", "medium", "low", "info", None):
            if sev not in shown.severities:
                continue
            colour = style.SEVERITY_COLOUR[sev]
            rows.append(
                _row(
                    f'<TD><FONT COLOR="{colour}"><B>━━━━</B></FONT></TD>'
                    f'<TD ALIGN="LEFT"><FONT COLOR="{colour}">{html.escape(style.SEVERITY_TEXT[sev])}</FONT></TD>'
                )
            )
        if shown.crossing:
            rows.append(
                _row(
                    f'<TD><B>╍╍╍╍</B></TD><TD ALIGN="LEFT">thick dashed: crosses a border '
                    f"(label starts {home_e} → XX)</TD>"
                )
            )
        if shown.rules:
            rows.append(
                _row('<TD>⚠ rule</TD><TD ALIGN="LEFT">undeclared or contradicted: the audit rule(s) that fired</TD>')
            )
        if shown.info:
            rows.append(_row('<TD>ℹ rule</TD><TD ALIGN="LEFT">informational finding only (nothing undeclared)</TD>'))
        rows.append(_row('<TD>type*</TD><TD ALIGN="LEFT">edge label: information types carried; * = sensitive</TD>'))
    if summary:
        rows.append(_row('<TD>n flows</TD><TD ALIGN="LEFT">a box stands for a whole organisation or country</TD>'))
    rows.append(
        _row(
            '<TD COLSPAN="2" ALIGN="LEFT"><I>In the SVG, hover any box or arrow for its full record, '
            "findings with clauses, and file:line.</I></TD>"
        )
    )
    return "<" + f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3">{"".join(rows)}</TABLE>' + ">"


def add_legend(
    g: graphviz.Digraph, home: str, *, kinds: tuple[str, ...], edges: bool = True, summary: bool = False
) -> None:
    """Add the legend (one plaintext node in its own cluster) to ``g``, once everything else is
    in it: it explains only what ``g`` holds (:func:`drawn`)."""
    shown = drawn(g)
    with g.subgraph(name=LEGEND_CLUSTER) as c:
        c.attr(label="", style="rounded", color="#aab7b8", fillcolor="#ffffff")
        c.node(
            LEGEND_NODE,
            label=legend_html(home, kinds=kinds, edges=edges and bool(shown.severities), summary=summary, shown=shown),
            shape="plaintext",
            tooltip="legend",
            fontsize="10",
        )
