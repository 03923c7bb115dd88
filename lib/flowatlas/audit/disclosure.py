"""Disclosure classes: hold each flow against the policy on each dimension.

Dimensions and what is matched (hierarchically: a declaration of an ancestor covers, vaguely):

``type``       collection flows (from a data-subject node): each type against the collection
               declarations for the source subject's category and the flow's context.
``purpose``    every flow: each purpose against the purpose declarations; for flows leaving the
               controller, also against the purposes a matching sharing declaration limits itself to.
``recipient``  flows leaving the controller (source is the controller's or a subject, target
               another organisation's): the recipient's role and the flow's sharing basis against
               the sharing declarations and the prohibitions (statement §5 opening).
``location``   flows into a store or across a border: the destination country against storage
               locations and declared transfers.
``safeguard``  flows across a border (the transfer basis under the regime) and flows carrying
               password or sensitive types (encryption in transit).

Classes: ``clear`` (a declaration names exactly this), ``vague`` (only an ancestor term covers it),
``omitted`` (nothing covers it), ``incorrect`` (contradicts a prohibition or limit), ``ambiguous``
(applicable declarations disagree: a broad permission against a specific prohibition; a storage
location against a declared transfer).

``classify(m)`` gives ``{flow id: (Verdict, ...)}``; ``disclosure_frame(m)`` the same as a DataFrame.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import NamedTuple

from flowatlas.atlas import Map
from flowatlas.audit.facts import Facts, facts
from flowatlas.audit.regimes import check_basis, regime_for
from flowatlas.findings import DISCLOSURE_RANK, ClauseRef
from flowatlas.model import Declaration, Flow, Policy
from flowatlas.taxonomy import RECIPIENT_ROLES


class Verdict(NamedTuple):
    """The disclosure class of one item of one flow on one dimension, and what decided it."""

    flow: str
    dimension: str
    item: str  # the type, purpose, recipient organisation, country, or "transfer"/"encryption"
    disclosure: str
    declarations: tuple[str, ...]  # ids of the deciding declarations
    reason: str


#: A verdict without its flow: (dimension, item, disclosure, declarations, reason). The
#: classification shares one part among every flow it decides alike.
Part = tuple[str, str, str, tuple[str, ...], str]


class Verdicts(Mapping[str, tuple[Verdict, ...]]):
    """``{flow id: (Verdict, ...)}`` for a map, in flow order: what :func:`classify` returns.

    Held as each flow's shared parts (a verdict without its flow id); a flow's
    :class:`Verdict` tuples are made when it is looked up. A 50,000-flow map has about 200,000
    verdicts, most of them ``clear``: the audit reads only the others, and making every one of
    them up front cost a fifth of the classification.
    """

    __slots__ = ("_parts",)

    def __init__(self, parts: dict[str, tuple[Part, ...]]) -> None:
        self._parts = parts

    def __getitem__(self, flow_id: str) -> tuple[Verdict, ...]:
        new = tuple.__new__
        return tuple(new(Verdict, (flow_id, *p)) for p in self._parts[flow_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def parts(self) -> Iterable[tuple[str, tuple[Part, ...]]]:
        """``(flow id, parts)`` for every flow, in flow order, without making verdicts."""
        return self._parts.items()


def _role(role: str) -> str:
    """'a processor', 'an affiliate', 'an acquirer', 'a third party'."""
    words = role.replace("_", " ")
    return ("an " if words[0] in "aeiou" else "a ") + words


def worst(classes: Iterable[str]) -> str | None:
    """The worst of some disclosure classes (incorrect > omitted > ambiguous > vague > clear)."""
    got = list(classes)
    return max(got, key=DISCLOSURE_RANK.__getitem__) if got else None


class PolicyIndex:
    """Per-policy indexes built once; hierarchy matches memoised. Get it with :func:`policy_index`
    (cached on the map, which it refers to weakly: use it while you hold the map)."""

    def __init__(self, m: Map, policy: Policy) -> None:
        self.m = weakref.proxy(m)  # cached on m: a strong reference would keep m alive in a cycle
        self.policy = policy
        self.decl: dict[str, Declaration] = {d.id: d for d in sorted(policy.declarations, key=lambda d: d.id)}
        kinds: dict[str, list[Declaration]] = defaultdict(list)
        for d in self.decl.values():
            kinds[d.kind].append(d)
        self.kinds = dict(kinds)
        self.storage: dict[str, list[str]] = defaultdict(list)
        for d in kinds.get("storage", ()):
            for c in d.locations:
                self.storage[c].append(d.id)
        #: purposes declared anywhere: purpose clauses, and the purposes that collection, sharing,
        #: retention and right declarations state (e.g. "to complete the payment", 1.1).
        self.purposes: dict[str, list[str]] = defaultdict(list)
        for d in self.decl.values():
            if d.kind in ("purpose", "collection", "sharing", "retention", "right"):
                for p in d.purposes:
                    self.purposes[p].append(d.id)
        self.rights: dict[str, list[str]] = defaultdict(list)
        for d in kinds.get("right", ()):
            for r in d.rights:
                self.rights[r].append(d.id)
        self.measures: dict[str, list[str]] = defaultdict(list)
        for d in kinds.get("security", ()):
            for x in d.measures:
                self.measures[x].append(d.id)
        #: types declared with password encryption (and their subtypes, via covers_password)
        self.password_roots = frozenset(
            t for d in kinds.get("security", ()) if "password_encryption" in d.measures for t in d.types
        )
        self._memo: dict[tuple, tuple] = {}
        self._clause: dict[str, ClauseRef] = {}
        self._clauses: dict[frozenset[str], tuple[ClauseRef, ...]] = {}

    # -- helpers -----------------------------------------------------------------------
    def of(self, kind: str) -> list[Declaration]:
        return self.kinds.get(kind, [])

    def clause(self, decl_id: str) -> ClauseRef:
        got = self._clause.get(decl_id)
        if got is None:
            d = self.decl[decl_id]
            got = self._clause[decl_id] = ClauseRef(self.policy.id, d.id, d.clause, d.quote)
        return got

    def clauses(self, decl_ids: Iterable[str]) -> tuple[ClauseRef, ...]:
        """The clauses of some declarations, sorted by id, each once (shared per set of ids)."""
        key = frozenset(decl_ids)
        got = self._clauses.get(key)
        if got is None:
            got = self._clauses[key] = tuple(self.clause(i) for i in sorted(key))
        return got

    def is_password(self, type_id: str) -> bool:
        key = ("pw", type_id)
        got = self._memo.get(key)
        if got is None:
            got = self._memo[key] = (any(a in self.password_roots for a in self.m.type_tree.ancestors(type_id)),)
        return got[0]

    @cached_property
    def sensitive_map(self) -> dict[str, int]:
        """Every type: 2 if declared under password encryption, 1 if sensitive, else 0."""
        return {t: 2 if self.is_password(t) else int(self.m.is_sensitive(t)) for t in self.m.types}

    def sensitive(self, type_id: str) -> bool:
        """Password-declared or sensitive (memoised)."""
        key = ("sens", type_id)
        got = self._memo.get(key)
        if got is None:
            got = self._memo[key] = (self.is_password(type_id) or self.m.is_sensitive(type_id),)
        return got[0]

    def encryption_decls(self, password: bool) -> tuple[str, ...]:
        """Declarations an unencrypted flow of sensitive (and, if ``password``, password) types contradicts."""
        key = ("encdecls", password)
        got = self._memo.get(key)
        if got is None:
            ids = set(self.measures.get("encryption_in_transit", []))
            if password:
                ids |= set(self.measures.get("password_encryption", []))
            got = self._memo[key] = tuple(sorted(ids)) or tuple(sorted(d.id for d in self.of("security")))
        return got

    def _types_cover(self, declared: Iterable[str], used: Iterable[str]) -> str:
        """'exact' if every used type is named, 'broader' if every one is covered, else 'none'."""
        dec = list(declared)
        if not dec:
            return "exact"
        best = "exact"
        for t in used:
            r = self.m.type_tree.match(dec, t)
            if r == "none":
                return "none"
            if r == "broader":
                best = "broader"
        return best

    def _subject_applies(self, d: Declaration, subject: str | None) -> bool:
        if not d.subjects:
            return True
        if subject is None:
            return False
        return any(s in self.m.subject_tree.ancestors(subject) for s in d.subjects)

    # -- type (collection) -------------------------------------------------------------
    def _collections_for(self, subject: str | None, context: str | None) -> tuple[tuple, tuple]:
        """The collection declarations that apply to ``subject`` in ``context``, and those that
        apply to ``subject`` in any context, each with the set of its types (once per pair)."""
        key = ("col-for", subject, context)
        got = self._memo.get(key)
        if got is None:
            of_subject = tuple(
                (d, frozenset(d.types)) for d in self.of("collection") if self._subject_applies(d, subject)
            )
            here = tuple((d, ts) for d, ts in of_subject if not d.contexts or context in d.contexts)
            got = self._memo[key] = (here, of_subject)
        return got

    def collection(self, subject: str | None, context: str | None, type_id: str) -> tuple[str, tuple[str, ...], str]:
        key = ("col", subject, context, type_id)
        got = self._memo.get(key)
        if got is not None:
            return got
        here, of_subject = self._collections_for(subject, context)
        applicable = [d for d, _ in here]
        anc = self.m.type_tree.ancestors(type_id)
        exact = [d.id for d, ts in here if type_id in ts]
        broader = [(min(anc.index(t) for t in d.types if t in anc), d.id) for d, ts in here if not ts.isdisjoint(anc)]
        if exact:
            got = ("clear", tuple(exact), f"'{type_id}' is declared for {subject} in context {context}")
        elif broader:
            nearest = min(broader)[0]
            ids = tuple(sorted(i for depth, i in broader if depth == nearest))
            term = anc[nearest]
            got = ("vague", ids, f"'{type_id}' is covered only by the broader term '{term}'")
        else:
            elsewhere = sorted(d.id for d, ts in of_subject if not ts.isdisjoint(anc))
            if elsewhere:
                ctx = sorted({c for i in elsewhere for c in self.decl[i].contexts})
                got = (
                    "omitted",
                    tuple(elsewhere),
                    f"'{type_id}' is declared for {subject} only in context {', '.join(ctx) or 'other'}, "
                    f"not in {context}",
                )
            else:  # held against what the statement says it collects from this subject here
                held = tuple(d.id for d in applicable) or tuple(d.id for d, _ in of_subject)
                got = ("omitted", held, f"no declaration says '{type_id}' is collected from {subject}")
        self._memo[key] = got
        return got

    # -- purpose -----------------------------------------------------------------------
    def purpose(self, purpose_id: str) -> tuple[str, tuple[str, ...], str]:
        key = ("pur", purpose_id)
        got = self._memo.get(key)
        if got is not None:
            return got
        anc = self.m.purpose_tree.ancestors(purpose_id)
        if purpose_id in self.purposes:
            got = ("clear", tuple(sorted(self.purposes[purpose_id])), f"purpose '{purpose_id}' is declared")
        else:
            for a in anc[1:]:
                if a in self.purposes:
                    got = (
                        "vague",
                        tuple(sorted(self.purposes[a])),
                        f"purpose '{purpose_id}' is covered only by the broader purpose '{a}'",
                    )
                    break
            else:  # held against the purposes of use (§4)
                held = tuple(d.id for d in self.of("purpose"))
                got = ("omitted", held, f"no declaration names purpose '{purpose_id}' or a broader one")
        self._memo[key] = got
        return got

    # -- recipient ---------------------------------------------------------------------
    def sharing_matches(self, role: str, basis: str | None, types: tuple[str, ...]) -> tuple[list, list]:
        """(exact, broader) sharing declarations allowing ``role`` under ``basis`` for ``types``."""
        key = ("shm", role, basis, types)
        got = self._memo.get(key)
        if got is not None:
            return got
        exact: list[str] = []
        broader: list[str] = []
        if basis is not None:
            for d in self.of("sharing"):
                if d.bases and basis not in d.bases:
                    continue
                if d.types and self._types_cover(d.types, types) == "none":
                    continue
                r = RECIPIENT_ROLES.match(d.recipient_roles or ("any_recipient",), role)
                if r == "exact":
                    exact.append(d.id)
                elif r == "broader":
                    broader.append(d.id)
        got = self._memo[key] = (exact, broader)
        return got

    def prohibitions(
        self, role: str, basis: str | None, types: tuple[str, ...] = (), purposes: tuple[str, ...] = ()
    ) -> tuple[list[str], bool]:
        """Prohibitions naming ``role`` (or an ancestor) not excepted by ``basis``; and whether one names it exactly.

        A prohibition limited to some types or purposes applies only to flows carrying one of
        them (or a narrower one)."""
        out, exact = [], False
        for d in self.of("prohibition"):
            if d.bases and basis in d.bases:
                continue  # the prohibition lists this basis among its exceptions
            if d.types and not any(self.m.type_tree.match(d.types, t) != "none" for t in types):
                continue
            if d.purposes and not any(self.m.purpose_tree.match(d.purposes, p) != "none" for p in purposes):
                continue
            r = RECIPIENT_ROLES.match(d.recipient_roles, role)
            if r != "none":
                out.append(d.id)
                exact = exact or r == "exact"
        return out, exact

    def recipient(
        self, role: str, basis: str | None, types: tuple[str, ...], purposes: tuple[str, ...] = ()
    ) -> tuple[str, tuple[str, ...], str]:
        key = ("rec", role, basis, types, purposes)
        got = self._memo.get(key)
        if got is not None:
            return got
        exact, broader = self.sharing_matches(role, basis, types)
        prohib, prohib_exact = self.prohibitions(role, basis, types, purposes)
        b = f"basis '{basis}'" if basis else "no sharing basis"
        if exact:
            got = ("clear", tuple(exact), f"sharing with {_role(role)} under {b} is declared")
        elif broader and prohib_exact:
            got = (
                "ambiguous",
                tuple(sorted(broader + prohib)),
                f"a broad declaration allows sharing under {b}, but a prohibition names recipients of role '{role}'",
            )
        elif broader:
            got = ("vague", tuple(broader), f"{_role(role)} is covered only by a broader recipient term under {b}")
        elif prohib:
            got = (
                "incorrect",
                tuple(prohib),
                f"sharing with {_role(role)} under {b} falls under a prohibition and no declared exception covers it",
            )
        else:
            any_basis = sorted(
                d.id
                for d in self.of("sharing")
                if RECIPIENT_ROLES.match(d.recipient_roles or ("any_recipient",), role) != "none"
            )
            if any_basis and basis is not None:
                why = f"sharing with {_role(role)} is declared only under other bases, not under {b}"
            elif any_basis:
                why = f"the flow names no sharing basis; sharing with {_role(role)} needs one of the declared bases"
            else:
                why = f"no declaration covers sharing with {_role(role)}"
                any_basis = [d.id for d in self.of("sharing")]  # held against every sharing clause
            got = ("omitted", tuple(any_basis), why)
        self._memo[key] = got
        return got

    def role_declared(self, role: str) -> tuple[str, tuple[str, ...]]:
        """Class of a recipient role under any declared basis (for onward transfers)."""
        key = ("role", role)
        got = self._memo.get(key)
        if got is None:
            ex = [d.id for d in self.of("sharing") if role in d.recipient_roles]
            br = [
                d.id
                for d in self.of("sharing")
                if RECIPIENT_ROLES.match(d.recipient_roles or ("any_recipient",), role) == "broader"
            ]
            prohib = [d.id for d in self.of("prohibition") if RECIPIENT_ROLES.match(d.recipient_roles, role) != "none"]
            if ex:
                got = ("clear", tuple(ex))
            elif br:
                got = ("vague", tuple(br))
            elif prohib:
                got = ("incorrect", tuple(prohib))
            else:
                got = ("omitted", tuple(d.id for d in self.of("sharing")))
            self._memo[key] = got
        return got

    # -- location ----------------------------------------------------------------------
    def _transfers_to(self, country: str) -> tuple[Declaration, ...]:
        """The transfer declarations naming ``country`` (declaration-id order)."""
        key = ("transfers-to", country)
        got = self._memo.get(key)
        if got is None:
            got = self._memo[key] = tuple(d for d in self.of("transfer") if country in d.locations)
        return got

    def _type_cover_memo(self, d: Declaration, types: tuple[str, ...]) -> str:
        """:meth:`_types_cover` of ``d.types`` over ``types``, from a memoised match per single type."""
        if not d.types:
            return "exact"
        best = "exact"
        memo = self._memo
        for t in types:
            key = ("tmatch", d.id, t)
            got = memo.get(key)
            if got is None:
                got = memo[key] = (self.m.type_tree.match(d.types, t),)
            r = got[0]
            if r == "none":
                return "none"
            if r == "broader":
                best = "broader"
        return best

    def location(self, country: str, types: tuple[str, ...], store: bool) -> tuple[str, tuple[str, ...], str]:
        # A declared storage country decides alone; otherwise types matter only through how the
        # transfer declarations naming the country cover them, and ``store`` only when one does:
        # the memo key holds just that, so flows carrying different types share it.
        if country in self.storage:
            key: tuple = ("loc", country)
        else:
            covers = tuple(self._type_cover_memo(d, types) for d in self._transfers_to(country))
            key = ("loc", country, covers, store if any(c != "none" for c in covers) else None)
        got = self._memo.get(key)
        if got is not None:
            return got
        if country in self.storage:
            got = ("clear", tuple(sorted(self.storage[country])), f"{country} is a declared storage location")
        else:
            exact, broader = [], []
            for d, r in zip(self._transfers_to(country), covers, strict=True):
                if r == "exact":
                    exact.append(d.id)
                elif r == "broader":
                    broader.append(d.id)
            storage_ids = tuple(sorted({i for v in self.storage.values() for i in v}))
            if (exact or broader) and store and storage_ids:
                got = (
                    "ambiguous",
                    tuple(sorted(exact + broader + list(storage_ids))),
                    f"a transfer to {country} is declared, but storage is declared only in "
                    f"{', '.join(sorted(self.storage))}",
                )
            elif exact:
                got = ("clear", tuple(exact), f"a transfer to {country} is declared")
            elif broader:
                got = ("vague", tuple(broader), f"a transfer to {country} is declared only for broader types")
            elif storage_ids:
                got = (
                    "omitted",
                    storage_ids,
                    f"{country} is not a declared location (storage declared in {', '.join(sorted(self.storage))}; "
                    "no transfer declared there)",
                )
            else:
                got = ("omitted", (), f"the policy declares no storage location or transfer covering {country}")
        self._memo[key] = got
        return got

    def declared_countries(self, types: tuple[str, ...]) -> frozenset[str]:
        key = ("countries", types)
        got = self._memo.get(key)
        if got is None:
            out = set(self.storage)
            for d in self.of("transfer"):
                if self._types_cover(d.types, types) != "none":
                    out.update(d.locations)
            got = self._memo[key] = (frozenset(out),)
        return got[0]


def resolve_policy(m: Map, policy: str | Policy | None) -> Policy | None:
    """The policy to audit: a Policy, a policy id of ``m``, or None for the map's default."""
    from flowatlas.errors import UsageError

    if policy is None:
        return m.policy
    if isinstance(policy, Policy):
        return policy
    if policy not in m.policies:
        raise UsageError(f"unknown policy '{policy}' (map has: {', '.join(m.policies) or 'none'})")
    return m.policies[policy]


