"""Fides manifests, in and out, through the real fideslang package.

- ``flowatlas import fides`` on Absoloop's manifests (dataflows/absoloop/evidence/fides, written in
  part with fideslang 1.x keys) writes a map that validates once its TODOs are filled, and
  ``validate`` names each TODO at the file:line TODO.md gives.
- ``flowatlas export fides`` output parses with fideslang's own models, and importing it gives
  the same flows and types, edge for edge, on Absoloop (PDPA) and Kliniko (GDPR).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from fideslang.manifests import ingest_manifests
from fideslang.models import Policy, System
from fideslang.parse import load_manifests_into_taxonomy

from flowatlas.cli import main
from flowatlas.errors import MapValidationError
from flowatlas.fides import (
    DECLARATION_MODELLED,
    SYSTEM_MODELLED,
    export_fides,
    import_fides,
    migrate,
    read_manifests,
)
from flowatlas.loader import load_map
from flowatlas.model import record_dict

from conftest import ABSOLOOP, ROOT

MANIFESTS = ABSOLOOP / "evidence" / "fides"
KLINIKO = ROOT / "dataflows" / "kliniko"


def _edges(m) -> dict:
    """``{(source, target): (types, purposes)}``, people by their subject category."""
    out: dict = {}
    for f in m.flows.values():
        ends = tuple(
            ("subject", n.subject) if n.kind == "subject" else n.id for n in (m.nodes[f.source], m.nodes[f.target])
        )
        t, p = out.setdefault(ends, (set(), set()))
        t.update(f.types)
        p.update(f.purposes)
    return out


def _fill(folder: Path, values: dict[str, str]) -> None:
    for p in folder.glob("*.yaml"):
        text = p.read_text("utf-8")
        for field, value in values.items():
            text = text.replace(f"{field}: TODO", f"{field}: {value}")
        p.write_text(text, "utf-8")


def test_import_writes_a_map_whose_todos_validate_names(tmp_path, capsys):
    out = tmp_path / "imported"
    assert main(["import", "fides", str(MANIFESTS), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "TODO.md",
        "flows.yaml",
        "map.yaml",
        "nodes.yaml",
        "organisations.yaml",
    ]
    todo = (out / "TODO.md").read_text("utf-8")
    listed = set(re.findall(r"- `([\w.]+:\d+)` `(\w+)`", todo))
    with pytest.raises(MapValidationError) as e:
        load_map(out, display="imported")
    named = {(f"{Path(x.src.file).name}:{x.src.line}", x.message.split("'")[1]) for x in e.value.errors}
    assert named == listed and len(listed) == 10  # every gap, at its file:line, and nothing else
    home = next(x for x in e.value.errors if "'home'" in x.message)
    assert "home country (ISO 3166-1 alpha-2" in home.message  # and what it needs
    for spot, _ in listed:  # each listed line holds the TODO
        f, line = spot.split(":")
        assert "TODO" in (out / f).read_text("utf-8").splitlines()[int(line) - 1]
    _fill(out, {"home": "SG", "jurisdiction": "SG", "retention": "account_closure+P30D", "context": "registration"})
    m = load_map(out)
    assert m.organisations["postbox-mail-pte-ltd"].role == "processor"  # from responsibility and legal_name
    assert m.nodes["postbox-api"].owner == "postbox-mail-pte-ltd"
    e = _edges(m)
    # legacy keys migrated (user.provided.identifiable.contact.email -> email; user.credentials.password)
    assert e[(("subject", "account-holder"), "signup-service")] == ({"email", "name", "password"}, {"provide-service"})
    # a dataset reference is a flow into the store, with the dataset's fields' categories
    assert e[("account-service", "account_db")][0] == {"cookie", "email", "password", "user-id"}
    # a key the taxonomy lacks becomes a map-level term under its nearest mapped parent, and is listed
    assert m.types["cookie"].parent == "device" and m.types["cookie"].fides == "user.device.cookie"
    assert "`user.device.cookie` \u2192 `cookie`" in todo
    assert "- `mail-archive`" in todo  # an egress to a resource no manifest defines is left out, and said


def test_legacy_keys_migrate_through_both_tables():
    assert migrate("data_category", "user.provided.identifiable.contact.email") == "user.contact.email"
    assert migrate("data_category", "user.derived.identifiable.device.ip_address") == "user.device.ip_address"
    assert migrate("data_category", "user.provided.identifiable.gender") == "user.demographic.gender"
    assert migrate("data_use", "improve.system") == "functional.service.improve"
    assert migrate("data_category", "user.contact.email") == "user.contact.email"


@pytest.mark.parametrize("folder", [ABSOLOOP, KLINIKO], ids=["absoloop", "kliniko"])
def test_export_parses_with_fideslang_and_round_trips(folder, tmp_path):
    m = load_map(folder)
    out = tmp_path / "fides"
    assert main(["export", "fides", str(folder), "--out", str(out)]) == 0
    taxonomy = load_manifests_into_taxonomy(ingest_manifests(str(out)))  # fideslang's own models
    systems = {s.fides_key: s for s in taxonomy.system}
    assert set(systems) == {n.id for n in m.nodes.values() if n.kind == "system"}
    assert all(isinstance(s, System) for s in systems.values())
    assert {d.fides_key for d in taxonomy.dataset} == {n.id for n in m.nodes.values() if n.kind == "store"}
    [policy] = taxonomy.policy
    assert isinstance(policy, Policy)
    rule = next(r for r in policy.rules if r.name == "Undeclared uses")
    assert rule.data_uses.matches.value == "OTHER" and rule.data_uses.values
    # every category the systems use is fideslang's or defined by the export
    defined = {c.fides_key for c in taxonomy.data_category or []}
    from flowatlas.fides import fides_terms

    known = set(fides_terms()["data_category"]) | defined
    used = {c for s in systems.values() for d in s.privacy_declarations for c in d.data_categories}
    assert used <= known
    back = tmp_path / "back"
    assert main(["import", "fides", str(out), "--out", str(back)]) == 0
    _fill(back, {"home": m.info.home, "jurisdiction": m.info.home, "retention": "P1Y", "context": "product_use",
                 "engaged_by": m.info.controller})  # fmt: skip
    again = load_map(back)
    assert _edges(again) == _edges(m)  # the same flows (by their ends), types and purposes
    for n in m.nodes.values():  # where each node is and who owns it travel in meta
        if n.kind != "subject":
            assert (again.nodes[n.id].jurisdiction, again.nodes[n.id].owner) == (n.jurisdiction, n.owner)


def test_export_is_byte_identical_between_runs():
    m = load_map(KLINIKO)
    assert export_fides(m) == export_fides(load_map(KLINIKO))


def test_a_bad_manifest_names_the_file_line_and_field(tmp_path, capsys):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "system:\n  - fides_key: app\n    name: App\n    organization_fides_key: o\n"
        "    privacy_declarations:\n      - name: d\n        data_use: essential.service\n"
        "        data_categories: [user.name]\n        data_subjects: [customer]\n"
        "    egress:\n      - fides_key: db\n        type: warehouse\n"
        "datasett: []\n",
        "utf-8",
    )
    with pytest.raises(MapValidationError) as e:
        read_manifests([bad])
    got = {(x.src.line, x.message.split(":")[0]) for x in e.value.errors}
    assert (12, "system 'app'") in got  # egress.0.type, at its line
    assert any("unknown Fides resource type 'datasett'" in x.message for x in e.value.errors)
    assert main(["import", "fides", str(bad), "--out", str(tmp_path / "x")]) == 2
    assert "bad.yml:12" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()  # nothing half-written


@pytest.mark.parametrize("value", ["5", '"x"', "{a: 1}"])
def test_a_list_of_the_wrong_shape_is_named_not_a_crash(tmp_path, capsys, value):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        f"system:\n  - fides_key: a\n    system_type: Service\n    privacy_declarations: {value}\n"
        f"    egress: {value}\ndataset:\n  - fides_key: d\n    collections: {value}\n",
        "utf-8",
    )
    assert main(["import", "fides", str(bad), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("flowatlas: 3 errors in Fides manifests:") and "internal error" not in err
    for line, field in ((4, "privacy_declarations"), (5, "egress"), (8, "collections")):
        assert f"bad.yml:{line}:5: " in err and f"{field}: Input should be a valid list" in err


def test_import_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "full"
    out.mkdir()
    (out / "keep.yaml").write_text("x: 1\n")
    assert main(["import", "fides", str(MANIFESTS), "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (out / "keep.yaml").read_text() == "x: 1\n"


SHOP = """
map: {id: shop, name: Shop, controller: shop, home: FR, as_of: 2026-06-01}
information_types:
  - {id: loyalty-number, name: Loyalty card number, parent: user-id}
  - {id: shoe-size, name: Shoe size, parent: personal}
