"""Collection a controller directs abroad is a transfer (:attr:`FlowFacts.is_transfer`)."""

from __future__ import annotations

from _audit_maps import D, add, build, fl, node, org, spec, system

from flowatlas.analysis import Analysis
from flowatlas.audit import audit


def _desk(owner_role: str = "processor", **flow):
    """Singapore users write straight into an overseas help desk."""
    s = spec("SG")
    s["map"]["as_of"] = "2026-12-01"
    add(s, "organisations", org("desk-co", owner_role, "PH", safeguards=[{"kind": "contract", "countries": ["PH"]}]))
    add(s, "nodes", system("desk", "desk-co", "PH"))
    add(s, "declarations", D("share-any", "sharing", "5.9", bases=["consent"], recipient_roles=["third_party"]))
    add(
        s,
        "flows",
        fl("f-ask", "person", "desk", ["email"], context="registration", sharing_basis="on_instruction", **flow),
    )
    return s


def _of(s, rule):
    return [f for f in audit(Analysis(build(s))) if f.rule == rule]


def test_collection_into_a_processors_system_abroad_needs_a_basis():
    s = _desk()
    m = build(s)
    assert Analysis(m).flow_facts["f-ask"].is_transfer
    (f,) = _of(s, "cross-border-basis")
    assert f.flows == ("f-ask",) and f.disclosure == "omitted"
    assert "in SG gives email straight to 'desk' (desk) in PH, a collection the controller directs abroad" in f.message


def test_the_recorded_basis_of_a_directed_collection_is_checked():
    s = _desk(transfer_basis="contract")
    assert not _of(s, "cross-border-basis")
    s["organisations"][-1]["safeguards"][0]["countries"] = ["MY"]
    (f,) = _of(s, "cross-border-basis")
    assert "names MY but not the destination PH" in f.message
    s["flows"][-1]["transfer_basis"] = "binding_corporate_rules"  # the exporter is the controller: unrelated
    (f,) = _of(s, "cross-border-basis")
    assert "unrelated organisations 'ctrl' and 'desk-co'" in f.message


def test_a_person_handing_data_to_an_independent_organisation_is_no_transfer_and_a_basis_on_it_is_reported():
    s = _desk("third_party", transfer_basis="contract")
    s["flows"][-1]["sharing_basis"] = "consent"
    m = build(s)
    assert not Analysis(m).flow_facts["f-ask"].is_transfer and not _of(s, "cross-border-basis")
    (f,) = [x for x in _of(s, "model-hygiene") if x.key == "basis:f-ask"]
    assert "names transfer basis 'contract' but is no transfer" in f.message and "does not direct" in f.message


def test_a_person_abroad_gives_data_that_never_was_in_the_home_country():
    s = _desk()
    node(s, "person")["jurisdiction"] = "PH"
    m = build(s)
    assert not Analysis(m).flow_facts["f-ask"].is_transfer
