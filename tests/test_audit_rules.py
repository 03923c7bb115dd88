"""Every audit rule on small maps: at least two that must trigger it and two that must not."""

from __future__ import annotations

import pytest
from _audit_maps import D, add, build, decl, fl, flow, node, org, spec, store, system

from flowatlas.analysis import Analysis
from flowatlas.audit import RULES, audit


def run(s: dict, rule: str):
    return audit(Analysis(build(s)), rules=[rule])


def non_info(findings):
    return [f for f in findings if f.severity != "info"]


def test_every_rule_is_documented():
    assert len(RULES) >= 12
    for r in RULES.values():
        assert r.explanation and len(r.explanation) > 80, r.id
        assert r.severity in ("info", "low", "medium", "high")


def test_base_map_is_clean_except_over_declaration():
    found = audit(Analysis(build()))
    assert [f.rule for f in found if f.rule != "over-declaration"] == []


# --------------------------------------------------------------------------- undeclared-collection


def test_collection_undeclared_type():
    s = spec()
    flow(s, "f-signup")["types"].append("phone")
    [f] = run(s, "undeclared-collection")
    assert (f.disclosure, f.dimension, f.types, f.flows) == ("omitted", "type", ("phone",), ("f-signup",))
    assert f.severity == "medium" and f.src.file.endswith("flows.yaml") and f.src.line > 0


def test_collection_undeclared_context_names_the_declared_one():
    s = spec()
    flow(s, "f-signup")["context"] = "product_use"
    [f] = run(s, "undeclared-collection")
    assert f.disclosure == "omitted" and set(f.types) == {"email", "name", "password"}
    assert "only in context registration" in f.message
    assert [c.clause for c in f.clauses] == ["1.1"]


def test_collection_undeclared_sensitive_type_is_high():
    s = spec()
    flow(s, "f-signup")["types"].append("location")
    [f] = run(s, "undeclared-collection")
    assert f.severity == "high" and f.types == ("location",)


def test_collection_of_other_subject_is_undeclared():
    s = spec()
    add(s, "nodes", {"id": "asker", "name": "Asker", "kind": "subject", "subject": "inquirer"})
    add(s, "flows", fl("f-ask", "asker", "app", ["email"], context="registration"))
    [f] = run(s, "undeclared-collection")
    assert f.flows == ("f-ask",) and "inquirer" in f.message


def test_collection_declared_is_quiet():
    assert run(spec(), "undeclared-collection") == []


def test_collection_declared_for_parent_subject_is_quiet():
    s = spec()
    decl(s, "col-reg")["subjects"] = ["user"]
    assert run(s, "undeclared-collection") == []


def test_collection_vague_is_info_only():
    s = spec()
    decl(s, "col-reg")["types"] = ["contact", "name", "password"]
    found = run(s, "undeclared-collection")
    assert non_info(found) == []
    [f] = found
    assert (f.disclosure, f.types, f.key) == ("vague", ("email",), "vague:email")


# --------------------------------------------------------------------------- undeclared-purpose


def test_purpose_undeclared():
    s = spec()
    flow(s, "f-save")["purposes"] = ["marketing"]
    [f] = run(s, "undeclared-purpose")
    assert (f.disclosure, f.dimension, f.flows, f.key) == ("omitted", "purpose", ("f-save",), "marketing")


def _processor(s: dict, purposes: list[str]) -> dict:
    add(s, "organisations", org("proc", "processor", "SG"))
    add(s, "nodes", system("proc-app", "proc", "SG"))
    add(s, "flows", fl("f-proc", "app", "proc-app", ["email"], purposes, sharing_basis="on_instruction"))
    decl(s, "share-proc")["purposes"] = ["service"]
    return s


def test_purpose_outside_sharing_limit_is_incorrect():
    s = _processor(spec(), ["analytics"])
    [f] = run(s, "undeclared-purpose")
    assert (f.disclosure, f.severity, f.flows) == ("incorrect", "high", ("f-proc",))
    assert {c.clause for c in f.clauses} == {"5.2"}


