"""What every view draws alike: the view context, nodes with their tooltips, flows as edges,
titles, and the size limits of the views.

Output is deterministic: records are visited in id order and findings in id order, so the same
map gives byte-identical DOT whatever the order of its files and records. All map text goes
through :func:`flowatlas.render.text.dot_text`, so no name can inject DOT or HTML.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pycountry

from flowatlas.analysis import Analysis
from flowatlas.analysis.boundaries import in_group
from flowatlas.atlas import Map
from flowatlas.findings import Finding, sort_findings, worst_severity
from flowatlas.model import Flow, Node, Source
from flowatlas.render import style
from flowatlas.render.diagram import Diagram
from flowatlas.render.text import clean, dot_text, dot_tooltip, shorten, wrap

#: A drawing holds at most this many nodes or boxes, and at most :data:`MAX_DRAWN_ARROWS`
#: arrows: about what a person reads at a legible size on one screen. Above either, a view is a
#: summary whose boxes open the next level down (:mod:`flowatlas.render.atlas`).
DEFAULT_MAX_NODES = 40

#: A drawing holds at most this many arrows per node it may hold: 120 at the default
#: :data:`DEFAULT_MAX_NODES`. A summary draws those standing for the most flows, and says how
#: many it left to the pages below.
ARROWS_PER_NODE = 3
MAX_DRAWN_ARROWS = ARROWS_PER_NODE * DEFAULT_MAX_NODES

#: Summary tooltips list at most this many items of a kind (nodes, flows, types, findings),
#: then "+K more", so no label or tooltip grows with the map.
SUMMARY_LIST = 8


# --------------------------------------------------------------------------- helpers


def country_name(code: str | None) -> str:
    """``Singapore`` for ``SG``; the code itself when unknown; ``no location`` for None."""
    if not code:
        return "no location"
    c = pycountry.countries.get(alpha_2=code)
    return getattr(c, "common_name", None) or (c.name if c else code)


def where_text(m: Map, src: Source | None) -> str:
    """``file:line`` relative to the map folder (so the DOT does not depend on the cwd)."""
    if src is None:
        return "(no source)"
    file = src.file
    for root in dict.fromkeys(r.rstrip("/") for r in (m.shown, m.root) if r):  # as files are named, then as given
        if root != "<memory>" and file.startswith(root + "/"):
            return f"{file[len(root) + 1 :]}:{src.line}"
    return f"{file}:{src.line}"


def yes_no(v: bool | None) -> str:
    return "unknown" if v is None else ("yes" if v else "no")


@dataclass
class ViewContext:
    """What a view draws from: the map's analysis, the findings to show, and whether tooltips
    give file:line."""

    a: Analysis
    findings: list[Finding]
    provenance: bool
    by_flow: dict[str, list[Finding]] = field(default_factory=dict)
    by_node: dict[str, list[Finding]] = field(default_factory=dict)

    @property
    def m(self) -> Map:
        return self.a.map

    @classmethod
    def make(cls, a: Analysis, findings: Sequence[Finding] | None, provenance: bool) -> ViewContext:
        fs = sort_findings(list(findings or ()))
        ctx = cls(a, fs, provenance)
        for f in fs:
            for fid in dict.fromkeys(f.flows):
                ctx.by_flow.setdefault(fid, []).append(f)
            for nid in dict.fromkeys(f.nodes):
                ctx.by_node.setdefault(nid, []).append(f)
        return ctx

    def where(self, src: Source | None) -> str:
        return where_text(self.m, src) if self.provenance else "(provenance hidden)"

    @cached_property
    def node_types(self) -> dict[str, tuple[set[str], set[str]]]:
        """``{node: (types received, types sent)}`` over every flow of the map, in one pass (per
        node, a scan of all flows took 10 s for a lineage of the 50,000-flow map)."""
        out: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
        for f in self.m.flows.values():
            out[f.target][0].update(f.types)
            out[f.source][1].update(f.types)
        return out

    def finding_lines(self, fs: Sequence[Finding]) -> list[str]:
        out: list[str] = []
        for f in fs:
            cls_ = f" · {f.dimension or ''} {f.disclosure}" if f.disclosure else ""
            out.append(f"[{f.severity}] {f.rule}{cls_} ({f.id})")
            out.append(f"  {f.message}")
            for c in f.clauses:
                out.append(f"  held against {c.label} ({c.policy}/{c.declaration}): “{shorten(c.quote, 160)}”")
            if f.remedy:
                out.append(f"  remedy: {f.remedy}")
            if f.src is not None:
                out.append(f"  at {self.where(f.src)}")
        return out


def node_kind(m: Map, n: Node) -> str:
    """The style of a node: its kind, or ``external`` / ``external_store`` outside the controller's group."""
    if n.kind != "subject" and n.owner and not in_group(m.organisations[n.owner].role):
        return "external_store" if n.kind == "store" else "external"
    return n.kind


