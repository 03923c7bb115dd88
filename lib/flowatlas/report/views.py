"""What the notebooks display: tables (pandas), styled matrices, diagrams and pickers.

Every function here is a plain function of the map's :class:`~flowatlas.analysis.Analysis` (the
one the notebook's session built) and its findings, so the notebooks stay thin (one call per
cell), every view states the same facts, and the same views serve scripts and tests. Text from
a map is always escaped before it reaches HTML.
"""

from __future__ import annotations

import html
import importlib
import io
import itertools
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from flowatlas import __version__
from flowatlas.analysis import Analysis
from flowatlas.assess import all_rules
from flowatlas.atlas import Map
from flowatlas.describe import describe
from flowatlas.diff import sentences
from flowatlas.evidence import evidence_paths, read_evidence
from flowatlas.evidence.reconcile import RECONCILE_RULES
from flowatlas.exports import exporter
from flowatlas.files import compress_large, data_path, read_data
from flowatlas.findings import (
    DISCLOSURES,
    NO_POLICY,
    SEVERITIES,
    Finding,
    at_or_above,
    cited,
    findings_table,
    is_undeclared_transfer,
    sort_findings,
)
from flowatlas.inventory import inventory, processor_record
from flowatlas.queries import breach_impact, coverage_matrix, erase_scope, where_type_goes
from flowatlas.render import build_view, parse_formats, to_svg, write
from flowatlas.render.atlas import FOLDER as ATLAS_FOLDER
from flowatlas.render.views import parse_spec, view_specs
from flowatlas.report import rich
from flowatlas.report.atlas import write_atlas
from flowatlas.report.data import (
    diff_findings,
    findings_records,
    read_findings_json,
    read_history,
    severity_counts,
)
from flowatlas.report.params import NO_PREVIOUS, outputs_root
from flowatlas.report.runs import is_run_stamp, latest_run, run_date, run_when
from flowatlas.statement import map_statement
from flowatlas.tia import worksheets

#: Cell colours of the disclosure-class matrix (worst class in each cell).
DISCLOSURE_COLOURS: dict[str, str] = {
    "clear": "#d9f2d9",
    "vague": "#fff4c2",
    "ambiguous": "#ffd9a8",
    "omitted": "#ffb3b3",
    "incorrect": "#e06666",
}
SEVERITY_COLOURS: dict[str, str] = {"high": "#e06666", "medium": "#ffb3b3", "low": "#fff4c2", "info": "#e8eef7"}


# --------------------------------------------------------------------------- HTML helpers


class HTML:
    """Minimal rich-display object: ``text/html`` for notebooks and nbconvert."""

    def __init__(self, data: str) -> None:
        self.data = data

    def _repr_html_(self) -> str:
        return self.data

    def __str__(self) -> str:
        return self.data


def heading(text: str, level: int = 3) -> HTML:
    """A heading whose text (from a map) is escaped."""
    return HTML(f"<h{level}>{html.escape(str(text))}</h{level}>")


def note(text: str) -> HTML:
    return HTML(f"<p>{html.escape(str(text))}</p>")


#: Numbers the tables a kernel shows: pandas gives each Styler a random id, which would make two
#: reports of the same map differ; a notebook shows its tables in the same order every run.
_TABLE_IDS = itertools.count(1)


def _safe_frame(df: pd.DataFrame) -> pd.io.formats.style.Styler:
    """A Styler that escapes cell, index and column text, left-aligned and top-aligned."""
    st = df.style.set_uuid(f"fa{next(_TABLE_IDS)}")
    st = st.format(escape="html", na_rep="").format_index(escape="html", axis=0)
    st = st.format_index(escape="html", axis=1).set_properties(**{"text-align": "left", "vertical-align": "top"})
    return st.set_table_styles(
        [
            {"selector": "th", "props": "text-align: left; vertical-align: top;"},
            # a wide table scrolls within the page, not the page
            {"selector": "", "props": "display: block; overflow-x: auto; max-width: 100%;"},
        ]
    )


def table(df: pd.DataFrame, caption: str | None = None, *, max_rows: int | None = None, full: str = ""):
    """A DataFrame for display: escaped, index hidden, optional caption. With ``max_rows``, a
    longer frame shows its first rows and the caption says how many there are and where ``full``
    holds them all."""
    if max_rows is not None and len(df) > max_rows:
        where = f"; all of them in {full}" if full else ""
        caption = f"{caption + ': ' if caption else ''}the first {max_rows:,} of {len(df):,} rows{where}"
        df = df.head(max_rows)
    st = _safe_frame(df).hide(axis="index")
    if caption:
        st = st.set_caption(html.escape(caption))
    return st


# --------------------------------------------------------------------------- map at a glance


def at_a_glance(a: Analysis) -> dict[str, pd.DataFrame]:
    """Tables of the map: totals, nodes, organisations, jurisdictions and information types."""
    m = a.map
    d = describe(a)
    carried = a.carriers
    totals = pd.DataFrame([{"what": k.replace("_", " "), "count": v} for k, v in d["totals"].items()])
    nodes = pd.DataFrame(
        [
            {
                "id": n.id,
                "name": n.name,
                "kind": n.kind,
                "owner": m.organisations[n.owner].name if n.owner else "",
                "jurisdiction": n.jurisdiction or "",
                "subject": n.subject or "",
                "retention": n.retention or "",
                "source": str(n.src or ""),
            }
            for n in m.nodes.values()
        ],
        columns=["id", "name", "kind", "owner", "jurisdiction", "subject", "retention", "source"],
    )
    orgs = pd.DataFrame(
        [
            {
                "id": o.id,
                "name": o.name,
                "role": o.role,
                "jurisdiction": o.jurisdiction,
                "safeguards": ", ".join(sorted({s.kind for s in o.safeguards})),
                "nodes": sum(1 for n in m.nodes.values() if n.owner == o.id),
            }
            for o in m.organisations.values()
        ],
        columns=["id", "name", "role", "jurisdiction", "safeguards", "nodes"],
    )
    countries = sorted(
        {n.jurisdiction for n in m.nodes.values() if n.jurisdiction}
        | {o.jurisdiction for o in m.organisations.values()}
    )
    flows_in = Counter(m.nodes[f.target].jurisdiction for f in m.flows.values())
    jur = pd.DataFrame(
        [
            {
                "jurisdiction": c,
                "home": c == m.home,
                "organisations": sum(1 for o in m.organisations.values() if o.jurisdiction == c),
                "nodes": sum(1 for n in m.nodes.values() if n.jurisdiction == c),
                "flows_in": flows_in.get(c, 0),
            }
            for c in countries
        ],
        columns=["jurisdiction", "home", "organisations", "nodes", "flows_in"],
    )
    used = {t for f in m.flows.values() for t in f.types}
    types = pd.DataFrame(
        [
            {
                "id": t.id,
                "name": t.name,
                "parent": t.parent or "",
                "sensitivity": m.sensitivity(t.id),
                "flows": len(carried.get(t.id, ())),
            }
            for t in m.types.values()
            if t.id in used or any(u in m.type_tree.descendants(t.id) for u in used)
        ],
        columns=["id", "name", "parent", "sensitivity", "flows"],
    )
    return {"totals": totals, "nodes": nodes, "organisations": orgs, "jurisdictions": jur, "types": types}


