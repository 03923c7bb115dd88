"""Views of a map as :class:`graphviz.Digraph` objects (shown inline as SVG in JupyterLab).

Every view takes the audit's findings as a parameter (``list[Finding] | None``) and never runs
the audit itself, so a notebook can audit once and draw many views.

* :func:`overview`: jurisdictions as clusters, organisations inside them, every flow;
* :func:`lineage`: where one information type (and its subtypes) goes, from collection on;
* :func:`findings_view`: only the nodes and flows that findings touch, edges marked with rules;
* :func:`summary`: one box per organisation or jurisdiction with flow and type counts.

Output is deterministic: records are visited in id order and findings in id order, so the same
map gives byte-identical DOT whatever the order of its files and records. All map text goes
through :func:`flowatlas.render.text.dot_text`, so no name can inject DOT or HTML.

>>> from flowatlas.render import overview, to_svg   # doctest: +SKIP
>>> svg = to_svg(overview(m, findings))             # doctest: +SKIP
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pycountry

from flowatlas.atlas import Map
from flowatlas.boundaries import INTERNAL_ROLES, is_transfer
from flowatlas.errors import UsageError
from flowatlas.findings import SEVERITY_RANK, Finding
from flowatlas.graph import build_graph, carriers
from flowatlas.model import Flow, Node, Source
from flowatlas.render import style
from flowatlas.render.diagram import Diagram
from flowatlas.render.legend import add_legend
from flowatlas.render.text import dot_text, dot_tooltip, shorten, wrap
from flowatlas.suggest import did_you_mean

#: Above this many nodes the overview collapses into the summary view.
DEFAULT_MAX_NODES = 150

#: The collapsed overview uses the summary by jurisdiction when the one by organisation would
#: need more arrows than this (graphviz's time grows much faster than the number of arrows).
MAX_SUMMARY_EDGES = 300

#: Above this many arrows a summary is laid out with straight lines and dot's iteration limits
#: (``mclimit``, ``nslimit``) lowered, so that even a dense summary lays out in seconds.
QUICK_LAYOUT_EDGES = 200

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


def _where(m: Map, src: Source | None) -> str:
    """``file:line`` relative to the map folder (so the DOT does not depend on the cwd)."""
    if src is None:
        return "(no source)"
    file = src.file
    root = m.root.rstrip("/")
    if root and root != "<memory>" and file.startswith(root + "/"):
        file = file[len(root) + 1 :]
    return f"{file}:{src.line}"


def _worst(fs: Iterable[Finding]) -> str | None:
    worst = None
    for f in fs:
        if worst is None or SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst]:
            worst = f.severity
    return worst


def _n(k: int, word: str) -> str:
    return f"{k} {word}{'' if k == 1 else 's'}"


def _yn(v: bool | None) -> str:
    return "unknown" if v is None else ("yes" if v else "no")


@dataclass
class _Ctx:
    m: Map
    findings: list[Finding]
    provenance: bool
    by_flow: dict[str, list[Finding]] = field(default_factory=dict)
    by_node: dict[str, list[Finding]] = field(default_factory=dict)

    @classmethod
    def make(cls, m: Map, findings: Sequence[Finding] | None, provenance: bool) -> _Ctx:
        fs = sorted(findings or (), key=lambda f: (-SEVERITY_RANK[f.severity], f.rule, f.id))
        ctx = cls(m, fs, provenance)
        for f in fs:
            for fid in dict.fromkeys(f.flows):
                ctx.by_flow.setdefault(fid, []).append(f)
            for nid in dict.fromkeys(f.nodes):
                ctx.by_node.setdefault(nid, []).append(f)
        return ctx

    def where(self, src: Source | None) -> str:
        return _where(self.m, src) if self.provenance else "(provenance hidden)"

    def finding_lines(self, fs: Sequence[Finding]) -> list[str]:
        out: list[str] = []
        for f in fs:
            cls_ = f" · {f.dimension or ''} {f.disclosure}" if f.disclosure else ""
            out.append(f"[{f.severity}] {f.rule}{cls_} ({f.id})")
            out.append(f"  {f.message}")
            for c in f.clauses:
                out.append(f"  held against §{c.clause} ({c.policy}/{c.declaration}): “{shorten(c.quote, 160)}”")
            if f.remedy:
                out.append(f"  remedy: {f.remedy}")
            if f.src is not None:
                out.append(f"  at {self.where(f.src)}")
        return out


def _kind(m: Map, n: Node) -> str:
    if n.kind != "subject" and n.owner and m.organisations[n.owner].role not in INTERNAL_ROLES:
        return "external_store" if n.kind == "store" else "external"
    return n.kind


def _new(name: str, title: str, m: Map, *, rankdir: str = "TB") -> Diagram:
    g = Diagram(name=name)
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


def _type_label(m: Map, t: str) -> str:
    return t + ("*" if t in m.types and m.is_sensitive(t) else "")


def type_lines(m: Map, types: Iterable[str], limit: int = style.MAX_TYPE_LINES) -> list[str]:
    """Edge-label lines for ``types``: one per type, or grouped under parents when many.

    >>> type_lines(m, ["email", "phone", "name", "ip"], limit=2)  # doctest: +SKIP
    ['contact: email, name, phone', 'ip']
    """
    names = sorted(set(types))
    if len(names) <= limit:
        return [_type_label(m, t) for t in names]
    tree = m.type_tree
    groups: dict[str, list[str]] = {t: [t] for t in names}
    while len(groups) > limit:
        deepest = max(tree.depth(k) if k in tree else 0 for k in groups)
        if deepest == 0:
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
            lines.append(_type_label(m, k))
        else:
            lines.append(shorten(f"{k}: {', '.join(_type_label(m, t) for t in members)}", 44))
    if len(lines) > limit + 1:
        lines = [*lines[:limit], f"+{len(lines) - limit} more groups"]
    return lines


# --------------------------------------------------------------------------- nodes


def _node_tooltip(ctx: _Ctx, nid: str) -> str:
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
            f"retention: {n.retention}; encrypted at rest: {_yn(n.encrypted_at_rest)}; "
            f"erase reaches it: {_yn(n.erase)}; export reaches it: {_yn(n.export)}"
        )
        if n.retention_purposes:
            lines.append(f"kept longer for: {', '.join(n.retention_purposes)}")
        if n.access_control:
            lines.append(f"access control: {n.access_control}")
        for k in ("backup_of", "replica_of"):
            if getattr(n, k):
                lines.append(f"{k.replace('_', ' ')}: {getattr(n, k)}")
    inbound = sorted({t for f in m.flows.values() if f.target == nid for t in f.types})
    outbound = sorted({t for f in m.flows.values() if f.source == nid for t in f.types})
    if inbound:
        lines.append(f"receives: {', '.join(inbound)}")
    if outbound:
        lines.append(f"sends: {', '.join(outbound)}")
    if n.illustrative:
        lines.append("illustrative: yes (the architecture is an illustration)")
    if n.description:
        lines.append(f"note: {n.description}")
    fs = ctx.by_node.get(nid, [])
    if fs:
        lines.append(f"findings ({len(fs)}):")
        lines.extend(ctx.finding_lines(fs))
    lines.append(f"defined at {ctx.where(n.src)}")
    return "\n".join(lines)


def _node(g: Diagram, ctx: _Ctx, nid: str, *, extra: Sequence[str] = (), bold: bool = False) -> None:
    m = ctx.m
    n = m.nodes[nid]
    attrs = dict(style.NODE_STYLE[_kind(m, n)])
    label = wrap(n.name)
    if n.kind == "store" and n.retention:
        label += f"\n[keeps {shorten(n.retention, 20)}]"
    fs = ctx.by_node.get(nid, [])
    if fs:
        worst = _worst(fs)
        attrs["color"] = style.SEVERITY_COLOUR[worst]
        attrs["penwidth"] = "3"
        rules = sorted({f.rule for f in fs})
        label += ("\nℹ " if worst == "info" else "\n⚠ ") + shorten(", ".join(rules), 40)
    for line in extra:
        label += "\n" + line
    if bold:
        attrs["penwidth"] = "3"
    g.node(nid, label=dot_text(label), tooltip=dot_tooltip(_node_tooltip(ctx, nid)), **attrs)


def _clustered_nodes(
    g: Diagram,
    ctx: _Ctx,
    node_ids: Iterable[str],
    extras: dict[str, list[str]] | None = None,
    bold: frozenset[str] = frozenset(),
) -> None:
    """Jurisdiction clusters (home first), organisation sub-clusters, then the nodes."""
    m = ctx.m
    extras = extras or {}
    tree: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    loose: list[str] = []
    for nid in sorted(node_ids):
        n = m.nodes[nid]
        if n.jurisdiction is None:
            loose.append(nid)
        else:
            tree[n.jurisdiction][n.owner or ""].append(nid)
    for nid in loose:
        _node(g, ctx, nid, extra=extras.get(nid, ()), bold=nid in bold)
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
                        _node(cj, ctx, nid, extra=extras.get(nid, ()), bold=nid in bold)
                    continue
                o = m.organisations[owner]
                olabel = f"{wrap(o.name, 30, 2)}\n({o.role.replace('_', ' ')}, {o.jurisdiction})"
                otip = _org_tooltip(ctx, owner)
                with cj.subgraph(name=f"cluster ~{jur} ~{owner}") as co:
                    co.attr(label=dot_text(olabel), tooltip=dot_tooltip(otip), fontsize="11", **style.ORG_CLUSTER)
                    for nid in members:
                        _node(co, ctx, nid, extra=extras.get(nid, ()), bold=nid in bold)


def _org_tooltip(ctx: _Ctx, oid: str) -> str:
    o = ctx.m.organisations[oid]
    lines = [f"organisation: {o.name} ({o.id})", f"role: {o.role}", f"jurisdiction: {o.jurisdiction}"]
    if o.group:
        lines.append(f"group: {o.group}")
    if o.engaged_by:
        lines.append(f"engaged by: {o.engaged_by}")
    for sg in o.safeguards:
        bits = [sg.kind]
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


def _crossing(m: Map, f: Flow) -> tuple[str, str] | None:
    """The two countries of a flow that is a transfer (:func:`~flowatlas.boundaries.is_transfer`)."""
    a, b = m.nodes[f.source].jurisdiction, m.nodes[f.target].jurisdiction
    return (a, b) if a and b and is_transfer(m, f) else None


def _flow_tooltip(ctx: _Ctx, f: Flow) -> str:
    m = ctx.m
    s, t = m.nodes[f.source], m.nodes[f.target]
    lines = [f"flow {f.id}: {s.name} → {t.name}"]
    cb = _crossing(m, f)
    lines.append(
        f"from {s.id} ({s.jurisdiction or '-'}) to {t.id} ({t.jurisdiction or '-'})"
        + (f" · CROSS-BORDER {cb[0]} → {cb[1]}" + (" (in transit)" if f.in_transit else "") if cb else "")
    )
    lines.append(
        "types: "
        + ", ".join(
            f"{x} ({m.types[x].name}{', sensitive' if m.is_sensitive(x) else ''})" if x in m.types else x
            for x in f.types
        )
    )
    lines.append("purposes: " + ", ".join(f.purposes))
    if f.subjects:
        lines.append("subjects: " + ", ".join(f.subjects))
    if f.context:
        lines.append(f"collected in context: {f.context}")
    lines.append(f"sharing basis: {f.sharing_basis or '-'}; transfer basis: {f.transfer_basis or '-'}")
    lines.append(f"encrypted in transit: {_yn(f.encrypted)}")
    if f.evidence:
        lines.append(f"evidence: {f.evidence}")
    if f.description:
        lines.append(f"note: {f.description}")
    fs = ctx.by_flow.get(f.id, [])
    if fs:
        lines.append(f"findings ({len(fs)}):")
        lines.extend(ctx.finding_lines(fs))
    else:
        lines.append("findings: none")
    lines.append(f"defined at {ctx.where(f.src)}")
    return "\n".join(lines)


def _rule_line(fs: Sequence[Finding], limit: int = 2) -> str:
    rules = sorted({f.rule for f in fs if f.severity != "info"} or {f.rule for f in fs})
    text = ", ".join(rules[:limit]) + (f" +{len(rules) - limit}" if len(rules) > limit else "")
    return ("ℹ " if _worst(fs) == "info" else "⚠ ") + text


def _flow_edge(g: Diagram, ctx: _Ctx, f: Flow, *, types: Sequence[str] | None = None, rules: bool = False) -> None:
    m = ctx.m
    fs = ctx.by_flow.get(f.id, [])
    worst = _worst(fs)
    cb = _crossing(m, f)
    lines: list[str] = []
    if cb:
        lines.append(f"{cb[0]} → {cb[1]}" + (" (transit)" if f.in_transit else ""))
    lines.extend(type_lines(m, types if types is not None else f.types))
    if fs:
        if rules:
            rs = sorted({x.rule for x in fs})
            mark = "ℹ " if worst == "info" else "⚠ "
            lines.extend([mark + r for r in rs[:4]] + ([f"+{len(rs) - 4} rules"] if len(rs) > 4 else []))
        else:
            lines.append(_rule_line(fs))
    attrs = dict(style.CROSS_BORDER if cb else style.DOMESTIC)
    colour = style.SEVERITY_COLOUR[worst]
    attrs.update(color=colour, fontcolor=colour)
    g.edge(f.source, f.target, label=dot_text("\n".join(lines)), tooltip=dot_tooltip(_flow_tooltip(ctx, f)), **attrs)


# --------------------------------------------------------------------------- views


def _title(m: Map, what: str, ctx: _Ctx, extra: Sequence[str] = ()) -> str:
    lines = [f"{m.info.name} ({m.info.id}): {what}"]
    lines.extend(extra)
    if ctx.findings:
        counts = defaultdict(int)
        for f in ctx.findings:
            counts[f.severity] += 1
        lines.append(
            "findings: " + ", ".join(f"{counts[s]} {s}" for s in ("high", "medium", "low", "info") if counts[s])
        )
    return "\n".join(lines)


def overview(
    m: Map,
    findings: Sequence[Finding] | None = None,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    provenance: bool = True,
) -> Diagram:
    """Every node and flow: jurisdictions as clusters, organisations inside them.

    Above ``max_nodes`` nodes it returns the :func:`summary` by organisation, or by
    jurisdiction when even that is too big (more than ``max_nodes`` boxes or
    :data:`MAX_SUMMARY_EDGES` arrows), and says so in the diagram's title.
    ``provenance=False`` leaves file:line out of tooltips.
    """
    if len(m.nodes) > max_nodes:
        by, why = _collapse_by(m, max_nodes)
        note = (
            f"collapsed: {len(m.nodes)} nodes is more than max_nodes={max_nodes}, so this is the summary by {by}"
            f"{why}; draw lineage:TYPE or raise --max-nodes for detail"
        )
        return summary(m, by, findings, provenance=provenance, note=note)
    ctx = _Ctx.make(m, findings, provenance)
    crossing = [cb for f in m.flows.values() if (cb := _crossing(m, f))]
    leave = sum(1 for a, _ in crossing if a == m.home)
    enter = sum(1 for _, b in crossing if b == m.home)
    flagged = sum(1 for f in m.flows.values() if ctx.by_flow.get(f.id))
    extra = [
        f"{_n(len(m.nodes), 'node')}, {_n(len(m.flows), 'flow')}, {_n(flagged, 'flow')} with findings",
        f"{_n(len(crossing), 'cross-border flow')} (thick dashed): {leave} leave {m.home}, "
        f"{len(crossing) - leave - enter} onward abroad, {enter} enter {m.home}",
    ]
    if findings is None:
        extra.append("not audited: colours show no findings")
    g = _new("overview", _title(m, "overview", ctx, extra), m)
    _clustered_nodes(g, ctx, m.nodes)
    for f in m.flows.values():
        _flow_edge(g, ctx, f)
    add_legend(g, m.home, kinds=_kinds_present(m, m.nodes))
    return g


def _collapse_by(m: Map, max_nodes: int) -> tuple[str, str]:
    """``(by, why)``: organisation, or jurisdiction when the organisation summary is too large."""
    owner = {nid: n.owner or SUBJECTS for nid, n in m.nodes.items()}
    n_orgs = len(set(owner.values()))
    if n_orgs > max_nodes:
        return "jurisdiction", f" ({n_orgs} organisation boxes would be more than {max_nodes})"
    pairs = {(a, b) for f in m.flows.values() if (a := owner[f.source]) != (b := owner[f.target])}
    if len(pairs) > MAX_SUMMARY_EDGES:
        return "jurisdiction", f" ({len(pairs)} arrows between organisations would be more than {MAX_SUMMARY_EDGES})"
    return "organisation", ""


def _kinds_present(m: Map, node_ids: Iterable[str]) -> tuple[str, ...]:
    present = {_kind(m, m.nodes[n]) for n in node_ids}
    return tuple(k for k in style.NODE_STYLE if k in present) or ("system",)


def lineage(
    m: Map,
    type_id: str,
    findings: Sequence[Finding] | None = None,
    *,
    provenance: bool = True,
) -> Diagram:
    """Where ``type_id`` and its subtypes go: from every collection point to every place reached.

    Raises :class:`~flowatlas.errors.UsageError` for an unknown type.
    """
    if type_id not in m.types:
        hint = did_you_mean(type_id, m.types)
        raise UsageError(f"unknown information type '{type_id}'" + (f"; {hint}" if hint else ""))
    ctx = _Ctx.make(m, findings, provenance)
    wanted = m.type_tree.descendants(type_id)
    fids = carriers(build_graph(m), type_id)
    node_ids = {end for fid in fids for end in (m.flows[fid].source, m.flows[fid].target)}
    has_in = {m.flows[fid].target for fid in fids}
    has_out = {m.flows[fid].source for fid in fids}
    starts = {n for n in has_out if n not in has_in or m.nodes[n].kind == "subject"}
    extras: dict[str, list[str]] = {}
    for nid in node_ids:
        if nid in starts:
            extras[nid] = ["● collected here"]
        elif nid not in has_out:
            extras[nid] = ["■ ends here"]
    countries = sorted({m.nodes[n].jurisdiction for n in node_ids if m.nodes[n].jurisdiction})
    orgs = sorted({m.nodes[n].owner for n in node_ids if m.nodes[n].owner})
    t = m.types[type_id]
    what = f"lineage of {type_id} ({t.name})" + (f" and {len(wanted) - 1} subtypes" if len(wanted) > 1 else "")
    extra = [
        f"{len(fids)} flows, {len(node_ids)} places, {len(orgs)} organisations; reaches: "
        + (", ".join(countries) or "nowhere")
    ]
    if not fids:
        extra.append(f"no flow carries {type_id} or a subtype")
    g = _new(f"lineage-{type_id}", _title(m, what, ctx, extra), m)
    _clustered_nodes(g, ctx, node_ids, extras, bold=frozenset(starts))
    for fid in fids:
        f = m.flows[fid]
        _flow_edge(g, ctx, f, types=[x for x in f.types if x in wanted])
    add_legend(g, m.home, kinds=_kinds_present(m, node_ids) if node_ids else ("system",))
    return g


def findings_view(
    m: Map,
    findings: Sequence[Finding],
    *,
    provenance: bool = True,
) -> Diagram:
    """Only the nodes and flows that ``findings`` touch; each edge lists its rules."""
    ctx = _Ctx.make(m, findings, provenance)
    fids = sorted({fid for f in ctx.findings for fid in f.flows if fid in m.flows})
    node_ids = {n for f in ctx.findings for n in (*f.path, *f.nodes) if n in m.nodes}
    for fid in fids:
        node_ids.update((m.flows[fid].source, m.flows[fid].target))
    loose = [
        f
        for f in ctx.findings
        if not any(x in m.flows for x in f.flows) and not any(n in m.nodes for n in (*f.path, *f.nodes))
    ]
    extra = [f"{_n(len(ctx.findings), 'finding')} touching {_n(len(fids), 'flow')} and {_n(len(node_ids), 'node')}"]
    if loose:
        rules = sorted({f.rule for f in loose})
        extra.append(f"{_n(len(loose), 'finding')} not tied to a node or flow: {shorten(', '.join(rules), 100)}")
    if not ctx.findings:
        extra.append("no findings")
    g = _new("findings", _title(m, "findings", ctx, extra), m)
    _clustered_nodes(g, ctx, node_ids)
    for fid in fids:
        _flow_edge(g, ctx, m.flows[fid], rules=True)
    add_legend(g, m.home, kinds=_kinds_present(m, node_ids) if node_ids else ("system",))
    return g


SUBJECTS = "~subjects"
UNLOCATED = "~unlocated"


def _top(items: Sequence[str], word: str, limit: int = SUMMARY_LIST) -> str:
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
    return len(counts), _top([f"{t} ×{k}" for t, k in ranked], "type", limit)


def _unique_findings(groups: Iterable[Sequence[Finding]]) -> list[Finding]:
    """The findings in ``groups`` once each (by identity: hashing a finding hashes all its flows), worst first."""
    seen: dict[int, Finding] = {}
    for fs in groups:
        for x in fs:
            seen.setdefault(id(x), x)
    return sorted(seen.values(), key=lambda x: (-SEVERITY_RANK[x.severity], x.rule, x.id))


def _findings_tip(ctx: _Ctx, fs: Sequence[Finding], limit: int = SUMMARY_LIST) -> list[str]:
    if not fs:
        return []
    lines = [f"findings ({len(fs)}, worst first):"]
    for f in fs[:limit]:  # a finding's message can list hundreds of flows: one short line each
        cls_ = f" · {f.dimension or ''} {f.disclosure}" if f.disclosure else ""
        lines.append(f"[{f.severity}] {f.rule}{cls_} ({f.id})")
        lines.append(f"  {shorten(f.message, 200)}")
        if f.src is not None:
            lines.append(f"  at {ctx.where(f.src)}")
    if len(fs) > limit:
        lines.append(f"+{len(fs) - limit} more findings")
    return lines


def summary(
    m: Map,
    by: str = "organisation",
    findings: Sequence[Finding] | None = None,
    *,
    provenance: bool = True,
    note: str | None = None,
) -> Diagram:
    """One box per organisation (``by="organisation"``) or jurisdiction, with flow and type counts.

    Data subjects (who have no organisation) share one box. Flows between two boxes become one
    arrow labelled with how many flows and types it stands for, coloured by the worst finding.
    Labels and tooltips stay bounded whatever the map's size: they give counts and list at most
    :data:`SUMMARY_LIST` items of a kind, then "+K more".
    """
    if by not in ("organisation", "jurisdiction"):
        raise UsageError(f"summary by '{by}': expected 'organisation' or 'jurisdiction'")
    ctx = _Ctx.make(m, findings, provenance)

    if by == "organisation":
        gof = {nid: n.owner or SUBJECTS for nid, n in m.nodes.items()}
    else:
        gof = {nid: n.jurisdiction or UNLOCATED for nid, n in m.nodes.items()}

    members: dict[str, list[str]] = defaultdict(list)
    for nid in m.nodes:
        members[gof[nid]].append(nid)
    inner: dict[str, list[Flow]] = defaultdict(list)
    between: dict[tuple[str, str], list[Flow]] = defaultdict(list)
    for f in m.flows.values():
        a, b = gof[f.source], gof[f.target]
        (inner[a] if a == b else between[(a, b)]).append(f)

    def country(gid: str) -> str | None:
        if by == "jurisdiction":
            return None if gid == UNLOCATED else gid
        return None if gid == SUBJECTS else m.organisations[gid].jurisdiction

    extra = [
        f"summary by {by}: {len(members)} boxes for {len(m.nodes)} nodes, "
        f"{len(between)} arrows for {len(m.flows)} flows"
    ]
    if note:
        extra.insert(0, note)
    if len(between) > QUICK_LAYOUT_EDGES:
        extra.append(f"more than {QUICK_LAYOUT_EDGES} arrows: straight lines and a quicker layout")
    g = _new(f"summary-{by}", _title(m, f"summary by {by}", ctx, extra), m, rankdir="LR")
    if len(between) > QUICK_LAYOUT_EDGES:
        # dot's crossing minimisation and spline routing grow much faster than the arrows:
        # 1,597 arrows between 41 boxes take over a minute by default, 4 s with these limits
        g.attr("graph", splines="line", mclimit="0.01", nslimit="1", nslimit1="1")

    def box(parent: Diagram, gid: str) -> None:
        nodes = members[gid]
        fl = inner.get(gid, [])
        n_types, top_types = _top_types(fl)
        if by == "organisation" and gid != SUBJECTS:
            o = m.organisations[gid]
            head = f"{wrap(o.name, 26, 2)}\n{o.role.replace('_', ' ')} · {o.jurisdiction}"
            kind = "system" if o.role in INTERNAL_ROLES else "external"
            tip = [_org_tooltip(ctx, gid)]
        elif gid in (SUBJECTS, UNLOCATED):
            head = "data subjects" if gid == SUBJECTS else "no location"
            kind = "subject"
            tip = [head]
        else:
            head = f"{country_name(gid)} ({gid})"
            kind = "system"
            orgs = sorted({m.nodes[n].owner or "-" for n in nodes})
            tip = [head, f"organisations ({len(orgs)}): " + _top(orgs, "organisation")]
        label = f"{head}\n{_n(len(nodes), 'node')}"
        if fl:
            label += f" · {_n(len(fl), 'internal flow')}\n{_n(n_types, 'type')} inside"
        nfs = _unique_findings([*(ctx.by_node.get(n, ()) for n in nodes), *(ctx.by_flow.get(f.id, ()) for f in fl)])
        attrs = dict(style.NODE_STYLE[kind])
        attrs["shape"] = "box" if kind != "subject" else "ellipse"
        if nfs:
            worst = _worst(nfs)
            attrs.update(color=style.SEVERITY_COLOUR[worst], penwidth="3")
            label += f"\n⚠ {len({x.id for x in nfs})} findings inside"
        tip.append(f"nodes ({len(nodes)}): " + _top(sorted(nodes), "node"))
        if fl:
            tip.append(f"internal flows ({len(fl)}): " + _top([f.id for f in fl], "flow"))
            tip.append(f"types inside ({n_types}): {top_types}")
        tip.extend(_findings_tip(ctx, nfs))
        parent.node(gid, label=dot_text(label), tooltip=dot_tooltip("\n".join(tip)), **attrs)

    by_country: dict[str | None, list[str]] = defaultdict(list)
    for gid in sorted(members):
        by_country[country(gid) if by == "organisation" else None].append(gid)
    for c in sorted(by_country, key=lambda x: (x is not None, x != m.home, x or "")):
        if c is None:
            for gid in by_country[c]:
                if by == "jurisdiction" and gid not in (UNLOCATED,):
                    home = gid == m.home
                    with g.subgraph(name=f"cluster ~{gid}") as cj:
                        cj.attr(
                            label=dot_text("home" if home else f"outside {m.home}"),
                            **(style.HOME_CLUSTER if home else style.FOREIGN_CLUSTER),
                        )
                        box(cj, gid)
                else:
                    box(g, gid)
            continue
        home = c == m.home
        label = f"{country_name(c)} ({c})" + (" · home" if home else f" · outside {m.home}")
        with g.subgraph(name=f"cluster ~{c}") as cj:
            cj.attr(label=dot_text(label), **(style.HOME_CLUSTER if home else style.FOREIGN_CLUSTER))
            for gid in by_country[c]:
                box(cj, gid)

    for (a, b), fl in sorted(between.items()):
        fs = _unique_findings(ctx.by_flow.get(f.id, ()) for f in fl)
        n_types, top_types = _top_types(fl)
        crossing: dict[tuple[str, str], int] = defaultdict(int)
        for f in fl:
            if cb := _crossing(m, f):
                crossing[cb] += 1
        lines = []
        if crossing:
            lines.append(shorten(", ".join(f"{x} → {y}" for x, y in sorted(crossing)), 40))
        lines.append(f"{_n(len(fl), 'flow')} · {_n(n_types, 'type')}")
        if fs:
            lines.append(_rule_line(fs))
        colour = style.SEVERITY_COLOUR[_worst(fs)]
        attrs = dict(style.CROSS_BORDER if crossing else style.DOMESTIC)
        tip = [f"{_n(len(fl), 'flow')} from {a} to {b}", f"types ({n_types}): {top_types}"]
        if crossing:
            tip.append(
                "cross-border: " + _top([f"{x} → {y} ×{k}" for (x, y), k in sorted(crossing.items())], "country pair")
            )
        # the flows with the worst findings first, then by id; at most SUMMARY_LIST of them
        rank = {f.id: max((SEVERITY_RANK[x.severity] for x in ctx.by_flow.get(f.id, ())), default=-1) for f in fl}
        shown = sorted(fl, key=lambda f: (-rank[f.id], f.id))[:SUMMARY_LIST]
        for f in shown:
            cb = _crossing(m, f)
            tip.append(
                f"  {f.id}: {shorten(', '.join(f.types), 80)}"
                + (f" [{cb[0]} → {cb[1]}]" if cb else "")
                + f" ({ctx.where(f.src)})"
            )
        if len(fl) > len(shown):
            tip.append(f"  +{len(fl) - len(shown)} more flows")
        tip.extend(_findings_tip(ctx, fs))
        g.edge(
            a,
            b,
            label=dot_text("\n".join(lines)),
            tooltip=dot_tooltip("\n".join(tip)),
            color=colour,
            fontcolor=colour,
            **attrs,
        )
    add_legend(g, m.home, kinds=("subject", "system", "external"), summary=True)
    return g


#: View names the CLI and notebooks accept (``lineage:TYPE`` takes a type id).
VIEWS = ("overview", "lineage:TYPE", "findings", "summary", "summary:jurisdiction")


def build_view(
    m: Map,
    spec: str,
    findings: Sequence[Finding] | None = None,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    provenance: bool = True,
) -> tuple[str, Diagram]:
    """``(file stem, diagram)`` for a view spec such as ``overview`` or ``lineage:email``."""
    name, _, arg = spec.partition(":")
    if name == "overview" and not arg:
        return "overview", overview(m, findings, max_nodes=max_nodes, provenance=provenance)
    if name == "lineage" and arg:
        return f"lineage-{arg}", lineage(m, arg, findings, provenance=provenance)
    if name == "findings" and not arg:
        return "findings", findings_view(m, findings or [], provenance=provenance)
    if name == "summary":
        by = arg or "organisation"
        return f"summary-{by}", summary(m, by, findings, provenance=provenance)
    raise UsageError(f"unknown view '{spec}': expected one of {', '.join(VIEWS)}")
