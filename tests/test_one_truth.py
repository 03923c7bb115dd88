"""One map, one truth: the audit, the diagrams, the inventory, describe, the diff and the report
state the same facts, because one Analysis decides them and every part reads it.

The maps here are of their own shape (a German brewery's loyalty app under the GDPR, and small
variants of it), not Absoloop's or Kliniko's: each test plants one case of issue 25's list and
checks that the parts agree on it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flowatlas.analysis import Analysis
from flowatlas.assess import assess
from flowatlas.audit import audit
from flowatlas.describe import describe
from flowatlas.diff import diff_findings, diff_maps, sentences
from flowatlas.inventory import inventory
from flowatlas.loader import load_map, load_texts
from flowatlas.render import build_view, source

from conftest import write_map

FLOWATLAS = [sys.executable, "-m", "flowatlas"]

#: A brewery in Germany runs a loyalty app. Its statement (policy.yaml) says what it collects,
#: why, with whom it shares, and that marketing happens only with consent.
BRAUHAUS = {
    "map.yaml": """
map: {id: brauhaus, name: Brauhaus Treue, controller: brauhaus, home: DE, as_of: 2026-12-01, policy: pol}
organisations:
  - {id: brauhaus, name: Brauhaus Sieben GmbH, role: controller, jurisdiction: DE}
  - {id: mailwolke, name: Mailwolke SAS, role: processor, jurisdiction: FR}
  - {id: indimail, name: IndiMail Pvt Ltd, role: sub_processor, jurisdiction: IN, engaged_by: mailwolke}
  - {id: paystripe, name: PayStripe Ltd, role: third_party, jurisdiction: IE}
  - {id: parcelpost, name: ParcelPost BV, role: third_party, jurisdiction: NL}
  - {id: adfair, name: AdFair Ltd, role: third_party, jurisdiction: IE}
  - {id: kuehlhaus, name: Kuehlhaus AB, role: processor, jurisdiction: SE}
nodes:
  - {id: drinker, name: Loyalty member, kind: subject, subject: account-holder}
  - {id: us-edge, name: Sign-up edge (US), kind: system, owner: brauhaus, jurisdiction: US}
  - {id: app, name: Loyalty app, kind: system, owner: brauhaus, jurisdiction: DE}
  - {id: members, name: Members, kind: store, owner: brauhaus, jurisdiction: DE, retention: while_service,
     encrypted_at_rest: true, erase: true, export: true}
  - {id: mailer, name: Newsletter service, kind: system, owner: mailwolke, jurisdiction: FR}
  - {id: bulk-send, name: Bulk sender, kind: system, owner: indimail, jurisdiction: IN}
  - {id: pay-api, name: Payments, kind: system, owner: paystripe, jurisdiction: IE}
  - {id: parcels, name: Parcel labels, kind: system, owner: parcelpost, jurisdiction: NL}
  - {id: ads, name: Ad audiences, kind: system, owner: adfair, jurisdiction: IE}
  - {id: cold, name: Cold storage, kind: store, owner: kuehlhaus, jurisdiction: SE, retention: while_service,
     encrypted_at_rest: true, erase: true, export: true}
flows:
  - {id: f-join, from: drinker, to: us-edge, types: [name, email], purposes: [provide-service],
     context: registration, encrypted: true}
  - {id: f-store, from: us-edge, to: members, types: [name, email], purposes: [provide-service], encrypted: true,
     transfer_basis: adequacy}
  - {id: f-news, from: app, to: mailer, types: [contact], purposes: [provide-service], sharing_basis: on_instruction,
     encrypted: true}
  - {id: f-bulk, from: mailer, to: bulk-send, types: [email], purposes: [provide-service], encrypted: true,
     sharing_basis: on_instruction, transfer_basis: standard_contractual_clauses}
  - {id: f-pay, from: app, to: pay-api, types: [name], purposes: [payment], sharing_basis: user_authorised,
     encrypted: true}
  - {id: f-parcel, from: app, to: parcels, types: [name, delivery-address], purposes: [delivery],
     sharing_basis: user_authorised, encrypted: true}
  - {id: f-ads, from: app, to: ads, types: [email], purposes: [advertising], lawful_basis: legitimate_interests,
     encrypted: true}
  - {id: f-cold, from: app, to: cold, types: [name], purposes: [provide-service], encrypted: true}
  - {id: f-read, from: members, to: app, types: [name, email], purposes: [provide-service], encrypted: true}
""",
    "policy.yaml": """
