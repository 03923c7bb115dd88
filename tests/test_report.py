"""The report runner: outputs, run.json, diff, latest, exit codes, parameters, failures.

Report runs are real (papermill, a python3 kernel, graphviz, nbconvert); each distinct run is
made once per session (see reportkit.shared) and the tests read what it left behind.
"""

from __future__ import annotations

import ast
import csv
import gzip
import json
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import nbformat
import openpyxl
import pytest
from reportkit import ABSOLOOP, NOTEBOOKS, ROOT, TINY, cli, run_cli, session_base, shared, write_map

from flowatlas import files, load_texts
from flowatlas.analysis import Analysis
from flowatlas.audit import audit, undeclared_transfers
from flowatlas.cli import main
from flowatlas.errors import UsageError
from flowatlas.evidence import evidence_paths, read_evidence
from flowatlas.findings import SEVERITIES, TABLE_COLUMNS
from flowatlas.loader import load_map
from flowatlas.report import views
from flowatlas.report.data import (
    NEW_FIELDS,
    diff_findings,
    history,
    read_findings_json,
    write_assessments,
    write_diff,
    write_findings,
    write_history,
    write_inventory,
)
from flowatlas.report.htmlexport import SLIM_BYTES
from flowatlas.report.params import ParameterError, check_parameters, resolve_map_dir
from flowatlas.report.runner import _convert, finalize_run, plan_parameters, read_params_file
from flowatlas.report.runs import latest_run, point_latest
from flowatlas.report.views import _run_files
from flowatlas.synth import synth_texts

pytestmark = pytest.mark.slow

NOTEBOOK_NAMES = ("explore", "audit", "diagrams", "report")


# --------------------------------------------------------------------------- shared runs


def _absoloop(folder: Path) -> dict:
    return run_cli(folder, str(ABSOLOOP), "--out", str(folder / "out"), "--fail-on", "high")


@pytest.fixture(scope="session")
def absoloop_run(tmp_path_factory) -> dict:
    r = shared(session_base(tmp_path_factory), "absoloop", _absoloop)
    r["map_out"] = Path(r["folder"]) / "out" / "absoloop"
    r["run_dir"] = latest_run(r["map_out"])
    return r


def _tiny_series(folder: Path) -> dict:
    """Three runs of the tiny map into one outputs root: ok, changed map, failing notebook."""
    out = folder / "out"
    m1 = write_map(folder / "tiny1", TINY)
    (folder / "params.yaml").write_text("top_n: 3\nmin_severity: low\n", encoding="utf-8")
    r1 = run_cli(
        folder,
        str(m1),
        "--out",
        str(out),
        "-f",
        str(folder / "params.yaml"),
        "-p",
        "top_n",
        "5",
        "-p",
        "lineage_types",
        "all",
        "--fail-on",
        "high",
        "--jobs",
        "4",
    )
    first = latest_run(out / "tiny")
    changed = dict(TINY)
    changed["flows.yaml"] = TINY["flows.yaml"].replace("[provide-service, advertising]", "[provide-service]") + (
        "  - {id: t-4, from: web, to: orders, types: [email], purposes: [analytics]}\n"
    )
    changed["nodes.yaml"] = TINY["nodes.yaml"].replace("name: Mail service,", "name: Mail relay,")
    m2 = write_map(folder / "tiny2", changed)
    r2 = run_cli(folder, str(m2), "--out", str(out))
    second = latest_run(out / "tiny")
    # a notebook that fails mid-run: a copy of the suite with a failing cell planted in audit
    nbs = folder / "notebooks"
    nbs.mkdir()
    for n in NOTEBOOK_NAMES:
        nb = nbformat.read(NOTEBOOKS / f"{n}.ipynb", as_version=4)
        if n == "audit":
            nb.cells.insert(5, nbformat.v4.new_code_cell('raise RuntimeError("planted failure")'))
        nbformat.write(nb, nbs / f"{n}.ipynb")
    r3 = run_cli(folder, str(m2), "--out", str(out), "--notebooks", str(nbs))
    third = sorted(
        p
        for p in (out / "tiny").iterdir()
        if p.is_dir() and not p.is_symlink() and p.name not in (first.name, second.name, "latest")
    )
    return {
        "r1": r1,
        "r2": r2,
        "r3": r3,
        "first": str(first),
        "second": str(second),
        "third": [str(p) for p in third],
        "latest_after": str(latest_run(out / "tiny")),
        "out": str(out),
    }


