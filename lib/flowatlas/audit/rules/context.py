"""What every rule may read: a :class:`Context` over one :class:`~flowatlas.analysis.Analysis`,
with the helpers that word and shape findings alike for every rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from typing import NamedTuple

from flowatlas.analysis import Analysis
from flowatlas.analysis.facts import Facts
from flowatlas.analysis.policy_index import PolicyIndex
from flowatlas.analysis.verdicts import Judgement, Verdict, Verdicts
from flowatlas.atlas import Map
from flowatlas.errors import UsageError
from flowatlas.findings import (
    PROBLEM_CLASSES,
    ClauseRef,
    Dimension,
    Finding,
    Severity,
    cited,
    is_declared,
    worst_disclosure,
    worst_severity,
)
from flowatlas.model import Flow, Policy
from flowatlas.regimes import Regime
from flowatlas.rules import Rule


def distinct(values: Iterable[str | None]) -> tuple[str, ...]:
    """The values that are not None, sorted, each once.

    >>> distinct(["SG", None, "US", "SG"])
    ('SG', 'US')
    """
    return tuple(sorted({v for v in values if v is not None}))


#: The shape of :attr:`Context.vague`: ``{dimension: {(item, declarations): (reason, flow ids)}}``
VagueGroups = dict[str, dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]]]


class Context:
    """What the rules read, for one audit of ``analysis`` (its map, policy, index, facts, regime
    and verdicts; ``verdicts`` replaces the analysis's own, e.g. for a test).

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> ctx = Context(Analysis(load_texts(EXAMPLE)))
    >>> ctx.label("db"), ctx.cite(["where"]), sorted(ctx.bad("safeguard"))
    ("'Accounts' (db)", 'clause 3', ['f-mail'])
    """

    def __init__(self, analysis: Analysis, verdicts: Mapping[str, tuple[Verdict, ...]] | None = None) -> None:
        self.analysis = analysis
        self.map: Map = analysis.map
        self.policy: Policy | None = analysis.policy
        self.facts: Facts = analysis.facts
        self.regime: Regime | None = analysis.regime
        self.verdicts: Mapping[str, tuple[Verdict, ...]] = analysis.verdicts if verdicts is None else verdicts
        self._labels: dict[str, str] = {}

    @property
    def index(self) -> PolicyIndex:
        """The policy's index. Only rules that need a policy read it, and they run only with one."""
        if self.analysis.policy_index is None:
            raise UsageError("this rule needs a policy, and the map has none")
        return self.analysis.policy_index

    # -- description helpers -----------------------------------------------------------
    def label(self, node_id: str) -> str:
        """``'Name' (id)``, as messages name a node."""
        got = self._labels.get(node_id)
        if got is None:
            got = self._labels[node_id] = f"'{self.map.nodes[node_id].name}' ({node_id})"
        return got

    def org_of(self, node_id: str) -> str | None:
        return self.facts.owner[node_id]

    def country(self, node_id: str) -> str | None:
        return self.facts.country[node_id]

    def orgs(self, nodes: Iterable[str]) -> tuple[str, ...]:
        """The organisations owning ``nodes``, sorted, each once."""
        return distinct(self.facts.owner[n] for n in nodes)

    def countries(self, nodes: Iterable[str]) -> tuple[str, ...]:
        """The countries of ``nodes``, sorted, each once."""
        return distinct(self.facts.country[n] for n in nodes)

    def clauses(self, decl_ids: Iterable[str]) -> tuple[ClauseRef, ...]:
        policy_index = self.analysis.policy_index
        return policy_index.clauses(decl_ids) if policy_index else ()

    def cite(self, decl_ids: Iterable[str]) -> str:
        """Where a remedy sends the reader: ``clause 2.1``, ``clauses A.1, B`` (the map's own
        clauses of those declarations), or ``no declaration covers this yet``."""
        policy_index = self.analysis.policy_index
        if policy_index is None:
            return "no declaration covers this yet"
        refs = policy_index.clauses(i for i in decl_ids if i in policy_index.decl)
        return cited(sorted(refs, key=lambda c: c.clause)) or "no declaration covers this yet"

    def of_kind(self, *kinds: str) -> list[str]:
        """Ids of the policy's declarations of ``kinds``."""
        return [d.id for k in kinds for d in self.index.of(k)]

    def regime_of(self, flow_id: str) -> Regime | None:
        """The regime flow ``flow_id`` is held against (its sender's, else the home's)."""
        return self.analysis.flow_regimes.get(flow_id, self.regime)

    def regime_clause(self, basis_id: str | None = None, flow_id: str | None = None) -> tuple[ClauseRef, ...]:
        """The clause of the regime ``flow_id`` is held against (default: the home's) for a transfer
        basis, or the list of its bases."""
        r = self.regime_of(flow_id) if flow_id else self.regime
        if r is None:
            return ()
        b = r.bases.get(basis_id or "")
        if b is not None:
            return (ClauseRef(r.id, b.id, b.cite, b.summary, law=True),)
        listed = ", ".join(sorted(r.bases))
        return (ClauseRef(r.id, "transfer", r.cite, f"a transfer needs one of: {listed}", law=True),)

    # -- the verdicts, as the rules read them --------------------------------------------
    @cached_property
    def judgements(self) -> Verdicts:
        """The verdicts as :class:`~flowatlas.analysis.verdicts.Verdicts`, whichever mapping was given."""
        if isinstance(self.verdicts, Verdicts):
            return self.verdicts
        return Verdicts({fid: tuple(Judgement(*v[1:]) for v in vs) for fid, vs in self.verdicts.items()})

    @cached_property
    def by_dimension(self) -> dict[str, dict[str, list[Verdict]]]:
        """``{dimension: {class: [verdicts]}}`` over every flow, in flow order: every verdict that
        is neither ``clear`` nor ``vague``, and every recipient verdict (the rules read these one
        by one; the vague ones are read as groups: :attr:`vague`)."""
        out: dict[str, dict[str, list[Verdict]]] = defaultdict(lambda: defaultdict(list))
        for fid, judgements in self.judgements.judgements():
            for j in judgements:
                if j.dimension == "recipient" or not is_declared(j.disclosure):
                    out[j.dimension][j.disclosure].append(Verdict(fid, *j))
        return out

    @cached_property
    def vague(self) -> VagueGroups:
        """``{dimension: {(item, declarations): (reason, flow ids)}}``: the vague verdicts grouped
        as the info findings report them, each group in order of its first verdict (flow order),
        with that verdict's reason and the ids of its flows (sorted, each once)."""
        flows: dict[Judgement, list[str]] = defaultdict(list)
        for fid, judgements in self.judgements.judgements():
            for j in judgements:
                if j.disclosure == "vague":
                    flows[j].append(fid)
        groups: dict[str, dict[tuple[str, tuple[str, ...]], tuple[str, list[str]]]] = defaultdict(dict)
        for j, fids in flows.items():
            got = groups[j.dimension].setdefault((j.item, j.declarations), (j.reason, []))
            got[1].extend(fids)
        return {
            dim: {key: (reason, tuple(sorted(set(fids)))) for key, (reason, fids) in by_key.items()}
            for dim, by_key in groups.items()
        }

    def bad(self, dim: str) -> dict[str, list[Verdict]]:
        """``{flow id: [omitted/incorrect/ambiguous verdicts on dim]}``, sorted by flow id."""
        got: dict[str, list[Verdict]] = defaultdict(list)
        for cls in PROBLEM_CLASSES:
            for v in self.by_dimension[dim].get(cls, ()):
                got[v.flow].append(v)
        return dict(sorted(got.items()))

    @cached_property
    def personal_stores(self) -> tuple[str, ...]:
        """Stores that hold some information type (received or copied)."""
        return tuple(n for n, rec in self.map.nodes.items() if rec.kind == "store" and self.facts.held(n))

    # -- shaping findings ----------------------------------------------------------------
    def flow_finding(
        self,
        rule: Rule,
        f: Flow,
        *,
        severity: Severity | None = None,
        disclosure: str | None,
        dimension: str | None,
        types: Iterable[str],
        decls: Iterable[str] = (),
        extra_clauses: tuple[ClauseRef, ...] = (),
        message: str,
        remedy: str,
        key: str = "",
    ) -> Finding:
        """A finding about one flow ``f``, from its source to its target."""
        ends = (f.source, f.target)
        return Finding(
            rule=rule.id,
            severity=severity or rule.severity,
            message=message,
            remedy=remedy,
            disclosure=disclosure,  # type: ignore[arg-type]
            dimension=dimension,  # type: ignore[arg-type]
            flows=(f.id,),
            path=ends,
            nodes=(),
            types=tuple(sorted(set(types))),
            organisations=self.orgs(ends),
            countries=self.countries(ends),
            clauses=self.clauses(decls) + extra_clauses,
            src=f.src,
            key=key,
        )

    def store_finding(
        self,
        rule: Rule,
        store: str,
        *,
        severity: Severity | None = None,
        types: Iterable[str],
        decls: Iterable[str],
        message: str,
        remedy: str,
        key: str,
        dimension: Dimension = "safeguard",
    ) -> Finding:
        """A finding about what store ``store`` does (keeps, fails to erase): incorrect on
        ``dimension`` (a safeguard unless said otherwise), with the flows into the store."""
        return Finding(
            rule=rule.id,
            severity=severity or rule.severity,
            message=message,
            remedy=remedy,
            disclosure="incorrect",
            dimension=dimension,
            flows=self.facts.in_flow_ids(store),
            path=(store,),
            nodes=(store,),
            types=tuple(types),
            organisations=self.orgs([store]),
            countries=self.countries([store]),
            clauses=self.clauses(decls),
            src=self.map.nodes[store].src,
            key=key,
        )

    def one_per_cause(
        self,
        per_flow: Iterable[tuple[Hashable, str, Finding]],
        describe: Callable[[Hashable, Group], tuple[str, str]],
    ) -> Iterator[Finding]:
        """One finding per root cause: per-flow findings that share a ``cause`` (what they are
        about: the same missing purpose, destination, recipient... never the reason's words)
        become one finding listing their flows, its message and remedy from ``describe(cause,
        group)`` (:class:`Group`: the flows, types, reasons and first remedy of the findings); a
        cause with one flow keeps its finding's text. ``per_flow`` gives ``(cause, reason,
        finding)``. The finding is about the cause (``Finding.about``), whatever flows and reasons
        it has: a flow joining or leaving it, or a reason changing, changes the finding, not its
        identity. Causes come out in the order of their first flow."""
        groups: dict[Hashable, list[tuple[str, Finding]]] = {}
        for cause, reason, f in per_flow:
            groups.setdefault(cause, []).append((reason, f))
        for cause, items in groups.items():
            about = ("cause", *_parts(cause))
            found = [f for _, f in items]
            if len(found) == 1:
                yield replace(found[0], about=about, id="")
                continue
            first = found[0]
            flows = tuple(sorted({x for f in found for x in f.flows}))
            types = distinct(t for f in found for t in f.types)
            reasons = tuple(dict.fromkeys(r for r, _ in items))
            message, remedy = describe(cause, Group(flows, types, reasons, first.remedy))
            yield Finding(
                rule=first.rule,
                severity=worst_severity(found) or first.severity,
                message=message,
                remedy=remedy,
                disclosure=worst_disclosure(f.disclosure for f in found if f.disclosure),
                dimension=first.dimension,
                flows=flows,
                path=(),
                nodes=distinct(x for f in found for x in f.nodes),
                types=types,
                organisations=distinct(o for f in found for o in f.organisations),
                countries=distinct(c for f in found for c in f.countries),
                clauses=tuple(dict.fromkeys(c for f in found for c in f.clauses)),
                src=first.src,
                key=first.key,
                about=about,
            )

    def vague_findings(self, rule: Rule, dim: str, what: str, remedy: str) -> Iterator[Finding]:
        """One info finding per (item, deciding declarations) covered only by a broader term, about
        that item and those declarations; ``remedy`` may name ``{item}`` and ``{clause}``
        (``clause 4`` or ``clauses 4, 5.2``)."""
        for (item, decls), (reason, fids) in sorted(self.vague.get(dim, {}).items()):
            flows = [self.map.flows[fid] for fid in fids]
            nodes = {f.source for f in flows} | {f.target for f in flows}
            types = (item,) if dim == "type" else tuple(sorted({t for f in flows for t in f.types}))
            cite = self.cite(decls)
            yield Finding(
                rule=rule.id,
                severity="info",
                message=f"{what} '{item}' is disclosed only vaguely ({reason}; {cite}) on {flow_list(fids)}.",
                remedy=remedy.format(item=item, clause=cite),
                disclosure="vague",
                dimension=dim,  # type: ignore[arg-type]
                flows=fids,
                path=(),
                nodes=(),
                types=types,
                organisations=self.orgs(nodes),
                countries=self.countries(nodes),
                clauses=self.clauses(decls),
                src=flows[0].src,
                key=f"vague:{item}",
                about=("vague", dim, item, *decls),  # the item and what covers it, whatever flows carry it
            )


class Group(NamedTuple):
    """What :meth:`Context.one_per_cause` hands ``describe`` of the findings of one cause.

    Examples
    --------
    >>> Group(("f1", "f2"), ("email",), ("no basis", "no SCCs"), "Record a basis.").why
    'no basis; no SCCs'
    """

    flows: tuple[str, ...]  # every flow of the cause, sorted
    types: tuple[str, ...]  # the types they carry, sorted, each once
    reasons: tuple[str, ...]  # why, each reason once, in flow order
    remedy: str  # the remedy of the first finding

    @property
    def why(self) -> str:
        """The reasons in one phrase: ``reason`` or ``reason one; reason two``."""
        return "; ".join(self.reasons)


def _parts(cause: object) -> tuple[str, ...]:
    """A cause as a finding's ``about``: its parts as text, None as ``-``.

    >>> _parts(("acme", None, ("email", "name")))
    ('acme', '-', 'email,name')
    """
    if isinstance(cause, tuple):
        return tuple(",".join(_parts(x)) if isinstance(x, tuple) else ("-" if x is None else str(x)) for x in cause)
    return ("-" if cause is None else str(cause),)


#: A message names at most this many flows; the finding's ``flows`` keeps them all.
FLOWS_NAMED = 5


def flow_list(flow_ids: Sequence[str]) -> str:
    """How a message names the flows of a finding: the count, then the first few.

    >>> flow_list(["f1"]), flow_list([f"f{i}" for i in range(1, 9)])
    ('1 flow(s): f1', '8 flow(s): f1, f2, f3, f4, f5 and 3 more')
    """
    shown = ", ".join(flow_ids[:FLOWS_NAMED])
    more = len(flow_ids) - FLOWS_NAMED
    return f"{len(flow_ids):,} flow(s): {shown}" + (f" and {more:,} more" if more > 0 else "")


__all__ = ["FLOWS_NAMED", "Context", "Group", "VagueGroups", "distinct", "flow_list"]
