"""Synthetic enterprise-size maps, for benchmarks and scale tests.

:func:`synth_texts` returns ``{relative file name: YAML text}`` for a realistic map of a chosen
size: organisations of every role in many jurisdictions (affiliates with binding corporate
rules, processors with contracts naming countries, sub-processors engaged by processors,
certified third parties, authorities, an acquirer), data subjects, systems and stores (with
backups abroad) spread over one file per team, flows chunked into one file per team, and a
policy whose declarations follow the structure of the Absoloop privacy statement (collection
per subject and context, storage in Singapore, retention and its exceptions, security, purposes,
sharing bases with recipient roles, the "no irrelevant third parties" prohibition, transfers,
rights, change notice). A share of flows is deliberately undeclared (undeclared types or
purposes, cross-border without a transfer basis, unencrypted sensitive data), so the audit has
work to do.

The output is a pure function of the arguments: the same seed gives byte-identical files. The
YAML is written by hand in block style (one ``- id:`` line per record), so generating 100,000
flows takes a couple of seconds. Every id carries the ``syn`` prefix, so a synthetic map loads
next to the shipped base taxonomy without clashes.

>>> texts = synth_texts(nodes=40, flows=120, types=20, seed=1)
>>> sorted(texts)[:3]
['flows/team-000.yaml', 'map.yaml', 'nodes/team-000.yaml']
"""

from __future__ import annotations

import random
from pathlib import Path

from flowatlas.errors import UsageError

#: Jurisdictions used, home first. All are ISO 3166-1 alpha-2 codes.
COUNTRIES = (
    "SG", "US", "DE", "JP", "GB", "FR", "IE", "NL", "IN", "AU", "CA", "BR", "KR", "HK", "CN", "CH",
    "SE", "ES", "IT", "PL", "MY", "ID", "TH", "VN", "PH", "NZ", "MX", "ZA", "AE", "IL", "FI", "DK",
    "LU", "BE", "AT", "PT", "CZ", "TW", "CL", "AR",
)  # fmt: skip
HOME = "SG"

SUBJECTS = (
    ("account-holder", "Account holder"),
    ("corporate-end-user", "End user of a corporate customer"),
    ("conversation-participant", "Other people in a conversation"),
    ("demo-user", "Demo user"),
    ("inquirer", "Person making an inquiry"),
    ("delivery-contact", "Delivery contact"),
)
CONTEXT_OF = {
    "account-holder": "registration",
    "corporate-end-user": "product_use",
    "conversation-participant": "product_use",
    "demo-user": "product_use",
    "inquirer": "inquiry",
    "delivery-contact": "offline_delivery",
}

#: (id, parent) of the purpose hierarchy; the last three are never declared by the policy.
PURPOSES = (
    ("service", None),
    ("service.delivery", "service"),
    ("service.support", "service"),
    ("service.payment", "service"),
    ("service.notifications", "service"),
    ("personalisation", None),
    ("improvement", None),
    ("improvement.analytics", "improvement"),
    ("improvement.quality", "improvement"),
    ("protection", None),
    ("protection.security", "protection"),
    ("protection.fraud", "protection"),
    ("protection.verification", "protection"),
    ("surveys", None),
    ("legal", None),
    ("legal.compliance", "legal"),
    ("legal.process", "legal"),
    ("advertising", None),
    ("ai-training", None),
    ("data-sale", None),
)
UNDECLARED_PURPOSES = ("advertising", "ai-training", "data-sale")

#: Root categories of information types (name, sensitive?).
CATEGORIES = (
    ("identity", False), ("contact", False), ("credentials", True), ("financial", True),
    ("device", False), ("network", False), ("usage", False), ("communication", True),
    ("location", True), ("inquiry", False), ("biometric", True), ("health", True),
)  # fmt: skip