def policy_index(m: Map, policy: Policy) -> PolicyIndex:
    """The :class:`PolicyIndex` of ``policy`` on ``m`` (cached on the map)."""
    key = ("audit.index", policy.id, id(policy))
    got = m._cache.get(key)
    if got is None:
        got = m._cache[key] = PolicyIndex(m, policy)
    return got


def leaves_controller(m: Map, f: Flow, fx: Facts | None = None) -> bool:
    """True when the flow hands data from the controller (or a subject) to another organisation."""
    fx = fx or facts(m)
    dst_owner = fx.owner[f.target]
    if fx.kind[f.target] == "subject" or dst_owner is None or dst_owner == m.info.controller:
        return False
    return fx.kind[f.source] == "subject" or f.source in fx.controller_nodes


_NO_REGIME = object()


def classify_flow(m: Map, ix: PolicyIndex, f: Flow, fx: Facts | None = None, regime=_NO_REGIME) -> tuple[Verdict, ...]:
    """Every verdict for one flow."""
    fx = fx or facts(m)
    if regime is _NO_REGIME:
        regime = regime_for(m.home)
    return Verdicts(_classify_flows(m, ix, (f,), fx, regime))[f.id]


#: What :func:`check_basis` reads besides the basis, per requirement of the basis: the source's
#: owner, the recipient (target's owner) and the destination country.
_BASIS_READS: dict[str, tuple[bool, bool, bool]] = {
    "none": (False, False, False),
    "in_transit": (False, False, False),
    "contract": (False, True, True),
    "bcr_related": (True, True, False),
    "binding_instrument": (False, True, False),
    "certification": (False, True, False),
    "approved_code": (False, True, False),
    "scc": (False, True, False),
    "adequacy": (False, True, True),
}


