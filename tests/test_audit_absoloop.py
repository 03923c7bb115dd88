"""The audit of the embedded Absoloop map against the reviewed expectations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flowatlas.analysis import Analysis
from flowatlas.audit import RULES, audit, findings_frame, undeclared_transfers
from flowatlas.findings import DISCLOSURES
from flowatlas.loader import load_map
from flowatlas.queries import disclosure_frame

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "expected" / "absoloop_findings.yaml"


@pytest.fixture(scope="module")
def absoloop():
    return load_map(ROOT / "dataflows" / "absoloop")


@pytest.fixture(scope="module")
def found(absoloop):
    return audit(Analysis(absoloop))


def test_matches_reviewed_expectations(found):
    expected = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))["findings"]
    assert [(e["id"], e["rule"]) for e in expected] == [(f.id, f.rule) for f in found]
    for e, f in zip(expected, found, strict=True):
        assert e["why"].strip(), e["id"]
        assert e.get("flows", []) == list(f.flows) and e.get("nodes", []) == list(f.nodes), e["id"]


#: Absoloop's statement rules out no storage and no location: these rules have nothing to hold its
#: map against (tests/test_prohibitions.py and the second embedded map fire them); and every flow
#: of its map that leaves the controller records its sharing basis (tests/test_one_truth.py).
NOT_IN_ABSOLOOP = {
    "prohibited-storage",
    "prohibited-location",
    "unrecorded-sharing-basis",
    # Kliniko has the planted cases of the assessments' dates and conclusions and of the DPF
    "tia-overdue",
    "tia-not-adequate",
    "challenged-decision",
}


def test_every_rule_fires(found):
    assert {f.rule for f in found} == set(RULES) - NOT_IN_ABSOLOOP


def test_every_disclosure_class_appears(absoloop, found):
    assert set(disclosure_frame(Analysis(absoloop)).disclosure) == set(DISCLOSURES)
    assert {f.disclosure for f in found} >= {"vague", "omitted", "incorrect", "ambiguous"}


def test_findings_are_located_and_explained(found):
    for f in found:
        assert f.src is not None and f.src.line > 0 and f.message and f.remedy, f.id
        if f.rule not in ("model-hygiene",):
            assert f.clauses and all(c.quote for c in f.clauses), f.id
        if len(f.flows) == 1 and f.disclosure != "vague":  # one cause on many flows, or vague: no single path
            assert f.path, f.id


@pytest.mark.parametrize(
    ("rule", "quiet"),
    [
        ("undeclared-collection", ["f-001-register-account", "f-010-participant-content", "f-015-delivery-contact"]),
        ("undeclared-purpose", ["f-106-profile-to-console", "f-215-surveys"]),
        (
            "undeclared-recipient",
            ["f-208-payment", "f-209-email-api", "f-223-vocalis-extension", "f-225-authority-disclosure"],
        ),
        (
            "cross-border-basis",
            ["f-201-relay-us", "f-207-account-db-dr-replica", "f-212-sms-otp", "f-220-support-to-cn"],
        ),
        ("security-contradicted", ["f-104-account-to-db", "f-115-sdk-media-sg"]),
        ("onward-transfer", ["f-210-email-mta", "f-211-email-delivery"]),
    ],
)
def test_declared_counterparts_stay_quiet(found, absoloop, rule, quiet):
    quiet = [q for q in quiet if q in absoloop.flows or q.startswith("f-201")]
    touched = {fid for f in found if f.rule == rule for fid in (f.flows[-1:] if rule == "onward-transfer" else f.flows)}
    assert not touched & set(quiet)


def test_quiet_stores(found):
    nodes = {n for f in found if f.rule in ("retention", "rights-gap", "storage-location") for n in f.nodes}
    assert not nodes & {"account-db", "billing-ledger", "legal-hold-vault", "message-store", "support-tickets"}


def test_undeclared_transfers_helper(found):
    flows = undeclared_transfers(found)
    assert {"f-224-adreach-audience", "f-222-us-follow-the-sun", "f-011-demo-trial-signup"} <= set(flows)
    assert "f-208-payment" not in flows
    df = findings_frame(found)
    assert len(df) == len(found)


def test_cli_json_and_fail_on_high():
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "flowatlas",
            "audit",
            str(ROOT / "dataflows" / "absoloop"),
            "--format",
            "json",
            "--fail-on",
            "high",
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    rules = {d["rule"] for d in data}
    assert rules & set(RULES) == set(RULES) - NOT_IN_ABSOLOOP
    # the map names its evidence (map.evidence): where it disagrees, among the findings
    assert rules - set(RULES) == {
        "evidence-region-mismatch",
        "evidence-unmapped-recipient",
        "evidence-unmapped-flow",
        "evidence-unverified-flow",
        "evidence-leakage",
    }
    assert all(d["src"] for d in data if d["rule"] in RULES)


def test_ids_independent_of_file_and_record_order(tmp_path, found):
    """Rewrite the map with records shuffled and files renamed (so the loader reads them in another order)."""
    import random

    rnd = random.Random(7)
    src = ROOT / "dataflows" / "absoloop"
    files = sorted(src.glob("*.yaml"))
    for i, p in enumerate(reversed(files)):
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        for value in data.values():
            if isinstance(value, list):
                rnd.shuffle(value)
                for rec in value:
                    if isinstance(rec, dict) and isinstance(rec.get("declarations"), list):
                        rnd.shuffle(rec["declarations"])
        (tmp_path / f"{i:02d}-{p.name}").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (tmp_path / "statement.txt").write_bytes((src / "statement.txt").read_bytes())
    again = audit(Analysis(load_map(tmp_path)))
    assert [f.id for f in again] == [f.id for f in found]
    assert [f.message for f in again] == [f.message for f in found]


def test_the_docs_state_the_current_result(found):
    """docs/audit.md's "Current result" sentence counts what the audit finds."""
    import re
    from collections import Counter

    text = " ".join((ROOT / "docs" / "audit.md").read_text("utf-8").split())
    m = re.search(r"Current result: (\d+) findings \((\d+) high, (\d+) medium, (\d+) low, (\d+) info\)", text)
    assert m, "docs/audit.md lost its Current result sentence"
    by = Counter(f.severity for f in found)
    assert [int(x) for x in m.groups()] == [len(found), by["high"], by["medium"], by["low"], by["info"]]
    for rule, n in Counter(f.rule for f in found).items():
        assert re.search(rf"{rule} {n}\b", text), f"{rule} {n}"