# --------------------------------------------------------------------------- graph questions


def default_type(a: Analysis) -> str:
    """The type a lineage view shows when none is asked for: the most carried sensitive type,
    else the most carried type."""
    m = a.map
    used = sorted({t for f in m.flows.values() for t in f.types})
    if not used:
        return next(iter(m.types), "")
    carried = a.carriers
    sensitive = [t for t in used if m.is_sensitive(t)] or used
    return max(sensitive, key=lambda t: (len(carried.get(t, ())), [-ord(c) for c in t]))


def default_node(a: Analysis) -> str:
    """The node a breach view shows by default: the store receiving the most flows."""
    m = a.map
    stores = [n for n in m.nodes.values() if n.kind == "store"] or list(m.nodes.values())
    inflow = Counter(f.target for f in m.flows.values())
    return max(stores, key=lambda n: (inflow.get(n.id, 0), [-ord(c) for c in n.id])).id if stores else ""


def default_subject(a: Analysis) -> str:
    """The data-subject category an erase view shows by default: the first with a node."""
    m = a.map
    subj = sorted({n.subject for n in m.nodes.values() if n.subject})
    return subj[0] if subj else next(iter(m.subjects), "")


def lineage_frame(a: Analysis, type_id: str) -> pd.DataFrame:
    """Where ``type_id`` (or a subtype) ends up: one row per node reached, with one path each
    (:func:`flowatlas.queries.where_type_goes`)."""
    return where_type_goes(a, type_id).frame(a)


def breach_frame(a: Analysis, node_id: str) -> pd.DataFrame:
    """What a breach of ``node_id`` exposes (:func:`flowatlas.queries.breach_impact`): the types
    (sensitive ones marked) and subjects, where the data came from and where it goes on to."""
    imp = breach_impact(a, node_id)
    types = [f"{t} (sensitive)" if a.map.is_sensitive(t) else t for t in imp.types]
    rows = [
        ("information types", ", ".join(types)),
        ("data subjects", ", ".join(imp.subjects)),
        ("upstream (data comes from)", ", ".join(imp.upstream)),
        ("downstream (data goes on to)", ", ".join(imp.downstream)),
        ("organisations", ", ".join(imp.organisations)),
        ("countries", ", ".join(imp.countries)),
    ]
    return pd.DataFrame(rows, columns=["exposed", "what"])


def erase_frame(a: Analysis, subject: str) -> pd.DataFrame:
    """Stores an erase request of a ``subject`` must reach, and whether it does, unreached first
    (:func:`flowatlas.queries.erase_scope`)."""
    return erase_scope(a, subject)


def type_choices(a: Analysis) -> list[str]:
    """Information types some flow carries (directly or through a subtype), for pickers."""
    m = a.map
    used = {t for f in m.flows.values() for t in f.types}
    return [t for t in m.types if used & m.type_tree.descendants(t)]


def lineage_view(session, type_id: str) -> tuple:
    """Lineage of ``type_id``: the table of places it reaches (its first :data:`STATIC_ROWS`
    rows; ``fr.lineage_frame(a, TYPE)`` has them all) and the lineage diagram."""
    return (
        heading(f"Where {type_id} ends up", 4),
        table(lineage_frame(session.analysis, type_id), max_rows=STATIC_ROWS, full=f"fr.lineage_frame(a, {type_id!r})"),
        diagram(session.analysis, session.findings, f"lineage:{type_id}"),
    )


def breach_view(session, node_id: str) -> tuple:
    """Breach impact of ``node_id`` as a table (its first :data:`STATIC_ROWS` rows)."""
    df = breach_frame(session.analysis, node_id)
    return heading(f"A breach of {node_id} exposes", 4), table(
        df, max_rows=STATIC_ROWS, full=f"fr.breach_frame(a, {node_id!r})"
    )


def erase_view(session, subject: str) -> tuple:
    """Erase scope of a data-subject category as a table (its first :data:`STATIC_ROWS` rows)."""
    name = session.map.subjects[subject].name if subject in session.map.subjects else subject
    return heading(f"Erase requests of {name} ({subject}): the stores they must reach", 4), table(
        erase_frame(session.analysis, subject), max_rows=STATIC_ROWS, full=f"fr.erase_frame(a, {subject!r})"
    )


# --------------------------------------------------------------------------- findings


def findings_frame(findings: Sequence[Finding], min_severity: str = "info") -> pd.DataFrame:
    """Findings at or above ``min_severity`` as a table (the layout of ``findings.csv``)."""
    return findings_table(at_or_above(list(findings), min_severity))


