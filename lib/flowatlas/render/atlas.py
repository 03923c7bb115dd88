"""The atlas: a map too large for one drawing, as pages a person reads, linked from the whole down to a flow.

No page holds more than :data:`~flowatlas.render.parts.DEFAULT_MAX_NODES` nodes or boxes and
:data:`~flowatlas.render.parts.MAX_DRAWN_ARROWS` arrows. The levels:

1. ``atlas``: the map as one box per organisation when that fits, else one box per country
   (the overview draws this page when the map does not fit one drawing);
2. ``country-XX``: the nodes located in XX, one box per organisation that owns them, and one
   box per country they exchange data with (the most exchanged; the others share a box);
3. ``organisation-ORG``: every node ORG owns, with its counterparts drawn node by node when
   that fits, else one box per counterpart organisation, per country or per role; an
   organisation too large for one page is cut into pages of its nodes (``organisation-ORG-2``).
   Its arrows are the flows: a click on one gives the record of every flow it stands for.

Every box links to the page that draws what it stands for, and each page knows the pages above
it (its ``trail``), so a reader clicks from the whole map down to a flow and back.

>>> from flowatlas.analysis import Analysis
>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> [p.stem for p in atlas(Analysis(load_texts(EXAMPLE)))][:2]
['atlas', 'organisation-acme']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from flowatlas.analysis import Analysis
from flowatlas.atlas import Map
from flowatlas.findings import Finding
from flowatlas.model import Flow
from flowatlas.render import style
from flowatlas.render.diagram import Diagram
from flowatlas.render.legend import add_legend
from flowatlas.render.parts import (
    DEFAULT_MAX_NODES,
    MAX_DRAWN_ARROWS,
    Record,
    ViewContext,
    add_clustered_nodes,
    add_flow_edges,
    country_name,
    fits,
    flow_tooltip,
    kinds_present,
    new_diagram,
    view_title,
)
from flowatlas.render.summary import (
    FOLDER,
    SUBJECTS,
    UNLOCATED,
    add_arrow,
    add_box,
    collapse_by,
    country_stem,
    listed,
    strongest,
    summary,
)
from flowatlas.render.text import dot_text, dot_tooltip
from flowatlas.words import counted

#: The file stem of the atlas's first page.
TOP = "atlas"
#: A country page draws at most this many other countries as boxes (the most exchanged with);
#: the others share one box.
MAX_OTHER_COUNTRIES = 12
#: The most pages an atlas holds; past it the organisations whose pages hold the fewest flows
#: each get no page. A 10,000-flow map's atlas has 152 pages (33 MB); a 50,000-flow map's would
#: have 609: with 200 its report's run folder was 147 MB (74 MB of atlas) in 90.6 s, with 300
#: 163 MB in 89.7 s.
MAX_PAGES = 200
#: How a page of an organisation draws the nodes it exchanges data with, finest first: node by
#: node, one box per organisation, per country, or per role of their organisation (processors,
#: third parties, authorities: what a big organisation's node shares with each; at 50,000 flows
#: its affiliates need 4 pages each so, 14-17 by country).
GROUPINGS = ("node", "organisation", "jurisdiction", "role")


@dataclass(frozen=True)
class Page:
    """One page of the atlas: its drawing, where it sits, and its siblings when paged."""

    stem: str  # the file name without extension: "atlas", "country-SG", "organisation-acme-2"
    name: str  # what the breadcrumb calls it
    trail: tuple[tuple[str, str], ...]  # (name, stem) of each page above it, the top first
    diagram: Diagram
    prev: str | None = None  # the stem of the page before it, when its level is paged
    next: str | None = None
    #: (name, stem) of the pages one level down, listed under the drawing: every one is reached
    #: by a link even when the drawing puts some in one box (the first page past 40 countries)
    index: tuple[tuple[str, str], ...] = ()


def org_stem(org: str, page: int = 1) -> str:
    """The stem of an organisation's page (``SUBJECTS`` for the data subjects' page)."""
    key = "subjects" if org == SUBJECTS else org
    return f"organisation-{key}" + (f"-{page}" if page > 1 else "")


def top(
    a: Analysis,
    findings: Sequence[Finding] | None = None,
    *,
    provenance: bool = True,
    prefix: str = "",
    note: str | None = None,
    name: str = TOP,
) -> tuple[str, Diagram]:
    """``(by, diagram)``: the atlas's first page, the summary by organisation when it fits,
    else by jurisdiction, each box linked to its page (``prefix`` + stem + ``.html``). ``note``,
    the line its title gives first, may say ``{by}`` and ``{why}`` (what it is by, and why)."""
    m = a.map
    by, why = collapse_by(m, DEFAULT_MAX_NODES)
    if by == "organisation":
        keys = {n.owner or SUBJECTS for n in m.nodes.values()}
        links = {k: f"{prefix}{org_stem(k)}.html" for k in keys}
    else:
        keys = {n.jurisdiction or UNLOCATED for n in m.nodes.values()}
        links = {k: f"{prefix}{country_stem(k)}.html" for k in keys}
    what = (note or "the map by {by}{why}: click a box to open its page").format(by=by, why=why)
    g = summary(a, by, findings, provenance=provenance, note=what, links=links)
    g.name = name
    g.opens = prefix.rstrip("/") if prefix else FOLDER
    return by, g


def atlas(
    a: Analysis, findings: Sequence[Finding] | None = None, *, provenance: bool = True, max_pages: int = MAX_PAGES
) -> list[Page]:
    """The pages of the atlas of ``a``: the first page, then a page per country (when the first
    page is by jurisdiction), then the pages of each organisation and of the data subjects, those
    whose pages hold the most flows each first, while the atlas holds at most ``max_pages``
    pages; an organisation left without a page is named on the pages above it, with how to draw
    it."""
    m = a.map
    ctx = ViewContext.make(a, findings, provenance)
    by, first = top(a, findings, provenance=provenance)
    trail_top = (("map", TOP),)
    codes = sorted({n.jurisdiction or UNLOCATED for n in m.nodes.values()}, key=lambda c: (c != m.home, c))
    layouts = {code: _country_layout(ctx, code) for code in codes} if by == "jurisdiction" else {}
    org_trail: dict[str, tuple[tuple[str, str], ...]] = {}
    for code, layout in layouts.items():  # an organisation's page sits under the country of its first node
        for org in layout.owners:
            org_trail.setdefault(org, (*trail_top, (_country_title(code), country_stem(code))))
    # the flows at each node, indexed once (each organisation scanning every flow took 8.7 s at 50,000 flows)
    touching: dict[str, list[Flow]] = defaultdict(list)
    for f in m.flows.values():
        for e in dict.fromkeys((f.source, f.target)):
            touching[e].append(f)
    owned: dict[str, list[str]] = defaultdict(list)
    for nid, n in m.nodes.items():
        owned[n.owner or SUBJECTS].append(nid)
    plans = {org: _plan(ctx, owned[org], touching, org) for org in sorted(owned)}
    room = max_pages - 1 - sum(len(layout.chunks) for layout in layouts.values())
    has_page: set[str] = set()
    # the pages that hold the most flows each first: most organisations and flows for the pages
    for org in sorted(plans, key=lambda o: (-plans[o].flows / len(plans[o].chunks), o)):
        if len(plans[org].chunks) <= room:
            has_page.add(org)
            room -= len(plans[org].chunks)
    if by == "jurisdiction":
        below = [(_country_title(code), country_stem(code)) for code in layouts]
    else:
        below = [(_org_title(m, org), org_stem(org)) for org in sorted(has_page)]
    pages = [Page(TOP, "map", (), first, index=tuple(below))]
    if missing := sorted(set(plans) - has_page):
        first.title += "\n" + _no_page(missing, max_pages)
        first.attr("graph", label=dot_text(first.title), tooltip=dot_tooltip(first.title))
    for code, layout in layouts.items():
        pages.extend(_country_pages(ctx, code, layout, trail_top, has_page))
    # each flow's whole record is on one page, its source node's (else its target's); the other
    # page's arrow names the flow and links there: the 50,000-flow atlas held 71,230 records of
    # 43,198 flows
    page_of = {
        nid: org_stem(org, i) for org in has_page for i, chunk in enumerate(plans[org].chunks, 1) for nid in chunk
    }
    for org in sorted(has_page):
        pages.extend(_org_pages(ctx, org, plans[org], org_trail.get(org, trail_top), countries=by == "jurisdiction",
                                has_page=has_page, page_of=page_of))  # fmt: skip
    return pages


def _org_title(m: Map, org: str) -> str:
    return "the data subjects" if org == SUBJECTS else f"{m.organisations[org].name} ({org})"


def _no_page(orgs: Sequence[str], max_pages: int | None = None) -> str:
    """What a page says of the organisations in it that have no page of their own."""
    shown = listed(orgs, "organisation")
    why = f" (the atlas holds at most {max_pages} pages)" if max_pages else ""
    return (
        f"{counted(len(orgs), 'organisation')} without a page here{why}: {shown}; "
        "flowatlas render MAP --view organisation:ORG draws one"
    )


# --------------------------------------------------------------------------- drawing a page


def _group_key(ctx: ViewContext, nid: str, grouping: str) -> str:
    """The box a node falls in, when its page groups the nodes of others ``grouping``."""
    n = ctx.m.nodes[nid]
    if grouping == "organisation":
        return f"o~{n.owner or SUBJECTS}"
    if grouping == "role":
        return f"r~{ctx.m.organisations[n.owner].role if n.owner else 'data subject'}"
    return f"c~{n.jurisdiction or UNLOCATED}"


def _draw_page(
    ctx: ViewContext,
    stem: str,
    what: str,
    extra: Sequence[str],
    drawn: Sequence[str],
    flows: Sequence[Flow],
    box_of: Callable[[str], str],
    node_links: Mapping[str, str],
    loose: Mapping[str, str] | None = None,
    *,
    record: Record | None = None,
    countries: bool = True,
    has_page: Collection[str] = (),
) -> Diagram:
    """A page: the ``drawn`` nodes node by node (clustered by country and owner), every other
    end of ``flows`` in the box ``box_of`` gives it (``o~ORG``, ``c~XX``, or ``x~…`` for a box
    of several nodes of no one kind, linked to ``loose[box]``; no colon, which DOT reads as a
    port), the flows between drawn nodes as arrows of their own, the others merged per pair of
    ends. An arrow's tooltip gives ``record(flow)`` for each of its flows when ``record`` is
    given (an organisation's page), else a summary of them; an organisation's box links to its
    page when it is in ``has_page``, a country's to its page when the atlas has ``countries``."""
    m = ctx.m
    shown = set(drawn)
    end = {e: (e if e in shown else box_of(e)) for f in flows for e in (f.source, f.target)}
    members: dict[str, list[str]] = defaultdict(list)
    for e in sorted(end):
        if e not in shown:
            members[end[e]].append(e)
    direct: list[Flow] = []
    inner: dict[str, list[Flow]] = defaultdict(list)
    merged: dict[tuple[str, str], list[Flow]] = defaultdict(list)
    for f in flows:
        here, there = end[f.source], end[f.target]
        if f.source in shown and f.target in shown:
            direct.append(f)
        elif here == there:
            inner[here].append(f)
        else:
            merged[(here, there)].append(f)
    merged_kept, left = strongest(ctx, merged, max(MAX_DRAWN_ARROWS - len({(f.source, f.target) for f in direct}), 0))
    shown_findings = {x.id: x for f in flows for x in ctx.by_flow.get(f.id, ())}
    shown_findings.update({x.id: x for n in drawn for x in ctx.by_node.get(n, ())})
    lines = [*extra] + ([left + "; the pages of those boxes draw them"] if left else [])
    g = new_diagram(stem, view_title(m, what, ctx, lines, shown=list(shown_findings.values())), m)
    g.records = {}  # the page keeps its arrows' whole records beside the drawing
    add_clustered_nodes(g, ctx, drawn, links=node_links, brief=True)
    for box in sorted(members):
        kind, _, key = box.partition("~")
        if kind == "x":  # nodes of several countries or organisations in one box
            _loose_box(g, ctx, box, members[box], key, (loose or {}).get(box, f"{TOP}.html"))
            continue
        if kind == "r":  # the nodes of every organisation of one role: no page of their own
            _loose_box(g, ctx, box, members[box], _box_name(ctx, box), None)
            continue
        if kind == "o":
            href: str | None = f"{org_stem(key)}.html" if key in has_page else None
        else:
            href = f"{country_stem(key) if countries else TOP}.html"
        add_box(g, ctx, box, members[box], inner.get(box, []), by="organisation" if kind == "o" else "jurisdiction",
                key=key, href=href)  # fmt: skip
    add_flow_edges(g, ctx, direct, record=record)

    def name(x: str) -> str:
        return m.nodes[x].name if x in m.nodes else _box_name(ctx, x)

    for (here, there), fl in merged_kept.items():
        add_arrow(g, ctx, here, there, fl, names=(name(here), name(there)), record=record)
    kinds = set(kinds_present(m, drawn)) if drawn else set()
    if members:
        kinds.update(("system", "external"))
    add_legend(g, m.home, kinds=tuple(k for k in style.NODE_STYLE if k in kinds) or ("system",), summary=bool(members))
    return g


def _box_name(ctx: ViewContext, box: str) -> str:
    kind, _, key = box.partition("~")
    if kind == "o":
        return "the data subjects" if key == SUBJECTS else f"{ctx.m.organisations[key].name} ({key})"
    if kind == "c":
        return _country_title(key)
    if kind == "r":
        return f"{key.replace('_', ' ')}s" if key != "data subject" else "data subjects"
    return key


def _country_title(code: str) -> str:
    """How a page names a country (or the nodes of no location)."""
    return "no location" if code == UNLOCATED else f"{country_name(code)} ({code})"


def _loose_box(g: Diagram, ctx: ViewContext, box: str, nodes: Sequence[str], what: str, href: str | None) -> None:
    """A box for nodes a page does not draw one by one, by organisation or by country (``what``
    they are), linked to ``href`` when given."""
    m = ctx.m
    countries = sorted({m.nodes[n].jurisdiction or "-" for n in nodes})
    orgs = sorted({m.nodes[n].owner or "-" for n in nodes})
    label = f"{what}\n{counted(len(orgs), 'organisation')} · {counted(len(nodes), 'node')}" + (
        "\n▸ open" if href else ""
    )
    tip = [what, f"countries ({len(countries)}): " + ", ".join(countries),
           f"organisations ({len(orgs)}): " + listed(orgs, "organisation")]  # fmt: skip
    attrs = {"URL": dot_text(href)} if href else {}
    if href:
        tip.append(f"click to open: {href}")
    g.node(box, label=dot_text(label), tooltip=dot_tooltip("\n".join(tip)), shape="box", style="rounded,dashed",
           **attrs)  # fmt: skip


def _measure(ctx: ViewContext, drawn: set[str], flows: Sequence[Flow], box_of: Callable[[str], str]) -> tuple[int, int]:
    """``(nodes and boxes, arrows)`` of a page drawing ``drawn`` and boxing the other ends."""
    items = set(drawn)
    pairs: set[tuple[str, str]] = set()
    for f in flows:
        here = f.source if f.source in drawn else box_of(f.source)
        there = f.target if f.target in drawn else box_of(f.target)
        items.update((here, there))
        if here != there or f.source in drawn:
            pairs.add((here, there))
    return len(items), len(pairs)


# --------------------------------------------------------------------------- the levels


@dataclass(frozen=True)
class _CountryLayout:
    """How a country's pages are cut (:func:`_country_layout`)."""

    flows: list[Flow]  # the flows with an end located there
    named: set[str]  # the other countries drawn as boxes of their own
    rest: int  # how many other countries share one box
    owners: list[str]  # the organisations (``SUBJECTS`` for none) owning nodes located there
    chunks: list[list[str]]  # the organisations of each page


def _country_layout(ctx: ViewContext, code: str) -> _CountryLayout:
    """How a country's pages are cut: at most ``DEFAULT_MAX_NODES - MAX_OTHER_COUNTRIES - 2``
    organisations a page, beside the :data:`MAX_OTHER_COUNTRIES` countries they exchange the
    most with (the others share one box)."""
    m = ctx.m
    flows = [f for f in m.flows.values() if _located(ctx, f.source, code) or _located(ctx, f.target, code)]
    weight: dict[str, int] = defaultdict(int)
    for f in flows:
        for e in (f.source, f.target):
            if not _located(ctx, e, code):
                weight[m.nodes[e].jurisdiction or UNLOCATED] += 1
    others = sorted(weight, key=lambda c: (-weight[c], c))
    named = set(others[:MAX_OTHER_COUNTRIES])
    owners = sorted({n.owner or SUBJECTS for nid, n in m.nodes.items() if _located(ctx, nid, code)})
    size = max(DEFAULT_MAX_NODES - len(named) - 2, 8)
    chunks = [owners[i : i + size] for i in range(0, len(owners), size)] or [[]]
    return _CountryLayout(flows, named, len(others) - len(named), owners, chunks)


def _located(ctx: ViewContext, nid: str, code: str) -> bool:
    return (ctx.m.nodes[nid].jurisdiction or UNLOCATED) == code


def _country_pages(
    ctx: ViewContext,
    code: str,
    layout: _CountryLayout,
    trail: tuple[tuple[str, str], ...],
    has_page: Collection[str],
) -> list[Page]:
    """The pages of one country as ``layout`` cuts them: its organisations' boxes, each opening
    its page when it has one (``has_page``), and the countries they exchange with."""
    m = ctx.m

    def here(nid: str) -> bool:
        return _located(ctx, nid, code)

    flows, named, rest, owners, chunks = layout.flows, layout.named, layout.rest, layout.owners, layout.chunks
    title = _country_title(code)
    pages = []
    for i, chunk in enumerate(chunks, 1):
        mine = set(chunk)

        def box_of(nid: str, mine: set[str] = mine) -> str:
            n = m.nodes[nid]
            if here(nid):
                owner = n.owner or SUBJECTS
                return f"o~{owner}" if owner in mine else f"x~other organisations in {code}"
            c = n.jurisdiction or UNLOCATED
            return f"c~{c}" if c in named else f"x~{counted(rest, 'more country', 'more countries')}"

        page_flows = [f for f in flows if any(here(e) and (m.nodes[e].owner or SUBJECTS) in mine
                                              for e in (f.source, f.target))]  # fmt: skip
        stem = country_stem(code, i)
        part = f" (page {i} of {len(chunks)})" if len(chunks) > 1 else ""
        what = f"{title}{part}: the nodes located there, by organisation, and the countries they exchange with"
        extra = [f"{counted(len(owners), 'organisation')} own nodes here; click a box to open its page"]
        if missing := [o for o in chunk if o not in has_page]:
            extra.append(_no_page(missing))
        loose = {f"x~other organisations in {code}": f"{country_stem(code, 1 if i > 1 else 2)}.html"}
        g = _draw_page(ctx, stem, what, extra, [], page_flows, box_of, {}, loose, has_page=has_page)
        pages.append(Page(stem, title + part, trail, g,
                          prev=country_stem(code, i - 1) if i > 1 else None,
                          next=country_stem(code, i + 1) if i < len(chunks) else None))  # fmt: skip
    return pages


@dataclass(frozen=True)
class _Plan:
    """How an organisation's pages are cut: its nodes, their flows, the grouping, the pages."""

    own: list[str]
    by_node: dict[str, list[Flow]]
    grouping: str
    chunks: list[list[str]]

    @property
    def flows(self) -> int:
        """How many flows touch the organisation's nodes."""
        return len(_flows_of(self.own, self.by_node))


def _plan(ctx: ViewContext, nodes: Sequence[str], touching: Mapping[str, list[Flow]], org: str) -> _Plan:
    """The pages of ``org``, whose ``nodes`` they are (``touching``: the flows at each node):
    the grouping that needs the fewest pages; of those, the finest."""
    m = ctx.m
    own = sorted(nodes, key=lambda x: (m.nodes[x].name, x))
    by_node = {nid: touching.get(nid, []) for nid in own}
    packed = [(g, _pack(ctx, own, by_node, g, org)) for g in GROUPINGS]
    options = [(len(c), i, g, c) for i, (g, c) in enumerate(packed) if c is not None]
    _, _, grouping, chunks = min(options)
    return _Plan(own, by_node, grouping, chunks)


def _org_pages(
    ctx: ViewContext,
    org: str,
    plan: _Plan,
    trail: tuple[tuple[str, str], ...],
    *,
    countries: bool = True,
    has_page: Collection[str] = (),
    page_of: Mapping[str, str] | None = None,
) -> list[Page]:
    """The pages of one organisation (``SUBJECTS``: the data subjects) as ``plan`` cuts them:
    its nodes, and what they exchange data with; a country's box opens its page when the atlas
    has ``countries`` pages (else the first page), an organisation's when it is in ``has_page``.
    An arrow's tooltip begins the record of the flows it stands for; the page keeps the whole
    record of each flow whose page (``page_of`` its source node, else its target) it is, and
    of the others a line linking to where it is (:func:`_recorder`)."""
    m = ctx.m
    own, by_node, grouping, chunks = plan.own, plan.by_node, plan.grouping, plan.chunks
    mine = set(own)
    title = _org_title(m, org)
    if org == SUBJECTS:
        what = "the data subjects"
    else:
        o = m.organisations[org]
        what = f"organisation {org} ({o.name}, {o.role.replace('_', ' ')}, {o.jurisdiction})"
    box_of = _boxer(ctx, grouping, org)
    pages = []
    for i, chunk in enumerate(chunks, 1):
        flows = _flows_of(chunk, by_node)
        drawn = _drawn(chunk, flows, grouping)
        owner_of = {e: m.nodes[e].owner or SUBJECTS for e in drawn if e not in mine}
        links = {e: f"{org_stem(w)}.html" for e, w in owner_of.items() if w in has_page}
        part = f" (page {i} of {len(chunks)})" if len(chunks) > 1 else ""
        how = {"node": "node by node", "organisation": "by organisation", "jurisdiction": "by country",
               "role": "by the role of their organisation"}[grouping]  # fmt: skip
        extra = [
            f"{counted(len(own), 'node')} of its own{f', {len(chunk)} on this page' if len(chunks) > 1 else ''}; "
            f"what they exchange data with, {how}; click an arrow for the record of each of its flows"
        ]
        stem = org_stem(org, i)
        g = _draw_page(ctx, stem, what + part, extra, sorted(drawn), flows, box_of, links, countries=countries,
                       has_page=has_page, record=_recorder(ctx, stem, page_of or {}))  # fmt: skip
        pages.append(Page(stem, title + part, trail, g,
                          prev=org_stem(org, i - 1) if i > 1 else None,
                          next=org_stem(org, i + 1) if i < len(chunks) else None))  # fmt: skip
    return pages


def _recorder(ctx: ViewContext, stem: str, page_of: Mapping[str, str]) -> Record:
    """How page ``stem`` gives a flow: its whole (brief) record when this is the flow's page,
    else one line with its ends and types and a link to its record there (``PAGE.html#FLOW``,
    which the viewer opens with that flow's record pinned)."""

    def record(f: Flow) -> str:
        home = page_of.get(f.source) or page_of.get(f.target) or stem
        if home == stem:
            return flow_tooltip(ctx, f, brief=True)
        s, t = ctx.m.nodes[f.source], ctx.m.nodes[f.target]
        return f"flow {f.id}: {s.name} → {t.name} ({', '.join(f.types)})\nits record: {home}.html#{f.id}"

    return record


def _boxer(ctx: ViewContext, grouping: str, org: str) -> Callable[[str], str]:
    """Where a page of ``org`` grouped ``grouping`` puts a node it does not draw: its own
    organisation's nodes on other pages in the organisation's box."""

    def box_of(nid: str) -> str:
        if (ctx.m.nodes[nid].owner or SUBJECTS) == org:
            return f"o~{org}"
        return _group_key(ctx, nid, "organisation" if grouping == "node" else grouping)

    return box_of


def _drawn(chunk: Sequence[str], flows: Sequence[Flow], grouping: str) -> set[str]:
    """The nodes a page of ``chunk`` draws one by one: its own, and every end of its ``flows``
    when it is drawn node by node."""
    return set(chunk) | ({e for f in flows for e in (f.source, f.target)} if grouping == "node" else set())


def _flows_of(chunk: Sequence[str], by_node: Mapping[str, Sequence[Flow]]) -> list[Flow]:
    seen: dict[str, Flow] = {}
    for nid in chunk:
        for f in by_node.get(nid, ()):
            seen.setdefault(f.id, f)
    return list(seen.values())


def _pack(
    ctx: ViewContext, own: Sequence[str], by_node: Mapping[str, Sequence[Flow]], grouping: str, org: str
) -> list[list[str]] | None:
    """``own`` cut into pages in order, each within the bounds when drawn ``grouping``; None
    when one node alone does not fit."""
    box_of = _boxer(ctx, grouping, org)

    def fit(nodes: list[str]) -> bool:
        flows = _flows_of(nodes, by_node)
        return fits(*_measure(ctx, _drawn(nodes, flows, grouping), flows, box_of))

    chunks: list[list[str]] = []
    chunk: list[str] = []
    for nid in own:
        if fit([*chunk, nid]):
            chunk = [*chunk, nid]
            continue
        if not chunk or not fit([nid]):
            return None
        chunks.append(chunk)
        chunk = [nid]
    chunks.append(chunk)
    return chunks


__all__ = ["FOLDER", "GROUPINGS", "TOP", "Page", "atlas", "country_stem", "org_stem", "top"]
