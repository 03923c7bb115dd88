"""Read back the SVG graphviz wrote: nodes, edges and clusters with their texts and tooltips."""

from __future__ import annotations

import base64
import gzip
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"


@dataclass
class Item:
    title: str
    texts: list[str] = field(default_factory=list)
    tooltip: str = ""
    colours: set[str] = field(default_factory=set)
    id: str = ""


def parse(svg: str) -> dict[str, list[Item]]:
    """``{"node": [...], "edge": [...], "cluster": [...]}`` from an SVG graphviz wrote."""
    root = ET.fromstring(svg.encode("utf-8"))
    out: dict[str, list[Item]] = {"node": [], "edge": [], "cluster": []}
    for g in root.iter(f"{SVG}g"):
        cls = g.get("class")
        if cls not in out:
            continue
        item = Item(title=g.findtext(f"{SVG}title", default=""), id=g.get("id", ""))
        for el in g.iter():
            if el.tag == f"{SVG}text":
                item.texts.append(el.text or "")
            if el.get(XLINK_TITLE) is not None and not item.tooltip:
                item.tooltip = el.get(XLINK_TITLE)
            for attr in ("stroke", "fill"):
                if el.get(attr) not in (None, "none", "black", "white") and el.tag != f"{SVG}text":
                    item.colours.add(el.get(attr))
        out[cls].append(item)
    return out


def tags(svg: str) -> set[str]:
    """Every element tag in the SVG (without namespace)."""
    return {el.tag.split("}")[-1] for el in ET.fromstring(svg.encode("utf-8")).iter()}


def edge_by_flow(items: list[Item], flow_id: str) -> Item:
    """The edge whose tooltip starts with ``flow FLOW_ID:``."""
    hits = [e for e in items if e.tooltip.startswith(f"flow {flow_id}:")]
    assert len(hits) == 1, [e.tooltip[:30] for e in items]
    return hits[0]


def title_lines(svg: str) -> list[str]:
    """The lines of the diagram's title (the graph label, drawn outside any node or cluster)."""
    root = ET.fromstring(svg.encode("utf-8"))
    graph = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "graph")
    out: list[str] = []

    def walk(el: ET.Element) -> None:
        for child in el:
            if child.get("class") in ("node", "edge", "cluster"):
                continue
            if child.tag == f"{SVG}text":
                out.append(child.text or "")
            walk(child)

    walk(graph)
    return out


def _unpacked(page: str, kind: str) -> list[str]:
    """The texts of a page's packed data blocks ``fa-KIND``, unpacked as the viewer unpacks them."""
    blobs = re.findall(rf'<script type="[^"]*" class="fa-{kind}">([^<]*)</script>', page)
    return [gzip.decompress(base64.b64decode(b)).decode("utf-8") for b in blobs]


def records(page: str) -> dict[str, str]:
    """The whole records a page keeps beside its drawings (its ``fa-records`` data blocks), by
    the id of the arrow each belongs to."""
    out: dict[str, str] = {}
    for text in _unpacked(page, "records"):
        out.update(json.loads(text))
    return out


def page_svg(page: str) -> str:
    """The (first) drawing of an HTML page: inline, or packed (an atlas page's ``fa-svg`` block)."""
    packed = _unpacked(page, "svg")
    found = re.search(r"<svg\b.*?</svg>", page, re.S)
    if packed and (not found or page.index("fa-svg") < found.start()):
        return packed[0]
    assert found, "no drawing on the page"
    return found.group(0)


def record(item: Item, kept: dict[str, str]) -> str:
    """What a click on ``item`` pins: its record kept beside the drawing, else its tooltip."""
    return kept.get(item.id, item.tooltip)
