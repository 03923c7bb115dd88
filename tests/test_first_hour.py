"""The first hour: the README's main command succeeds when it did its job, one install serves
every command, ``--fail-on none``, and the extras pyproject.toml declares are the ones flowatlas
names when one is missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from reportkit import ABSOLOOP, ROOT

from flowatlas.extras import EXTRAS

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
STAMP = Path(sys.prefix) / ".flowatlas-installed"


def _flowatlas(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flowatlas", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_run_sh_report_exits_0_and_ends_with_the_summary(tmp_path):
    """``./run.sh report`` on the shipped map: exit 0 although it has high findings, nothing
    installed (the environment the tests run in is the one every command shares), and the last
    line says where the report is, the findings by severity and how a schedule gets exit 1."""
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() or not STAMP.is_file():
        pytest.skip("run.sh's own environment (.venv, installed by ./run.sh) is not the one running the tests")
    env = {k: v for k, v in os.environ.items() if k not in ("FLOWATLAS_LATEST", "VENV")}
    run = subprocess.run(
        ["bash", str(ROOT / "run.sh"), "report", "--out", str(tmp_path), "-q"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert "installing" not in run.stderr  # one stamp: the test environment satisfies `report`
    latest = tmp_path / "absoloop" / "latest"
    counts = json.loads((latest / "findings.json").read_text("utf-8"))["counts"]
    assert counts["high"] > 0  # the case the issue is about: high findings, and still exit 0
    last = run.stderr.strip().splitlines()[-1]
    by_severity = ", ".join(f"{counts[s]} {s}" for s in ("high", "medium", "low", "info"))
    assert last == (
        f"flowatlas report: {latest.resolve() / 'report.html'}: "  # run.sh works in the checkout; --out is outside
        f"{sum(counts.values())} findings ({by_severity}); exit 0 (a schedule passes --fail-on high to get exit 1 "
        "when a finding is high)"
    )
    assert run.stderr.count(f"{sum(counts.values())} findings") == 1
    assert json.loads((latest / "run.json").read_text("utf-8"))["fail_on"] == "none"

    # a schedule's own --fail-on is passed through, with flowatlas report's exit code
    alert = subprocess.run(
        ["bash", str(ROOT / "run.sh"), "report", str(ABSOLOOP), "--fail-on", "high", "--out", str(tmp_path), "-q"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert alert.returncode == 1, alert.stderr[-3000:]
    last = alert.stderr.strip().splitlines()[-1]
    assert last.endswith("so exit 1: the alert a schedule reads (--fail-on none: exit 0)"), last


def test_fail_on_none_never_fails_audit_or_diff():
    assert _flowatlas("audit", str(ABSOLOOP), "--format", "json").returncode == 1
    assert _flowatlas("audit", str(ABSOLOOP), "--format", "json", "--fail-on", "none").returncode == 0
    kliniko = ROOT / "dataflows" / "kliniko"
    assert _flowatlas("diff", str(kliniko), str(ABSOLOOP), "--format", "json").returncode == 1
    assert _flowatlas("diff", str(kliniko), str(ABSOLOOP), "--format", "json", "--fail-on", "none").returncode == 0
    bad = _flowatlas("audit", str(ABSOLOOP), "--fail-on", "never")
    assert bad.returncode == 2 and "'none'" in bad.stderr  # argparse lists the choices


def test_extras_agree_with_pyproject():
    """Every extra flowatlas names in a message is declared, and brings the modules it promises."""
    declared = PYPROJECT["project"]["optional-dependencies"]
    names = {"fideslang": "fideslang"}  # module -> distribution, where they differ: none yet

    def dists(extra: str) -> set[str]:
        out: set[str] = set()
        for r in map(Requirement, declared[extra]):
            out |= {d for e in r.extras for d in dists(e)} if r.name == "flowatlas" else {r.name}
        return out

    for extra, (_, modules) in EXTRAS.items():
        assert extra in declared, f"extra {extra!r} is not in pyproject.toml"
        assert {names.get(m, m) for m in modules} <= dists(extra), extra
    core = {Requirement(r).name for r in PYPROJECT["project"]["dependencies"]}
    assert not core & {"papermill", "nbconvert", "jupyterlab", "ipykernel", "ipywidgets", "openpyxl", "fideslang"}
    assert dists("all") >= set().union(*(dists(e) for e in EXTRAS))


@pytest.mark.slow
@pytest.mark.parametrize("doc", ["README.md", "docs/scheduling.md"])
def test_the_documented_cron_line_alerts_only_when_it_should(doc, tmp_path):
    """cron mails what a job prints: the documented line prints nothing on a run without an alert
    and one line naming the exit code on a run with one (its log keeps the rest)."""
    import re

    text = (ROOT / doc).read_text("utf-8")
    (line,) = [m for m in re.findall(r"^0 6 \* \* 1  (cd /srv/flowatlas .*)$", text, re.M)]
    work = tmp_path / "srv"
    shutil.copytree(ROOT / "tests" / "maps" / "fernhill", work / "dataflows" / "absoloop")  # a map with a high finding
    (work / "outputs").mkdir()
    (work / ".venv" / "bin").mkdir(parents=True)
    (work / ".venv" / "bin" / "flowatlas").symlink_to(Path(sys.prefix) / "bin" / "flowatlas")
    command = line.replace("/srv/flowatlas", str(work))
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV",)}
    alert = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=900, env=env)
    assert alert.returncode == 0 and alert.stdout.startswith("flowatlas report exited 1: see "), alert
    assert "findings (1 high" in (work / "outputs" / "cron.log").read_text("utf-8")
    quiet = subprocess.run(
        ["sh", "-c", command.replace("--fail-on high", "--fail-on none")], capture_output=True, text=True,
        timeout=900, env=env,
    )  # fmt: skip
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == "", quiet
