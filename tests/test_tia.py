"""Transfer impact assessment worksheets (EDPB Recommendations 01/2020's six steps) for every
transfer relying on a tool that needs one, in Markdown, JSON and XLSX; a recorded assessment
past its review date, or one that found the tool not effective, is a finding."""

from __future__ import annotations

import html
import io
import json
import subprocess
import sys

import openpyxl
import pytest
import yaml
from reportkit import ABSOLOOP, ROOT

from flowatlas.analysis import Analysis
from flowatlas.analysis.assessments import needing_assessment
from flowatlas.audit import audit
from flowatlas.exports import exporter
from flowatlas.loader import load_map, load_texts
from flowatlas.tia import INDEX_SHEET, OPEN, STEPS, worksheets

KLINIKO = ROOT / "dataflows" / "kliniko"


def _swiss(
    tia: dict | None = None, *, name: str = "Nuvola SA", keys: str = "alpkas", as_of: str = "2026-12-01"
) -> Analysis:
    """A Swiss health insurer (CH-FADP) sending claims to an Italian-Swiss processor's store in the
    US on standard clauses, and on from there to a sub-processor in India."""
    flow = {"id": "claims", "from": "claims-app", "to": "us-store", "types": ["name", "health-insurance-id"],
            "purposes": ["provide-service"], "transfer_basis": "standard_contractual_clauses",
            "subjects_per_year": 42000}  # fmt: skip
    if tia:
        flow["tia"] = tia
    doc = {
        "map": {"id": "alpkas", "name": "AlpKas", "controller": "alpkas", "home": "CH", "as_of": as_of},
        "organisations": [
            {"id": "alpkas", "name": "AlpKas AG", "role": "controller", "jurisdiction": "CH"},
            {"id": "nuvola", "name": name, "role": "processor", "jurisdiction": "US",
             "safeguards": [{"kind": "standard_contractual_clauses", "reference": "SCC-CH-7"}]},
            {"id": "indi", "name": "Indi Labs", "role": "sub_processor", "jurisdiction": "IN", "engaged_by": "nuvola"},
        ],
        "nodes": [
            {"id": "claims-app", "name": "Claims app", "kind": "system", "owner": "alpkas", "jurisdiction": "CH"},
            {"id": "us-store", "name": "Claims archive", "kind": "store", "owner": "nuvola", "jurisdiction": "US",
             "retention": "P1Y", "encrypted_at_rest": True, "keys_held_by": keys, "erase": True, "export": True},
            {"id": "in-app", "name": "Labelling", "kind": "system", "owner": "indi", "jurisdiction": "IN"},
        ],
        "flows": [flow, {"id": "label", "from": "us-store", "to": "in-app", "types": ["name"],
                         "purposes": ["provide-service"], "transfer_basis": "standard_contractual_clauses"}],
        "policies": [{"id": "p", "title": "P", "version": "1", "controller": "alpkas", "declarations": [
            {"id": "d", "kind": "purpose", "clause": "1", "quote": "We settle claims.",
             "purposes": ["provide-service"]}]}],
    }  # fmt: skip
    return Analysis(load_texts({"map.yaml": yaml.safe_dump(doc, sort_keys=False, default_flow_style=None)}))


def test_a_worksheet_is_filled_from_the_map_and_leaves_the_rest_open():
    a = _swiss()
    w = next(w for w in worksheets(a) if w.transfer.flows == ("claims",))
    assert [s.title for s in w.steps] == list(STEPS)
    facts = {k: v for s in w.steps for k, v in s.facts}
    assert facts["exporter"].startswith("AlpKas AG (alpkas), controller, CH")
    assert facts["importer"].startswith("Nuvola SA (nuvola), processor, US")
    assert facts["regime"].startswith("CH-FADP")
    assert "health-insurance-id (sensitive)" in facts["information types"]
    assert facts["people a year"] == "42,000"
    assert "label: Claims archive → Labelling (indi, IN)" in facts["onward transfers by the importer"]
    assert facts["tool"] == "standard_contractual_clauses (EU-SCC-2021)"
    assert "reference SCC-CH-7" in facts["held by the importer"]
    assert facts["keys held by"] == "AlpKas AG (alpkas), the exporter"
    assert facts["flows without a recorded assessment"] == "claims"
    assert all(s.questions for s in w.steps)  # each step leaves a person something to answer
    assert any("Which laws of US" in q for q in w.steps[2].questions)


