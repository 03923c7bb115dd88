"""Hierarchies, the graph's attributes, type-aware reachability, determinism, the schema."""

from __future__ import annotations

import json
import random

import networkx as nx
import pytest

from flowatlas.analysis import Analysis
from flowatlas.analysis.graph import build_graph, carriers, reach
from flowatlas.loader import load_map, load_texts
from flowatlas.model import MAP_FORMAT, record_dict
from flowatlas.schema import published_schema_text, schema_text, shipped_schema_text
from flowatlas.synth import write_synth
from flowatlas.taxonomy import RECIPIENT_ROLES, Hierarchy

from conftest import ABSOLOOP
from minimaps import MINI


def test_hierarchy_match_parent_child_sibling():
    h = Hierarchy({"personal": None, "contact": "personal", "email": "contact", "phone": "contact"})
    assert h.match(["email"], "email") == "exact"
    assert h.match(["contact"], "email") == "broader"  # declared parent covers the child, vaguely
    assert h.match(["personal"], "phone") == "broader"
    assert h.match(["email"], "contact") == "none"  # a child does not cover its parent
    assert h.match(["phone"], "email") == "none"  # nor a sibling
    assert h.descendants("contact") == {"contact", "email", "phone"}
    assert h.ancestors("email") == ("email", "contact", "personal")


def test_hierarchy_cycle_detection():
    assert Hierarchy({"a": "b", "b": "a"}).find_cycle() is not None
    assert Hierarchy({"a": None, "b": "a"}).find_cycle() is None


def test_recipient_roles_hierarchy():
    assert RECIPIENT_ROLES.match(["service_provider"], "sub_processor") == "broader"
    assert RECIPIENT_ROLES.match(["processor"], "sub_processor") == "none"


def test_sensitivity_is_inherited():
    m = load_texts(MINI, base_taxonomy=False)
    assert m.is_sensitive("password") and not m.is_sensitive("email")


def test_graph_attributes():
    m = load_texts(MINI, base_taxonomy=False)
    g = build_graph(m)
    assert isinstance(g, nx.MultiDiGraph)
    assert set(g.nodes) == {"user", "app", "db", "mail"}
    assert g.nodes["mail"]["external"] is True and g.nodes["app"]["external"] is False
    assert g.nodes["mail"]["role"] == "processor" and g.nodes["user"]["role"] == "subject"
    assert g.nodes["db"]["kind"] == "store" and g.nodes["db"]["jurisdiction"] == "SG"
    e = g.edges["app", "mail", "f3"]
    assert e["is_transfer"] is True and e["types"] == ("email",) and e["record"].sharing_basis == "on_instruction"
    assert g.edges["app", "db", "f2"]["is_transfer"] is False and e["leaves_controller"] is True
    assert g.graph["type_tree"] is m.type_tree
    a = Analysis(m)
    assert a.graph is a.graph and a.graph is not build_graph(m)  # one graph per analysis


@pytest.mark.parametrize("which", ["absoloop", "synth"])
def test_graph_has_one_edge_per_flow_keyed_by_its_id(which, tmp_path):
    """Parallel flows between two nodes stay separate edges, in flow-id order."""
    if which == "absoloop":
        m = load_map(ABSOLOOP)
    else:
        write_synth(tmp_path / "s", nodes=60, flows=600, types=40, seed=3, force=True)
        m = load_map(tmp_path / "s")
    g = build_graph(m)
    assert sorted(k for _, _, k in g.edges(keys=True)) == list(m.flows)
    assert all((u, v) == (m.flows[k].source, m.flows[k].target) for u, v, k in g.edges(keys=True))
    assert all(g.edges[u, v, k]["record"] is m.flows[k] for u, v, k in g.edges(keys=True))
    parallel = [(u, v) for u, v in g.edges() if g.number_of_edges(u, v) > 1]
    assert which == "absoloop" or parallel, "the synthetic map should have parallel flows"
    for u, v in parallel:
        assert list(g[u][v]) == sorted(g[u][v])


CHAIN = {
    "map.yaml": "map: {id: c, name: C, controller: a, home: SG}\n",
    "t.yaml": """\
information_types:
  - {id: personal, name: P}
  - {id: contact, name: C, parent: personal}
  - {id: email, name: E, parent: contact}
  - {id: ip, name: IP, parent: personal}
purposes: [{id: s, name: S}]
data_subjects: [{id: u, name: U}]
organisations:
  - {id: a, name: A, role: controller, jurisdiction: SG}
nodes:
  - {id: u, name: U, kind: subject, subject: u}
  - {id: n1, name: N1, kind: system, owner: a, jurisdiction: SG}
  - {id: n2, name: N2, kind: system, owner: a, jurisdiction: SG}
  - {id: n3, name: N3, kind: system, owner: a, jurisdiction: SG}
  - {id: n4, name: N4, kind: system, owner: a, jurisdiction: SG}
flows:
  - {id: c1, from: u, to: n1, types: [email, ip], purposes: [s], context: registration}
  - {id: c2, from: n1, to: n2, types: [ip], purposes: [s]}
  - {id: c3, from: n2, to: n3, types: [email], purposes: [s]}
  - {id: c4, from: n1, to: n4, types: [contact], purposes: [s]}
  - {id: c5, from: n4, to: n3, types: [email], purposes: [s]}
""",
}


