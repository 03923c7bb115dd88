"""The report runner: execute the notebooks with papermill into a dated run folder.

``run_report`` is what ``flowatlas report`` calls. One run:

1. checks every parameter against the notebooks' ``parameters`` cells and the map (exit 2);
2. audits the map and writes ``findings.csv``/``findings.json``, the data inventory and the diff
   against the previous successful run (``outputs/<map>/latest``);
3. executes the notebooks through papermill with a real kernel, ``jobs`` at a time (they do not
   depend on each other), printing one progress line per notebook;
4. converts the executed report notebook to a code-free ``report.html``;
5. writes ``run.json`` and, only if every notebook succeeded, moves ``latest`` to this run.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flowatlas import __version__
from flowatlas.analysis import Analysis
from flowatlas.assess import assess
from flowatlas.errors import UsageError
from flowatlas.evidence.reconcile import RECONCILE_RULES
from flowatlas.findings import FAIL_ON_CHOICES, NO_POLICY, Finding, at_or_above
from flowatlas.inert import excerpt
from flowatlas.report import skip_iri_grammar
from flowatlas.report.data import (
    diff_findings,
    findings_records,
    read_findings_json,
    severity_counts,
    write_assessments,
    write_diff,
    write_findings,
    write_history,
    write_inventory,
)
from flowatlas.report.htmlexport import slim, slimmed, write_html
from flowatlas.report.notebooks import NOTEBOOKS, find_notebooks
from flowatlas.report.params import NO_PREVIOUS, ParameterError, check_parameters, load_checked, outputs_root
from flowatlas.report.runs import latest_run, mark_incomplete, new_run_dir, point_latest, utc_stamp
from flowatlas.suggest import did_you_mean
from flowatlas.words import counted

EXIT_OK, EXIT_FINDINGS, EXIT_INVALID, EXIT_NOTEBOOK = 0, 1, 2, 3
KERNEL = "python3"
#: Seconds one notebook may run before the runner gives up on it.
NOTEBOOK_TIMEOUT = 1800
#: Parameters the runner sets itself (per run); users may not override them.
RUNNER_PARAMS: frozenset[str] = frozenset({"map_dir", "out_dir", "interactive"})


@dataclass
class NotebookResult:
    name: str
    status: str  # ok | failed
    seconds: float
    output: str
    error: str = ""
    cell: int | None = None


@dataclass
class RunResult:
    """What a run did; ``exit_code`` is what the CLI returns."""

    exit_code: int
    status: str  # ok | findings | failed
    run_dir: Path | None
    message: str = ""
    manifest: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- parameters


def declared_parameters(nb_dir: Path, names: tuple[str, ...] = NOTEBOOKS) -> dict[str, dict[str, dict]]:
    """``{notebook: {parameter: {"type": ..., "default": ..., "help": ...}}}`` from each
    notebook's ``parameters`` cell (via ``papermill.inspect_notebook``)."""
    import papermill as pm

    out = {}
    for n in names:
        path = nb_dir / f"{n}.ipynb"
        if not path.is_file():
            raise ParameterError(f"notebook {path} is missing")
        info = pm.inspect_notebook(str(path))
        out[n] = {
            k: {"type": v.get("inferred_type_name"), "default": v.get("default"), "help": v.get("help")}
            for k, v in info.items()
        }
    return out


def _convert(name: str, value: Any, type_name: str | None) -> Any:
    """A parameter given as text (``-p``) converted to the type its parameters cell declares."""
    if not isinstance(value, str):
        if type_name == "float" and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value
    t = (type_name or "str").replace(" ", "")
    try:
        if t == "int":
            return int(value)
        if t == "float":
            return float(value)
        if t == "bool":
            low = value.strip().lower()
            if low in ("true", "yes", "1"):
                return True
            if low in ("false", "no", "0"):
                return False
            raise ValueError(value)
    except ValueError:
        raise ParameterError(f"parameter {name} must be {t}, got {value!r}") from None
    return value


