"""Retention counted from events, and retention declarations per type (maps of our own)."""

from __future__ import annotations

import pytest
from _audit_maps import D, add, build, decl, fl, node, spec, store

from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.errors import MapValidationError
from flowatlas.retention import compare, term


def _retention(s):
    return [f for f in audit(Analysis(build(s))) if f.rule == "retention"]


def _closing():
    """The statement: "we keep your data for 30 days after you close your account"."""
    s = spec("DE")
    s["map"]["as_of"] = "2026-12-01"
    decl(s, "keep")["retention"] = "account_closure+P30D"
    return s


@pytest.mark.parametrize(
    ("held", "limit", "exceeds"),
    [
        ("account_closure+P30D", "account_closure+P30D", False),
        ("account_closure+P90D", "account_closure+P30D", True),
        ("service_end+P10D", "account_closure+P30D", False),  # the same clock, by another name
        ("while_service", "account_closure+P30D", False),
        ("P14D", "account_closure+P30D", False),  # a 14-day timer ends within 30 days of closure
        ("P90D", "account_closure+P30D", True),
        ("indefinite", "contract_end+P7Y", True),
        ("contract_end+P10Y", "contract_end+P7Y", True),
        ("collection+P90D", "P90D", False),
        ("account_closure+P1D", "P90D", False),  # cannot be compared: not reported
    ],
)
def test_terms_compare_like_with_like(held, limit, exceeds):
    assert compare(term(held), term(limit)).exceeds is exceeds


def test_a_store_kept_90_days_after_closure_exceeds_30_days_after_closure():
    s = _closing()
    node(s, "db")["retention"] = "account_closure+P90D"
    (f,) = _retention(s)
    assert "longer than the declared 'account_closure+P30D'" in f.message
    assert "both counted from account closure" in f.message and f.severity == "medium"
    node(s, "db")["retention"] = "account_closure+P30D"
    assert not _retention(s)


def test_a_fixed_timer_is_held_against_a_limit_counted_from_closure():
    s = _closing()
    node(s, "db")["retention"] = "P60D"
    (f,) = _retention(s)
    assert "a timer from collection" in f.message and f.severity == "low"
    node(s, "db")["retention"] = "P20D"
    assert not _retention(s)


def test_a_limit_naming_types_applies_to_those_types_only():
    """ "We keep your email for 30 days after you close your account"; no limit on the rest."""
    s = spec("DE")
    s["map"]["as_of"] = "2026-12-01"
    s["declarations"] = [d for d in s["declarations"] if d["id"] != "keep"]
    add(s, "declarations", D("keep-email", "retention", "2.3", retention="account_closure+P30D", types=["email"]))
    add(s, "nodes", store("logs", "ctrl", "DE", retention="account_closure+P1Y"))
    add(s, "flows", fl("f-log", "app", "logs", ["email", "ip"]))
    (f,) = _retention(s)
    assert f.nodes == ("logs",) and f.types == ("email",) and [c.clause for c in f.clauses] == ["2.3"]
    assert f.message.startswith("'logs' (logs) keeps email for account_closure+P1Y")
    # the same store without email is under no limit
    s["flows"][-1]["types"] = ["ip"]
    assert not _retention(s)


def test_a_typed_limit_overrides_the_general_one_for_its_types():
    s = spec("DE")
    s["map"]["as_of"] = "2026-12-01"
    decl(s, "keep")["retention"] = "contract_end+P7Y"  # general
    add(s, "declarations", D("keep-email", "retention", "2.3", retention="account_closure+P30D", types=["email"]))
    node(s, "db")["retention"] = "account_closure+P1Y"
    (f,) = _retention(s)  # name and password: account closure against contract end is not compared
    assert f.types == ("email",) and [c.clause for c in f.clauses] == ["2.3"]
    decl(s, "keep-email")["types"] = ["phone"]  # now email falls under the general limit only
    assert not _retention(s)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("acount_closure+P30D", "did you mean 'account_closure'?"),
        ("account_closure+30 days", "is not an ISO 8601 duration"),
        ("account_closure+P0D", None),
    ],
)
def test_retention_terms_are_checked_where_they_are_written(value, says):
    s = _closing()
    node(s, "db")["retention"] = value
    if says is None:
        build(s)
        return
    with pytest.raises(MapValidationError) as exc:
        build(s)
    (e,) = exc.value.errors
    assert e.src.file == "nodes.yaml" and says in e.message + " " + e.hint
