"""The data inventory: a record of processing activities as a pandas DataFrame.

One row per processing activity, i.e. per (purpose, information type) pair that some flow
carries, with the fields of GDPR Art. 30(1) and the PDPC's data inventory guidance: controller,
purpose, data-subject categories, information type, how it is collected and from which systems,
where it is stored and for how long, recipients, transfers to other countries with their bases,
and the security measures that apply. A pure function of the map's analysis (and, optionally,
its findings).

>>> from flowatlas.analysis import Analysis
>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> rows = inventory(Analysis(load_texts(EXAMPLE)))[["purpose", "information_type", "subject_categories"]]
>>> for row in rows.itertuples(index=False):
...     print(*row)
advertising email Account holder
provide-service email Account holder
provide-service ip-address Account holder
provide-service name Account holder
security ip-address Account holder
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import networkx as nx
import pandas as pd

from flowatlas.analysis import Analysis
from flowatlas.exports import register
from flowatlas.findings import Finding, worst_severity
from flowatlas.inert import csv_frame, write_xlsx

COLUMNS: tuple[str, ...] = (
    "controller",
    "purpose",
    "purpose_name",
    "information_type",
    "type_name",
    "sensitivity",
    "subject_categories",
    "collected_via",
    "source_systems",
    "storage",
    "retention",
    "recipients",
    "third_country_transfers",
    "transfer_bases",
    "security_measures",
    "flows",
    "finding_ids",
    "findings",
    "worst_severity",
)


def _join(items) -> str:
    return "; ".join(sorted({str(i) for i in items if i not in (None, "")}))


def _subjects_by_type(a: Analysis) -> dict[str, dict[str, set[str]]]:
    """``{type: {node: subject categories}}``: whose data of that type can be at each node,
    following only flows that carry the type (type-aware, as :func:`flowatlas.analysis.graph.reach`)."""
    m = a.map
    subject_nodes = sorted((n, rec.subject) for n, rec in m.nodes.items() if rec.kind == "subject" and rec.subject)
    out: dict[str, dict[str, set[str]]] = {}
    for t in sorted({t for f in m.flows.values() for t in f.types}):
        # the carrying flows as a plain graph: descendants over the filtered view took 40 s for a
        # 50,000-flow map's inventory (each step re-filters every edge of a node), this 1 s
        view = nx.DiGraph((m.flows[k].source, m.flows[k].target) for k in a.carrying(t))
        per: dict[str, set[str]] = {}
        for s, category in subject_nodes:
            for n in (nx.descendants(view, s) if s in view else set()) | {s}:
                per.setdefault(n, set()).add(category)
        out[t] = per
    return out


def inventory(a: Analysis, findings: list[Finding] | None = None) -> pd.DataFrame:
    """The record of processing of the map ``a`` analyses: one row per (purpose, information
    type) carried.

    Parameters
    ----------
    a : Analysis
        The map's analysis: transfers are its flows' ``is_transfer``, between the countries it
        decided (:attr:`~flowatlas.analysis.Analysis.flow_facts`).
    findings : list of Finding, optional
        Adds, per row, the findings about flows carrying that type for that purpose: their ids
        (``finding_ids``), their count and the worst severity.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`COLUMNS`, sorted by purpose then type; every cell is text (lists
        joined with ``; ``), so the frame writes to CSV and XLSX as it is.

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> row = inventory(Analysis(load_texts(EXAMPLE))).iloc[0]
    >>> row.purpose, row.third_country_transfers
    ('advertising', 'SG→US (no basis)')
    """
    m = a.map
    upstream = _subjects_by_type(a)
    ctrl = m.controller
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for fid, f in m.flows.items():
        for p in f.purposes:
            for t in f.types:
                groups[(p, t)].append(fid)
    by_flow: dict[str, list[Finding]] = defaultdict(list)
    for fd in findings or []:
        for fid in fd.flows:
            by_flow[fid].append(fd)

    rows = []
    for (p, t), fids in sorted(groups.items()):
        flows = [m.flows[i] for i in sorted(set(fids))]
        subjects, contexts, sources, storage, retention = set(), set(), set(), set(), set()
        recipients, transfers, bases, security = set(), set(), set(), set()
        for f in flows:
            src, dst = m.nodes[f.source], m.nodes[f.target]
            subjects |= set(f.subjects) or upstream.get(t, {}).get(f.source, set())
            if src.kind == "subject":
                contexts.add(f"{f.context} ({src.name})" if f.context else src.name)
            else:
                sources.add(f"{src.name} ({src.jurisdiction})")
            if dst.kind == "store":
                storage.add(f"{dst.name} ({dst.jurisdiction})")
                retention.add(f"{dst.name}: {dst.retention}")
                at_rest = "encrypted at rest" if dst.encrypted_at_rest else "not encrypted at rest"
                security.add(f"{dst.name}: {at_rest}")
                if dst.access_control:
                    security.add(f"{dst.name}: access control: {dst.access_control}")
            org = m.organisations.get(dst.owner) if dst.owner else None
            if org is not None and org.id != ctrl.id:
                recipients.add(f"{org.name} ({org.role}, {org.jurisdiction})")
            crossing = a.flow_facts[f.id]
            if crossing.is_transfer:
                how: str = f.transfer_basis or "no basis"
                if f.in_transit:
                    how += ", in transit"
                transfers.add(f"{crossing.source_country}\u2192{crossing.target_country} ({how})")
                bases.add(f.transfer_basis or "none")
            security.add("encrypted in transit" if f.encrypted else f"not encrypted in transit: {f.id}")
        related = {x.id: x for fid in fids for x in by_flow.get(fid, ()) if t in x.types or not x.types}
        worst = worst_severity(related.values()) or ""
        rows.append(
            {
                "controller": f"{ctrl.name} ({ctrl.jurisdiction})",
                "purpose": p,
                "purpose_name": m.purposes[p].name if p in m.purposes else p,
                "information_type": t,
                "type_name": m.types[t].name if t in m.types else t,
                "sensitivity": m.sensitivity(t) if t in m.types else "",
                "subject_categories": _join(m.subjects[s].name if s in m.subjects else s for s in subjects),
                "collected_via": _join(contexts),
                "source_systems": _join(sources),
                "storage": _join(storage),
                "retention": _join(retention),
                "recipients": _join(recipients),
                "third_country_transfers": _join(transfers),
                "transfer_bases": _join(bases),
                "security_measures": _join(security),
                "flows": _join(f.id for f in flows),
                "finding_ids": _join(related),
                "findings": len(related),
                "worst_severity": worst,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


#: The columns of the processor's record (GDPR Art. 30(2)): the processor and each controller it
#: acts for, the categories of processing, the transfers abroad with their tools, the measures.
PROCESSOR_COLUMNS: tuple[str, ...] = (
    "processor",
    "controller_served",
    "category_of_processing",
    "information_types",
    "subject_categories",
    "sub_processors",
    "third_country_transfers",
    "security_measures",
    "flows",
)


def processor_record(a: Analysis) -> pd.DataFrame:
    """The record the map's organisation keeps as a processor (GDPR Art. 30(2)): one row per
    controller it serves (an organisation of role ``client``) and purpose, over the flows that
    carry data of the client's ``subjects`` (or a narrower category).

    Parameters
    ----------
    a : Analysis
        The map's analysis.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`PROCESSOR_COLUMNS`; empty when the map has no client.

    Examples
    --------
    >>> from flowatlas.loader import load_texts
    >>> from flowatlas.examples import EXAMPLE
    >>> len(processor_record(Analysis(load_texts(EXAMPLE))))
    0
    """
    m = a.map
    ctrl = m.controller
    measures = sorted(
        {x for d in (a.policy.declarations if a.policy else ()) if d.kind == "security" for x in d.measures}
    )
    rows = []
    for client in sorted((o for o in m.organisations.values() if o.role == "client"), key=lambda o: o.id):
        served = set(client.subjects)
        by_purpose: dict[str, list[str]] = defaultdict(list)
        for fid, f in m.flows.items():
            carried = set(f.subjects) or a.facts.subjects_at(f.source)
            if any(m.subject_tree.covers(s, x) for s in served for x in carried):
                for p in f.purposes:
                    by_purpose[p].append(fid)
        for p, fids in sorted(by_purpose.items()):
            flows = [m.flows[i] for i in fids]
            subs: set[str] = set()
            transfers: set[str] = set()
            security: set[str] = {str(x) for x in measures}
            for f in flows:
                dst = m.nodes[f.target]
                org = m.organisations.get(dst.owner) if dst.owner else None
                if org is not None and org.role in ("processor", "sub_processor"):
                    subs.add(f"{org.name} ({org.role}, {org.jurisdiction})")
                facts = a.flow_facts[f.id]
                if facts.is_transfer:
                    transfers.add(
                        f"{facts.source_country}\u2192{facts.target_country} "
                        f"({f.transfer_basis or 'no basis'}, {facts.regime or 'no regime'})"
                    )
                if dst.kind == "store" and dst.encrypted_at_rest:
                    security.add(f"{dst.name}: encrypted at rest")
            rows.append(
                {
                    "processor": f"{ctrl.name} ({ctrl.jurisdiction})",
                    "controller_served": f"{client.name} ({client.id}, {client.jurisdiction})",
                    "category_of_processing": f"{m.purposes[p].name} ({p})" if p in m.purposes else p,
                    "information_types": _join(t for f in flows for t in f.types),
                    "subject_categories": _join(
                        m.subjects[s].name
                        for f in flows
                        for s in (set(f.subjects) or a.facts.subjects_at(f.source))
                        if s in m.subjects and any(m.subject_tree.covers(x, s) for x in served)
                    ),
                    "sub_processors": _join(subs),
                    "third_country_transfers": _join(transfers),
                    "security_measures": _join(security),
                    "flows": _join(fids),
                }
            )
    return pd.DataFrame(rows, columns=list(PROCESSOR_COLUMNS))


@register("processor-record", "csv", "the processor's record (GDPR Art. 30(2)), one row per client and purpose")
def write_processor_record_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """The processor's record as CSV, no cell readable as a formula."""
    csv_frame(frame).to_csv(path, index=False, lineterminator="\n")


@register("processor-record", "xlsx", "the processor's record (GDPR Art. 30(2)) as a spreadsheet")
def write_processor_record_xlsx(frame: pd.DataFrame, path: str | Path) -> None:
    """The processor's record as one XLSX sheet whose text cells are strings, never formulas."""
    write_xlsx(frame, path, sheet="Processor record")


@register("inventory", "csv", "the record of processing, one row per purpose and type")
def write_inventory_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """The inventory as CSV, no cell readable as a formula (:func:`flowatlas.inert.csv_frame`)."""
    csv_frame(frame).to_csv(path, index=False, lineterminator="\n")


@register("inventory", "xlsx", "the record of processing as a spreadsheet (one sheet, no formulas)")
def write_inventory_xlsx(frame: pd.DataFrame, path: str | Path) -> None:
    """The inventory as one XLSX sheet whose text cells are strings, never formulas."""
    write_xlsx(frame, path, sheet="Record of processing")


__all__ = [
    "COLUMNS",
    "PROCESSOR_COLUMNS",
    "inventory",
    "processor_record",
    "write_inventory_csv",
    "write_inventory_xlsx",
    "write_processor_record_csv",
    "write_processor_record_xlsx",
]
