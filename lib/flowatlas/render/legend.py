"""The legend drawn on every diagram: an HTML-like table built only from fixed text.

The only map-derived text in it (the home country) is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
import re

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


def legend_html(home: str, *, kinds: tuple[str, ...], edges: bool = True, summary: bool = False) -> str:
    """The legend table as an HTML-like label (``<...>``)."""
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
    rows.append(
        _row(
            f'<TD BGCOLOR="{style.HOME_CLUSTER["fillcolor"]}" BORDER="1" COLOR="{style.HOME_CLUSTER["color"]}">'
            f"{home_e}</TD>"
            f'<TD ALIGN="LEFT">green box: home jurisdiction ({home_e}), where the statement says data is stored</TD>'
        )
    )
    rows.append(
        _row(
            f'<TD BGCOLOR="{style.FOREIGN_CLUSTER["fillcolor"]}" BORDER="1" COLOR="{style.FOREIGN_CLUSTER["color"]}">'
            "XX</TD>"
            f'<TD ALIGN="LEFT">red box: another jurisdiction: anything drawn here has left {home_e}</TD>'
        )
    )
    if edges:
        for sev in ("high", "medium", "low", "info", None):
            colour = style.SEVERITY_COLOUR[sev]
            rows.append(
                _row(
                    f'<TD><FONT COLOR="{colour}"><B>━━━━</B></FONT></TD>'
                    f'<TD ALIGN="LEFT"><FONT COLOR="{colour}">{html.escape(style.SEVERITY_TEXT[sev])}</FONT></TD>'
                )
            )
        rows.append(
            _row(
                f'<TD><B>╍╍╍╍</B></TD><TD ALIGN="LEFT">thick dashed: crosses a border (label starts {home_e} → XX)</TD>'
            )
        )
        rows.append(
            _row('<TD>⚠ rule</TD><TD ALIGN="LEFT">undeclared or contradicted: the audit rule(s) that fired</TD>')
        )
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
    """Add the legend (one plaintext node in its own cluster) to ``g``."""
    with g.subgraph(name=LEGEND_CLUSTER) as c:
        c.attr(label="", style="rounded", color="#aab7b8", fillcolor="#ffffff")
        c.node(
            LEGEND_NODE,
            label=legend_html(home, kinds=kinds, edges=edges, summary=summary),
            shape="plaintext",
            tooltip="legend",
            fontsize="10",
        )
