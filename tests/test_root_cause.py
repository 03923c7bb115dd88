"""One missing declaration, one finding: the flows it affects are listed in it, and counted."""

from __future__ import annotations

from _audit_maps import add, build, fl, org, spec, system

from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.queries import disclosure_frame


def _eleven_ad_flows():
    s = spec("DE")
    s["map"]["as_of"] = "2026-12-01"
    for i in range(11):
        add(s, "nodes", system(f"ads-{i:02d}", "ctrl", "DE"))
        add(s, "flows", fl(f"f-ads-{i:02d}", "app", f"ads-{i:02d}", ["email"], ["marketing"]))
    return s


def test_an_undeclared_purpose_used_by_eleven_flows_is_one_finding():
    m = build(_eleven_ad_flows())
    found = [f for f in audit(Analysis(m)) if f.rule == "undeclared-purpose"]
    assert len(found) == 1
    (f,) = found
    assert f.flows == tuple(f"f-ads-{i:02d}" for i in range(11))
    assert "on 11 flow(s): f-ads-00, f-ads-01, f-ads-02, f-ads-03, f-ads-04 and 6 more" in f.message
    assert "f-ads-05" not in f.message and f.path == ()
    frame = disclosure_frame(Analysis(m))
    rows = frame[(frame.dimension == "purpose") & (frame.disclosure == "omitted")]
    assert sorted(rows.flow) == list(f.flows)  # the per-flow frame keeps every flow


def test_different_causes_stay_apart_and_a_cause_of_one_flow_keeps_its_own_finding():
    s = _eleven_ad_flows()
    add(s, "flows", fl("f-stats", "app", "ads-00", ["email"], ["analytics"]))
    found = [f for f in audit(Analysis(build(s))) if f.rule == "undeclared-purpose"]
    assert sorted(len(f.flows) for f in found) == [1, 11]
    single = next(f for f in found if len(f.flows) == 1)
    assert single.path == ("app", "ads-00") and single.message.startswith("Flow f-stats from")


def test_transfers_to_one_recipient_without_a_basis_are_one_finding_per_recipient():
    s = spec("DE")
    s["map"]["as_of"] = "2026-12-01"
    add(s, "organisations", org("us-a", "processor", "US"), org("us-b", "processor", "US"))
    for i in range(3):
        add(s, "nodes", system(f"a-{i}", "us-a", "US"))
        add(s, "flows", fl(f"f-a-{i}", "app", f"a-{i}", ["email"], sharing_basis="on_instruction"))
    add(s, "nodes", system("b-0", "us-b", "US"))
    add(s, "flows", fl("f-b-0", "app", "b-0", ["email"], sharing_basis="on_instruction"))
    found = [f for f in audit(Analysis(build(s))) if f.rule == "cross-border-basis"]
    assert sorted(f.flows for f in found) == [("f-a-0", "f-a-1", "f-a-2"), ("f-b-0",)]
    grouped = next(f for f in found if len(f.flows) == 3)
    assert "(recipient us-a) on 3 flow(s): f-a-0, f-a-1, f-a-2" in grouped.message
