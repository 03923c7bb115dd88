"""Maps and findings for the rendering tests (tests/test_render*.py).

``RICH`` extends the shared mini map (tests/minimaps.py) with a sub-processor abroad, an
external store, a backup in another country and a subject without a location; ``findings()``
hand-builds findings on it (the audit is tested elsewhere); ``clustered_texts()`` writes a
synthetic map of several hundred nodes in many organisation and country clusters.
"""

from __future__ import annotations

import itertools
import random

from flowatlas.findings import ClauseRef, Finding
from flowatlas.model import Source

from minimaps import MINI

RICH: dict[str, str] = {
    **MINI,
    "more.yaml": """\
organisations:
  - {id: sub, name: Sub GmbH, role: sub_processor, jurisdiction: DE, engaged_by: mailer}
  - {id: adco, name: Ad Co, role: third_party, jurisdiction: US}
nodes:
  - {id: visitor, name: Web visitor, kind: subject, subject: user}
  - id: bkp
    name: DB backup
    kind: store
    owner: acme
    jurisdiction: JP
    retention: P30D
    backup_of: db
  - {id: extdb, name: Sub archive, kind: store, owner: sub, jurisdiction: DE, retention: P1Y}
  - {id: ads, name: Ad platform, kind: system, owner: adco, jurisdiction: US}
flows:
  - {id: f4, from: mail, to: extdb, types: [email], purposes: [support], sharing_basis: on_instruction}
  - {id: f5, from: db, to: bkp, types: [email, password], purposes: [service]}
  - {id: f6, from: app, to: ads, types: [email, phone], purposes: [ads], sharing_basis: consent}
  - {id: f7, from: visitor, to: app, types: [phone], purposes: [service], context: product_use}
""",
}


def findings() -> list[Finding]:
    """Hand-built findings on ``RICH``: one per severity, a node finding and a loose one."""
    clause = ClauseRef("pol", "d2", "2", "we store in Singapore")
    return [
        Finding(
            rule="cross-border-no-basis",
            severity="high",
            message="email leaves SG for DE without a transfer basis",
            remedy="add a contract naming DE",
            disclosure="omitted",
            dimension="location",
            flows=("f4",),
            path=("mail", "extdb"),
            types=("email",),
            countries=("US", "DE"),
            clauses=(clause,),
            src=Source("more.yaml", 17),
        ),
        Finding(
            rule="undeclared-recipient",
            severity="high",
            message="Ad Co is a third party the statement does not name",
            remedy="declare it or stop the flow",
            disclosure="incorrect",
            dimension="recipient",
            flows=("f6",),
            src=Source("more.yaml", 19),
        ),
        Finding(
            rule="storage-outside-declared",
            severity="medium",
            message="backup stored in JP",
            remedy="move the backup to SG",
            flows=("f5",),
            nodes=("bkp",),
            clauses=(clause,),
        ),
        Finding(
            rule="rights-gap",
            severity="low",
            message="erase does not reach the backup",
            remedy="wire erase to it",
            nodes=("bkp",),
        ),
        Finding(rule="over-declaration", severity="info", message="declared but unused", remedy="-", flows=("f2",)),
        Finding(rule="change-notice", severity="info", message="no change notice", remedy="-"),
    ]


def clustered_texts(nodes: int = 320, countries: int = 10, orgs: int = 24, seed: int = 7) -> dict[str, str]:
    """A synthetic map of ``nodes`` nodes in ``orgs`` organisations over ``countries`` countries.

    Every organisation has nodes in one or two countries (so clusters nest), flows form chains
    inside organisations plus cross-organisation and cross-border links: about 1.2 flows a node.
    """
    rnd = random.Random(seed)
    codes = ["SG", "US", "DE", "JP", "GB", "FR", "IN", "AU", "CA", "BR", "KR", "NL"][:countries]
    roles = ["processor", "sub_processor", "third_party", "affiliate", "authority"]
    org_lines = ["organisations:", "  - {id: o0, name: Org 0, role: controller, jurisdiction: SG}"]
    homes = {"o0": "SG"}
    for i in range(1, orgs):
        role = roles[i % len(roles)]
        homes[f"o{i}"] = codes[i % len(codes)]
        extra = ", engaged_by: o1" if role == "sub_processor" else ""
        org_lines.append(f"  - {{id: o{i}, name: Org {i}, role: {role}, jurisdiction: {homes[f'o{i}']}{extra}}}")
    node_lines = ["nodes:"]
    ids: list[str] = []
    n_subjects = 4
    for i in range(n_subjects):
        node_lines.append(f"  - {{id: s{i}, name: Subject {i}, kind: subject, subject: user}}")
    for i in range(nodes - n_subjects):
        org = f"o{i % orgs}"
        where = homes[org] if rnd.random() < 0.7 else rnd.choice(codes)
        kind = "store" if i % 4 == 3 else "system"
        ret = ", retention: P30D" if kind == "store" else ""
        node_lines.append(f"  - {{id: n{i}, name: Node {i}, kind: {kind}, owner: {org}, jurisdiction: {where}{ret}}}")
        ids.append(f"n{i}")
    types = ["email", "phone", "password"]
    flow_lines = ["flows:"]
    k = 0
    for i in range(n_subjects):
        flow_lines.append(
            f"  - {{id: c{i}, from: s{i}, to: n{i}, types: [email], purposes: [service], context: registration}}"
        )
    by_org: dict[int, list[str]] = {}
    for i, nid in enumerate(ids):
        by_org.setdefault(i % orgs, []).append(nid)
    for members in by_org.values():
        for a, b in itertools.pairwise(members):
            flow_lines.append(_flow(k, a, b, rnd.choice(types)))
            k += 1
    for _ in range(len(ids) // 4):
        a, b = rnd.sample(ids, 2)
        flow_lines.append(_flow(k, a, b, rnd.choice(types)))
        k += 1
    return {
        "map.yaml": "map: {id: synth, name: Synthetic, controller: o0, home: SG}\n",
        "taxonomy.yaml": MINI["taxonomy.yaml"],
        "orgs.yaml": "\n".join(org_lines) + "\n",
        "nodes.yaml": "\n".join(node_lines) + "\n",
        "flows.yaml": "\n".join(flow_lines) + "\n",
    }


def _flow(k: int, a: str, b: str, t: str) -> str:
    return f"  - {{id: x{k}, from: {a}, to: {b}, types: [{t}], purposes: [service]}}"


#: ``RICH`` on top of the shipped base taxonomy (what the CLI loads): only the ids the base lacks.
RICH_ON_BASE: dict[str, str] = {
    **{k: v for k, v in RICH.items() if k != "taxonomy.yaml"},
    "taxonomy.yaml": """\
information_types:
  - {id: phone, name: Phone, parent: contact}
purposes:
  - {id: service, name: Provide the service}
  - {id: ads, name: Advertising}
data_subjects:
  - {id: user, name: User}
""",
}
