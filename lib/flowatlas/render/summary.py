"""The summary: one box per organisation or per country, one arrow per pair of boxes."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

from flowatlas.analysis import Analysis
from flowatlas.analysis.boundaries import in_group
from flowatlas.atlas import Map
from flowatlas.errors import UsageError
from flowatlas.findings import SEVERITY_RANK, Finding, sort_findings, worst_severity
from flowatlas.model import Flow
from flowatlas.render import style
from flowatlas.render.diagram import Diagram
from flowatlas.render.legend import add_legend
from flowatlas.render.parts import (
    DEFAULT_MAX_NODES,
    MAX_DRAWN_ARROWS,
    SUMMARY_LIST,
    Record,
    ViewContext,
    border_crossing,
    country_name,
    new_diagram,
    org_tooltip,
    rule_line,
    tooltip,
    view_title,
)
from flowatlas.render.registry import View, register
from flowatlas.render.text import dot_text, dot_tooltip, shorten, wrap
from flowatlas.words import counted

SUBJECTS = "~subjects"
UNLOCATED = "~unlocated"
#: The box of a summary that holds the groups past its bound (those of the fewest flows).
OTHERS = "~others"
#: The folder of the atlas's pages, beside the diagrams (the overview links into it).
FOLDER = "atlas"


def country_stem(code: str, page: int = 1) -> str:
    """The stem of a country's page in the atlas (``UNLOCATED`` for the nodes with no location)."""
    key = "unlocated" if code == UNLOCATED else code
    return f"country-{key}" + (f"-{page}" if page > 1 else "")


def country_pages(m: Map, by: str) -> dict[str, str]:
    """Links from the boxes of a summary of ``m`` by ``by`` to the atlas's pages, relative to
    the drawing's folder: each country's page, when the summary is by jurisdiction and so is the
    atlas's first page (it then has a page for every country, whatever its budget). Else none:
    an organisation may have no page. A drawing with links ``opens`` the atlas, so who writes
    it writes the atlas beside it.

    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> country_pages(load_texts(EXAMPLE), "jurisdiction")  # a small map: its atlas is by organisation
    {}
    """
    if by != "jurisdiction" or collapse_by(m, DEFAULT_MAX_NODES)[0] != "jurisdiction":
        return {}
    codes = {n.jurisdiction or UNLOCATED for n in m.nodes.values()}
    return {c: f"{FOLDER}/{country_stem(c)}.html" for c in sorted(codes)}


#: A summary arrow's tooltip names at most this many of its flows (the worst), each with its
#: types and file:line: the tooltips were 6.7 of the 11.4 MB of a 50,000-flow report's views,
#: the list of eight flows most of each; every flow is on the atlas's pages.
SUMMARY_FLOWS = 4


def listed(items: Sequence[str], word: str, limit: int = SUMMARY_LIST) -> str:
    """``a, b, c +K more WORDs``: the first ``limit`` items, then how many were left out."""
    shown = ", ".join(items[:limit])
    rest = len(items) - limit
    return shown + (f" +{rest} more {word}{'' if rest == 1 else 's'}" if rest > 0 else "")


def _top_types(flows: Sequence[Flow], limit: int = SUMMARY_LIST) -> tuple[int, str]:
    """``(number of types, "email ×12, name ×9 … +K more types")``: types by how many flows carry them."""
    counts: dict[str, int] = defaultdict(int)
    for f in flows:
        for t in f.types:
            counts[t] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return len(counts), listed([f"{t} ×{k}" for t, k in ranked], "type", limit)


def _unique_findings(groups: Iterable[Sequence[Finding]]) -> list[Finding]:
    """The findings in ``groups`` once each (by finding id), worst first."""
    seen: dict[str, Finding] = {}
    for fs in groups:
        for x in fs:
            seen.setdefault(x.id, x)
    return sort_findings(list(seen.values()))


#: A box's or arrow's tooltip gives this many of its findings (the worst) in a line each, after
#: how many there are of each rule.
FINDINGS_LIST = 3


