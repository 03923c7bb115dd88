"""`flowatlas synth`: realistic, valid, deterministic synthetic maps."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path

import pytest

from flowatlas.cli import main
from flowatlas.loader import load_map
from flowatlas.model import DECLARATION_KINDS, ORG_ROLES
from flowatlas.synth import synth_texts, write_synth

SIZE = {"nodes": 80, "flows": 600, "types": 30}


@pytest.fixture(scope="module")
def synth_map(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "map"
    write_synth(out, seed=7, **SIZE)
    return out, load_map(out)


def test_same_seed_same_bytes_other_seed_other_map(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_synth(a, seed=3, **SIZE)
    write_synth(b, seed=3, **SIZE)
    files_a = sorted(p.relative_to(a).as_posix() for p in a.rglob("*.yaml"))
    assert files_a == sorted(p.relative_to(b).as_posix() for p in b.rglob("*.yaml"))
    for name in files_a:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert synth_texts(seed=4, **SIZE) != synth_texts(seed=3, **SIZE)


def test_synthetic_map_validates_with_the_sizes_asked_for(synth_map):
    _, m = synth_map
    s = m.summary()
    assert s["flows"] == SIZE["flows"]
    assert s["nodes"] == SIZE["nodes"]
    assert sum(t.startswith("syn.") for t in m.types) == SIZE["types"]
    assert len(m.files) > 8  # many files: taxonomy, organisations per country, teams, policy


def test_synthetic_map_is_realistic(synth_map):
    _, m = synth_map
    roles = Counter(o.role for o in m.organisations.values())
    assert set(roles) == set(ORG_ROLES) - {"client"}  # a client owns no node: synthetic maps have none
    assert roles["controller"] == 1
    assert len({o.jurisdiction for o in m.organisations.values()}) >= 6
    assert {n.kind for n in m.nodes.values()} == {"subject", "system", "store"}
    assert any(n.backup_of for n in m.nodes.values())
    kinds = {d.kind for p in m.policies.values() for d in p.declarations}
    assert kinds == set(DECLARATION_KINDS)
    assert m.policy is not None and m.policy.controller == m.info.controller


def test_a_share_of_flows_is_undeclared(synth_map):
    _, m = synth_map
    declared = {p for d in m.policy.declarations if d.kind == "purpose" for p in d.purposes}

    def covered(purpose: str) -> bool:
        return any(m.purpose_tree.covers(d, purpose) for d in declared)

    bad_purpose = [f for f in m.flows.values() if not all(covered(p) for p in f.purposes)]
    cross = [f for f in m.flows.values() if m.location(f.source) and m.location(f.target)]
    cross = [f for f in cross if m.location(f.source) != m.location(f.target)]
    no_basis = [f for f in cross if f.transfer_basis is None]
    n = len(m.flows)
    assert 0 < len(bad_purpose) < n * 0.2
    assert 0 < len(no_basis) < len(cross) * 0.2
    assert any(not f.encrypted for f in m.flows.values())


def test_records_know_their_file_and_line(synth_map):
    out, m = synth_map
    for fid in (min(m.flows), max(m.flows)):
        src = m.flows[fid].src
        lines = Path(src.file).read_text(encoding="utf-8").splitlines()
        assert lines[src.line - 1] == f"  - id: {fid}"
        assert src.col == 5
        assert Path(src.file).parent == out / "flows"


def test_cli_writes_refuses_a_full_folder_and_overwrites_with_force(tmp_path, capsys):
    out = tmp_path / "m"
    args = ["synth", str(out), "--nodes", "40", "--flows", "100", "--types", "12", "--seed", "1"]
    assert main(args) == 0
    assert re.search(r"wrote \d+ files \(40 nodes, 100 flows, 12 types, seed 1\)", capsys.readouterr().out)
    assert main(args) == 2
    assert "not empty" in capsys.readouterr().err
    (out / "flows" / "team-009.yaml").write_text("flows: []\n")  # a stale file from another size
    assert main([*args, "--force"]) == 0
    assert not (out / "flows" / "team-009.yaml").exists()
    assert main(["validate", str(out)]) == 0


def test_cli_refuses_sizes_it_cannot_make(tmp_path, capsys):
    assert main(["synth", str(tmp_path / "x"), "--nodes", "3", "--flows", "10"]) == 2
    assert "--nodes >= 20" in capsys.readouterr().err


def test_graph_questions_on_a_synthetic_map_are_exact(synth_map):
    """reach() follows carrying flows only, hop by hop, on shortest paths; the carrier index
    agrees with carriers() type by type."""
    from flowatlas.analysis.graph import build_graph, carrier_index, carriers, reach

    _, m = synth_map
    g = build_graph(m)
    index = carrier_index(g)
    for t in list(m.types)[:40]:
        assert tuple(carriers(g, t)) == index.get(t, ())
    t = max(m.types, key=lambda t: len(index.get(t, ())))
    got = reach(g, t)
    carrying = set(index[t])
    for node, path in got.items():
        assert set(path) <= carrying
        if path:
            assert m.flows[path[-1]].target == node
            assert all(m.flows[a].target == m.flows[b].source for a, b in itertools.pairwise(path))
            # no shorter path: the node is not one hop from a node reached in fewer hops
            assert all(
                len(got[m.flows[x].source]) + 1 >= len(path)
                for x in carrying
                if m.flows[x].target == node and m.flows[x].source in got
            )
