"""The CI examples under scheduling/ (a pre-commit hook, a GitHub Actions workflow) are valid
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


@pytest.mark.slow
def test_the_workflow_runs_as_shipped_and_fails_only_on_a_new_high_finding(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("needs the git repository (the workflow diffs against the base branch)")
    clone = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    base = subprocess.run(
        ["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.strip()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
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
    codes, comment = _run_steps(clone, base, env)
    assert [c for _, c in codes] == [0, 0, 0, 1]
    assert "cross-border-basis" in comment.read_text("utf-8")
