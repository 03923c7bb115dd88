"""Reconciliation: where the map and the evidence disagree, as findings.

Each rule reads the map's own records (the ``evidence`` links of its nodes and organisations,
its flows, the policy's storage and security declarations) and the observations of
:mod:`flowatlas.evidence`. A finding is located at the map record it is about (the system whose
code was scanned, the store whose region was observed, the flow no evidence shows) and carries
the evidence's own locations (``Finding.evidence``: the evidence file's line, then the code).

How evidence names the map: a system lists the repositories of its code in
``evidence.repository``; a node or organisation lists what scanners call it in
``evidence.names`` (its name and id count too, compared without case or punctuation; a domain
matches its subdomains); a node lists its Terraform resources in ``evidence.terraform``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property

from flowatlas.analysis import Analysis
from flowatlas.analysis.boundaries import in_group
from flowatlas.evidence.base import Observation, norm, tables
from flowatlas.findings import UNDECLARED, ClauseRef, Finding, distinct_ids, sort_findings
from flowatlas.memo import memoised
from flowatlas.model import EvidenceLinks, Flow, Node
from flowatlas.rules import Registry
from flowatlas.source import Source

#: At most this many evidence locations are kept on one finding (the message gives the count).
MAX_EVIDENCE = 10


#: Every reconciliation rule, in registration order (:class:`flowatlas.rules.Rule`, as the audit's).
RECONCILE_RULES = Registry("evidence")
rule = RECONCILE_RULES.rule


def _links(rec: object) -> EvidenceLinks:
    return getattr(rec, "evidence", None) or EvidenceLinks()


def _domain_match(domain: str, named: str) -> bool:
    d, n = domain.lower().strip("."), named.lower().strip(".")
    return "." in n and (d == n or d.endswith("." + n))


class Reconciliation:
    """A map's analysis, its observations, and the lookups the rules share."""

    def __init__(self, a: Analysis, observations: Sequence[Observation]) -> None:
        self.analysis = a
        self.map = a.map
        self.observations = list(observations)
        self.index = a.policy_index

    # -- who is who -------------------------------------------------------------------------
    @cached_property
    def systems(self) -> dict[str, list[Node]]:
        """Scanned repository (normalised) -> the nodes whose code it is."""
        out: dict[str, list[Node]] = defaultdict(list)
        for n in self.map.nodes.values():
            for r in _links(n).repository:
                out[norm(r)].append(n)
        return dict(out)

    def system_nodes(self, o: Observation) -> list[Node]:
        return self.systems.get(norm(o.system), []) if o.system else []

    @cached_property
    def _names(self) -> list[tuple[str, str, str, str]]:
        """``(name, its normalised form, kind, id)``: every name a node or organisation goes by."""
        out = []
        for kind, table in (("organisation", self.map.organisations), ("node", self.map.nodes)):
            for rid, rec in table.items():
                for name in (*_links(rec).names, rec.name, rid):
                    out.append((name, norm(name), kind, rid))
        return out

    def recipient(self, o: Observation) -> tuple[str, str] | None:
        """``(kind, id)`` of the organisation or node an observed recipient is, or None."""
        return self._recipient(o.name, o.domains)

    @memoised  # evidence names the same recipients again and again: 98,765 scans of 50 vendors, 8 MB, 44 s -> 1 s
    def _recipient(self, name: str, domains: tuple[str, ...]) -> tuple[str, str] | None:
        wanted = norm(name)
        for written, normal, kind, rid in self._names:
            if wanted and normal == wanted:
                return kind, rid
            if any(_domain_match(d, written) for d in domains):
                return kind, rid
        return None

    def recipient_nodes(self, kind: str, rid: str) -> set[str]:
        if kind == "node":
            return {rid}
        return {n.id for n in self.map.nodes.values() if n.owner == rid}

    def org_of(self, kind: str, rid: str) -> str | None:
        return rid if kind == "organisation" else self.map.nodes[rid].owner

    # -- types ------------------------------------------------------------------------------
    def type_of(self, label: str) -> str | None:
        """The map's information type an evidence label names, or None."""
        m = self.map
        key = norm(label)
        last = norm(label.rsplit(".", 1)[-1])
        for t in m.types.values():
            if norm(t.id) in (key, last) or norm(t.name) in (key, last):
                return t.id
        known = tables()["data_types"]
        hit = known.get(key) or known.get(last)
        return hit if hit in m.types else None

    def covers(self, carried: Iterable[str], type_id: str) -> bool:
        """A flow carrying ``carried`` carries ``type_id``: the same type, a broader one or a narrower one."""
        return not self.map.type_tree.related(type_id).isdisjoint(carried)

    def flows_between(self, sources: Iterable[str], targets: set[str]) -> list[Flow]:
        src = set(sources)
        return [f for f in self.map.flows.values() if f.source in src and f.target in targets]

    def clauses(self, decl_ids: Iterable[str]) -> tuple[ClauseRef, ...]:
        return self.index.clauses(decl_ids) if self.index is not None else ()