def findings_by_rule(findings: Sequence[Finding]) -> pd.DataFrame:
    """Count of findings per rule (rows) and severity (columns, most severe first)."""
    c: Counter[tuple[str, str]] = Counter((f.rule, f.severity) for f in findings)
    rules = sorted({f.rule for f in findings})
    rows = [{"rule": r, **{s: c.get((r, s), 0) for s in reversed(SEVERITIES)}} for r in rules]
    df = pd.DataFrame(rows, columns=["rule", *reversed(SEVERITIES)])
    df["total"] = df[list(SEVERITIES)].sum(axis=1) if rows else pd.Series(dtype=int)
    return df


def style_severity(df: pd.DataFrame, column: str = "severity"):
    """A findings table with its severity column colour-coded (text escaped)."""
    return _colour_severity(table(df), df, column)


def disclosure_matrix(a: Analysis) -> pd.DataFrame:
    """Information type × recipient organisation: the worst disclosure class of the flows
    carrying that type there (:func:`flowatlas.queries.coverage_matrix`, from the analysis's
    verdicts), organisations shown by name, empty where no flow carries the type there."""
    m = a.map
    df = coverage_matrix(a).fillna("")
    df.columns = pd.Index([m.organisations[o].name for o in df.columns], name="recipient")
    df.index.name = "information type"
    return df


#: The disclosure matrix a notebook shows at most: the types and recipients with the most flows
#: (the 50,000-flow map's 300 × 700 matrix was 14.6 MB of audit.ipynb).
MATRIX_ROWS, MATRIX_COLUMNS = 60, 30


def style_disclosure(df: pd.DataFrame):
    """The disclosure matrix colour-coded by class, with a legend in the caption; past
    :data:`MATRIX_ROWS` types or :data:`MATRIX_COLUMNS` recipients, those with the most cells
    filled (the caption says how many there are)."""
    n_rows, n_cols = df.shape
    cut = ""
    if n_rows > MATRIX_ROWS or n_cols > MATRIX_COLUMNS:
        filled = df.ne("").to_numpy()
        rows = sorted(sorted(range(n_rows), key=lambda i: -int(filled[i].sum()))[:MATRIX_ROWS])
        cols = sorted(sorted(range(n_cols), key=lambda j: -int(filled[:, j].sum()))[:MATRIX_COLUMNS])
        df = df.iloc[rows, cols]
        cut = (
            f"; the {len(rows)} of {n_rows:,} types and {len(cols)} of {n_cols:,} recipients with the most flows "
            "(inventory.csv has every one)"
        )
    st = _safe_frame(df).map(lambda v: f"background-color: {DISCLOSURE_COLOURS[v]}" if v in DISCLOSURE_COLOURS else "")
    legend = ", ".join(DISCLOSURES)
    return st.set_caption(f"Worst disclosure class per information type and recipient ({legend}){cut}")


def undeclared_transfers(findings: Sequence[Finding]) -> pd.DataFrame:
    """Findings that make a flow an undeclared transfer (``flowatlas.audit.is_undeclared_transfer``:
    omitted or incorrect on a dimension, or no valid transfer basis), with the clauses held
    against them and the whole path."""
    rows = []
    for f in sort_findings(list(findings)):
        if not is_undeclared_transfer(f):
            continue
        rows.append(
            {
                "id": f.id,
                "severity": f.severity,
                "rule": f.rule,
                "class": f.disclosure or "",
                "dimension": f.dimension or "",
                "flows": ", ".join(f.flows),
                "path": " \u2192 ".join(f.path),
                "types": ", ".join(f.types),
                "countries": ", ".join(f.countries),
                "clauses": "; ".join(f"{c.label}: \u201c{c.quote}\u201d" for c in f.clauses),
                "message": f.message,
                "where": f.location,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "severity",
            "rule",
            "class",
            "dimension",
            "flows",
            "path",
            "types",
            "countries",
            "clauses",
            "message",
            "where",
        ],
    )


def headline(a: Analysis, findings: Sequence[Finding], diff: dict | None = None) -> pd.DataFrame:
    """The figures a privacy officer reads first: every count is of the same findings the rest of
    the report lists (the evidence's included)."""
    m = a.map
    d = describe(a)["totals"]
    ftr = undeclared_transfers(findings)
    rows = [
        ("map", f"{m.info.name} ({m.info.id})"),
        ("controller", f"{m.controller.name} ({m.controller.jurisdiction})"),
        ("policy", f"{m.policy.title}, version {m.policy.version}" if m.policy else NO_POLICY),
        ("flows", d["flows"]),
        ("cross-border flows", d["cross_border_flows"]),
        ("organisations", d["organisations"]),
        ("findings", len(findings)),
        *((f"  {s}", sum(1 for f in findings if f.severity == s)) for s in reversed(SEVERITIES)),
        ("flows with an undeclared transfer", len({x for fl in ftr["flows"] for x in fl.split(", ") if x})),
    ]
    if diff is not None and diff.get("previous"):
        c = diff["counts"]
        rows.append(("since the last run", f"{c['new']} new, {c['resolved']} resolved, {c['changed']} changed"))
    elif diff is not None:
        rows.append(("since the last run", "no earlier run"))
    return pd.DataFrame(rows, columns=["", "value"]).astype({"value": str})


def statement_frame(a: Analysis, unencoded_only: bool = False) -> pd.DataFrame:
    """The policy's statement text sentence by sentence, with the declarations (and their
    clauses) that encode each; ``unencoded_only`` keeps the sentences no declaration encodes. An
    empty frame when the policy names no statement text."""
    policy = a.policy
    parts = map_statement(a.map, policy) if policy is not None else None
    rows = []
    by_id = {d.id: d for d in policy.declarations} if policy is not None else {}
    for i, s in enumerate(parts or (), 1):
        if unencoded_only and s.declarations:
            continue
        clauses = ", ".join(dict.fromkeys(by_id[d].clause for d in s.declarations))
        rows.append((i, s.text, ", ".join(s.declarations) or "not encoded", clauses))
    return pd.DataFrame(rows, columns=["sentence", "text", "declarations", "clauses"])


