"""Every transfer basis of every shipped regime, held against a valid use and an invalid one
(wrong destination, outside its dates, wrong relationship, wrong volume, the wrong regime), and a
map whose flows are held against three regimes at once."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
import yaml

from flowatlas.analysis import Analysis
from flowatlas.analysis.transfer import check_basis
from flowatlas.audit import audit
from flowatlas.loader import load_texts
from flowatlas.regimes import regime_for, regimes

HOMES = {"SG-PDPA": "SG", "EU-GDPR": "DE", "GB-UKGDPR": "GB", "CH-FADP": "CH", "CN-PIPL": "CN", "BR-LGPD": "BR",
         "IN-DPDP": "IN"}  # fmt: skip


def minimal(
    home: str,
    dest: str,
    basis: str | None,
    *,
    safeguards: list | None = None,
    role: str = "processor",
    related: bool = False,
    in_transit: bool = False,
    subjects: int | None = None,
    types: tuple[str, ...] = ("email",),
    as_of: str = "2026-12-01",
) -> Analysis:
    """The analysis of a minimal map with one flow ``f`` from ``home`` to ``dest``."""
    group = {"group": "g"} if related else {}
    flow = {"id": "f", "from": "app", "to": "ext-app", "types": list(types), "purposes": ["provide-service"],
            "sharing_basis": "on_instruction"}  # fmt: skip
    if basis:
        flow["transfer_basis"] = basis
    if in_transit:
        flow["in_transit"] = True
    if subjects is not None:
        flow["subjects_per_year"] = subjects
    doc = {
        "map": {"id": "t", "name": "T", "controller": "acme", "home": home, "as_of": date.fromisoformat(as_of)},
        "organisations": [
            {"id": "acme", "name": "Acme", "role": "controller", "jurisdiction": home, **group},
            {"id": "ext", "name": "Ext", "role": role, "jurisdiction": dest, "safeguards": safeguards or [], **group},
        ],
        "nodes": [
            {"id": "app", "name": "App", "kind": "system", "owner": "acme", "jurisdiction": home},
            {"id": "ext-app", "name": "Ext app", "kind": "system", "owner": "ext", "jurisdiction": dest},
        ],
        "flows": [flow],
        "policies": [{"id": "p", "title": "P", "version": "1", "controller": "acme", "declarations": [
            {"id": "d", "kind": "purpose", "clause": "1", "quote": "We provide the service.",
             "purposes": ["provide-service"]}]}],
    }  # fmt: skip
    return Analysis(load_texts({"map.yaml": yaml.safe_dump(doc, sort_keys=False)}))


def transfer(home: str, dest: str, basis: str | None, **kw) -> tuple[bool, str, str | None]:
    """(valid, reason, regime id) of the one transfer of a minimal map of ``home`` to ``dest``."""
    a = minimal(home, dest, basis, **kw)
    (v,) = [j for j in a.verdicts["f"] if j.dimension == "safeguard" and j.item == "transfer"] or [None]
    facts = a.flow_facts["f"]
    if v is None:
        return True, "no transfer", facts.regime
    return v.disclosure == "clear", v.reason, facts.regime


SCC = [{"kind": "standard_contractual_clauses"}]
CASES = [
    # regime, basis, (valid case kwargs), (invalid case kwargs), words of the invalid reason
    ("SG-PDPA", "consent_after_summary", {}, {"home": "DE"}, "not a transfer basis under EU-GDPR"),
    ("SG-PDPA", "deemed_consent", {}, {"home": "GB"}, "not a transfer basis under GB-UKGDPR"),
    ("SG-PDPA", "necessity", {}, {"home": "CH"}, "not a transfer basis under CH-FADP"),
    ("SG-PDPA", "in_transit", {"in_transit": True}, {}, "does not say in_transit"),
    ("SG-PDPA", "publicly_available", {}, {"home": "CN"}, "not a transfer basis under CN-PIPL"),
    ("SG-PDPA", "law", {}, {"home": "BR"}, "not a transfer basis under BR-LGPD"),
    ("SG-PDPA", "contract", {"safeguards": [{"kind": "contract", "countries": ["US"]}]},
     {"safeguards": [{"kind": "contract", "countries": ["JP"]}]}, "names JP but not the destination US"),
    ("SG-PDPA", "binding_corporate_rules", {"related": True, "role": "affiliate",
     "safeguards": [{"kind": "binding_corporate_rules"}]}, {"safeguards": [{"kind": "binding_corporate_rules"}]},
     "between unrelated organisations"),
    ("SG-PDPA", "binding_instrument", {"safeguards": [{"kind": "binding_instrument"}]}, {},
     "holds no binding_instrument"),
    ("SG-PDPA", "certification", {"safeguards": [{"kind": "certification", "scheme": "Global-CBPR"}]},
     {"safeguards": [{"kind": "certification", "scheme": "Global-CBPR"}], "as_of": "2026-03-01"},
     "Global-CBPR is recognised from 2026-03-02, not on 2026-03-01"),
    ("EU-GDPR", "adequacy", {"dest": "BR"}, {"dest": "BR", "as_of": "2026-01-25"},
     "the adequacy decision for BR applies from 2026-01-26, not on 2026-01-25"),
    ("EU-GDPR", "standard_contractual_clauses", {"safeguards": SCC},
     {"safeguards": [{"kind": "standard_contractual_clauses", "scheme": "UK-IDTA"}]}, "not ones EU-GDPR accepts"),
    ("EU-GDPR", "binding_corporate_rules", {"related": True, "role": "affiliate",
     "safeguards": [{"kind": "binding_corporate_rules"}]}, {"related": True, "role": "affiliate"},
     "holds no binding corporate rules"),
    ("EU-GDPR", "approved_code", {"safeguards": [{"kind": "approved_code"}]}, {}, "holds no recognised approved code"),
    ("EU-GDPR", "certification", {"safeguards": [{"kind": "certification", "scheme": "other"}]},
     {"safeguards": [{"kind": "certification", "scheme": "APEC-CBPR"}]}, "not recognised here"),
    ("EU-GDPR", "derogation", {}, {"home": "SG"}, "not a transfer basis under SG-PDPA"),
    ("GB-UKGDPR", "adequacy", {"dest": "KR"}, {"dest": "KR", "as_of": "2022-12-18"}, "applies from 2022-12-19"),
    ("GB-UKGDPR", "standard_contractual_clauses",
     {"safeguards": [{"kind": "standard_contractual_clauses", "scheme": "UK-Addendum"}]}, {"safeguards": SCC},
     "not ones GB-UKGDPR accepts (UK-Addendum, UK-IDTA)"),
    ("GB-UKGDPR", "binding_corporate_rules", {"related": True, "role": "affiliate",
     "safeguards": [{"kind": "binding_corporate_rules"}]}, {"safeguards": [{"kind": "binding_corporate_rules"}]},
     "between unrelated organisations"),
    ("GB-UKGDPR", "derogation", {}, {"home": "CN"}, "not a transfer basis under CN-PIPL"),
    ("CH-FADP", "adequacy", {"dest": "US", "safeguards": [{"kind": "certification", "scheme": "DPF"}]},
     {"dest": "US", "safeguards": [{"kind": "certification", "scheme": "DPF"}], "as_of": "2024-09-14"},
     "Swiss-US Data Privacy Framework"),
    ("CH-FADP", "standard_contractual_clauses", {"safeguards": SCC},
     {"safeguards": [{"kind": "standard_contractual_clauses", "scheme": "CN-SC"}]}, "not ones CH-FADP accepts"),
    ("CH-FADP", "binding_corporate_rules", {"related": True, "role": "affiliate",
     "safeguards": [{"kind": "binding_corporate_rules"}]}, {"safeguards": [{"kind": "binding_corporate_rules"}]},
     "between unrelated organisations"),
    ("CH-FADP", "derogation", {}, {"home": "IN", "as_of": "2027-06-01"}, "not a transfer basis under IN-DPDP"),
    ("CN-PIPL", "security_assessment", {"safeguards": [{"kind": "security_assessment", "valid_until": "2027-01-31"}]},
     {"safeguards": [{"kind": "security_assessment", "valid_until": "2026-01-31"}]}, "expired on 2026-01-31"),
    ("CN-PIPL", "standard_contract",
     {"safeguards": [{"kind": "standard_contractual_clauses", "scheme": "CN-SC"}], "subjects": 50000},
     {"safeguards": [{"kind": "standard_contractual_clauses", "scheme": "CN-SC"}], "subjects": 2000000},
     "carries 2,000,000 people a year; basis 'standard_contract' holds only below 1,000,000"),
    ("CN-PIPL", "certification", {"safeguards": [{"kind": "certification", "scheme": "CN-PIP-CERT"}],
     "subjects": 500000}, {"safeguards": [{"kind": "certification", "scheme": "CN-PIP-CERT"}],
     "subjects": 20000, "types": ("password",)},
     "carries 20,000 people's sensitive personal information a year; basis 'certification' holds only below 10,000"),
    ("CN-PIPL", "contract_necessity", {}, {"as_of": "2024-03-21"}, "not a transfer basis under CN-PIPL on 2024-03-21"),
    ("CN-PIPL", "hr_management", {}, {"as_of": "2024-01-01"}, "in force from 2024-03-22"),
    ("CN-PIPL", "emergency", {}, {"home": "SG", "dest": "US"}, "not a transfer basis under SG-PDPA"),
    ("CN-PIPL", "below_threshold", {"subjects": 50000}, {"subjects": 50000, "types": ("password",)},
     "not for sensitive personal information"),
    ("BR-LGPD", "adequacy", {"dest": "FR"}, {"dest": "FR", "as_of": "2025-12-01"},
     "the adequacy decision for FR applies from 2026-01-26"),
    ("BR-LGPD", "standard_contractual_clauses",
     {"safeguards": [{"kind": "standard_contractual_clauses", "scheme": "BR-SCC"}]}, {"safeguards": SCC},
     "not ones BR-LGPD accepts (BR-SCC)"),
    ("BR-LGPD", "contract_clauses", {"safeguards": [{"kind": "contract", "countries": ["US"]}], "as_of": "2025-08-22"},
     {"safeguards": [{"kind": "contract", "countries": ["US"]}], "as_of": "2025-08-23"}, "in force until 2025-08-22"),
    ("BR-LGPD", "binding_corporate_rules", {"related": True, "role": "affiliate",
     "safeguards": [{"kind": "binding_corporate_rules"}]}, {"safeguards": [{"kind": "binding_corporate_rules"}]},
     "between unrelated organisations"),
    ("BR-LGPD", "specific_consent", {}, {"home": "DE"}, "not a transfer basis under EU-GDPR"),
    ("BR-LGPD", "necessity", {}, {"home": "GB"}, "not a transfer basis under GB-UKGDPR"),
    ("IN-DPDP", "not_restricted", {"as_of": "2027-06-01"}, {"home": "SG"}, "not a transfer basis under SG-PDPA"),
]  # fmt: skip


def test_every_basis_of_every_regime_has_its_case():
    shipped = {(r.id, b) for r in regimes() for b in r.bases}
    assert shipped == {(c[0], c[1]) for c in CASES}


@pytest.mark.parametrize(("regime", "basis", "good", "bad", "words"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_a_basis_accepts_a_valid_use_and_refuses_an_invalid_one(regime, basis, good, bad, words):
    base = {"home": HOMES[regime], "dest": "US" if regime != "CN-PIPL" else "SG"}
    ok, why, held = transfer(**{**base, **good}, basis=basis)
    assert ok, why
    assert held == regime
    ok, why, _ = transfer(**{**base, **bad}, basis=basis)
    assert not ok
    assert words in why


def test_a_restricted_destination_is_refused_on_its_dates():
    """India restricts no country yet; the engine refuses one the list names, from its date."""
    m = load_texts({"map.yaml": yaml.safe_dump({
        "map": {"id": "t", "name": "T", "controller": "a", "home": "IN"},
        "organisations": [{"id": "a", "name": "A", "role": "controller", "jurisdiction": "IN"},
                          {"id": "b", "name": "B", "role": "processor", "jurisdiction": "KP"}],
    })})  # fmt: skip
    r = regime_for("IN", date(2027, 6, 1))
    barred = dataclasses.replace(r, restricted={"KP": (date(2027, 6, 1), None)})
    kw = {"exporter": "a", "recipient": "b", "destination": "KP"}
    assert not check_basis(m, barred, "not_restricted", **kw).valid
    assert "restricted from 2027-06-01" in check_basis(m, barred, "not_restricted", **kw).reason
    assert check_basis(m, r, "not_restricted", **kw).valid


def test_before_a_regime_takes_effect_nothing_is_a_restricted_transfer():
    ok, why, held = transfer("IN", "US", None, as_of="2026-12-01")
    assert ok and why == "no transfer" and held == "IN-DPDP"
    ok, why, _ = transfer("IN", "US", None, as_of="2027-05-13")
    assert not ok and "names no transfer basis" in why


def test_a_basis_recorded_before_the_regime_applies_is_noted_with_the_date_it_will():
    def basis_notes(a):
        return [f for f in audit(a, rules=["model-hygiene"]) if "transfer basis" in f.message]

    early = basis_notes(minimal("IN", "US", "not_restricted", as_of="2026-12-01"))
    assert len(early) == 1 and "the transfer rules of IN-DPDP apply from 2027-05-13" in early[0].message
    assert "is no transfer" not in early[0].message  # it crosses a border; the rules are not yet in force
    assert not basis_notes(minimal("IN", "US", "not_restricted", as_of="2027-05-13"))  # in force: checked, holds
    inside = basis_notes(minimal("DE", "FR", "standard_contractual_clauses"))  # inside the EEA: no transfer at all
    assert len(inside) == 1 and inside[0].message.endswith(
        "is no transfer under EU-GDPR (DE → FR): the basis is not checked."
    )


def test_a_decision_under_challenge_counts_and_says_so():
    ok, why, _ = transfer("DE", "US", "adequacy", safeguards=[{"kind": "certification", "scheme": "DPF"}])
    assert ok and "under legal challenge" in why and "C-703/25 P" in why


def test_the_uk_decision_counts_until_its_end_date():
    assert transfer("DE", "GB", "adequacy", as_of="2031-12-27")[0]
    ok, why, _ = transfer("DE", "GB", "adequacy", as_of="2031-12-28")
    assert not ok and "applies from 2021-06-28 to 2031-12-27" in why


def test_a_volume_basis_needs_the_volume_recorded():
    ok, why, _ = transfer("CN", "SG", "below_threshold")
    assert not ok and "records no subjects_per_year" in why


def test_each_flow_is_held_against_its_senders_regime():
    """An EU controller with a Brazilian and a British affiliate: each one's transfer to the US is
    held against its own regime, the finding citing it; a US processor's onward transfer falls
    back to the controller's (home) regime."""
    doc = {
        "map": {"id": "three", "name": "Three", "controller": "eu", "home": "DE"},
        "organisations": [
            {"id": "eu", "name": "EU GmbH", "role": "controller", "jurisdiction": "DE", "group": "g"},
            {"id": "br", "name": "BR Ltda", "role": "affiliate", "jurisdiction": "BR", "group": "g"},
            {"id": "gb", "name": "GB Ltd", "role": "affiliate", "jurisdiction": "GB", "group": "g"},
            {"id": "us", "name": "US Inc", "role": "processor", "jurisdiction": "US",
             "safeguards": [{"kind": "standard_contractual_clauses"}]},
            {"id": "jp", "name": "JP KK", "role": "sub_processor", "jurisdiction": "JP", "engaged_by": "us"},
        ],
        "nodes": [
            {"id": "eu-app", "name": "EU app", "kind": "system", "owner": "eu", "jurisdiction": "DE"},
            {"id": "br-app", "name": "BR app", "kind": "system", "owner": "br", "jurisdiction": "BR"},
            {"id": "gb-app", "name": "GB app", "kind": "system", "owner": "gb", "jurisdiction": "GB"},
            {"id": "us-app", "name": "US app", "kind": "system", "owner": "us", "jurisdiction": "US"},
            {"id": "jp-app", "name": "JP app", "kind": "system", "owner": "jp", "jurisdiction": "JP"},
        ],
        "flows": [
            {"id": "f-eu", "from": "eu-app", "to": "us-app", "types": ["email"], "purposes": ["provide-service"],
             "transfer_basis": "standard_contractual_clauses"},
            {"id": "f-br", "from": "br-app", "to": "us-app", "types": ["email"], "purposes": ["provide-service"],
             "transfer_basis": "standard_contractual_clauses"},
            {"id": "f-gb", "from": "gb-app", "to": "us-app", "types": ["email"], "purposes": ["provide-service"],
             "transfer_basis": "standard_contractual_clauses"},
            {"id": "f-us", "from": "us-app", "to": "jp-app", "types": ["email"], "purposes": ["provide-service"],
             "transfer_basis": "adequacy"},
        ],
        "policies": [{"id": "p", "title": "P", "version": "1", "controller": "eu", "declarations": [
            {"id": "d", "kind": "purpose", "clause": "1", "quote": "We provide the service.",
             "purposes": ["provide-service"]}]}],
    }  # fmt: skip
    a = Analysis(load_texts({"map.yaml": yaml.safe_dump(doc, sort_keys=False)}))
    assert {f: a.flow_facts[f].regime for f in a.map.flows} == {
        "f-eu": "EU-GDPR", "f-br": "BR-LGPD", "f-gb": "GB-UKGDPR", "f-us": "EU-GDPR",
    }  # fmt: skip
    assert list(a.regimes) == ["EU-GDPR", "GB-UKGDPR", "BR-LGPD"]
    found = {f.flows[0]: f for f in audit(a, rules=["cross-border-basis"])}
    # EU SCCs are valid for the EU sender only: the BR and GB senders need their own clauses
    assert set(found) == {"f-br", "f-gb"}
    assert "under BR-LGPD" in found["f-br"].message and "not ones BR-LGPD accepts (BR-SCC)" in found["f-br"].message
    assert "under GB-UKGDPR" in found["f-gb"].message
    assert any(c.policy == "GB-UKGDPR" and c.law for c in found["f-gb"].clauses)
    assert "transfer_basis: adequacy, standard_contractual_clauses, binding_corporate_rules, derogation" in (
        found["f-gb"].remedy
    )


