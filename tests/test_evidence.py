"""Evidence (code scans, Terraform state) read with their locations, and reconciled with maps.

The Absoloop map ships evidence with planted disagreements (dataflows/absoloop/evidence/README.md);
the other tests use a GDPR map of another shape, written here, with evidence in the other key
spellings the scanners' versions use.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flowatlas.analysis import Analysis
from flowatlas.cli import main
from flowatlas.errors import MapValidationError
from flowatlas.evidence import cloud_country, read_evidence, read_texts
from flowatlas.evidence.reconcile import RECONCILE_RULES, reconcile
from flowatlas.loader import load_map

from conftest import ABSOLOOP

EVIDENCE = ABSOLOOP / "evidence"
SECRET = "fixture-secret-never-shown"

#: What the Absoloop evidence plants (README.md there): rule, severity, map record, evidence file.
PLANTED = {
    ("evidence-unmapped-recipient", "high", "client-sdk", "absoloop-rtc-sdk.privado.json"),
    ("evidence-unmapped-flow", "high", "client-sdk", "absoloop-rtc-sdk.privado.json"),
    ("evidence-leakage", "medium", "client-sdk", "absoloop-rtc-sdk.privado.json"),
    ("evidence-region-mismatch", "high", "cdr-archive", "absoloop-infra.tfstate.json"),
    ("evidence-unverified-flow", "info", "f-223-vocalis-extension", ""),
}


def _line(path: str, line: int) -> str:
    return Path(path).read_text("utf-8").splitlines()[line - 1]


def _record(path: str, line: int) -> str:
    """The record that starts at ``line`` (an object opened there: its first two lines)."""
    lines = Path(path).read_text("utf-8").splitlines()
    return "\n".join(lines[line - 1 : line + 1])


def test_absoloop_reconcile_reports_exactly_the_planted_disagreements():
    m = load_map(ABSOLOOP)
    found = reconcile(Analysis(m), read_evidence([EVIDENCE]))
    got = {
        (f.rule, f.severity, (f.flows or f.nodes)[0], Path(f.evidence[0].file).name if f.evidence else "")
        for f in found
    }
    assert got == PLANTED
    by_rule = {f.rule: f for f in found}
    # each finding points at the map record and at the evidence's own line, which names what it saw
    mixpanel = by_rule["evidence-unmapped-recipient"]
    assert "Mixpanel" in mixpanel.message and "api.mixpanel.com" in mixpanel.message
    assert "id: client-sdk" in _line(mixpanel.src.file, mixpanel.src.line)
    assert '"name": "Mixpanel"' in _record(mixpanel.evidence[0].file, mixpanel.evidence[0].line)
    assert "absoloop-rtc-sdk/src/analytics/usage.ts:17:3" in [str(s) for s in mixpanel.evidence]
    region = by_rule["evidence-region-mismatch"]
    assert "id: cdr-archive" in _line(region.src.file, region.src.line)
    assert '"module.archive.aws_s3_bucket.cdr"' in _record(region.evidence[0].file, region.evidence[0].line)
    assert region.countries == ("JP", "SG") and [c.clause for c in region.clauses] == ["2.1"]
    flow = by_rule["evidence-unmapped-flow"]
    assert flow.organisations == ("crashlens",) and "no flow from client-sdk" in flow.message
    leak = by_rule["evidence-leakage"]
    assert leak.types == ("user-id",) and leak.clauses  # held against the security declarations
    assert by_rule["evidence-unverified-flow"].src.file.endswith("flows-sharing.yaml")


def test_sensitive_values_of_the_state_are_never_read_or_printed(capsys):
    obs = read_evidence([EVIDENCE / "absoloop-infra.tfstate.json"])
    assert SECRET not in repr(obs)
    db = next(o for o in obs if o.name == "aws_db_instance.account")
    assert (db.region, db.country) == ("ap-southeast-1", "SG")  # from the ARN
    kms = next(o for o in obs if o.name == "module.archive.aws_kms_key.cdr")
    assert kms.region == "ap-northeast-1"
    assert not any(o.name.startswith("data.") for o in obs)  # data sources are not resources of the map
    for fmt in ("table", "json", "csv", "sarif"):
        main(["reconcile", str(ABSOLOOP), "--format", fmt])
        out = capsys.readouterr().out
        assert SECRET not in out and "accounts_admin" not in out


def test_reconcile_reads_the_maps_own_evidence_list_and_exits_by_fail_on(capsys, tmp_path):
    assert main(["reconcile", str(ABSOLOOP)]) == 1  # high findings
    assert main(["reconcile", str(ABSOLOOP), "--fail-on", "high", "--rule", "evidence-leakage"]) == 0
    assert main(["reconcile", str(ABSOLOOP), "--evidence", str(EVIDENCE / "web-console.bearer.json")]) == 0
    capsys.readouterr()
    # one --evidence takes several paths, as the shell expands a glob; repeating it adds to them
    scans = [str(EVIDENCE / "absoloop-rtc-sdk.privado.json"), str(EVIDENCE / "web-console.bearer.json")]
    state = str(EVIDENCE / "absoloop-infra.tfstate.json")
    for argv in (["--evidence", *scans, state], ["--evidence", *scans, "--evidence", state]):
        assert main(["reconcile", str(ABSOLOOP), *argv, "--format", "json"]) == 1
        rules = {f["rule"] for f in json.loads(capsys.readouterr().out)}
        assert {"evidence-unmapped-recipient", "evidence-region-mismatch"} <= rules
    assert main(["reconcile", str(ABSOLOOP), "--rule", "nope"]) == 2
    assert "unknown rule" in capsys.readouterr().err


def test_cloud_regions_of_three_providers():
    assert cloud_country("eu-central-1") == "DE"
    assert cloud_country("europe-west3-a") == "DE"
    assert cloud_country("West Europe") == "NL"
    assert cloud_country("EU") == "EU"
    assert cloud_country("mars-north-1") == ""


# --------------------------------------------------------------------------- another map

GDPR_MAP = """
map: {id: brightpath, name: Brightpath Learning, controller: brightpath, home: DE, as_of: 2026-06-01, policy: pp}
organisations:
  - {id: brightpath, name: Brightpath Learning GmbH, role: controller, jurisdiction: DE}
  - id: tutorly
    name: Tutorly Inc.
    role: processor
    jurisdiction: US
    evidence: {names: [tutorly.io]}