def statement_view(a: Analysis) -> Any:
    """The report's statement section: how much of the statement the declarations encode, and
    the sentences none encodes, folded (a statement's headings make most of them)."""
    frame = statement_frame(a, unencoded_only=True)
    summary = note(statement_summary(a)).data
    if frame.empty:
        return HTML(summary)
    shown = table(frame[["sentence", "text"]]).to_html()
    return HTML(
        f"{summary}<details><summary>The {len(frame):,} sentences no declaration encodes</summary>{shown}</details>"
    )


def statement_summary(a: Analysis) -> str:
    """One line: how much of the statement the declarations encode."""
    policy = a.policy
    parts = map_statement(a.map, policy) if policy is not None else None
    if policy is None or not parts:
        return "The policy names no statement text (add 'statement: statement.txt' to it to check its quotes)."
    encoded = [s for s in parts if s.declarations]
    return (
        f"{policy.statement}: {len(parts)} sentences; {len(encoded)} encoded by declarations, "
        f"{len(parts) - len(encoded)} not (headings, introductions, and anything the map does not encode yet)."
    )


def evidence_findings(findings: Sequence[Finding]) -> list[Finding]:
    """The findings of the reconciliation rules (where the evidence disagrees with the map)."""
    return [f for f in findings if f.rule in RECONCILE_RULES]


def evidence_frame(findings: Sequence[Finding]) -> pd.DataFrame:
    """Reconciliation findings: what, the map record, where the evidence shows it, and the remedy."""
    rows = [
        {
            "severity": f.severity,
            "rule": f.rule,
            "message": f.message,
            "map record": f.location,
            "observed at": ", ".join(str(s) for s in f.evidence[:3]) + (" …" if len(f.evidence) > 3 else ""),
            "remedy": f.remedy,
        }
        for f in sort_findings(list(findings))
    ]
    return pd.DataFrame(rows, columns=["severity", "rule", "message", "map record", "observed at", "remedy"])


#: How many elements of the evidence read and not used the report lists (all are counted).
UNUSED_SHOWN = 50


def unused_evidence_frame(m: Map) -> pd.DataFrame:
    """What the map's evidence holds that flowatlas read and did not use: where, what, and why
    (the account each reader gives; docs/evidence.md lists the reasons)."""
    rows = [
        {"where": str(o.at), "reader": o.reader, "what": o.name, "why": o.note}
        for o in read_evidence(evidence_paths(m))
        if o.kind == "unused"
    ]
    return pd.DataFrame(rows, columns=["where", "reader", "what", "why"])


def evidence_view(a: Analysis, findings: Sequence[Finding]) -> Any:
    """The report's evidence section: the findings where the evidence disagrees with the map (they
    are among ``findings``, counted with the others), then what the evidence holds that was read
    and not used, with its file:line and why; or a note saying how to give evidence."""
    m = a.map
    found = evidence_findings(findings)
    if not m.info.evidence:
        return note(
            "The map names no evidence. List code scans (privado.json, Bearer reports) and Terraform state "
            "in map.evidence to hold the map against them (flowatlas reconcile)."
        )
    head = (
        rich.assets() + rich.explorer(found)
        if found
        else str(note(f"The evidence ({', '.join(m.info.evidence)}) agrees with the map."))
    )
    unused = unused_evidence_frame(m)
    if unused.empty:
        return HTML(head + str(note("Everything the evidence holds was read and used.")))
    caption = (
        f"Read but not used: {len(unused):,} element{'s' if len(unused) != 1 else ''} of the evidence, "
        "each with why (nothing read is dropped silently)"
    )
    return HTML(head + table(unused, caption, max_rows=UNUSED_SHOWN, full="`flowatlas reconcile`").to_html())


def run_time(run_dir: str | Path | None) -> str:
    """When a run started, from its folder's name (``20261201T195524Z`` → ``2026-12-01 19:55:24
    UTC``); now, for a notebook run by hand."""
    from datetime import UTC, datetime

    name = Path(run_dir).name if run_dir else ""
    if is_run_stamp(name):
        return f"{run_when(name)}:{name[13:15]} UTC"
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


#: How many findings the first screen lists under "Fix first".
FIX_FIRST = 5


def fix_first(findings: Sequence[Finding], n: int = FIX_FIRST) -> list[Finding]:
    """The ``n`` findings to fix first: high, then medium; within a severity, one of each rule
    before a second of any (so the list names different problems), and within a rule the finding
    that covers the most flows and nodes first.

    >>> from flowatlas.findings import Finding
    >>> fs = [Finding("a", "high", "", "", flows=("f1",)), Finding("a", "high", "", "", flows=("f1", "f2"), key="2"),
    ...       Finding("b", "high", "", "", flows=("f3",)), Finding("c", "medium", "", ""), Finding("d", "low", "", "")]
    >>> [(f.rule, len(f.flows)) for f in fix_first(fs, 4)]
    [('a', 2), ('b', 1), ('a', 1), ('c', 0)]
    """
    out: list[Finding] = []
    for severity in ("high", "medium"):
        by_rule: dict[str, list[Finding]] = {}
        for f in sort_findings([f for f in findings if f.severity == severity]):
            by_rule.setdefault(f.rule, []).append(f)
        for group in by_rule.values():
            group.sort(key=lambda f: -(len(f.flows) + len(f.nodes)))  # stable: ties keep rule and id order
        rounds = max((len(g) for g in by_rule.values()), default=0)
        out += [g[i] for i in range(rounds) for g in by_rule.values() if i < len(g)]
    return out[:n]


def first_screen(
    a: Analysis, findings: Sequence[Finding], diff: dict, previous_run: str = "", run_dir: str = "", n: int = FIX_FIRST
) -> Any:
    """The report's first screen: map and policy, when it ran and against which run, the
    severity counts in colour, what changed, and the ``n`` findings to fix first (:func:`fix_first`)."""
    m = a.map
    policy = f"{m.policy.title}, version {m.policy.version}" if m.policy else NO_POLICY
    changes = sentences({"findings": diff}) if diff.get("previous") else []
    fix = fix_first(findings, n)
    titles = {rid: r.title for rid, r in all_rules().items()}
    return HTML(
        rich.assets()
        + rich.first_screen(
            name=m.info.name,
            map_id=m.info.id,
            policy=policy,
            run_at=run_time(run_dir),
            previous=Path(previous_run).name if diff.get("previous") and previous_run else "",
            counts=severity_counts(list(findings)),
            changes=changes,
            fix_first=fix,
            titles=titles,
        )
    )