def _evidence(obs: Sequence[Observation]) -> tuple[Source, ...]:
    """The first :data:`MAX_EVIDENCE` places the observations were seen at, each once, in order
    (a dict keeps them: linear in the observations however many repeat)."""
    seen: dict[Source, None] = {}
    for o in obs:
        for s in (o.at, *o.code):
            seen.setdefault(s)
            if len(seen) >= MAX_EVIDENCE:
                return tuple(seen)
    return tuple(seen)


def _where(obs: Sequence[Observation]) -> str:
    """The first place evidence shows it, and how many more (all are in ``Finding.evidence``)."""
    total = len({s for o in obs for s in (o.at, *o.code)})
    return str(obs[0].at) + (f" and {total - 1} more place{'s' if total > 2 else ''}" if total > 1 else "")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _said(obs: Sequence[Observation]) -> str:
    """What the tool itself said of these observations (a policy it flags them under), as a
    sentence to add to a message, or ""."""
    notes = sorted({o.note for o in obs if o.note and o.kind != "unused"})
    return (" " + "; ".join(notes) + ".") if notes else ""


def _labels(obs: Sequence[Observation]) -> list[str]:
    return sorted({label for o in obs for label in o.labels})


def _group(obs: Iterable[Observation], key: Callable[[Observation], tuple]) -> dict[tuple, list[Observation]]:
    out: dict[tuple, list[Observation]] = defaultdict(list)
    for o in obs:
        out[key(o)].append(o)
    return dict(sorted(out.items()))


def _system_phrase(r: Reconciliation, o: Observation) -> tuple[str, tuple[str, ...], Source | None]:
    nodes = r.system_nodes(o)
    if not nodes:
        return f"the code of repository '{o.system}'" if o.system else "scanned code", (), None
    n = nodes[0]
    return f"the code of '{n.name}' ({n.id})", tuple(x.id for x in nodes), n.src


# --------------------------------------------------------------------------- rules


@rule("evidence-unmapped-recipient", "high", "Recipient in code, not in the map", held_against="the map")
def unmapped_recipient(r: Reconciliation) -> Iterator[Finding]:
    """A code scan shows personal data sent to a third party that no organisation or node of the
    map is (by name, id, domain or ``evidence.names``): the map is incomplete, and so is every
    audit of it."""
    obs = [o for o in r.observations if o.kind == "flow" and o.recipient_kind == "third_party"]
    for (_system, name), group in _group(
        (o for o in obs if r.recipient(o) is None), lambda o: (o.system, o.name)
    ).items():
        who, nodes, src = _system_phrase(r, group[0])
        domains = sorted({d for o in group for d in o.domains})
        labels = _labels(group)
        types = tuple(sorted({t for lab in labels if (t := r.type_of(lab))}))
        what = ", ".join(labels) if labels else "data"
        yield Finding(
            "evidence-unmapped-recipient",
            "high",
            f"{_sentence(who)} sends {what} to {name}"
            + (f" ({', '.join(domains)})" if domains else "")
            + f", which the map does not have (seen at {_where(group)}).{_said(group)}",
            f"Add {name} to the map (an organisation with its role and jurisdiction, and a flow from the system "
            f"that calls it), or, if it is in the map under another name, add '{name}' to its evidence.names.",
            nodes=nodes,
            types=types,
            src=src,
            key=norm(name),
            evidence=_evidence(group),
        )


