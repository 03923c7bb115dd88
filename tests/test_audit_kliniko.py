"""The audit of the second embedded map (Kliniko, a German telehealth app under the GDPR)
against its reviewed expectations: every rule on its planted cases, quiet on the declared ones."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flowatlas.analysis import Analysis
from flowatlas.audit import RULES, audit
from flowatlas.loader import load_map
from flowatlas.queries import disclosure_frame

ROOT = Path(__file__).resolve().parents[1]
KLINIKO = ROOT / "dataflows" / "kliniko"
EXPECTED = ROOT / "tests" / "expected" / "kliniko_findings.yaml"


@pytest.fixture(scope="module")
def kliniko():
    return load_map(KLINIKO)


@pytest.fixture(scope="module")
def found(kliniko):
    return audit(Analysis(kliniko))


def test_matches_reviewed_expectations(found):
    expected = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))["findings"]
    assert [(e["id"], e["rule"]) for e in expected] == [(f.id, f.rule) for f in found]
    for e, f in zip(expected, found, strict=True):
        assert e["why"].strip() and e["severity"] == f.severity and e["disclosure"] == f.disclosure, e["id"]
        assert e.get("flows", []) == list(f.flows) and e.get("nodes", []) == list(f.nodes), e["id"]


#: Every flow of Kliniko's map that leaves the controller records its sharing basis: the rule on a
#: basis not recorded fires on maps of other shapes (tests/test_one_truth.py, test_audit_rules.py).
NOT_IN_KLINIKO = {"unrecorded-sharing-basis"}


def test_every_rule_fires(found):
    assert {f.rule for f in found} == set(RULES) - NOT_IN_KLINIKO


def test_declared_cases_stay_quiet(found):
    quiet = {"k-f01-register", "k-f02-consultation", "k-f03-booking", "k-f05-sdk-events", "k-f10-accounts",
             "k-f12-records", "k-f13-insurance-number", "k-f40-prescription"}  # fmt: skip
    # the SDK events share Metricly's overdue assessment with k-f31 (the same transfer): only that
    noisy = {fl for f in found if f.rule not in ("onward-transfer", "tia-overdue") for fl in f.flows}
    assert not quiet & noisy
    assert not [f for f in found if "records-db" in f.nodes]  # the ten-year hold is the declared exception E.2


def test_findings_cite_only_the_maps_own_clauses(kliniko, found):
    own = {d.clause for d in kliniko.policy.declarations}
    for f in found:
        text = f.message + " " + f.remedy
        assert "§" not in text, f.id
        clause = r"(?:[A-Z]\.\d+|\d+(?:\.\d+)*)"
        for cited in re.findall(rf"\bclauses? ({clause}(?:, {clause})*)", text):
            assert set(cited.split(", ")) <= own, (f.id, cited)
        assert {c.clause for c in f.clauses if c.policy == kliniko.policy.id} <= own
        for c in f.clauses:  # the statement's clauses are "clause X"; the law is cited as the law
            assert c.law == (c.policy != kliniko.policy.id), (f.id, c)
            assert c.label == (c.clause if c.law else f"clause {c.clause}")


def test_the_law_is_never_called_a_clause_in_any_output(capsys):
    from flowatlas.cli import main

    for fmt in ("table", "csv", "sarif"):
        main(["audit", str(KLINIKO), "--format", fmt, "--limit", "0"])
        out = capsys.readouterr().out
        assert "GDPR Art. 44-49" in out and not re.search(r"clauses? (GDPR|Regulation)", out), fmt


@pytest.mark.parametrize(
    ("phrase", "rule", "flow_or_node"),
    [
        ("We do not record your consultations", "prohibited-storage", "recordings"),
        ("only with your explicit consent", "undeclared-recipient", "k-f41-claims"),
        ("stored in the European Union", "storage-location", "accounts-backup-ch"),
        ("for 30 days after you close your account", "retention", "email-archive"),
    ],
)
def test_the_statements_hard_sentences_are_encoded_and_contradictions_found(kliniko, found, phrase, rule, flow_or_node):
    text = (KLINIKO / "statement.md").read_text(encoding="utf-8")
    assert phrase in text
    (decl,) = [d for d in kliniko.policy.declarations if phrase in d.quote]
    hits = [f for f in found if f.rule == rule and (flow_or_node in f.flows or flow_or_node in f.nodes)]
    assert hits and any(c.declaration == decl.id for f in hits for c in f.clauses), (phrase, [f.id for f in hits])


def test_one_cause_on_three_flows_is_one_finding_and_the_frame_keeps_the_three(kliniko, found):
    (f,) = [f for f in found if f.rule == "undeclared-purpose" and len(f.flows) == 3]
    assert "ai-training on 3 flow(s)" in f.message
    frame = disclosure_frame(Analysis(kliniko))
    assert set(frame[(frame.item == "ai-training")].flow) == set(f.flows)


def test_validate_and_statement_commands_on_the_second_map():
    cli = [sys.executable, "-m", "flowatlas"]
    ok = subprocess.run([*cli, "validate", str(KLINIKO)], capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and "valid" in ok.stdout
    st = subprocess.run([*cli, "statement", str(KLINIKO), "--unencoded"], capture_output=True, text=True, check=False)
    assert st.returncode == 0
    # the introduction and the section titles are not declarations; every numbered clause is encoded
    assert "A.1" not in st.stdout and "G.2" not in st.stdout


def test_the_table_opens_with_a_summary_and_lists_up_to_the_limit():
    cli = [sys.executable, "-m", "flowatlas", "audit", str(KLINIKO)]
    full = subprocess.run(cli, capture_output=True, text=True, check=False)
    some = subprocess.run([*cli, "--limit", "3"], capture_output=True, text=True, check=False)
    assert full.returncode == some.returncode == 1
    head = some.stdout.splitlines()[0].split()
    assert head == ["rule", "high", "medium", "low", "info"]
    assert "undeclared-recipient" in some.stdout.split("\n\n")[0]  # the summary names every rule that fired
    assert some.stdout.count("remedy:") == 3 and full.stdout.count("remedy:") == len(audit(Analysis(load_map(KLINIKO))))
    assert "... and " in some.stdout and "--limit 0" in some.stdout and "... and " not in full.stdout


def test_json_and_csv_outputs_hold_every_finding(found):
    import csv
    import io
    import json

    cli = [sys.executable, "-m", "flowatlas", "audit", str(KLINIKO), "--format"]
    js = json.loads(subprocess.run([*cli, "json"], capture_output=True, text=True, check=False).stdout)
    rows = list(csv.DictReader(io.StringIO(subprocess.run([*cli, "csv"], capture_output=True, text=True).stdout)))
    assert [d["id"] for d in js] == [f.id for f in found] == [r["id"] for r in rows]
    assert js[0] == found[0].to_dict() and set(rows[0]) >= {"message", "remedy", "clauses", "src"}


def test_a_person_gives_data_in_words(found):
    """A subject category is one person: it 'gives' its data, and is named once by its category."""
    collected = [f for f in found if f.rule == "undeclared-collection"]
    assert collected and all(" gives " in f.message and " give " not in f.message for f in collected)
    assert any("(subj-patient), of subject category 'patient', gives" in f.message for f in collected)