#: What a notebook parameter's name looks like (a Python identifier).
PARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def read_params_file(path: str | Path) -> dict[str, Any]:
    """Parameters from a YAML (or JSON) mapping file, as for ``papermill -f``.

    Raises :class:`ParameterError` naming the file (and the line, for a YAML error), without
    quoting the file's content: ``-f`` may point at any file.
    """
    import yaml

    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"parameters file '{path}': no such file")
    try:
        text = p.read_text("utf-8")
    except UnicodeDecodeError as exc:
        line = p.read_bytes()[: exc.start].count(b"\n") + 1
        raise ParameterError(f"parameters file '{path}', line {line}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise ParameterError(f"parameters file '{path}': cannot read it ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or "syntax error"
        raise ParameterError(f"parameters file '{path}'{where}: not valid YAML ({problem})") from None
    except yaml.YAMLError:
        raise ParameterError(f"parameters file '{path}': not valid YAML") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ParameterError(f"parameters file '{path}': expected a mapping of parameter names to values")
    odd = next((k for k in data if not PARAMETER_NAME.fullmatch(k)), None)
    if odd is not None:  # not a parameters file at all: name the line, quote none of it
        line = text[: max(text.find(odd), 0)].count("\n") + 1
        raise ParameterError(
            f"parameters file '{path}', line {line}: not a parameter name (expected 'name: value' lines "
            "such as 'top_n: 20')"
        )
    return data


def plan_parameters(declared: Mapping[str, Mapping[str, dict]], given: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Split user parameters over the notebooks that declare them, converted to their types.

    A name no notebook declares, or one the runner sets itself, is a :class:`ParameterError`.
    """
    known = sorted({k for params in declared.values() for k in params} - RUNNER_PARAMS)
    plan: dict[str, dict[str, Any]] = {n: {} for n in declared}
    for name, value in given.items():
        if name in RUNNER_PARAMS:
            raise ParameterError(f"parameter {name} is set by the runner (use the MAP argument and --out)")
        if name not in known:
            hint = did_you_mean(name, known)
            raise ParameterError(
                f"unknown parameter {excerpt(name)}" + (f"; {hint}" if hint else f" (known: {', '.join(known)})")
            )
        for nb, params in declared.items():
            if name in params:
                plan[nb][name] = _convert(name, value, params[name]["type"])
    return plan


def runner_parameters(
    notebook: str, declared: Mapping[str, Any], *, map_dir: str, run_dir: str, previous_run: str
) -> dict[str, Any]:
    """The parameters the runner sets itself (:data:`RUNNER_PARAMS` and ``previous_run``) for
    ``notebook``, limited to the names its ``parameters`` cell ``declared``.

    The Airflow DAG passes the same, so a scheduled run and ``flowatlas report`` agree.

    >>> runner_parameters("diagrams", {"map_dir": {}, "out_dir": {}}, map_dir="m", run_dir="r", previous_run="none")
    {'map_dir': 'm', 'out_dir': 'r/diagrams'}
    >>> runner_parameters("report", {"map_dir": {}, "previous_run": {}}, map_dir="m", run_dir="r", previous_run="p")
    {'map_dir': 'm', 'previous_run': 'p'}
    """
    own: dict[str, Any] = {"map_dir": map_dir}
    if "out_dir" in declared:
        own["out_dir"] = f"{run_dir}/diagrams" if notebook == "diagrams" else run_dir
    if "previous_run" in declared:
        own["previous_run"] = previous_run
    if "interactive" in declared:
        own["interactive"] = False
    return own


# --------------------------------------------------------------------------- execution


class Workers:
    """Notebook workers (``python -m flowatlas.report.worker``), started ahead of their jobs.

    A worker imports papermill before it reads its job, so the runner starts ``warm`` of them
    first and loads and audits the map meanwhile; each job taken starts its successor while
    notebooks remain (``spare``). Use as a context manager: workers left unused exit on leaving.
    """

    def __init__(self, warm: int, spare: int = 0) -> None:
        import threading

        self._lock = threading.Lock()
        self._idle = [self._start() for _ in range(warm)]
        self._spare = spare

    @staticmethod
    def _start() -> tuple[subprocess.Popen, Any]:
        import tempfile

        err = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _execute or __exit__; the run folder is not made yet)
        cmd = [sys.executable, "-m", "flowatlas.report.worker", "--parent", str(os.getpid())]
        return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err), err

    def take(self) -> tuple[subprocess.Popen, Any]:
        """A started worker (a new one when none is waiting)."""
        with self._lock:
            worker = self._idle.pop(0) if self._idle else self._start()
            if self._spare > 0:
                self._spare -= 1
                self._idle.append(self._start())
            return worker

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        for p, err in self._idle:
            p.communicate(b"")  # an empty job: the worker exits at once
            err.close()
        self._idle = []


def _execute(
    nb_in: str, nb_out: str, params: dict[str, Any], cwd: str, log: str, workers: Workers | None = None
) -> dict[str, Any]:
    """Run one notebook in a ``python -m flowatlas.report.worker`` process (from ``workers``,
    else a new one); never raises.

    A process per notebook keeps papermill's working-directory switch and the kernel's own
    stderr (connection warnings, shutdown notices, which go to ``log``) away from the runner and
    from the other notebooks running at the same time."""
    t0 = time.perf_counter()
    job = json.dumps({"input": nb_in, "output": nb_out, "parameters": params, "cwd": cwd, "kernel": KERNEL})
    p, err = (workers or Workers(0)).take()
    try:
        try:
            out, _ = p.communicate(job.encode(), timeout=NOTEBOOK_TIMEOUT)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            err.seek(0)
            with open(log, "ab") as fh:
                fh.write(err.read())
            err.close()
        lines = out.decode("utf-8", "replace").strip().splitlines()
        result = json.loads(lines[-1]) if lines else {}
        if "status" not in result:
            raise ValueError(f"the worker exited with code {p.returncode} (see {log})")
        return result
    except subprocess.TimeoutExpired:
        return {
            "status": "failed",
            "seconds": time.perf_counter() - t0,
            "cell": None,
            "error": f"timed out after {NOTEBOOK_TIMEOUT}s",
        }
    except (OSError, ValueError) as exc:
        return {"status": "failed", "seconds": time.perf_counter() - t0, "cell": None, "error": str(exc)}


def versions() -> dict[str, str]:
    """Versions recorded in ``run.json``."""
    import papermill

    try:
        dot = subprocess.run(["dot", "-V"], capture_output=True, text=True, timeout=20)
        dot_v = (dot.stderr or dot.stdout).strip()
    except (OSError, subprocess.SubprocessError):
        dot_v = "not found"
    return {
        "flowatlas": __version__,
        "python": platform.python_version(),
        "papermill": papermill.__version__,
        "graphviz": dot_v,
    }


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_report(
    map_dir: str | Path,
    *,
    out: str | Path | None = None,
    params: Mapping[str, Any] | None = None,
    params_file: str | Path | None = None,
    fail_on: str | None = None,
    jobs: int = 2,
    notebooks: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Run the full report for the map at ``map_dir``; see the module docstring.

    ``out`` is the outputs root (default: ``outputs/`` of the checkout holding the working
    folder, else ``outputs/`` in the working folder); the run lands in
    ``out/<map id>/<UTC timestamp>/``. ``params`` (``-p``) override ``params_file`` (``-f``).
    ``notebooks`` is the folder holding the notebooks (default: the map's own ``notebooks/``
    folder if it has one, else the notebooks installed with flowatlas; see
    :mod:`flowatlas.report.notebooks`). The notebooks run in the working folder.
    """
    t_start = time.perf_counter()
    fail_on = _fail_on(fail_on)
    if jobs < 1:
        raise ParameterError(f"--jobs must be at least 1, got {jobs}")
    warm = min(jobs, len(NOTEBOOKS))
    # workers import papermill while this process loads and audits the map: Absoloop report
    # 9.9 -> 8.3 s (median of 5 runs)
    with Workers(warm, spare=len(NOTEBOOKS) - warm) as workers:
        return _run_report(map_dir, out, params, params_file, fail_on, jobs, notebooks, progress, workers, t_start)


def _run_report(
    map_dir: str | Path,
    out: str | Path | None,
    params: Mapping[str, Any] | None,
    params_file: str | Path | None,
    fail_on: str | None,
    jobs: int,
    notebooks: str | Path | None,
    progress: Callable[[str], None] | None,
    workers: Workers,
    t_start: float,
) -> RunResult:
    """:func:`run_report` with its workers started."""
    say = progress or (lambda _msg: None)
    started = _now()
    skip_iri_grammar()  # 1.5-2 s of this process's papermill and nbconvert imports (see the function)
    given: dict[str, Any] = {}
    if params_file:
        given.update(read_params_file(params_file))
    given.update(params or {})

    map_path, m = load_checked(str(map_dir))
    try:
        nb_dir = find_notebooks(notebooks, map_path)
    except UsageError as exc:
        raise ParameterError(str(exc)) from None
    declared = declared_parameters(nb_dir)
    plan = plan_parameters(declared, given)

    map_out = (Path(out).resolve() if out else outputs_root()) / m.info.id
    if "previous_run" in given:
        chosen = str(given["previous_run"])
        previous = None if chosen in ("", NO_PREVIOUS) else Path(chosen).resolve()
        if previous is not None and not previous.is_dir():
            raise ParameterError(f"previous_run '{chosen}': no such run folder")
    else:
        previous = latest_run(map_out)

    def fill(run_dir: Path) -> None:
        for nb, p in plan.items():
            p.update(
                runner_parameters(
                    nb,
                    declared[nb],
                    map_dir=str(map_path),
                    run_dir=str(run_dir),
                    previous_run=str(previous) if previous else NO_PREVIOUS,
                )
            )

    fill(map_out / "<run>")
    for nb, p in plan.items():  # the check each notebook runs first, here, before anything starts
        check_parameters(nb, **{k: v for k, v in p.items() if k not in ("out_dir", "previous_run")})
    previous_findings = read_findings_json(previous)  # a broken previous run is refused before anything is written
    t_audit = time.perf_counter()
    a = Analysis(m)  # the one analysis of this process: every data file reads it
    findings = assess(a)  # evidence that cannot be read is refused here, before the run folder exists
    audit_seconds = time.perf_counter() - t_audit
    run_dir = new_run_dir(map_out, utc_stamp())
    mark_incomplete(run_dir, started)
    fill(run_dir)

    say(f"flowatlas report: map {m.info.id} ({map_path}) -> {run_dir}")
    diff, audit_seconds = _write_data(a, findings, run_dir, previous, previous_findings, audit_seconds, say)

    results: dict[str, NotebookResult] = {}
    logs = run_dir / "logs"
    logs.mkdir()
    total = len(plan)
    with cf.ThreadPoolExecutor(max_workers=min(jobs, total)) as pool:
        futs = {
            pool.submit(
                _execute,
                str(nb_dir / f"{nb}.ipynb"),
                str(run_dir / f"{nb}.ipynb"),
                plan[nb],
                os.getcwd(),
                str(logs / f"{nb}.log"),
                workers,
            ): nb
            for nb in plan
        }
        say(f"  running {total} notebooks, {min(jobs, total)} at a time")
        for fut in cf.as_completed(futs):
            nb = futs[fut]
            r = fut.result()
            results[nb] = NotebookResult(
                nb, r["status"], round(r["seconds"], 2), f"{nb}.ipynb", r.get("error", ""), r.get("cell")
            )
            say(
                f"  [{len(results)}/{total}] {nb}.ipynb {r['status']} ({r['seconds']:.1f}s)"
                + (f": {r['error']}" if r.get("error") else "")
            )

    results = {n: results[n] for n in plan}  # listed in the suite's order, not finishing order
    return _finish(
        m,
        map_path,
        run_dir,
        previous,
        findings,
        diff,
        audit_seconds,
        results,
        {"given": given, "notebooks": plan, "notebooks_dir": str(nb_dir)},
        fail_on,
        jobs,
        started,
        t_start,
        say,
    )


def _write_data(
    a: Analysis,
    findings: list[Finding],
    run_dir: Path,
    previous: Path | None,
    previous_findings: list[dict] | None,
    audit_seconds: float,
    say: Callable[[str], None],
) -> tuple[dict, float]:
    """Write the findings of the map ``a`` analyses, its inventory and the diff against
    ``previous``; returns the diff and the seconds spent on the analysis, the findings and the
    files."""
    t0 = time.perf_counter()
    write_findings(findings, run_dir, map_id=a.map.info.id, digest=a.map.digest)
    write_inventory(a, findings, run_dir)
    write_assessments(a, run_dir)
    diff = diff_findings(previous_findings, findings_records(findings))
    write_diff(diff, run_dir, str(previous) if previous else None)
    write_history(findings, run_dir, previous)
    seconds = audit_seconds + time.perf_counter() - t0
    evidence = sum(1 for f in findings if f.rule in RECONCILE_RULES)
    held = f" ({evidence} where the evidence disagrees with the map)" if a.map.info.evidence else ""
    say(f"  audit: {len(findings)} findings{held}, data files written ({seconds:.1f}s)")
    return diff, seconds


def _finish(
    m,
    map_path: Path,
    run_dir: Path,
    previous: Path | None,
    findings,
    diff: dict,
    audit_seconds: float,
    results: dict[str, NotebookResult],
    parameters: dict,
    fail_on: str | None,
    jobs: int | None,
    started: str,
    t_start: float,
    say: Callable[[str], None],
) -> RunResult:
    """After the notebooks: report.html, run.json, exit code, and ``latest`` if all succeeded."""
    names = list(results)
    failed = [results[n] for n in names if results[n].status != "ok"]
    if not failed and not (slimmed(run_dir / "report.ipynb") and (run_dir / "report.html").is_file()):
        write_html(run_dir / "report.ipynb", run_dir / "report.html", title=f"flowatlas report: {m.info.name}")
        slim(run_dir / "report.ipynb", "report.html")  # its large outputs are the page's: kept once
    blocking = at_or_above(findings, fail_on)
    counts = severity_counts(findings)
    found = f"{counted(len(findings), 'finding')} ({', '.join(f'{n:,} {s}' for s, n in counts.items())})"
    if failed:
        status, code = "failed", EXIT_NOTEBOOK
        message = "; ".join(f"notebook {r.name}.ipynb failed in {r.error}" for r in failed)
    elif blocking:
        status, code = "findings", EXIT_FINDINGS
        message = f"{found}; {len(blocking):,} at or above {fail_on} (--fail-on {fail_on})"
    else:
        status, code = "ok", EXIT_OK
        message = found + (f"; none at or above {fail_on} (--fail-on {fail_on})" if fail_on else "")
    if not m.policies:
        message += f"; {NO_POLICY}"

    manifest = {
        "map": {
            "id": m.info.id,
            "name": m.info.name,
            "path": str(map_path),
            "digest": m.digest,
            "files": list(m.files),
        },
        "run": run_dir.name,
        "status": status,
        "exit_code": code,
        "message": message,
        "started": started,
        "finished": _now(),
        "seconds": round(time.perf_counter() - t_start, 2),
        "fail_on": fail_on or "none",
        "jobs": jobs,
        "parameters": parameters,
        "versions": versions(),
        "timing": {"audit_and_data_files": round(audit_seconds, 2)} | {n: results[n].seconds for n in names},
        "notebooks": {
            n: {
                "status": results[n].status,
                "seconds": results[n].seconds,
                "output": results[n].output,
                "error": results[n].error,
            }
            for n in names
        },
        "findings": counts,
        "previous_run": previous.name if previous else None,
        "diff": diff["counts"],
    }
    (run_dir / "run.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not failed:
        point_latest(run_dir.parent, run_dir)
    say(f"flowatlas report: {status} in {manifest['seconds']:.1f}s")
    return RunResult(code, status, run_dir, message, manifest)


def _fail_on(fail_on: str | None) -> str | None:
    """``--fail-on`` checked; ``none`` (never fail on findings) is None."""
    if fail_on is not None and fail_on not in FAIL_ON_CHOICES:
        raise ParameterError(f"--fail-on must be one of {', '.join(FAIL_ON_CHOICES)}, got {fail_on!r}")
    return None if fail_on == "none" else fail_on


def finalize_run(
    map_dir: str | Path,
    run_dir: str | Path,
    *,
    fail_on: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Finish a run whose notebooks another scheduler executed into ``run_dir`` (Airflow's
    PapermillOperator): data files, diff against ``latest``, ``report.html``, ``run.json``, and
    ``latest`` moved when every notebook succeeded. Same outputs and exit codes as
    :func:`run_report`.
    """
    import nbformat

    say = progress or (lambda _msg: None)
    t_start, started = time.perf_counter(), _now()
    skip_iri_grammar()
    fail_on = _fail_on(fail_on)
    run = Path(run_dir).resolve()
    map_path, m = load_checked(str(map_dir))
    previous = latest_run(run.parent)
    if previous == run:
        previous = None
    previous_findings = read_findings_json(previous)
    t_audit = time.perf_counter()
    a = Analysis(m)
    findings = assess(a)
    diff, audit_seconds = _write_data(a, findings, run, previous, previous_findings, time.perf_counter() - t_audit, say)
    results: dict[str, NotebookResult] = {}
    plan: dict[str, Any] = {}
    for name in NOTEBOOKS:
        path = run / f"{name}.ipynb"
        if not path.is_file():
            results[name] = NotebookResult(name, "failed", 0.0, path.name, "not executed")
            continue
        meta = nbformat.read(str(path), as_version=4).metadata.get("papermill", {})
        plan[name] = dict(meta.get("parameters") or {})
        failed = bool(meta.get("exception"))
        results[name] = NotebookResult(
            name,
            "failed" if failed else "ok",
            round(float(meta.get("duration") or 0), 2),
            path.name,
            "raised an exception (see the executed notebook)" if failed else "",
        )
    return _finish(
        m,
        map_path,
        run,
        previous,
        findings,
        diff,
        audit_seconds,
        results,
        {"given": {}, "notebooks": plan},
        fail_on,
        None,
        started,
        t_start,
        say,
    )


def main_progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
