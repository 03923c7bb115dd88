"""The small maps of the regimes beyond Singapore's and the EU's (dataflows/thistle: UK GDPR,
bergbahn: Swiss FADP, lantern: China PIPL, ipe: Brazil LGPD, neem: India DPDP): each audit gives
its reviewed findings, each planted case of its README fires, each flow is held against the
regime of its sender."""

from __future__ import annotations

import re

import pytest
import yaml
from reportkit import ROOT

from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.loader import load_map

MAPS = {"thistle": "GB-UKGDPR", "bergbahn": "CH-FADP", "lantern": "CN-PIPL", "ipe": "BR-LGPD", "neem": "IN-DPDP"}


@pytest.fixture(scope="module", params=sorted(MAPS))
def run(request):
    m = load_map(ROOT / "dataflows" / request.param)
    a = Analysis(m)
    return request.param, a, audit(a)


def test_matches_reviewed_expectations(run):
    name, _, found = run
    expected = yaml.safe_load((ROOT / "tests" / "expected" / f"{name}_findings.yaml").read_text("utf-8"))["findings"]
    assert [(f.id, f.rule) for f in found] == [(e["id"], e["rule"]) for e in expected]
    assert all(e["why"] for e in expected)


def test_each_planted_case_of_the_readme_fires(run):
    name, _, found = run
    readme = (ROOT / "dataflows" / name / "README.md").read_text("utf-8")
    rows = re.findall(r"^\| `([\w-]+)` \| .+ \| ([\w-]+) \|$", readme, re.M)
    assert rows, f"{name}/README.md lists no planted case"
    fired = {(fl, f.rule) for f in found for fl in f.flows}
    for flow, rule in rows:
        assert (flow, rule) in fired, (name, flow, rule)
    quiet = re.search(r"Declared and quiet: (.+)", readme, re.S)
    assert quiet
    for flow in re.findall(r"`([\w-]+)`", quiet.group(1)):
        assert not any(flow in f.flows for f in found), (name, flow)


def test_each_flow_is_held_against_its_senders_regime(run):
    name, a, _ = run
    for fid, facts in a.flow_facts.items():
        sender = a.map.organisations[facts.exporter] if facts.exporter else None
        own = {"DE": "EU-GDPR"}.get(sender.jurisdiction, MAPS[name]) if sender else MAPS[name]
        assert facts.regime == own, (name, fid)


def test_the_assessment_and_decision_rules_fire_beyond_the_first_two_maps():
    fired = set()
    for name in MAPS:
        fired |= {f.rule for f in audit(Analysis(load_map(ROOT / "dataflows" / name)))}
    assert {"cross-border-basis", "tia-missing", "tia-overdue"} <= fired