@pytest.fixture(scope="session")
def tiny_series(tmp_path_factory) -> dict:
    return shared(session_base(tmp_path_factory), "tiny-series", _tiny_series)


# --------------------------------------------------------------------------- the Absoloop report


def test_absoloop_exit_code_and_layout(absoloop_run):
    r, run = absoloop_run, absoloop_run["run_dir"]
    assert r["code"] == 1, r["stderr"]  # --fail-on high: the Absoloop map has high findings
    assert run is not None and run.parent == r["map_out"]
    # the count once, in the last line: where the report is, each severity, what the exit code says
    counts = json.loads((run / "findings.json").read_text("utf-8"))["counts"]
    last = r["stderr"].strip().splitlines()[-1]
    assert r["stderr"].count("at or above high") == 1
    by_severity = ", ".join(f"{counts[s]} {s}" for s in ("high", "medium", "low", "info"))
    assert last.startswith("flowatlas report: ") and str(Path("report.html")) in last, last
    assert f"{sum(counts.values())} findings ({by_severity}); {counts['high']} at or above high" in last, last
    assert last.endswith("so exit 1: the alert a schedule reads (--fail-on none: exit 0)"), last
    assert (r["map_out"] / "latest").is_symlink()
    assert r["stdout"].strip() == str(run / "report.html")
    for name in (
        "report.html",
        "findings.csv",
        "findings.json",
        "diff.json",
        "inventory.csv",
        "inventory.xlsx",
        "tia.md",
        "tia.json",
        "tia.xlsx",
        "run.json",
        *(f"{n}.ipynb" for n in NOTEBOOK_NAMES),
    ):
        assert (run / name).is_file(), name
    # the worksheets in the report are those of the data files, one folded section each
    sheets = json.loads((run / "tia.json").read_text("utf-8"))["worksheets"]
    html = (run / "report.html").read_text("utf-8")
    assert sheets and html.count("<h4>Step 1: Know your transfers</h4>") == len(sheets)
    for stem in ("overview", "findings", "summary-organisation", "summary-jurisdiction"):
        for ext in ("dot", "svg"):
            assert (run / "diagrams" / f"{stem}.{ext}").stat().st_size > 0, f"{stem}.{ext}"
        assert not (run / "diagrams" / f"{stem}.png").exists()  # PNGs only when asked for (-p formats)
    assert (run / "diagrams" / "lineage-password.svg").is_file()  # a sensitive type's lineage
    assert "[4/4]" in r["stderr"]  # progress, one line per notebook


def test_absoloop_run_json(absoloop_run):
    run = absoloop_run["run_dir"]
    man = json.loads((run / "run.json").read_text())
    m = load_map(ABSOLOOP)
    assert man["map"]["digest"] == m.digest and len(m.digest) == 64
    assert man["status"] == "findings" and man["exit_code"] == 1
    assert set(man["versions"]) == {"flowatlas", "python", "papermill", "graphviz"}
    assert "graphviz" in man["versions"]["graphviz"]
    assert set(man["notebooks"]) == set(NOTEBOOK_NAMES)
    assert all(v["status"] == "ok" and v["seconds"] > 0 for v in man["notebooks"].values())
    assert man["parameters"]["notebooks"]["explore"]["interactive"] is False
    assert man["findings"]["high"] > 0 and list(man["findings"]) == list(reversed(SEVERITIES))
    assert man["previous_run"] is None and man["diff"]["new"] == sum(man["findings"].values())