def _findings_tip(fs: Sequence[Finding], limit: int = FINDINGS_LIST) -> list[str]:
    """How many findings of each rule, then the worst ``limit``, one line each (severity, rule,
    id, the start of its message)."""
    if not fs:
        return []
    rules: dict[str, int] = defaultdict(int)
    for f in fs:
        rules[f.rule] += 1
    by_rule = [f"{r} ×{k}" for r, k in sorted(rules.items(), key=lambda rk: (-rk[1], rk[0]))]
    lines = [f"findings ({len(fs)}): " + listed(by_rule, "rule"), "worst first:"]
    for f in fs[:limit]:  # a finding's message can list hundreds of flows: one short line each
        cls_ = f" · {f.dimension or ''} {f.disclosure}" if f.disclosure else ""
        lines.append(f"[{f.severity}] {f.rule}{cls_} ({f.id}): {shorten(f.message, 100)}")
    if len(fs) > limit:
        lines.append(f"+{len(fs) - limit} more findings")
    return lines


def _group(ctx: ViewContext, by: str, nid: str) -> str:
    """The box of a summary by ``by`` that node ``nid`` belongs in."""
    n = ctx.m.nodes[nid]
    if by == "organisation":
        return n.owner or SUBJECTS
    return n.jurisdiction or UNLOCATED


def add_box(
    parent: Diagram,
    ctx: ViewContext,
    dot_id: str,
    nodes: Sequence[str],
    inner: Sequence[Flow],
    *,
    by: str,
    key: str | None = None,
    href: str | None = None,
) -> None:
    """One box standing for ``nodes`` (an organisation, the data subjects, a country or no
    location: ``key``, by default ``dot_id``, read as ``by`` reads it) and the ``inner`` flows
    between them, labelled with their counts and coloured by the worst finding; a link to
    ``href`` when given (the page that draws what the box stands for)."""
    m = ctx.m
    gid = dot_id if key is None else key
    n_types, top_types = _top_types(inner)
    if by == "organisation" and gid != SUBJECTS:
        o = m.organisations[gid]
        head = f"{wrap(o.name, 26, 2)}\n{o.role.replace('_', ' ')} · {o.jurisdiction}"
        kind = "system" if in_group(o.role) else "external"
        tip = [org_tooltip(ctx, gid)]
    elif gid in (SUBJECTS, UNLOCATED):
        head = "data subjects" if gid == SUBJECTS else "no location"
        kind = "subject"
        tip = [head]
    elif gid == OTHERS:  # the groups past the drawing's bound, in one box
        groups = sorted({_group(ctx, by, n) for n in nodes})
        word = "country" if by == "jurisdiction" else "organisation"
        head = counted(len(groups), f"other {word}", "other countries" if word == "country" else None)
        kind = "system"
        names = ", ".join(groups) if word == "country" else listed(groups, word)  # (at most 249 country codes)
        tip = [head + " (the fewest flows; one box each would be more than a drawing holds)", names]
    else:
        head = f"{country_name(gid)} ({gid})"
        kind = "system"
        orgs = sorted({m.nodes[n].owner or "-" for n in nodes})
        tip = [head, f"organisations ({len(orgs)}): " + listed(orgs, "organisation")]
    label = f"{head}\n{counted(len(nodes), 'node')}"
    if inner:
        label += f" · {counted(len(inner), 'internal flow')}\n{counted(n_types, 'type')} inside"
    nfs = _unique_findings([*(ctx.by_node.get(n, ()) for n in nodes), *(ctx.by_flow.get(f.id, ()) for f in inner)])
    attrs = dict(style.NODE_STYLE[kind])
    attrs["shape"] = "box" if kind != "subject" else "ellipse"
    if nfs:
        worst = worst_severity(nfs)
        attrs.update(color=style.SEVERITY_COLOUR[worst], penwidth="3")
        label += f"\n⚠ {len({x.id for x in nfs})} findings inside"
    if href:
        label += "\n▸ open"
        attrs["URL"] = dot_text(href)
        tip.append(f"click to open: {href}")
    tip.append(f"nodes ({len(nodes)}): " + listed(sorted(nodes), "node"))
    if inner:
        tip.append(f"internal flows ({len(inner)}): " + listed([f.id for f in inner], "flow"))
        tip.append(f"types inside ({n_types}): {top_types}")
    tip.extend(_findings_tip(nfs))
    parent.node(dot_id, label=dot_text(label), tooltip=dot_tooltip("\n".join(tip)), **attrs)


