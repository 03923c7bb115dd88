"""The evidence readers on files real tools wrote (tests/evidence_real/README.md gives each
file's origin, commit and licence). Terraform: regions from the resources, else from the provider
configuration they use (aliases, modules inheriting a provider); UTF-16 plans; the raw state file
refused with the command that converts it. Bearer: its current risk form (a logged email, data
sent to Sentry) and the report its platform receives."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from flowatlas.analysis import Analysis
from flowatlas.errors import MapValidationError
from flowatlas.evidence import EVIDENCE_READERS, read_evidence
from flowatlas.evidence.reconcile import reconcile
from flowatlas.loader import load_map

from conftest import ROOT

REAL = ROOT / "tests" / "evidence_real"


def _regions(name: str) -> dict[str, tuple[str, str, str]]:
    return {o.name: (o.region, o.country, o.note) for o in read_evidence([REAL / name]) if o.kind == "location"}


def test_a_55_resource_aws_plan_gives_each_resource_its_providers_region():
    got = _regions("checkov/aws-55-resources.tfplan.json")
    assert len(got) == 55
    placed = {a: v for a, v in got.items() if v[0]}
    assert {(r, c) for r, c, _ in placed.values()} == {("us-west-2", "US")}  # provider "aws": region us-west-2
    assert set(got) - set(placed) == {"null_resource.push_image"}  # a null resource is nowhere
    assert {n for _, _, n in placed.values()} == {"the region of its provider configuration 'aws'"}


def test_an_aliased_provider_gives_its_own_region_and_an_unconfigured_one_none():
    got = _regions("checkov/provider-alias.tfplan.json")
    assert got["aws_cloudwatch_log_group.aws_route53_example_com"][:2] == ("us-east-1", "US")  # provider aws.us-east-1
    assert got["aws_cloudwatch_log_resource_policy.route53-query-logging-policy"][0] == "us-east-1"
    # "aws" has no configuration in this plan: its region comes from the environment, which the plan does not say
    assert got["aws_route53_zone.example_com"][0] == "" and got["aws_route53_query_log.example_com"][0] == ""


@pytest.mark.parametrize(
    "name, region, country",
    [
        ("checkov/child-module.tfplan.json", "eu-west-1", "IE"),
        ("checkov/nested-modules.tfplan.json", "us-west-2", "US"),
    ],
)
def test_a_module_inherits_the_provider_of_the_module_above(name, region, country):
    got = _regions(name)
    modules = {a: v for a, v in got.items() if a.startswith("module.")}
    assert modules and {v[:2] for v in modules.values()} == {(region, country)}


def test_a_plan_powershell_wrote_in_utf_16_is_read():
    raw = (REAL / "checkov" / "utf-16.tfplan.json").read_bytes()
    assert raw.startswith(b"\xff\xfe")
    got = _regions("checkov/utf-16.tfplan.json")
    assert sorted(a for a, v in got.items() if v[0] == "us-east-1") == [
        "aws_iam_role_policy.fail_1",
        "aws_s3_bucket.s3-bucket",
    ]


def test_a_state_without_regions_says_so_for_each_resource():
    got = _regions("terraform-json/no_changes.state.json")
    assert got and all(v[0] == "" and "no region" in v[2] for v in got.values())


def test_the_raw_state_file_is_refused_with_the_command_that_converts_it():
    with pytest.raises(MapValidationError) as err:
        read_evidence([REAL / "terraform-json" / "no_changes.terraform.tfstate"])
    text = str(err.value)
    assert "no_changes.terraform.tfstate:1:1" in text and "terraform show -json terraform.tfstate" in text
    run = subprocess.run(
        [sys.executable, "-m", "flowatlas", "reconcile", str(ROOT / "dataflows" / "absoloop"),
         "--evidence", str(REAL / "terraform-json" / "no_changes.terraform.tfstate")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 2 and "raw state" in run.stderr and "Traceback" not in run.stderr


# --------------------------------------------------------------------------- Bearer's current report form

BEARER = REAL / "bearer" / "rails-app.bearer.json"


def _bearer(tmp_path, unwrap: bool):
    """The real report, as Bearer's platform receives it or (unwrap) as `bearer scan --report
    dataflow --format json` writes its dataflow part."""
    if not unwrap:
        return read_evidence([BEARER])
    plain = tmp_path / "rails-app.bearer.json"
    plain.write_text(json.dumps(json.loads(BEARER.read_text("utf-8"))["dataflow"], indent=2), "utf-8")
    return read_evidence([plain])


@pytest.mark.parametrize("unwrap", [False, True], ids=["platform-report", "dataflow-report"])
def test_bearers_current_risks_give_the_logged_email_and_the_data_sent_to_sentry(tmp_path, unwrap):
    obs = _bearer(tmp_path, unwrap)
    leaks = [o for o in obs if o.kind == "leakage"]
    assert [(o.name, o.labels) for o in leaks] == [("ruby_rails_logger", ("Email Address",))]
    assert [(s.file, s.line) for s in leaks[0].code] == [("app/controllers/application_controller.rb", 35)]
    sentry = [o for o in obs if o.kind == "flow" and o.name == "Sentry" and o.labels]
    assert [(o.labels, [(s.file, s.line) for s in o.code]) for o in sentry] == [
        (("Email Address",), [("app/controllers/application_controller.rb", 39)])
    ]  # named as the report's component spells it, not "Sentry" from the detector by chance
    # risks that are not a logger or a third party (cookies, files, JWT, insecure HTTP) are no flow
    assert not {o.name for o in obs} & {"ruby_lang_cookies", "ruby_lang_jwt", "ruby_lang_file_generation"}


def test_bearers_earlier_risk_form_still_reads():
    earlier = {
        "data_types": [],
        "risks": [{"detector_id": "ruby_rails_logger", "data_types": [{"name": "Email Address", "locations": [
            {"filename": "app/models/user.rb", "line_number": 7}]}]}],
    }  # fmt: skip
    from flowatlas.evidence import read_texts

    (leak,) = [o for o in read_texts([("old.bearer.json", json.dumps(earlier))]) if o.kind == "leakage"]
    assert leak.labels == ("Email Address",) and (leak.code[0].file, leak.code[0].line) == ("app/models/user.rb", 7)


def test_bearers_privacy_report_gives_its_subjects_and_no_placeholder_type():
    obs = read_evidence([REAL / "bearer" / "bear-publishing.privacy.bearer.json"])
    flows = {o.name: o for o in obs if o.kind == "flow"}
    assert flows["Sentry"].labels == ("Email Address",)
    assert flows["Segment"].labels == () and "could not tell" in flows["Segment"].note  # not a type named Unknown
    types = {o.name: o.note for o in obs if o.kind == "type"}
    assert types["Email Address"] == "of subject User; detected 9 times"
    assert types["Telephone Number"] == "of subject User; detected 1 time"
    assert "could not tell" in types["Transactions"] and "Unknown" not in types
    assert not any("Unknown" in o.labels for o in obs)


# --------------------------------------------------------------------------- nothing read is dropped silently


def _unused(name: str) -> dict[str, str]:
    return {o.name: o.note for o in read_evidence([REAL / name]) if o.kind == "unused"}


def test_every_risk_and_section_of_a_bearer_report_is_used_or_accounted_for():
    doc = json.loads(BEARER.read_text("utf-8"))
    flow = doc["dataflow"]
    # used: logger risks (leakages) and third parties' risks that carry data types (flows)
    carries = {r["detector_id"]: any(loc.get("data_types") for loc in r["locations"]) for r in flow["risks"]}
    used = {d for d, data in carries.items() if "logger" in d or ("third_parties_" in d and data)}
    unused = _unused("bearer/rails-app.bearer.json")
    assert {n for n in unused if n.startswith("risk ")} == {f"risk '{d}'" for d in carries if d not in used}
    assert len(used) + sum(n.startswith("risk ") for n in unused) == len(flow["risks"])  # the account adds up
    sections = {k for k, v in {**doc, **flow}.items() if v and k != "dataflow"}
    read = {"data_types", "risks", "components"}
    assert {n for n in unused if n.startswith("section ")} == {f"section '{k}'" for k in sections - read}
    assert all(why for why in unused.values())


def test_every_resource_and_section_of_a_plan_is_used_or_accounted_for():
    from flowatlas.evidence.terraform import READ_SECTIONS

    doc = json.loads((REAL / "checkov" / "aws-55-resources.tfplan.json").read_text("utf-8"))
    obs = read_evidence([REAL / "checkov" / "aws-55-resources.tfplan.json"])

    def resources(m):
        return len(m.get("resources", [])) + sum(resources(c) for c in m.get("child_modules", []))

    located = [o for o in obs if o.kind == "location"]
    data_sources = [o for o in obs if o.kind == "unused" and o.name.startswith("data source")]
    assert len(located) + len(data_sources) == resources(doc["planned_values"]["root_module"])
    listed = {o.name for o in obs if o.kind == "unused" and o.name.startswith("section ")}
    assert listed == {
        f"section '{k}'" for k, v in doc.items() if v not in (None, [], {}, "") and k not in READ_SECTIONS
    }
    assert "section 'resource_changes'" in listed


def test_reconcile_names_what_it_read_and_did_not_use():
    run = subprocess.run(
        [sys.executable, "-m", "flowatlas", "reconcile", str(ROOT / "dataflows" / "absoloop"), "--format", "json"],
        capture_output=True, text=True,
    )  # fmt: skip
    lines = run.stderr.splitlines()
    assert "2 elements of the evidence read but not used:" in lines[0]
    assert any(
        "absoloop-infra.tfstate.json:" in x and "data source 'data.aws_caller_identity.current'" in x for x in lines
    )
    assert isinstance(json.loads(run.stdout), list)  # stdout stays the findings alone


# --------------------------------------------------------------------------- Privado

PRIVADO = REAL / "privado" / "crapi.privado.json"

#: A map of crAPI's identity service of our own: the scan's repository is its code, the
#: database the scan names by its JDBC sinks is its store.
CRAPI_MAP = """
map: {id: crapi, name: crAPI car services, controller: crapi-co, home: DE, as_of: 2026-06-01, policy: notice}
organisations:
  - {id: crapi-co, name: crAPI Car Services GmbH, role: controller, jurisdiction: DE}
nodes:
  - {id: driver, name: Driver, kind: subject, subject: account-holder}
  - id: identity
    name: Identity service
    kind: system
    owner: crapi-co
    jurisdiction: DE
    evidence: {repository: [crAPI]}
  - id: users
    name: Users database
    kind: store
    owner: crapi-co
    jurisdiction: DE
    retention: P1Y
    evidence: {names: ["Java Database Connector(Read)", "Java Database Connector(Write)"]}
flows:
  - {id: signup, from: driver, to: identity, types: [name, email, password], purposes: [provide-service],
     context: registration, lawful_basis: contract}
  - {id: keep, from: identity, to: users, types: [name, email, password], purposes: [provide-service]}
policies:
  - id: notice
    title: crAPI privacy notice
    version: "2026-01"
    controller: crapi-co
    declarations:
      - {id: sec, kind: security, clause: "5", quote: "We protect your password.", types: [credentials],
         measures: [encryption_at_rest]}
"""


def test_privados_paths_are_relative_to_the_scanned_repository():
    """crAPI was scanned in Privado's container (/app/code), from a laptop's folder
    (localScanPath): neither reaches an observation."""
    obs = read_evidence([PRIVADO])
    code = [str(s) for o in obs for s in o.code]
    assert code and all(s.startswith("crAPI/services/identity/src/main/java/com/crapi/") for s in code)
    assert not any("/app/code" in s or "/Volumes" in s for s in code)


def test_every_source_sink_and_violation_of_a_privado_scan_is_used_or_accounted_for():
    doc = json.loads(PRIVADO.read_text("utf-8"))
    obs = read_evidence([PRIVADO])
    types = [o for o in obs if o.kind == "type" and o.at.line in _lines_of(doc, "sources")]
    assert sorted(o.name for o in types) == sorted(s["name"] for s in doc["sources"])  # each source, once
    sent = [(e["sourceId"], s["id"]) for sec in doc["dataFlow"].values() for e in sec for s in e["sinks"]]
    assert len([o for o in obs if o.kind in ("flow", "leakage")]) == len(sent)  # each sink of each flow
    unused = _unused("privado/crapi.privado.json")
    reached = {sink for _src, sink in sent}
    assert {n for n in unused if n.startswith("sink ")} == {
        f"sink '{s['name']}'" for s in doc["sinks"] if s["id"] not in reached
    }
    assert {n for n in unused if n.startswith("section ")} == {"section 'sinkProcessing'", "section 'probableSinks'"}
    # the one violation names log leakages: it is said on them, not listed as unused
    flagged = {(o.labels, o.name) for o in obs if o.kind == "leakage" and "PII data is written to the log" in o.note}
    assert len(flagged) == len(doc["violations"][0]["dataFlow"])
    assert not any(n.startswith("violation ") for n in unused)
    scan = next(o for o in obs if o.kind == "scan")
    assert scan.note == f"commit {doc['gitMetadata']['commitId']} on develop"


def _lines_of(doc: dict, key: str) -> set[int]:
    """The lines of privado.json the entries of ``doc[key]`` start at (the file is indented by 2)."""
    text = PRIVADO.read_text("utf-8").splitlines()
    start = next(i for i, x in enumerate(text) if x.startswith(f'  "{key}": ['))
    end = next(i for i in range(start + 1, len(text)) if text[i].startswith("  ]"))
    return {i + 1 for i in range(start, end) if text[i] == "    {"}


def test_a_privado_scan_gives_the_findings_a_reader_of_it_expects(make_map):
    folder = make_map({"map.yaml": CRAPI_MAP})
    found = reconcile(Analysis(load_map(folder)), read_evidence([PRIVADO]))
    got = sorted((f.rule, f.severity, f.key) for f in found)
    assert got == [
        ("evidence-leakage", "high", "logconsole:Account Password,Email Address"),  # a password logged
        ("evidence-leakage", "high", "loginfo:Account Password,Email Address"),
        ("evidence-leakage", "medium", "logdebug:Email Address"),
        ("evidence-leakage", "medium", "logerror:Email Address"),
        ("evidence-unmapped-flow", "high", "javadatabaseconnectorwrite"),  # stores a precise location
        ("evidence-unmapped-flow", "medium", "javadatabaseconnectorread"),  # reads an address back
        ("evidence-unmapped-type", "high", "gps-location"),
        ("evidence-unmapped-type", "low", "age"),  # no type of the map names it
        ("evidence-unmapped-type", "medium", "mailing-address"),
    ]
    by_key = {f.key: f for f in found}
    logged = by_key["loginfo:Account Password,Email Address"]
    assert "Privado flags it: PII data is written to the log files" in logged.message
    assert [c.clause for c in logged.clauses] == ["5"]
    assert "crAPI/services/identity/src/main/java/com/crapi/service/Impl/OtpServiceImpl.java:141:39" in [
        str(s) for s in logged.evidence
    ]
    assert by_key["javadatabaseconnectorwrite"].types == ("gps-location", "mailing-address")


@pytest.mark.parametrize(
    "name",
    [
        "privado/crapi.privado.json",
        "bearer/rails-app.bearer.json",
        "bearer/bear-publishing.privacy.bearer.json",
        "checkov/aws-55-resources.tfplan.json",
        "checkov/gcp-zone.tfplan.json",
        "checkov/azure.tfplan.json",
        "terraform-json/no_changes.state.json",
    ],
)
def test_docs_table_names_every_part_of_each_real_file(name):
    """docs/evidence.md's table is written from each reader's ``uses`` and ``not_used``: every part
    of a real file is in one of them (or is the metadata a reader recognises it by)."""
    obs = read_evidence([REAL / name])
    reader = EVIDENCE_READERS[next(o.reader for o in obs)]
    module = importlib.import_module(f"flowatlas.evidence.{reader.id}")
    doc = json.loads((REAL / name).read_text("utf-8-sig"))
    doc = doc.get("dataflow", doc) if isinstance(doc.get("dataflow"), dict) else doc
    documented = {part.split(".")[0] for k in (*reader.uses, *reader.not_used) for part in k.split(", ")}
    recognised = set(getattr(module, "READ_SECTIONS", ()))
    missing = {k for k, v in doc.items() if v not in (None, [], {}, "")} - documented - recognised
    assert not missing, f"{name}: parts of the file the table does not name: {sorted(missing)}"


def test_a_google_instance_is_in_its_own_zone_not_its_providers_region():
    got = _regions("checkov/gcp-zone.tfplan.json")
    assert got["google_compute_instance.default"] == ("us-central1-c", "US", "")  # was europe-west2, GB
    assert got["google_service_account.default"][:2] == ("europe-west2", "GB")  # names none: the provider's
    assert "provider configuration 'google'" in got["google_service_account.default"][2]


def test_an_azure_resource_without_a_location_is_where_its_resource_group_is():
    got = _regions("checkov/azure.tfplan.json")
    assert {a: v[1] for a, v in got.items()} == dict.fromkeys(got, "CA")
    region, _country, note = got["azurerm_network_security_rule.pass"]
    assert region == "canadacentral" and "resource group 'test' (azurerm_resource_group.test)" in note


#: A map of our own for the real Bearer report and the real Google Cloud and Azure plans: a Rails
#: shop in Germany whose code is `rails-app`, a VM and a security rule it says are in Germany.
RAILS_MAP = """
map: {id: railshop, name: Rails shop, controller: shop-gmbh, home: DE, as_of: 2026-06-01, policy: notice}
organisations:
  - {id: shop-gmbh, name: Shop GmbH, role: controller, jurisdiction: DE}
nodes:
  - {id: buyer, name: Buyer, kind: subject, subject: customer}
  - {id: web, name: Web shop, kind: system, owner: shop-gmbh, jurisdiction: DE, evidence: {repository: [rails-app]}}
  - id: vm
    name: Order VM disk
    kind: store
    owner: shop-gmbh
    jurisdiction: DE
    retention: P1Y
    evidence: {terraform: [google_compute_instance.default, google_service_account.default]}
  - id: rules
    name: Firewall rule log
    kind: store
    owner: shop-gmbh
    jurisdiction: DE
    retention: P1Y
    evidence: {terraform: [azurerm_network_security_rule.pass]}
flows:
  - {id: order, from: buyer, to: web, types: [email, name], purposes: [provide-service], context: registration,
     lawful_basis: contract}
  - {id: keep, from: web, to: vm, types: [email, name], purposes: [provide-service]}
  - {id: log, from: web, to: rules, types: [ip-address], purposes: [security]}
policies:
  - id: notice
    title: Shop privacy notice
    version: "1"
    controller: shop-gmbh
    declarations:
      - {id: where, kind: storage, clause: "3", quote: "We keep your data in the EEA.", locations: [EEA]}
      - {id: sec, kind: security, clause: "4", quote: "We protect your data.", measures: [encryption_at_rest]}
"""


def test_real_bearer_and_cloud_plans_give_the_findings_a_reader_of_them_expects(make_map):
    """The Rails report's logged email and the data it sends to Sentry; the Google instance in
    us-central1-c, the service account in its provider's europe-west2 and the Azure rule in
    canadacentral, all mapped as German: each a finding at the map record, with the evidence
    file's line."""
    folder = make_map({"map.yaml": RAILS_MAP})
    files = [BEARER, REAL / "checkov" / "gcp-zone.tfplan.json", REAL / "checkov" / "azure.tfplan.json"]
    found = reconcile(Analysis(load_map(folder)), read_evidence(files))
    got = {(f.rule, f.severity, f.key) for f in found}
    assert ("evidence-leakage", "medium", "rubyrailslogger:Email Address") in got
    assert ("evidence-unmapped-recipient", "high", "sentry") in got
    assert ("evidence-region-mismatch", "high", "google_compute_instance.default") in got  # US: outside the EEA
    assert ("evidence-region-mismatch", "high", "azurerm_network_security_rule.pass") in got  # CA, by its group
    by_key = {f.key: f for f in found}
    assert "us-central1-c" in by_key["google_compute_instance.default"].message
    # a resource that names no region: its provider's (europe-west2, GB: outside the EEA the statement names)
    account = by_key["google_service_account.default"]
    assert (account.rule, account.severity) == ("evidence-region-mismatch", "high")
    assert "europe-west2" in account.message and "provider configuration 'google'" in account.message
    assert "resource group" in by_key["azurerm_network_security_rule.pass"].message
    leak = by_key["rubyrailslogger:Email Address"]
    assert "app/controllers/application_controller.rb:35:" in " ".join(str(s) for s in leak.evidence)
    assert all(f.evidence and f.evidence[0].file.endswith(".json") for f in found)  # the evidence file, at its line
