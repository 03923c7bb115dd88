"""The notebook worker (``python -m flowatlas.report.worker``): a kernel that dies as it starts
is started again; a failing cell is reported, never retried. Real kernels, real papermill."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat

#: A kernel that exits at its first start(s) and runs ipykernel afterwards: what a kernel that lost
#: a port race looks like to papermill (it dies before replying to kernel_info).
FLAKY_KERNEL = """
import pathlib, runpy, sys
tries = pathlib.Path(sys.argv[1])
n = int(tries.read_text()) if tries.exists() else 0
tries.write_text(str(n + 1))
if n < int(sys.argv[2]):
    sys.exit(1)
sys.argv = ["ipykernel_launcher", *sys.argv[3:]]
runpy.run_module("ipykernel_launcher", run_name="__main__")
"""


def _kernel(tmp: Path, deaths: int) -> dict[str, str]:
    """A kernelspec ``flaky`` dying ``deaths`` times; the environment that finds it."""
    spec = tmp / "jupyter" / "kernels" / "flaky"
    spec.mkdir(parents=True)
    (tmp / "flaky.py").write_text(FLAKY_KERNEL, encoding="utf-8")
    argv = [sys.executable, str(tmp / "flaky.py"), str(tmp / "tries"), str(deaths), "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "flaky", "language": "python"}))
    return {**os.environ, "JUPYTER_PATH": str(tmp / "jupyter")}


def _run(tmp: Path, env: dict[str, str], source: str) -> tuple[dict, str]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "flaky", "display_name": "flaky", "language": "python"}
    nbformat.write(nb, tmp / "in.ipynb")
    job = {"input": str(tmp / "in.ipynb"), "output": str(tmp / "out.ipynb"), "parameters": {}, "cwd": str(tmp)}
    job["kernel"] = "flaky"
    p = subprocess.run(
        [sys.executable, "-m", "flowatlas.report.worker"],
        input=json.dumps(job),
        text=True,
        capture_output=True,
        timeout=300,
        env=env,
    )
    return json.loads(p.stdout.strip().splitlines()[-1]), p.stderr


def test_a_kernel_that_dies_at_start_is_started_again(tmp_path):
    result, err = _run(tmp_path, _kernel(tmp_path, deaths=1), "print(6 * 7)")
    assert result["status"] == "ok", (result, err)
    assert "starting the notebook again (2)" in err
    assert (tmp_path / "tries").read_text() == "2"
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert out.cells[0].outputs[0]["text"] == "42\n"


def test_a_kernel_that_keeps_dying_fails_after_the_retries(tmp_path):
    from flowatlas.report.worker import KERNEL_RETRIES

    result, err = _run(tmp_path, _kernel(tmp_path, deaths=99), "print(1)")
    assert err.count("starting the notebook again") == KERNEL_RETRIES
    assert result["status"] == "failed" and result["cell"] is None and "kind" not in result
    assert "died" in result["error"].lower(), result
    assert (tmp_path / "tries").read_text() == str(1 + KERNEL_RETRIES)


def test_a_failing_cell_is_not_retried(tmp_path):
    result, err = _run(tmp_path, _kernel(tmp_path, deaths=0), 'raise RuntimeError("planted")')
    assert result["status"] == "failed" and result["cell"] == 1
    assert "RuntimeError: planted" in result["error"]
    assert (tmp_path / "tries").read_text() == "1" and "again" not in err
