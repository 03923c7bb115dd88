"""The CI examples under scheduling/ (a pre-commit hook, a GitHub Actions workflow, a crontab line) are valid
YAML, and every flowatlas command in them is one the CLI accepts, on a map that exists."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flowatlas.cli import build_parser

from conftest import ROOT

EXAMPLES = ROOT / "scheduling"


def _commands(text: str) -> list[list[str]]:
    """Every ``flowatlas ...`` command line in a hook or workflow, GitHub expressions replaced."""
    text = re.sub(r"\$\{\{[^}]*\}\}", "main", text)
    out = []
    for line in text.splitlines():
        line = line.split(" # ")[0]  # a YAML comment after the value
        at = line.find("flowatlas ")
        if at < 0 or line.lstrip().startswith("#") or "name:" in line[:at]:
            continue
        cmd = line[at:].split(" > ")[0].split(" || ")[0].strip().strip("\"'")
        words = shlex.split(cmd)
        if len(words) > 1 and words[0] == "flowatlas":
            out.append(words[1:])
    return out


@pytest.mark.parametrize("name", ["pre-commit-hooks.example.yaml", "github-workflow.example.yml"])
def test_examples_are_yaml_whose_commands_the_cli_accepts(name, monkeypatch):
    text = (EXAMPLES / name).read_text("utf-8")
    yaml.safe_load(text)
    commands = _commands(text)
    assert commands, name
    monkeypatch.chdir(ROOT)
    for argv in commands:
        args = build_parser(argv[0]).parse_args(argv)  # argparse exits 2 on a bad option
        for attr in ("map", "new"):
            value = getattr(args, attr, None)
            if value and ":" not in value:
                assert Path(value).is_dir(), f"{name}: {value}"


def test_the_workflow_uploads_sarif_and_comments_the_diff():
    wf = yaml.safe_load((EXAMPLES / "github-workflow.example.yml").read_text("utf-8"))
    steps = wf["jobs"]["map"]["steps"]
    runs = " ".join(s.get("run", "") for s in steps)
    assert "--format sarif" in runs and "diff" in runs and "--format markdown" in runs
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)


def _run_steps(clone: Path, base: str, env: dict) -> tuple[list[tuple[str, int]], Path]:
    """Run the workflow's ``run`` steps in ``clone`` as GitHub's runner does (bash -eo pipefail,
    expressions filled in), but for the install (the test's flowatlas is on PATH) and the
    comment (it needs GitHub). Returns each step's name and exit code, and the comment's file."""
    wf = yaml.safe_load((EXAMPLES / "github-workflow.example.yml").read_text("utf-8"))
    output = clone / "github-output.txt"
    output.write_text("")
    codes = []
    for step in wf["jobs"]["map"]["steps"]:
        script = step.get("run")
        if script is None or script.startswith(("pip install", "gh ")):
            continue
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
        script = script.replace("${{ github.base_ref }}", base)
        script = script.replace("${{ steps.diff.outputs.status }}", outputs.get("status", ""))
        assert "${{" not in script, script
        run = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=clone, env={**env, "GITHUB_OUTPUT": str(output)}, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert "Traceback" not in run.stderr, run.stderr
        codes.append((step.get("name", script.split()[0]), run.returncode))
    return codes, clone / "diff.md"


@pytest.fixture(scope="module")
def clean_core(tmp_path_factory) -> tuple[Path, dict]:
    """A clone of the repository and a clean virtual environment in which the workflow's install
    step ran as written (``pip install --constraint constraints.txt .``, from the package index):
    the light install a CI job or a pre-commit hook has. Returns the clone and the environment
    whose PATH leads to that install's ``flowatlas``."""
    if not (ROOT / ".git").exists():
        pytest.skip("needs the git repository (the examples run in a clone of it)")
    top = tmp_path_factory.mktemp("ci")
    clone, venv = top / "repo", top / "venv"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    wf = yaml.safe_load((EXAMPLES / "github-workflow.example.yml").read_text("utf-8"))
    (install,) = [s["run"] for s in wf["jobs"]["map"]["steps"] if s.get("run", "").startswith("pip install")]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", f"{install} -q --disable-pip-version-check"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    which = subprocess.run(["bash", "-c", "command -v flowatlas"], env=env, capture_output=True, text=True)
    assert Path(which.stdout.strip()).parent == venv / "bin"
    listed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format", "json"],
                            capture_output=True, text=True, env=env)  # fmt: skip
    assert not {d["name"].lower() for d in json.loads(listed.stdout)} & {"jupyterlab", "papermill", "ipykernel"}
    return clone, env


