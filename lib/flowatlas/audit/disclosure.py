"""Disclosure classes: hold each flow against the policy on each dimension.

Dimensions and what is matched (hierarchically: a declaration of an ancestor covers, vaguely):

``type``       collection flows (from a data-subject node): each type against the collection
               declarations for the source subject's category and the flow's context.
``purpose``    every flow: each purpose against the purpose declarations; for flows leaving the
               controller, also against the purposes a matching sharing declaration limits itself to;
               a prohibition "we never use T for P" makes it incorrect.
``recipient``  flows leaving the controller (source is the controller's or a subject, target
               another organisation's): the recipient's role and the flow's sharing basis against
               the sharing declarations and the prohibitions.
``location``   flows into a store or across a border: the destination country against storage
               locations and declared transfers; any flow into a system or store outside the
               places a prohibition says the data never leaves (incorrect).
``safeguard``  flows across a border (the transfer basis under the regime) and flows carrying
               password or sensitive types (encryption in transit).

Classes: ``clear`` (a declaration names exactly this), ``vague`` (only an ancestor term covers it),
``omitted`` (nothing covers it), ``incorrect`` (contradicts a prohibition or limit), ``ambiguous``
(applicable declarations disagree: a broad permission against a specific prohibition; a storage
location against a declared transfer).

``classify(m)`` gives ``{flow id: (Verdict, ...)}``; ``disclosure_frame(m)`` the same as a DataFrame.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from flowatlas.atlas import Map
from flowatlas.audit.policy_index import PolicyIndex
from flowatlas.boundaries import hands_over, transfers_between
from flowatlas.errors import UsageError
from flowatlas.findings import DISCLOSURE_RANK, Dimension, Disclosure
from flowatlas.memo import memoised
from flowatlas.model import Flow, Policy
from flowatlas.regimes import Regime, check_basis, regime_of
from flowatlas.taxonomy import Match


class Judgement(NamedTuple):
    """How one item of a flow fares on one dimension, and what decided it (a verdict without its
    flow: flows decided alike share one)."""

    dimension: Dimension
    item: str  # the type, purpose, recipient organisation, country, or "transfer"/"encryption"
    disclosure: Disclosure
    declarations: tuple[str, ...]  # ids of the deciding declarations
    reason: str


class Verdict(NamedTuple):
    """The disclosure class of one item of one flow on one dimension, and what decided it."""

    flow: str
    dimension: Dimension
    item: str
    disclosure: Disclosure
    declarations: tuple[str, ...]
    reason: str


class Verdicts(Mapping[str, tuple[Verdict, ...]]):
    """``{flow id: (Verdict, ...)}`` for a map, in flow order: what :func:`classify` returns.

    Held as each flow's :class:`Judgement` s; a flow's verdicts are made when it is looked up.
    """

    def __init__(self, judgements: dict[str, tuple[Judgement, ...]]) -> None:
        self._judgements = judgements

    def __getitem__(self, flow_id: str) -> tuple[Verdict, ...]:
        return tuple(Verdict(flow_id, *j) for j in self._judgements[flow_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._judgements)

    def __len__(self) -> int:
        return len(self._judgements)

    def judgements(self) -> Iterable[tuple[str, tuple[Judgement, ...]]]:
        """``(flow id, judgements)`` for every flow, in flow order, without making verdicts."""
        return self._judgements.items()


def worst(classes: Iterable[Disclosure]) -> Disclosure | None:
    """The worst of some disclosure classes (incorrect > omitted > ambiguous > vague > clear).

    >>> worst(["clear", "omitted", "vague"]), worst([])
    ('omitted', None)
    """
    ranked = sorted(classes, key=DISCLOSURE_RANK.__getitem__)
    return ranked[-1] if ranked else None


def resolve_policy(m: Map, policy: str | Policy | None) -> Policy | None:
    """The policy to audit: a Policy, a policy id of ``m``, or None for the map's default."""
    if policy is None:
        return m.policy
    if isinstance(policy, Policy):
        return policy
    if policy not in m.policies:
        raise UsageError(f"unknown policy '{policy}' (map has: {', '.join(m.policies) or 'none'})")
    return m.policies[policy]


def policy_index(m: Map, policy: Policy) -> PolicyIndex:
    """A new :class:`PolicyIndex` of ``policy`` on ``m`` (:attr:`flowatlas.analysis.Analysis.policy_index`
    keeps one)."""
    return PolicyIndex(m, policy)