def _basis_reads(regime, transfer_basis: str | None, in_transit: bool) -> tuple[bool, bool, bool]:
    """Whether :func:`check_basis` reads the source's owner, the recipient and the destination
    for this basis: the rest of a flow cannot change its verdict."""
    basis_id = transfer_basis
    if basis_id is None and in_transit and regime is not None and "in_transit" in regime.bases:
        basis_id = "in_transit"
    if basis_id is None or regime is None:
        return (False, False, False)
    b = regime.bases.get(basis_id)
    return _BASIS_READS[b.requires] if b is not None else (False, False, False)


def _classify_flows(m: Map, ix: PolicyIndex, flows: Iterable[Flow], fx: Facts, regime) -> dict[str, tuple[Part, ...]]:
    """The verdicts of each of ``flows``, as parts (see :class:`Verdicts`): one tight pass; every
    decision memoised in ``ix._memo`` under a key holding only what decides it (so flows that
    differ elsewhere share it), and the parts shared likewise."""
    memo = ix._memo
    roles = fx.roles
    ctrl = m.info.controller
    nodes = m.nodes
    flags = ix.sensitive_map if ix.kinds.get("security") else None
    enc_ids = {pw: ix.encryption_decls(pw) for pw in (False, True)} if flags is not None else {}
    #: the sensitive (or password-declared) types, and the password-declared ones: set tests at C speed
    sens_types = frozenset(t for t, v in flags.items() if v) if flags is not None else frozenset()
    password_types = frozenset(t for t, v in flags.items() if v == 2) if flags is not None else frozenset()
    #: the encryption part of an encrypted flow, without and with password-declared types
    enc_clear = {pw: ("safeguard", "encryption", "clear", ids, "encrypted in transit") for pw, ids in enc_ids.items()}
    crosses = regime.crosses if regime else None
    collection, recipient_of, location = ix.collection, ix.recipient, ix.location
    #: (country, store) -> the location part when the flow's types cannot change it, else False
    loc_fixed: dict[tuple[str, bool], Part | bool] = {}
    #: (country, types, store) -> the location part when they can
    loc_parts: dict[tuple[str, tuple[str, ...], bool], Part] = {}
    #: the part of a collected type per (subject, context), and of a purpose per recipient verdict
    col_parts: dict[tuple, dict[str, Part]] = {}
    pur_parts: dict[tuple, dict[str, Part]] = {}
    #: (transfer basis, in transit) -> what its verdict depends on (see _basis_reads)
    basis_reads: dict[tuple[str | None, bool], tuple[bool, bool, bool]] = {}
    out: dict[str, tuple[Part, ...]] = {}
    for f in flows:
        fid, src, tgt = f.id, f.source, f.target
        # the ends' records hold what the facts' per-node tables hold (kind, owner, country):
        # one lookup per end instead of one per table, on a map too large for the caches
        sn, tn = nodes[src], nodes[tgt]
        src_kind, dst_kind = sn.kind, tn.kind
        types = tuple(sorted(f.types))
        vs: list[Part] = []
        if src_kind == "subject":
            subj, context = sn.subject, f.context
            col = col_parts.get((subj, context))
            if col is None:
                col = col_parts[(subj, context)] = {}
            for t in types:
                got = col.get(t)
                if got is None:
                    got = col[t] = ("type", t, *collection(subj, context, t))
                vs.append(got)
        dst_owner = tn.owner
        purposes = sorted(f.purposes)
        recipient: tuple = ()
        if (
            dst_kind != "subject"
            and dst_owner is not None
            and dst_owner != ctrl
            and (src_kind == "subject" or sn.owner == ctrl)
        ):
            cls, ids, why = recipient_of(roles[tgt], f.sharing_basis, types, tuple(purposes))
            recipient = (cls, ids)
            vs.append(("recipient", dst_owner or "", cls, ids, why))
        pur = pur_parts.get(recipient)
        if pur is None:
            pur = pur_parts[recipient] = {}
        for p in purposes:
            got = pur.get(p)
            if got is None:
                key = ("fpur", p, recipient)
                got = memo.get(key)
                if got is None:
                    got = memo[key] = _purpose_verdict(m, ix, p, recipient)
                got = pur[p] = ("purpose", p, *got)
            vs.append(got)
        a, b = sn.jurisdiction, tn.jurisdiction
        # collection from a person, and delivery of data to a person, are not transfers
        cross = (
            src_kind != "subject" and dst_kind != "subject" and (crosses(a, b) if crosses else bool(a and b and a != b))
        )
        if b and (dst_kind == "store" or cross):
            store = dst_kind == "store"
            got = loc_fixed.get((b, store))
            if got is None:  # first time: does the verdict depend on the flow's types at all?
                # not when b is a storage location, nor when no transfer declaration naming b
                # limits the types (each then covers every flow "exactly")
                fixed = b in ix.storage or not any(d.types for d in ix._transfers_to(b))
                got = loc_fixed[(b, store)] = ("location", b, *location(b, (), store)) if fixed else False
            if got is False:
                got = loc_parts.get((b, types, store))
                if got is None:
                    got = loc_parts[(b, types, store)] = ("location", b, *location(b, types, store))
            vs.append(got)
        if cross:
            tb, tr = f.transfer_basis, f.in_transit
            reads = basis_reads.get((tb, tr))
            if reads is None:
                reads = basis_reads[(tb, tr)] = _basis_reads(regime, tb, tr)
            key = (
                "basis",
                tb,
                tr,
                sn.owner if reads[0] else None,
                dst_owner if reads[1] else None,
                b if reads[2] else None,
            )
            got = memo.get(key)
            if got is None:
                v = check_basis(m, regime, f)
                got = memo[key] = ("safeguard", "transfer", v.disclosure, (), v.reason)
            vs.append(got)
        if flags is not None and not sens_types.isdisjoint(types):
            pw = not password_types.isdisjoint(types)
            if f.encrypted:
                vs.append(enc_clear[pw])
            else:
                sens = ", ".join(t for t in types if flags[t])
                why = f"{sens} travel unencrypted although the policy promises security measures"
                vs.append(("safeguard", "encryption", "incorrect", enc_ids[pw], why))
        out[fid] = tuple(vs)
    return out


