"""Audit core: subsumption, both regimes, determinism, frames and helpers, queries, CLI exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from _audit_maps import D, add, build, decl, fl, flow, node, org, spec, store, system, texts

from flowatlas.analysis import Analysis
from flowatlas.audit import audit, findings_frame, undeclared_transfers
from flowatlas.cli import main
from flowatlas.errors import UsageError
from flowatlas.findings import TABLE_COLUMNS
from flowatlas.loader import load_texts
from flowatlas.queries import breach_impact, coverage_matrix, disclosure_frame, erase_scope, where_type_goes
from flowatlas.regimes import regime_for


def verdict(m, flow_id: str, dim: str, item: str):
    return next(v for v in Analysis(m).verdicts[flow_id] if v.dimension == dim and v.item == item)


# --------------------------------------------------------------------------- subsumption


@pytest.mark.parametrize(
    ("declared", "used", "expected"),
    [
        (["contact"], "email", "vague"),  # declared parent
        (["personal"], "email", "vague"),  # declared grandparent
        (["email"], "email", "clear"),  # exact
        (["email"], "contact", "omitted"),  # declared child does not cover the parent
        (["phone"], "email", "omitted"),  # sibling
    ],
)
def test_type_subsumption(declared, used, expected):
    s = spec()
    decl(s, "col-reg")["types"] = [*declared, "name", "password"]
    flow(s, "f-signup")["types"] = [used, "name", "password"]
    v = verdict(build(s), "f-signup", "type", used)
    assert v.disclosure == expected
    assert v.declarations == ("col-reg",)  # deciding clause, or the clause it was held against


def test_vague_names_the_nearest_broader_term():
    s = spec()
    add(s, "declarations", D("col-broad", "collection", "1.0", types=["personal"]))
    decl(s, "col-reg")["types"] = ["contact", "name", "password"]
    v = verdict(build(s), "f-signup", "type", "email")
    assert v.declarations == ("col-reg",) and "'contact'" in v.reason


@pytest.mark.parametrize(
    ("declared", "used", "expected"),
    [(["service"], "support", "vague"), (["support"], "support", "clear"), (["support"], "service", "omitted")],
)
def test_purpose_subsumption(declared, used, expected):
    s = spec()
    decl(s, "use")["purposes"] = declared
    flow(s, "f-save")["purposes"] = [used]
    assert verdict(build(s), "f-save", "purpose", used).disclosure == expected


def test_disclosure_frame_has_clauses():
    df = disclosure_frame(Analysis(build()))
    assert set(df.columns) >= {"flow", "dimension", "item", "disclosure", "clauses"}
    row = df[(df.flow == "f-signup") & (df.item == "email")].iloc[0]
    assert (row.disclosure, row.clauses) == ("clear", "1.1")


# --------------------------------------------------------------------------- regimes


def test_regime_selection():
    assert regime_for("SG").id == "SG-PDPA"
    assert regime_for("DE").id == regime_for("FR").id == regime_for("NO").id == "EU-GDPR"
    assert regime_for("US") is None


def _eu(basis: str | None, dest: str, safeguards=None, role="processor") -> dict:
    s = spec(home="DE")
    add(s, "organisations", org("ext", role, dest, safeguards=safeguards or []))
    add(s, "nodes", system("ext-app", "ext", dest))
    extra = {"transfer_basis": basis} if basis else {}
    add(s, "flows", fl("f-x", "app", "ext-app", ["email"], sharing_basis="on_instruction", **extra))
    return s


@pytest.mark.parametrize(
    ("basis", "dest", "safeguards"),
    [
        (None, "FR", None),  # inside the EEA: not a restricted transfer
        ("adequacy", "JP", None),
        ("standard_contractual_clauses", "US", [{"kind": "standard_contractual_clauses"}]),
        ("adequacy", "US", [{"kind": "certification", "scheme": "other", "reference": "DPF"}]),
        ("derogation", "BR", None),
    ],
)
def test_gdpr_valid(basis, dest, safeguards):
    assert audit(Analysis(build(_eu(basis, dest, safeguards))), rules=["cross-border-basis"]) == []


@pytest.mark.parametrize(
    ("basis", "dest", "safeguards", "words"),
    [
        (None, "US", None, "names no transfer basis"),
        ("adequacy", "IN", None, "no adequacy decision covers IN"),
        ("adequacy", "US", None, "Data Privacy Framework"),
        ("standard_contractual_clauses", "US", None, "no standard contractual clauses"),
        ("contract", "US", [{"kind": "contract", "countries": ["US"]}], "not a transfer basis under EU-GDPR"),
        ("in_transit", "US", None, "not a transfer basis under EU-GDPR"),
    ],
)
def test_gdpr_invalid(basis, dest, safeguards, words):
    [f] = audit(Analysis(build(_eu(basis, dest, safeguards))), rules=["cross-border-basis"])
    assert words in f.message and f.severity == "high"
    assert f.clauses and f.clauses[0].policy == "EU-GDPR"


def test_gdpr_home_storage_in_eea_country_not_declared():
    s = spec(home="DE")
    add(s, "nodes", store("db-fr", "ctrl", "FR", backup_of="db"))
    [f] = audit(Analysis(build(s)), rules=["storage-location"])
    assert f.nodes == ("db-fr",) and f.countries == ("DE", "FR")  # not a transfer, but not a declared location
    assert audit(Analysis(build(s)), rules=["cross-border-basis"]) == []


# --------------------------------------------------------------------------- determinism


def _busy() -> dict:
    s = spec()
    flow(s, "f-signup")["types"].append("phone")
    add(s, "organisations", org("ext", "third_party", "US"), org("ghost", "processor", "SG"))
    add(s, "nodes", system("ext-app", "ext", "US"), store("db-us", "ctrl", "US", backup_of="db", erase=False))
    add(s, "flows", fl("f-x", "app", "ext-app", ["email", "password"], ["marketing"], encrypted=False))
    return s


def test_determinism_under_shuffled_files_and_records():
    base = audit(Analysis(build(_busy())))
    assert len({f.rule for f in base}) >= 6
    ids = [f.id for f in base]
    for seed in range(4):
        again = audit(Analysis(build(_busy(), shuffle=seed)))
        assert [f.id for f in again] == ids
        assert [f.to_dict() | {"src": ""} for f in again] == [f.to_dict() | {"src": ""} for f in base]


def test_ids_do_not_depend_on_lines():
    s = _busy()
    t = texts(s)
    t["flows.yaml"] = "# a comment\n\n\n" + t["flows.yaml"]
    moved = audit(Analysis(load_texts(t, base_taxonomy=False)))
    base = audit(Analysis(build(s)))
    assert [f.id for f in moved] == [f.id for f in base]
    assert [f.src for f in moved] != [f.src for f in base]


# --------------------------------------------------------------------------- helpers and frames


def test_undeclared_transfers_and_frame():
    found = audit(Analysis(build(_busy())))
    flows = undeclared_transfers(found)
    assert flows == ["f-signup", "f-x"]
    df = findings_frame(found)
    assert len(df) == len(found) and df["undeclared"].any()
    assert set(df.loc[df.undeclared, "flows"].str.split(", ").explode()) == set(flows)
    assert (df["src"] != "").all() and df["message"].str.len().min() > 20


def test_unknown_rule_and_policy_raise_usage_error():
    m = build()
    with pytest.raises(UsageError, match="unknown rule"):
        audit(Analysis(m), rules=["nope"])
    with pytest.raises(UsageError, match="unknown policy"):
        audit(Analysis(m, "nope"))


# --------------------------------------------------------------------------- queries


def test_where_type_goes():
    r = where_type_goes(Analysis(build(_busy())), "email")
    assert r.stores == ("db", "db-us") or r.stores == ("db",)
    assert "ext-app" in r.paths and r.paths["ext-app"][0] == ("person", "app", "ext-app")
    assert r.countries == ("SG", "US") and r.organisations == ("ctrl", "ext")
    assert list(r.frame(Analysis(build(_busy()))).columns)[:3] == ["node", "name", "kind"]
    with pytest.raises(UsageError):
        where_type_goes(Analysis(build()), "nope")


def test_where_type_goes_follows_only_carrying_flows():
    r = where_type_goes(Analysis(build(_busy())), "phone")
    assert set(r.paths) == {"person", "app"}


def test_breach_impact():
    imp = breach_impact(Analysis(build(_busy())), "app")
    assert imp.types == ("email", "name", "password", "phone")
    assert imp.subjects == ("account-holder",)
    assert imp.upstream == ("person",)
    assert imp.downstream["ext-app"] == ("app", "ext-app") and "db" in imp.downstream
    assert imp.countries == ("SG", "US")
    assert imp.upstream_types == ("email", "name", "password", "phone")
    assert imp.downstream_types == ("email", "name", "password")  # phone stays in the app
    assert imp.downstream_subjects == ("account-holder",)


def test_erase_scope():
    df = erase_scope(Analysis(build(_busy())), "user")  # parent category: covers account holders
    assert list(df.store) == ["db-us", "db"]  # unreached first
    assert list(df.reached) == [False, True] and df.iloc[0].copy_of == "db"
    assert erase_scope(Analysis(build(_busy())), "inquirer").empty


def test_coverage_matrix_worst_class():
    df = coverage_matrix(Analysis(build(_busy())))
    assert df.loc["password", "ext"] == "incorrect"  # prohibited third party, unencrypted sensitive type
    assert df.loc["email", "ctrl"] in ("clear", "omitted")
    assert df.loc["phone", "ctrl"] == "omitted"
    assert df.loc["phone"].isna().sum() == 1  # phone never reaches ext


# --------------------------------------------------------------------------- CLI


def _write(tmp_path, s: dict):
    for name, text in texts(s, base_taxonomy=True).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path)


def test_cli_exit_codes(tmp_path, capsys):
    (tmp_path / "clean").mkdir()
    (tmp_path / "busy").mkdir()
    clean = _write(tmp_path / "clean", spec())
    busy = _write(tmp_path / "busy", _busy())
    assert main(["audit", clean, "--fail-on", "low"]) == 0
    assert main(["audit", clean, "--fail-on", "info"]) == 1  # over-declaration (info) of unused 5.x clauses
    assert main(["audit", busy, "--fail-on", "high"]) == 1
    assert main(["audit", busy, "--rule", "over-declaration", "--fail-on", "low"]) == 0
    assert main(["audit", busy, "--rule", "nope"]) == 2
    assert main(["audit", str(tmp_path / "missing")]) == 2
    capsys.readouterr()
    assert main(["audit", busy, "--format", "json", "--fail-on", "high"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data and {"id", "rule", "severity", "clauses", "path", "src"} <= set(data[0])
    assert main(["audit", busy, "--format", "csv"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == ",".join(TABLE_COLUMNS)  # the layout of findings.csv


def test_cli_subprocess_bad_format(tmp_path):
    (tmp_path / "clean").mkdir()
    clean = _write(tmp_path / "clean", spec())
    r = subprocess.run(
        [sys.executable, "-m", "flowatlas", "audit", clean, "--format", "xml"], capture_output=True, text=True
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_cli_broken_map_exits_2(tmp_path, capsys):
    (tmp_path / "m").mkdir()
    s = spec()
    flow(s, "f-save")["to"] = "nowhere"
    path = _write(tmp_path / "m", s)
    assert main(["audit", path]) == 2
    assert "flows.yaml" in capsys.readouterr().err


def test_no_policy_no_crash():
    s = spec()
    node(s, "db")["erase"] = False
    t = texts(s)
    t.pop("policy.yaml")
    assert audit(Analysis(load_texts(t, base_taxonomy=False))) == []


def test_docs_list_every_rule():
    from pathlib import Path

    from flowatlas.audit import RULES

    doc = (Path(__file__).resolve().parents[1] / "docs" / "audit.md").read_text(encoding="utf-8")
    for rid, r in RULES.items():
        assert f"| `{rid}` | {r.severity} |" in doc, rid


def test_home_without_shipped_regime_checks_presence_only():
    s = spec(home="US")
    add(s, "organisations", org("ext", "processor", "CA"))
    add(s, "nodes", system("ext-app", "ext", "CA"))
    add(s, "flows", fl("f-x", "app", "ext-app", ["email"], sharing_basis="on_instruction"))
    [f] = audit(Analysis(build(s)), rules=["cross-border-basis"])
    assert f.disclosure == "omitted" and "any regime" in f.message
    flow(s, "f-x")["transfer_basis"] = "derogation"
    assert audit(Analysis(build(s)), rules=["cross-border-basis"]) == []


def test_one_contract_judges_each_destination_for_itself():
    """Flows that agree on everything but their destination share no transfer verdict: a contract
    that names only the US covers the US flow and not the Japanese one, whichever comes first."""
    for first, second in (("US", "JP"), ("JP", "US")):
        s = spec()
        add(s, "organisations", org("ext", "processor", "US", safeguards=[{"kind": "contract", "countries": ["US"]}]))
        add(s, "nodes", system("ext-a", "ext", first), system("ext-b", "ext", second))
        kw = {"sharing_basis": "on_instruction", "transfer_basis": "contract"}
        add(s, "flows", fl("f-a", "app", "ext-a", ["email"], **kw), fl("f-b", "app", "ext-b", ["email"], **kw))
        m = build(s)
        by_country = {first: "f-a", second: "f-b"}
        assert verdict(m, by_country["US"], "safeguard", "transfer").disclosure == "clear"
        jp = verdict(m, by_country["JP"], "safeguard", "transfer")
        assert jp.disclosure == "incorrect" and "names US but not the destination JP" in jp.reason


def test_verdicts_mapping_and_the_rules_view_of_it():
    """The analysis hands out each flow's Verdicts on lookup; the rules' by_dimension view holds
    every verdict that is neither clear nor vague, and every recipient verdict; the vague ones are
    grouped as the info findings report them; whichever mapping it is given."""
    from flowatlas.analysis import Analysis
    from flowatlas.audit.rules import Context
    from flowatlas.loader import load_map

    from conftest import ABSOLOOP

    m = load_map(ABSOLOOP)
    vs = Analysis(m).verdicts
    assert len(vs) == len(m.flows) and list(vs) == list(m.flows)
    plain = {fid: vs[fid] for fid in vs}
    assert all(v.flow == fid for fid, got in plain.items() for v in got)
    every = [v for got in plain.values() for v in got]
    want = [v for v in every if v.disclosure not in ("clear", "vague") or v.dimension == "recipient"]
    vague = [v for v in every if v.disclosure == "vague"]
    assert any(v.disclosure == "clear" for v in every) and vague  # some are left out; some are grouped
    # the groups the info findings report: per dimension and (item, declarations), the reason of
    # the first such verdict in flow order, and the flows, sorted, each once
    groups: dict = {}
    for v in vague:
        groups.setdefault(v.dimension, {}).setdefault((v.item, v.declarations), (v.reason, set()))[1].add(v.flow)
    want_vague = {d: {k: (r, tuple(sorted(fl))) for k, (r, fl) in g.items()} for d, g in groups.items()}
    for given in (vs, plain):
        ctx = Context(Analysis(m), verdicts=given)
        got = [v for by_cls in ctx.by_dimension.values() for lst in by_cls.values() for v in lst]
        assert sorted(got) == sorted(want)
        assert {d: dict(g) for d, g in ctx.vague.items()} == want_vague
        assert [list(g) for g in ctx.vague.values()] == [list(g) for g in want_vague.values()]  # first-seen order


def test_auditing_a_map_adds_nothing_to_it():
    """What is derived from a map lives in its Analysis: the map itself is the same before and
    after an audit, and an analysis is freed with its last reference."""
    import gc
    import weakref

    from flowatlas.analysis import Analysis
    from flowatlas.loader import load_map

    from conftest import ABSOLOOP

    m = load_map(ABSOLOOP)
    m.type_tree, m.purpose_tree, m.subject_tree, m.region_countries, m.as_of  # noqa: B018 - the map's own
    before = dict(vars(m)) if hasattr(m, "__dict__") else {}
    a = Analysis(m)
    assert audit(a) and a.graph.number_of_edges() == len(m.flows) and len(a.verdicts) == len(m.flows)
    audit(Analysis(m))
    disclosure_frame(Analysis(m))
    assert (dict(vars(m)) if hasattr(m, "__dict__") else {}) == before
    ref = weakref.ref(a)
    del a
    gc.collect()
    assert ref() is None


def test_remedies_and_messages_cite_the_maps_own_clauses():
    """A policy that numbers its clauses A.1, B, ...: every clause a finding names is one of them,
    and no section number of another statement (Absoloop's) appears anywhere."""
    import re

    from flowatlas.audit import RULES
    from flowatlas.loader import load_map

    from conftest import ABSOLOOP

    s = spec()
    letters = {}
    for i, d in enumerate(s["declarations"]):
        letters[d["clause"]] = d["clause"] = f"{chr(65 + i)}.{i % 3}" if i % 2 else chr(65 + i)
        d["quote"] = f"quote of {d['clause']}"
    add(s, "organisations", org("proc", "processor", "US"), org("sub", "sub_processor", "JP", engaged_by="proc"))
    add(
        s,
        "nodes",
        system("proc-app", "proc", "US"),
        store("sub-db", "sub", "JP", retention="P10Y", erase=False),
        store("us-db", "ctrl", "US", encrypted_at_rest=False),
    )
    add(
        s,
        "flows",
        fl("f-col", "person", "app", ["phone", "chat"], context="registration"),  # undeclared collection
        fl("f-ads", "app", "db", ["email"], ["marketing"]),  # undeclared purpose
        fl("f-out", "app", "proc-app", ["email"], transfer_basis="contract", sharing_basis="consent"),  # bad contract
        fl("f-on", "proc-app", "sub-db", ["email"]),  # onward, to JP
        fl("f-us", "app", "us-db", ["password"], encrypted=False),
    )  # storage abroad, unencrypted
    m = build(s)
    found = audit(Analysis(m))
    assert {f.rule for f in found} >= {
        "undeclared-collection",
        "undeclared-purpose",
        "undeclared-recipient",
        "storage-location",
        "cross-border-basis",
        "onward-transfer",
        "security-contradicted",
        "rights-gap",
    }
    own = {d["clause"] for d in s["declarations"]}
    theirs = {d.clause for p in load_map(ABSOLOOP).policies.values() for d in p.declarations} - own
    for f in found:
        text = f"{f.message} {f.remedy}"
        assert "§" not in text, (f.rule, text)
        for cited in re.findall(r"clauses? ((?:[A-Z0-9][\w.()-]*)(?:, [A-Z0-9][\w.()-]*)*)", text):
            for c in cited.split(", "):
                assert c.rstrip(").;,") in own, (f.rule, c, text)
        assert not {c.clause for c in f.clauses if c.policy == "pol"} - own
        assert not any(re.search(rf"clause {re.escape(c)}\b", text) for c in theirs), (f.rule, text)
    for r in RULES.values():
        assert "§" not in r.held_against and "§" not in r.explanation, r.id
    # with no declaration of the kind a remedy would point to, it says so
    s2 = spec()
    s2["declarations"] = [d for d in s2["declarations"] if d["kind"] != "purpose"]
    add(s2, "flows", fl("f-ads", "app", "db", ["email"], ["marketing"]))
    [purpose] = [f for f in audit(Analysis(build(s2))) if f.rule == "undeclared-purpose" and f.flows == ("f-ads",)]
    assert "no declaration covers this yet" in purpose.remedy
