"""A vocabulary for any organisation: a retailer that markets, shows targeted ads, recruits and
runs payroll is written with the base vocabulary alone (tests/maps/fernhill); a map may add its
own contexts of collection; ``flowatlas taxonomy --kind bases`` names the regime it lists."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from reportkit import ROOT

from flowatlas.analysis import Analysis
from flowatlas.assess import assess
from flowatlas.errors import MapValidationError
from flowatlas.loader import load_map
from flowatlas.regimes import regimes

FERNHILL = ROOT / "tests" / "maps" / "fernhill"
OWN_TERMS = ("information_types", "purposes", "data_subjects", "contexts")


def _flowatlas(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowatlas", *args], capture_output=True, text=True, timeout=300)


def test_the_fernhill_map_uses_the_base_vocabulary_alone():
    for path in FERNHILL.glob("*.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        assert not set(OWN_TERMS) & set(data), f"{path.name} defines terms of its own"
    m = load_map(FERNHILL)
    assert m.notes == ()
    used = {
        "purposes": {p for f in m.flows.values() for p in f.purposes},
        "types": {t for f in m.flows.values() for t in f.types},
        "subjects": {n.subject for n in m.nodes.values() if n.subject},
        "contexts": {f.context for f in m.flows.values() if f.context},
    }
    # the terms an organisation that markets, recruits and runs payroll needs, all shipped
    assert {"direct-marketing", "targeted-advertising", "marketing-analytics", "recruitment", "payroll",
            "hr-administration"} <= used["purposes"]  # fmt: skip
    assert {"cv", "salary", "tax-number", "purchase-history", "browsing-history", "cookie-id"} <= used["types"]
    assert {"customer", "website-visitor", "job-applicant", "employee"} == used["subjects"]
    assert {"purchase", "website_visit", "job_application", "employment"} == used["contexts"]
    for kind, terms in used.items():
        table = {"purposes": m.purposes, "types": m.types, "subjects": m.subjects, "contexts": m.contexts}[kind]
        assert all(table[t].src.file.startswith("<flowatlas>") for t in terms), kind
    assert m.purpose_tree.covers("marketing", "targeted-advertising")  # advertising is marketing
    assert m.purpose_tree.covers("employment", "payroll") and m.type_tree.covers("employment-data", "salary")


def test_the_fernhill_audit_finds_what_was_planted_in_its_own_words():
    """Two planted cases, each named with Fernhill's own clauses and terms; the rest is declared."""
    found = {f.rule: f for f in assess(Analysis(load_map(FERNHILL)))}
    assert set(found) == {"undeclared-recipient", "retention"}, [f.message for f in found.values()]
    ads = found["undeclared-recipient"]
    assert ads.flows == ("ad-audience",) and ads.severity == "high"
    assert "declared only for other types of data, not for purchase-history" in ads.message
    assert "Stop sending purchase-history to AdReach Inc." in ads.remedy and "clause 3.2" in ads.remedy
    keep = found["retention"]
    assert keep.nodes == ("payroll-ledger",) and "contract_end+P6Y" in keep.message
    assert "(contract_end+P6Y)" in keep.remedy and "account closure" not in keep.remedy


def test_a_map_may_declare_its_own_context_of_collection(tmp_path):
    folder = tmp_path / "fernhill"
    shutil.copytree(FERNHILL, folder)
    own = "contexts:\n  - {id: trade_counter, name: At the trade counter of a store}\n"
    map_file = folder / "map.yaml"
    text = map_file.read_text("utf-8").replace("context: purchase,", "context: trade_counter,")
    map_file.write_text(text, "utf-8")
    with pytest.raises(MapValidationError) as caught:
        load_map(folder)
    (error,) = caught.value.errors
    assert "context: unknown context of collection 'trade_counter'" in error.message
    assert "contexts: [{id: trade_counter, name: ...}]" in (error.hint or "")
    (folder / "contexts.yaml").write_text(own, "utf-8")
    m = load_map(folder)
    assert m.flows["checkout"].context == "trade_counter" and m.contexts["trade_counter"].src.file.endswith(".yaml")
    listed = _flowatlas("taxonomy", str(folder), "--kind", "contexts").stdout.splitlines()
    assert "trade_counter  At the trade counter of a store" in listed
    assert any(x.startswith("job_application") for x in listed)


def test_taxonomy_bases_names_its_regime_and_lists_every_regime_without_a_map():
    every = _flowatlas("taxonomy", "--kind", "bases")
    assert every.returncode == 0, every.stderr
    for r in regimes():
        assert f"# {r.id}" in every.stdout, r.id  # a heading per regime
    ie = _flowatlas("taxonomy", str(FERNHILL), "--kind", "bases").stdout
    gdpr = next(r for r in regimes() if "IE" in r.homes)
    assert ie.splitlines()[0].startswith(f"# {gdpr.id}") and "legitimate_interests" in ie
    assert "deemed_consent" not in ie  # Singapore's bases are not GDPR's
    sg = _flowatlas("taxonomy", str(ROOT / "dataflows" / "absoloop"), "--kind", "bases").stdout
    assert sg.splitlines()[0].startswith("# SG") and "deemed_consent" in sg


def test_base_contexts_are_read_without_the_base_taxonomy():
    """The contexts are part of the format's vocabulary: a map read without the base taxonomy
    (its own types and purposes) still names them."""
    from flowatlas.loader import load_texts

    texts = {
        "map.yaml": "map: {id: t, name: T, controller: a, home: SG}\n"
        "organisations: [{id: a, name: A, role: controller, jurisdiction: SG}]\n"
        "information_types: [{id: thing, name: Thing}]\npurposes: [{id: use, name: Use}]\n"
        "data_subjects: [{id: who, name: Who}]\n"
        "nodes: [{id: p, name: P, kind: subject, subject: who}, {id: s, name: S, kind: system, owner: a, "
        "jurisdiction: SG}]\n"
        "flows: [{id: f, from: p, to: s, types: [thing], purposes: [use], context: job_application}]\n"
    }
    m = load_texts(texts, base_taxonomy=False)
    assert m.flows["f"].context == "job_application" and "purposes" not in {"job_application"}
    assert Path(m.contexts["job_application"].src.file).name == "contexts.yaml"
