"""Run flowatlas commands in one process, as the CLI does, and report what each did (JSON).

``python tests/hostile/drive.py < commands.json``: a list of argument lists (after
``flowatlas``). For each: the exit code, stdout, stderr, seconds, and whether an exception
escaped ``flowatlas.cli.main`` (it must never). The process's address space is capped, so a
case that needs unbounded memory fails instead of swapping.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import sys
import time
import traceback

LIMIT_BYTES = 3 * 1024**3


def run(argv: list[str]) -> dict:
    from flowatlas.cli import main

    out, err = io.StringIO(), io.StringIO()
    escaped = ""
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except BaseException:  # what the CLI let through: the corpus must never see one
            escaped = traceback.format_exc()
            code = -1
    return {
        "argv": argv,
        "exit": code,
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
        "seconds": round(time.perf_counter() - t0, 3),
        "escaped": escaped,
    }


def drop_privileges(uid: int) -> None:
    """Run on as ``uid`` (for folders root could read anyway): everything the commands import
    is imported first, since the interpreter's own files may not be readable by that user."""
    import os

    from cases import BASE  # this folder is on sys.path: the script runs from it

    import flowatlas.assess
    import flowatlas.cli
    import flowatlas.render
    from flowatlas.analysis import Analysis
    from flowatlas.loader import load_texts

    flowatlas.assess.assess(Analysis(load_texts(BASE)))
    del flowatlas
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def main() -> int:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))
    if len(sys.argv) > 2 and sys.argv[1] == "--as-uid":
        drop_privileges(int(sys.argv[2]))
    results = [run(argv) for argv in json.loads(sys.stdin.read())]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    sys.stdout.write(json.dumps({"results": results, "peak_bytes": peak}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