def add_arrow(
    g: Diagram,
    ctx: ViewContext,
    here: str,
    there: str,
    fl: Sequence[Flow],
    *,
    names: tuple[str, str] | None = None,
    record: Record | None = None,
) -> None:
    """One arrow from box (or node) ``here`` to ``there`` standing for the flows ``fl``: their
    count, types, countries crossed and worst finding; its tooltip lists the worst
    :data:`SUMMARY_FLOWS` flows with file:line, or with ``record`` what it gives of every flow
    (``names``: how the ends are called there)."""
    fs = _unique_findings(ctx.by_flow.get(f.id, ()) for f in fl)
    n_types, top_types = _top_types(fl)
    crossing: dict[tuple[str, str], int] = defaultdict(int)
    for f in fl:
        if cb := border_crossing(ctx.a, f):
            crossing[cb] += 1
    lines = []
    if crossing:
        lines.append(shorten(", ".join(f"{x} → {y}" for x, y in sorted(crossing)), 40))
    lines.append(f"{counted(len(fl), 'flow')} · {counted(n_types, 'type')}")
    if fs:
        lines.append(rule_line(fs))
    colour = style.SEVERITY_COLOUR[worst_severity(fs)]
    attrs = dict(style.CROSS_BORDER if crossing else style.DOMESTIC)
    src_name, dst_name = names or (here, there)
    tip = [f"{counted(len(fl), 'flow')} from {src_name} to {dst_name}"]
    if not record:  # (a record gives each flow's types)
        tip.append(f"types ({n_types}): {top_types}")
    if crossing:
        tip.append(
            "cross-border: " + listed([f"{x} → {y} ×{k}" for (x, y), k in sorted(crossing.items())], "country pair")
        )
    # the flows with the worst findings first, then by id; at most SUMMARY_FLOWS of them
    rank = {f.id: SEVERITY_RANK.get(worst_severity(ctx.by_flow.get(f.id, ())) or "", -1) for f in fl}
    shown = sorted(fl, key=lambda f: (-rank[f.id], f.id))[: len(fl) if record else SUMMARY_FLOWS]
    if record:  # the page at the bottom of the atlas: the record of each flow the arrow stands for
        tip.extend(["", *(record(f) + "\n" for f in shown)])
        shown, fs = [], []  # each flow's record names its findings
    for f in shown:
        cb = border_crossing(ctx.a, f)
        tip.append(
            f"  {f.id}: {shorten(', '.join(f.types), 80)}"
            + (f" [{cb[0]} → {cb[1]}]" if cb else "")
            + f" ({ctx.where(f.src)})"
        )
    if len(fl) > len(shown) and not record:  # (a record lists them all)
        tip.append(f"  +{len(fl) - len(shown)} more flows")
    tip.extend(_findings_tip(fs))
    g.edge(
        here,
        there,
        label=dot_text("\n".join(lines)),
        **tooltip(g, "\n".join(tip)),
        color=colour,
        fontcolor=colour,
        **attrs,
    )


