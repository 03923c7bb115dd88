"""``flowatlas report MAP [--out DIR] [-p NAME VALUE]... [-f params.yaml] [--fail-on SEVERITY] [--jobs N]``.

Exit codes: 0 ok, 1 findings at or above ``--fail-on`` (``none``: never), 2 invalid input or
parameters, 3 a notebook failed (the message names the notebook and the cell).

The path of ``report.html`` is the one line on stdout; the last line on stderr, printed after it,
is the summary: where the report is, the findings at each severity and what the exit code says.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from flowatlas.extras import require
from flowatlas.findings import DEFAULT_FAIL_ON, FAIL_ON_CHOICES

if TYPE_CHECKING:
    from flowatlas.report.runner import RunResult


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("map", help="map folder (e.g. dataflows/absoloop)")
    p.add_argument(
        "--out",
        metavar="DIR",
        help="outputs root (default: outputs/ of the checkout holding the working folder, else ./outputs); "
        "the run goes to DIR/<map>/<UTC timestamp>/",
    )
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="notebook parameter, passed to every notebook that declares it (repeatable)",
    )
    p.add_argument("-f", "--parameters-file", metavar="FILE", help="YAML mapping of parameters (-p wins)")
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default=DEFAULT_FAIL_ON,
        help=f"exit 1 when a finding reaches this severity: the alert of a schedule (default {DEFAULT_FAIL_ON}, "
        "as for flowatlas audit; none: exit 0 whatever the findings)",
    )
    p.add_argument("--jobs", type=int, default=2, metavar="N", help="notebooks run at once (default 2)")
    p.add_argument(
        "--notebooks",
        metavar="DIR",
        help="folder with the four notebooks to run (default: the map's own notebooks/ folder if it has one, "
        "else the notebooks installed with flowatlas; `flowatlas notebooks --copy DIR` makes an editable copy)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.add_argument(
        "--clean",
        action="store_true",
        help="remove this map's run folders that never finished (killed or failed before their notebooks), then exit",
    )


def main(args: argparse.Namespace) -> int:
    if args.clean:
        return _clean(args)
    require("report", "flowatlas report")
    from flowatlas.report.runner import main_progress, run_report

    result = run_report(
        args.map,
        out=args.out,
        params=dict(args.parameter),
        params_file=args.parameters_file,
        fail_on=args.fail_on,
        jobs=args.jobs,
        notebooks=args.notebooks,
        progress=None if args.quiet else main_progress,
    )
    if result.exit_code == 3:
        print(f"flowatlas: error: {result.message} (executed notebook kept in {result.run_dir})", file=sys.stderr)
    elif result.run_dir is not None:
        report = result.run_dir / "report.html"
        print(report, flush=True)
        print(summary_line(result, report), file=sys.stderr)
    return result.exit_code


def summary_line(result: RunResult, report: Path) -> str:
    """The run in one line: where the report is, the findings by severity, what the exit code says.

    >>> from flowatlas.report.runner import RunResult
    >>> r = RunResult(1, "findings", Path("/x"), "5 findings (2 high, 3 low); 2 at or above high (--fail-on high)")
    >>> summary_line(r, Path("/nowhere/report.html"))  # doctest: +NORMALIZE_WHITESPACE
    'flowatlas report: /nowhere/report.html: 5 findings (2 high, 3 low); 2 at or above high (--fail-on high),
     so exit 1: the alert a schedule reads (--fail-on none: exit 0)'
    """
    try:
        shown = report.relative_to(Path.cwd())
    except ValueError:
        shown = report
    line = f"flowatlas report: {shown}: {result.message}"
    if result.exit_code == 1:
        return line + ", so exit 1: the alert a schedule reads (--fail-on none: exit 0)"
    if result.manifest.get("fail_on") == "none":
        alert = DEFAULT_FAIL_ON
        return line + f"; exit 0 (a schedule passes --fail-on {alert} to get exit 1 when a finding is {alert})"
    return line + ", so exit 0"


def _clean(args: argparse.Namespace) -> int:
    from pathlib import Path

    from flowatlas.report.params import load_checked, outputs_root
    from flowatlas.report.runs import clean_incomplete

    _, m = load_checked(args.map)
    map_out = (Path(args.out).resolve() if args.out else outputs_root()) / m.info.id
    removed = clean_incomplete(map_out) if map_out.is_dir() else []
    for run in removed:
        print(f"removed incomplete run {run}")
    print(f"flowatlas report --clean: {len(removed)} incomplete run(s) removed from {map_out}", file=sys.stderr)
    return 0


def add_notebooks_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--copy", metavar="DIR", help="copy the four notebooks into DIR (created if missing) to edit them")
    p.add_argument("--force", action="store_true", help="with --copy: overwrite notebooks already in DIR")


def notebooks_main(args: argparse.Namespace) -> int:
    """``flowatlas notebooks``: where the installed notebooks are; ``--copy DIR`` copies them."""
    from flowatlas.report.notebooks import copy_notebooks, packaged_dir

    if not args.copy:
        print(packaged_dir())
        return 0
    for path in copy_notebooks(args.copy, overwrite=args.force):
        print(path)
    print(f"flowatlas: run them with `flowatlas report MAP --notebooks {args.copy}`", file=sys.stderr)
    return 0