def test_purpose_declared_but_outside_sharing_limit_is_ambiguous():
    s = _processor(spec(), ["analytics"])
    decl(s, "use")["purposes"] = ["service", "analytics"]
    [f] = run(s, "undeclared-purpose")
    assert (f.disclosure, f.severity) == ("ambiguous", "medium")
    assert {c.clause for c in f.clauses} == {"4", "5.2"}


def test_purpose_declared_is_quiet():
    assert run(_processor(spec(), ["service"]), "undeclared-purpose") == []


def test_purpose_declared_by_a_collection_clause_is_quiet():
    s = spec()
    flow(s, "f-save")["purposes"] = ["security"]
    decl(s, "col-reg")["purposes"] = ["security"]
    assert run(s, "undeclared-purpose") == []


def test_purpose_child_of_declared_is_vague_info():
    s = spec()
    flow(s, "f-save")["purposes"] = ["support"]
    [f] = run(s, "undeclared-purpose")
    assert (f.severity, f.disclosure) == ("info", "vague")


# --------------------------------------------------------------------------- undeclared-recipient


def _share(s: dict, role: str, basis: str | None, country: str = "SG", **flow_kw) -> dict:
    add(s, "organisations", org("other", role, country))
    add(s, "nodes", system("other-app", "other", country))
    kw = {"sharing_basis": basis} if basis else {}
    add(s, "flows", fl("f-share", "app", "other-app", ["email"], **kw, **flow_kw))
    return s


def test_recipient_third_party_without_exception_is_incorrect():
    [f] = run(_share(spec(), "third_party", "on_instruction"), "undeclared-recipient")
    assert (f.disclosure, f.dimension, f.severity) == ("incorrect", "recipient", "high")
    assert [c.clause for c in f.clauses] == ["5"] and f.organisations == ("ctrl", "other")


def test_recipient_without_basis_shares_on_the_basis_its_role_decides():
    """A processor acts on instruction: a flow to one that records no basis is declared by the
    clause allowing processors on instruction, and nothing is reported."""
    s = _share(spec(), "processor", None)
    assert run(s, "undeclared-recipient") == [] and run(s, "unrecorded-sharing-basis") == []
    [f] = run(_share(spec(), "acquirer", None), "undeclared-recipient")  # corporate_transaction: not declared
    assert f.disclosure == "omitted" and "corporate_transaction" in f.message


def test_recipient_without_basis_the_role_does_not_decide_is_unrecorded_not_undeclared():
    """A third party with no recorded basis: the clause allowing third parties with consent covers
    the recipient; the audit says the basis is not recorded (low), not that the recipient is
    undeclared (high)."""
    s = _share(spec(), "third_party", None)
    assert run(s, "undeclared-recipient") == []
    [f] = run(s, "unrecorded-sharing-basis")
    assert (f.severity, f.dimension, f.flows) == ("low", "recipient", ("f-share",))
    assert "without a recorded sharing basis" in f.message and "consent" in f.message
    assert [c.clause for c in f.clauses] == ["5.1"] and "sharing_basis" in f.remedy
    [v] = [v for v in Analysis(build(s)).verdicts["f-share"] if v.dimension == "recipient"]
    assert v.disclosure == "clear" and v.reason.startswith("the flow records no sharing basis")


def test_recipient_role_never_declared_is_omitted():
    [f] = run(_share(spec(), "acquirer", "corporate_transaction"), "undeclared-recipient")
    assert f.disclosure == "omitted"


def test_recipient_broad_permission_against_prohibition_is_ambiguous():
    s = _share(spec(), "third_party", "user_authorised")
    add(s, "declarations", D("share-any", "sharing", "5.4-auth", bases=["user_authorised"]))
    [f] = run(s, "undeclared-recipient")
    assert (f.disclosure, f.severity) == ("ambiguous", "medium")
    assert {c.clause for c in f.clauses} == {"5", "5.4-auth"}