def test_absoloop_findings_files_agree(absoloop_run):
    run = absoloop_run["run_dir"]
    data = json.loads((run / "findings.json").read_text())
    with open(run / "findings.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == [f["id"] for f in data["findings"]]
    assert tuple(rows[0]) == TABLE_COLUMNS  # one layout with `flowatlas audit --format csv` and the frames
    undeclared = {fid for r in rows if r["undeclared"] == "True" for fid in r["flows"].split(", ")}
    assert undeclared == set(undeclared_transfers(audit(Analysis(load_map(ABSOLOOP)))))
    assert {f["rule"] for f in data["findings"]} >= {"cross-border-basis", "onward-transfer"}
    assert all(f["src"].count(":") >= 2 for f in data["findings"] if f["flows"])
    onward = next(f for f in data["findings"] if f["rule"] == "onward-transfer")
    assert len(onward["path"]) >= 3


def test_absoloop_report_reconciles_the_evidence_the_map_names(absoloop_run):
    """The map lists its evidence in map.evidence: the report holds the map against it, and what
    the evidence shows is among the run's one set of findings (findings.json, run.json's counts)."""
    run = absoloop_run["run_dir"]
    data = json.loads((run / "findings.json").read_text("utf-8"))
    evidence = [f for f in data["findings"] if f["rule"].startswith("evidence-")]
    assert {f["rule"] for f in evidence} >= {"evidence-unmapped-recipient", "evidence-region-mismatch"}
    assert all(e.startswith("dataflows/absoloop/evidence/") for f in evidence for e in f["evidence"][:1])
    assert sum(data["counts"].values()) == len(data["findings"])
    manifest = json.loads((run / "run.json").read_text("utf-8"))
    assert manifest["findings"] == data["counts"]
    assert not (run / "evidence.json").exists()
    html = (run / "report.html").read_text("utf-8")
    assert "What the evidence shows" in html and "Mixpanel" in html
    assert "fixture-secret-never-shown" not in html
    # and what the evidence holds that was read and not used, each with its file:line and why
    unused = [o for o in read_evidence(evidence_paths(load_map(ABSOLOOP))) if o.kind == "unused"]
    assert unused and f"Read but not used: {len(unused)} element" in html
    for o in unused:
        assert f"{o.at.file.rsplit('/', 1)[-1]}:{o.at.line}:{o.at.col}" in html and o.note in html


def test_absoloop_inventory_has_record_of_processing_fields(absoloop_run):
    run = absoloop_run["run_dir"]
    with open(run / "inventory.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for col in (
        "controller",
        "purpose",
        "subject_categories",
        "information_type",
        "recipients",
        "third_country_transfers",
        "transfer_bases",
        "retention",
        "security_measures",
        "source_systems",
    ):
        assert col in rows[0], col
    assert all(r["controller"].startswith("Absoloop") for r in rows)
    assert any("\u2192US" in r["third_country_transfers"] for r in rows)
    wb = openpyxl.load_workbook(run / "inventory.xlsx", read_only=True)
    ws = wb.active
    assert ws.max_row == len(rows) + 1
    assert [c.value for c in next(ws.iter_rows(max_row=1))] == list(rows[0])


def test_absoloop_report_html_is_code_free_and_offline(absoloop_run):
    html = (absoloop_run["run_dir"] / "report.html").read_text()
    assert "check_parameters" not in html and "import flowatlas" not in html  # no code cells
    from flowatlas.report import rich

    data = re.findall(rf'<script type="{re.escape(rich.PACKED_TYPE)}" class="fa-records">([^<]*)</script>', html)
    assert len(data) == 1 and re.fullmatch(r"[A-Za-z0-9+/=]+", data[0])  # the long tooltips whole: data, base64
    scripts = re.findall(r"<script\b(?![^>]*application/x-flowatlas)[^>]*>(.*?)</script>", html, re.S)
    assert scripts == [rich.script()]  # flowatlas's own script, once, and no other
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)  # nothing fetched
    assert f'content="{rich.csp()}"' in html  # only that script may run: by its hash
    assert html.count('<div class="fa-zoom"><svg') >= 2  # overview + findings diagrams, real SVG
    assert "Data inventory" in html and "cross-border-basis" in html


