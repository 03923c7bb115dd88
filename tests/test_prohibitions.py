"""Prohibitions of every kind a statement makes, on maps of our own (tests/_audit_maps.py)."""

from __future__ import annotations

import pytest
from _audit_maps import D, add, build, fl, org, spec, store, system

from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.errors import MapValidationError


def _findings(s, rule):
    return [f for f in audit(Analysis(build(s))) if f.rule == rule]


def _clinic():
    """A German clinic app: consultations (chat) go through the app; the statement rules things out."""
    s = spec("DE")
    s["map"]["as_of"] = "2026-12-01"
    s["flows"][0]["types"].append("chat")
    s["declarations"][0]["types"].append("chat")
    add(s, "nodes", system("video", "ctrl", "DE"))
    add(s, "flows", fl("f-call", "app", "video", ["chat"]))
    return s


def test_we_do_not_record_your_consultations():
    s = _clinic()
    add(s, "declarations", D("no-rec", "prohibition", "3.4", prohibits="storage", types=["chat"]))
    assert not _findings(s, "prohibited-storage")  # passing through a system is not recording
    add(s, "nodes", store("recordings", "ctrl", "DE"))
    add(s, "flows", fl("f-rec", "video", "recordings", ["chat"]))
    (f,) = _findings(s, "prohibited-storage")
    assert f.nodes == ("recordings",) and f.types == ("chat",) and f.disclosure == "incorrect"
    assert f.dimension == "type" and [c.clause for c in f.clauses] == ["3.4"] and "quote of 3.4" in f.message
    assert f.flows == ("f-rec",)


def test_a_storage_prohibition_of_a_broader_type_covers_the_narrower_one():
    s = _clinic()
    add(s, "declarations", D("no-rec", "prohibition", "3.4", prohibits="storage", types=["personal"]))
    (f,) = _findings(s, "prohibited-storage")  # the account DB keeps email, name and password
    assert f.nodes == ("db",) and f.types == ("email", "name", "password")


def test_we_never_use_your_location_for_marketing():
    s = _clinic()
    s["flows"][0]["types"].append("location")
    s["declarations"][0]["types"].append("location")
    add(s, "declarations", D("mkt", "purpose", "4.2", purposes=["marketing"]))
    add(
        s,
        "declarations",
        D("no-loc-ads", "prohibition", "4.3", prohibits="use", types=["location"], purposes=["marketing"]),
    )
    add(s, "nodes", system("crm", "ctrl", "DE"))
    add(s, "flows", fl("f-ads", "app", "crm", ["email", "location"], ["marketing"]))
    add(s, "flows", fl("f-news", "app", "crm", ["email"], ["marketing"]))
    found = _findings(s, "undeclared-purpose")
    assert [f.flows for f in found] == [("f-ads",)]
    (f,) = found
    assert f.disclosure == "incorrect" and f.severity == "high" and [c.clause for c in f.clauses] == ["4.3"]
    assert "location is never used for marketing" in f.message and f.remedy.startswith("Stop using")


def test_your_data_never_leaves_the_european_union():
    s = _clinic()
    add(s, "declarations", D("stay-eu", "prohibition", "2.2", prohibits="location", locations=["EU"]))
    add(s, "organisations", org("host", "processor", "FR"), org("us-host", "processor", "US"))
    add(s, "nodes", system("fr-app", "host", "FR"), system("us-app", "us-host", "US"))
    add(s, "flows", fl("f-fr", "app", "fr-app", ["email"], sharing_basis="on_instruction"))
    add(
        s,
        "flows",
        fl(
            "f-us",
            "app",
            "us-app",
            ["email"],
            sharing_basis="on_instruction",
            transfer_basis="standard_contractual_clauses",
        ),
    )
    (f,) = _findings(s, "prohibited-location")
    assert f.flows == ("f-us",) and f.countries == ("DE", "US") and [c.clause for c in f.clauses] == ["2.2"]
    assert "never leaves EU" in f.message


def test_we_never_sell_your_data():
    s = _clinic()
    add(s, "declarations", D("no-sale", "prohibition", "5.9", prohibits="sale"))
    add(s, "organisations", org("broker", "third_party", "DE"))
    add(s, "nodes", system("broker-api", "broker", "DE"))
    add(s, "flows", fl("f-sold", "app", "broker-api", ["email"], sharing_basis="sale"))
    (f,) = _findings(s, "undeclared-recipient")
    assert f.disclosure == "incorrect" and [c.clause for c in f.clauses] == ["5.9"]
    assert "never sold" in f.message and f.remedy.startswith("Stop selling")


@pytest.mark.parametrize(("prohibits", "needs"), [("storage", "types"), ("use", "purposes"), ("location", "locations")])
def test_each_kind_of_prohibition_says_what_it_needs(prohibits, needs):
    s = _clinic()
    add(s, "declarations", D("x", "prohibition", "9", prohibits=prohibits))
    with pytest.raises(MapValidationError) as exc:
        build(s)
    (e,) = exc.value.errors
    assert e.src.file == "policy.yaml" and f"a prohibition of {prohibits} needs '{needs}'" in e.message


def test_a_sharing_prohibition_without_roles_points_at_the_other_kinds():
    s = _clinic()
    add(s, "declarations", D("x", "prohibition", "9", types=["chat"]))
    with pytest.raises(MapValidationError) as exc:
        build(s)
    (e,) = exc.value.errors
    assert "a prohibition of sharing needs 'recipient_roles'" in e.message and "prohibits" in e.hint