def test_recipient_broad_permission_is_vague():
    s = _share(spec(), "processor", "user_authorised")
    add(s, "declarations", D("share-any", "sharing", "5.4-auth", bases=["user_authorised"]))
    [f] = run(s, "undeclared-recipient")
    assert (f.disclosure, f.severity) == ("vague", "info")


def test_recipient_prohibition_limited_to_a_purpose():
    s = _share(spec(), "third_party", "on_instruction")
    decl(s, "no-share")["purposes"] = ["marketing"]
    assert run(s, "undeclared-recipient")[0].disclosure == "omitted"  # the prohibition is about marketing only
    flow(s, "f-share")["purposes"] = ["marketing"]
    assert run(s, "undeclared-recipient")[0].disclosure == "incorrect"


@pytest.mark.parametrize(
    ("role", "basis"), [("processor", "on_instruction"), ("third_party", "consent"), ("authority", "legal_obligation")]
)
def test_recipient_declared_is_quiet(role, basis):
    assert run(_share(spec(), role, basis), "undeclared-recipient") == []


def test_recipient_flow_back_to_controller_is_not_a_disclosure():
    s = _share(spec(), "processor", "on_instruction")
    add(s, "flows", fl("f-back", "other-app", "app", ["email"]))
    assert run(s, "undeclared-recipient") == []


# --------------------------------------------------------------------------- storage-location


def test_storage_store_abroad():
    s = spec()
    add(s, "nodes", store("db-us", "ctrl", "US"))
    add(s, "flows", fl("f-us", "app", "db-us", ["email"], transfer_basis="law"))
    [f] = run(s, "storage-location")
    assert (f.disclosure, f.dimension, f.nodes, f.countries, f.flows) == (
        "omitted",
        "location",
        ("db-us",),
        ("US",),
        ("f-us",),
    )
    assert f.src.file.endswith("nodes.yaml")


def test_storage_backup_abroad_without_flows():
    s = spec()
    add(s, "nodes", store("db-backup", "ctrl", "JP", backup_of="db"))
    [f] = run(s, "storage-location")
    assert f.nodes == ("db-backup",) and f.path == ("db", "db-backup") and "backup" in f.message
    assert set(f.types) == {"email", "name", "password"}


def test_storage_abroad_with_declared_transfer_is_ambiguous():
    s = spec()
    add(s, "nodes", store("db-backup", "ctrl", "JP", backup_of="db"))
    add(s, "declarations", D("xfer", "transfer", "2.3", locations=["JP"]))
    [f] = run(s, "storage-location")
    assert (f.disclosure, f.severity) == ("ambiguous", "medium")


def test_storage_in_declared_location_is_quiet():
    s = spec()
    add(s, "nodes", store("db-backup", "ctrl", "SG", backup_of="db"))
    assert run(s, "storage-location") == []


def test_storage_without_storage_declaration_is_quiet():
    s = spec()
    s["declarations"] = [d for d in s["declarations"] if d["kind"] != "storage"]
    add(s, "nodes", store("db-backup", "ctrl", "JP", backup_of="db"))
    assert run(s, "storage-location") == []


# --------------------------------------------------------------------------- cross-border-basis


def _abroad(s: dict, basis: str | None, country: str = "US", role: str = "processor", safeguards=None, **kw):
    add(s, "organisations", org("ext", role, country, safeguards=safeguards or []))
    add(s, "nodes", system("ext-app", "ext", country))
    extra = {"transfer_basis": basis} if basis else {}
    add(s, "flows", fl("f-x", "app", "ext-app", ["email"], sharing_basis="on_instruction", **extra, **kw))
    return s


def test_cross_border_missing_basis():
    [f] = run(_abroad(spec(), None), "cross-border-basis")
    assert (f.disclosure, f.dimension, f.severity, f.countries) == ("omitted", "safeguard", "high", ("SG", "US"))
    assert f.clauses and f.clauses[0].policy == "SG-PDPA"


def test_cross_border_contract_not_naming_destination():
    s = _abroad(spec(), "contract", safeguards=[{"kind": "contract", "countries": ["JP"]}])
    [f] = run(s, "cross-border-basis")
    assert f.disclosure == "incorrect" and "names JP but not the destination US" in f.message
    assert f.clauses[0].clause.startswith("PDPR 2021 reg 11")


