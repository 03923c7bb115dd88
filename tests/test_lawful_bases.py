"""Lawful bases of processing and named recipients, on a GDPR-shaped map of our own."""

from __future__ import annotations

import pytest
from _audit_maps import D, add, build, decl, fl, org, spec, system

from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.errors import MapValidationError


def _of(s, rule):
    return [f for f in audit(Analysis(build(s))) if f.rule == rule]


def _pharmacy_app():
    """A German health app: "we share your data with pharmacies and insurers only with your explicit consent"."""
    s = spec("DE")
    s["map"]["as_of"] = "2026-12-01"
    s["declarations"] = [d for d in s["declarations"] if d["id"] not in ("share-consent", "no-share")]
    add(
        s,
        "declarations",
        D(
            "share-health",
            "sharing",
            "5.1",
            bases=["consent"],
            recipient_roles=["third_party"],
            recipients=["insurer", "pharmacy"],
            lawful_bases=["consent"],
        ),
    )
    add(
        s,
        "organisations",
        org("kasse", "third_party", "DE", category="insurer"),
        org("apo", "third_party", "DE", category="pharmacy"),
        org("bank", "third_party", "DE", category="bank"),
    )
    add(
        s, "nodes", system("kasse-api", "kasse", "DE"), system("apo-api", "apo", "DE"), system("bank-api", "bank", "DE")
    )
    return s


def test_sharing_with_an_insurer_on_legitimate_interests_contradicts_only_with_consent():
    s = _pharmacy_app()
    add(
        s,
        "flows",
        fl("f-ins", "app", "kasse-api", ["email"], sharing_basis="consent", lawful_basis="legitimate_interests"),
    )
    (f,) = _of(s, "undeclared-recipient")
    assert f.flows == ("f-ins",) and f.disclosure == "incorrect" and [c.clause for c in f.clauses] == ["5.1"]
    assert "relies on legitimate_interests" in f.message and "only on consent" in f.message
    assert "lawful_basis" in f.remedy
    s["flows"][-1]["lawful_basis"] = "consent"
    assert not _of(s, "undeclared-recipient")
    del s["flows"][-1]["lawful_basis"]  # not recorded: the sharing basis (consent) is what is known
    assert not _of(s, "undeclared-recipient")


def test_a_purposes_lawful_basis_counts_when_the_flow_names_none():
    s = _pharmacy_app()
    add(s, "flows", fl("f-apo", "app", "apo-api", ["email"], ["support"], sharing_basis="consent"))
    next(p for p in s["purposes"] if p["id"] == "support")["lawful_basis"] = "consent"
    assert not _of(s, "undeclared-recipient")
    next(p for p in s["purposes"] if p["id"] == "support")["lawful_basis"] = "contract"
    (f,) = _of(s, "undeclared-recipient")
    assert "relies on contract" in f.message


def test_a_declaration_naming_its_recipients_does_not_cover_another_of_the_same_role():
    s = _pharmacy_app()
    add(s, "flows", fl("f-bank", "app", "bank-api", ["email"], sharing_basis="consent", lawful_basis="consent"))
    (f,) = _of(s, "undeclared-recipient")
    assert f.flows == ("f-bank",) and f.disclosure == "omitted"
    decl(s, "share-health")["recipients"] = ["insurer", "pharmacy", "bank"]  # an organisation id works as well
    assert not _of(s, "undeclared-recipient")


def test_a_purpose_declared_only_on_consent():
    s = _pharmacy_app()
    add(s, "declarations", D("ads", "purpose", "4.2", purposes=["marketing"], lawful_bases=["consent"]))
    add(s, "nodes", system("crm", "ctrl", "DE"))
    add(s, "flows", fl("f-ads", "app", "crm", ["email"], ["marketing"], lawful_basis="legitimate_interests"))
    (f,) = _of(s, "undeclared-purpose")
    assert f.disclosure == "incorrect" and "relies on legitimate_interests" in f.message
    s["flows"][-1]["lawful_basis"] = "consent"
    assert not _of(s, "undeclared-purpose")


@pytest.mark.parametrize(
    ("where", "value", "says"),
    [
        ("flow", "deemed_consent", "is a lawful basis under SG-PDPA, not under the regime of DE"),
        ("flow", "legitimate_interest", "did you mean 'legitimate_interests'?"),
        ("recipients", "insurers", "did you mean 'insurer'?"),
    ],
)
def test_bases_and_recipients_are_checked_against_the_regime_and_the_organisations(where, value, says):
    s = _pharmacy_app()
    if where == "flow":
        add(s, "flows", fl("f-x", "app", "kasse-api", ["email"], sharing_basis="consent", lawful_basis=value))
    else:
        decl(s, "share-health")["recipients"] = [value]
    with pytest.raises(MapValidationError) as exc:
        build(s)
    (e,) = exc.value.errors
    assert says in e.message + " " + e.hint
    assert e.src.file == ("flows.yaml" if where == "flow" else "policy.yaml")


def test_taxonomy_lists_the_regimes_lawful_bases():
    from flowatlas.vocabulary import vocabulary_lines

    gdpr_lines, pdpa_lines = (vocabulary_lines(build(spec(home)), "bases") for home in ("DE", "SG"))
    assert gdpr_lines[0] == "# EU-GDPR: lawful bases of processing (the regime of the map's home, DE)"
    assert pdpa_lines[0] == "# SG-PDPA: lawful bases of processing (the regime of the map's home, SG)"
    gdpr, pdpa = ([line.split()[0] for line in lines[1:]] for lines in (gdpr_lines, pdpa_lines))
    assert gdpr == ["consent", "contract", "legal_obligation", "vital_interests", "public_task", "legitimate_interests"]
    assert {"deemed_consent", "business_improvement", "legitimate_interests"} <= set(pdpa)