@pytest.mark.slow
@pytest.mark.xdist_group("clean-core")  # one clean install for both tests that use it
def test_the_workflow_runs_as_shipped_and_fails_only_on_a_new_high_finding(clean_core):
    clone, env = clean_core
    base = subprocess.run(
        ["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.strip()
    # the wanted install is the core from the checkout, pinned: no Jupyter for a lint step
    wf_text = (EXAMPLES / "github-workflow.example.yml").read_text("utf-8")
    assert "pip install --constraint constraints.txt .\n" in wf_text and "[" not in wf_text.split("pip install")[1][:40]
    # a pull request that changes nothing: every step passes (the map's own findings go to code scanning)
    codes, comment = _run_steps(clone, base, env)
    assert [c for _, c in codes] == [0] * len(codes) and len(codes) == 4
    assert comment.read_text("utf-8").strip()
    for name in ("audit.sarif", "reconcile.sarif"):
        log = json.loads((clone / name).read_text("utf-8"))
        assert log["runs"][0]["results"] and log["runs"][0]["automationDetails"]["id"].startswith("flowatlas/")
    # a pull request that drops a flow's transfer basis: a new high finding, and only the last step fails
    flows = clone / "dataflows" / "absoloop" / "flows-sharing.yaml"
    text = flows.read_text("utf-8")
    assert text.count("    transfer_basis: contract\n") >= 1
    flows.write_text(text.replace("    transfer_basis: contract\n", "", 1), "utf-8")
    try:
        codes, comment = _run_steps(clone, base, env)
        assert [c for _, c in codes] == [0, 0, 0, 1]
        assert "cross-border-basis" in comment.read_text("utf-8")
    finally:
        flows.write_text(text, "utf-8")  # the clone is shared with the hooks' test


def _clone(tmp_path: Path) -> Path:
    if not (ROOT / ".git").exists():
        pytest.skip("needs the git repository (the examples run in a clone of it)")
    clone = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    return clone


@pytest.mark.slow
@pytest.mark.xdist_group("clean-core")
def test_the_pre_commit_hooks_run_as_shipped(clean_core):
    """Each hook's entry, run in a clone with the light install as pre-commit runs a local system
    hook: an unchanged map passes both; a change that drops a transfer basis is refused (a new
    high finding); a map that does not parse is refused by validate, naming the file."""
    clone, env = clean_core
    hooks = yaml.safe_load((EXAMPLES / "pre-commit-hooks.example.yaml").read_text("utf-8"))["repos"][0]["hooks"]

    def run_hooks() -> list[tuple[int, str]]:
        out = []
        for hook in hooks:
            assert hook["language"] == "system" and hook["pass_filenames"] is False
            assert re.match(hook["files"], "dataflows/absoloop/flows-sharing.yaml")
            run = subprocess.run(shlex.split(hook["entry"]), cwd=clone, env=env, capture_output=True, text=True)
            assert "Traceback" not in run.stderr, run.stderr
            out.append((run.returncode, run.stdout + run.stderr))
        return out

    assert [c for c, _ in run_hooks()] == [0, 0]
    flows = clone / "dataflows" / "absoloop" / "flows-sharing.yaml"
    text = flows.read_text("utf-8")
    flows.write_text(text.replace("    transfer_basis: contract\n", "", 1), "utf-8")
    (validate, _), (diff, said) = run_hooks()
    assert (validate, diff) == (0, 1) and "cross-border-basis" in said
    flows.write_text(text + "\n  - {id: broken\n", "utf-8")
    (validate, said), _ = run_hooks()
    flows.write_text(text, "utf-8")
    assert validate == 2 and "flows-sharing.yaml:" in said


@pytest.mark.slow
def test_the_crontab_line_runs_as_written(tmp_path):
    """The crontab line, with the checkout's path where it says /srv/flowatlas: the report is
    written, the log holds its output, and the one line cron would mail names the exit code (1:
    Absoloop has high findings)."""
    clone = _clone(tmp_path)
    (clone / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    lines = [x for x in (EXAMPLES / "crontab.example").read_text("utf-8").splitlines() if x and x[0] != "#"]
    assert len(lines) == 1
    schedule, command = lines[0].split(None, 5)[:5], lines[0].split(None, 5)[5]
    assert schedule == ["0", "6", "*", "*", "1"]
    assert command.startswith("cd /srv/flowatlas && ")
    command = command.replace("/srv/flowatlas", str(clone))
    run = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0  # the || branch: cron mails what it echoes
    assert run.stdout.startswith("flowatlas report exited 1: see ") and str(clone) in run.stdout
    log = (clone / "outputs" / "cron.log").read_text("utf-8")
    assert "report.html" in log and "Traceback" not in log
    assert (clone / "outputs" / "absoloop" / "latest" / "report.html").is_file()
    assert (EXAMPLES / "crontab.example").read_text("utf-8").count(lines[0]) == 1
    for doc in ("README.md", "docs/scheduling.md"):  # the docs show the same line
        assert lines[0] in (ROOT / doc).read_text("utf-8"), doc