purposes:
  - {id: loyalty, name: Loyalty programme, parent: personalisation}
organisations:
  - {id: shop, name: Shop SAS, role: controller, jurisdiction: FR}
  - {id: hosting, name: Hosting SA, role: processor, jurisdiction: BE}
  - {id: backup-co, name: Backup Oy, role: sub_processor, jurisdiction: FI, engaged_by: hosting}
nodes:
  - {id: buyer, name: Buyer, kind: subject, subject: account-holder}
  - {id: till, name: Till app, kind: system, owner: shop, jurisdiction: FR}
  - {id: crm, name: CRM, kind: store, owner: hosting, jurisdiction: BE, retention: P2Y}
  - {id: crm-backup, name: CRM backup, kind: store, owner: backup-co, jurisdiction: FI, retention: P30D}
flows:
  - {id: f1, from: buyer, to: till, types: [loyalty-number, shoe-size, email], purposes: [loyalty],
     context: registration}
  - {id: f2, from: till, to: crm, types: [loyalty-number, shoe-size], purposes: [loyalty]}
  - {id: f3, from: crm, to: crm-backup, types: [loyalty-number], purposes: [security]}
"""


def test_a_map_of_another_shape_round_trips_with_its_own_terms(make_map, tmp_path):
    """A French shop: map-level types and a purpose, a processor and its sub-processor, and a
    backup flow between two stores (which Fides cannot express: it travels in meta)."""
    m = load_map(make_map({"map.yaml": SHOP}))
    out = tmp_path / "fides"
    out.mkdir()
    for name, text in export_fides(m).items():
        (out / name).write_text(text, "utf-8")
    load_manifests_into_taxonomy(ingest_manifests(str(out)))
    got = import_fides(read_manifests([out]))
    assert got.added_terms == [] and got.todo == []  # the map's own terms travel whole, with everything else
    back = tmp_path / "back"
    back.mkdir()
    for name, text in got.files.items():
        (back / name).write_text(text, "utf-8")
    again = load_map(back)
    assert _edges(again) == _edges(m) and sorted(again.flows) == sorted(m.flows)
    assert again.types["loyalty-number"].parent == "user-id" and again.purposes["loyalty"].parent == "personalisation"
    assert (again.organisations["backup-co"].role, again.organisations["backup-co"].engaged_by) == (
        "sub_processor",
        "hosting",
    )


def test_manifests_edited_in_fides_give_their_new_terms_as_map_level_terms(make_map, tmp_path):
    """The shop's export with the map's own record taken out (as a Fides user's own manifests
    would be): its taxonomy extensions become map-level terms under their nearest parents."""
    m = load_map(make_map({"map.yaml": SHOP}))
    out = tmp_path / "fides"
    out.mkdir()
    for name, text in export_fides(m).items():
        doc = yaml.safe_load(text)
        for system in doc.get("system", []):
            system["meta"]["flowatlas"].pop("map_record", None)
        (out / name).write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
    got = import_fides(read_manifests([out]))
    assert {(k, i) for k, _, i in got.added_terms} == {
        ("types", "loyalty-number"),
        ("types", "shoe-size"),
        ("purposes", "loyalty"),
    }
    back = tmp_path / "back"
    back.mkdir()
    for name, text in got.files.items():
        (back / name).write_text(text, "utf-8")
    _fill(back, {"home": "FR", "jurisdiction": "FR", "context": "registration"})
    again = load_map(back)
    assert again.types["loyalty-number"].parent == "user-id" and again.purposes["loyalty"].parent == "personalisation"


def _with_account_service(tmp_path: Path, change) -> Path:
    """A copy of Absoloop's manifests whose ``account-service`` system ``change`` edits."""
    copy = tmp_path / "fides"
    copy.mkdir()
    for p in MANIFESTS.iterdir():
        copy.joinpath(p.name).write_text(p.read_text("utf-8"), "utf-8")
    doc = yaml.safe_load((copy / "system.yml").read_text("utf-8"))
    change(next(s for s in doc["system"] if s["fides_key"] == "account-service"))
    (copy / "system.yml").write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
    return copy


