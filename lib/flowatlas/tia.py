"""Transfer impact assessment (TIA) worksheets: one per transfer that relies on a tool needing one.

A worksheet follows the six steps of EDPB Recommendations 01/2020 on supplementary measures:
(1) know your transfers, (2) identify the transfer tool, (3) assess the law and practice of the
destination, (4) adopt supplementary measures, (5) take the procedural steps, (6) re-evaluate.
flowatlas fills in what the map knows (the exporter and importer, the types and how sensitive
they are, whose data, for what, how many people, the onward chain, encryption in transit and at
rest and who holds the keys, the tool and the documents it needs, the assessment recorded) and
leaves open the questions only a person can answer: the destination's law and practice on
public-authority access, the measures chosen, the conclusion. Which transfers need one:
:func:`flowatlas.analysis.assessments.needing_assessment`.

Written as Markdown (``tia.md``), as a spreadsheet with one editable sheet per transfer
(``tia.xlsx``) and as JSON; ``flowatlas tia MAP`` and the report write them.

>>> from flowatlas.analysis import Analysis
>>> from flowatlas.loader import load_texts
>>> m = load_texts({"map.yaml": '''
... map: {id: x, name: X, controller: acme, home: FR}
... organisations:
...   - {id: acme, name: Acme, role: controller, jurisdiction: FR}
...   - {id: host, name: Host, role: processor, jurisdiction: US,
...      safeguards: [{kind: standard_contractual_clauses, reference: SCC-7}]}
... nodes:
...   - {id: app, name: App, kind: system, owner: acme, jurisdiction: FR}
...   - {id: us, name: US host, kind: store, owner: host, jurisdiction: US, retention: P30D,
...      encrypted_at_rest: true, keys_held_by: acme}
... flows:
...   - {id: f-1, from: app, to: us, types: [email], purposes: [provide-service],
...      transfer_basis: standard_contractual_clauses}
... '''})
>>> (w,) = worksheets(Analysis(m))
>>> w.id, [s.number for s in w.steps]
('tia-acme-host-us-standard-contractual-clauses', [1, 2, 3, 4, 5, 6])
>>> dict(w.steps[3].facts)["keys held by"]
'Acme (acme), the exporter'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flowatlas.analysis import Analysis
from flowatlas.analysis.assessments import Assessed, needing_assessment
from flowatlas.exports import register
from flowatlas.inert import markdown_text, write_workbook
from flowatlas.words import counted

#: The six steps of EDPB Recommendations 01/2020, in their words.
STEPS: tuple[str, ...] = (
    "Know your transfers",
    "Identify the transfer tool you rely on",
    "Assess the law and practice of the destination",
    "Adopt supplementary measures",
    "Take the procedural steps",
    "Re-evaluate at appropriate intervals",
)
#: How an open question is marked in every format: a person answers it.
OPEN = "to be answered"
#: The first sheet of the XLSX: one row per worksheet, linked to it.
INDEX_SHEET = "transfers"
#: At most this many transfers get a sheet of their own; the rest share one sheet, one block of
#: rows each, so a map with thousands of transfers gives a workbook a spreadsheet program opens
#: (a 50,000-flow map's 7,430 sheets took 34 s to write).
MAX_SHEETS = 250
#: The sheet of the transfers past :data:`MAX_SHEETS`.
MORE_SHEET = "more transfers"


@dataclass(frozen=True)
class Step:
    """One step of a worksheet: what the map says (``facts``) and what a person answers."""

    number: int
    title: str
    facts: tuple[tuple[str, str], ...]
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Worksheet:
    """The worksheet of one transfer (exporter, importer, destination, tool)."""

    id: str
    title: str
    transfer: Assessed
    steps: tuple[Step, ...]


def _slug(*parts: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
    if len(text) <= 80:
        return text
    return text[:69] + "-" + hashlib.sha256(text.encode()).hexdigest()[:10]


def _org(a: Analysis, org_id: str | None) -> str:
    if not org_id:
        return "-"
    o = a.map.organisations[org_id]
    return f"{o.name} ({o.id}), {o.role}, {o.jurisdiction}"


def worksheet(a: Analysis, t: Assessed) -> Worksheet:
    """The six-step worksheet of transfer ``t`` of ``a``'s map, filled from the map.

    Parameters
    ----------
    a : Analysis
        The map's analysis.
    t : Assessed
        One transfer needing an assessment (:func:`flowatlas.analysis.assessments.needing_assessment`).

    Returns
    -------
    Worksheet
    """
    m = a.map
    flows = [m.flows[f] for f in t.flows]
    types = sorted({ty for f in flows for ty in f.types})
    sensitive = [ty for ty in types if m.is_sensitive(ty)]
    subjects = sorted({s for f in flows for s in (f.subjects or a.facts.subjects_at(f.source))})
    purposes = sorted({p for f in flows for p in f.purposes})
    volumes = sorted({f.subjects_per_year for f in flows if f.subjects_per_year is not None})
    targets = sorted({f.target for f in flows})
    onward = sorted(
        {
            f"{g.id}: {m.nodes[g.source].name} → {m.nodes[g.target].name} "
            f"({m.nodes[g.target].owner}, {a.flow_facts[g.id].target_country or '-'})"
            for n in targets
            for g in (m.flows[k] for _, _, k in a.graph.out_edges(n, keys=True))
            if m.nodes[g.target].owner not in (t.importer, None)
        }
    )
    importer = m.organisations.get(t.importer) if t.importer else None
    step1 = (
        ("exporter", _org(a, t.exporter)),
        ("importer", _org(a, t.importer)),
        ("destination", t.destination),
        ("regime", f"{t.regime.id}: {t.regime.name}"),
        ("flows", "; ".join(f"{f.id} ({m.nodes[f.source].name} → {m.nodes[f.target].name})" for f in flows)),
        ("information types", ", ".join(f"{ty}{' (sensitive)' if ty in sensitive else ''}" for ty in types)),
        ("data subjects", ", ".join(subjects) or "-"),
        ("purposes", ", ".join(purposes)),
        ("people a year", ", ".join(f"{v:,}" for v in volumes) or "not recorded (subjects_per_year)"),
        ("onward transfers by the importer", "; ".join(onward) or "none on the map"),
    )
    held = "; ".join(
        ", ".join(
            x
            for x in (
                sg.kind,
                f"scheme {sg.scheme}" if sg.scheme else "",
                f"reference {sg.reference}" if sg.reference else "",
                f"valid until {sg.valid_until}" if sg.valid_until else "",
            )
            if x
        )
        for sg in t.safeguards
    )
    step2 = (
        ("tool", t.tool),
        ("provision", f"{t.basis.cite}: {t.basis.summary}"),
        ("documents it needs", t.basis.documents or "-"),
        ("held by the importer", held or "none recorded on the map"),
    )
    decision = t.regime.decisions.get(t.destination)
    step3 = (
        (
            "recognition of the destination",
            f"{t.regime.id}: {decision.note or 'adequacy decision'} ({decision.cite})"
            if decision
            else f"no adequacy decision of {t.regime.id} covers {t.destination}",
        ),
        ("data of interest to authorities", ", ".join(sensitive) or "no sensitive types"),
    )
    stores = [m.nodes[n] for n in targets]
    keys = sorted({n.keys_held_by for n in stores if n.keys_held_by})
    keys_text = "; ".join(
        f"{m.organisations[k].name} ({k}), "
        + ("the exporter" if k == t.exporter else "the importer" if k == t.importer else m.organisations[k].role)
        for k in keys
    )
    step4 = (
        ("encrypted in transit", ", ".join(f"{f.id}: {'yes' if f.encrypted else 'no'}" for f in flows)),
        (
            "encrypted at rest at the importer",
            ", ".join(
                f"{n.id}: {'yes' if n.encrypted_at_rest else 'no'}" for n in stores if n.encrypted_at_rest is not None
            )
            or "not recorded",
        ),
        ("keys held by", keys_text or "not recorded (keys_held_by)"),
        ("access control at the importer", "; ".join(n.access_control for n in stores if n.access_control) or "-"),
    )
    recorded = tuple(
        (
            f"recorded assessment {i}",
            f"assessed {r.assessed} by {r.by}: {r.conclusion.replace('_', ' ')}"
            + (f"; review by {r.review_by}" + (" (overdue)" if r.review_by < m.as_of else "") if r.review_by else "")
            + (f"; measures: {', '.join(r.measures)}" if r.measures else "")
            + (f"; document: {r.document}" if r.document else ""),
        )
        for i, r in enumerate(t.recorded, 1)
    )
    step6 = (
        *recorded,
        ("flows without a recorded assessment", ", ".join(t.unrecorded) or "none"),
        ("as of", str(m.as_of)),
    )
    steps = (
        Step(
            1,
            STEPS[0],
            step1,
            ("Is every transfer to this importer on the map (remote access and onward transfers included)?",),
        ),
        Step(2, STEPS[1], step2, ("Are the documents signed, current and of the right module or version?",)),
        Step(
            3,
            STEPS[2],
            step3,
            (
                f"Which laws of {t.destination} let public authorities access these data held by "
                f"{importer.name if importer else 'the importer'}, and do they go beyond what is necessary "
                "and proportionate?",
                "Is the importer, or its sector, subject to them in law or in practice (documented requests)?",
                f"Do they impinge on the effectiveness of {t.tool}?",
            ),
        ),
        Step(
            4,
            STEPS[3],
            step4,
            (
                "Which technical measures (encryption with keys the importer cannot reach, pseudonymisation) apply?",
                "Which contractual and organisational measures (transparency, challenge of requests) apply?",
            ),
        ),
        Step(
            5,
            STEPS[4],
            (),
            ("Which procedural steps do the measures need (amended clauses, an authority's approval)?",),
        ),
        Step(6, STEPS[5], step6, ("What did the assessment conclude, and when is it reviewed next?",)),
    )
    title = f"{t.exporter or '-'} → {t.importer or '-'} ({t.destination}) on {t.tool} under {t.regime.id}"
    return Worksheet("tia-" + _slug(*t.key), title, t, steps)


def worksheets(a: Analysis) -> list[Worksheet]:
    """The worksheet of every transfer of ``a``'s map that needs an impact assessment, in order."""
    return [worksheet(a, t) for t in needing_assessment(a)]


