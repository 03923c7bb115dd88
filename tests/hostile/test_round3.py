"""Round three of the hardening: what the corpus's exit codes cannot show alone (issue 29).

An import writes a map its own ``validate`` accepts but for the values it leaves ``TODO``, and
says in TODO.md what it left out; ``notebooks --copy --force`` replaces a link rather than
writing through it; a failed write leaves nothing behind; evidence reading is linear (the
figures are the benchmark's: ``./run.sh bench --evidence``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cases import deep_category, out_dangling_link, self_egress

FLOWATLAS = [sys.executable, "-m", "flowatlas"]


def _run(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*FLOWATLAS, *argv], capture_output=True, text=True, timeout=120, cwd=cwd)


def _only_todo_errors(stderr: str) -> list[str]:
    """The errors of ``validate`` that are not about a value left TODO."""
    lines = [ln.strip() for ln in stderr.splitlines()[1:] if ln.strip() and not ln.startswith("  (")]
    return [ln for ln in lines if "is still TODO" not in ln]


def test_an_import_never_writes_a_flow_from_a_system_to_itself(tmp_path):
    manifests = self_egress(tmp_path)
    r = _run("import", "fides", str(manifests), "--out", str(tmp_path / "m"))
    assert r.returncode == 0 and "1 things the manifests say left out" in r.stdout, r.stderr
    todo = (tmp_path / "m" / "TODO.md").read_text("utf-8")
    assert "`c`: its egress or ingress names the system itself; no flow written" in todo
    v = _run("validate", str(tmp_path / "m"))
    assert v.returncode == 2 and _only_todo_errors(v.stderr) == []


def test_an_import_of_a_300_level_category_writes_ids_a_map_allows(tmp_path):
    manifests = deep_category(tmp_path)
    r = _run("import", "fides", str(manifests), "--out", str(tmp_path / "m"))
    assert r.returncode == 0, r.stderr
    v = _run("validate", str(tmp_path / "m"))
    assert v.returncode == 2 and _only_todo_errors(v.stderr) == []
    import yaml

    head = yaml.safe_load((tmp_path / "m" / "map.yaml").read_text("utf-8"))
    ids = [t["id"] for t in head["information_types"]]
    assert len(ids) == 300 and max(map(len, ids)) <= 200 and len(set(ids)) == len(ids)


def test_an_import_that_cannot_write_leaves_nothing(tmp_path):
    manifests = out_dangling_link(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    r = _run("import", "fides", str(manifests), "--out", str(tmp_path / "new-map"))
    assert r.returncode == 2 and "is a file or a link" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine", "utf-8")
    r = _run("import", "fides", str(manifests), "--out", str(full))
    assert r.returncode == 2 and "not empty" in r.stderr and sorted(os.listdir(full)) == ["keep.txt"]


def test_notebooks_copy_force_replaces_a_link_and_never_writes_through_it(tmp_path):
    target = tmp_path / "nb"
    target.mkdir()
    outside = tmp_path / "precious.txt"
    outside.write_text("do not overwrite", "utf-8")
    (target / "report.ipynb").symlink_to(outside)
    refused = _run("notebooks", "--copy", str(target))
    assert refused.returncode == 2 and "report.ipynb" in refused.stderr
    r = _run("notebooks", "--copy", str(target), "--force")
    assert r.returncode == 0, r.stderr
    assert outside.read_text("utf-8") == "do not overwrite"
    copied = target / "report.ipynb"
    assert not copied.is_symlink() and copied.read_text("utf-8").startswith("{")
    names = sorted(p.name for p in target.iterdir())
    assert names == ["audit.ipynb", "diagrams.ipynb", "explore.ipynb", "report.ipynb"]  # no staging file left