policies:
  - id: pol
    title: Datenschutzerklaerung
    version: "3"
    controller: brauhaus
    declarations:
      - {id: c1, kind: collection, clause: "I", quote: "We collect your name, email and delivery address.",
         types: [name, email, delivery-address], contexts: [registration], subjects: [account-holder]}
      - {id: s1, kind: storage, clause: "II", quote: "We keep your data in the EEA.", locations: [EEA]}
      - {id: p-all, kind: purpose, clause: "III", quote: "We use your data to run the programme and to market.",
         purposes: [provide-service, advertising]}
      - {id: p-ads, kind: purpose, clause: "III.2", quote: "We market to you only with your consent.",
         purposes: [advertising], lawful_bases: [consent]}
      - {id: sh-named, kind: sharing, clause: "IV.1", quote: "PayStripe and ParcelPost receive what they need.",
         recipients: [paystripe, parcelpost], bases: [user_authorised]}
      - {id: sh-proc, kind: sharing, clause: "IV.2", quote: "Our processors act on our instruction.",
         recipient_roles: [processor, sub_processor], bases: [on_instruction]}
      - {id: sh-consent, kind: sharing, clause: "IV.3", quote: "Others receive data only with your consent.",
         recipient_roles: [third_party], bases: [consent]}
""",
}


def _map(**changes: str) -> dict[str, str]:
    """The brewery's map, with texts replaced: ``{file: (old, new)}`` pairs as 'old=>new'."""
    files = dict(BRAUHAUS)
    for name, edit in changes.items():
        old, new = edit.split("=>")
        assert old in files[name], old
        files[name] = files[name].replace(old, new)
    return files


@pytest.fixture(scope="module")
def brauhaus():
    a = Analysis(load_texts(BRAUHAUS))
    return a, audit(a)


def _of(found, rule, flow=None):
    return [f for f in found if f.rule == rule and (flow is None or flow in f.flows)]


# --------------------------------------------------------------------------- the border


def test_the_border_is_one_fact_for_the_audit_the_drawing_describe_and_the_inventory(brauhaus):
    """A member signs up straight into the controller's own system in the US: a transfer the
    controller directs. The audit finds it; the overview draws it across the border (DE → US);
    describe counts it; the inventory lists DE→US, never 'None→US'."""
    a, found = brauhaus
    facts = a.flow_facts["f-join"]
    assert (facts.source_country, facts.target_country, facts.is_transfer) == ("DE", "US", True)
    [f] = _of(found, "cross-border-basis", "f-join")
    assert f.countries == ("US",) and "in DE gives" in f.message
    dot = source(build_view(a, "overview", found)[1])
    edge = next(line for line in dot.splitlines() if line.lstrip().startswith('drinker -> "us-edge"'))
    assert "DE → US" in edge and "dashed" in edge and "CROSS-BORDER DE → US" in edge
    transfers = {fid for fid, x in a.flow_facts.items() if x.is_transfer}
    assert describe(a)["totals"]["cross_border_flows"] == len(transfers)
    rows = inventory(a, found)
    join = rows[(rows.information_type == "email") & (rows.purpose == "provide-service")].iloc[0]
    assert "DE→US (no basis)" in join.third_country_transfers and "None" not in join.third_country_transfers
    # the graph's edges carry the same facts
    edge_data = a.graph.edges["drinker", "us-edge", "f-join"]
    assert (edge_data["is_transfer"], edge_data["source_country"]) == (True, "DE")


def test_a_person_elsewhere_is_where_their_node_says():
    """A member in Austria signing up into the German app: inside the EEA, no transfer anywhere."""
    files = _map(**{"map.yaml": "subject: account-holder}=>subject: account-holder, jurisdiction: AT}"})
    files["map.yaml"] = files["map.yaml"].replace("to: us-edge, types: [name, email]", "to: app, types: [name, email]")
    a = Analysis(load_texts(files))
    assert a.flow_facts["f-join"][:3] == ("AT", "DE", False)
    assert not _of(audit(a), "cross-border-basis", "f-join")
    edge = next(x for x in source(build_view(a, "overview")[1]).splitlines() if "drinker -> app" in x)
    assert "CROSS-BORDER" not in edge


# --------------------------------------------------------------------------- carrying a type


def test_onward_transfer_follows_a_narrower_type_of_what_was_handed_over(brauhaus):
    """The app hands contact data to its mail processor in France; an email address travels on
    to a sub-processor in India, a country the statement never declares."""
    a, found = brauhaus
    assert "f-bulk" in a.carrying("contact") and "f-bulk" in a.carrying("email")
    [f] = _of(found, "onward-transfer")
    assert f.flows == ("f-news", "f-bulk") and f.path == ("app", "mailer", "bulk-send")
    assert f.types == ("email",) and "IN is not a declared location" in f.message
    # the queries follow the same definition
    from flowatlas.queries import where_type_goes

    assert "bulk-send" in where_type_goes(a, "contact").paths