def new_diagram(name: str, title: str, m: Map, *, rankdir: str = "TB") -> Diagram:
    g = Diagram(name=name)
    g.title = title
    g.attr(
        "graph",
        rankdir=rankdir,
        newrank="true",
        fontname=style.FONT,
        fontsize="14",
        labelloc="t",
        labeljust="l",
        label=dot_text(title),
        tooltip=dot_tooltip(title),
        nodesep="0.25",
        ranksep="0.7",
        outputorder="edgesfirst",
        pad="0.2",
    )
    g.attr("node", fontname=style.FONT, fontsize=style.FONT_SIZE, margin="0.12,0.06")
    g.attr("edge", fontname=style.FONT, fontsize=style.EDGE_FONT_SIZE, arrowsize="0.8")
    return g


def type_label(m: Map, t: str) -> str:
    return t + ("*" if t in m.types and m.is_sensitive(t) else "")


def type_lines(m: Map, types: Iterable[str], limit: int = style.MAX_TYPE_LINES) -> list[str]:
    """Edge-label lines for ``types``: one per type, or grouped under parents when many (never
    under a root such as ``personal``, which says nothing: past ``limit`` groups the rest is
    counted).

    >>> type_lines(m, ["email", "phone", "name", "ip"], limit=2)  # doctest: +SKIP
    ['contact: email, name, phone', 'ip']
    """
    names = sorted(set(types))
    if len(names) <= limit:
        return [type_label(m, t) for t in names]
    tree = m.type_tree
    groups: dict[str, list[str]] = {t: [t] for t in names}
    while len(groups) > limit:
        deepest = max(tree.depth(k) if k in tree else 0 for k in groups)
        if deepest <= 1:  # lifting further would group everything under the root
            break
        lifted: dict[str, list[str]] = {}
        for k, members in groups.items():
            parent = tree.parents.get(k) if k in tree else None
            key = parent if parent is not None and tree.depth(k) == deepest else k
            lifted.setdefault(key, []).extend(members)
        groups = lifted
    lines = []
    for k in sorted(groups):
        members = sorted(groups[k])
        if members == [k]:
            lines.append(type_label(m, k))
        else:
            lines.append(shorten(f"{k}: {', '.join(type_label(m, t) for t in members)}", 44))
    if len(lines) > limit + 1:
        lines = [*lines[:limit], f"+{len(lines) - limit} more groups"]
    return lines


# --------------------------------------------------------------------------- nodes


def node_tooltip(ctx: ViewContext, nid: str, *, brief: bool = False) -> str:
    """The record of node ``nid``; ``brief`` lists at most :data:`SUMMARY_LIST` types each way
    and gives each finding in one line (the atlas's pages, where a node may exchange hundreds)."""
    m = ctx.m
    n = m.nodes[nid]
    lines = [f"{n.kind}: {n.name} ({n.id})"]
    if n.owner:
        o = m.organisations[n.owner]
        lines.append(f"owner: {o.name} ({o.id}), {o.role}, based in {o.jurisdiction}")
    if n.subject:
        lines.append(f"data subject: {m.subjects[n.subject].name} ({n.subject})")
    lines.append(f"located in: {country_name(n.jurisdiction)} ({n.jurisdiction or '-'})")
    if n.kind == "store":
        lines.append(
            f"retention: {n.retention}; encrypted at rest: {yes_no(n.encrypted_at_rest)}; "
            f"erase reaches it: {yes_no(n.erase)}; export reaches it: {yes_no(n.export)}"
        )
        if n.retention_purposes:
            lines.append(f"kept longer for: {', '.join(n.retention_purposes)}")
        if n.access_control:
            lines.append(f"access control: {n.access_control}")
        for k in ("backup_of", "replica_of"):
            if getattr(n, k):
                lines.append(f"{k.replace('_', ' ')}: {getattr(n, k)}")
    received, sent = ctx.node_types.get(nid, ((), ()))
    for word, types in (("receives", sorted(received)), ("sends", sorted(sent))):
        if types and brief and len(types) > SUMMARY_LIST:
            lines.append(f"{word} ({len(types)}): {', '.join(types[:SUMMARY_LIST])} +{len(types) - SUMMARY_LIST} more")
        elif types:
            lines.append(f"{word}: {', '.join(types)}")
    if n.illustrative:
        lines.append("illustrative: yes (the architecture is an illustration)")
    if n.description:
        lines.append(f"note: {n.description}")
    fs = ctx.by_node.get(nid, [])
    if fs and brief:
        lines.append(f"findings ({len(fs)}): " + "; ".join(f"[{x.severity}] {x.rule} ({x.id})" for x in fs))
    elif fs:
        lines.append(f"findings ({len(fs)}):")
        lines.extend(ctx.finding_lines(fs))
    lines.append(f"defined at {ctx.where(n.src)}")
    return "\n".join(lines)