def test_cross_border_bcr_between_unrelated_organisations():
    s = _abroad(spec(), "binding_corporate_rules", safeguards=[{"kind": "binding_corporate_rules"}])
    [f] = run(s, "cross-border-basis")
    assert "unrelated" in f.message


def test_cross_border_bcr_related_but_not_held():
    s = _abroad(spec(), "binding_corporate_rules", role="affiliate")
    s["organisations"][0]["group"] = "grp"
    s["organisations"][-1]["group"] = "grp"
    [f] = run(s, "cross-border-basis")
    assert "holds no binding corporate rules" in f.message


def test_cross_border_certification_missing_or_wrong_scheme():
    [f] = run(_abroad(spec(), "certification"), "cross-border-basis")
    assert "no recognised certification" in f.message
    prp = [{"kind": "certification", "scheme": "APEC-PRP"}]
    [g] = run(_abroad(spec(), "certification", role="third_party", safeguards=prp), "cross-border-basis")
    assert "APEC-PRP" in g.message  # PRP only counts for data intermediaries (reg 12(2))


def test_cross_border_in_transit_basis_needs_in_transit_flow():
    [f] = run(_abroad(spec(), "in_transit"), "cross-border-basis")
    assert f.disclosure == "incorrect" and "in_transit: true" in f.message


def test_cross_border_gdpr_basis_under_pdpa_home():
    s = _abroad(spec(), "standard_contractual_clauses", safeguards=[{"kind": "standard_contractual_clauses"}])
    [f] = run(s, "cross-border-basis")
    assert "not a transfer basis under SG-PDPA" in f.message and "EU-GDPR" in f.message


@pytest.mark.parametrize(
    ("basis", "kw"),
    [
        ("contract", {"safeguards": [{"kind": "contract", "countries": ["US", "JP"]}]}),
        ("certification", {"safeguards": [{"kind": "certification", "scheme": "APEC-CBPR"}]}),
        ("certification", {"safeguards": [{"kind": "certification", "scheme": "Global-PRP"}]}),
        ("in_transit", {"in_transit": True}),
        ("consent_after_summary", {}),
    ],
)
def test_cross_border_valid_basis_is_quiet(basis, kw):
    assert run(_abroad(spec(), basis, **kw), "cross-border-basis") == []


def test_cross_border_bcr_within_group_is_quiet():
    s = _abroad(spec(), "binding_corporate_rules", role="affiliate", safeguards=[{"kind": "binding_corporate_rules"}])
    s["organisations"][0]["group"] = "grp"
    s["organisations"][-1]["group"] = "grp"
    assert run(s, "cross-border-basis") == []


def test_cross_border_collection_from_subject_is_not_a_transfer():
    s = spec()
    node(s, "person")["jurisdiction"] = "US"
    add(s, "flows", fl("f-deliver", "app", "person", ["email"]))  # giving people their data back
    assert run(s, "cross-border-basis") == []


# --------------------------------------------------------------------------- undeclared-destination


def test_destination_valid_basis_but_undeclared_country():
    s = _abroad(spec(), "contract", safeguards=[{"kind": "contract", "countries": ["US"]}])
    [f] = run(s, "undeclared-destination")
    assert (f.disclosure, f.dimension, f.severity, f.flows) == ("omitted", "location", "medium", ("f-x",))


def test_destination_consent_basis_to_third_party_abroad():
    s = _abroad(spec(), "consent_after_summary", country="JP", role="third_party")
    flow(s, "f-x")["sharing_basis"] = "consent"
    [f] = run(s, "undeclared-destination")
    assert "JP" in f.message


def test_destination_declared_transfer_is_quiet():
    s = _abroad(spec(), "contract", safeguards=[{"kind": "contract", "countries": ["US"]}])
    add(s, "declarations", D("xfer", "transfer", "2.3", locations=["US"], types=["contact"]))
    assert run(s, "undeclared-destination") == []