def test_the_assessment_recorded_shows_and_its_dates_are_held():
    current = {"assessed": "2026-01-10", "by": "DPO", "conclusion": "adequate_with_measures", "review_by": "2027-01-10"}
    a = _swiss(current)
    w = next(w for w in worksheets(a) if w.transfer.flows == ("claims",))
    facts = dict(w.steps[5].facts)
    assert facts["recorded assessment 1"] == "assessed 2026-01-10 by DPO: adequate with measures; review by 2027-01-10"
    assert "tia-missing" not in {f.rule for f in audit(a) if f.flows == ("claims",)}
    late = _swiss(current, as_of="2027-02-01")
    [f] = [f for f in audit(late, rules=["tia-overdue"])]
    assert f.flows == ("claims",) and "was due for review on 2027-01-10" in f.message and f.severity == "medium"
    assert "(overdue)" in dict(worksheets(late)[0].steps[5].facts)["recorded assessment 1"]
    stop = _swiss({**current, "conclusion": "not_adequate"})
    [f] = audit(stop, rules=["tia-not-adequate"])
    assert f.severity == "high" and "concluded that the tool is not effective" in f.message


def test_a_missing_assessment_is_one_finding_per_transfer():
    found = audit(_swiss(), rules=["tia-missing"])
    assert sorted(f.flows for f in found) == [("claims",), ("label",)]
    assert all(f.clauses[0].label == "FADP Art. 16(2)(d)" for f in found)


def test_only_tools_that_need_an_assessment_get_a_worksheet():
    a = Analysis(load_map(KLINIKO))
    bases = {a.map.flows[f].transfer_basis for t in needing_assessment(a) for f in t.flows}
    assert bases == {"standard_contractual_clauses"}  # adequacy (JP, CH, the DPF) needs none
    assert "k-f45-calendar" not in {f for t in needing_assessment(a) for f in t.flows}


