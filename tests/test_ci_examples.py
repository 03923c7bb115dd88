"""The CI examples under scheduling/ (a pre-commit hook, a GitHub Actions workflow) are valid
YAML, and every flowatlas command in them is one the CLI accepts, on a map that exists."""

from __future__ import annotations

import re
import shlex
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