def test_destination_relay_in_transit_and_invalid_basis_are_not_reported_here():
    assert run(_abroad(spec(), "in_transit", in_transit=True), "undeclared-destination") == []
    assert run(_abroad(spec(), None), "undeclared-destination") == []


# --------------------------------------------------------------------------- onward-transfer


def _chain(s: dict, countries=("SG", "US", "IN"), roles=("processor", "sub_processor", "sub_processor")) -> dict:
    ids = ["p1", "p2", "p3"]
    decl(s, "share-proc")["recipient_roles"] = ["affiliate", "processor", "sub_processor"]
    for i, (oid, c, r) in enumerate(zip(ids, countries, roles, strict=True)):
        extra = {"engaged_by": ids[i - 1] if i else "ctrl"} if r == "sub_processor" else {}
        add(s, "organisations", org(oid, r, c, safeguards=[{"kind": "contract", "countries": [c]}], **extra))
        add(s, "nodes", system(f"{oid}-sys", oid, c))
    add(
        s,
        "flows",
        fl("f-o1", "app", "p1-sys", ["email", "name"], sharing_basis="on_instruction", transfer_basis="contract"),
        fl("f-o2", "p1-sys", "p2-sys", ["email"], transfer_basis="contract"),
        fl("f-o3", "p2-sys", "p3-sys", ["email"], transfer_basis="contract"),
    )
    return s


def test_onward_chain_reports_whole_path():
    found = run(_chain(spec()), "onward-transfer")
    by_node = {f.nodes[0]: f for f in found}
    assert set(by_node) == {"p2-sys", "p3-sys"}
    f = by_node["p3-sys"]
    assert f.path == ("app", "p1-sys", "p2-sys", "p3-sys") and f.flows == ("f-o1", "f-o2", "f-o3")
    assert (f.types, f.dimension, f.countries) == (("email",), "location", ("IN", "SG", "US"))
    assert f.src.line > 0


def test_onward_to_undeclared_role():
    s = _chain(spec(), countries=("SG", "SG", "SG"))
    decl(s, "share-proc")["recipient_roles"] = ["processor"]
    found = run(s, "onward-transfer")
    assert {(f.nodes, f.disclosure, f.dimension) for f in found} == {
        (("p2-sys",), "omitted", "recipient"),
        (("p3-sys",), "omitted", "recipient"),
    }


def test_onward_to_prohibited_role_is_incorrect():
    s = _chain(spec(), countries=("SG", "SG", "SG"), roles=("processor", "third_party", "sub_processor"))
    flow(s, "f-o2")["sharing_basis"] = "on_instruction"
    found = run(s, "onward-transfer")
    f = next(f for f in found if f.nodes == ("p2-sys",))
    assert (f.disclosure, f.dimension) == ("incorrect", "recipient")


def test_onward_chain_inside_declared_country_and_roles_is_quiet():
    assert run(_chain(spec(), countries=("SG", "SG", "SG")), "onward-transfer") == []


def test_onward_is_type_aware():
    """p1 sends p2 a type it never got from the controller: not an onward transfer of controller data."""
    s = _chain(spec())
    flow(s, "f-o2")["types"] = ["ip"]
    flow(s, "f-o3")["types"] = ["ip"]
    assert run(s, "onward-transfer") == []


# --------------------------------------------------------------------------- retention


@pytest.mark.parametrize(("hold", "severity"), [("P2Y", "medium"), ("indefinite", "medium"), ("P30D", "low")])
def test_retention_beyond_while_service(hold, severity):
    s = spec()
    node(s, "db")["retention"] = hold
    [f] = run(s, "retention")
    assert (f.severity, f.nodes, f.disclosure) == (severity, ("db",), "incorrect")
    assert [c.clause for c in f.clauses] == ["2.2"]


def test_retention_beyond_fixed_limit():
    s = spec()
    decl(s, "keep")["retention"] = "P1Y"
    node(s, "db")["retention"] = "P2Y"
    [f] = run(s, "retention")
    assert f.severity == "medium" and "'P1Y'" in f.message