def inventory_view(
    a: Analysis, findings: Sequence[Finding] | None = None, full: str = "inventory.csv and inventory.xlsx"
) -> Any:
    """The record of processing folded per purpose, key columns first
    (:func:`flowatlas.report.rich.inventory`); every column is in the XLSX."""
    df = inventory(a, list(findings) if findings is not None else None)
    return HTML(rich.assets() + rich.inventory(df.to_dict("records"), full=full))


def processor_record_view(a: Analysis) -> Any:
    """The record the map's organisation keeps as a processor for its clients (GDPR Art. 30(2)),
    one row per client and purpose; a note when it processes for none."""
    df = processor_record(a)
    if df.empty:
        return note(
            "The map records no client (an organisation of role client): its organisation processes data for "
            "no other controller, so it keeps no processor record."
        )
    return table(
        df.drop(columns=["processor", "flows"]), max_rows=200, full="processor-record.csv and processor-record.xlsx"
    )


#: At most this many worksheets are folded into the report; the files hold every one.
ASSESSMENTS_SHOWN = 40


def assessments_view(
    a: Analysis, files: str = "tia.md, tia.xlsx (one editable sheet per transfer)", *, limit: int = ASSESSMENTS_SHOWN
) -> Any:
    """The transfer impact assessment worksheets, folded one per transfer
    (:func:`flowatlas.report.rich.assessments`): those with a flow that records no assessment
    first, at most ``limit`` of them; ``files`` names the files that hold every one."""
    sheets = sorted(worksheets(a), key=lambda w: not w.transfer.unrecorded)
    buf = io.StringIO()
    exporter("tia", "json").write(a, sheets[:limit], buf)
    shown = json.loads(buf.getvalue())["worksheets"]
    return HTML(rich.assets() + rich.assessments(shown, files=files, total=len(sheets)))


def disclosure_legend() -> Any:
    """What the disclosure matrix's colours mean."""
    return HTML(rich.assets() + rich.legend(DISCLOSURE_COLOURS, "disclosure:"))


def findings_explorer(findings: Sequence[Finding], run_dir: str = "") -> Any:
    """Every finding in one table that sorts and filters (:func:`flowatlas.report.rich.explorer`);
    in a scheduled run, with the day each finding first appeared (the run's ``history.json``)."""
    seen = {i: run_when(str(r)) for i, r in read_history(run_dir)["first_seen"].items()}
    return HTML(rich.assets() + rich.explorer(findings, first_seen=seen or None))


def trend_view(run_dir: str = "") -> Any:
    """How the findings moved over this map's runs: counts by severity per run as a small chart
    (inline SVG), and the same as a table; a note for the first run or a notebook run by hand."""
    runs = read_history(run_dir)["runs"]
    if len(runs) < 2:
        return note(
            "The first run of this map with a history: the trend starts here (each scheduled run adds a point)."
            if runs
            else "No run history here: `flowatlas report` keeps it, run after run."
        )
    df = pd.DataFrame([{"run": run_date(str(r["run"])), **{k: int(v) for k, v in r["counts"].items()}} for r in runs])
    return HTML(
        f'<figure class="fa-figure">{rich.trend_chart(runs)}<figcaption>Findings by severity over the last '
        f"{len(runs)} runs (history.json of this run).</figcaption></figure>"
        + table(df, "Findings by severity, run by run", max_rows=12).to_html()
    )


def top_findings(findings: Sequence[Finding], n: int = 10) -> pd.DataFrame:
    """The ``n`` most severe findings: what, why (clauses), where, and the suggested remedy."""
    rows = [
        {
            "severity": f.severity,
            "rule": f.rule,
            "message": f.message,
            "clauses": cited(f.clauses),
            "remedy": f.remedy,
            "where": f.location,
            "id": f.id,
        }
        for f in sort_findings(list(findings))[:n]
    ]
    return pd.DataFrame(rows, columns=["severity", "rule", "message", "clauses", "remedy", "where", "id"])


def run_diff(a: Analysis, findings: Sequence[Finding], previous_run: str = "") -> tuple[dict, str]:
    """The diff of ``findings`` against ``previous_run`` (a run folder, ``none``, or empty for
    ``outputs/<map>/latest``); returns ``(diff, the previous run folder or '')``."""
    m = a.map
    prev: Path | None
    if previous_run == NO_PREVIOUS:
        prev = None
    elif previous_run:
        prev = Path(previous_run)
    else:
        prev = latest_run(outputs_root() / m.info.id)
    return diff_findings(read_findings_json(prev), findings_records(list(findings))), str(prev or "")


# --------------------------------------------------------------------------- pickers


def _display_all(result: Any) -> None:
    from IPython.display import display

    for obj in result if isinstance(result, tuple) else (result,):
        display(obj)


def choices(a: Analysis, kind: str) -> list[tuple[str, str]]:
    """A picker's options, ``(name (id), id)``, sorted by name: the information types some flow
    carries (``type``), the nodes (``node``) or the data-subject categories (``subject``).

    >>> from flowatlas.loader import load_map
    >>> got = choices(Analysis(load_map("dataflows/kliniko")), "subject")
    >>> ("Patient (patient)", "patient") in got, got == sorted(got, key=lambda x: (x[0].lower(), x[1]))
    (True, True)
    """
    m = a.map
    table: Mapping[str, Any] = {"type": m.types, "node": m.nodes, "subject": m.subjects}[kind]
    ids = type_choices(a) if kind == "type" else list(table)
    return sorted(((f"{table[i].name} ({i})", i) for i in ids), key=lambda x: (x[0].lower(), x[1]))