nodes:
  - {id: learner, name: Learner, kind: subject, subject: account-holder}
  - id: shop
    name: Course shop
    kind: system
    owner: brightpath
    jurisdiction: DE
    evidence: {repository: [shop-web]}
  - id: orders
    name: Orders database
    kind: store
    owner: brightpath
    jurisdiction: DE
    retention: P1Y
    evidence: {terraform: [module.data.google_sql_database_instance.orders]}
  - id: media
    name: Lesson recordings
    kind: store
    owner: brightpath
    jurisdiction: DE
    retention: P1Y
    evidence: {terraform: [azurerm_storage_account.media]}
  - id: keys
    name: Key vault
    kind: store
    owner: brightpath
    jurisdiction: DE
    retention: P1Y
    evidence: {terraform: [aws_secretsmanager_secret.keys, aws_s3_bucket.gone]}
  - {id: tutor-app, name: Tutoring app, kind: system, owner: tutorly, jurisdiction: US}
flows:
  - {id: f1, from: learner, to: shop, types: [name, email], purposes: [provide-service], context: registration,
     lawful_basis: contract}
  - {id: f2, from: shop, to: orders, types: [name, email], purposes: [provide-service]}
  - {id: f3, from: shop, to: media, types: [video], purposes: [provide-service]}
  - {id: f4, from: shop, to: keys, types: [credentials], purposes: [security]}
  - id: f5
    from: shop
    to: tutor-app
    types: [name]
    purposes: [provide-service]
    sharing_basis: on_instruction
    transfer_basis: contract
policies:
  - id: pp
    title: Brightpath privacy notice
    version: "2026-01"
    controller: brightpath
    declarations:
      - {id: s1, kind: storage, clause: "4", quote: "We store your data in the EEA.", locations: [EEA]}
      - id: sec
        kind: security
        clause: "7"
        quote: "We protect credentials."
        types: [credentials]
        measures: [encryption_at_rest]