class Classifier:
    """Holds flows against one policy index under one regime. Each judgement is a method cached
    on its arguments: they are everything it depends on besides the (fixed) map, policy and
    regime, so flows that agree on them share one judgement."""

    def __init__(self, m: Map, ix: PolicyIndex, regime: Regime | None) -> None:
        self.map = m
        self.ix = ix
        self.regime = regime
        self.has_security = bool(ix.of("security"))

    def judge(self, f: Flow) -> tuple[Judgement, ...]:
        """Every judgement of one flow, in dimension order: type, recipient, purpose, location,
        safeguard."""
        m = self.map
        source, target = m.nodes[f.source], m.nodes[f.target]
        types = tuple(sorted(f.types))
        out: list[Judgement] = []
        if source.kind == "subject":
            for t in types:
                out.append(self.collected(source.subject, f.context, t))
        recipient = None
        lawful = {p: f.lawful_basis or m.purposes[p].lawful_basis for p in f.purposes}
        if hands_over(m, source, target):
            relied = tuple(sorted({b for b in lawful.values() if b}))
            got = self.recipient(target.owner, f.sharing_basis, types, tuple(sorted(f.purposes)), relied)
            recipient = (got.disclosure, got.declarations)
            out.append(got)
        # a sharing declaration naming its lawful bases decides the flow's basis (recipient dimension)
        shared_on = recipient is not None and self.ix.names_lawful_bases(recipient[1])
        for p in sorted(f.purposes):
            forbidden = self.ix.use_prohibited(p, types) or (
                None if shared_on else self.ix.purpose_lawful(p, lawful[p])
            )
            out.append(Judgement("purpose", p, *forbidden) if forbidden else self.purpose(p, recipient))
        transfer = transfers_between(m, source, target)
        country = target.jurisdiction
        off_limits = self.ix.location_prohibited(country, types) if country and target.kind != "subject" else None
        if off_limits:
            out.append(Judgement("location", country or "", *off_limits))
        elif country and (transfer or target.kind == "store"):
            out.append(self.location(country, types, target.kind == "store"))
        if transfer:
            # a collection directed abroad is the controller's transfer (flowatlas.boundaries.is_transfer)
            exporter = source.owner if source.kind != "subject" else m.info.controller
            out.append(self.transfer(f.transfer_basis, f.in_transit, exporter, target.owner, country))
        if self.has_security and not self.ix.sensitive_types.isdisjoint(types):
            out.append(self.encryption(types, f.encrypted))
        return tuple(out)

    @memoised
    def collected(self, subject: str | None, context: str | None, type_id: str) -> Judgement:
        return Judgement("type", type_id, *self.ix.collection(subject, context, type_id))

    @memoised
    def recipient(
        self,
        org: str | None,
        basis: str | None,
        types: tuple[str, ...],
        purposes: tuple[str, ...],
        lawful: tuple[str, ...] = (),
    ) -> Judgement:
        role = self.map.organisations[org].role if org else "subject"
        return Judgement("recipient", org or "", *self.ix.recipient(role, basis, types, purposes, org, lawful))

    @memoised
    def purpose(self, purpose_id: str, recipient: tuple[Disclosure, tuple[str, ...]] | None) -> Judgement:
        return Judgement("purpose", purpose_id, *self.ix.shared_purpose(purpose_id, recipient))

    def location(self, country: str, types: tuple[str, ...], store: bool) -> Judgement:
        if country in self.ix.storage:
            return self.stored(country)
        return self.transferred(country, self.ix.transfer_cover(country, types), store)

    @memoised
    def stored(self, country: str) -> Judgement:
        return Judgement("location", country, *self.ix.storage_location(country))

    @memoised
    def transferred(self, country: str, cover: tuple[Match, ...], store: bool) -> Judgement:
        return Judgement("location", country, *self.ix.transfer_location(country, cover, store))

    @memoised
    def transfer(
        self, basis: str | None, in_transit: bool, source_org: str | None, target_org: str | None, country: str | None
    ) -> Judgement:
        v = check_basis(self.map, self.regime, basis, in_transit, source_org, target_org, country or "")
        return Judgement("safeguard", "transfer", v.disclosure, (), v.reason)

    def encryption(self, types: tuple[str, ...], encrypted: bool) -> Judgement:
        """The encryption-in-transit judgement of a flow carrying ``types``, some of them sensitive
        or declared with password encryption."""
        sensitive = self.ix.sensitive_types.intersection(types)
        password = not self.ix.password_types.isdisjoint(sensitive)
        return self.encrypted(tuple(sorted(sensitive)), password, encrypted)

    @memoised
    def encrypted(self, sensitive: tuple[str, ...], password: bool, encrypted: bool) -> Judgement:
        decls = self.ix.encryption_decls(password)
        if encrypted:
            return Judgement("safeguard", "encryption", "clear", decls, "encrypted in transit")
        why = f"{', '.join(sensitive)} travel unencrypted although the policy promises security measures"
        return Judgement("safeguard", "encryption", "incorrect", decls, why)


def classify(m: Map, policy: str | Policy | None = None, *, index: PolicyIndex | None = None) -> Verdicts:
    """``{flow id: verdicts}`` for every flow of ``m`` against ``policy`` (a read-only
    :class:`Verdicts` mapping). Each call classifies afresh; :attr:`flowatlas.analysis.Analysis.verdicts`
    keeps one.

    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> verdicts = classify(load_texts(EXAMPLE))
    >>> for v in verdicts["f-mail"]:
    ...     print(v.dimension, v.item, v.disclosure)
    recipient mailer omitted
    purpose advertising omitted
    location US omitted
    safeguard transfer omitted
    """
    pol = resolve_policy(m, policy)
    if pol is None:
        return Verdicts({fid: () for fid in m.flows})
    classifier = Classifier(m, index or PolicyIndex(m, pol), regime_of(m))
    return Verdicts({fid: classifier.judge(f) for fid, f in m.flows.items()})


def disclosure_frame(m: Map, policy: str | Policy | None = None):
    """One row per (flow, dimension, item): the class and the deciding clauses, as a DataFrame."""
    import pandas as pd

    pol = resolve_policy(m, policy)
    ix = policy_index(m, pol) if pol else None
    rows = []
    for fid, verdicts in classify(m, pol, index=ix).items():
        f = m.flows[fid]
        for v in verdicts:
            rows.append(
                {
                    "flow": fid,
                    "source": f.source,
                    "target": f.target,
                    "dimension": v.dimension,
                    "item": v.item,
                    "disclosure": v.disclosure,
                    "clauses": ", ".join(ix.decl[i].clause for i in v.declarations) if ix else "",
                    "declarations": ", ".join(v.declarations),
                    "reason": v.reason,
                }
            )
    cols = ["flow", "source", "target", "dimension", "item", "disclosure", "clauses", "declarations", "reason"]
    return pd.DataFrame(rows, columns=cols)