# --------------------------------------------------------------------------- the law, both ways


@pytest.mark.parametrize("folder", [ABSOLOOP, KLINIKO], ids=["absoloop", "kliniko"])
def test_a_round_trip_keeps_every_flow_with_its_bases_and_the_organisations_whole(folder, tmp_path):
    m = load_map(folder)
    out, back = tmp_path / "fides", tmp_path / "back"
    assert main(["export", "fides", str(folder), "--out", str(out)]) == 0
    assert main(["import", "fides", str(out), "--out", str(back)]) == 0
    again = load_map(back)  # nothing left to fill in: where everything is travelled too
    assert sorted(again.flows) == sorted(m.flows)  # flow for flow, by id (two flows between one pair stay two)

    def law(f):
        return (f.types, f.purposes, f.lawful_basis, f.sharing_basis, f.transfer_basis, f.tia, f.context)

    assert {i: law(f) for i, f in again.flows.items()} == {i: law(f) for i, f in m.flows.items()}
    owners = {n.owner for n in m.nodes.values() if n.owner}
    for oid in owners:
        o, got = m.organisations[oid], again.organisations[oid]
        assert (got.role, got.jurisdiction, got.safeguards, got.engaged_by) == (
            o.role,
            o.jurisdiction,
            o.safeguards,
            o.engaged_by,
        )
    assert again.info.home == m.organisations[m.info.controller].jurisdiction