def add_node(
    g: Diagram,
    ctx: ViewContext,
    nid: str,
    *,
    extra: Sequence[str] = (),
    bold: bool = False,
    href: str | None = None,
    brief: bool = False,
) -> None:
    m = ctx.m
    n = m.nodes[nid]
    attrs = dict(style.NODE_STYLE[node_kind(m, n)])
    label = wrap(n.name)
    if n.kind == "store" and n.retention:
        label += f"\n[keeps {shorten(n.retention, 20)}]"
    fs = ctx.by_node.get(nid, [])
    if fs:
        worst = worst_severity(fs)
        attrs["color"] = style.SEVERITY_COLOUR[worst]
        attrs["penwidth"] = "3"
        rules = sorted({f.rule for f in fs})
        label += ("\nℹ " if worst == "info" else "\n⚠ ") + shorten(", ".join(rules), 40)
    for line in extra:
        label += "\n" + line
    if bold:
        attrs["penwidth"] = "3"
    tip = node_tooltip(ctx, nid, brief=brief)
    if href:  # the page that draws this node's own organisation
        label += "\n▸ open"
        attrs["URL"] = dot_text(href)
        tip += f"\nclick to open: {href}"
    g.node(nid, label=dot_text(label), tooltip=dot_tooltip(tip), **attrs)


def add_clustered_nodes(
    g: Diagram,
    ctx: ViewContext,
    node_ids: Iterable[str],
    extras: dict[str, list[str]] | None = None,
    bold: frozenset[str] = frozenset(),
    links: Mapping[str, str] | None = None,
    brief: bool = False,
) -> None:
    """Jurisdiction clusters (home first), organisation sub-clusters, then the nodes (each
    linked to ``links[node]`` when given; ``brief`` records: :func:`node_tooltip`)."""
    m = ctx.m
    extras = extras or {}
    links = links or {}
    tree: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    loose: list[str] = []
    for nid in sorted(node_ids):
        n = m.nodes[nid]
        if n.jurisdiction is None:
            loose.append(nid)
        else:
            tree[n.jurisdiction][n.owner or ""].append(nid)

    def one(parent: Diagram, nid: str) -> None:
        add_node(parent, ctx, nid, extra=extras.get(nid, ()), bold=nid in bold, href=links.get(nid), brief=brief)

    for nid in loose:
        one(g, nid)
    for jur in sorted(tree, key=lambda j: (j != m.home, j)):
        home = jur == m.home
        label = f"{country_name(jur)} ({jur})" + (" · home" if home else f" · outside {m.home}")
        with g.subgraph(name=f"cluster ~{jur}") as cj:
            cj.attr(
                label=dot_text(label),
                tooltip=dot_tooltip(label),
                fontsize="13",
                **(style.HOME_CLUSTER if home else style.FOREIGN_CLUSTER),
            )
            for owner in sorted(tree[jur]):
                members = tree[jur][owner]
                if not owner:
                    for nid in members:
                        one(cj, nid)
                    continue
                o = m.organisations[owner]
                olabel = f"{wrap(o.name, 30, 2)}\n({o.role.replace('_', ' ')}, {o.jurisdiction})"
                otip = org_tooltip(ctx, owner)
                with cj.subgraph(name=f"cluster ~{jur} ~{owner}") as co:
                    co.attr(label=dot_text(olabel), tooltip=dot_tooltip(otip), fontsize="11", **style.ORG_CLUSTER)
                    for nid in members:
                        one(co, nid)