# --------------------------------------------------------------------------- writers


@register("tia", "markdown", "transfer impact assessment worksheets, one section each (EDPB Recommendations 01/2020)")
def write_markdown(a: Analysis, sheets: Sequence[Worksheet], out: IO[str]) -> None:
    """The worksheets as one Markdown document; text from the map is inert."""
    m = a.map
    out.write(f"# Transfer impact assessments: {markdown_text(m.info.name)}\n\n")
    out.write(
        f"{counted(len(sheets), 'transfer')} of map `{markdown_text(m.info.id)}` "
        f"rel{'y' if len(sheets) != 1 else 'ies'} "
        f"on a tool that needs an assessment (as of {m.as_of}). Each follows the six steps of EDPB "
        f"Recommendations 01/2020; flowatlas fills in what the map says and marks what a person answers "
        f"with *{OPEN}*.\n"
    )
    for w in sheets:
        out.write(f"\n## {markdown_text(w.title)}\n\n`{w.id}`\n")
        for s in w.steps:
            out.write(f"\n### Step {s.number}: {s.title}\n\n")
            if s.facts:
                out.write("| | |\n| --- | --- |\n")
                for k, v in s.facts:
                    out.write(f"| {markdown_text(k)} | {markdown_text(v)} |\n")
                out.write("\n")
            for q in s.questions:
                out.write(f"- {markdown_text(q)} *{OPEN}*\n")