def test_the_report_notebook_leaves_its_large_outputs_to_report_html(absoloop_run, tmp_path):
    """report.html is made from report.ipynb, then the notebook's large outputs (tables, diagrams)
    are left to the page: each is one line naming it; finalizing the run again keeps the page."""
    run = absoloop_run["run_dir"]
    nb = nbformat.read(run / "report.ipynb", as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    sizes = [sum(len(str(v)) for v in o.get("data", {}).values()) for o in outputs]
    notes = [o["data"]["text/plain"] for o in outputs if "see report.html" in str(o.get("data", {}))]
    assert notes and max(sizes) <= SLIM_BYTES  # some were large: none is now
    assert nb.metadata["flowatlas"] == {"outputs_in": "report.html"}
    html = (run / "report.html").read_text("utf-8")
    assert html.count('<div class="fa-zoom"><svg') >= 2 and "see report.html" not in html  # the page kept them
    copy = tmp_path / run.name
    shutil.copytree(run, copy)
    finalize_run(ABSOLOOP, copy)
    assert (copy / "report.html").read_text("utf-8") == html  # not made again from the slim notebook


def test_papermill_ran_static_notebooks(absoloop_run):
    nb = nbformat.read(absoloop_run["run_dir"] / "explore.ipynb", as_version=4)
    mimes = {k for c in nb.cells for o in c.get("outputs", []) for k in o.get("data", {})}
    assert "application/vnd.jupyter.widget-view+json" not in mimes
    assert nb.metadata.papermill.parameters["interactive"] is False
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


# --------------------------------------------------------------------------- tiny map: diff, latest, failure


def test_tiny_first_run_parameters(tiny_series):
    r1, first = tiny_series["r1"], Path(tiny_series["first"])
    assert r1["code"] == 1, r1["stderr"]  # the tiny map has a high cross-border finding
    man = json.loads((first / "run.json").read_text())
    assert man["parameters"]["given"] == {"top_n": "5", "min_severity": "low", "lineage_types": "all"}
    assert man["parameters"]["notebooks"]["report"]["top_n"] == 5  # -p wins over -f, typed as int
    assert man["parameters"]["notebooks"]["audit"]["min_severity"] == "low"
    assert "top_n" not in man["parameters"]["notebooks"]["audit"]
    assert man["jobs"] == 4
    assert (first / "diagrams" / "lineage-name.svg").is_file()  # lineage_types=all


def test_tiny_diff_new_resolved_changed(tiny_series):
    second = Path(tiny_series["second"])
    # the changed map has a high finding (default --fail-on high)
    assert tiny_series["r2"]["code"] == 1, tiny_series["r2"]["stderr"]
    assert "at or above high (--fail-on high), so exit 1" in tiny_series["r2"]["stderr"]
    assert tiny_series["first"] != tiny_series["second"]
    diff = json.loads((second / "diff.json").read_text())
    assert diff["previous_run"] == tiny_series["first"]
    whole = {f["id"]: f for f in json.loads((second / "findings.json").read_text())["findings"]}
    assert [set(f) for f in diff["new"]] == [set(NEW_FIELDS)] * len(diff["new"])  # whole in findings.json:
    new = [whole[f["id"]] for f in diff["new"]]
    assert any(f["rule"] == "undeclared-purpose" and f["flows"] == ["t-4"] for f in new)
    assert any(f["rule"] == "undeclared-purpose" and f["flows"] == ["t-3"] for f in diff["resolved"])
    changed = [c for c in diff["changed"] if c["rule"] == "cross-border-basis"]
    assert changed and "message" in changed[0]["fields"] and "Mail relay" in changed[0]["after"]["message"]
    man = json.loads((second / "run.json").read_text())
    assert man["previous_run"] == Path(tiny_series["first"]).name
    assert man["diff"] == diff["counts"]
    html = (second / "report.html").read_text()
    assert "resolved" in html and "Mail relay" in html  # the diff is in the report too


def test_failing_notebook_keeps_latest_and_names_cell(tiny_series):
    r3 = tiny_series["r3"]
    assert tiny_series["r2"]["code"] == 1, tiny_series["r2"]["stderr"]  # else r2 left a third run folder too
    assert r3["code"] == 3
    err = r3["stderr"]
    assert "notebook audit.ipynb failed" in err and "RuntimeError: planted failure" in err
    assert "cell [" in err and 'raise RuntimeError("planted failure")' in err
    assert tiny_series["latest_after"] == tiny_series["second"]  # latest unchanged
    (third,) = map(Path, tiny_series["third"])
    man = json.loads((third / "run.json").read_text())
    assert man["status"] == "failed" and man["notebooks"]["audit"]["status"] == "failed"
    assert man["notebooks"]["report"]["status"] == "ok"
    nb = nbformat.read(third / "audit.ipynb", as_version=4)  # kept for debugging, with the error
    assert any(o.get("ename") == "RuntimeError" for c in nb.cells for o in c.get("outputs", []))
    assert not (third / "report.html").exists()


# --------------------------------------------------------------------------- invalid input: exit 2, nothing written


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["-p", "nosuch", "1"], "unknown parameter 'nosuch'"),
        (["-p", "top_n", "many"], "top_n must be int"),
        (["-p", "lineage_type", "emial"], "did you mean 'email'"),
        (["-p", "min_severity", "severe"], "min_severity must be one of"),
        (["-p", "out_dir", "/tmp"], "set by the runner"),
        (["-f", "/nonexistent/params.yaml"], "no such file"),
        (["--jobs", "0"], "--jobs must be at least 1"),
    ],
)
def test_invalid_parameters_exit_2(tmp_path, capsys, args, expect):
    code = main(["report", str(ABSOLOOP), "--out", str(tmp_path), *args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert expect in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())  # no run folder for a run that never started


def test_invalid_map_exit_2(tmp_path):
    """As a subprocess: what a cron job sees."""
    bad = write_map(tmp_path / "bad", {**TINY, "flows.yaml": TINY["flows.yaml"].replace("to: orders", "to: ordrs")})
    p = cli("report", str(bad), "--out", str(tmp_path / "out"))
    assert p.returncode == 2 and "is not a valid map" in p.stderr and "flows.yaml:" in p.stderr
    assert "did you mean 'orders'" in p.stderr and "Traceback" not in p.stderr
    p = cli("report", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert p.returncode == 2 and "no such" in p.stderr
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- units


def test_plan_parameters_routes_and_types():
    declared = {
        "a": {"top_n": {"type": "int"}, "x": {"type": "str"}},
        "b": {"x": {"type": "str"}, "flag": {"type": "bool"}},
    }
    plan = plan_parameters(declared, {"top_n": "7", "x": "v", "flag": "no"})
    assert plan == {"a": {"top_n": 7, "x": "v"}, "b": {"x": "v", "flag": False}}
    with pytest.raises(ParameterError, match="did you mean 'top_n'"):
        plan_parameters(declared, {"top_m": 1})
    assert _convert("r", "0.5", "float") == 0.5
    with pytest.raises(ParameterError):
        _convert("flag", "maybe", "bool")


def test_params_file_must_be_a_mapping(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("- a\n- b\n")
    with pytest.raises(ParameterError, match="expected a mapping"):
        read_params_file(f)
    f.write_text("top_n: [\n")
    with pytest.raises(ParameterError, match="not valid YAML"):
        read_params_file(f)


def test_latest_falls_back_to_a_pointer_file(tmp_path, monkeypatch):
    a, b = tmp_path / "20260101T000000Z", tmp_path / "20260102T000000Z"
    a.mkdir(), b.mkdir()
    point_latest(tmp_path, a)
    assert (tmp_path / "latest").is_symlink() and latest_run(tmp_path) == a

    def no_symlinks(*_a, **_k):
        raise OSError("symlinks not supported")

    monkeypatch.setattr(os, "symlink", no_symlinks)
    point_latest(tmp_path, b)
    assert not (tmp_path / "latest").is_symlink()
    assert (tmp_path / "latest").read_text().strip() == b.name and latest_run(tmp_path) == b


def test_diff_findings_by_id():
    prev = [{"id": "a", "severity": "low", "message": "m"}, {"id": "b", "severity": "high"}]
    cur = [{"id": "a", "severity": "medium", "message": "m"}, {"id": "c", "severity": "info"}]
    d = diff_findings(prev, cur)
    assert [x["id"] for x in d["new"]] == ["c"] and [x["id"] for x in d["resolved"]] == ["b"]
    assert d["changed"] == [
        {
            "id": "a",
            "rule": None,
            "severity": "medium",  # as it is now
            "fields": ["severity"],
            "before": {"severity": "low"},
            "after": {"severity": "medium"},
        }
    ]
    assert diff_findings(None, cur)["previous"] is False
    assert diff_findings(cur, cur)["counts"] == {"new": 0, "resolved": 0, "changed": 0, "unchanged": 2}


def test_map_dir_resolves_from_notebooks_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(NOTEBOOKS)
    assert resolve_map_dir("dataflows/absoloop") == ABSOLOOP
    monkeypatch.chdir(tmp_path)  # outside the checkout: the working folder only, never the package's checkout
    with pytest.raises(ParameterError, match="no such map folder"):
        resolve_map_dir("dataflows/absoloop")
    (tmp_path / "dataflows").mkdir()
    shutil.copytree(ABSOLOOP, tmp_path / "dataflows" / "absoloop")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert resolve_map_dir("dataflows/absoloop") == tmp_path / "dataflows" / "absoloop"


def test_check_parameters_messages(tmp_path):
    tiny = write_map(tmp_path / "tiny", TINY)
    s = check_parameters(
        "explore",
        map_dir=str(tiny),
        lineage_type="email",
        breach_node="orders",
        erase_subject="account-holder",
        interactive=True,
    )
    assert s.map.info.id == "tiny" and s.interactive is (os.environ.get("JPY_SESSION_NAME") is not None)
    for kw, msg in [
        ({"breach_node": "order"}, "no node 'order'"),
        ({"erase_subject": "buyer"}, "no data-subject category 'buyer'"),
        ({"top_n": 0}, "top_n must be at least 1"),
        ({"top_n": "3"}, "top_n must be a whole number"),
        ({"formats": "svg,gif"}, "unknown format(s) gif"),
        ({"previous_run": str(tmp_path / "nope")}, "no such run folder"),
    ]:
        with pytest.raises(ParameterError) as exc:
            check_parameters("x", map_dir=str(tiny), **kw)
        assert msg in str(exc.value) and "\n" not in str(exc.value)


def test_inventory_tiny():
    from flowatlas.inventory import COLUMNS, inventory
    from flowatlas.loader import load_texts

    m = load_texts(TINY)
    df = inventory(Analysis(m))
    assert tuple(df.columns) == COLUMNS
    assert list(zip(df.purpose, df.information_type, strict=True)) == sorted(
        {(p, t) for f in m.flows.values() for p in f.purposes for t in f.types}
    )
    adv = df[(df.purpose == "advertising") & (df.information_type == "email")].iloc[0]
    assert adv.recipients == "MailCo Inc (processor, US)"
    assert adv.third_country_transfers == "SG\u2192US (no basis)" and adv.transfer_bases == "none"
    assert adv.subject_categories == "Account holder"
    pw = df[(df.purpose == "provide-service") & (df.information_type == "password")].iloc[0]
    assert pw.storage == "Order database (SG)" and pw.retention == "Order database: while_service"
    assert "encrypted at rest" in pw.security_measures and pw.recipients == ""
    assert inventory(Analysis(m)).equals(df)  # a pure function


def test_airflow_dag_is_valid_python_and_runs_the_same_notebooks():
    src = (ROOT / "scheduling" / "airflow_dag.py").read_text()
    tree = ast.parse(src)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names
    }
    assert "PapermillOperator" in names and "DAG" in names
    assert "airflow.providers.papermill.operators.papermill" in src
    for n in NOTEBOOK_NAMES:
        assert f'"{n}"' in src
    from flowatlas.report.runner import NOTEBOOKS as RUNNER_NOTEBOOKS

    assert set(RUNNER_NOTEBOOKS) == set(NOTEBOOK_NAMES)
    assert "flowatlas report" in (ROOT / "docs" / "scheduling.md").read_text()


def test_report_html_ids_do_not_change_between_runs(absoloop_run):
    """papermill gives the cell it injects a random id and pandas gives each styled table one:
    both are replaced by numbers, so two reports of the same map differ only in the run's times."""
    html = (absoloop_run["run_dir"] / "report.html").read_text(encoding="utf-8")
    cell_ids = re.findall(r'cell-id=([^"]+)"', html)
    assert cell_ids and all(re.fullmatch(r"cell-\d+", i) for i in cell_ids), cell_ids[:5]
    table_ids = set(re.findall(r'id="T_([A-Za-z0-9]+)"', html))
    assert table_ids and all(re.fullmatch(r"fa\d+", i) for i in table_ids), sorted(table_ids)[:5]


# --------------------------------------------------------------------------- the second map


def _kliniko(folder: Path) -> dict:
    return run_cli(folder, str(ROOT / "dataflows" / "kliniko"), "--out", str(folder / "out"), "--fail-on", "high")


def test_the_report_runs_on_the_second_map_and_names_only_its_own_clauses(tmp_path_factory):
    """Every notebook, and the report, run on the GDPR map (Kliniko) by parameter: its findings,
    its clauses (A.1 to G.2), nothing of Absoloop's."""
    r = shared(session_base(tmp_path_factory), "kliniko", _kliniko)
    assert r["code"] == 1, r["stderr"]  # the planted high findings
    run = latest_run(Path(r["folder"]) / "out" / "kliniko")
    assert run is not None
    man = json.loads((run / "run.json").read_text())
    assert all(v["status"] == "ok" for v in man["notebooks"].values())
    data = json.loads((run / "findings.json").read_text())
    assert [f["id"] for f in data["findings"]] == [
        f.id for f in audit(Analysis(load_map(ROOT / "dataflows" / "kliniko")))
    ]
    html = (run / "report.html").read_text(encoding="utf-8")
    assert "Kliniko" in html and "Absoloop" not in html and "§" not in html
    # the statement section: its coverage, and the sentences no declaration encodes
    assert "statement.md: 35 sentences; 23 encoded by declarations, 12 not" in html
    assert "Kliniko Health GmbH, Berlin, Germany" in html  # the introduction encodes nothing
    assert (run / "diagrams" / "overview.svg").stat().st_size > 0


def _tiny_trend(folder: Path) -> dict:
    """Three successful runs of the tiny map into one outputs root: as it is, with a new flow
    (a new finding), and once more unchanged."""
    out = folder / "out"
    m1 = write_map(folder / "tiny1", TINY)
    changed = dict(TINY)
    changed["flows.yaml"] = (
        TINY["flows.yaml"] + "  - {id: t-4, from: web, to: orders, types: [email], purposes: [analytics]}\n"
    )
    m2 = write_map(folder / "tiny2", changed)
    runs = []
    for m in (m1, m2, m2):
        r = run_cli(folder, str(m), "--out", str(out), "--fail-on", "none")
        assert r["code"] == 0, r["stderr"]
        runs.append(str(latest_run(out / "tiny")))
    return {"runs": runs}


def test_three_runs_show_the_trend_and_when_each_finding_first_appeared(tmp_path_factory):
    runs = [Path(p) for p in shared(session_base(tmp_path_factory), "tiny-trend", _tiny_trend)["runs"]]
    assert len(set(runs)) == 3
    first, second, third = runs
    history = json.loads((third / "history.json").read_text("utf-8"))
    assert [r["run"] for r in history["runs"]] == [p.name for p in runs]
    counts = [sum(r["counts"].values()) for r in history["runs"]]
    ours = json.loads((third / "findings.json").read_text("utf-8"))["findings"]
    assert counts[-1] == len(ours) and counts[1] == counts[2] and counts[1] > counts[0]  # t-4 brought findings
    new = {d["id"] for d in json.loads((second / "diff.json").read_text("utf-8"))["new"]}
    assert new and {i: r for i, r in history["first_seen"].items() if r == second.name}.keys() == new
    assert all(r == first.name for i, r in history["first_seen"].items() if i not in new)
    html = (third / "report.html").read_text("utf-8")
    assert html.count('class="fa-trend"') == 1 and html.count("<polyline") >= 1
    tag = re.search(r'<svg[^>]*class="fa-trend"[^>]*>', html).group(0)
    label = re.search(r'aria-label="([^"]*)"', tag).group(1)
    assert "over 3 runs" in label and 'role="img"' in tag
    assert "<th>first seen</th>" in html
    when = f"{second.name[:4]}-{second.name[4:6]}-{second.name[6:8]} {second.name[9:11]}:{second.name[11:13]}"
    some_new = next(iter(new))
    row = re.search(rf"<small>{re.escape(some_new)}</small>.*?</tr>", html, re.S).group(0)
    assert f"<td>{when}</td>" in row
    # the first run has no trend yet, and says so
    assert "the trend starts here" in (first / "report.html").read_text("utf-8")


def test_large_data_files_are_kept_compressed_and_read_back(tmp_path, monkeypatch):
    """Past :data:`flowatlas.files.COMPRESS_OVER` a run keeps its findings, diff, inventory and
    assessments gzip-compressed (byte for byte the same twice), the report links them, and the
    next run reads the previous run's findings and history from them."""
    monkeypatch.setattr(files, "COMPRESS_OVER", 2_000)
    a = Analysis(load_map(ABSOLOOP))
    found = audit(a)
    first, second = tmp_path / "20261201T060000Z", tmp_path / "20261208T060000Z"
    for run in (first, second):
        written = write_findings(found, run, map_id="absoloop", digest=a.map.digest)
        written += write_inventory(a, found, run) + write_assessments(a, run)
        written.append(write_diff(diff_findings(None, [f.to_dict() for f in found]), run, None))
        names = {p.name for p in written}
        assert {"findings.json.gz", "findings.csv.gz", "diff.json.gz", "inventory.csv.gz", "tia.md.gz"} <= names
        assert "inventory.xlsx" in names and not (run / "findings.json").exists()
    assert (first / "findings.json.gz").read_bytes() == (second / "findings.json.gz").read_bytes()
    back = json.loads(gzip.decompress((first / "findings.json.gz").read_bytes()))["findings"]
    assert [d["id"] for d in back] == [f.id for f in found]
    assert [d["id"] for d in read_findings_json(first)] == [f.id for f in found]
    trend = history(found, second, first)  # a run before history.json: its findings, compressed
    assert len(trend["runs"]) == 2 and set(trend["first_seen"].values()) == {first.name}
    assert write_history(found, second, first).name == "history.json.gz"  # large: compressed
    third = tmp_path / "20261215T060000Z"
    again = history(found[1:], third, second)  # read back from the compressed history
    assert len(again["runs"]) == 3 and set(again["first_seen"].values()) == {first.name}
    (second / "history.json.gz").write_bytes(b"not gzip")
    assert history(found, third, second)["runs"][-1]["run"] == third.name  # unreadable: starts again
    assert ("findings JSON, gzip", "findings.json.gz") in _run_files(first)
    (first / "findings.json.gz").write_bytes(b"not gzip")
    with pytest.raises(UsageError, match="not a gzip file"):
        read_findings_json(first)


def test_explore_tables_of_a_large_map_stay_bounded_in_a_notebook():
    """A lineage, a breach and an erase scope of a 1,000-node map: each table shows its first
    STATIC_ROWS rows and says how many there are and where the rest are."""
    m = load_texts(synth_texts(nodes=1000, flows=4000, types=60, seed=1))
    a = Analysis(m)
    s = SimpleNamespace(analysis=a, findings=audit(a), map=m)
    tid = max((t for t in m.types if m.types[t].parent), key=lambda t: len(a.carrying(t)))
    rows = len(views.lineage_frame(a, tid))
    assert rows > views.STATIC_ROWS
    html = views.lineage_view(s, tid)[1].to_html()
    assert html.count("<tr>") <= views.STATIC_ROWS + 2
    assert f"the first {views.STATIC_ROWS:,} of {rows:,} rows" in html
    assert f"fr.lineage_frame(a, &#x27;{tid}&#x27;)" in html