def _purpose_verdict(m: Map, ix: PolicyIndex, p: str, recipient: tuple) -> tuple[str, tuple[str, ...], str]:
    cls, ids, why = ix.purpose(p)
    if recipient and recipient[0] in ("clear", "vague"):
        limits = [ix.decl[i] for i in recipient[1] if ix.decl[i].kind == "sharing"]
        if limits and all(d.purposes for d in limits):
            allowed = [q for d in limits for q in d.purposes]
            if m.purpose_tree.match(allowed, p) == "none":
                lim = tuple(sorted(d.id for d in limits))
                if cls in ("clear", "vague"):
                    cls, ids = "ambiguous", tuple(sorted(set(ids) | set(lim)))
                    why = f"purpose '{p}' is declared, but the sharing declaration limits sharing to other purposes"
                else:
                    cls, ids = "incorrect", lim
                    why = f"sharing for purpose '{p}' contradicts the purposes the sharing declaration allows"
    return cls, ids, why


def classify(m: Map, policy: str | Policy | None = None) -> Verdicts:
    """``{flow id: verdicts}`` for every flow of ``m`` against ``policy`` (cached on the map;
    a read-only :class:`Verdicts` mapping)."""
    pol = resolve_policy(m, policy)
    if pol is None:
        return Verdicts({fid: () for fid in m.flows})
    key = ("audit.classify", pol.id, id(pol))
    got = m._cache.get(key)
    if got is None:
        ix = policy_index(m, pol)
        fx, regime = facts(m), regime_for(m.home)
        got = m._cache[key] = Verdicts(_classify_flows(m, ix, m.flows.values(), fx, regime))
    return got


def disclosure_frame(m: Map, policy: str | Policy | None = None):
    """One row per (flow, dimension, item): the class and the deciding clauses, as a DataFrame."""
    import pandas as pd

    pol = resolve_policy(m, policy)
    ix = policy_index(m, pol) if pol else None
    rows = []
    for fid, verdicts in classify(m, pol).items():
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
