"""Execute one notebook with papermill: ``python -m flowatlas.report.worker < job.json``.

The runner starts one of these per notebook, with ``--parent PID`` (the worker exits when that
process dies), before it knows the job. The job (JSON on stdin) names the input and
output notebooks, the parameters, the working folder and the kernel; the last line on stdout
is the result as JSON: ``{"status": "ok"|"failed", "seconds": ..., "cell": ..., "error": ...}``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from typing import Any

from flowatlas.report import skip_iri_grammar

#: Seconds to wait for a kernel to start (papermill's default, 60, is too short under load).
KERNEL_START_TIMEOUT = 300

#: Times a notebook is started again when its kernel, not one of its cells, failed: a kernel can
#: die at start when kernels started at once pick the same port (papermill issue #511, open).
KERNEL_RETRIES = 2


def execute(job: dict[str, Any]) -> dict[str, Any]:
    """Run the notebook; a failing cell is reported (its number, first line and error), not raised.
    A failure of the kernel itself is retried :data:`KERNEL_RETRIES` times, each attempt named on
    stderr (the notebook's log in a report run)."""
    result = _execute_once(job)
    for attempt in range(KERNEL_RETRIES):
        if result["status"] == "ok" or result.get("cell") is not None or result.get("kind") != "kernel":
            break
        sys.stderr.write(f"flowatlas worker: {result['error']}; starting the notebook again ({attempt + 2})\n")
        result = _execute_once(job)
    result.pop("kind", None)
    return result


def _execute_once(job: dict[str, Any]) -> dict[str, Any]:
    """One attempt of :func:`execute`; a kernel's failure is marked ``"kind": "kernel"``."""
    _import_papermill()
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    t0 = time.perf_counter()
    try:
        pm.execute_notebook(
            job["input"],
            job["output"],
            parameters=job["parameters"],
            kernel_name=job["kernel"],
            progress_bar=False,
            cwd=job["cwd"],
            log_output=False,
            # a loaded 2-core machine can take well over papermill's default 60 s to start a kernel
            start_timeout=KERNEL_START_TIMEOUT,
        )
        return {"status": "ok", "seconds": time.perf_counter() - t0}
    except PapermillExecutionError as exc:
        first = next((ln.strip() for ln in (exc.source or "").splitlines() if ln.strip()), "")
        evalue = str(exc.evalue or "").splitlines()
        return {
            "status": "failed",
            "seconds": time.perf_counter() - t0,
            "cell": exc.exec_count,
            "error": f"cell [{exc.exec_count}] `{first[:80]}`: {exc.ename}: {evalue[0] if evalue else ''}",
        }
    except Exception as exc:  # kernel died, unreadable notebook, ...: report it, never hang
        from jupyter_client.kernelspec import NoSuchKernel

        text = str(exc).splitlines()
        unreadable = isinstance(exc, (OSError, ValueError, NoSuchKernel)) and not isinstance(exc, TimeoutError)
        return {
            "kind": "input" if unreadable else "kernel",
            "status": "failed",
            "seconds": time.perf_counter() - t0,
            "cell": None,
            "error": f"{type(exc).__name__}: {text[0] if text else ''}",
        }


def _import_papermill() -> None:
    skip_iri_grammar()
    import papermill  # noqa: F401


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the runner dies (``PR_SET_PDEATHSIG``), so a runner
    killed with SIGKILL leaves no worker behind; the kernel follows its worker (ipykernel polls
    its parent, ``JPY_PARENT_PID``). Elsewhere, or if the runner is already gone, exit."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if parent and os.getppid() != parent:  # the runner died before the request took effect
        raise SystemExit(1)


def main() -> int:
    # a runner may start this process before it knows the job (a warm worker): the parent comes
    # on the command line, then papermill is imported while the runner is still busy
    die_with_parent(int(sys.argv[sys.argv.index("--parent") + 1]) if "--parent" in sys.argv else 0)
    _import_papermill()
    text = sys.stdin.read()
    if not text.strip():  # a warm worker the runner did not need: it closed the pipe
        return 0
    job = json.loads(text)
    # The kernel inherits this process's stdin; left on the job pipe/file it can block a kernel
    # (seen with ipywidgets under a Jupyter session). Kernels get /dev/null instead.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    result = execute(job)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