# --------------------------------------------------------------------------- recipients


def test_named_recipients_are_a_clear_declaration_of_those_recipients(brauhaus):
    a, found = brauhaus
    for fid, org in (("f-pay", "paystripe"), ("f-parcel", "parcelpost")):
        [v] = [v for v in a.verdicts[fid] if v.dimension == "recipient"]
        assert (v.item, v.disclosure, v.declarations) == (org, "clear", ("sh-named",))
    assert not [f for f in found if set(f.flows) & {"f-pay", "f-parcel"} and f.rule == "undeclared-recipient"]
    over = [f.message for f in _of(found, "over-declaration")]
    assert not any("any recipient" in m for m in over)


def test_a_named_declaration_covers_no_other_organisation_of_the_role():
    files = _map(**{"map.yaml": "sharing_basis: user_authorised,\n     encrypted: true}=>sharing_basis: "
                    "user_authorised,\n     encrypted: true}\n  - {id: f-other, from: app, to: ads, types: [name], "
                    "purposes: [payment], sharing_basis: user_authorised, encrypted: true}"})  # fmt: skip
    a = Analysis(load_texts(files))
    [v] = [v for v in a.verdicts["f-other"] if v.dimension == "recipient"]
    assert v.disclosure != "clear" and "sh-named" not in v.declarations


def test_a_processor_flow_with_no_recorded_basis_shares_on_instruction(brauhaus):
    a, found = brauhaus
    assert a.flow_facts["f-cold"].sharing_basis == "on_instruction"
    [v] = [v for v in a.verdicts["f-cold"] if v.dimension == "recipient"]
    assert (v.disclosure, v.declarations) == ("clear", ("sh-proc",))
    assert not [f for f in found if "f-cold" in f.flows]


def test_no_recorded_basis_the_role_does_not_decide_is_its_own_low_finding(brauhaus):
    """AdFair (a third party) gets email with no sharing basis recorded: the statement shares
    with third parties on consent, so the recipient is declared; the finding says the basis is
    not recorded (low), not that the recipient is undeclared (high)."""
    a, found = brauhaus
    assert a.flow_facts["f-ads"].sharing_basis is None
    assert not _of(found, "undeclared-recipient", "f-ads")
    [f] = _of(found, "unrecorded-sharing-basis", "f-ads")
    assert f.severity == "low" and "consent" in f.message and "IV.3" in f.message
    assert "sharing_basis" in f.remedy


# --------------------------------------------------------------------------- purposes


def test_a_purpose_declaration_naming_lawful_bases_limits_that_purpose(brauhaus):
    """Advertising is declared twice: in a broad list naming no basis (III), and alone, on
    consent only (III.2). A flow relying on legitimate interests contradicts III.2."""
    a, found = brauhaus
    [v] = [v for v in a.verdicts["f-ads"] if v.dimension == "purpose"]
    assert (v.disclosure, v.declarations) == ("incorrect", ("p-ads",))
    [f] = _of(found, "undeclared-purpose", "f-ads")
    assert f.severity == "high" and "legitimate_interests" in f.message and "consent" in f.message


def test_legitimate_interests_can_be_a_sharing_basis():
    files = _map(**{"policy.yaml": "bases: [consent]}=>bases: [consent, legitimate_interests]}"})
    files["map.yaml"] = files["map.yaml"].replace(
        "purposes: [advertising], lawful_basis: legitimate_interests,",
        "purposes: [advertising], lawful_basis: consent, sharing_basis: legitimate_interests,",
    )
    a = Analysis(load_texts(files))
    [v] = [v for v in a.verdicts["f-ads"] if v.dimension == "recipient"]
    assert v.disclosure == "clear" and v.declarations == ("sh-consent",)


# --------------------------------------------------------------------------- identity


