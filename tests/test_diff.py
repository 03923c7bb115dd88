"""``flowatlas diff OLD NEW``: two versions of a map (folders, or git revisions of one), as a
table, JSON and Markdown; exit 1 when a new finding reaches --fail-on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flowatlas.analysis import Analysis
from flowatlas.assess import assess
from flowatlas.cli import main
from flowatlas.diff import diff_maps, diff_markdown, sentences
from flowatlas.loader import load_map

from conftest import ABSOLOOP

#: The planted change: a new flow to a new third party in South Korea (KR), with no declaration of it.
NEW_RECIPIENT = """
organisations:
  - {id: quickads, name: "QuickAds K.K. <b>|[x](javascript:alert(1))", role: third_party, jurisdiction: KR}
nodes:
  - {id: quickads-api, name: QuickAds API, kind: system, owner: quickads, jurisdiction: KR}
flows:
  - id: f-900-quickads
    from: marketing-sync
    to: quickads-api
    types: [email, user-id]
    purposes: [advertising]
    sharing_basis: consent
"""


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path):
    """A git repository holding the Absoloop map, then a commit that plants the change."""
    r = tmp_path / "repo"
    shutil.copytree(ABSOLOOP, r / "maps" / "absoloop")
    _git(r, "init", "-q", "-b", "main")
    _git(r, "add", ".")
    _git(r, "commit", "-q", "-m", "the map")
    (r / "maps" / "absoloop" / "flows-quickads.yaml").write_text(NEW_RECIPIENT, "utf-8")
    _git(r, "add", ".")
    _git(r, "commit", "-q", "-m", "a new recipient")
    return r


def _run(cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowatlas", "diff", *argv], cwd=cwd, capture_output=True, text=True)


def test_diff_of_two_git_revisions_lists_the_planted_change(repo):
    r = _run(repo / "maps", "HEAD~1:absoloop", "HEAD:absoloop", "--format", "json")
    assert r.returncode == 1, r.stderr  # the new flow brings new high findings
    d = json.loads(r.stdout)
    assert [f["id"] for f in d["flows"]["added"]] == ["f-900-quickads"]
    assert [x["id"] for x in d["recipients"]["added"]] == ["quickads"]
    assert d["countries"]["added"] == ["KR"]
    assert d["flows"]["removed"] == [] and d["flows"]["changed"] == []
    new = d["findings"]["new"]
    assert new and all("f-900-quickads" in f["flows"] or f["rule"] == "model-hygiene" for f in new)
    assert "cross-border-basis" in {f["rule"] for f in new} and "high" in {f["severity"] for f in new}
    assert all(f["src"].startswith("HEAD:absoloop/") for f in new)  # where, in that revision
    basis = next(f for f in new if f["rule"] == "cross-border-basis")
    assert basis["src"].startswith("HEAD:absoloop/flows-quickads.yaml:")
    assert d["findings"]["resolved"] == []  # a cause the new flow joins keeps its id: it changed
    assert "undeclared-purpose" in {c["rule"] for c in d["findings"]["changed"]}
    assert _run(repo / "maps", "HEAD~1:absoloop", "HEAD~1:absoloop").returncode == 0


def test_diff_table_and_markdown_say_it_in_sentences(repo):
    table = _run(repo, "HEAD~1:maps/absoloop", "maps/absoloop").stdout
    assert "flow f-900-quickads added: marketing-sync \u2192 quickads-api (email, user-id)" in table
    assert "country KR now reached" in table and "+" in table.splitlines()[0]
    md = _run(repo, "HEAD~1:maps/absoloop", "maps/absoloop", "--format", "markdown").stdout
    assert md.startswith("### flowatlas: absoloop")
    assert "| new | high |" in md
    assert "<b>" not in md and "[x](" not in md  # map text stays text: no HTML, no link
    assert "\\<b\\>\\|\\[x\\](javascript" in md


def test_diff_of_two_folders_and_a_changed_flow(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(ABSOLOOP, new)
    p = new / "flows-sharing.yaml"
    p.write_text(p.read_text("utf-8").replace("transfer_basis: contract", "transfer_basis: consent_after_summary", 1))
    old_analysis, new_analysis = Analysis(load_map(ABSOLOOP)), Analysis(load_map(new))
    d = diff_maps(old_analysis, new_analysis, assess(old_analysis), assess(new_analysis))
    changed = d["flows"]["changed"]
    assert len(changed) == 1 and changed[0]["fields"] == ["transfer_basis"]
    assert any(
        s.startswith(f"flow {changed[0]['id']} changed: transfer_basis contract \u2192 consent_after_summary")
        for s in sentences(d)
    )
    assert "No change" not in diff_markdown(d)


def test_a_bad_revision_is_a_clear_error(repo, capsys):
    r = _run(repo, "nope~9:maps/absoloop", "maps/absoloop")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "nope~9" in r.stderr
    r = _run(repo, "HEAD:maps/missing", "maps/absoloop")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_same_map_no_changes(capsys):
    assert main(["diff", str(ABSOLOOP), str(ABSOLOOP)]) == 0
    assert "no changes" in capsys.readouterr().out