def test_retention_uncovered_purpose_is_named():
    s = spec()
    node(s, "db").update(retention="P7Y", retention_purposes=["analytics"])
    [f] = run(s, "retention")
    assert "analytics" in f.message


@pytest.mark.parametrize(
    "change",
    [
        {"retention": "P5Y", "retention_purposes": ["legal"]},
        {"retention": "indefinite", "retention_purposes": ["legal"]},
        {"retention": "while_service"},
    ],
)
def test_retention_within_declared_is_quiet(change):
    s = spec()
    node(s, "db").update(change)
    assert run(s, "retention") == []


def test_retention_under_fixed_limit_is_quiet():
    s = spec()
    decl(s, "keep")["retention"] = "P1Y"
    node(s, "db")["retention"] = "P6M"
    assert run(s, "retention") == []


def test_retention_exception_with_its_own_limit():
    s = spec()
    decl(s, "keep-legal")["retention"] = "P3Y"
    node(s, "db").update(retention="P5Y", retention_purposes=["legal"])
    [f] = run(s, "retention")
    assert "do not allow" in f.message


# --------------------------------------------------------------------------- security-contradicted


def test_security_password_unencrypted_in_transit():
    s = spec()
    flow(s, "f-save")["encrypted"] = False
    [f] = run(s, "security-contradicted")
    assert (f.severity, f.types, f.key, f.disclosure, f.dimension) == (
        "high",
        ("password",),
        "in_transit",
        "incorrect",
        "safeguard",
    )
    assert [c.clause for c in f.clauses] == ["3.2"]


def test_security_password_unencrypted_at_rest():
    s = spec()
    node(s, "db")["encrypted_at_rest"] = False
    [f] = run(s, "security-contradicted")
    assert f.nodes == ("db",) and f.key == "at_rest" and f.types == ("password",)


def test_security_sensitive_type_unencrypted_in_transit():
    s = spec()
    add(s, "flows", fl("f-chat", "app", "db", ["chat"], encrypted=False))
    [f] = run(s, "security-contradicted")
    assert f.types == ("chat",) and f.flows == ("f-chat",)


def test_security_ordinary_type_unencrypted_without_transit_promise_is_quiet():
    s = spec()
    add(s, "flows", fl("f-mail", "app", "db", ["email"], encrypted=False))
    assert run(s, "security-contradicted") == []


def test_security_ordinary_type_with_transit_promise_is_medium():
    s = spec()
    add(s, "declarations", D("tls", "security", "3.1", measures=["encryption_in_transit"]))
    add(s, "flows", fl("f-mail", "app", "db", ["email"], encrypted=False))
    [f] = run(s, "security-contradicted")
    assert f.severity == "medium" and [c.clause for c in f.clauses] == ["3.1"]


def test_security_unknown_at_rest_is_quiet():
    s = spec()
    node(s, "db")["encrypted_at_rest"] = None
    assert run(s, "security-contradicted") == []


def test_security_without_security_declarations_is_quiet():
    s = spec()
    s["declarations"] = [d for d in s["declarations"] if d["kind"] != "security"]
    flow(s, "f-save")["encrypted"] = False
    assert run(s, "security-contradicted") == []


# --------------------------------------------------------------------------- rights-gap


@pytest.mark.parametrize(("attr", "value", "word"), [("erase", False, "false"), ("export", None, "not stated")])
def test_rights_gap(attr, value, word):
    s = spec()
    node(s, "db")[attr] = value
    [f] = run(s, "rights-gap")
    assert f.nodes == ("db",) and word in f.message and f.disclosure == "incorrect"
    assert "account-holder" in f.message and [c.clause for c in f.clauses] == ["6.1"]


def test_rights_gap_reaches_backups():
    s = spec()
    add(s, "nodes", store("db-backup", "ctrl", "SG", backup_of="db", erase=False))
    [f] = run(s, "rights-gap")
    assert f.nodes == ("db-backup",)