@rule("evidence-unmapped-flow", "medium", "Flow in code, not in the map", held_against="the map")
def unmapped_flow(r: Reconciliation) -> Iterator[Finding]:
    """A code scan shows a system of the map sending data to a recipient the map has, but the map
    has no flow between them, or its flows there carry none of the observed types. High when the
    recipient is outside the controller's group or a type is sensitive."""
    for (_system, name), group in _group(
        (o for o in r.observations if o.kind == "flow" and r.system_nodes(o) and r.recipient(o) is not None),
        lambda o: (o.system, o.name),
    ).items():
        kind, rid = r.recipient(group[0]) or ("", "")
        targets = r.recipient_nodes(kind, rid)
        sources = [n.id for n in r.system_nodes(group[0])]
        flows = r.flows_between(sources, targets)
        types = sorted({t for lab in _labels(group) if (t := r.type_of(lab))})
        missing = [t for t in types if not any(r.covers(f.types, t) for f in flows)]
        if flows and not missing:
            continue
        org = r.org_of(kind, rid)
        role = r.map.organisations[org].role if org is not None and org in r.map.organisations else ""
        high = not in_group(role) or any(r.map.is_sensitive(t) for t in missing)
        who, nodes, src = _system_phrase(r, group[0])
        target = f"'{name}' ({rid})"
        if not flows:
            what = f"the map has no flow from {', '.join(sources)} to {target}"
        else:
            what = f"the map's flows there ({', '.join(sorted(f.id for f in flows))}) do not carry {', '.join(missing)}"
        yield Finding(
            "evidence-unmapped-flow",
            "high" if high else "medium",
            f"{_sentence(who)} sends {', '.join(_labels(group)) or 'data'} to {target}, but {what} "
            f"(seen at {_where(group)}).{_said(group)}",
            "Add the flow (or its types) to the map, with its purpose and basis, so the audit holds it against "
            "the statement; or remove the call from the code.",
            flows=tuple(sorted(f.id for f in flows)),
            path=(sources[0], rid) if kind == "node" else (),
            nodes=nodes,
            types=tuple(missing or types),
            organisations=(org,) if org else (),
            src=flows[0].src if flows else src,
            key=norm(name),
            evidence=_evidence(group),
        )


@rule("evidence-unmapped-type", "medium", "Data type in code, not in the map", held_against="the map's types")
def unmapped_type(r: Reconciliation) -> Iterator[Finding]:
    """A code scan shows a system handling a kind of personal data that no flow into or out of it
    carries and that it does not generate, or a kind the map's vocabulary has no type for. High
    when the type is sensitive (or, for a label that names no type, when the evidence marks the
    data sensitive); low when the label names no type at all."""
    for (_system, label), group in _group(
        (o for o in r.observations if o.kind == "type"), lambda o: (o.system, o.labels[0] if o.labels else o.name)
    ).items():
        nodes = r.system_nodes(group[0])
        who, node_ids, src = _system_phrase(r, group[0])
        t = r.type_of(label)
        if t is None:
            marked = [o.reader for o in group if o.sensitive]
            yield Finding(
                "evidence-unmapped-type",
                "high" if marked else "low",
                f"{_sentence(who)} handles '{label}', which names no information type of the map "
                f"(seen at {_where(group)})" + (f"; {marked[0].capitalize()} marks it sensitive." if marked else "."),
                f"Add an information type for '{label}' to the map (information_types, with its parent), or name an "
                "existing type after it.",
                nodes=node_ids,
                src=src,
                key=norm(label),
                evidence=_evidence(group),
            )
            continue
        if not nodes:
            continue
        ids = {n.id for n in nodes}
        carried = [x for f in r.map.flows.values() if f.source in ids or f.target in ids for x in f.types]
        carried += [x for n in nodes for x in n.generates]
        if r.covers(carried, t):
            continue
        yield Finding(
            "evidence-unmapped-type",
            "high" if r.map.is_sensitive(t) else "medium",
            f"{_sentence(who)} handles {t} ('{label}'), but no flow into or out of it carries it "
            f"(seen at {_where(group)}).",
            f"Add {t} to the flows that carry it to and from {', '.join(sorted(ids))}, or to its 'generates' if "
            "the system creates it.",
            nodes=node_ids,
            types=(t,),
            src=src,
            key=t,
            evidence=_evidence(group),
        )


def _stored_types(r: Reconciliation, node_id: str) -> tuple[str, ...]:
    return tuple(sorted({t for f in r.map.flows.values() if f.target == node_id for t in f.types}))


