"""Airflow DAG: the flowatlas report on a schedule, the notebooks run by PapermillOperator.

The same notebooks with the same parameters as ``flowatlas report`` (flowatlas.report.runner):
the four notebooks run in parallel into one dated run folder ``outputs/<map id>/<UTC stamp>/``,
then ``finalize`` (flowatlas.report.runner.finalize_run) writes the findings, inventory, diff,
``report.html`` and ``run.json``, and moves ``latest``, exactly as the runner does. It fails
the DAG run when a finding reaches FAIL_ON, so Airflow's alerting tells someone. A failed
notebook task stops the run before ``finalize``: ``latest`` stays where it was and the failed
notebook is in the run folder.

Install on the workers: ``pip install apache-airflow-providers-papermill`` and flowatlas
(``pip install -e <checkout>``). Set FLOWATLAS_HOME to the checkout (default: this file's
repository). Change MAP, MAP_ID, FAIL_ON and PARAMETERS below; docs/scheduling.md explains them.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow import DAG
from airflow.exceptions import AirflowFailException
from airflow.operators.python import PythonOperator
from airflow.providers.papermill.operators.papermill import PapermillOperator

HOME = Path(os.environ.get("FLOWATLAS_HOME", Path(__file__).resolve().parents[1]))
MAP = HOME / "dataflows" / "absoloop"  # the map folder
MAP_ID = "absoloop"  # its map id: the run goes to outputs/<map id>/
FAIL_ON = "high"  # fail (and alert) when a finding reaches this severity; None never fails
#: Per-notebook parameters, as `flowatlas report -p NAME VALUE` would pass them.
PARAMETERS: dict[str, dict[str, object]] = {
    "explore": {"interactive": False},
    "audit": {"min_severity": "info"},
    "diagrams": {"formats": "dot,svg,png", "lineage_types": "sensitive"},
    "report": {"top_n": 10},
}
NOTEBOOKS = ("diagrams", "report", "explore", "audit")  # flowatlas.report.runner.NOTEBOOKS
RUN_DIR = f"{HOME}/outputs/{MAP_ID}/{{{{ ts_nodash }}}}Z"


def prepare(run_dir: str) -> None:
    from flowatlas.report.params import check_parameters

    for name in NOTEBOOKS:  # the check each notebook runs first, once, before any task starts
        check_parameters(name, map_dir=str(MAP), **PARAMETERS[name])
    Path(run_dir, "diagrams").mkdir(parents=True, exist_ok=True)


def finalize(run_dir: str) -> None:
    from flowatlas.report.runner import finalize_run

    result = finalize_run(MAP, run_dir, fail_on=FAIL_ON, progress=print)
    if result.exit_code != 0:
        raise AirflowFailException(f"flowatlas report: {result.status}: {result.message} ({run_dir})")


with DAG(
    dag_id="flowatlas_report",
    description="flowatlas: audit the data-flow map and write the dated report",
    schedule="0 6 * * 1",  # Mondays 06:00 UTC, like the cron line in docs/scheduling.md
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 0, "execution_timeout": timedelta(minutes=30)},
    tags=["flowatlas", "privacy"],
) as dag:
    start = PythonOperator(task_id="prepare", python_callable=prepare, op_kwargs={"run_dir": RUN_DIR})
    notebooks = []
    for name in NOTEBOOKS:
        params: dict[str, object] = {"map_dir": str(MAP), **PARAMETERS[name]}
        if name == "diagrams":
            params["out_dir"] = f"{RUN_DIR}/diagrams"
        if name == "report":
            params["previous_run"] = ""  # outputs/<map id>/latest, as the runner passes it
        notebooks.append(
            PapermillOperator(
                task_id=f"notebook_{name}",
                input_nb=f"{HOME}/notebooks/{name}.ipynb",
                output_nb=f"{RUN_DIR}/{name}.ipynb",
                parameters=params,
                kernel_name="python3",  # every path above is absolute: the worker's folder does not matter
            )
        )
    done = PythonOperator(task_id="finalize", python_callable=finalize, op_kwargs={"run_dir": RUN_DIR})
    start >> notebooks >> done