def test_rights_all_reached_is_quiet():
    assert run(spec(), "rights-gap") == []


def test_rights_not_offered_is_quiet():
    s = spec()
    s["declarations"] = [d for d in s["declarations"] if d["kind"] != "right"]
    node(s, "db")["erase"] = False
    assert run(s, "rights-gap") == []


def test_rights_offered_to_other_subjects_is_quiet():
    s = spec()
    decl(s, "rights")["subjects"] = ["inquirer"]
    node(s, "db")["erase"] = False
    assert run(s, "rights-gap") == []


# --------------------------------------------------------------------------- over-declaration


def _lean(s: dict) -> dict:
    s["declarations"] = [d for d in s["declarations"] if d["kind"] not in ("sharing",)]
    return s


def test_over_declared_collection_type():
    s = _lean(spec())
    decl(s, "col-reg")["types"].append("phone")
    [f] = run(s, "over-declaration")
    assert (f.severity, f.types, f.key, f.flows) == ("info", ("phone",), "col-reg", ())
    assert f.src.file.endswith("policy.yaml")


def test_over_declared_purpose_and_sharing():
    s = spec()
    decl(s, "use")["purposes"].append("marketing")
    keys = {f.key for f in run(s, "over-declaration")}
    assert keys == {"use:purpose", "share-proc:sharing", "share-consent:sharing", "share-law:sharing"}


def test_over_declared_context():
    s = _lean(spec())
    decl(s, "col-reg")["contexts"] = ["registration", "inquiry"]
    [f] = run(s, "over-declaration")
    assert f.types == () and "context inquiry" in f.message


def test_over_declaration_quiet_when_all_used():
    assert run(_lean(spec()), "over-declaration") == []


def test_over_declaration_counts_narrower_use():
    s = _lean(spec())
    decl(s, "col-reg")["types"] = ["contact", "name", "password"]
    decl(s, "use")["purposes"] = ["service"]
    flow(s, "f-save")["purposes"] = ["support"]
    assert run(s, "over-declaration") == []


# --------------------------------------------------------------------------- model-hygiene


def test_hygiene_store_emits_unreceived_type():
    s = spec()
    add(s, "flows", fl("f-read", "db", "app", ["chat"]))
    [f] = run(s, "model-hygiene")
    assert (f.nodes, f.types, f.flows) == (("db",), ("chat",), ("f-read",))


def test_hygiene_orphan_and_unused_organisation():
    s = spec()
    add(s, "nodes", system("lonely", "ctrl", "SG"))
    add(s, "organisations", org("ghost", "processor", "SG"))
    keys = {f.key for f in run(s, "model-hygiene")}
    assert keys == {"orphan:lonely", "org:ghost"}


def test_hygiene_clean_map_is_quiet():
    assert run(spec(), "model-hygiene") == []


def test_hygiene_respects_hierarchy_and_backups():
    s = spec()
    add(s, "nodes", store("db-backup", "ctrl", "SG", backup_of="db"))
    add(s, "flows", fl("f-restore", "db-backup", "app", ["contact"]))  # broader than the email it holds
    assert run(s, "model-hygiene") == []


def test_hygiene_runs_without_policy():
    s = spec()
    add(s, "nodes", system("lonely", "ctrl", "SG"))
    from _audit_maps import texts

    from flowatlas.loader import load_texts

    t = texts(s)
    t.pop("policy.yaml")
    m = load_texts(t, base_taxonomy=False)
    found = audit(Analysis(m))
    assert {f.rule for f in found} == {"model-hygiene"}


def test_security_promise_limited_to_types():
    s = spec()
    add(s, "declarations", D("tls", "security", "3.1", measures=["encryption_in_transit"], types=["contact"]))
    add(
        s,
        "flows",
        fl("f-name", "app", "db", ["name"], encrypted=False),
        fl("f-mail", "app", "db", ["email"], encrypted=False),
    )
    [f] = run(s, "security-contradicted")
    assert (f.flows, f.types, f.severity) == (("f-mail",), ("email",), "medium")