@rule(
    "evidence-region-mismatch",
    "medium",
    "Observed region differs from the map",
    held_against="storage and transfer declarations",
)
def region_mismatch(r: Reconciliation) -> Iterator[Finding]:
    """Infrastructure state puts a resource of a node in another country than the node's
    jurisdiction in the map. High when the observed country is not a declared storage location
    (or a declared transfer destination) for the data there."""
    by_address = {o.name: o for o in r.observations if o.kind == "location"}
    for n in sorted(r.map.nodes.values(), key=lambda n: n.id):
        for address in _links(n).terraform:
            o = by_address.get(address)
            if o is None or not o.country or n.jurisdiction is None:
                continue
            observed = sorted(r.map.places(o.country))
            if observed == [n.jurisdiction]:
                continue
            types = _stored_types(r, n.id)
            decisions = [r.index.location(c, types, n.kind == "store") for c in observed] if r.index else []
            undeclared = [d for d in decisions if d[0] in UNDECLARED]
            where = o.country if observed == [o.country] else f"{o.country} ({', '.join(observed)})"
            why = f"; {undeclared[0][2]}" if undeclared else ""
            yield Finding(
                "evidence-region-mismatch",
                "high" if undeclared else "medium",
                f"'{n.name}' ({n.id}) is in {n.jurisdiction} in the map, but {address} is in region {o.region}, "
                f"{where}, in the infrastructure state"
                + (f" ({o.note})" if o.note else "")  # where the region came from, when not the resource itself
                + f" (seen at {o.at}){why}.",
                f"Correct the node's jurisdiction to {o.country} (and the audit will hold the transfer against the "
                f"statement), or move the resource to {n.jurisdiction}.",
                nodes=(n.id,),
                types=types,
                organisations=(n.owner,) if n.owner else (),
                countries=tuple(sorted({n.jurisdiction, *observed})),
                clauses=r.clauses(i for d in (undeclared or decisions) for i in d[1]),
                src=n.src,
                key=address,
                evidence=(o.at,),
            )


@rule("evidence-unread-resource", "low", "Linked resource not in the evidence", held_against="the map's links")
def unread_resource(r: Reconciliation) -> Iterator[Finding]:
    """A node links a Terraform resource the state given does not have, or whose region could not
    be read (none, marked sensitive, or a region flowatlas does not know): its location is not
    verified."""
    locations = {o.name: o for o in r.observations if o.kind == "location"}
    if not locations:
        return
    for n in sorted(r.map.nodes.values(), key=lambda n: n.id):
        for address in _links(n).terraform:
            o = locations.get(address)
            if o is not None and o.country:
                continue
            if o is None:
                why, fix = "the infrastructure state has no such resource", "Correct the address (module path included)"
            elif o.region:
                why, fix = f"its region '{o.region}' is in no country flowatlas knows", "Check the region"
            else:
                why, fix = o.note, "Record the node's location another way"
            yield Finding(
                "evidence-unread-resource",
                "low",
                f"'{n.name}' ({n.id}) links {address}, but {why}: its location is not verified.",
                f"{fix} in evidence.terraform of {n.id}.",
                nodes=(n.id,),
                src=n.src,
                key=address,
                evidence=(o.at,) if o is not None else (),
            )


@rule("evidence-unverified-flow", "info", "Flow to a third party no evidence shows", held_against="the evidence")
def unverified_flow(r: Reconciliation) -> Iterator[Finding]:
    """A flow of the map from a system whose code was scanned, to an organisation outside the
    controller's side, that no observation shows: the scan does not confirm it (it may be
    configured outside the code, or be gone)."""
    scanned: dict[str, list[Observation]] = defaultdict(list)
    for o in r.observations:
        for n in r.system_nodes(o):
            scanned[n.id].append(o)
    for f in sorted(r.map.flows.values(), key=lambda f: f.id):
        if f.source not in scanned:
            continue
        org = r.map.nodes[f.target].owner
        if org is None or org not in r.map.organisations or in_group(r.map.organisations[org].role):
            continue
        shown = [
            o
            for o in scanned[f.source]
            if o.kind == "flow" and (hit := r.recipient(o)) is not None and f.target in r.recipient_nodes(*hit)
        ]
        if shown:
            continue
        target = r.map.nodes[f.target]
        yield Finding(
            "evidence-unverified-flow",
            "info",
            f"Flow {f.id} from {f.source} to '{target.name}' ({org}) is in the map, but the scan of {f.source}'s "
            "code does not show it.",
            f"Confirm the flow (and record where it is configured in its 'evidence'), or remove it from the map; if "
            f"the scanner calls the recipient otherwise, add that name to evidence.names of {org}.",
            flows=(f.id,),
            path=(f.source, f.target),
            types=f.types,
            organisations=(org,),
            src=f.src,
            key="unverified",
        )