def test_a_changed_reason_is_diffed_as_changed_not_resolved_and_new(tmp_path):
    """The sign-up transfer names no basis; then it names one the recipient does not hold. The
    finding is the same (same id); the diff says what it says now and what it said."""
    before = Analysis(load_texts(BRAUHAUS))
    after = Analysis(
        load_texts(
            _map(
                **{
                    "map.yaml": "context: registration, encrypted: true}=>context: registration, "
                    "encrypted: true, transfer_basis: adequacy}"
                }
            )
        )
    )
    [old] = _of(audit(before), "cross-border-basis", "f-join")
    [new] = _of(audit(after), "cross-border-basis", "f-join")
    assert old.id == new.id and old.message != new.message
    d = diff_findings([f.to_dict() for f in audit(before)], [f.to_dict() for f in audit(after)])
    assert d["counts"]["new"] == 0 and d["counts"]["resolved"] == 0
    [change] = [c for c in d["changed"] if c["id"] == old.id]
    [line] = [s for s in sentences({"findings": d}) if old.id in s]
    assert line.startswith(f"changed {old.id} (high): now ") and "no adequacy decision covers" in line
    assert "(was " in line and "names no transfer basis" in line
    assert "message" in change["fields"] and "severity" not in change["fields"]


def test_a_flow_joining_a_cause_keeps_its_finding(brauhaus):
    _a, found = brauhaus
    [before] = _of(found, "unrecorded-sharing-basis")
    files = _map(**{"map.yaml": "lawful_basis: legitimate_interests,\n     encrypted: true}=>lawful_basis: "
                    "legitimate_interests,\n     encrypted: true}\n  - {id: f-ads2, from: app, to: ads, types: [name], "
                    "purposes: [provide-service], encrypted: true}"})  # fmt: skip
    [after] = _of(audit(Analysis(load_texts(files))), "unrecorded-sharing-basis")
    assert after.id == before.id and after.flows == ("f-ads", "f-ads2")


# --------------------------------------------------------------------------- one set of findings


def _with_evidence(folder: Path) -> Path:
    files = _map(**{"map.yaml": "policy: pol}=>policy: pol, evidence: [evidence/app.bearer.json]}"})
    files["map.yaml"] = files["map.yaml"].replace(
        "{id: app, name: Loyalty app, kind: system, owner: brauhaus, jurisdiction: DE}",
        "{id: app, name: Loyalty app, kind: system, owner: brauhaus, jurisdiction: DE, evidence: {repository: [app]}}",
    )
    files["evidence/app.bearer.json"] = json.dumps(
        {"third_party": [{"third_party": "Hopfen Analytics", "data_types": ["Email Address"]}]}
    )
    return write_map(folder, files)


def test_evidence_findings_count_in_the_totals_and_the_exit_code(tmp_path):
    """The code sends email to a recipient the map does not have: that finding is one of the
    map's findings, counted by the CLI and its exit code like any other."""
    folder = _with_evidence(tmp_path / "brauhaus")
    a = Analysis(load_map(folder))
    found = assess(a)
    [seen] = _of(found, "evidence-unmapped-recipient")
    from_evidence = [f for f in found if f.rule.startswith("evidence-")]
    assert seen.severity == "high" and len(found) == len(audit(a)) + len(from_evidence)
    r = subprocess.run([*FLOWATLAS, "audit", str(folder), "--format", "json"], capture_output=True, text=True)
    listed = json.loads(r.stdout)
    assert r.returncode == 1 and len(listed) == len(found) and seen.id in {d["id"] for d in listed}
    # only the evidence finding is high once the rest is fixed: --fail-on high still fails
    alone = subprocess.run(
        [*FLOWATLAS, "audit", str(folder), "--fail-on", "high", "--rule", "evidence-unmapped-recipient"],
        capture_output=True,
        text=True,
    )
    assert alone.returncode == 1, alone.stderr
    quiet = subprocess.run([*FLOWATLAS, "audit", str(folder), "--no-evidence", "--format", "json"],
                           capture_output=True, text=True)  # fmt: skip
    assert len(json.loads(quiet.stdout)) == len(found) - len(from_evidence)


def test_the_inventory_counts_distinct_findings():
    """A finding about a flow carrying two types of one purpose counts once for that purpose."""
    from flowatlas.report import rich

    a = Analysis(load_texts(BRAUHAUS))
    found = audit(a)
    rows = inventory(a, found)
    per_purpose = {}
    for r in rows.to_dict("records"):
        per_purpose.setdefault(r["purpose"], set()).update(x for x in r["finding_ids"].split("; ") if x)
    summed = rows.groupby("purpose")["findings"].sum().to_dict()
    assert any(summed[p] > len(ids) for p, ids in per_purpose.items())  # the case is planted: types share one
    html = rich.inventory(rows.to_dict("records"), full="x")
    for p, ids in per_purpose.items():
        if ids:
            name = rows[rows.purpose == p].purpose_name.iloc[0]
            assert f"{name} ({p}) — " in html and f", {len(ids)} finding" in html.split(f"{name} ({p}) — ")[1][:200]