def test_the_export_fills_fides_own_legal_fields_from_the_map():
    from flowatlas.analysis import Analysis
    from flowatlas.fides import LAWFUL_BASES, TRANSFER_BASES

    a = Analysis(load_map(KLINIKO))
    taxonomy_files = export_fides(a)
    systems = {s["fides_key"]: s for s in yaml.safe_load(taxonomy_files["system.yml"])["system"]}
    m = a.map
    for sid, s in systems.items():
        out = [f for f in m.flows.values() if f.source == sid]
        transfers = [f for f in out if a.flow_facts[f.id].is_transfer]
        assert s["does_international_transfers"] is bool(transfers)
        if transfers:
            want = {TRANSFER_BASES.get(f.transfer_basis, "Other") for f in transfers if f.transfer_basis}
            assert set(s["legal_basis_for_transfers"]) == want
        for d in s["privacy_declarations"]:
            if "legal_basis_for_processing" in d:
                assert d["legal_basis_for_processing"] in LAWFUL_BASES.values()
    app = systems["app"]
    assert app["does_international_transfers"] and "SCCs" in app["legal_basis_for_transfers"]
    given = {d["legal_basis_for_processing"] for s in systems.values() for d in s["privacy_declarations"]
             if "legal_basis_for_processing" in d}  # fmt: skip
    assert {"Consent", "Contract", "Legitimate interests"} <= given
    shared = [d for d in app["privacy_declarations"] if d.get("data_shared_with_third_parties")]
    assert shared and all(d["third_parties"] for d in shared)


def test_plain_fides_manifests_give_their_lawful_bases_and_say_what_transfers_they_declare(tmp_path):
    """Manifests Fides wrote (no flowatlas meta): the declarations' legal basis becomes the flows'
    lawful_basis where every declaration behind a flow agrees; a system's declared transfers are a
    to-do naming its bases (which flows cross a border is not in the manifests)."""

    def declare(account):
        for d in account["privacy_declarations"]:
            d["legal_basis_for_processing"] = "Contract"
        account["does_international_transfers"] = True
        account["legal_basis_for_transfers"] = ["SCCs"]

    copy = _with_account_service(tmp_path, declare)
    got = import_fides(read_manifests([copy]))
    flows = yaml.safe_load(got.files["flows.yaml"])["flows"]
    sent = [f for f in flows if f["from"] == "account-service"]  # the sender's declarations decide
    assert sent and all(f.get("lawful_basis") == "contract" for f in sent)
    assert not any(f.get("lawful_basis") for f in flows if "account-service" not in (f["from"], f["to"]))
    assert "`account-service` says it transfers data abroad on: SCCs" in got.files["TODO.md"]