@pytest.mark.parametrize("folder", [ABSOLOOP, KLINIKO], ids=["absoloop", "kliniko"])
def test_worksheets_of_the_shipped_maps_in_every_format(folder, tmp_path):
    a = Analysis(load_map(folder))
    sheets = worksheets(a)
    assert sheets
    md = io.StringIO()
    exporter("tia", "markdown").write(a, sheets, md)
    assert md.getvalue().count("### Step 1: Know your transfers") == len(sheets)
    assert md.getvalue().count(f" *{OPEN}*\n") == sum(len(s.questions) for w in sheets for s in w.steps)
    js = io.StringIO()
    exporter("tia", "json").write(a, sheets, js)
    assert [w["id"] for w in json.loads(js.getvalue())["worksheets"]] == [w.id for w in sheets]
    path = tmp_path / "tia.xlsx"
    exporter("tia", "xlsx").write(a, sheets, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == INDEX_SHEET
    assert len(wb.sheetnames) == len(sheets) + 1 == len(set(wb.sheetnames))
    index = wb[INDEX_SHEET]
    assert [c.value for c in index["A"][1:]] == [w.id for w in sheets]
    for row, name in zip(index.iter_rows(min_row=2), wb.sheetnames[1:], strict=True):  # each row opens its sheet
        assert row[0].hyperlink.location == f"'{name}'!A1"
    assert [r[5].value for r in index.iter_rows(min_row=2)] == [
        "recorded" if not w.transfer.unrecorded else f"none for {', '.join(w.transfer.unrecorded)}" for w in sheets
    ]
    first = wb[wb.sheetnames[1]]
    assert [c.value for c in first[1]] == ["step", "item", "what the map says", "answer"]
    assert {c.value for c in first["D"][1:]} <= {None, OPEN}
    again = tmp_path / "again.xlsx"
    exporter("tia", "xlsx").write(a, sheets, again)
    assert again.read_bytes() == path.read_bytes()  # the same map gives the same bytes


def test_text_from_the_map_is_inert_in_every_format(tmp_path):
    hostile = '=HYPERLINK("http://x")<script>|*'
    a = _swiss(name=hostile)
    sheets = worksheets(a)
    md = io.StringIO()
    exporter("tia", "markdown").write(a, sheets, md)
    assert "<script>" not in md.getvalue() and "\\<script\\>" in md.getvalue()
    path = tmp_path / "tia.xlsx"
    exporter("tia", "xlsx").write(a, sheets, path)
    ws = openpyxl.load_workbook(path).worksheets[1]
    cells = [c for row in ws.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)  # a string cell: never evaluated as a formula


def test_cli_writes_markdown_and_needs_out_for_xlsx(tmp_path):
    run = subprocess.run([sys.executable, "-m", "flowatlas", "tia", str(KLINIKO)], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.startswith("# Transfer impact assessments: Kliniko telehealth")
    bad = subprocess.run(
        [sys.executable, "-m", "flowatlas", "tia", str(KLINIKO), "--format", "xlsx"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "give --out PATH" in bad.stderr
    out = tmp_path / "t.xlsx"
    ok = subprocess.run(
        [sys.executable, "-m", "flowatlas", "tia", str(KLINIKO), "--format", "xlsx", "--out", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert ok.returncode == 0 and "4 worksheet(s)" in ok.stderr and out.stat().st_size > 0


def test_the_report_section_shows_the_open_ones_first_and_says_how_many_it_leaves_to_the_files():
    from flowatlas.report.views import assessments_view

    a = Analysis(load_map(KLINIKO))
    sheets = worksheets(a)
    assert len(sheets) > 2 and any(not w.transfer.unrecorded for w in sheets)
    every = assessments_view(a).data
    assert every.count("<h4>Step 1: Know your transfers</h4>") == len(sheets) and "Showing" not in every
    two = assessments_view(a, limit=2).data
    assert two.count("<h4>Step 1: Know your transfers</h4>") == 2
    assert f"Showing 2 of {len(sheets)} worksheets" in two
    open_first = [w for w in sheets if w.transfer.unrecorded][:2]
    for w in open_first:  # the transfers still waiting for an assessment come first
        assert html.escape(w.title) in two


def test_past_the_sheet_limit_the_rest_share_one_sheet_and_the_index_still_opens_each(tmp_path, monkeypatch):
    import flowatlas.tia as tia

    a = Analysis(load_map(KLINIKO))
    sheets = worksheets(a)
    monkeypatch.setattr(tia, "MAX_SHEETS", 1)
    path = tmp_path / "tia.xlsx"
    exporter("tia", "xlsx").write(a, sheets, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == INDEX_SHEET and wb.sheetnames[-1] == tia.MORE_SHEET and len(wb.sheetnames) == 3
    more = wb[tia.MORE_SHEET]
    ids = [c.value for c in more["A"][1:]]
    assert list(dict.fromkeys(ids)) == [w.id for w in sheets[1:]]  # every other worksheet, in order
    links = [r[0].hyperlink.location for r in wb[INDEX_SHEET].iter_rows(min_row=2)]
    for w, at in zip(sheets[1:], links[1:], strict=True):  # each link lands on its worksheet's first row
        row = int(at.rsplit("!A", 1)[1])
        assert at.startswith(f"'{tia.MORE_SHEET}'!") and more.cell(row=row, column=1).value == w.id
        assert more.cell(row=row - 1, column=1).value != w.id
    assert sum(len(s.facts) + len(s.questions) for w in sheets[1:] for s in w.steps) == len(ids)


@pytest.mark.parametrize("fmt", ["markdown", "xlsx"])
def test_an_out_path_that_cannot_be_written_is_a_clear_error_and_leaves_no_partial_file(tmp_path, fmt):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    run = subprocess.run(
        [sys.executable, "-m", "flowatlas", "tia", str(KLINIKO), "--format", fmt, "--out", str(blocker / "t.out")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 2 and "cannot write" in run.stderr and "Traceback" not in run.stderr
    assert "t.out: Not a directory" in run.stderr
    (tmp_path / "t.out").mkdir()  # a folder where the file should go: the temporary file is written, the rename fails
    run = subprocess.run(
        [sys.executable, "-m", "flowatlas", "tia", str(KLINIKO), "--format", fmt, "--out", str(tmp_path / "t.out")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 2 and "cannot write" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "t.out"]  # no temporary file left behind