def picker(
    session, label: str, options: Sequence[str | tuple[str, str]], value: str, show: Callable[[Any, str], Any]
) -> None:
    """Display ``show(session, value)``; in JupyterLab also a dropdown to show another choice
    (``options``: ids, or ``(label, id)`` pairs such as :func:`choices` gives).

    Under papermill (or any run without a Jupyter frontend, or ``interactive=False``) this is
    static output only, so executed notebooks and the HTML report carry the result, not a widget.
    """
    from IPython.display import display

    if not getattr(session, "interactive", False):
        _display_all(show(session, value))
        return
    import ipywidgets as w

    dd = w.Dropdown(options=list(options), value=value, description=label)
    out = w.Output()

    def update(_change=None) -> None:
        out.clear_output(wait=True)
        with out:
            _display_all(show(session, dd.value))

    dd.observe(update, names="value")
    update()
    display(w.VBox([dd, out]))


# --------------------------------------------------------------------------- diagrams


#: "sensitive" lineages: at most this many, the sensitive types carried by the most flows (a
#: 10,000-flow synthetic map carries 157 sensitive types: 157 diagrams took three minutes; a
#: 50,000-flow map's 24 lineages were 9 of the 69 MB of its run folder, 12 were 4.5 MB). Any other type's
#: lineage: ``-p lineage_types TYPE,...`` or ``flowatlas render MAP --view lineage:TYPE``.
MAX_LINEAGES = 8


def lineage_specs(a: Analysis, which: str = "sensitive") -> list[str]:
    """``lineage:TYPE`` view specs: for the ``sensitive`` types carried (at most
    :data:`MAX_LINEAGES`, those the most flows name themselves: a broad type that only its
    subtypes' flows carry would draw them all again), ``all`` carried types, or a comma list of
    type ids."""
    m = a.map
    carried: dict[str, int] = {}
    for f in m.flows.values():
        for t in f.types:
            carried[t] = carried.get(t, 0) + 1
    used = sorted(carried)
    if which == "all":
        chosen = used
    elif which == "sensitive":
        sensitive = [t for t in used if m.is_sensitive(t)]
        chosen = sorted(sorted(sensitive, key=lambda t: (-carried[t], t))[:MAX_LINEAGES])
    else:
        chosen = [t.strip() for t in which.split(",") if t.strip()]
    return [f"lineage:{t}" for t in chosen]


def diagram_specs(a: Analysis, lineage_types: str = "sensitive") -> list[str]:
    """Every view the diagrams notebook writes: each registered view, lineages for ``lineage_types``
    (:func:`flowatlas.render.registry.view_specs`)."""
    types = [spec.partition(":")[2] for spec in lineage_specs(a, lineage_types)]
    return view_specs(types)


#: A diagram's SVG larger than this is linked, not inlined, in a notebook (a 10,000-flow map's
#: overview is 2 MB of SVG; its report.html was 16.6 MB).
MAX_INLINE_SVG = 1_500_000

#: A view's DOT larger than this is written gzip-compressed (``zcat X.dot.gz | dot -Tsvg``): the
#: 50,000-flow report's 32 views had 5.9 MB of DOT, 200 KB each (Absoloop's largest: 33 KB).
DOT_COMPRESS_OVER = 100_000

#: The diagrams notebook inlines a diagram up to this size and links a larger one: its files are
#: what it writes (Absoloop's largest view is 0.1 MB; a summary of 50,000 flows 0.5 MB).
NOTEBOOK_INLINE_SVG = 250_000


#: The data files of a run folder, linked beside each diagram of the report.
RUN_FILES: tuple[tuple[str, str], ...] = (
    ("findings CSV", "findings.csv"),
    ("findings JSON", "findings.json"),
    ("inventory XLSX", "inventory.xlsx"),
    ("transfer impact assessments XLSX", "tia.xlsx"),
)


def _run_files(run_dir: str | Path) -> list[tuple[str, str]]:
    """:data:`RUN_FILES` as the run keeps them: a large one compressed (``findings.json.gz``)."""
    out = []
    for label, name in RUN_FILES:
        found = data_path(Path(run_dir) / name)
        out.append(
            (label + (", gzip" if found is not None and found.suffix == ".gz" else ""), found.name if found else name)
        )
    return out


def diagram(
    a: Analysis,
    findings: Sequence[Finding],
    spec: str = "overview",
    out_dir: str | Path | None = None,
    run_dir: str | Path | None = None,
    *,
    inline_max: int = MAX_INLINE_SVG,
) -> Any:
    """One view (``overview``, ``findings``, ``summary``, ``lineage:TYPE``) as real SVG in the
    output (tooltips work), fitted to the width, with pan, zoom and reset, its caption (the
    view's own counts) and alt text. It is shown from its file in ``out_dir`` (or ``run_dir``'s
    ``diagrams/``) when :func:`write_diagrams` wrote it there for the same inputs
    (:data:`VIEWS_INDEX`), else laid out here, and linked when larger than
    ``inline_max`` (:data:`MAX_INLINE_SVG`). In a run folder (``run_dir``) the caption links the view's SVG and
    DOT files and the run's data files."""
    folder = Path(out_dir) if out_dir else (Path(run_dir) / "diagrams" if run_dir else None)
    written = _written_view(a.map, findings, spec, folder) if folder else None
    if written is not None:  # the diagrams notebook wrote this view of these inputs: not built again
        stem, title, svg_file = written
        size = svg_file.stat().st_size
        svg = svg_file.read_text("utf-8") if size <= inline_max else ""
    else:
        stem, g = build_view(a, spec, list(findings))
        title, svg = g.title, to_svg(g)
        size = len(svg.encode("utf-8"))  # bytes, as a written file's size is
    if size > inline_max:
        where = folder / f"{stem}.svg" if written is not None and folder else None
        rel = Path(os.path.relpath(where, Path.cwd())).as_posix() if where else f"diagrams/{stem}.svg"
        lines = [html.escape(x) for x in title.splitlines() if x.strip()][:2]
        return HTML(
            f"<p>The {html.escape(spec)} diagram is {size / 1e6:.1f} MB of SVG, more than this output holds: open "
            f'<a href="{html.escape(rel)}">{html.escape(rel)}</a>.<br><small>{"<br>".join(lines)}</small></p>'
        )
    dot = data_path(Path(run_dir) / "diagrams" / f"{stem}.dot") if run_dir else None
    dot_name = dot.name if dot is not None else f"{stem}.dot"
    links = [("SVG", f"diagrams/{stem}.svg"), ("DOT", f"diagrams/{dot_name}"), *_run_files(run_dir)] if run_dir else []
    note = ""
    if run_dir:
        svg = in_run_folder(svg)
    elif ATLAS_LINK.search(svg):  # no run folder: nothing beside this output for its boxes to open
        svg = ATLAS_LINK.sub("", svg)
        note = "Its boxes open the atlas's pages in a run folder (flowatlas report) or with flowatlas render."
    return HTML(rich.assets() + rich.figure(svg, stem=stem, title=title, links=links, note=note))


