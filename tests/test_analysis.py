"""The analysis object, the one-definition concepts and the memoised classification.

* memoised classification equals a fresh classification of each flow alone, on random maps;
* a flow's facts (:func:`~flowatlas.analysis.boundaries.crossing`: is it a transfer, does it
  leave the controller) are decided once and read alike by the audit, the graph, ``describe``
  and the diagrams;
* hierarchies reach grandchildren; severities order as documented.
"""

from __future__ import annotations

from _audit_maps import D, add, build, fl, org, spec, store, system
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowatlas.analysis import Analysis
from flowatlas.analysis.boundaries import crossing, flow_regime
from flowatlas.analysis.graph import build_graph, carrying, reach
from flowatlas.analysis.policy_index import PolicyIndex
from flowatlas.analysis.verdicts import Classifier
from flowatlas.audit import audit
from flowatlas.describe import describe
from flowatlas.findings import SEVERITIES, SEVERITY_RANK, Finding, sort_findings
from flowatlas.queries import where_type_goes
from flowatlas.render import build_view
from flowatlas.taxonomy import Hierarchy

TYPE_IDS = ["personal", "contact", "email", "phone", "name", "credentials", "password", "ip", "chat"]
PURPOSE_IDS = ["service", "support", "security", "marketing", "legal", "analytics"]
COUNTRIES = ["SG", "US", "JP", "DE", "FR"]
ROLES = ["processor", "sub_processor", "third_party", "affiliate", "authority"]
SHARING = [None, "on_instruction", "consent", "legal_obligation"]
TRANSFER = [
    None,
    "contract",
    "contract",
    "contract",
    "certification",
    "binding_corporate_rules",
    "in_transit",
    "standard_contractual_clauses",
    "adequacy",
]


@st.composite
def maps(draw: st.DrawFn):
    """A small map: the base map plus random organisations, nodes, flows and declarations."""
    s = spec(home=draw(st.sampled_from(["SG", "DE"])))
    n_orgs = draw(st.integers(1, 2))
    for i in range(n_orgs):
        # a contract naming one or two of the countries the nodes are in (always for the first)
        countries = draw(st.lists(st.sampled_from(COUNTRIES[:3]), min_size=1, max_size=2, unique=True))
        safeguards = [{"kind": "contract", "countries": countries}] if i == 0 or draw(st.booleans()) else []
        role = draw(st.sampled_from(ROLES))
        extra = {"engaged_by": "ctrl"} if role == "sub_processor" else {}
        add(s, "organisations", org(f"o{i}", role, draw(st.sampled_from(COUNTRIES)), safeguards=safeguards, **extra))
    nodes = ["app", "db"]
    for i in range(draw(st.integers(2, 5))):
        owner = "o0" if draw(st.booleans()) else f"o{draw(st.integers(0, n_orgs - 1))}"
        country = draw(st.sampled_from(COUNTRIES[:3]))
        nid = f"n{i}"
        add(s, "nodes", store(nid, owner, country) if draw(st.booleans()) else system(nid, owner, country))
        nodes.append(nid)
    for i in range(draw(st.integers(4, 12))):
        src = draw(st.sampled_from(["person", "app", "app", *nodes]))
        dst = draw(st.sampled_from([n for n in nodes if n != src]))
        kw: dict = {}
        if b := draw(st.sampled_from(SHARING)):
            kw["sharing_basis"] = b
        if b := draw(st.sampled_from(TRANSFER)):
            kw["transfer_basis"] = b
        if src == "person":
            kw["context"] = draw(st.sampled_from(["registration", "inquiry"]))
        kw["encrypted"] = draw(st.booleans())
        types = draw(st.lists(st.sampled_from(TYPE_IDS), min_size=1, max_size=3, unique=True))
        purposes = draw(st.lists(st.sampled_from(PURPOSE_IDS), min_size=1, max_size=2, unique=True))
        add(s, "flows", fl(f"r{i}", src, dst, types, purposes, **kw))
    if draw(st.booleans()):
        add(
            s,
            "declarations",
            D(
                "t-us",
                "transfer",
                "9",
                locations=[draw(st.sampled_from(COUNTRIES))],
                types=draw(st.lists(st.sampled_from(TYPE_IDS), max_size=2, unique=True)),
            ),
        )
    if draw(st.booleans()):
        add(
            s,
            "declarations",
            D(
                "sh-any",
                "sharing",
                "8",
                bases=["consent"],
                purposes=draw(st.lists(st.sampled_from(PURPOSE_IDS), max_size=2, unique=True)),
            ),
        )
    return build(s)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(maps())
