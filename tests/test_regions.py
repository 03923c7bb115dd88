"""Region groups as places, and legal rules read as of the map's date.

Maps here are GDPR- and PDPA-shaped minis of our own (tests/_audit_maps.py), not Absoloop.
"""

from __future__ import annotations

from datetime import date

import pytest
from _audit_maps import D, add, build, decl, fl, node, org, spec, store, system

from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.errors import MapValidationError
from flowatlas.regions import base_regions, countries_of


def _rules(m):
    return sorted({f.rule for f in audit(Analysis(m))})


def _of(m, rule):
    return [f for f in audit(Analysis(m)) if f.rule == rule]


def test_base_groups_follow_their_members_dates():
    eu = base_regions()["EU"]
    assert {"GB", "HR"} <= {m if isinstance(m, str) else m.country for m in eu.members}
    assert "GB" in countries_of("EU", base_regions(), date(2020, 1, 31))
    assert "GB" not in countries_of("EU", base_regions(), date(2020, 2, 1))
    assert "HR" not in countries_of("EU", base_regions(), date(2013, 6, 30))
    eea = countries_of("EEA", base_regions(), date(2026, 12, 1))
    assert eea == countries_of("EU", base_regions(), date(2026, 12, 1)) | {"IS", "LI", "NO"}


def _eu_map(as_of: str = "2026-12-01"):
    """A German controller declaring storage "in the European Union"."""
    s = spec("DE")
    s["map"]["as_of"] = as_of
    decl(s, "store")["locations"] = ["EU"]
    return s


def test_storage_declared_in_the_eu_covers_every_member_and_no_other_country():
    s = _eu_map()
    add(s, "nodes", store("fr-copy", "ctrl", "FR"), store("us-copy", "ctrl", "US"))
    add(s, "flows", fl("f-fr", "db", "fr-copy", ["email"]), fl("f-us", "db", "us-copy", ["email"]))
    found = _of(build(s), "storage-location")
    assert [f.nodes for f in found] == [("us-copy",)]
    assert "declares storage in EU" in found[0].message and "US" in found[0].message


def test_a_member_that_left_is_covered_only_before_it_left():
    s = _eu_map("2019-06-01")
    add(s, "nodes", store("uk-copy", "ctrl", "GB"))
    add(s, "flows", fl("f-uk", "db", "uk-copy", ["email"], transfer_basis="adequacy"))
    assert not _of(build(s), "storage-location")
    s["map"]["as_of"] = "2026-12-01"
    assert [f.nodes for f in _of(build(s), "storage-location")] == [("uk-copy",)]


def test_a_map_defines_its_own_group_for_transfers_and_contracts():
    s = spec("SG")
    s["map"]["as_of"] = "2026-12-01"
    s["regions"] = [{"id": "APAC-HUBS", "name": "Our Asia-Pacific hubs", "members": ["JP", "AU"]}]
    add(
        s,
        "organisations",
        org("host", "processor", "JP", safeguards=[{"kind": "contract", "countries": ["APAC-HUBS"]}]),
    )
    add(s, "nodes", system("jp-app", "host", "JP"))
    add(s, "flows", fl("f-jp", "app", "jp-app", ["email"], sharing_basis="on_instruction", transfer_basis="contract"))
    add(s, "declarations", D("xfer", "transfer", "2.3", locations=["APAC-HUBS"], transfer_bases=["contract"]))
    m = build(s)
    assert m.places("APAC-HUBS") == {"JP", "AU"}
    assert not {"cross-border-basis", "undeclared-destination", "storage-location"} & set(_rules(m))
    # the same flow to a country outside the group is neither declared nor covered by the contract
    s["regions"][0]["members"] = ["AU"]
    found = {f.rule: f for f in audit(Analysis(build(s)))}
    assert (
        "cross-border-basis" in found
        and "names APAC-HUBS (AU) but not the destination JP" in found["cross-border-basis"].message
    )