def test_a_transfer_on_a_challenged_decision_is_an_informational_finding():
    doc = {
        "map": {"id": "c", "name": "C", "controller": "acme", "home": "NL", "as_of": date(2026, 12, 1)},
        "organisations": [
            {"id": "acme", "name": "Acme BV", "role": "controller", "jurisdiction": "NL"},
            {"id": "cal", "name": "Cal Inc", "role": "processor", "jurisdiction": "US",
             "safeguards": [{"kind": "certification", "scheme": "DPF"}]},
        ],
        "nodes": [
            {"id": "app", "name": "App", "kind": "system", "owner": "acme", "jurisdiction": "NL"},
            {"id": "cal-api", "name": "Calendar", "kind": "system", "owner": "cal", "jurisdiction": "US"},
        ],
        "flows": [{"id": "f", "from": "app", "to": "cal-api", "types": ["email"], "purposes": ["provide-service"],
                   "transfer_basis": "adequacy"}],
        "policies": [{"id": "p", "title": "P", "version": "1", "controller": "acme", "declarations": [
            {"id": "d", "kind": "purpose", "clause": "1", "quote": "We provide the service.",
             "purposes": ["provide-service"]}]}],
    }  # fmt: skip
    a = Analysis(load_texts({"map.yaml": yaml.safe_dump(doc, sort_keys=False)}))
    [f] = audit(a, rules=["challenged-decision"])
    assert f.severity == "info" and f.flows == ("f",) and "C-703/25 P" in f.message
    assert audit(a, rules=["cross-border-basis"]) == []  # the decision still counts
