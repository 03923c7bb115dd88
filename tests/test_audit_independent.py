"""The Absoloop policy held against a different architecture with different names.

No rule may be tuned to the Absoloop map's ids: this map shares only the statement (policy.yaml,
with its controller renamed) and the base taxonomy, and gets the findings a privacy officer would
expect from its own structure.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from flowatlas.analysis import Analysis
from flowatlas.audit import audit, undeclared_transfers
from flowatlas.loader import load_texts

POLICY = Path(__file__).resolve().parents[1] / "dataflows" / "absoloop" / "policy.yaml"


def _store(id, owner, country, **kw):
    base = dict(kind="store", name=id, owner=owner, jurisdiction=country, retention="while_service")
    base.update(encrypted_at_rest=True, erase=True, export=True)
    return {"id": id, **base, **kw}


def _sys(id, owner, country):
    return {"id": id, "name": id, "kind": "system", "owner": owner, "jurisdiction": country}


def _flow(id, a, b, types, purposes, **kw):
    return {"id": id, "from": a, "to": b, "types": types, "purposes": purposes, **kw}


ARCH = {
    "map": {"id": "nordlicht", "name": "Nordlicht Chat", "controller": "nordlicht", "home": "SG"},
    "organisations": [
        {"id": "nordlicht", "name": "Nordlicht Pte Ltd", "role": "controller", "jurisdiction": "SG"},
        {
            "id": "cloudco",
            "name": "CloudCo",
            "role": "processor",
            "jurisdiction": "US",
            "safeguards": [{"kind": "contract", "countries": ["SG"]}],
        },
        {
            "id": "mailer",
            "name": "Mailer",
            "role": "processor",
            "jurisdiction": "SG",
            "safeguards": [{"kind": "contract", "countries": ["SG"]}],
        },
        {
            "id": "relayco",
            "name": "RelayCo",
            "role": "sub_processor",
            "jurisdiction": "JP",
            "engaged_by": "mailer",
            "safeguards": [{"kind": "certification", "scheme": "APEC-CBPR"}],
        },
        {"id": "adnet", "name": "AdNet", "role": "third_party", "jurisdiction": "SG"},
        {"id": "police", "name": "Police", "role": "authority", "jurisdiction": "SG"},
    ],
    "nodes": [
        {"id": "holder", "name": "Holder", "kind": "subject", "subject": "account-holder"},
        {"id": "member", "name": "Member", "kind": "subject", "subject": "corporate-end-user"},
        _sys("portal", "nordlicht", "SG"),
        _sys("chat-core", "nordlicht", "SG"),
        _sys("mailer-api", "mailer", "SG"),
        _sys("relay", "relayco", "JP"),
        _sys("ads-api", "adnet", "SG"),
        _sys("police-portal", "police", "SG"),
        _store("users", "nordlicht", "SG"),
        _store("chat-log", "nordlicht", "SG", retention="P10Y", erase=False),
        _store("users-replica", "cloudco", "US", replica_of="users"),
    ],
    "flows": [
        _flow(
            "c-register", "holder", "portal", ["name", "email", "password"], ["provide-service"], context="registration"
        ),
        _flow("c-locate", "holder", "portal", ["gps-location"], ["provide-service"], context="registration"),
        _flow("c-talk", "member", "chat-core", ["chat-text", "audio"], ["provide-service"], context="product_use"),
        _flow("i-users", "portal", "users", ["name", "email", "password"], ["provide-service"]),
        _flow("i-chat", "chat-core", "chat-log", ["chat-text"], ["provide-service"], encrypted=False),
        _flow(
            "i-replica",
            "users",
            "users-replica",
            ["name", "email", "password"],
            ["security"],
            sharing_basis="on_instruction",
            transfer_basis="contract",
        ),
        _flow("s-mail", "portal", "mailer-api", ["email", "name"], ["notifications"], sharing_basis="on_instruction"),
        _flow(
            "s-relay",
            "mailer-api",
            "relay",
            ["email"],
            ["notifications"],
            sharing_basis="on_instruction",
            transfer_basis="certification",
        ),
        _flow("s-ads", "users", "ads-api", ["email"], ["advertising"], sharing_basis="on_instruction"),
        _flow("s-police", "portal", "police-portal", ["name"], ["authority-request"], sharing_basis="legal_obligation"),
    ],
}

EXPECTED = {
    ("undeclared-collection", "c-locate"),  # GPS is declared only for product use (1.2(e)), not at registration
    ("undeclared-purpose", "s-ads"),  # advertising is no purpose of §4
    ("undeclared-recipient", "s-ads"),  # an ad network is an irrelevant third party (§5)
    ("cross-border-basis", "i-replica"),  # CloudCo's contract names SG, not the US
    ("tia-missing", "i-replica"),  # and the contract (PDPR reg 11) has no transfer impact assessment recorded
    ("storage-location", "users-replica"),  # stored in the US; 2.1 says Singapore
    ("onward-transfer", "relay"),  # processor → sub-processor in Japan, undeclared
    ("retention", "chat-log"),  # ten years against "while the service is provided"
    ("rights-gap", "chat-log"),  # erase requests do not reach it
    ("security-contradicted", "i-chat"),  # chat content over an unencrypted flow
}


def _map():
    policy = POLICY.read_text(encoding="utf-8").replace("controller: absoloop", "controller: nordlicht")
    return load_texts({"arch.yaml": yaml.safe_dump(ARCH, sort_keys=False), "policy.yaml": policy})


def test_same_policy_other_architecture():
    found = [f for f in audit(Analysis(_map())) if f.severity != "info"]
    got = {(f.rule, (f.nodes or f.flows)[0]) for f in found}
    assert got == EXPECTED
    onward = next(f for f in found if f.rule == "onward-transfer")
    assert onward.path == ("portal", "mailer-api", "relay")
    assert next(f for f in found if f.rule == "undeclared-recipient").disclosure == "incorrect"


def test_declared_counterparts_stay_quiet():
    found = audit(Analysis(_map()))
    # an onward chain lists every hop of its path; the finding is about its last hop
    noisy = {
        f.flows[-1] if f.rule == "onward-transfer" else fid for f in found if f.severity != "info" for fid in f.flows
    }
    assert not noisy & {"c-register", "c-talk", "s-mail", "s-police", "i-users"}
    assert "s-ads" in undeclared_transfers(found) and "s-police" not in undeclared_transfers(found)