LOOSE = """\
organization:
  - fides_key: acme
    name: Acme
system:
  - fides_key: adtech
    name: Ad tech
    organization_fides_key: acme
    system_type: Service
    privacy_declarations:
      - name: Political targeting
        data_use: marketing.advertising.third_party
        data_categories: [user.demographic.political_opinion]
        data_subjects: [customer]
  - fides_key: shop
    name: Shop
    organization_fides_key: acme
    system_type: Service
    dataset_references: [orders_db]
    ingress:
      - fides_key: user
        type: user
    privacy_declarations:
      - name: Selling
        data_use: essential.service
        data_categories: [user.contact.email]
        data_subjects: [customer]
        ingress: [user]
policy:
  - fides_key: broken_policy
    name: Broken
    organization_fides_key: acme
    rules:
      - name: no data uses
        data_categories: {matches: NOPE, values: [user]}
  - fides_key: good_policy
    name: Good
    organization_fides_key: acme
    rules:
      - name: No ads
        data_categories: {matches: ANY, values: [user]}
        data_uses: {matches: ANY, values: [marketing.advertising]}
        data_subjects: {matches: ANY, values: [customer]}
"""


def test_what_the_manifests_say_and_the_map_cannot_carry_is_listed_never_dropped(tmp_path, capsys):
    """A declaration no flow carries (political opinions for third-party advertising), a
    dataset reference to no dataset, a malformed policy (which no longer blocks the import) and
    a valid one: each is listed in TODO.md with what to do, and counted in the summary."""
    src = tmp_path / "manifests"
    src.mkdir()
    (src / "all.yml").write_text(LOOSE, "utf-8")
    out = tmp_path / "map"
    assert main(["import", "fides", str(src), "--out", str(out)]) == 0
    assert "4 read but not in the map (TODO.md)" in capsys.readouterr().out
    todo = (out / "TODO.md").read_text("utf-8")
    section = todo.split("## Read but not in the map", 1)[1]
    assert "`adtech` declaration 'Political targeting' (marketing.advertising.third_party: " in section
    assert "user.demographic.political_opinion" in section and "no flow carries it" in section
    assert "`shop` references dataset `orders_db`, which no manifest given defines" in section
    broken = next(line for line in section.splitlines() if "broken_policy" in line)
    assert "not read:" in broken and re.search(r"all\.yml:\d+", broken)  # where, and what is wrong
    assert "policy `good_policy`" in section and "not imported" in section


def test_absoloops_manifests_list_the_declaration_no_flow_carries(tmp_path):
    got = import_fides(read_manifests([MANIFESTS]))
    assert any("'Improve sign-up'" in u and "no flow carries it" in u for u in got.unread)


def test_a_declarations_retention_period_becomes_the_retention_of_the_store_it_writes(tmp_path):

    def keep_90_days(account):
        refs = [d for d in account["privacy_declarations"] if "account_db" in (d.get("dataset_references") or [])]
        refs[0]["retention_period"] = "90 days"

    copy = _with_account_service(tmp_path, keep_90_days)
    nodes = yaml.safe_load(import_fides(read_manifests([copy])).files["nodes.yaml"])["nodes"]
    assert next(n for n in nodes if n["id"] == "account_db")["retention"] == "P90D"
    # and the export says how long the stores a purpose writes to keep the data
    systems = yaml.safe_load(export_fides(load_map(KLINIKO))["system.yml"])["system"]
    periods = {d.get("retention_period") for s in systems for d in s["privacy_declarations"]} - {None}
    assert periods and all(p for p in periods)