ROLE_SHARE = (  # role, share of organisations
    ("affiliate", 0.10),
    ("processor", 0.35),
    ("sub_processor", 0.25),
    ("third_party", 0.15),
    ("authority", 0.10),
    ("acquirer", 0.05),
)
SHARING_FOR_ROLE = {
    "controller": "internal",
    "affiliate": "on_instruction",
    "processor": "on_instruction",
    "sub_processor": "on_instruction",
    "third_party": "consent",
    "authority": "legal_obligation",
    "acquirer": "corporate_transaction",
}
RETENTIONS = ("P30D", "P90D", "P1Y", "P2Y", "while_service", "P7Y")
NODES_PER_FILE = 100
FLOWS_PER_FILE = 500


def _p(rec_id: str) -> str:
    return f"syn.{rec_id}"


def synth_texts(*, nodes: int, flows: int, types: int = 300, seed: int = 0) -> dict[str, str]:
    """The synthetic map as ``{relative path: YAML text}`` (see the module docstring)."""
    if nodes < 20 or flows < 1 or types < 10:
        raise UsageError("synth needs --nodes >= 20, --flows >= 1 and --types >= 10")
    if flows > 5_000_000 or nodes > 1_000_000 or types > 100_000:
        raise UsageError("synth: sizes above 5,000,000 flows / 1,000,000 nodes / 100,000 types are not supported")
    rnd = random.Random(seed)
    out: dict[str, str] = {}

    # ------------------------------------------------------------------ taxonomy
    n_cat = min(len(CATEGORIES), max(3, types // 20))
    cats = CATEGORIES[:n_cat]
    type_ids: list[str] = [_p(c) for c, _ in cats]
    type_cat: dict[str, int] = {_p(c): i for i, (c, _) in enumerate(cats)}
    lines = ["# Synthetic information types, purposes and data subjects.", "information_types:"]
    for c, sensitive in cats:
        lines += [f"  - id: {_p(c)}", f"    name: {c.capitalize()} information"]
        lines.append(f"    sensitivity: {'sensitive' if sensitive else 'ordinary'}")
    groups: list[list[str]] = [[] for _ in cats]  # mid-level types per category
    for k in range(types - n_cat):
        ci = k % n_cat
        parent = _p(cats[ci][0]) if (not groups[ci] or rnd.random() < 0.6) else rnd.choice(groups[ci])
        tid = f"{_p(cats[ci][0])}.t{k:05d}"
        lines += [f"  - id: {tid}", f"    name: {cats[ci][0].capitalize()} item {k}", f"    parent: {parent}"]
        if rnd.random() < 0.05:
            lines.append("    sensitivity: sensitive")
        if parent == _p(cats[ci][0]):
            groups[ci].append(tid)
        type_ids.append(tid)
        type_cat[tid] = ci
    by_cat: list[list[str]] = [
        [t for t in type_ids if type_cat[t] == i and t != _p(c)] for i, (c, _) in enumerate(cats)
    ]
    # a few leaf types never declared anywhere (the policy declares categories except these)
    undeclared_types = {by_cat[i][-1] for i in range(n_cat) if len(by_cat[i]) > 2}
    lines.append("purposes:")
    for pid, purpose_parent in PURPOSES:
        lines += [f"  - id: {_p(pid)}", f"    name: {pid.replace('.', ' ').replace('-', ' ').capitalize()}"]
        if purpose_parent:
            lines.append(f"    parent: {_p(purpose_parent)}")
    lines.append("data_subjects:")
    for sid, name in SUBJECTS:
        lines += [f"  - id: {_p(sid)}", f"    name: {name}"]
    out["taxonomy.yaml"] = "\n".join(lines) + "\n"

    # ------------------------------------------------------------------ organisations
    n_org = max(20, nodes // 10)
    countries = COUNTRIES[: max(8, min(len(COUNTRIES), n_org // 5))]
    orgs: list[tuple[str, str, str]] = [(_p("controller"), "controller", HOME)]  # (id, role, country)
    quotas = [(role, max(1, round(share * (n_org - 1)))) for role, share in ROLE_SHARE]
    for role, q in quotas:
        for j in range(q):
            country = HOME if (role == "authority" and j == 0) else rnd.choice(countries)
            orgs.append((f"{_p(role.replace('_', '-'))}-{j:04d}", role, country))
    processors = [o for o in orgs if o[1] == "processor"]
    by_country: dict[str, list[str]] = {}
    org_lines: dict[str, list[str]] = {}
    contract_countries: dict[str, list[str]] = {}
    for oid, role, country in orgs:
        by_country.setdefault(country, []).append(oid)
        ls = org_lines.setdefault(country, [])
        ls += [f"  - id: {oid}", f"    name: {role.replace('_', ' ').title()} {oid.rsplit('-', 1)[-1]}"]
        ls += [f"    role: {role}", f"    jurisdiction: {country}"]
        if role in ("controller", "affiliate"):
            ls.append(f"    group: {_p('group')}")
        if role == "sub_processor":
            ls.append(f"    engaged_by: {rnd.choice(processors)[0]}")
        if role in ("controller", "affiliate"):
            ls += ["    safeguards:", "      - kind: binding_corporate_rules"]
            ls.append(f"        countries: [{', '.join(countries[:6])}]")
            ls.append("        reference: Intra-group transfer agreement")
        elif role in ("processor", "sub_processor") and rnd.random() < 0.85:
            covered = sorted({HOME, country, *rnd.sample(countries, 2)})
            contract_countries[oid] = covered
            ls += ["    safeguards:", "      - kind: contract", f"        countries: [{', '.join(covered)}]"]
            ls.append(f"        reference: DPA-{rnd.randrange(10000, 99999)}")
        elif role == "third_party" and rnd.random() < 0.5:
            ls += ["    safeguards:", "      - kind: certification", "        scheme: APEC-CBPR"]
        ls.append(f"    description: Synthetic {role.replace('_', ' ')} in {country}")
    for country in sorted(org_lines):
        out[f"organisations/{country.lower()}.yaml"] = "organisations:\n" + "\n".join(org_lines[country]) + "\n"
    org_info = {o[0]: o for o in orgs}
    internal_orgs = [o for o in orgs if o[1] in ("controller", "affiliate")]
    external_orgs = [o for o in orgs if o[1] not in ("controller", "affiliate")]

    # ------------------------------------------------------------------ nodes
    n_subj = max(len(SUBJECTS), nodes // 50)
    node_rows: list[tuple[str, str, str | None, str | None]] = []  # (id, kind, owner, country)
    node_lines: list[list[str]] = []
    stores_so_far: list[tuple[str, str]] = []  # (id, country)
    for i in range(nodes):
        if i < n_subj:
            sid = SUBJECTS[i % len(SUBJECTS)][0]
            nid = f"{_p('subject')}-{i:05d}"
            node_rows.append((nid, "subject", None, None))
            node_lines.append([f"  - id: {nid}", f"    name: {sid.replace('-', ' ').capitalize()} {i}"])
            node_lines[-1] += ["    kind: subject", f"    subject: {_p(sid)}"]
            continue
        inside = rnd.random() < 0.6
        oid, _role, ocountry = rnd.choice(internal_orgs if inside else external_orgs)
        country = ocountry if rnd.random() < 0.9 else rnd.choice(countries)
        kind = "store" if rnd.random() < 0.38 else "system"
        nid = f"{_p(kind)}-{i:05d}"
        ls = [f"  - id: {nid}", f"    name: {kind.capitalize()} {i}", f"    kind: {kind}"]
        ls += [f"    owner: {oid}", f"    jurisdiction: {country}"]
        if kind == "store":
            ls.append(f"    retention: {rnd.choice(RETENTIONS)}")
            if rnd.random() < 0.2:
                ls.append(f"    retention_purposes: [{_p('legal.compliance')}]")
            ls.append(f"    encrypted_at_rest: {'true' if rnd.random() < 0.9 else 'false'}")
            ls.append(f"    erase: {'true' if rnd.random() < 0.9 else 'false'}")
            ls.append(f"    export: {'true' if rnd.random() < 0.85 else 'false'}")
            if stores_so_far and rnd.random() < 0.1:
                ls.append(f"    backup_of: {rnd.choice(stores_so_far)[0]}")
            stores_so_far.append((nid, country))
        ls.append(f"    description: Synthetic {kind} of team {i // NODES_PER_FILE}")
        node_rows.append((nid, kind, oid, country))
        node_lines.append(ls)
    for start in range(0, nodes, NODES_PER_FILE):
        body = [line for ls in node_lines[start : start + NODES_PER_FILE] for line in ls]
        out[f"nodes/team-{start // NODES_PER_FILE:03d}.yaml"] = "nodes:\n" + "\n".join(body) + "\n"

    # ------------------------------------------------------------------ flows
    def role_of(row: tuple[str, str, str | None, str | None]) -> str:
        return org_info[row[2]][1] if row[2] else "subject"

    subjects = [r for r in node_rows if r[1] == "subject"]
    internal = [r for r in node_rows if role_of(r) in ("controller", "affiliate")]
    external = [r for r in node_rows if role_of(r) not in ("controller", "affiliate", "subject")]
    if not internal:
        internal = [r for r in node_rows if r[1] != "subject"][:1]
    if not external:
        external = internal
    front = [r for r in internal if role_of(r) == "controller" and r[1] == "system"] or internal
    contract_covers = {o: set(c) for o, c in contract_countries.items()}
    parents = {par for _, par in PURPOSES}
    leaf_purposes = [_p(p) for p, _ in PURPOSES if p not in parents and p not in UNDECLARED_PURPOSES]
    flow_lines: list[str] = []
    files_flows: list[str] = []
    for i in range(flows):
        r = rnd.random()
        if r < 0.10:  # collection lands on the controller's own front-end systems
            a, b = rnd.choice(subjects), rnd.choice(front)
        elif r < 0.60:
            a, b = rnd.choice(internal), rnd.choice(internal)
        elif r < 0.85:
            a, b = rnd.choice(internal), rnd.choice(external)
        elif r < 0.97:
            a, b = rnd.choice(external), rnd.choice(external)
        else:
            a, b = rnd.choice(internal), rnd.choice(subjects)
        if a[0] == b[0]:
            b = internal[(internal.index(a) + 1) % len(internal)] if a in internal else rnd.choice(internal)
            if a[0] == b[0]:
                continue  # a one-system map: nothing to join
        ci = i % n_cat
        pool = by_cat[ci] or [type_ids[ci]]
        if a[1] == "subject":  # what the statement says is collected from that subject
            n_subject = int(a[0].rsplit("-", 1)[1]) % len(SUBJECTS) + 1
            ci = rnd.choice([c for c in range(n_cat) if (c + n_subject) % 3 == 0] or [ci])
            pool = by_cat[ci] or [type_ids[ci]]
            if (ci + n_subject) % 3:
                pool = [t for t in pool[:5] if t not in undeclared_types] or pool
        picked = sorted(set(rnd.sample(pool, min(len(pool), rnd.randint(1, 4)))))
        if rnd.random() < 0.03:  # a few flows carry a type no declaration covers
            extra = sorted(undeclared_types)
            if extra:
                picked = sorted({*picked, rnd.choice(extra)})
        purposes = sorted(set(rnd.sample(leaf_purposes, rnd.randint(1, 2))))
        if rnd.random() < 0.04:
            purposes = sorted({*purposes, _p(rnd.choice(UNDECLARED_PURPOSES))})
        fid = f"{_p('flow')}-{i:06d}"
        ls = [f"  - id: {fid}", f"    from: {a[0]}", f"    to: {b[0]}"]
        ls.append(f"    types: [{', '.join(picked)}]")
        ls.append(f"    purposes: [{', '.join(purposes)}]")
        if a[1] == "subject":
            subj = SUBJECTS[int(a[0].rsplit("-", 1)[1]) % len(SUBJECTS)][0]  # as assigned to the node
            ls.append(f"    context: {CONTEXT_OF[subj]}")
            ls.append(f"    subjects: [{_p(subj)}]")
        elif b[1] != "subject":
            role = role_of(b)
            if role_of(a) in ("controller", "affiliate") and role != "controller" and a[2] != b[2]:
                ls.append(f"    sharing_basis: {SHARING_FOR_ROLE[role]}")
        ca, cb = a[3], b[3]
        if ca and cb and ca != cb and rnd.random() < 0.95:  # the rest cross without a basis
            if b[2] and org_info[b[2]][1] in ("controller", "affiliate") and a[2]:
                basis = "binding_corporate_rules"
            elif b[2] and cb in contract_covers.get(b[2], ()):
                basis = "contract"
            else:
                basis = "consent_after_summary"
            ls.append(f"    transfer_basis: {basis}")
        if rnd.random() < 0.03:
            ls.append("    encrypted: false")
        ls.append(f"    evidence: TICKET-{rnd.randrange(1000, 999999)}")
        flow_lines.append("\n".join(ls))
        if len(flow_lines) == FLOWS_PER_FILE:
            files_flows.append("flows:\n" + "\n".join(flow_lines) + "\n")
            flow_lines = []
    if flow_lines:
        files_flows.append("flows:\n" + "\n".join(flow_lines) + "\n")
    for k, text in enumerate(files_flows):
        out[f"flows/team-{k:03d}.yaml"] = text

    # ------------------------------------------------------------------ policy and header
    transfer_to = sorted({*countries[:3], *(o[2] for o in internal_orgs)})  # where the group is
    out["policy.yaml"] = _policy(cats, by_cat, undeclared_types, transfer_to)
    out["map.yaml"] = (
        "# Synthetic map written by `flowatlas synth`; regenerate rather than edit.\n"
        "map:\n"
        f"  id: synthetic-{nodes}-{flows}-{types}-{seed}\n"
        f"  name: Synthetic map ({nodes} nodes, {flows} flows, {types} types, seed {seed})\n"
        f"  controller: {_p('controller')}\n"
        f"  home: {HOME}\n"
        f"  policy: {_p('policy')}\n"
        "  illustrative: true\n"
    )
    return dict(sorted(out.items()))


def _policy(cats, by_cat, undeclared_types, transfer_to) -> str:
    """A policy structured like the Absoloop statement, over the synthetic vocabulary."""
    decl: list[list[str]] = []

    def d(did: str, kind: str, clause: str, quote: str, **fields: object) -> None:
        ls = [f"      - id: {did}", f"        kind: {kind}", f'        clause: "{clause}"', f'        quote: "{quote}"']
        for k, v in fields.items():
            ls.append(f"        {k}: [{', '.join(v)}]" if isinstance(v, list | tuple) else f"        {k}: {v}")
        decl.append(ls)

    for n, (sid, _name) in enumerate(SUBJECTS, start=1):
        declared = []
        for i, (c, _) in enumerate(cats):
            if (i + n) % 3 == 0:
                declared.append(_p(c))  # broad: vague coverage of every subtype
            else:
                declared += [t for t in by_cat[i][:5] if t not in undeclared_types]  # exact types
        d(f"collect-{sid}", "collection", f"1.{n}", f"When you ... we will collect ({sid})",
          subjects=[_p(sid)], contexts=[CONTEXT_OF[sid]], types=sorted(declared))  # fmt: skip
    d("store-sg", "storage", "2.1", "We will store personal information collected and generated in Singapore",
      locations=[HOME])  # fmt: skip
    d("retain-service", "retention", "2.2", "we only retain your information during the period of providing services",
      retention="while_service", purposes=[_p("legal.compliance"), _p("legal.process")])  # fmt: skip
    d("security", "security", "3.2", "multiple server backups and password encryption",
      measures=["backups", "password_encryption", "encryption_in_transit"])  # fmt: skip
    d("access", "security", "3.3", "we strictly limit the scope of people who can access information",
      measures=["access_control", "audit", "confidentiality"])  # fmt: skip
    uses = (
        "service.delivery",
        "service.support",
        "service.payment",
        "service.notifications",
        "personalisation",
        "improvement",
        "protection",
        "surveys",
        "legal",
    )  # broad terms cover their sub-purposes (vaguely); the rest are exact
    d("use", "purpose", "4", "we may use the collected information for the following purposes",
      purposes=[_p(u) for u in uses])  # fmt: skip
    d("no-irrelevant", "prohibition", "5", "We will not share your information with any irrelevant third parties",
      recipient_roles=["third_party"])  # fmt: skip
    d("share-consent", "sharing", "5.1", "With your prior consent, we may share your personal information",
      bases=["consent"], recipient_roles=["third_party"])  # fmt: skip
    d("share-processing", "sharing", "5.2", "we may share your personal information with affiliated companies",
      bases=["on_instruction"], recipient_roles=["affiliate", "processor", "sub_processor"])  # fmt: skip
    d("share-transaction", "sharing", "5.3", "your information may be transferred as part of such transactions",
      bases=["corporate_transaction"], recipient_roles=["acquirer"])  # fmt: skip
    d("share-legal", "sharing", "5.4", "Comply with applicable laws and regulations",
      bases=["legal_obligation", "legal_process", "contract_enforcement", "user_authorised"],
      recipient_roles=["authority"])  # fmt: skip
    d("transfer-group", "transfer", "5.2", "share ... with affiliated companies",
      locations=transfer_to, transfer_bases=["binding_corporate_rules", "contract"])  # fmt: skip
    d("rights", "right", "6.1", "You can access, modify and delete your relevant information",
      rights=["access", "rectification", "erasure", "withdraw_consent", "account_closure", "complaint"])  # fmt: skip
    d("changes", "change_notice", "7", "we will notify you in a prominent position on the homepage")
    head = [
        "# Synthetic policy, structured like the Absoloop privacy statement.",
        "policies:",
        f"  - id: {_p('policy')}",
        "    title: Synthetic privacy statement",
        '    version: "1.0"',
        "    effective: 2024-01-01",
        f"    controller: {_p('controller')}",
        "    declarations:",
    ]
    return "\n".join(head + [line for ls in decl for line in ls]) + "\n"


def write_synth(
    out: str | Path, *, nodes: int, flows: int, types: int = 300, seed: int = 0, force: bool = False
) -> int:
    """Write the synthetic map into folder ``out``; returns the number of files written.

    Refuses a folder that already holds files unless ``force`` (then only .yaml files it would
    write are replaced and stale ``.yaml`` files from an earlier run are removed).
    """
    root = Path(out)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{out}: exists and is not a folder")
    existing = sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
    if existing and not force:
        raise UsageError(f"{out}: folder is not empty (use --force to overwrite a synthetic map)")
    texts = synth_texts(nodes=nodes, flows=flows, types=types, seed=seed)
    for p in existing:
        if p.suffix in (".yaml", ".yml") and p.relative_to(root).as_posix() not in texts:
            p.unlink()
    for name, text in texts.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8", newline="\n")
    return len(texts)


def add_arguments(p) -> None:
    """Arguments of ``flowatlas synth``."""
    p.add_argument("out", help="folder to write the map into (created; must be empty unless --force)")
    p.add_argument("--nodes", type=int, default=5_000, help="number of nodes (subjects, systems, stores)")
    p.add_argument("--flows", type=int, default=50_000, help="number of flows")
    p.add_argument("--types", type=int, default=300, help="number of information types")
    p.add_argument("--seed", type=int, default=0, help="random seed: same seed, byte-identical files")
    p.add_argument("--force", action="store_true", help="overwrite a folder that already holds a map")


def main(args) -> int:
    """``flowatlas synth``: write a synthetic map and say what was written."""
    n = write_synth(args.out, nodes=args.nodes, flows=args.flows, types=args.types, seed=args.seed, force=args.force)
    print(f"{args.out}: wrote {n} files ({args.nodes} nodes, {args.flows} flows, {args.types} types, seed {args.seed})")
    return 0
