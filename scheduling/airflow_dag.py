"""Airflow DAG: the flowatlas report on a schedule, each notebook run by a PapermillOperator.

Works under Airflow 2 (2.10+) and Airflow 3 (imports below; docs/scheduling.md lists the
versions tried). The same notebooks with the same parameters as ``flowatlas report``
(flowatlas.report.runner), into the same run folder ``<outputs>/<map id>/<UTC stamp>/``:

* ``prepare`` checks every notebook's parameters (the check the runner and the notebooks run),
  creates the run folder with the runner's own naming and its ``logs/`` and ``diagrams/``, and
  hands the run folder and the previous run to the other tasks (XCom);
* one task per notebook runs it with papermill; its log goes to the task log and to
  ``logs/<notebook>.log`` in the run folder, as the runner writes it;
* ``finalize`` (flowatlas.report.runner.finalize_run) writes the findings, inventory, diff,
  ``report.html`` and ``run.json``, and moves ``latest`` only when every notebook succeeded.
  It runs after a failed notebook too, so ``run.json`` says what failed, then fails the DAG run;
  it also fails the run when a finding reaches FAIL_ON, so Airflow's alerting tells someone.

Install on the workers: flowatlas (``pip install flowatlas``, which carries the notebooks) and
``apache-airflow-providers-papermill``. Point FLOWATLAS_MAP at the map folder and
FLOWATLAS_OUTPUTS at the outputs root (both default under FLOWATLAS_HOME, ``/srv/flowatlas``);
FLOWATLAS_NOTEBOOKS, when set, names a folder of edited notebooks (``flowatlas notebooks
--copy``). Change MAP_ID, FAIL_ON and PARAMETERS below; docs/scheduling.md explains them.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.providers.papermill.operators.papermill import PapermillOperator

try:  # Airflow 3: the task SDK and the standard provider
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.sdk import DAG
    from airflow.sdk.exceptions import AirflowFailException
except ImportError:  # Airflow 2
    from airflow import DAG  # type: ignore[no-redef]
    from airflow.exceptions import AirflowFailException  # type: ignore[no-redef]
    from airflow.operators.python import PythonOperator  # type: ignore[no-redef]

from flowatlas.report.notebooks import NOTEBOOKS, find_notebooks
from flowatlas.report.params import NO_PREVIOUS
from flowatlas.report.runner import declared_parameters, runner_parameters

HOME = Path(os.environ.get("FLOWATLAS_HOME", "/srv/flowatlas"))
MAP = Path(os.environ.get("FLOWATLAS_MAP", HOME / "dataflows" / "absoloop"))  # the map folder
OUTPUTS = Path(os.environ.get("FLOWATLAS_OUTPUTS", HOME / "outputs"))  # runs go to OUTPUTS/<map id>/
NOTEBOOKS_DIR = find_notebooks(os.environ.get("FLOWATLAS_NOTEBOOKS") or None, MAP)  # as `flowatlas report` picks
MAP_ID = "absoloop"  # the map's id (checked by prepare): the run goes to OUTPUTS/<map id>/
FAIL_ON: str | None = "high"  # fail (and alert) when a finding reaches this severity; None never fails
#: Per-notebook parameters, as `flowatlas report -p NAME VALUE` would pass them.
PARAMETERS: dict[str, dict[str, object]] = {
    "explore": {},
    "audit": {"min_severity": "info"},
    "diagrams": {"formats": "dot,svg,png", "lineage_types": "sensitive"},
    "report": {"top_n": 10},
}
#: What prepare hands on: {"run_dir": ..., "previous_run": ...} (Jinja, rendered per task).
RUN = "ti.xcom_pull(task_ids='prepare')"
RUN_DIR = "{{ " + RUN + "['run_dir'] }}"
PREVIOUS_RUN = "{{ " + RUN + "['previous_run'] }}"
#: What each notebook's parameters cell declares (read once per DAG parse, ~1 s with papermill).
DECLARED = declared_parameters(NOTEBOOKS_DIR)


def prepare() -> dict[str, str]:
    """Check the parameters and the map, create the run folder; return it and the previous run."""
    from flowatlas.report.params import check_parameters, load_checked
    from flowatlas.report.runs import latest_run, mark_incomplete, new_run_dir, utc_stamp

    _, m = load_checked(str(MAP))
    if m.info.id != MAP_ID:
        raise AirflowFailException(f"MAP_ID is {MAP_ID!r} but the map at {MAP} has id {m.info.id!r}: set MAP_ID")
    for name in NOTEBOOKS:  # the check each notebook runs first, once, before any task starts
        check_parameters(name, map_dir=str(MAP), **PARAMETERS[name])
    map_out = OUTPUTS / MAP_ID
    previous = latest_run(map_out)
    run_dir = new_run_dir(map_out, utc_stamp())
    mark_incomplete(run_dir, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), pid=0)  # finalize replaces it
    for sub in ("logs", "diagrams"):
        (run_dir / sub).mkdir()
    return {"run_dir": str(run_dir), "previous_run": str(previous) if previous else NO_PREVIOUS}


class NotebookOperator(PapermillOperator):
    """A PapermillOperator that also writes the notebook's log to ``<run>/logs/<name>.log``."""

    def execute(self, context: Any) -> Any:
        out = Path(str(self.output_nb))
        handler = logging.FileHandler(out.parent / "logs" / f"{out.stem}.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        papermill_log = logging.getLogger("papermill")
        papermill_log.addHandler(handler)
        try:
            return super().execute(context)
        finally:
            papermill_log.removeHandler(handler)
            handler.close()


def finalize(ti: Any) -> None:
    """Write the report and run.json; move ``latest`` when every notebook succeeded."""
    from flowatlas.report.runner import finalize_run

    run = ti.xcom_pull(task_ids="prepare")
    if not run:
        raise AirflowFailException("prepare did not finish: no run folder to finalize")
    result = finalize_run(MAP, run["run_dir"], fail_on=FAIL_ON, progress=print)
    if result.exit_code != 0:
        raise AirflowFailException(f"flowatlas report: {result.status}: {result.message} ({run['run_dir']})")


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
    start = PythonOperator(task_id="prepare", python_callable=prepare)
    notebooks = [
        NotebookOperator(
            task_id=f"notebook_{name}",
            input_nb=str(NOTEBOOKS_DIR / f"{name}.ipynb"),
            output_nb=f"{RUN_DIR}/{name}.ipynb",
            parameters={
                **runner_parameters(
                    name, DECLARED[name], map_dir=str(MAP), run_dir=RUN_DIR, previous_run=PREVIOUS_RUN
                ),
                **PARAMETERS[name],
            },
            kernel_name="python3",  # every path is absolute: the worker's folder does not matter
            log_output=True,
        )
        for name in NOTEBOOKS
    ]
    done = PythonOperator(task_id="finalize", python_callable=finalize, trigger_rule="all_done")
    start >> notebooks >> done