LEGACY = """\
organization:
  - fides_key: acme
    name: Acme
data_use:
  - fides_key: essential.service.payroll_filing
    name: Payroll filing
    parent_key: essential.service
    organization_fides_key: acme
    legal_basis: Legal Obligation
system:
  - fides_key: payroll
    name: Payroll
    organization_fides_key: acme
    system_type: Service
    legal_name: Paycheck Ltd
    data_responsibility_title: Processor
    third_country_transfers: [USA]
    egress:
      - fides_key: tax-office
        type: system
    privacy_declarations:
      - name: File payroll taxes
        data_use: essential.service.payroll_filing
        data_categories: [user.financial]
        data_subjects: [employee]
        egress: [tax-office]
  - fides_key: tax-office
    name: Tax office gateway
    organization_fides_key: acme
    system_type: Service
    ingress:
      - fides_key: payroll
        type: system
    privacy_declarations:
      - name: Receive filings
        data_use: essential.service.payroll_filing
        data_categories: [user.financial]
        data_subjects: [employee]
        ingress: [payroll]
"""


def test_fideslang_1x_legal_fields_are_read_in_their_old_spelling(tmp_path):
    """fideslang 1.x kept the lawful basis on the data use (``legal_basis: Legal Obligation``), the
    role as ``data_responsibility_title`` and transfers as ``third_country_transfers``: each lands
    where the current spelling would (fideslang 3 ignores them)."""
    src = tmp_path / "v1"
    src.mkdir()
    (src / "all.yml").write_text(LEGACY, "utf-8")
    got = import_fides(read_manifests([src]))
    flows = yaml.safe_load(got.files["flows.yaml"])["flows"]
    (sent,) = [f for f in flows if f["from"] == "payroll"]
    assert sent["to"] == "tax-office" and sent["lawful_basis"] == "legal_obligation"
    orgs = {o["name"]: o for o in yaml.safe_load(got.files["organisations.yaml"])["organisations"]}
    assert orgs["Paycheck Ltd"]["role"] == "processor"
    assert "`payroll` says it transfers data abroad (to USA)" in got.files["TODO.md"]


# --------------------------------------------------------------------------- round trips


def _restore_evidence(src: Path, back: Path) -> None:
    """Do what TODO.md asks of a map that names evidence: copy the files beside it and list them."""
    named = load_map(src).info.evidence
    if not named:
        return
    assert "Fides manifests do not hold evidence files" in (back / "TODO.md").read_text("utf-8")
    for rel in named:
        (back / rel).parent.mkdir(parents=True, exist_ok=True)
        (back / rel).write_bytes((src / rel).read_bytes())
    head = yaml.safe_load((back / "map.yaml").read_text("utf-8"))
    head["map"]["evidence"] = list(named)
    (back / "map.yaml").write_text(yaml.safe_dump(head, sort_keys=False, allow_unicode=True), "utf-8")


MAPS = sorted(p.name for p in (ROOT / "dataflows").iterdir() if (p / "map.yaml").is_file())


@pytest.mark.parametrize("name", [*MAPS, "shop"])
def test_a_map_and_its_round_trip_through_fides_differ_in_nothing(name, make_map, tmp_path, capsys):
    """map -> Fides -> map: the same flows (ids kept), bases, nodes and findings; `flowatlas diff`
    says so, exit 0. Every shipped map (seven, under five regimes) and the shop of another shape."""
    src = make_map({"map.yaml": SHOP}) if name == "shop" else ROOT / "dataflows" / name
    out, back = tmp_path / "fides", tmp_path / "back"
    assert main(["export", "fides", str(src), "--out", str(out)]) == 0
    assert main(["import", "fides", str(out), "--out", str(back)]) == 0
    assert "## Values to fill in\n\n(none)" in (back / "TODO.md").read_text("utf-8")
    _restore_evidence(src, back)
    capsys.readouterr()
    assert main(["diff", str(src), str(back), "--fail-on", "info"]) == 0
    said = capsys.readouterr().out
    assert ": 0 resolved, 0 changed\n  no changes" in said, said
    m, again = load_map(src), load_map(back)
    for table in ("nodes", "flows", "organisations", "policies", "types", "purposes", "subjects", "regions"):
        assert {i: record_dict(r) for i, r in getattr(again, table).items()} == {
            i: record_dict(r) for i, r in getattr(m, table).items()
        }, table
    assert record_dict(again.info) == record_dict(m.info)


SAMPLE = ROOT / "tests" / "evidence_real" / "fides"  # Fides' own sample project (README there)