def test_reach_follows_only_edges_carrying_the_type():
    m = load_texts(CHAIN, base_taxonomy=False)
    g = build_graph(m)
    # From the subject, email goes only to n1: n2 receives only ip and n4 only 'contact' (the
    # parent type, which is not a subtype of email), so neither edge is followed.
    assert reach(g, "email", sources=["u"]) == {"u": [], "n1": ["c1"]}
    # By default every origin of the type is a start: n2 and n4 emit email they never receive.
    assert reach(g, "email") == {"n2": [], "n3": ["c3"], "n4": [], "u": [], "n1": ["c1"]}
    assert set(reach(g, "ip")) == {"u", "n1", "n2"}
    # a flow carrying the parent is followed when asking for the parent
    assert reach(g, "contact", sources=["u"]) == {
        "u": [],
        "n1": ["c1"],
        "n4": ["c1", "c4"],
        "n3": ["c1", "c4", "c5"],
    }
    # asking for the parent follows every edge carrying a subtype (c2 carries ip, a personal subtype)
    assert set(reach(g, "personal")) == {"u", "n1", "n2", "n3", "n4"}
    assert carriers(g, "contact") == ["c1", "c3", "c4", "c5"]


def test_reach_from_given_sources():
    m = load_texts(CHAIN, base_taxonomy=False)
    assert reach(build_graph(m), "email", sources=["n4"]) == {"n4": [], "n3": ["c5"]}


def _shuffled(files: dict[str, str], seed: int) -> dict[str, str]:
    """Same map, other file names and record order (block-style flows only)."""
    rng = random.Random(seed)
    out = {}
    for name, text in files.items():
        lines = text.splitlines(keepends=True)
        if lines and lines[0].startswith("flows:"):
            items, cur = [], []
            for ln in lines[1:]:
                if ln.startswith("  - ") and cur:
                    items.append(cur)
                    cur = []
                cur.append(ln)
            items.append(cur)
            rng.shuffle(items)
            text = lines[0] + "".join("".join(i) for i in items)
        out[f"{rng.randrange(1000):03d}-{name}"] = text
    return out


def test_loading_is_deterministic_whatever_the_order():
    a = load_texts(MINI, base_taxonomy=False)
    for seed in range(3):
        b = load_texts(_shuffled(MINI, seed), base_taxonomy=False)
        assert list(b.flows) == list(a.flows) and list(b.nodes) == list(a.nodes)
        assert [record_dict(f) for f in b.flows.values()] == [record_dict(f) for f in a.flows.values()]
        ga, gb = build_graph(a), build_graph(b)
        assert list(ga.edges(keys=True)) == list(gb.edges(keys=True))


def test_records_are_small_frozen_and_carry_their_source():
    """Records are slotted dataclasses (no per-instance __dict__: the point of the design),
    immutable (lists are read as tuples), and the loader gave each its file and line."""
    import dataclasses

    absoloop = load_map(ABSOLOOP)
    f = next(iter(absoloop.flows.values()))
    assert not hasattr(f, "__dict__")
    assert f.src is not None and f.src.file.endswith(".yaml") and f.src.line > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.id = "other"  # type: ignore[misc]
    assert isinstance(f.types, tuple) and hash(f) == hash(f)  # immutable through and through
    d = record_dict(f)
    assert "src" not in d and d["id"] == f.id and d["types"] == f.types
    org = next(o for o in absoloop.organisations.values() if o.safeguards)
    assert isinstance(record_dict(org)["safeguards"][0], dict)  # nested records become data too


def test_shipped_schema_is_current():
    assert shipped_schema_text() == schema_text(), "run: make schema"
    # the current format's schema is also published under its version
    assert published_schema_text(MAP_FORMAT) == schema_text(), "run: make schema"


def test_schema_rejects_unknown_key_and_accepts_mini():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads(schema_text())
    for text in MINI.values():
        jsonschema.validate(yaml.safe_load(text), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"flows": [{"id": "x", "from": "a", "to": "b", "types": ["t"], "purposes": ["p"], "colour": "red"}]}, schema
        )