#: What :func:`write_diagrams` writes beside the diagrams: for the inputs it drew (a key), each
#: view's file stem, title and DOT digest, so :func:`diagram` shows a written view without
#: building it again.
VIEWS_INDEX = "views.json"


def _inputs_key(m: Map, findings: Sequence[Finding]) -> str:
    """What a view's DOT depends on besides its spec: the map's files and how they are named,
    the findings drawn, and flowatlas's version."""
    import hashlib

    h = hashlib.sha256("\0".join([__version__, m.digest or "", m.shown or "", str(m.root)]).encode())
    for f in findings:
        h.update(f"\0{f.id}:{f.severity}".encode())
    return h.hexdigest()


def _written_view(m: Map, findings: Sequence[Finding], spec: str, folder: Path) -> tuple[str, str, Path] | None:
    """``(stem, title, SVG file)`` of ``spec`` when :func:`write_diagrams` wrote it into
    ``folder`` for these inputs and its files are as written; else None."""
    import json

    try:
        index = json.loads((folder / VIEWS_INDEX).read_text("utf-8"))
        view = index["views"][spec]
        svg_file = folder / f"{view['stem']}.svg"
        if index["inputs"] != _inputs_key(m, findings) or _sha256(folder / f"{view['stem']}.dot") != view["dot_sha256"]:
            return None
        return (view["stem"], view["title"], svg_file) if svg_file.is_file() else None
    except (OSError, ValueError, KeyError, TypeError):  # no index yet, or not one of ours
        return None


def show_diagrams(a: Analysis, findings: Sequence[Finding], out_dir: str | Path | None = None) -> None:
    """Every registered view that needs no information type, each under a heading with what it
    shows. A view already written to ``out_dir`` (:func:`write_diagrams`) is shown from its SVG
    file, not laid out again; one over :data:`NOTEBOOK_INLINE_SVG` bytes is linked (the
    notebook's outputs stay small: the 50,000-flow map's four were 2.2 MB of a 2.4 MB notebook)."""
    from IPython.display import display

    for spec in view_specs():
        view, _ = parse_spec(spec)
        display(heading(f"{spec}: {view.title}"))
        display(diagram(a, findings, spec, out_dir, inline_max=NOTEBOOK_INLINE_SVG))


def write_diagrams(
    a: Analysis,
    findings: Sequence[Finding],
    out_dir: str | Path,
    formats: str = "dot,svg",
    lineage_types: str = "sensitive",
) -> pd.DataFrame:
    """Write every view of :func:`diagram_specs` into ``out_dir`` as ``formats``; returns a
    table of the files written (view, format, file, bytes)."""
    import concurrent.futures as cf
    import threading

    m = a.map
    fs = list(findings)
    ahead = threading.BoundedSemaphore(WRITE_AHEAD)
    # each view laid out joins the index (VIEWS_INDEX), so the notebooks show it from its files
    # and do not build it again: the 50,000-flow report 76.3 -> 72.5 s (medians of 4 runs)
    indexed = {"dot", "svg"} <= set(parse_formats(formats))
    inputs, done, lock = _inputs_key(m, fs) if indexed else "", {}, threading.Lock()

    def laid_out(g: Any, spec: str, stem: str) -> dict[str, Path]:
        try:
            files = write(g, out_dir, stem, formats)
            digest = ""
            if "dot" in files:  # a large DOT (the layout's source) is kept compressed: 136 of 318 MB at 50,000 flows
                digest = _sha256(Path(files["dot"]))
                files["dot"] = compress_large(files["dot"], over=DOT_COMPRESS_OVER)
            if indexed:
                entry = {"stem": stem, "title": g.title, "dot_sha256": digest}
                with lock:
                    done[spec] = entry
                    _write_index(Path(out_dir), inputs, done)
            return files
        finally:
            ahead.release()

    # views are built here while `dot` lays out the ones built before (a process of its own):
    # write_diagrams of the 50,000-flow map (28 views) 75 -> 62 s
    opens = ""
    with cf.ThreadPoolExecutor(max_workers=WRITE_AHEAD) as pool:
        jobs = []
        for spec in diagram_specs(a, lineage_types):
            ahead.acquire()
            stem, g = build_view(a, spec, fs)
            opens = opens or g.opens
            jobs.append((spec, pool.submit(laid_out, g, spec, stem)))
        rows = [
            {"view": spec, "format": fmt, "file": Path(path).name, "bytes": Path(path).stat().st_size}
            for spec, job in jobs
            for fmt, path in job.result().items()
        ]
    if opens:  # a view's boxes open the atlas's pages: written beside the diagrams, once
        pages = write_atlas(a, fs, Path(out_dir) / opens, home=ATLAS_HOME)
        rows.append({"view": "atlas", "format": "html", "file": f"{opens}/{pages[0].name}",
                     "bytes": sum(p.stat().st_size for p in pages)})  # fmt: skip
    return pd.DataFrame(rows, columns=["view", "format", "file", "bytes"])


#: Where the atlas's pages (``diagrams/atlas/``) find the report of their run folder.
ATLAS_HOME = "../../report.html"


#: A link of a diagram into the atlas's pages (``atlas/…``, relative to the diagrams): the
#: attribute up to the folder, then the rest of the address.
ATLAS_LINK = re.compile(rf'(\s(?:xlink:)?href=")(?={ATLAS_FOLDER}/)[^"]*"')