def collapse_by(m: Map, max_nodes: int, flows: Collection[str] | None = None) -> tuple[str, str]:
    """``(by, why)``: organisation, or jurisdiction when the organisation summary is too large;
    of the whole map, or of ``flows`` (ids) and the nodes they join."""
    drawn = [m.flows[i] for i in flows] if flows is not None else list(m.flows.values())
    ends = {e for f in drawn for e in (f.source, f.target)} if flows is not None else m.nodes.keys()
    owner = {nid: m.nodes[nid].owner or SUBJECTS for nid in ends}
    n_orgs = len(set(owner.values()))
    if n_orgs > max_nodes:
        return "jurisdiction", f" ({n_orgs} organisation boxes would be more than {max_nodes})"
    pairs = {(a, b) for f in drawn if (a := owner[f.source]) != (b := owner[f.target])}
    if len(pairs) > MAX_DRAWN_ARROWS:
        return "jurisdiction", f" ({len(pairs)} arrows between organisations would be more than {MAX_DRAWN_ARROWS})"
    return "organisation", ""


def strongest(
    ctx: ViewContext, between: Mapping[tuple[str, str], Sequence[Flow]], limit: int = MAX_DRAWN_ARROWS
) -> tuple[dict[tuple[str, str], Sequence[Flow]], str]:
    """The ``limit`` arrows standing for the most flows (then the worst finding, then the
    pair), and what the drawing says of the others ("" when none is left out)."""
    if len(between) <= limit:
        return dict(between), ""

    def weight(pair: tuple[str, str]) -> tuple:
        worst = worst_severity(x for f in between[pair] for x in ctx.by_flow.get(f.id, ()))
        return (-len(between[pair]), -SEVERITY_RANK.get(worst or "", -1), pair)

    kept = sorted(between, key=weight)[:limit]
    hidden = sum(len(fl) for fl in between.values()) - sum(len(between[p]) for p in kept)
    return {p: between[p] for p in sorted(kept)}, (
        f"drawn: the {limit:,} arrows with the most flows of {len(between):,} ({hidden:,} flows on the others)"
    )