def test_unknown_and_malformed_groups_are_named_with_a_suggestion():
    s = _eu_map()
    decl(s, "store")["locations"] = ["EUU"]
    with pytest.raises(MapValidationError) as exc:
        build(s)
    (e,) = exc.value.errors
    assert e.src.file == "policy.yaml" and "locations[0]: 'EUU'" in e.message and "did you mean 'EU'?" in e.hint
    s = _eu_map()
    s["regions"] = [
        {"id": "NORDICS", "name": "Nordics", "members": ["DK", "SE", "FI", "NO", "IS", "XX"]},
        {"id": "A", "name": "A", "members": ["B"]},
        {"id": "B", "name": "B", "members": ["A"]},
        {"id": "US", "name": "Not a country", "members": ["CA"]},
    ]
    with pytest.raises(MapValidationError) as exc:
        build(s)
    messages = [e.message for e in exc.value.errors]
    assert any("members[5]: 'XX'" in x for x in messages)
    assert any("regions contain each other: A > B > A" in x for x in messages)
    assert any("region id 'US' is a country code" in x for x in messages)
    assert all(e.src.file == "regions.yaml" for e in exc.value.errors)


def test_gdpr_area_comes_from_the_eea_group():
    s = spec("DE")
    s["map"]["as_of"] = "2026-12-01"
    add(s, "nodes", store("no-copy", "ctrl", "NO"))
    add(s, "flows", fl("f-no", "db", "no-copy", ["email"]))
    decl(s, "store")["locations"] = ["EEA"]
    m = build(s)
    assert not _of(m, "cross-border-basis") and not _of(m, "storage-location")


def _sg_certified(as_of: str, scheme: str = "Global-CBPR", **sg):
    s = spec("SG")
    s["map"]["as_of"] = as_of
    add(
        s,
        "organisations",
        org("vendor", "third_party", "US", safeguards=[{"kind": "certification", "scheme": scheme, **sg}]),
    )
    add(s, "nodes", system("us-app", "vendor", "US"))
    add(s, "flows", fl("f-us", "app", "us-app", ["email"], sharing_basis="consent", transfer_basis="certification"))
    add(s, "declarations", D("xfer", "transfer", "2.3", locations=["US"], transfer_bases=["certification"]))
    return s


def test_a_certification_scheme_counts_only_from_the_day_the_regulation_recognises_it():
    before = _of(build(_sg_certified("2026-03-01")), "cross-border-basis")
    assert len(before) == 1 and "Global-CBPR is recognised from 2026-03-02, not on 2026-03-01" in before[0].message
    assert not _of(build(_sg_certified("2026-03-02")), "cross-border-basis")


def test_an_expired_safeguard_is_no_basis():
    m = build(_sg_certified("2026-12-01", scheme="APEC-CBPR", valid_until="2026-06-30"))
    (f,) = _of(m, "cross-border-basis")
    assert "expired on 2026-06-30" in f.message and "as of 2026-12-01" in f.message
    assert not _of(
        build(_sg_certified("2026-06-30", scheme="APEC-CBPR", valid_until="2026-06-30")), "cross-border-basis"
    )


def test_adequacy_decisions_carry_their_dates():
    s = spec("DE")
    s["map"]["as_of"] = "2020-01-01"
    add(s, "organisations", org("kr-host", "processor", "KR"))
    add(s, "nodes", system("kr-app", "kr-host", "KR"))
    add(s, "flows", fl("f-kr", "app", "kr-app", ["email"], sharing_basis="on_instruction", transfer_basis="adequacy"))
    (f,) = _of(build(s), "cross-border-basis")
    assert "adequacy decision for KR applies from 2021-12-17, not on 2020-01-01" in f.message
    s["map"]["as_of"] = "2022-01-01"
    assert not _of(build(s), "cross-border-basis")
    node(s, "kr-app")  # the node is still there: the only change is the date


def test_taxonomy_lists_the_groups_with_their_countries_on_the_maps_date():
    from flowatlas.vocabulary import vocabulary_lines

    s = _eu_map("2019-06-01")
    s["regions"] = [{"id": "DACH", "name": "DACH", "members": ["DE", "AT", "CH"]}]
    lines = {line.split()[0]: line for line in vocabulary_lines(build(s), "regions")}
    assert set(lines) == {"DACH", "EEA", "EU"}
    assert "AT, CH, DE (as of 2019-06-01)" in lines["DACH"] and "GB" in lines["EU"]