def in_run_folder(svg: str, folder: str = "diagrams") -> str:
    """A diagram's SVG as the report shows it from the run folder: its links into the atlas
    (``atlas/…``, relative to the diagrams) made relative to the report.

    >>> in_run_folder('<a xlink:href="atlas/country-SG.html">')
    '<a xlink:href="diagrams/atlas/country-SG.html">'
    """
    return ATLAS_LINK.sub(lambda link: link[0].replace(link[1], f"{link[1]}{folder}/", 1), svg)


def _sha256(path: Path) -> str:
    """The digest of a written file's text (of ``path``, or of ``path.gz`` in its place)."""
    import hashlib

    return hashlib.sha256(read_data(path).encode("utf-8")).hexdigest()


def _write_index(folder: Path, inputs: str, views: dict[str, dict[str, str]]) -> None:
    """:data:`VIEWS_INDEX` in ``folder``: the inputs' key and the views written so far, replaced
    whole (a notebook reading it never sees half of it)."""
    import json
    import os

    tmp = folder / f".{VIEWS_INDEX}.tmp"
    tmp.write_text(json.dumps({"inputs": inputs, "views": views}, indent=1, sort_keys=True) + "\n", "utf-8")
    os.replace(tmp, folder / VIEWS_INDEX)


#: Views laid out at once by :func:`write_diagrams` while the next is built (one per core here).
WRITE_AHEAD = 2


def show_tables(tables: dict[str, pd.DataFrame], session: Any = None) -> None:
    """Display each table under its name as a heading (as :func:`grid` shows a table)."""
    from IPython.display import display

    for name, df in tables.items():
        display(heading(name.replace("_", " ").capitalize(), 3))
        grid(session, df)


#: How many rows a table shows in a static output (an executed notebook, the report); the data
#: files hold them all. An executed audit.ipynb of a 50,000-flow map held 58 MB of one table
#: (1.2 MB at 200 rows a table; a page of 100 rows each since).
STATIC_ROWS = 100
#: How much of a table an interactive one carries into JupyterLab (itables samples past it).
GRID_MAX_BYTES = 16_000_000
_GRID_READY: list[bool] = []  # the DataTables bundle is in this kernel's notebook


#: The interactive tables' own style: filter boxes as wide as their columns.
GRID_STYLE = (
    "<style>.dt-container thead th input { width: 100% !important; min-width: 3em; box-sizing: border-box; }</style>"
)


def grid(session: Any, df: pd.DataFrame, caption: str = "", *, full: str = "", severity: bool = False) -> None:
    """Show a table. In JupyterLab (``session.interactive``), an interactive one that sorts
    (click a heading), searches and filters by column, pages, and wraps long text: itables in
    offline mode, which embeds DataTables in the notebook (nothing is fetched; text is escaped).
    Elsewhere (papermill, the report, no itables installed) the escaped static table, its first
    :data:`STATIC_ROWS` rows with the count and ``full`` (the file holding all of them)."""
    from IPython.display import display

    itables: Any = None
    if getattr(session, "interactive", False):
        try:
            itables = importlib.import_module("itables")
        except ImportError:  # the lab extra brings it; without it, the static table
            itables = None
    if itables is None:
        st = table(df, caption or None, max_rows=STATIC_ROWS, full=full)
        display(_colour_severity(st, df) if severity else st)
        return
    if not _GRID_READY:
        from IPython.display import HTML as IPythonHTML
        from itables import options
        from itables.javascript import generate_init_offline_itables_html

        # The bundle first: init_notebook_mode's own first output awaits what its second defines,
        # and JupyterLab may run them out of order ("Cannot destructure ... set_or_remove_dark_class").
        display(IPythonHTML(generate_init_offline_itables_html(options.dt_bundle)))
        # a column's filter box no wider than its column: DataTables sized every column to its
        # box (about 200 px), which pushed the message off the first screen at 1280 px
        display(IPythonHTML(GRID_STYLE))
        itables.init_notebook_mode(all_interactive=False, connected=False)
        _GRID_READY.append(True)
    wide = [i for i, c in enumerate(df.columns) if c in ("message", "remedy", "finding", "clauses", "path")]
    # short values: the message reaches the first screen at 1280 px (each was 200 px wide)
    narrow = [i for i, c in enumerate(df.columns) if c in ("severity", "disclosure", "dimension", "undeclared")]
    itables.show(
        df,
        caption=caption or None,
        classes="display compact cell-border",  # no "nowrap": long text wraps
        showIndex=False,
        column_filters="header",
        maxBytes=GRID_MAX_BYTES,
        pageLength=25,
        lengthMenu=[10, 25, 100, 500],
        autoWidth=False,
        columnDefs=[
            {"width": "32em", "targets": wide},
            {"width": "7em", "targets": narrow},
            {"className": "dt-left", "targets": "_all"},
        ],
        style="width:100%;table-layout:auto",
    )


def _colour_severity(st: Any, df: pd.DataFrame, column: str = "severity") -> Any:
    if column not in df.columns:
        return st
    return st.map(
        lambda v: f"background-color: {SEVERITY_COLOURS.get(v, '')}" if v in SEVERITY_COLOURS else "", subset=[column]
    )


def diff_view(diff: dict, previous_run: str = "") -> Any:
    """What changed since the previous run, in sentences (``+1 high: ...``, ``resolved ...``,
    ``changed ...: severity low → high``), never a raw structure."""
    if not diff.get("previous"):
        return note("No earlier successful run of this map: every finding is new.")
    c = diff["counts"]
    if not (c["new"] or c["resolved"] or c["changed"]):
        return note(f"No change since the previous run ({Path(previous_run).name}): {c['unchanged']} findings.")
    items = "".join(f"<li>{html.escape(x)}</li>" for x in sentences({"findings": diff}))
    since = html.escape(Path(previous_run).name)
    head = f"Since {since}: {c['new']} new, {c['resolved']} resolved, {c['changed']} changed."
    return HTML(f"<p>{head}</p><ul>{items}</ul>")