def summary(
    a: Analysis,
    by: str = "organisation",
    findings: Sequence[Finding] | None = None,
    *,
    provenance: bool = True,
    note: str | None = None,
    flows: Collection[str] | None = None,
    name: str | None = None,
    what: str | None = None,
    links: Mapping[str, str] | None = None,
    max_boxes: int = DEFAULT_MAX_NODES,
) -> Diagram:
    """One box per organisation (``by="organisation"``) or jurisdiction, with flow and type counts;
    past ``max_boxes`` boxes, the groups of the fewest flows share one box (:data:`OTHERS`).

    With ``flows`` (ids), only those flows and the nodes they join are summarised (a lineage
    too large to draw node by node), drawn as ``name`` and titled ``what``.

    Data subjects (who have no organisation) share one box. Flows between two boxes become one
    arrow labelled with how many flows and types it stands for, coloured by the worst finding.
    Labels and tooltips stay bounded whatever the map's size: they give counts and list at most
    :data:`SUMMARY_LIST` items of a kind, then "+K more".
    """
    m = a.map
    if by not in ("organisation", "jurisdiction"):
        raise UsageError(f"summary by '{by}': expected 'organisation' or 'jurisdiction'")
    ctx = ViewContext.make(a, findings, provenance)

    gof = {nid: _group(ctx, by, nid) for nid in m.nodes}
    drawn = [m.flows[i] for i in sorted(flows)] if flows is not None else list(m.flows.values())
    ends = {e for f in drawn for e in (f.source, f.target)} if flows is not None else set(m.nodes)
    touching: Counter[str] = Counter()
    for f in drawn:
        touching.update({gof[f.source], gof[f.target]})
    groups = {gof[n] for n in ends}
    if len(groups) > max_boxes:  # past the bound: the groups of the fewest flows share one box
        kept_groups = set(sorted(groups, key=lambda k: (-touching[k], k))[: max_boxes - 1])
        gof = {nid: (k if k in kept_groups else OTHERS) for nid, k in gof.items()}
    members: dict[str, list[str]] = defaultdict(list)
    for nid in m.nodes:
        if nid in ends:
            members[gof[nid]].append(nid)
    inner: dict[str, list[Flow]] = defaultdict(list)
    between: dict[tuple[str, str], list[Flow]] = defaultdict(list)
    for f in drawn:
        here, there = gof[f.source], gof[f.target]
        (inner[here] if here == there else between[(here, there)]).append(f)

    def country(gid: str) -> str | None:
        if by == "jurisdiction":
            return None if gid in (UNLOCATED, OTHERS) else gid
        return None if gid in (SUBJECTS, OTHERS) else m.organisations[gid].jurisdiction

    extra = [
        f"summary by {by}: {len(members)} boxes for {len(ends)} nodes, {len(between)} arrows for {len(drawn)} flows"
    ]
    if note:
        extra.insert(0, note)
    kept, left = strongest(ctx, between)
    if left:
        extra.append(left + "; the boxes' pages and the inventory show them all")
    g = new_diagram(name or f"summary-{by}", view_title(m, what or f"summary by {by}", ctx, extra), m, rankdir="LR")

    by_country: dict[str | None, list[str]] = defaultdict(list)
    for gid in sorted(members):
        by_country[country(gid) if by == "organisation" else None].append(gid)
    for c in sorted(by_country, key=lambda x: (x is not None, x != m.home, x or "")):
        if c is None:
            for gid in by_country[c]:
                if by == "jurisdiction" and gid not in (UNLOCATED, OTHERS):
                    home = gid == m.home
                    with g.subgraph(name=f"cluster ~{gid}") as cj:
                        cj.attr(
                            label=dot_text("home" if home else f"outside {m.home}"),
                            **(style.HOME_CLUSTER if home else style.FOREIGN_CLUSTER),
                        )
                        add_box(cj, ctx, gid, members[gid], inner.get(gid, []), by=by, href=(links or {}).get(gid))
                else:
                    add_box(g, ctx, gid, members[gid], inner.get(gid, []), by=by, href=(links or {}).get(gid))
            continue
        home = c == m.home
        label = f"{country_name(c)} ({c})" + (" · home" if home else f" · outside {m.home}")
        with g.subgraph(name=f"cluster ~{c}") as cj:
            cj.attr(label=dot_text(label), **(style.HOME_CLUSTER if home else style.FOREIGN_CLUSTER))
            for gid in by_country[c]:
                add_box(cj, ctx, gid, members[gid], inner.get(gid, []), by=by, href=(links or {}).get(gid))

    for (here, there), fl in sorted(kept.items()):
        add_arrow(g, ctx, here, there, fl)
    add_legend(g, m.home, kinds=("subject", "system", "external"), summary=True)
    if links:  # its boxes open the atlas's pages: who writes it writes them beside it
        g.opens = FOLDER
    return g


def _draw(a: Analysis, arg: str, findings: Sequence[Finding] | None, *, max_nodes: int, provenance: bool) -> Diagram:
    by = arg or "organisation"
    boxes = len({n.owner or SUBJECTS for n in a.map.nodes.values()})
    if by == "organisation" and boxes > max_nodes:  # no drawing holds more than a person reads
        note = (
            f"by organisation: {boxes} boxes would be more than one drawing holds (max_nodes={max_nodes}), so this "
            "is by jurisdiction; the atlas's country pages draw the organisations"
        )
        g = summary(a, "jurisdiction", findings, provenance=provenance, note=note, max_boxes=max_nodes)
        g.name = "summary-organisation"
        return g
    return summary(a, by, findings, provenance=provenance, max_boxes=max_nodes)


VIEW = register(
    View(
        "summary",
        "one box per organisation (or per country), one arrow per pair of boxes with its flow and type counts",
        parameter="organisation|jurisdiction",
        choices=("organisation", "jurisdiction"),
        draw=_draw,
        rank=40,
    )
)


__all__ = ["FOLDER", "OTHERS", "SUBJECTS", "UNLOCATED", "VIEW", "country_pages", "country_stem", "summary"]
