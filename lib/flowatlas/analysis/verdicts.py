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

:func:`classify` gives ``{flow id: (Verdict, ...)}``; :attr:`flowatlas.analysis.Analysis.verdicts`
keeps the map's; :func:`flowatlas.queries.disclosure_frame` shows them as a table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from flowatlas.analysis.boundaries import FlowFacts
from flowatlas.analysis.policy_index import PolicyIndex
from flowatlas.analysis.transfer import check_basis
from flowatlas.atlas import Map
from flowatlas.findings import Dimension, Disclosure
from flowatlas.memo import memoised
from flowatlas.model import Flow
from flowatlas.regimes import Regime
from flowatlas.taxonomy import Match


class Judgement(NamedTuple):
    """How one item of a flow fares on one dimension, and what decided it (a verdict without its
    flow: flows decided alike share one).

    Examples
    --------
    >>> Judgement("location", "US", "omitted", (), "US is not a declared location").disclosure
    'omitted'
    """

    dimension: Dimension
    item: str  # the type, purpose, recipient organisation, country, or "transfer"/"encryption"
    disclosure: Disclosure
    declarations: tuple[str, ...]  # ids of the deciding declarations
    reason: str


class Verdict(NamedTuple):
    """The disclosure class of one item of one flow on one dimension, and what decided it.

    Examples
    --------
    >>> from flowatlas.analysis import Analysis
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> v = Analysis(load_texts(EXAMPLE)).verdicts["f-mail"][-1]
    >>> v.flow, v.dimension, v.item, v.disclosure, v.reason
    ('f-mail', 'safeguard', 'transfer', 'omitted', 'the flow names no transfer basis')
    """

    flow: str
    dimension: Dimension
    item: str
    disclosure: Disclosure
    declarations: tuple[str, ...]
    reason: str


class Verdicts(Mapping[str, tuple[Verdict, ...]]):
    """``{flow id: (Verdict, ...)}`` for a map, in flow order: what :func:`classify` returns.

    Held as each flow's :class:`Judgement` s; a flow's verdicts are made when it is looked up.

    Examples
    --------
    >>> from flowatlas.analysis import Analysis
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> verdicts = Analysis(load_texts(EXAMPLE)).verdicts
    >>> list(verdicts), len(verdicts["f-signup"])
    (['f-log', 'f-mail', 'f-save', 'f-signup'], 4)
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


class Classifier:
    """Holds flows against one policy index under one regime. Each judgement is a method cached
    on its arguments: they are everything it depends on besides the (fixed) map, policy and
    regime, so flows that agree on them share one judgement.

    Examples
    --------
    >>> from flowatlas.analysis import Analysis
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> a = Analysis(load_texts(EXAMPLE))
    >>> c = Classifier(a.map, a.policy_index, a.regimes)
    >>> [j.disclosure for j in c.judge(a.map.flows["f-save"], a.flow_facts["f-save"])]
    ['clear', 'clear']
    """

    def __init__(self, m: Map, ix: PolicyIndex, regimes: Mapping[str, Regime]) -> None:
        self.map = m
        self.ix = ix
        self.regimes = regimes
        self.has_security = bool(ix.of("security"))

    def judge(self, f: Flow, facts: FlowFacts) -> tuple[Judgement, ...]:
        """Every judgement of one flow whose :class:`~flowatlas.analysis.boundaries.FlowFacts`
        are ``facts``, in dimension order: type, recipient, purpose, location, safeguard."""
        m = self.map
        source, target = m.nodes[f.source], m.nodes[f.target]
        types = tuple(sorted(f.types))
        out: list[Judgement] = []
        if source.kind == "subject":
            for t in types:
                out.append(self.collected(source.subject, f.context, t))
        recipient = None
        lawful = {p: f.lawful_basis or m.purposes[p].lawful_basis for p in f.purposes}
        if facts.leaves_controller:
            relied = tuple(sorted({b for b in lawful.values() if b}))
            got = self.recipient(target.owner, facts.sharing_basis, types, tuple(sorted(f.purposes)), relied)
            recipient = (got.disclosure, got.declarations)
            out.append(got)
        # a sharing declaration naming its lawful bases decides the flow's basis (recipient dimension)
        shared_on = recipient is not None and self.ix.names_lawful_bases(recipient[1])
        for p in sorted(f.purposes):
            forbidden = self.ix.use_prohibited(p, types) or (
                None if shared_on else self.ix.purpose_lawful(p, lawful[p])
            )
            out.append(Judgement("purpose", p, *forbidden) if forbidden else self.purpose(p, recipient))
        transfer = facts.is_transfer
        country = facts.target_country
        off_limits = self.ix.location_prohibited(country, types) if country and target.kind != "subject" else None
        if off_limits:
            out.append(Judgement("location", country or "", *off_limits))
        elif country and (transfer or target.kind == "store"):
            out.append(self.location(country, types, target.kind == "store"))
        if transfer:
            out.append(
                self.transfer(
                    facts.regime, f.transfer_basis, f.in_transit, facts.exporter, target.owner, country, self.volume(f)
                )
            )
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

    def volume(self, f: Flow) -> tuple[int | None, bool]:
        """How many people's data ``f`` carries a year (as recorded) and whether any of it is sensitive."""
        return f.subjects_per_year, any(self.map.is_sensitive(t) for t in f.types)

    @memoised
    def transfer(
        self,
        regime: str | None,
        basis: str | None,
        in_transit: bool,
        source_org: str | None,
        target_org: str | None,
        country: str | None,
        volume: tuple[int | None, bool] = (None, False),
    ) -> Judgement:
        v = check_basis(
            self.map,
            self.regimes.get(regime) if regime else None,
            basis,
            in_transit=in_transit,
            exporter=source_org,
            recipient=target_org,
            destination=country or "",
            subjects_per_year=volume[0],
            sensitive=volume[1],
        )
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


def classify(
    m: Map, index: PolicyIndex | None, regimes: Mapping[str, Regime], flow_facts: Mapping[str, FlowFacts]
) -> Verdicts:
    """``{flow id: verdicts}`` for every flow of ``m`` against the policy ``index`` holds (a
    read-only :class:`Verdicts` mapping; every flow has none without a policy).

    Parameters
    ----------
    m : Map
        The map.
    index : PolicyIndex or None
        The policy's index (:attr:`flowatlas.analysis.Analysis.policy_index`).
    regimes : mapping
        ``{regime id: Regime}``: the regimes the flows are held against (each flow's is in its facts).
    flow_facts : mapping
        ``{flow id: FlowFacts}`` (:attr:`flowatlas.analysis.Analysis.flow_facts`).

    Returns
    -------
    Verdicts

    Examples
    --------
    >>> from flowatlas.analysis import Analysis
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> a = Analysis(load_texts(EXAMPLE))
    >>> for v in classify(a.map, a.policy_index, a.regimes, a.flow_facts)["f-mail"]:
    ...     print(v.dimension, v.item, v.disclosure)
    recipient mailer omitted
    purpose advertising omitted
    location US omitted
    safeguard transfer omitted
    """
    if index is None:
        return Verdicts({fid: () for fid in m.flows})
    classifier = Classifier(m, index, regimes)
    return Verdicts({fid: classifier.judge(f, flow_facts[fid]) for fid, f in m.flows.items()})


__all__ = ["Classifier", "Judgement", "Verdict", "Verdicts", "classify"]