# --------------------------------------------------------------------------- a map valid today


def test_a_map_whose_own_types_the_base_taxonomy_also_has_loads_with_its_own(tmp_path):
    """The map defines 'health' and 'date-of-birth' for itself; the base taxonomy has both. The
    map's definitions win, validation notes each, and the audit reads them."""
    own = {
        **BRAUHAUS,
        "types.yaml": """
information_types:
  - {id: health, name: Allergies we ask about, parent: personal, sensitivity: ordinary}
  - {id: date-of-birth, name: Birthday (for the free beer), parent: contact}
""",
    }
    own["map.yaml"] = own["map.yaml"].replace("types: [name, email], purposes: [provide-service],\n     context",
                                              "types: [name, email, date-of-birth, health], purposes: "
                                              "[provide-service],\n     context")  # fmt: skip
    folder = write_map(tmp_path / "own", own)
    m = load_map(folder)
    assert m.types["health"].name == "Allergies we ask about" and not m.is_sensitive("health")
    assert m.type_tree.covers("contact", "date-of-birth")
    assert [n.src.file.rsplit("/", 1)[-1] for n in m.notes] == ["types.yaml", "types.yaml"]
    assert {n.message.split("'")[1] for n in m.notes} == {"health", "date-of-birth"}
    found = audit(Analysis(m))
    [col] = _of(found, "undeclared-collection", "f-join")
    assert col.severity == "medium"  # the map's 'health' is not sensitive: not raised to high
    r = subprocess.run([*FLOWATLAS, "validate", str(folder)], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr.count("flowatlas: note:") == 2 and "types.yaml:3:5" in r.stderr


# --------------------------------------------------------------------------- the diff of two maps


def test_diff_of_two_maps_reads_the_countries_the_analysis_decides(tmp_path):
    old = Analysis(load_texts(BRAUHAUS))
    files = _map(**{"map.yaml": "to: us-edge, types: [name, email]=>to: app, types: [name, email]"})
    new = Analysis(load_texts(files))
    d = diff_maps(old, new, audit(old), audit(new))
    assert d["countries"] == {"added": [], "removed": []}  # US is still reached (f-store starts there)
    assert [c["id"] for c in d["flows"]["changed"]] == ["f-join"]
    resolved = {x["rule"] for x in d["findings"]["resolved"]}
    assert "cross-border-basis" in resolved


def test_the_brewery_maps_load_as_yaml(tmp_path):
    """The test map is a map a person could write: every file parses as plain YAML."""
    for text in BRAUHAUS.values():
        assert isinstance(yaml.safe_load(text), dict)


# --------------------------------------------------------------------------- one analysis per run


@pytest.mark.slow
def test_one_report_process_builds_the_graph_and_the_policy_index_once(tmp_path, monkeypatch):
    """The runner analyses the map once: its findings (the evidence's among them), the inventory
    and the diff all read that one Analysis. The notebooks run in processes of their own; what
    they show counts the same findings (run.json, findings.json and the report agree)."""
    import flowatlas.analysis as analysis_module
    from flowatlas.analysis import graph as graph_module
    from flowatlas.report.runner import run_report

    builds: list[str] = []
    real_build = graph_module.build_graph

    def counting_build(*args, **kw):
        builds.append("graph")
        return real_build(*args, **kw)

    class CountingIndex(analysis_module.PolicyIndex):
        def __init__(self, *args, **kw) -> None:
            builds.append("policy index")
            super().__init__(*args, **kw)

    monkeypatch.setattr(graph_module, "build_graph", counting_build)
    monkeypatch.setattr(analysis_module, "PolicyIndex", CountingIndex)
    folder = _with_evidence(tmp_path / "brauhaus")
    result = run_report(folder, out=tmp_path / "out", fail_on="high")
    assert result.exit_code == 1, result.message
    assert sorted(builds) == ["graph", "policy index"]
    data = json.loads((result.run_dir / "findings.json").read_text("utf-8"))
    assert "evidence-unmapped-recipient" in {f["rule"] for f in data["findings"]}
    counts = data["counts"]
    assert result.manifest["findings"] == counts and sum(counts.values()) == len(data["findings"])
    assert result.message.startswith(f"{sum(counts.values())} findings ({counts['high']} high, ")
    assert f"; {counts['high']} at or above high (--fail-on high)" in result.message
    html = (result.run_dir / "report.html").read_text("utf-8")
    assert f"{counts['high']} high" in html and "Hopfen Analytics" in html