@rule("evidence-leakage", "medium", "Personal data into logs", held_against="security declarations")
def leakage(r: Reconciliation) -> Iterator[Finding]:
    """A code scan reports personal data written to logs (a leakage). It is held against the
    statement's security declarations; high when a type is sensitive or a credential."""
    for (_system, name), group in _group(
        (o for o in r.observations if o.kind == "leakage"), lambda o: (o.system, o.name)
    ).items():
        who, nodes, src = _system_phrase(r, group[0])
        labels = _labels(group)
        types = tuple(sorted({t for lab in labels if (t := r.type_of(lab))}))
        high = any(r.map.is_sensitive(t) or (r.index is not None and r.index.is_password(t)) for t in types)
        security = [  # the security declarations about these types, or about all data
            d.id
            for d in (r.index.of("security") if r.index else ())
            if not d.types or any(r.map.type_tree.covers(x, t) for x in d.types for t in types)
        ]
        cited = sorted({c.clause for c in r.clauses(security)})
        held = (
            f", which the security clause{'s' if len(cited) > 1 else ''} {', '.join(cited)} should prevent"
            if cited
            else ""
        )
        yield Finding(
            "evidence-leakage",
            "high" if high else "medium",
            f"{_sentence(who)} writes {', '.join(labels) or 'personal data'} to logs ({name}){held} "
            f"(seen at {_where(group)}).{_said(group)}",
            "Mask or drop these values before logging; if logs must hold them, map the log store with its "
            "retention, access control and the flow into it.",
            nodes=nodes,
            types=types,
            clauses=r.clauses(security),
            src=src,
            key=norm(name) + ":" + ",".join(labels),
            evidence=_evidence(group),
        )


@rule("evidence-unlinked-system", "low", "Scanned code no node names", held_against="the map's links")
def unlinked_system(r: Reconciliation) -> Iterator[Finding]:
    """Evidence describes a repository that no node of the map lists in ``evidence.repository``:
    its flows cannot be held against the map's (only unknown recipients are reported)."""
    for (system,), group in _group(
        (o for o in r.observations if o.system and not r.system_nodes(o)), lambda o: (o.system,)
    ).items():
        yield Finding(
            "evidence-unlinked-system",
            "low",
            f"Evidence describes repository '{system}' ({group[0].reader}, {group[0].at.file}), which no node of the "
            "map names.",
            f"Add '{system}' to evidence.repository of the system whose code it is.",
            key=norm(system),
            evidence=(group[0].at,),
        )


def reconcile(a: Analysis, observations: Sequence[Observation], rules: Iterable[str] | None = None) -> list[Finding]:
    """Every reconciliation finding of the map ``a`` analyses against ``observations``, most
    severe first.

    Parameters
    ----------
    a : Analysis
        The map's analysis (its policy index holds what the evidence is held against).
    observations : sequence of Observation
        What the evidence shows (:func:`flowatlas.evidence.read_evidence`).
    rules : iterable of str, optional
        Reconciliation rule ids; by default all of :data:`RECONCILE_RULES`.

    Returns
    -------
    list of Finding

    Examples
    --------
    >>> from flowatlas.evidence import read_texts
    >>> from flowatlas.loader import load_texts
    >>> m = load_texts({"m.yaml": '''
    ... map: {id: m, name: M, controller: acme, home: DE}
    ... organisations: [{id: acme, name: Acme, role: controller, jurisdiction: DE}]
    ... nodes:
    ...   - {id: web, name: Web, kind: system, owner: acme, jurisdiction: DE, evidence: {repository: [web]}}
    ... '''})
    >>> obs = read_texts([("web.bearer.json", '{"third_party": [{"third_party": "Sentry", "data_types": ["Email"]}]}')])
    >>> [(f.rule, f.severity, f.nodes, [str(s) for s in f.evidence]) for f in reconcile(Analysis(m), obs)]
    [('evidence-unmapped-recipient', 'high', ('web',), ['web.bearer.json:1:18'])]
    """
    selected = RECONCILE_RULES.select(rules)
    r = Reconciliation(a, observations)
    return sort_findings(distinct_ids([f for rule_ in selected for f in rule_.func(r)]))


__all__ = ["MAX_EVIDENCE", "RECONCILE_RULES", "Reconciliation", "reconcile"]
