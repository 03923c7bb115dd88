"""The record a processor keeps (GDPR Art. 30(2)): per client served, the categories of
processing, sub-processors, transfers abroad with their tools and the security measures."""

from __future__ import annotations

import pytest
import yaml
from reportkit import ABSOLOOP

from flowatlas.analysis import Analysis
from flowatlas.errors import MapValidationError
from flowatlas.inventory import PROCESSOR_COLUMNS, processor_record
from flowatlas.loader import load_map, load_texts


def test_absoloops_record_lists_its_corporate_customers_processing():
    a = Analysis(load_map(ABSOLOOP))
    df = processor_record(a)
    assert list(df.columns) == list(PROCESSOR_COLUMNS)
    assert set(df.controller_served) == {"Corporate customers (apps embedding the RTC SDK) (corporate-customers, SG)"}
    assert {"End user of a corporate customer", "Individual interacting with the user"} <= {
        s for cell in df.subject_categories for s in cell.split("; ")
    }
    service = df[df.category_of_processing == "Provide the service (provide-service)"].iloc[0]
    assert "chat-text" in service.information_types
    # the flows of the record are those carrying the clients' users' data, and no others
    carried = {f for cell in df.flows for f in cell.split("; ")}
    for fid in carried:
        f = a.map.flows[fid]
        held = set(f.subjects) or a.facts.subjects_at(f.source)
        assert held & {"corporate-end-user", "conversation-participant"}, fid
    assert any("\u2192" in cell and "SG-PDPA" in cell for cell in df.third_country_transfers)


def _agency(client_subjects: list[str], role: str = "client") -> dict:
    return {
        "map": {"id": "payr", "name": "Payr", "controller": "payr", "home": "NL"},
        "data_subjects": [{"id": "staff-of-client", "name": "Staff of a client"}],
        "organisations": [
            {"id": "payr", "name": "Payr BV", "role": "controller", "jurisdiction": "NL"},
            {"id": "bakery", "name": "Bakkerij Jansen", "role": role, "jurisdiction": "NL",
             "subjects": client_subjects},
            {"id": "cloud", "name": "Cloud Inc", "role": "processor", "jurisdiction": "US",
             "safeguards": [{"kind": "standard_contractual_clauses"}]},
        ],
        "nodes": [
            {"id": "staff", "name": "Client staff", "kind": "subject", "subject": "staff-of-client"},
            {"id": "payroll", "name": "Payroll engine", "kind": "system", "owner": "payr", "jurisdiction": "NL"},
            {"id": "backup", "name": "Backups", "kind": "store", "owner": "cloud", "jurisdiction": "US",
             "retention": "P7Y", "encrypted_at_rest": True, "erase": True, "export": True},
        ],
        "flows": [
            {"id": "in", "from": "staff", "to": "payroll", "types": ["name", "bank-account"], "purposes": ["payroll"],
             "context": "employment"},
            {"id": "out", "from": "payroll", "to": "backup", "types": ["name", "bank-account"], "purposes": ["payroll"],
             "transfer_basis": "standard_contractual_clauses"},
        ],
        "policies": [{"id": "p", "title": "P", "version": "1", "controller": "payr", "declarations": [
            {"id": "s", "kind": "security", "clause": "4", "quote": "We encrypt.",
             "measures": ["encryption_at_rest"]}]}],
    }  # fmt: skip


def test_a_payroll_bureau_keeps_a_record_for_its_client():
    a = Analysis(load_texts({"map.yaml": yaml.safe_dump(_agency(["staff-of-client"]), sort_keys=False)}))
    (row,) = processor_record(a).to_dict("records")
    assert row["processor"] == "Payr BV (NL)" and row["controller_served"] == "Bakkerij Jansen (bakery, NL)"
    assert row["category_of_processing"] == "Payroll, benefits and expenses (payroll)"
    assert row["sub_processors"] == "Cloud Inc (processor, US)"
    assert row["third_country_transfers"] == "NL\u2192US (standard_contractual_clauses, EU-GDPR)"
    assert "encryption_at_rest" in row["security_measures"] and "Backups: encrypted at rest" in row["security_measures"]


def test_subjects_are_for_clients_only():
    with pytest.raises(MapValidationError, match="'subjects' is only for an organisation of role client"):
        load_texts({"map.yaml": yaml.safe_dump(_agency(["staff-of-client"], role="third_party"), sort_keys=False)})
    with pytest.raises(MapValidationError, match="unknown data subject 'nobody'"):
        load_texts({"map.yaml": yaml.safe_dump(_agency(["nobody"]), sort_keys=False)})