def org_tooltip(ctx: ViewContext, oid: str) -> str:
    o = ctx.m.organisations[oid]
    lines = [f"organisation: {o.name} ({o.id})", f"role: {o.role}", f"jurisdiction: {o.jurisdiction}"]
    if o.group:
        lines.append(f"group: {o.group}")
    if o.engaged_by:
        lines.append(f"engaged by: {o.engaged_by}")
    for sg in o.safeguards:
        bits: list[str] = [sg.kind]
        if sg.scheme:
            bits.append(sg.scheme)
        if sg.countries:
            bits.append("covers " + ", ".join(sg.countries))
        if sg.reference:
            bits.append(f"ref {sg.reference}")
        if sg.valid_until:
            bits.append(f"valid until {sg.valid_until.isoformat()}")
        lines.append("safeguard: " + "; ".join(bits))
    if not o.safeguards:
        lines.append("safeguards: none recorded")
    if o.description:
        lines.append(f"note: {o.description}")
    lines.append(f"defined at {ctx.where(o.src)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- edges


def border_crossing(a: Analysis, f: Flow) -> tuple[str, str] | None:
    """The countries at the two ends of a flow that is a transfer (the analysis's ``is_transfer``
    and countries: :attr:`~flowatlas.analysis.Analysis.flow_facts`), else None."""
    facts = a.flow_facts[f.id]
    if not facts.is_transfer or not facts.source_country or not facts.target_country:
        return None
    return facts.source_country, facts.target_country


def flow_tooltip(ctx: ViewContext, f: Flow, *, brief: bool = False) -> str:
    """The record of flow ``f``: its ends and countries, types, purposes, bases, findings and
    file:line; ``brief`` names the types by id and each finding by its severity and id (which
    begins with its rule, and leads to its whole text in the findings table)."""
    m = ctx.m
    s, t = m.nodes[f.source], m.nodes[f.target]
    lines = [f"flow {f.id}: {s.name} → {t.name}"]
    cb = border_crossing(ctx.a, f)
    facts = ctx.a.flow_facts[f.id]
    lines.append(
        f"from {s.id} ({facts.source_country or '-'}) to {t.id} ({facts.target_country or '-'})"
        + (f" · CROSS-BORDER {cb[0]} → {cb[1]}" + (" (in transit)" if f.in_transit else "") if cb else "")
    )
    lines.append(
        "types: "
        + ", ".join(
            f"{x}{'*' if x in m.types and m.is_sensitive(x) else ''}"
            if brief
            else f"{x} ({m.types[x].name}{', sensitive' if m.is_sensitive(x) else ''})"
            if x in m.types
            else x
            for x in f.types
        )
    )
    lines.append("purposes: " + ", ".join(f.purposes))
    if f.subjects:
        lines.append("subjects: " + ", ".join(f.subjects))
    if f.context:
        lines.append(f"collected in context: {f.context}")
    lines.append(f"sharing basis: {f.sharing_basis or '-'}; transfer basis: {f.transfer_basis or '-'}")
    lines.append(f"encrypted in transit: {yes_no(f.encrypted)}")
    if f.evidence:
        lines.append(f"evidence: {f.evidence}")
    if f.description:
        lines.append(f"note: {f.description}")
    fs = ctx.by_flow.get(f.id, [])
    if fs and brief:
        lines.append(f"findings ({len(fs)}): " + "; ".join(f"[{x.severity}] {x.id}" for x in fs))  # RULE-hash
    elif fs:
        lines.append(f"findings ({len(fs)}):")
        lines.extend(ctx.finding_lines(fs))
    else:
        lines.append("findings: none")
    lines.append(f"defined at {ctx.where(f.src)}")
    return "\n".join(lines)


def rule_line(fs: Sequence[Finding], limit: int = 2) -> str:
    rules = sorted({f.rule for f in fs if f.severity != "info"} or {f.rule for f in fs})
    text = ", ".join(rules[:limit]) + (f" +{len(rules) - limit}" if len(rules) > limit else "")
    return ("ℹ " if worst_severity(fs) == "info" else "⚠ ") + text


def finding_label(fs: Sequence[Finding], *, rules: bool) -> list[str]:
    """The label lines an arrow gives its findings: one line naming the rules, or (``rules``, the
    findings view) a line per rule, at most four."""
    if not fs:
        return []
    if not rules:
        return [rule_line(fs)]
    rs = sorted({x.rule for x in fs})
    mark = "ℹ " if worst_severity(fs) == "info" else "⚠ "
    return [mark + r for r in rs[:4]] + ([f"+{len(rs) - 4} rules"] if len(rs) > 4 else [])


#: How a page writes the record of one flow.
Record = Callable[[Flow], str]

#: At most this many characters of its record's first line are an arrow's tooltip when the
#: whole record is kept beside the drawing: the viewer's hover shows the record's first lines,
#: a click all of it (the 50,000-flow atlas: 47 MB with 360 characters, 41 MB with one line).
TOOLTIP_CHARS = 120


def tooltip(g: Diagram, text: str) -> dict[str, Any]:
    """The DOT attributes that give an arrow of ``g`` the tooltip ``text``. When ``g`` keeps its
    records (``g.records`` is a dict: the atlas's pages) the whole text goes there under the
    arrow's new ``id`` and the tooltip holds its first line (at most :data:`TOOLTIP_CHARS`
    characters): a record of hundreds of flows is not repeated in the SVG.

    >>> g = Diagram()
    >>> g.records = {}
    >>> tooltip(g, "a" * 400)["id"], len(g.records["r0"])
    ('r0', 400)
    """
    if g.records is None:
        return {"tooltip": dot_tooltip(text)}
    eid = f"r{len(g.records)}"
    g.records[eid] = clean(text)
    first = text.split("\n", 1)[0]
    short = shorten(first, TOOLTIP_CHARS) + ("\n…" if len(first) < len(text) else "")
    return {"tooltip": dot_tooltip(short), "id": eid}


def add_flow_edge(
    g: Diagram,
    ctx: ViewContext,
    f: Flow,
    *,
    types: Sequence[str] | None = None,
    rules: bool = False,
    record: Record | None = None,
) -> None:
    m = ctx.m
    fs = ctx.by_flow.get(f.id, [])
    worst = worst_severity(fs)
    cb = border_crossing(ctx.a, f)
    lines: list[str] = []
    if cb:
        lines.append(f"{cb[0]} → {cb[1]}" + (" (transit)" if f.in_transit else ""))
    lines.extend(type_lines(m, types if types is not None else f.types))
    lines.extend(finding_label(fs, rules=rules))
    attrs = dict(style.CROSS_BORDER if cb else style.DOMESTIC)
    colour = style.SEVERITY_COLOUR[worst]
    attrs.update(color=colour, fontcolor=colour)
    tip = record(f) if record else flow_tooltip(ctx, f)
    g.edge(f.source, f.target, label=dot_text("\n".join(lines)), **tooltip(g, tip), **attrs)


#: A merged arrow's tooltip gives each of at most this many flows in full (then their ids).
TOOLTIP_FLOWS = 6


def _look(ctx: ViewContext, flows: Sequence[Flow]) -> tuple[str | None, bool]:
    """How an arrow for ``flows`` looks: its colour (worst finding) and whether it crosses a border."""
    fs = [x for f in flows for x in ctx.by_flow.get(f.id, [])]
    return worst_severity(fs), any(border_crossing(ctx.a, f) for f in flows)


def add_flow_edges(
    g: Diagram, ctx: ViewContext, flows: Iterable[Flow], *, rules: bool = False, record: Record | None = None
) -> None:
    """An arrow per pair of nodes: parallel flows between the same two nodes are merged into one
    arrow listing their types and findings, and A→B with B→A becomes one two-headed arrow where
    both look the same (same worst finding, both or neither crossing a border). A pair with one
    flow is drawn as :func:`add_flow_edge` draws it. With ``record``, an arrow's tooltip holds
    ``record(flow)`` for every flow it stands for (else the first :data:`TOOLTIP_FLOWS` in full)."""
    pairs: dict[tuple[str, str], list[Flow]] = {}
    for f in flows:
        pairs.setdefault((f.source, f.target), []).append(f)
    done: set[tuple[str, str]] = set()
    for (a, b), fs in pairs.items():
        if (a, b) in done:
            continue
        done.add((a, b))
        back = pairs.get((b, a)) if a != b and (b, a) not in done else None
        if back and _look(ctx, back) == _look(ctx, fs):
            done.add((b, a))
            _merged_edge(g, ctx, a, b, fs + back, rules=rules, both=True, record=record)
        elif len(fs) == 1:
            add_flow_edge(g, ctx, fs[0], rules=rules, record=record)
        else:
            _merged_edge(g, ctx, a, b, fs, rules=rules, both=False, record=record)


def _merged_edge(
    g: Diagram,
    ctx: ViewContext,
    a: str,
    b: str,
    flows: Sequence[Flow],
    *,
    rules: bool,
    both: bool,
    record: Record | None = None,
) -> None:
    m = ctx.m
    fs = list(dict.fromkeys(x for f in flows for x in ctx.by_flow.get(f.id, [])))
    worst = worst_severity(fs)
    crossings = sorted({f"{cb[0]} ↔ {cb[1]}" if both else f"{cb[0]} → {cb[1]}" for f in flows
                        if (cb := border_crossing(ctx.a, f))})  # fmt: skip
    lines = [*crossings[:1], f"{len(flows)} flows"]
    lines.extend(type_lines(m, [t for f in flows for t in f.types]))
    lines.extend(finding_label(fs, rules=rules))
    ids = [f.id for f in flows]
    head = f"flows {', '.join(ids)}: {m.nodes[a].name} {'↔' if both else '→'} {m.nodes[b].name}"
    parts = [head, *(record(f) if record else flow_tooltip(ctx, f) for f in flows[: None if record else TOOLTIP_FLOWS])]
    if len(flows) > TOOLTIP_FLOWS and not record:
        parts.append(f"… and {len(flows) - TOOLTIP_FLOWS} more flows (their ids above)")
    attrs = dict(style.CROSS_BORDER if crossings else style.DOMESTIC)
    colour = style.SEVERITY_COLOUR[worst]
    attrs.update(color=colour, fontcolor=colour)
    if both:
        attrs["dir"] = "both"
    g.edge(a, b, label=dot_text("\n".join(lines)), **tooltip(g, "\n\n".join(parts)), **attrs)


def view_title(
    m: Map, what: str, ctx: ViewContext, extra: Sequence[str] = (), shown: Sequence[Finding] | None = None
) -> str:
    """The title of a view: the map, what the view shows, ``extra`` lines, and the counts of the
    findings it shows (``shown``; by default every finding given to the view)."""
    lines = [f"{m.info.name} ({m.info.id}): {what}"]
    lines.extend(extra)
    counted = ctx.findings if shown is None else shown
    if counted:
        counts: dict[str, int] = defaultdict(int)
        for f in counted:
            counts[f.severity] += 1
        lines.append(
            "findings: " + ", ".join(f"{counts[s]} {s}" for s in ("high", "medium", "low", "info") if counts[s])
        )
    return "\n".join(lines)


def arrows(flows: Iterable[Flow]) -> int:
    """How many arrows a drawing of ``flows`` node by node holds at most: one per ordered pair
    of nodes (parallel flows share one; a pair both ways may share one too)."""
    return len({(f.source, f.target) for f in flows})


def fits(nodes: int, n_arrows: int, max_nodes: int = DEFAULT_MAX_NODES) -> bool:
    """Whether a drawing of ``nodes`` nodes and ``n_arrows`` arrows is within the bounds a
    person reads: ``max_nodes`` (:data:`DEFAULT_MAX_NODES`) and :data:`ARROWS_PER_NODE` arrows
    for each of them (:data:`MAX_DRAWN_ARROWS`).

    >>> fits(40, 120), fits(41, 10), fits(10, 121), fits(100, 300, max_nodes=100)
    (True, False, False, True)
    """
    return nodes <= max_nodes and n_arrows <= ARROWS_PER_NODE * max_nodes


def kinds_present(m: Map, node_ids: Iterable[str]) -> tuple[str, ...]:
    present = {node_kind(m, m.nodes[n]) for n in node_ids}
    return tuple(k for k in style.NODE_STYLE if k in present) or ("system",)