@register("tia", "json", "transfer impact assessment worksheets as data")
def write_json(a: Analysis, sheets: Sequence[Worksheet], out: IO[str]) -> None:
    """The worksheets as JSON: ``{"map": ..., "as_of": ..., "worksheets": [...]}``."""
    doc: dict[str, Any] = {
        "map": a.map.info.id,
        "as_of": str(a.map.as_of),
        "worksheets": [
            {
                "id": w.id,
                "title": w.title,
                "regime": w.transfer.regime.id,
                "basis": w.transfer.basis.id,
                "flows": list(w.transfer.flows),
                "steps": [
                    {"step": s.number, "title": s.title, "facts": dict(s.facts), "questions": list(s.questions)}
                    for s in w.steps
                ],
            }
            for w in sheets
        ],
    }
    out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


@register("tia", "xlsx", "transfer impact assessment worksheets, one editable sheet per transfer")
def write_xlsx(a: Analysis, sheets: Sequence[Worksheet], path: str | Path) -> None:
    """An index sheet (one row per transfer: its regime, tool, flows and whether an assessment is
    recorded, its first cell a link to the transfer's sheet), then one sheet per transfer: step,
    item, what the map says, and an answer column to fill in. Past :data:`MAX_SHEETS` transfers,
    the rest share the sheet :data:`MORE_SHEET`, one block of rows each under its worksheet id,
    linked from the index the same way. Every cell is a string, never a formula."""
    import pandas as pd

    columns = ["step", "item", "what the map says", "answer"]
    frames: dict[str, pd.DataFrame] = {}
    index = [
        (w.id, w.title, w.transfer.regime.id, w.transfer.tool, ", ".join(w.transfer.flows), _state(w.transfer))
        for w in sheets
    ]
    frames[INDEX_SHEET] = pd.DataFrame(
        index or [("", "no transfer of the map needs an assessment", "", "", "", "")],
        columns=["worksheet", "transfer", "regime", "tool", "flows", "assessment"],
    )
    links: dict[int, tuple[str, int]] = {}
    rest: list[tuple[str, ...]] = []
    for i, w in enumerate(sheets):
        rows: list[tuple[str, str, str, str]] = []
        for s in w.steps:
            rows += [(f"{s.number}. {s.title}", k, v, "") for k, v in s.facts]
            rows += [(f"{s.number}. {s.title}", q, "", OPEN) for q in s.questions]
        if i < MAX_SHEETS:
            frames[w.id] = pd.DataFrame(rows, columns=columns)
            links[i] = (w.id, -1)
        else:
            links[i] = (MORE_SHEET, len(rest))
            rest += [(w.id, *r) for r in rows]
    if rest:
        frames[MORE_SHEET] = pd.DataFrame(rest, columns=["worksheet", *columns])
    write_workbook(frames, path, links={INDEX_SHEET: links})


def _state(t: Assessed) -> str:
    """Whether the transfer's assessment is recorded, in words."""
    if not t.unrecorded:
        return "recorded"
    return f"none for {', '.join(t.unrecorded)}"


__all__ = [
    "INDEX_SHEET",
    "MAX_SHEETS",
    "MORE_SHEET",
    "OPEN",
    "STEPS",
    "Step",
    "Worksheet",
    "worksheet",
    "worksheets",
    "write_json",
    "write_markdown",
    "write_xlsx",
]
