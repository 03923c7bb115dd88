"""Tiny maps for the audit tests, built from dicts (no base taxonomy: a mini taxonomy of our own).

``build(...)`` returns a loaded :class:`~flowatlas.atlas.Map`. The base map is clean: a person
registers through the controller's app into the controller's database in Singapore, exactly as
the policy declares. Tests add organisations, nodes, flows or declarations (or replace them) to
create the case under test.
"""

from __future__ import annotations

import copy
import random

import yaml

from flowatlas.loader import load_texts

TYPES = [
    {"id": "personal", "name": "Personal information"},
    {"id": "contact", "name": "Contact", "parent": "personal"},
    {"id": "email", "name": "Email", "parent": "contact"},
    {"id": "phone", "name": "Phone", "parent": "contact"},
    {"id": "name", "name": "Name", "parent": "personal"},
    {"id": "credentials", "name": "Credentials", "parent": "personal", "sensitivity": "sensitive"},
    {"id": "password", "name": "Password", "parent": "credentials"},
    {"id": "device", "name": "Device", "parent": "personal"},
    {"id": "ip", "name": "IP address", "parent": "device"},
    {"id": "chat", "name": "Chat content", "parent": "personal", "sensitivity": "sensitive"},
    {"id": "location", "name": "Precise location", "parent": "personal", "sensitivity": "sensitive"},
]
PURPOSES = [
    {"id": "service", "name": "Provide the service"},
    {"id": "support", "name": "Support", "parent": "service"},
    {"id": "security", "name": "Security"},
    {"id": "marketing", "name": "Marketing"},
    {"id": "legal", "name": "Legal compliance"},
    {"id": "analytics", "name": "Analytics"},
]
SUBJECTS = [
    {"id": "user", "name": "User"},
    {"id": "account-holder", "name": "Account holder", "parent": "user"},
    {"id": "end-user", "name": "End user", "parent": "user"},
    {"id": "inquirer", "name": "Inquirer"},
]
ORGS = [{"id": "ctrl", "name": "Controller Pte Ltd", "role": "controller", "jurisdiction": "SG"}]
NODES = [
    {"id": "person", "name": "Account holder", "kind": "subject", "subject": "account-holder"},
    {"id": "app", "name": "App", "kind": "system", "owner": "ctrl", "jurisdiction": "SG"},
    {
        "id": "db",
        "name": "Account DB",
        "kind": "store",
        "owner": "ctrl",
        "jurisdiction": "SG",
        "retention": "while_service",
        "encrypted_at_rest": True,
        "erase": True,
        "export": True,
    },
]
FLOWS = [
    {
        "id": "f-signup",
        "from": "person",
        "to": "app",
        "types": ["email", "name", "password"],
        "purposes": ["service"],
        "context": "registration",
    },
    {"id": "f-save", "from": "app", "to": "db", "types": ["email", "name", "password"], "purposes": ["service"]},
]


def D(id: str, kind: str, clause: str, **kw) -> dict:
    return {"id": id, "kind": kind, "clause": clause, "quote": f"quote of {clause}", **kw}


DECLARATIONS = [
    D(
        "col-reg",
        "collection",
        "1.1",
        subjects=["account-holder"],
        contexts=["registration"],
        types=["email", "name", "password"],
    ),
    D("store", "storage", "2.1", locations=["SG"]),
    D("keep", "retention", "2.2", retention="while_service"),
    D("keep-legal", "retention", "2.2-legal", purposes=["legal"]),
    D("sec", "security", "3.2", measures=["password_encryption", "backups"], types=["password"]),
    D("use", "purpose", "4", purposes=["service"]),
    D("share-proc", "sharing", "5.2", bases=["on_instruction"], recipient_roles=["affiliate", "processor"]),
    D("share-consent", "sharing", "5.1", bases=["consent"], recipient_roles=["third_party"]),
    D("share-law", "sharing", "5.4", bases=["legal_obligation", "legal_process"], recipient_roles=["authority"]),
    D("no-share", "prohibition", "5", recipient_roles=["third_party"]),
    D("rights", "right", "6.1", rights=["access", "erasure"]),
]


