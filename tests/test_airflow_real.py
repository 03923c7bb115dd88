"""The Airflow DAG run for real by Airflow (opt-in: Airflow is not a flowatlas dependency).

Set FLOWATLAS_AIRFLOW_PYTHON to a Python that has ``apache-airflow``,
``apache-airflow-providers-papermill`` and flowatlas installed (docs/scheduling.md, "Checking
the DAG"); the test then runs ``airflow dags test`` on a copy of the checkout's notebooks and
the Absoloop map: every task must succeed, the dated run folder must hold the report, and
``latest`` must point at it. Without that variable the test is skipped, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PY = os.environ.get("FLOWATLAS_AIRFLOW_PYTHON", "")

pytestmark = pytest.mark.skipif(
    not PY, reason="set FLOWATLAS_AIRFLOW_PYTHON to a Python with Airflow to run the DAG for real"
)


def test_dag_runs_every_notebook_and_writes_the_report(tmp_path):
    home = tmp_path / "home"
    shutil.copytree(ROOT / "notebooks", home / "notebooks")
    shutil.copytree(ROOT / "dataflows" / "absoloop", home / "dataflows" / "absoloop")
    dags = tmp_path / "dags"
    dags.mkdir()
    src = (ROOT / "scheduling" / "airflow_dag.py").read_text()
    assert '\nFAIL_ON = "high"' in src
    (dags / "airflow_dag.py").write_text(src.replace('\nFAIL_ON = "high"', "\nFAIL_ON = None"))
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "FLOWATLAS_HOME": str(home),
    }
    run = [PY, "-m", "airflow"]
    subprocess.run([*run, "db", "migrate"], env=env, check=True, capture_output=True, timeout=300)
    done = subprocess.run(
        [*run, "dags", "test", "flowatlas_report", "2026-11-29"],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert log.count("Marking task as SUCCESS") == 6, log[-3000:]  # prepare, 4 notebooks, finalize
    latest = home / "outputs" / "absoloop" / "latest"
    assert latest.is_symlink() and (latest / "report.html").stat().st_size > 0
    manifest = json.loads((latest / "run.json").read_text())
    assert manifest["status"] == "ok"
    for name in ("explore", "audit", "diagrams", "report"):
        assert (latest / f"{name}.ipynb").exists()
