"""The fast YAML path (yaml-rs + line index) gives exactly what the precise path gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowatlas import yamlio
from flowatlas.errors import MapValidationError
from flowatlas.inputs import InputProblem
from flowatlas.loader import load_map, load_texts
from flowatlas.synth import synth_texts
from flowatlas.yamlio import parse_yaml

from conftest import ABSOLOOP, ROOT
from minimaps import MINI

SYNTH = synth_texts(nodes=60, flows=300, types=20, seed=2)


def _corpus() -> dict[str, str]:
    texts = {f"synth/{k}": v for k, v in SYNTH.items()}
    texts.update({f"mini/{k}": v for k, v in MINI.items()})
    for folder in (ABSOLOOP, ROOT / "lib" / "flowatlas" / "data"):
        for p in sorted(folder.rglob("*.yaml")):
            texts[p.relative_to(ROOT).as_posix()] = p.read_text(encoding="utf-8")
    return texts


@pytest.mark.parametrize("name", sorted(_corpus()))
def test_fast_and_precise_paths_agree_on_data_and_positions(name):
    text = _corpus()[name]
    fast, precise = parse_yaml(text, name), parse_yaml(text, name, fast=False)
    assert fast.data == precise.data
    for path, src in (fast.index or {}).items():
        assert src == precise.locate(path), path
    # whatever the index does not hold is located through the lazily composed node tree
    if isinstance(precise.data, dict):
        for key, body in precise.data.items():
            for i in range(len(body) if isinstance(body, list) else 0):
                assert fast.locate((key, i, "id")) == precise.locate((key, i, "id"))


def test_synthetic_files_take_the_fast_path_fully_indexed():
    for name, text in SYNTH.items():
        doc = parse_yaml(text, name)
        assert doc.fast, name
        items = sum(len(v) for v in doc.data.values() if isinstance(v, list))
        assert sum(len(k) == 2 for k in doc.index) == items, name


@pytest.mark.parametrize(
    "text",
    [
        "a: [SG, NO]\n",  # YAML 1.1 reads NO as False (the Norway problem)
        "a:\n  NO\n",
        "a: yes\n",
        "- off\n",
        "a: 010\n",  # octal in YAML 1.1, decimal in 1.2
        "a: 1:30\n",  # sexagesimal in YAML 1.1
        "a: 1e3\n",  # a float only in YAML 1.2
        "a: 2001-1-4 1:59:43\n",
        "a: &x [1]\nb: *x\n",
        "a: !!str 1\n",
        "---\na: 1\n",
        "\ufeffa: 1\n",
        "a: x\x85y\n",
        "a: =\n",
    ],
)
def test_text_the_parsers_read_differently_takes_the_precise_path(text):
    def read(fast: bool):
        try:
            doc = parse_yaml(text, "t.yaml", fast=fast)
        except InputProblem as exc:  # refused: the same located errors either way
            return None, [str(e) for e in exc.errors]
        return doc, doc.data

    (doc, got), (_, expected) = read(True), read(False)
    assert got == expected
    assert doc is None or not doc.fast


@pytest.mark.parametrize("text", ["a: 'NO'\n", "a: 2024-01-02\n", "a: [1, 2.5, -3]\n", "a: Version 4G (2.2).\n"])
def test_values_both_parsers_agree_on_stay_fast(text):
    assert parse_yaml(text, "t.yaml").fast


def test_duplicate_keys_are_refused_and_located():
    with pytest.raises(InputProblem) as exc:
        parse_yaml("flows:\n  - id: a\n    from: x\n    from: y\n", "d.yaml")
    assert [str(e) for e in exc.value.errors] == [
        "d.yaml:4:5: duplicate key 'from' (first at line 3) (remove one of them)"
    ]


def test_alias_bombs_are_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    with pytest.raises(InputProblem, match="alias bomb"):
        parse_yaml("\n".join(lines) + "\n", "bomb.yaml")


def _break(texts: dict[str, str]) -> dict[str, str]:
    out = dict(texts)
    name = "flows/team-000.yaml"
    out[name] = out[name].replace("    from: ", "    from: nowhere-", 1).replace("    kind", "    knid", 1)
    out["nodes/team-000.yaml"] = out["nodes/team-000.yaml"].replace("jurisdiction: ", "jurisdiction: X", 2)
    return out


def test_errors_of_a_fast_loaded_map_are_exactly_the_precise_ones(monkeypatch):
    broken = _break(SYNTH)
    with pytest.raises(MapValidationError) as fast:
        load_texts(broken, base_taxonomy=False)
    monkeypatch.setattr(yamlio, "yaml_rs", None)  # the precise path alone, as before the fast path
    with pytest.raises(MapValidationError) as precise:
        load_texts(broken, base_taxonomy=False)
    assert fast.value.errors == precise.value.errors
    assert any("unknown node 'nowhere-" in e.message for e in fast.value.errors)
    assert len({e.src.file for e in fast.value.errors}) >= 2  # all errors of all files at once


def test_norway_is_still_an_error(make_map):
    texts = {**MINI, "orgs.yaml": MINI["orgs.yaml"].replace("jurisdiction: US", "jurisdiction: NO")}
    with pytest.raises(MapValidationError) as exc:
        load_map(make_map(texts), base_taxonomy=False)
    assert any(e.src.file.endswith("orgs.yaml") and "False" in str(e) for e in exc.value.errors)


def test_valid_maps_load_the_same_through_both_paths(monkeypatch):
    fast = load_texts(SYNTH, base_taxonomy=False)
    monkeypatch.setattr(yamlio, "yaml_rs", None)
    precise = load_texts(SYNTH, base_taxonomy=False)
    assert fast.flows == precise.flows and fast.nodes == precise.nodes
    assert [f.src for f in fast.flows.values()] == [f.src for f in precise.flows.values()]
    assert [d.src for d in fast.policy.declarations] == [d.src for d in precise.policy.declarations]


def test_absoloop_loads_the_same_through_both_paths(monkeypatch):
    if not (ABSOLOOP / "map.yaml").exists():  # pragma: no cover
        pytest.fail("the Absoloop map is missing")
    fast = load_map(ABSOLOOP)
    monkeypatch.setattr(yamlio, "yaml_rs", None)
    precise = load_map(ABSOLOOP)
    for name in ("types", "purposes", "subjects", "organisations", "nodes", "flows", "policies"):
        a, b = getattr(fast, name), getattr(precise, name)
        assert a == b, name
        assert [r.src for r in a.values()] == [r.src for r in b.values()], name
    assert Path(fast.flows[min(fast.flows)].src.file).exists()


def test_parsing_in_worker_threads_gives_the_same_documents(monkeypatch):
    """Small maps are parsed in the calling thread, large ones by two workers: same result."""
    items = sorted(_corpus().items())
    alone = yamlio.parse_texts(items)
    monkeypatch.setattr(yamlio, "PARALLEL_CHARS", 0)
    started = []
    real = yamlio.ThreadPoolExecutor
    monkeypatch.setattr(yamlio, "ThreadPoolExecutor", lambda **kw: started.append(kw) or real(**kw))
    threaded = yamlio.parse_texts(items)
    assert started, "the workers should have been used"
    assert [(d.file, d.data, d.index) for d in threaded] == [(d.file, d.data, d.index) for d in alone]


@pytest.mark.parametrize(
    ("text", "indexed"),
    [
        ("policies:\n  - id: p\n    declarations:\n      - id: a\n        kind: x\n      - id: b\n", True),
        ("policies:\n  - id: p\n    declarations:  # the list\n      - id: a\n    tags:\n      - x\n", True),
        ("policies:\n  - id: p\n    declarations: [{id: a}, {id: b}]\n", False),  # flow style
        ("policies:\n  - id: p\n    declarations:\n    - id: a\n    - id: b\n", False),  # not indented
        ("policies:\n  - id: p\n    declarations:\n      - id: a\n# margin\n      - id: b\n", False),
        ("policies:\n  - declarations:\n      - id: a\n    id: p\n", False),  # on the dash line
    ],
)
def test_sequences_inside_records_are_located_as_the_node_tree_does(text, indexed):
    """A policy's declarations are indexed when they are a plain block sequence under their key;
    otherwise their positions come from the node tree. Either way they are PyYAML's."""
    fast, precise = parse_yaml(text, "n.yaml"), parse_yaml(text, "n.yaml", fast=False)
    assert fast.fast and fast.data == precise.data
    items = precise.data["policies"][0]["declarations"]
    assert (("policies", 0, "declarations", 0) in fast.index) is indexed
    for j in range(len(items)):
        path = ("policies", 0, "declarations", j)
        assert fast.locate(path) == precise.locate(path)
