"""The notebooks: thin, parameterised, committed clean, and run by papermill with a real kernel.

The full suite on the Absoloop map runs in test_report.py (one shared report run); here each
notebook runs on a small map given by parameters, the way Airflow's PapermillOperator runs it,
and the documented plain-papermill commands are checked as a user types them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from reportkit import NOTEBOOKS, TINY, execute, write_map

from flowatlas.report.runner import NOTEBOOKS as SUITE
from flowatlas.report.runner import finalize_run
from flowatlas.report.runs import latest_run

from conftest import ROOT

NAMES = ("explore", "audit", "diagrams", "report")
PAPERMILL = [sys.executable, "-m", "papermill"]


def _nb(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def _outputs_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            parts.append(o.get("text", "") if isinstance(o.get("text"), str) else "".join(o.get("text", [])))
            for v in o.get("data", {}).values():
                parts.append(v if isinstance(v, str) else json.dumps(v))
    return "\n".join(parts)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_clean_and_thin(name):
    nb = _nb(name)
    nbformat.validate(nb)
    assert set(SUITE) == set(NAMES)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "commit notebooks without outputs"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for c in code:
        if c is tagged[0]:
            continue
        src = c.source
        assert not re.search(r"^\s*(def|class|for|while|if|with|try)\b", src, re.M), f"logic in a cell: {src!r}"
        imports = re.findall(r"^\s*(?:import|from)\s+(\S+)", src, re.M)
        assert all(i.startswith("flowatlas") for i in imports), imports
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("name", NAMES)
def test_parameters_are_typed_commented_and_default_to_absoloop(name):
    params = pm.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
    assert params["map_dir"]["default"] == '"dataflows/absoloop"'
    for pname, p in params.items():
        assert p["inferred_type_name"] not in (None, "None"), f"{pname} needs a type hint"
        assert p["help"], f"{pname} needs a trailing comment"


def test_help_notebook_documents_every_parameter():
    p = subprocess.run(
        [*PAPERMILL, "--help-notebook", str(NOTEBOOKS / "report.ipynb")], capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0, p.stderr
    for line in (
        "map_dir: str",
        "previous_run: str",
        "top_n: int (default 5)",
        "how many findings the first screen lists",
    ):
        assert line in p.stdout


@pytest.mark.slow
def test_plain_papermill_documented_command(tmp_path):
    """`papermill notebooks/audit.ipynb out.ipynb -p map_dir MAP`, run from anywhere."""
    tiny = write_map(tmp_path / "tiny", TINY)
    out = tmp_path / "audit-out.ipynb"
    p = subprocess.run(
        [
            *PAPERMILL,
            str(NOTEBOOKS / "audit.ipynb"),
            str(out),
            "-p",
            "map_dir",
            str(tiny),
            "-p",
            "min_severity",
            "medium",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    text = _outputs_text(nbformat.read(out, as_version=4))
    assert "cross-border-basis" in text and "undeclared-purpose" in text
    assert "t-3" in text and "#ffb3b3" in text  # colour-coded disclosure matrix / severities


@pytest.mark.slow
def test_plain_papermill_wrong_parameter_is_one_clear_line(tmp_path):
    out = tmp_path / "out.ipynb"
    p = subprocess.run(
        [*PAPERMILL, str(NOTEBOOKS / "audit.ipynb"), str(out), "-p", "map_dir", "no/such/map"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode != 0
    assert "ParameterError: map_dir 'no/such/map': no such map folder" in p.stderr
    assert "params.py" not in p.stderr  # no traceback into flowatlas: the one line is the message
    nb = nbformat.read(out, as_version=4)
    err = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert len(err) == 1 and len(err[0]["traceback"]) == 1


def _papermill(tmp_path, *params: str) -> tuple[subprocess.CompletedProcess, str]:
    p = subprocess.run(
        [*PAPERMILL, str(NOTEBOOKS / "audit.ipynb"), str(tmp_path / "out.ipynb"), *params],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    lines = [ln for ln in p.stderr.splitlines() if ln.startswith("flowatlas: ")]
    return p, lines[0] if lines else ""


@pytest.mark.slow
def test_plain_papermill_refuses_a_misspelt_parameter(tmp_path):
    """papermill only warns about a name the notebook does not declare, then runs on the defaults;
    the notebook's check cell stops it, and the one line reaches the terminal before papermill's
    traceback."""
    tiny = write_map(tmp_path / "tiny", TINY)
    p, line = _papermill(tmp_path, "-p", "map_dir", str(tiny), "-p", "min_severty", "low")
    assert p.returncode != 0
    assert line == (
        "flowatlas: audit.ipynb: ParameterError: unknown parameter 'min_severty'; did you mean 'min_severity'? "
        "(audit.ipynb declares map_dir, min_severity, interactive)"
    ), p.stderr[-2000:]
    assert p.stderr.index(line) < p.stderr.index("Traceback")
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert not any(o.get("output_type") == "display_data" for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_plain_papermill_wrong_value_comes_first(tmp_path):
    tiny = write_map(tmp_path / "tiny", TINY)
    p, line = _papermill(tmp_path, "-p", "map_dir", str(tiny), "-p", "min_severity", "bogus")
    assert p.returncode != 0
    assert line.endswith("ParameterError: min_severity must be one of info, low, medium, high, got 'bogus'"), p.stderr
    assert p.stderr.index(line) < p.stderr.index("Traceback")


def test_injected_names_reads_papermills_cell(monkeypatch):
    """The check reads the cell papermill injects (its source as papermill writes it)."""
    import IPython
    from papermill.translators import translate_parameters

    from flowatlas.report.params import check_parameters, injected_names

    source = translate_parameters("python3", "python", {"map_dri": "x", "min_severity": "low"}, "Parameters")

    class Shell:
        def __init__(self, cells: list[str]) -> None:
            self.user_ns = {"In": cells}

    shell = Shell(["", 'map_dir: str = "dataflows/absoloop"', source, "s = fr.check_parameters(...)"])
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert injected_names() == ["map_dri", "min_severity"]
    with pytest.raises(Exception, match="unknown parameter 'map_dri'; did you mean 'map_dir'"):
        check_parameters("audit", map_dir="dataflows/absoloop", min_severity="info")
    shell.user_ns["In"] = ["", "x = 1"]  # JupyterLab: nothing injected, nothing refused
    assert injected_names() == []


@pytest.mark.slow
def test_default_parameters_run_from_the_notebooks_folder(tmp_path):
    """As JupyterLab runs it: no parameters, working directory notebooks/."""
    out = tmp_path / "explore.ipynb"
    assert execute(NOTEBOOKS / "explore.ipynb", out, cwd=NOTEBOOKS)["status"] == "ok"
    text = _outputs_text(nbformat.read(out, as_version=4))
    assert "Absoloop Pte. Ltd." in text and re.search(r"Where [\w.-]+ ends up", text)


def test_pickers_become_widgets_in_jupyterlab(tmp_path, monkeypatch):
    """With a Jupyter Server session (JPY_SESSION_NAME) the explore pickers are ipywidgets whose
    choice re-runs the view; without one (papermill), static output only.

    In-process: a kernel run under nbclient with a faked Jupyter session hung intermittently
    (the client waiting on a widget message no frontend answers), so the widget path is checked
    here and the static path by the papermill tests above."""
    import ipywidgets as w

    import flowatlas.report as fr
    from flowatlas.report import views

    tiny = write_map(tmp_path / "tiny", TINY)
    shown: list = []
    monkeypatch.setattr("IPython.display.display", lambda obj, *a, **k: shown.append(obj))
    asked: list[str] = []

    def show(session, value):
        asked.append(value)
        return f"view of {value}"

    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    s = fr.check_parameters("explore", map_dir=str(tiny), interactive=True)
    assert s.interactive is False  # no frontend attached: static output
    views.picker(s, "node", sorted(s.map.nodes), "orders", show)
    assert shown == ["view of orders"] and asked == ["orders"]

    shown.clear()
    asked.clear()
    monkeypatch.setenv("JPY_SESSION_NAME", str(NOTEBOOKS / "explore.ipynb"))
    s = fr.check_parameters("explore", map_dir=str(tiny), interactive=True)
    assert s.interactive is True
    views.picker(s, "node", sorted(s.map.nodes), "orders", show)
    # the view goes into the widget's Output area (captured by a kernel; here it reaches display)
    assert isinstance(shown[-1], w.VBox) and shown[:-1] == ["view of orders"]
    dd = shown[-1].children[0]
    assert isinstance(dd, w.Dropdown) and dd.value == "orders" and list(dd.options) == sorted(s.map.nodes)
    other = next(n for n in sorted(s.map.nodes) if n != "orders")
    dd.value = other
    assert asked == ["orders", other]


@pytest.mark.slow
def test_every_notebook_on_a_small_map_then_finalize(tmp_path):
    """Each notebook through papermill on a small map given by parameters, into a run folder the
    way the Airflow DAG does it, then finalize_run writes the report and moves latest."""
    tiny = write_map(tmp_path / "tiny", TINY)
    run = tmp_path / "outputs" / "tiny" / "20260105T060000Z"
    (run / "diagrams").mkdir(parents=True)
    params = {
        "explore": {
            "lineage_type": "email",
            "breach_node": "orders",
            "erase_subject": "account-holder",
            "interactive": False,
        },
        "audit": {"min_severity": "low"},
        "diagrams": {"out_dir": str(run / "diagrams"), "formats": "svg,dot", "lineage_types": "password"},
        "report": {"previous_run": "none", "top_n": 1},
    }
    for name in NAMES:
        r = execute(
            NOTEBOOKS / f"{name}.ipynb", run / f"{name}.ipynb", {"map_dir": str(tiny), **params[name]}, cwd=tmp_path
        )
        assert r["status"] == "ok", (name, r)
    explore = _outputs_text(nbformat.read(run / "explore.ipynb", as_version=4))
    assert "Where email ends up" in explore and "A breach of orders exposes" in explore
    assert "Erase requests of Account holder (account-holder): the stores they must reach" in explore
    assert "Order database" in explore
    assert sorted(p.name for p in (run / "diagrams").iterdir()) == sorted(
        [
            f"{stem}.{ext}"
            for stem in ("overview", "findings", "summary-organisation", "summary-jurisdiction", "lineage-password")
            for ext in ("svg", "dot")
        ]
        + ["views.json"]  # the index the other notebooks show the written views from
    )
    report = nbformat.read(run / "report.ipynb", as_version=4)
    text = _outputs_text(report)
    assert "No earlier successful run" in text
    assert 'class="fa-zoom"><svg' in text and "<title>" in text  # diagrams as real SVG, tooltips kept
    result = finalize_run(tiny, run, fail_on="medium")
    assert result.exit_code == 1 and result.status == "findings"
    assert (run / "report.html").is_file() and latest_run(run.parent) == run
    man = json.loads((run / "run.json").read_text())
    assert man["parameters"]["notebooks"]["report"]["top_n"] == 1
    assert all(v["status"] == "ok" for v in man["notebooks"].values())


def test_the_nbstripout_filter_run_sh_installs_strips_outputs_on_commit(tmp_path):
    """What `./run.sh setup` installs (`nbstripout --install`) keeps outputs out of git: a
    notebook saved with outputs is committed without them."""
    assert '"$VENV/bin/nbstripout" --install' in (ROOT / "run.sh").read_text("utf-8")
    exe = Path(sys.executable).parent / "nbstripout"
    if not exe.exists():
        pytest.skip("nbstripout is not installed (pip install -e '.[test]')")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    git = lambda *a: subprocess.run(["git", *a], cwd=tmp_path, check=True, capture_output=True, env=env)  # noqa: E731
    git("init", "-q")
    subprocess.run([str(exe), "--install"], cwd=tmp_path, check=True, env=env)
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1 + 1")
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    cell.execution_count = 1
    nb.cells = [cell]
    nbformat.write(nb, str(tmp_path / "n.ipynb"))
    git("add", "n.ipynb")
    git("commit", "-q", "-m", "n")
    committed = nbformat.reads(git("show", "HEAD:n.ipynb").stdout.decode(), as_version=4)
    assert committed.cells[0].outputs == [] and committed.cells[0].execution_count is None