def _fides(folder: Path) -> dict[str, dict[str, dict]]:
    """``{resource type: {fides_key: the resource as fideslang's model dumps it}}``."""
    from fideslang.models import Dataset, Organization

    models = {"system": System, "dataset": Dataset, "organization": Organization, "policy": Policy}
    out: dict[str, dict[str, dict]] = {k: {} for k in models}
    for p in sorted(folder.glob("*.yml")):
        for kind, items in (yaml.safe_load(p.read_text("utf-8")) or {}).items():
            for item in items if kind in models else []:
                parsed = models[kind].model_validate(item)
                got = parsed.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
                out[kind][got["fides_key"]] = got
    return out


def test_fides_sample_project_through_a_map_and_back_keeps_every_field_fideslang_knows(tmp_path):
    """Fides -> map -> Fides on Fides' own sample project (6 systems, 4 datasets with 22
    collections): each dataset's collections, fields, categories and fides_meta, each system's
    type, department and description, each declaration's own fields, and the organization's
    contacts come back as they were. What the map models is written from the map: flows (egress,
    ingress, dataset references), owners and transfers. The policy is listed in TODO.md, not
    carried (a map's policy is the statement's declarations)."""
    back, again = tmp_path / "map", tmp_path / "fides"
    assert main(["import", "fides", str(SAMPLE), "--out", str(back)]) == 0
    assert "policy `sample_policy`" in (back / "TODO.md").read_text("utf-8")
    _fill(back, {"home": "US", "jurisdiction": "US", "retention": "P1Y", "types": "[personal]"})
    _fill(back, {"purposes": "[provide-service]"})
    assert main(["export", "fides", str(back), "--out", str(again)]) == 0
    before, after = _fides(SAMPLE), _fides(again)

    for key, d in before["dataset"].items():
        got = after["dataset"][key]
        for field in set(d) - {"fides_key", "organization_fides_key", "meta"}:
            assert got[field] == d[field], (key, field)
    assert (len(before["dataset"]), sum(len(d["collections"]) for d in before["dataset"].values())) == (4, 22)

    for key, s in before["system"].items():
        got = after["system"][key]
        for field in set(s) - SYSTEM_MODELLED - {"privacy_declarations"}:
            assert got[field] == s[field], (key, field)
        assert {(e["fides_key"], e["type"]) for e in s.get("egress") or []} <= {
            (e["fides_key"], e["type"]) for e in got.get("egress") or []
        }
        for decl in s["privacy_declarations"]:  # each declaration's own fields, on one of its data use
            own = {k: v for k, v in decl.items() if k not in DECLARATION_MODELLED}
            same = [x for x in got["privacy_declarations"] if x["data_use"] == decl["data_use"]]
            assert any(all(x.get(k) == v for k, v in own.items()) for x in same), (key, decl["data_use"])
            # its categories, or the finer ones of the dataset it references (the map's flow carries those)
            said = {c for x in same for c in x["data_categories"]}
            for c in decl["data_categories"]:
                assert any(x == c or x.startswith(c + ".") or c.startswith(x + ".") for x in said), (key, c)

    org = before["organization"]["default_organization"]
    got = after["organization"]["default_organization"]
    for field in ("description", "security_policy", "controller", "data_protection_officer", "representative"):
        assert got[field] == org[field], field


def test_a_fideslang_1x_datasets_retention_is_the_stores_and_finer_ones_are_listed(tmp_path):
    (tmp_path / "d.yml").write_text(
        """dataset:
  - fides_key: orders
    name: Orders
    retention: 90 days
    collections:
      - name: order
        fields:
          - {name: email, data_categories: [user.contact.email], retention: 1 year}
  - fides_key: tickets
    name: Tickets
    retention: No retention or erasure policy
    collections: [{name: t, fields: [{name: body, data_categories: [user.content]}]}]
""",
        "utf-8",
    )
    got = import_fides(read_manifests([tmp_path / "d.yml"]))
    nodes = {n["id"]: n for n in yaml.safe_load(got.files["nodes.yaml"])["nodes"]}
    assert nodes["orders"]["retention"] == "P90D" and nodes["tickets"]["retention"] == "TODO"
    listed = "\n".join(got.unread)
    assert "keeps order.email for 1 year, not the dataset's 90 days" in listed
    assert "retention 'No retention or erasure policy': not a duration flowatlas reads" in listed
    assert "d.yml:" in listed  # where it was said