"""

#: Bearer's privacy report in its camel-case spelling, a data-flow report in snake case.
BEARER_PRIVACY = {
    "thirdParty": [
        {"thirdParty": "Tutorly", "dataTypes": ["Fullname", "Email Address"]},
        {"thirdParty": "Hotjar", "dataTypes": ["IP Address"]},
    ]
}
BEARER_DATAFLOW = {
    "data_types": [
        {
            "name": "Email Address",
            "detectors": [{"name": "ruby", "locations": [{"filename": "app/a.rb", "line_number": 3}]}],
        },
        {
            "name": "Date of Birth",
            "detectors": [{"name": "ruby", "locations": [{"filename": "app/b.rb", "line_number": 9}]}],
        },
        {
            "name": "Voice Print",
            "detectors": [{"name": "ruby", "locations": [{"filename": "app/c.rb", "lineNumber": 4}]}],
        },
    ],
    "risks": [
        {
            "detector_id": "ruby_lang_logger",
            "data_types": [{"name": "Password", "locations": [{"filename": "app/session.rb", "line_number": 12}]}],
        },
        {"detector_id": "ruby_lang_http_insecure", "data_types": [{"name": "Email Address", "locations": []}]},
    ],
    "components": [{"name": "Sentry", "type": "external_service", "sub_type": "third_party", "locations": []}],
}
STATE = {
    "format_version": "1.0",
    "values": {
        "root_module": {
            "resources": [
                {
                    "address": "azurerm_storage_account.media",
                    "mode": "managed",
                    "type": "azurerm_storage_account",
                    "values": {"location": "Southeast Asia", "primary_access_key": "k3y"},
                    "sensitive_values": {"primary_access_key": True},
                },
                {
                    "address": "aws_secretsmanager_secret.keys",
                    "mode": "managed",
                    "type": "aws_secretsmanager_secret",
                    "values": {"region": "eu-central-1"},
                    "sensitive_values": {"region": True},
                },
            ],
            "child_modules": [
                {
                    "address": "module.data",
                    "child_modules": [{"address": "module.data.inner", "resources": []}],
                    "resources": [
                        {
                            "address": "module.data.google_sql_database_instance.orders",
                            "mode": "managed",
                            "type": "google_sql_database_instance",
                            "values": {"region": "europe-west3"},
                        }
                    ],
                }
            ],
        }
    },
}


@pytest.fixture
def brightpath(make_map):
    folder = make_map({"map.yaml": GDPR_MAP})
    ev = folder / "evidence"
    ev.mkdir()
    (ev / "shop-web.bearer.json").write_text(json.dumps(BEARER_PRIVACY, indent=1), "utf-8")
    (ev / "shop-web.dataflow.json").write_text(json.dumps(BEARER_DATAFLOW, indent=1), "utf-8")
    (ev / "state.json").write_text(json.dumps(STATE, indent=1), "utf-8")
    (ev / "other.privado.json").write_text(json.dumps({"repoName": "billing-svc", "sources": [], "dataFlow": {}}))
    return folder


def test_reconcile_another_map_in_other_spellings(brightpath):
    m = load_map(brightpath)  # the evidence folder is not read as map files
    found = reconcile(Analysis(m), read_evidence([brightpath / "evidence"]))
    got = {(f.rule, f.severity, f.key) for f in found}
    assert got == {
        ("evidence-unmapped-recipient", "high", "hotjar"),  # a third party the map lacks
        ("evidence-unmapped-recipient", "high", "sentry"),  # a component of the data-flow report
        ("evidence-unmapped-flow", "high", "tutorly"),  # the flow to tutorly does not carry email
        ("evidence-unmapped-type", "medium", "date-of-birth"),  # handled by the shop, on no flow
        ("evidence-unmapped-type", "low", "voiceprint"),  # no type of the map names it
        ("evidence-leakage", "high", "rubylanglogger:Password"),
        ("evidence-region-mismatch", "high", "azurerm_storage_account.media"),  # SG is outside the EEA
        ("evidence-unread-resource", "low", "aws_secretsmanager_secret.keys"),  # region marked sensitive
        ("evidence-unread-resource", "low", "aws_s3_bucket.gone"),  # not in the state
        ("evidence-unlinked-system", "low", "billingsvc"),  # a scan no node names
    }
    by_key = {f.key: f for f in found}
    assert by_key["tutorly"].types == ("email",) and by_key["tutorly"].flows == ("f5",)
    assert [c.clause for c in by_key["azurerm_storage_account.media"].clauses] == ["4"]
    assert "marked sensitive" in by_key["aws_secretsmanager_secret.keys"].message
    assert [c.clause for c in by_key["rubylanglogger:Password"].clauses] == ["7"]
    voice = by_key["voiceprint"]
    assert [str(s) for s in voice.evidence][1] == "app/c.rb:4:1"  # lineNumber, the other spelling
    assert "k3y" not in repr(found)


def test_a_region_group_and_a_zone_are_read(brightpath):
    """GCP's europe-west3 is DE, the node's own country: no finding for orders."""
    found = reconcile(Analysis(load_map(brightpath)), read_evidence([brightpath / "evidence" / "state.json"]))
    assert "orders" not in {n for f in found for n in f.nodes}


def test_bad_evidence_names_the_file_and_line(tmp_path):
    with pytest.raises(MapValidationError) as e:
        read_texts([("scan.json", '{"repoName": "x",\n  "sources": [,]}')])
    assert str(e.value.errors[0].src) == "scan.json:2:15"
    with pytest.raises(MapValidationError) as e:
        read_texts([("notes.json", '{"hello": 1}')])
    assert "no evidence reader recognises" in e.value.errors[0].message and "terraform" in e.value.errors[0].hint


def test_cli_bad_evidence_exits_2_without_traceback(brightpath, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "flowatlas", "reconcile", str(brightpath), "--evidence", str(bad)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "bad.json:1:2" in r.stderr and "JSON syntax error" in r.stderr


def test_a_map_without_evidence_is_told_how_to_give_it(make_map, capsys):
    folder = make_map({"map.yaml": GDPR_MAP})
    assert main(["reconcile", str(folder)]) == 2
    assert "--evidence" in capsys.readouterr().err


def test_every_reconcile_rule_is_exercised_by_some_test_map(brightpath):
    found = reconcile(Analysis(load_map(brightpath)), read_evidence([brightpath / "evidence"]))
    found += reconcile(Analysis(load_map(ABSOLOOP)), read_evidence([EVIDENCE]))
    assert {f.rule for f in found} == set(RECONCILE_RULES)


def test_text_from_evidence_is_inert_in_every_output(brightpath, capsys):
    """A scanner's names are text from outside: control characters never reach the terminal,
    a cell never becomes a formula, and the SARIF stays JSON."""
    hostile = {"third_party": [{"third_party": '=HYPERLINK("x")\x1b[31m<script>alert(1)</script>', "data_types": []}]}
    (brightpath / "evidence" / "shop-web.bearer.json").write_text(json.dumps(hostile), "utf-8")
    evidence = str(brightpath / "evidence" / "shop-web.bearer.json")
    main(["reconcile", str(brightpath), "--evidence", evidence])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b" in out
    main(["reconcile", str(brightpath), "--evidence", evidence, "--format", "csv"])
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    main(["reconcile", str(brightpath), "--evidence", evidence, "--format", "sarif"])
    json.loads(capsys.readouterr().out)


def test_a_report_whose_evidence_cannot_be_read_writes_nothing(tmp_path):
    """Evidence the map names but that is missing stops the report before its run folder exists."""
    copy = tmp_path / "absoloop"
    shutil.copytree(ABSOLOOP, copy)
    text = (copy / "map.yaml").read_text("utf-8").replace("evidence/web-console.bearer.json", "evidence/gone.json")
    (copy / "map.yaml").write_text(text, "utf-8")
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "flowatlas", "report", str(copy), "--out", str(out), "-q"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "gone.json:1:1: cannot read this evidence file" in r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


def test_the_docs_describe_every_reconcile_rule():
    text = (ABSOLOOP.parents[1] / "docs" / "evidence.md").read_text("utf-8")
    for r in RECONCILE_RULES.values():
        assert f"| `{r.id}` | {r.severity} |" in text, r.id


#: A Privado scan of the shop of another shape: special categories, Privado's generic "Third
#: Party API" sink (named by its apiUrl, and one whose address is a template), scanned in CI.
PRIVADO_SPECIAL = {
    "repoName": "shop-web",
    "localScanPath": "/home/runner/work/shop-web/shop-web",
    "sources": [
        {"id": "Data.Sensitive.PersonalCharacteristics.Religion/ReligiousBeliefs",
         "name": "Religion / Religious Beliefs", "isSensitive": True, "sensitivity": "high"},
        {"id": "Data.Sensitive.HealthData.MedicalCertificates", "name": "Medical Certificates", "isSensitive": True},
        {"id": "Data.Sensitive.NationalIdentificationNumbers.Passport", "name": "Passport", "sensitivity": "high"},
        {"id": "Data.Sensitive.Custom.ShoeSize", "name": "Shoe Size", "isSensitive": True},
        {"id": "Data.Sensitive.Custom.FavouriteColour", "name": "Favourite Colour", "isSensitive": False},
    ],
    "processing": [
        {"sourceId": "Data.Sensitive.HealthData.MedicalCertificates", "occurrences": [
            {"fileName": "/home/runner/work/shop-web/shop-web/app/sick_note.rb", "lineNumber": 7, "columnNumber": 2}]},
    ],
    "dataFlow": {
        "third_parties": [
            {"sourceId": "Data.Sensitive.HealthData.MedicalCertificates", "sinks": [
                {"sinkType": "third_parties", "id": "ThirdParties.API.api.tutorly.io", "name": "Third Party API",
                 "domains": [], "apiUrl": ["https://api.tutorly.io/v2/notes"],
                 "paths": [{"path": [
                     {"fileName": "/home/runner/work/shop-web/shop-web/app/notes.rb", "lineNumber": 3}]}]},
                {"sinkType": "third_parties", "id": "ThirdParties.API", "name": "Third Party API",
                 "apiUrl": ["${HOOK_URL}/v1"], "paths": []},
            ]},
        ],
    },
    "violations": [
        {"policyId": "Policy.Custom.NoHealthToVendors", "policyDetails": {"name": "Health data to a vendor"},
         "dataFlow": [{"sourceId": "Data.Sensitive.HealthData.MedicalCertificates",
                       "sinkId": "ThirdParties.API.api.tutorly.io"}]},
        {"policyId": "Policy.Custom.Cookies", "policyDetails": {"name": "Cookies without consent"}, "dataFlow": []},
    ],
}  # fmt: skip


def test_privado_special_categories_generic_api_and_ci_paths(brightpath):
    path = brightpath / "evidence" / "special.privado.json"
    path.write_text(json.dumps(PRIVADO_SPECIAL, indent=1), "utf-8")
    obs = read_evidence([path])
    found = reconcile(Analysis(load_map(brightpath)), obs)
    got = {(f.rule, f.severity, f.key) for f in found}
    # special categories are the map's sensitive types, each handled on no flow: high
    special = ("religious-belief", "medical-record", "passport-number")
    assert {("evidence-unmapped-type", "high", t) for t in special} < got
    assert ("evidence-unmapped-type", "high", "shoesize") in got  # no type, but Privado marks it sensitive
    assert ("evidence-unmapped-type", "low", "favouritecolour") in got
    # the generic API sink is the recipient its apiUrl names: Tutorly, whose flow carries no health data
    flow = next(f for f in found if f.rule == "evidence-unmapped-flow")
    assert (flow.key, flow.severity, flow.types) == ("apitutorlyio", "high", ("medical-record",))
    assert "Privado flags it: Health data to a vendor" in flow.message
    assert not any("Third Party API" in f.message for f in found)
    unused = {o.name: o.note for o in obs if o.kind == "unused"}
    assert "HOOK_URL" in unused["Medical Certificates sent to 'Third Party API'"]
    assert "names no flow" in unused["violation 'Cookies without consent'"]
    code = {str(s) for o in obs for s in o.code}
    assert code == {"shop-web/app/sick_note.rb:7:2", "shop-web/app/notes.rb:3:1"}
