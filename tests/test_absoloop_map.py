"""The embedded Absoloop map: valid, complete enough, deterministic, and its CLI behaviour."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flowatlas.analysis import Analysis
from flowatlas.describe import describe
from flowatlas.loader import load_map
from flowatlas.model import record_dict

from conftest import ABSOLOOP

STATEMENT = Path(__file__).resolve().parents[2] / "shared" / "seed" / "privacy-statement.txt"


@pytest.fixture(scope="module")
def absoloop():
    return load_map(ABSOLOOP)


def test_validates_with_cli():
    r = subprocess.run(
        [sys.executable, "-m", "flowatlas", "validate", str(ABSOLOOP)], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0, r.stderr
    assert "valid" in r.stdout


def test_size_and_variety(absoloop):
    d = describe(Analysis(absoloop))
    assert d["totals"]["nodes"] >= 25 and d["totals"]["flows"] >= 40
    assert d["totals"]["organisations"] >= 8 and len(d["organisations_by_role"]) >= 5
    assert len({n.jurisdiction for n in absoloop.nodes.values() if n.jurisdiction}) >= 4
    assert set(d["flows_by_context"]) == {"registration", "product_use", "inquiry", "offline_delivery"}
    assert {
        "account-holder",
        "corporate-end-user",
        "conversation-participant",
        "demo-user",
        "inquirer",
        "delivery-contact",
    } <= set(d["subjects_in_nodes"])
    assert absoloop.info.illustrative


def test_policy_encodes_every_clause(absoloop):
    clauses = {d.clause.split("(")[0].strip() for d in absoloop.policy.declarations}
    for c in [
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "2.1",
        "2.2",
        "3.1",
        "3.2",
        "3.3",
        "3.4",
        "3.5",
        "4",
        "5",
        "5.1",
        "5.2",
        "5.3",
        "5.4",
        "6.1",
        "6.2",
        "6.3",
        "6.4",
        "6.5",
        "6.6",
        "7",
    ]:
        assert c in clauses, f"clause {c} is not encoded"


@pytest.mark.skipif(not STATEMENT.exists(), reason="shared/seed/privacy-statement.txt not beside the repo")
def test_quotes_are_verbatim(absoloop):
    norm = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731
    text = norm(STATEMENT.read_text(encoding="utf-8"))
    bad = [d.id for d in absoloop.policy.declarations if norm(d.quote) not in text]
    assert not bad, f"quotes not found verbatim in the statement: {bad}"


def test_every_yaml_file_references_the_schema():
    for f in sorted(ABSOLOOP.glob("*.yaml")):
        first = f.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), f.name
        target = (f.parent / first.split("$schema=", 1)[1].strip()).resolve()
        assert target.exists(), f"{f.name}: schema path {target} does not exist"


def test_describe_json_cli():
    r = subprocess.run(
        [sys.executable, "-m", "flowatlas", "describe", str(ABSOLOOP), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    d = json.loads(r.stdout)
    assert d["map"]["id"] == "absoloop" and d["map"]["home"] == "SG"


def test_broken_copy_exits_2_naming_file_and_line(tmp_path):
    copy = tmp_path / "absoloop"
    shutil.copytree(ABSOLOOP, copy)
    target = sorted(copy.glob("flows*.yaml"))[0]
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    idx = next(i for i, ln in enumerate(lines) if re.match(r"\s*to: ", ln))
    lines[idx] = re.sub(r"to: .*", "to: no-such-node", lines[idx])
    target.write_text("".join(lines), encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "flowatlas", "validate", str(copy)], capture_output=True, text=True, check=False
    )
    assert r.returncode == 2
    assert f"{target.name}:{idx + 1}:" in r.stderr and "unknown node 'no-such-node'" in r.stderr
    assert "Traceback" not in r.stderr


def test_absoloop_load_is_order_independent(tmp_path, absoloop):
    """Renaming the files (changing their order) changes nothing but the file names."""
    copy = tmp_path / "renamed"
    copy.mkdir()
    for i, f in enumerate(sorted(ABSOLOOP.glob("*.yaml"), reverse=True)):
        shutil.copy(f, copy / f"{i:02d}-{f.name}")
    shutil.copy(ABSOLOOP / "statement.txt", copy)
    m = load_map(copy)
    assert list(m.flows) == list(absoloop.flows)
    assert [record_dict(f) for f in m.flows.values()] == [record_dict(f) for f in absoloop.flows.values()]


def test_every_quote_is_in_the_statement_that_ships_with_the_map():
    """statement.txt beside the map is the statement the declarations encode (the policy names
    it, so validate checks it too): each quote, its parts around an ellipsis in order, occurs in
    it, whitespace and case aside."""
    from flowatlas.statement import missing_quotes

    m = load_map(ABSOLOOP)
    assert m.policy.statement == "statement.txt"
    text = (ABSOLOOP / "statement.txt").read_text("utf-8")
    assert len(m.policy.declarations) > 40
    assert [d.id for d in missing_quotes(m.policy, text)] == []