def spec(home: str = "SG") -> dict:
    """A fresh, mutable copy of the base map as sections."""
    return {
        "map": {"id": "mini", "name": "Mini", "controller": "ctrl", "home": home},
        "information_types": copy.deepcopy(TYPES),
        "purposes": copy.deepcopy(PURPOSES),
        "data_subjects": copy.deepcopy(SUBJECTS),
        "organisations": [dict(ORGS[0], jurisdiction=home)],
        "nodes": [dict(n, jurisdiction=home) if n.get("jurisdiction") else dict(n) for n in NODES],
        "flows": copy.deepcopy(FLOWS),
        "declarations": [
            dict(d, locations=[home]) if d["kind"] == "storage" else copy.deepcopy(d) for d in DECLARATIONS
        ],
    }


#: Mini-taxonomy ids that the shipped base taxonomy spells differently.
TO_BASE = {
    "phone": "contact-number",
    "ip": "ip-address",
    "chat": "chat-text",
    "service": "provide-service",
    "marketing": "advertising",
    "legal": "legal-compliance",
    "end-user": "corporate-end-user",
}


def _to_base(value):
    if isinstance(value, dict):
        return {k: _to_base(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_base(v) for v in value]
    return TO_BASE.get(value, value) if isinstance(value, str) else value


def texts(s: dict, *, shuffle: int | None = None, base_taxonomy: bool = False) -> dict[str, str]:
    """Split a spec into several YAML files (optionally shuffling record order).

    With ``base_taxonomy`` the mini taxonomy is left out and ids are translated to the shipped
    base taxonomy (for the CLI, which always loads it).
    """
    s = copy.deepcopy(s)
    if base_taxonomy:
        s = _to_base(s)
    rnd = random.Random(shuffle) if shuffle is not None else None
    if rnd:
        for k in ("information_types", "purposes", "data_subjects", "organisations", "nodes", "flows", "declarations"):
            rnd.shuffle(s[k])
    policy = {"id": "pol", "title": "Policy", "version": "1", "controller": "ctrl", "declarations": s["declarations"]}
    files = {
        "map.yaml": {"map": s["map"]},
        "taxonomy.yaml": {k: s[k] for k in ("information_types", "purposes", "data_subjects")},
        "orgs.yaml": {"organisations": s["organisations"]},
        "nodes.yaml": {"nodes": s["nodes"]},
        "flows.yaml": {"flows": s["flows"]},
        "policy.yaml": {"policies": [policy]},
    }
    if s.get("regions"):
        files["regions.yaml"] = {"regions": s["regions"]}
    if base_taxonomy:
        del files["taxonomy.yaml"]
    names = list(files)
    if rnd:
        rnd.shuffle(names)
        # the loader sorts file names: rename so the order the loader sees changes too
        files = {f"{i:02d}-{n}": files[n] for i, n in enumerate(names)}
    return {n: yaml.safe_dump(v, sort_keys=False) for n, v in files.items()}


def build(s: dict | None = None, *, shuffle: int | None = None):
    return load_texts(texts(s or spec(), shuffle=shuffle), base_taxonomy=False)


def node(s: dict, id: str) -> dict:
    return next(n for n in s["nodes"] if n["id"] == id)


def flow(s: dict, id: str) -> dict:
    return next(f for f in s["flows"] if f["id"] == id)


def decl(s: dict, id: str) -> dict:
    return next(d for d in s["declarations"] if d["id"] == id)


def add(s: dict, section: str, *records: dict) -> dict:
    s[section].extend(records)
    return s


def store(id: str, owner: str, country: str, **kw) -> dict:
    base = {
        "id": id,
        "name": id,
        "kind": "store",
        "owner": owner,
        "jurisdiction": country,
        "retention": "while_service",
        "encrypted_at_rest": True,
        "erase": True,
        "export": True,
    }
    return {**base, **kw}


def system(id: str, owner: str, country: str) -> dict:
    return {"id": id, "name": id, "kind": "system", "owner": owner, "jurisdiction": country}


def org(id: str, role: str, country: str, **kw) -> dict:
    return {"id": id, "name": id, "role": role, "jurisdiction": country, **kw}


def fl(id: str, src: str, dst: str, types: list[str], purposes: list[str] | None = None, **kw) -> dict:
    return {"id": id, "from": src, "to": dst, "types": types, "purposes": purposes or ["service"], **kw}