def test_memoised_classification_equals_each_flow_classified_alone(m):
    """Judgements are shared among flows through caches keyed on their arguments. A flow
    classified by a fresh classifier of its own (nothing shared) gets exactly the same verdicts."""
    a = Analysis(m)
    shared = a.verdicts
    for fid, f in m.flows.items():
        regime = flow_regime(m, f)
        regimes = {regime.id: regime} if regime else {}
        alone = Classifier(m, PolicyIndex(m, m.policy), regimes).judge(f, crossing(m, f, regime))
        assert [tuple(v)[1:] for v in shared[fid]] == [tuple(j) for j in alone], fid


def test_an_analysis_computes_each_part_once_and_functions_accept_it():
    m = build(spec())
    a = Analysis(m)
    assert a.graph is a.graph and a.facts is a.facts and a.verdicts is a.verdicts
    assert a.flow_facts is a.flow_facts and a.policy_index is a.policy_index
    assert where_type_goes(a, "email").stores == ("db",)
    assert Analysis(m, "pol").policy is m.policies["pol"]
    assert not hasattr(m, "analysis")  # the map knows nothing above it


def test_a_transfer_inside_the_eea_is_no_transfer_anywhere():
    """Under a GDPR home, FR -> DE is inside one area: the audit, the graph, describe and the
    diagrams all say so; DE -> US is a transfer for all of them."""
    s = spec(home="DE")
    add(s, "nodes", store("fr-db", "ctrl", "FR"), store("us-db", "ctrl", "US"))
    add(s, "flows", fl("f-fr", "app", "fr-db", ["email"]), fl("f-us", "app", "us-db", ["email"]))
    m = build(s)
    a = Analysis(m)
    assert not a.flow_facts["f-fr"].is_transfer and a.flow_facts["f-us"].is_transfer
    assert [v.item for v in a.verdicts["f-fr"] if v.dimension == "safeguard"] == []
    assert [v.item for v in a.verdicts["f-us"] if v.dimension == "safeguard"] == ["transfer"]
    assert a.graph.edges["app", "fr-db", "f-fr"]["is_transfer"] is False
    assert a.graph.edges["app", "us-db", "f-us"]["is_transfer"] is True
    assert describe(a)["totals"]["cross_border_flows"] == 1
    _, diagram = build_view(a, "overview", audit(a))
    dot = diagram.source
    fr_edge = next(line for line in dot.splitlines() if '"fr-db"' in line and "->" in line)
    us_edge = next(line for line in dot.splitlines() if '"us-db"' in line and "->" in line)
    assert "CROSS-BORDER" not in fr_edge and "CROSS-BORDER DE → US" in us_edge


def test_collection_is_a_transfer_only_when_directed_abroad_and_leaves_the_controller_only_outward():
    s = spec()
    add(s, "organisations", org("proc", "processor", "US"), org("indep", "third_party", "US"))
    add(s, "nodes", system("proc-app", "proc", "US"), system("indep-app", "indep", "US"))
    add(
        s,
        "flows",
        fl("f-out", "app", "proc-app", ["email"]),
        fl("f-back", "proc-app", "app", ["email"]),
        fl("f-direct", "person", "proc-app", ["email"], context="registration"),
        fl("f-own-accord", "person", "indep-app", ["email"], context="registration"),
    )
    facts = Analysis(build(s)).flow_facts
    assert facts["f-out"].leaves_controller and facts["f-direct"].leaves_controller
    assert not facts["f-back"].leaves_controller and not facts["f-save"].leaves_controller
    # the controller directs the collection into its processor abroad; a third party's own service is not
    assert facts["f-direct"].is_transfer and facts["f-out"].is_transfer
    assert not facts["f-own-accord"].is_transfer and not facts["f-signup"].is_transfer
    assert facts["f-direct"].exporter == "ctrl" and facts["f-back"].exporter == "proc"


def test_descendants_reach_grandchildren_and_type_views_follow_them():
    h = Hierarchy({"personal": None, "contact": "personal", "email": "contact"})
    assert h.descendants("personal") == {"personal", "contact", "email"}
    m = build(spec())  # the base map's flows carry email (a grandchild of personal), name and password
    g = build_graph(m)
    assert {k for _, _, k in carrying(g, "personal").edges(keys=True)} == {"f-signup", "f-save"}
    assert set(reach(g, "personal")) == {"person", "app", "db"}


def test_severities_order_from_info_to_high_and_findings_sort_most_severe_first():
    assert SEVERITIES == ("info", "low", "medium", "high")
    assert [SEVERITY_RANK[s] for s in SEVERITIES] == [0, 1, 2, 3]

    def finding(rule: str, severity: str) -> Finding:
        return Finding(rule=rule, severity=severity, message="m", remedy="r", key=rule + severity)  # type: ignore[arg-type]

    got = sort_findings([finding("b", "low"), finding("a", "info"), finding("c", "high"), finding("a", "medium")])
    assert [(f.severity, f.rule) for f in got] == [("high", "c"), ("medium", "a"), ("low", "b"), ("info", "a")]
