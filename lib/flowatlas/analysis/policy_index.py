"""What one policy declares, indexed for the questions the classifier and the rules ask.

Each question is a method whose answer depends only on its arguments (the map and the policy
are fixed when the index is built), so it is cached on them (:class:`~flowatlas.memo.memoised`).
Answers are ``(class, declaration ids, reason)``: see :mod:`flowatlas.analysis.verdicts` for
the classes.

>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> m = load_texts(EXAMPLE)
>>> ix = PolicyIndex(m, m.policy)
>>> ix.purpose("provide-service")[0], ix.purpose("advertising")[0]
('clear', 'omitted')
>>> ix.location("SG", ("email",), store=True)[0], ix.location("US", ("email",), store=True)[0]
('clear', 'omitted')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property

from flowatlas.atlas import Map
from flowatlas.findings import ClauseRef, Disclosure, is_declared
from flowatlas.memo import memoised
from flowatlas.model import Declaration, Policy
from flowatlas.taxonomy import RECIPIENT_ROLES, Match

#: ``(disclosure class, deciding declaration ids, reason)``
Decision = tuple[Disclosure, tuple[str, ...], str]


def role_phrase(role: str) -> str:
    """'a processor', 'an affiliate', 'an acquirer', 'a third party'.

    >>> role_phrase("affiliate"), role_phrase("sub_processor")
    ('an affiliate', 'a sub processor')
    """
    words = role.replace("_", " ")
    return ("an " if words[0] in "aeiou" else "a ") + words


class PolicyIndex:
    """The declarations of ``policy``, indexed by what they are about, on map ``m``.

    Parameters
    ----------
    m : Map
        The map (its hierarchies decide what a declaration covers).
    policy : Policy
        One of its policies (:attr:`flowatlas.analysis.Analysis.policy_index` keeps one).

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> m = load_texts(EXAMPLE)
    >>> ix = PolicyIndex(m, m.policy)
    >>> ix.collection("account-holder", "registration", "email")
    ('clear', ('collect',), "'email' is declared for account-holder in context registration")
    >>> ix.recipient("processor", "on_instruction", ("email",))[2]
    'no declaration covers sharing with a processor'
    """

    def __init__(self, m: Map, policy: Policy) -> None:
        self.map = m
        self.policy = policy
        self.decl: dict[str, Declaration] = {d.id: d for d in sorted(policy.declarations, key=lambda d: d.id)}
        kinds: dict[str, list[Declaration]] = defaultdict(list)
        for d in self.decl.values():
            kinds[d.kind].append(d)
        self.kinds = dict(kinds)
        #: prohibitions by what they forbid (sharing, storage, use, location, sale)
        self.prohibited: dict[str, list[Declaration]] = defaultdict(list)
        for d in kinds.get("prohibition", ()):
            self.prohibited[d.prohibits or "sharing"].append(d)
        #: country -> ids of the storage declarations naming it (or a region holding it)
        self.storage: dict[str, list[str]] = defaultdict(list)
        for d in kinds.get("storage", ()):
            for c in sorted(m.places_of(d.locations)):
                self.storage[c].append(d.id)
        #: what the storage declarations name, as they name it ("EU", "SG")
        self.storage_named = tuple(sorted({c for d in kinds.get("storage", ()) for c in d.locations}))
        #: purposes declared anywhere: purpose clauses, and the purposes that collection, sharing,
        #: retention and right declarations state ("to complete the payment")
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
        #: types declared with password encryption (their subtypes count too: :meth:`is_password`)
        self.password_roots = frozenset(
            t for d in kinds.get("security", ()) if "password_encryption" in d.measures for t in d.types
        )

    # -- declarations and clauses ----------------------------------------------------------
    def of(self, kind: str) -> list[Declaration]:
        """The declarations of one kind, by id."""
        return self.kinds.get(kind, [])

    @memoised
    def clause(self, decl_id: str) -> ClauseRef:
        """The clause a declaration cites, with its quote."""
        d = self.decl[decl_id]
        return ClauseRef(self.policy.id, d.id, d.clause, d.quote)

    def clauses(self, decl_ids: Iterable[str]) -> tuple[ClauseRef, ...]:
        """The clauses of some declarations, sorted by id, each once."""
        return self._clauses(frozenset(decl_ids))

    @memoised
    def _clauses(self, decl_ids: frozenset[str]) -> tuple[ClauseRef, ...]:
        return tuple(self.clause(i) for i in sorted(decl_ids))

    # -- matching helpers -------------------------------------------------------------------
    @memoised
    def type_match(self, declared: tuple[str, ...], type_id: str) -> Match:
        """How the types ``declared`` cover ``type_id`` (:meth:`~flowatlas.taxonomy.Hierarchy.match`)."""
        return self.map.type_tree.match(declared, type_id)

    def uncovered(self, decls: Iterable[Declaration], used: Iterable[str]) -> tuple[str, ...]:
        """The ``used`` types that no declaration of ``decls`` covers (one naming no types covers all).

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> m = load_texts(EXAMPLE)
        >>> ix = PolicyIndex(m, m.policy)
        >>> ix.uncovered([ix.decl["collect"]], ["email", "password", "ip-address"])
        ('password',)
        """
        decls = tuple(decls)
        return tuple(t for t in used if all(d.types and self.type_match(d.types, t) == "none" for d in decls))

    def types_cover(self, declared: Iterable[str], used: Iterable[str]) -> Match:
        """``exact`` if every used type is named, ``broader`` if every one is covered, else ``none``.
        A declaration that names no types covers every type exactly."""
        dec = tuple(declared)
        if not dec:
            return "exact"
        best: Match = "exact"
        for t in used:
            r = self.type_match(dec, t)
            if r == "none":
                return "none"
            if r == "broader":
                best = "broader"
        return best

    def subject_applies(self, d: Declaration, subject: str | None) -> bool:
        """Whether ``d`` applies to data-subject category ``subject`` (or one above it)."""
        if not d.subjects:
            return True
        if subject is None:
            return False
        return any(s in self.map.subject_tree.ancestors(subject) for s in d.subjects)

    # -- security ---------------------------------------------------------------------------
    @cached_property
    def password_types(self) -> frozenset[str]:
        """The map's types declared with password encryption (:meth:`is_password`)."""
        return frozenset(t for t in self.map.types if self.is_password(t))

    @cached_property
    def sensitive_types(self) -> frozenset[str]:
        """The map's types that are sensitive or declared with password encryption (:meth:`sensitive`)."""
        return frozenset(t for t in self.map.types if self.sensitive(t))

    @memoised
    def is_password(self, type_id: str) -> bool:
        """Whether ``type_id`` (or a type above it) is declared with password encryption."""
        return any(a in self.password_roots for a in self.map.type_tree.ancestors(type_id))

    @memoised
    def sensitive(self, type_id: str) -> bool:
        """Password-declared or sensitive."""
        return self.is_password(type_id) or self.map.is_sensitive(type_id)

    @memoised
    def encryption_decls(self, password: bool) -> tuple[str, ...]:
        """Declarations an unencrypted flow of sensitive (and, if ``password``, password) types contradicts."""
        ids = set(self.measures.get("encryption_in_transit", []))
        if password:
            ids |= set(self.measures.get("password_encryption", []))
        return tuple(sorted(ids)) or tuple(sorted(d.id for d in self.of("security")))

    # -- type (collection) --------------------------------------------------------------------
    @memoised
    def collections_for(
        self, subject: str | None, context: str | None
    ) -> tuple[tuple[Declaration, ...], tuple[Declaration, ...]]:
        """The collection declarations that apply to ``subject`` in ``context``, and those that
        apply to ``subject`` in any context."""
        of_subject = tuple(d for d in self.of("collection") if self.subject_applies(d, subject))
        here = tuple(d for d in of_subject if not d.contexts or context in d.contexts)
        return here, of_subject

    @memoised
    def collection(self, subject: str | None, context: str | None, type_id: str) -> Decision:
        """Collecting ``type_id`` from ``subject`` in ``context``."""
        here, of_subject = self.collections_for(subject, context)
        anc = self.map.type_tree.ancestors(type_id)
        exact = [d.id for d in here if type_id in d.types]
        broader = [
            (min(anc.index(t) for t in d.types if t in anc), d.id) for d in here if not set(d.types).isdisjoint(anc)
        ]
        if exact:
            return "clear", tuple(exact), f"'{type_id}' is declared for {subject} in context {context}"
        if broader:
            nearest = min(broader)[0]
            ids = tuple(sorted(i for depth, i in broader if depth == nearest))
            return "vague", ids, f"'{type_id}' is covered only by the broader term '{anc[nearest]}'"
        elsewhere = sorted(d.id for d in of_subject if not set(d.types).isdisjoint(anc))
        if elsewhere:
            ctx = sorted({c for i in elsewhere for c in self.decl[i].contexts})
            return (
                "omitted",
                tuple(elsewhere),
                f"'{type_id}' is declared for {subject} only in context {', '.join(ctx) or 'other'}, not in {context}",
            )
        # held against what the statement says it collects from this subject here
        held = tuple(d.id for d in here) or tuple(d.id for d in of_subject)
        return "omitted", held, f"no declaration says '{type_id}' is collected from {subject}"

    # -- purpose ------------------------------------------------------------------------------
    @memoised
    def purpose(self, purpose_id: str) -> Decision:
        """Using data for ``purpose_id``."""
        if purpose_id in self.purposes:
            return "clear", tuple(sorted(self.purposes[purpose_id])), f"purpose '{purpose_id}' is declared"
        for a in self.map.purpose_tree.ancestors(purpose_id)[1:]:
            if a in self.purposes:
                why = f"purpose '{purpose_id}' is covered only by the broader purpose '{a}'"
                return "vague", tuple(sorted(self.purposes[a])), why
        # held against the statement's purposes of use
        held = tuple(d.id for d in self.of("purpose"))
        return "omitted", held, f"no declaration names purpose '{purpose_id}' or a broader one"

    def names_lawful_bases(self, decl_ids: Iterable[str]) -> bool:
        """Whether the sharing declarations among ``decl_ids`` name the lawful bases they rely on."""
        return any(self.decl[i].kind == "sharing" and self.decl[i].lawful_bases for i in decl_ids)

    @memoised
    def purpose_lawful(self, purpose_id: str, lawful: str | None) -> Decision | None:
        """Using data for ``purpose_id`` on lawful basis ``lawful`` where a purpose declaration
        covering the purpose names the lawful bases it relies on: incorrect when the flow relies
        on another; None when nothing limits it or the flow (and its purpose) names no basis."""
        if lawful is None:
            return None  # the map does not say which basis the flow relies on
        covering = [d for d in self.of("purpose") if self.map.purpose_tree.match(d.purposes, purpose_id) != "none"]
        # a declaration that names its lawful bases limits the purpose, whatever a broader list of
        # purposes elsewhere in the statement says (it names none)
        limiting = [d for d in covering if d.lawful_bases]
        if not limiting:
            return None
        allowed = sorted({b for d in limiting for b in d.lawful_bases})
        if lawful in allowed:
            return None
        why = f"it relies on {lawful}; the statement uses data for {purpose_id} only on {', '.join(allowed)}"
        return "incorrect", tuple(d.id for d in limiting), why

    @memoised
    def shared_purpose(self, purpose_id: str, recipient: tuple[Disclosure, tuple[str, ...]] | None) -> Decision:
        """Using data for ``purpose_id`` on a flow whose recipient was decided ``recipient``
        (``(class, declaration ids)``, or None when the flow does not leave the controller): a
        sharing declaration that limits itself to other purposes makes it ambiguous or incorrect."""
        cls, ids, why = self.purpose(purpose_id)
        if recipient is None or not is_declared(recipient[0]):
            return cls, ids, why
        limits = [self.decl[i] for i in recipient[1] if self.decl[i].kind == "sharing"]
        if not limits or not all(d.purposes for d in limits):
            return cls, ids, why
        allowed = [q for d in limits for q in d.purposes]
        if self.map.purpose_tree.match(allowed, purpose_id) != "none":
            return cls, ids, why
        lim = tuple(sorted(d.id for d in limits))
        if is_declared(cls):
            why = f"purpose '{purpose_id}' is declared, but the sharing declaration limits sharing to other purposes"
            return "ambiguous", tuple(sorted(set(ids) | set(lim))), why
        return (
            "incorrect",
            lim,
            f"sharing for purpose '{purpose_id}' contradicts the purposes the sharing declaration allows",
        )

    # -- recipient ----------------------------------------------------------------------------
    def names_recipient(self, d: Declaration, org: str | None) -> bool:
        """Whether a declaration naming ``recipients`` names organisation ``org`` (by id or by its
        category); a declaration naming none names every organisation of its roles."""
        if not d.recipients:
            return True
        if org is None or org not in self.map.organisations:
            return False
        return org in d.recipients or self.map.organisations[org].category in d.recipients

    def recipient_match(self, d: Declaration, role: str, org: str | None) -> Match:
        """How sharing declaration ``d`` covers organisation ``org`` of ``role``: a declaration that
        names its recipients ("with PayStripe and ParcelPost", or a category of them) covers those
        it names, exactly, and no other (within the roles it also gives, if any); one that names
        none covers the roles it gives (``any_recipient`` when it gives none), a broader role
        vaguely (:data:`~flowatlas.taxonomy.RECIPIENT_ROLES`).

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> from flowatlas.model import Declaration
        >>> m = load_texts(EXAMPLE)
        >>> ix = PolicyIndex(m, m.policy)
        >>> named = Declaration(id="s", kind="sharing", clause="5", quote="With Mailer.", recipients=("mailer",))
        >>> ix.recipient_match(named, "processor", "mailer"), ix.recipient_match(named, "processor", "acme")
        ('exact', 'none')
        """
        if d.recipients:
            if not self.names_recipient(d, org):
                return "none"
            return (
                "exact" if not d.recipient_roles or RECIPIENT_ROLES.match(d.recipient_roles, role) != "none" else "none"
            )
        return RECIPIENT_ROLES.match(d.recipient_roles or ("any_recipient",), role)

    @memoised
    def sharing_matches(
        self, role: str, basis: str | None, types: tuple[str, ...], org: str | None = None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(exact, broader) sharing declarations allowing ``role`` (organisation ``org``, when the
        declaration names its recipients) under ``basis`` for ``types``."""
        exact: list[str] = []
        broader: list[str] = []
        for d in self.of("sharing"):
            if d.bases and basis is not None and basis not in d.bases:
                continue
            if d.types and self.types_cover(d.types, types) == "none":
                continue
            r = self.recipient_match(d, role, org)
            if r == "exact":
                exact.append(d.id)
            elif r == "broader":
                broader.append(d.id)
        return tuple(exact), tuple(broader)

    def prohibitions(
        self, role: str, basis: str | None, types: tuple[str, ...] = (), purposes: tuple[str, ...] = ()
    ) -> tuple[list[str], bool]:
        """Prohibitions naming ``role`` (or an ancestor) not excepted by ``basis``; and whether one
        names it exactly. A prohibition limited to some types or purposes applies only to flows
        carrying one of them (or a narrower one)."""
        out, exact = [], False
        for d in self.prohibited.get("sharing", ()):
            if d.bases and basis in d.bases:
                continue  # the prohibition lists this basis among its exceptions
            if d.types and not any(self.type_match(d.types, t) != "none" for t in types):
                continue
            if d.purposes and not any(self.map.purpose_tree.match(d.purposes, p) != "none" for p in purposes):
                continue
            r = RECIPIENT_ROLES.match(d.recipient_roles, role)
            if r != "none":
                out.append(d.id)
                exact = exact or r == "exact"
        return out, exact

    @memoised
    def recipient(
        self,
        role: str,
        basis: str | None,
        types: tuple[str, ...],
        purposes: tuple[str, ...] = (),
        org: str | None = None,
        lawful: tuple[str, ...] = (),
    ) -> Decision:
        """Handing ``types`` for ``purposes`` to organisation ``org`` of ``role`` under sharing
        ``basis``, relying on the lawful bases ``lawful``. A flow that records no basis (and whose
        recipient's role decides none: ``basis`` None) is held against every basis the statement
        declares for that recipient (:meth:`declared_bases`), and the reason says the basis is not
        recorded (the audit reports that gap on its own, at low)."""
        got = self._recipient(role, basis, types, purposes, org)
        if basis is None:
            got = (got[0], got[1], f"the flow records no sharing basis; {got[2]}")
        if not is_declared(got[0]):
            return got
        limits = [self.decl[i] for i in got[1] if self.decl[i].kind == "sharing"]
        if not limits or not all(d.lawful_bases for d in limits):
            return got
        allowed = sorted({b for d in limits for b in d.lawful_bases})
        who = self.map.organisations[org].name if org and org in self.map.organisations else role_phrase(role)
        if not lawful:
            return got  # the map does not say which basis the flow relies on: nothing to hold against
        other = [b for b in lawful if b not in allowed]
        if other:
            why = f"the flow relies on {', '.join(other)}; the statement shares with {who} only on {', '.join(allowed)}"
            return "incorrect", got[1], why
        return got

    @memoised
    def declared_bases(self, role: str, org: str | None) -> tuple[str, ...]:
        """The sharing bases under which the statement declares sharing with organisation ``org``
        of ``role``, sorted (``any`` for a declaration that names no basis): what a flow that
        records none may rely on.

        >>> from flowatlas.examples import EXAMPLE
        >>> from flowatlas.loader import load_texts
        >>> m = load_texts(EXAMPLE)
        >>> PolicyIndex(m, m.policy).declared_bases("processor", "mailer")
        ()
        """
        covering = [d for d in self.of("sharing") if self.recipient_match(d, role, org) != "none"]
        return tuple(sorted({b for d in covering for b in (d.bases or ("any",))}))

    def _recipient(
        self, role: str, basis: str | None, types: tuple[str, ...], purposes: tuple[str, ...], org: str | None
    ) -> Decision:
        b = f"basis '{basis}'" if basis else "any declared basis"
        if basis == "sale" and self.prohibited.get("sale"):
            sold = tuple(d.id for d in self.prohibited["sale"])
            return (
                "incorrect",
                sold,
                f"the data is sold to {role_phrase(role)}, and the statement says it is never sold",
            )
        exact, broader = self.sharing_matches(role, basis, types, org)
        prohib, prohib_exact = self.prohibitions(role, basis, types, purposes)
        if exact:
            return "clear", exact, f"sharing with {role_phrase(role)} under {b} is declared"
        if broader and prohib_exact:
            why = f"a broad declaration allows sharing under {b}, but a prohibition names recipients of role '{role}'"
            return "ambiguous", tuple(sorted(broader + tuple(prohib))), why
        if broader:
            return "vague", broader, f"{role_phrase(role)} is covered only by a broader recipient term under {b}"
        if prohib:
            why = (
                f"sharing with {role_phrase(role)} under {b} falls under a prohibition "
                "and no declared exception covers it"
            )
            return "incorrect", tuple(prohib), why
        named = [d for d in self.of("sharing") if self.recipient_match(d, role, org) != "none"]
        any_basis = sorted(d.id for d in named)
        same_basis = [d for d in named if not d.bases or basis is None or basis in d.bases]
        if same_basis:  # the recipient and the basis are declared: the types are not
            missing = self.uncovered(same_basis, types)
            why = f"sharing with {role_phrase(role)} under {b} is declared only for other types of data" + (
                f", not for {', '.join(sorted(missing))}" if missing else ""
            )
            return "omitted", tuple(sorted(d.id for d in same_basis)), why
        if any_basis and basis is not None:
            why = f"sharing with {role_phrase(role)} is declared only under other bases, not under {b}"
        elif any_basis:
            why = f"sharing with {role_phrase(role)} is declared only for other types of data"
        else:
            why = f"no declaration covers sharing with {role_phrase(role)}"
            any_basis = [d.id for d in self.of("sharing")]  # held against every sharing clause
        return "omitted", tuple(any_basis), why

    @memoised
    def role_declared(self, role: str, org: str | None = None) -> tuple[Disclosure, tuple[str, ...]]:
        """Class of recipient ``org`` of ``role`` under any declared basis (for onward transfers)."""
        ex = [d.id for d in self.of("sharing") if self.recipient_match(d, role, org) == "exact" and
              (d.recipients or role in d.recipient_roles)]  # fmt: skip
        br = [d.id for d in self.of("sharing") if self.recipient_match(d, role, org) == "broader"]
        prohib = [
            d.id for d in self.prohibited.get("sharing", ()) if RECIPIENT_ROLES.match(d.recipient_roles, role) != "none"
        ]
        if ex:
            return "clear", tuple(ex)
        if br:
            return "vague", tuple(br)
        if prohib:
            return "incorrect", tuple(prohib)
        return "omitted", tuple(d.id for d in self.of("sharing"))

    # -- prohibitions of storage, use and location ---------------------------------------------
    def _forbids_types(self, d: Declaration, types: Iterable[str]) -> tuple[str, ...]:
        """The ``types`` a prohibition names (or a narrower type of one); all of them when it names none."""
        got = tuple(types)
        return got if not d.types else tuple(t for t in got if self.type_match(d.types, t) != "none")

    @memoised
    def storage_prohibited(self, types: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``(types, declaration ids)``: which of ``types`` a store may not hold ("we do not record
        T"), and the prohibitions that say so."""
        hit: set[str] = set()
        ids: list[str] = []
        for d in self.prohibited.get("storage", ()):
            found = self._forbids_types(d, types)
            if found:
                hit.update(found)
                ids.append(d.id)
        return tuple(sorted(hit)), tuple(ids)

    @memoised
    def use_prohibited(self, purpose_id: str, types: tuple[str, ...]) -> Decision | None:
        """Using ``types`` for ``purpose_id`` where a prohibition says "we never use T for P" (or
        never for a broader purpose): incorrect, else None."""
        ids: list[str] = []
        hit: set[str] = set()
        for d in self.prohibited.get("use", ()):
            if self.map.purpose_tree.match(d.purposes, purpose_id) == "none":
                continue
            found = self._forbids_types(d, types)
            if found:
                ids.append(d.id)
                hit.update(found)
        if not ids:
            return None
        return "incorrect", tuple(ids), f"the statement says {', '.join(sorted(hit))} is never used for {purpose_id}"

    @memoised
    def location_prohibited(self, country: str, types: tuple[str, ...]) -> Decision | None:
        """Data of ``types`` held in ``country`` where a prohibition says it never leaves the places
        it lists: incorrect, else None."""
        ids: list[str] = []
        hit: set[str] = set()
        allowed: set[str] = set()
        for d in self.prohibited.get("location", ()):
            if country in self.map.places_of(d.locations):
                continue
            found = self._forbids_types(d, types)
            if found:
                ids.append(d.id)
                hit.update(found)
                allowed.update(d.locations)
        if not ids:
            return None
        inside = ", ".join(sorted(allowed))
        why = f"{', '.join(sorted(hit))} reach {country}; the statement says it never leaves {inside}"
        return "incorrect", tuple(ids), why

    # -- location -----------------------------------------------------------------------------
    @memoised
    def transfers_to(self, country: str) -> tuple[Declaration, ...]:
        """The transfer declarations naming ``country`` (declaration-id order)."""
        return tuple(d for d in self.of("transfer") if country in self.map.places_of(d.locations))

    def transfer_cover(self, country: str, types: tuple[str, ...]) -> tuple[Match, ...]:
        """How each transfer declaration naming ``country`` covers ``types`` (:meth:`types_cover`)."""
        return tuple(self.types_cover(d.types, types) for d in self.transfers_to(country))

    def location(self, country: str, types: tuple[str, ...], store: bool) -> Decision:
        """Data of ``types`` arriving in ``country``, in a store (``store``) or not."""
        if country in self.storage:
            return self.storage_location(country)
        return self.transfer_location(country, self.transfer_cover(country, types), store)

    @memoised
    def storage_location(self, country: str) -> Decision:
        """A declared storage location."""
        named = sorted({c for i in self.storage[country] for c in self.decl[i].locations})
        where = country if named == [country] else f"{country} (in {', '.join(named)})"
        return "clear", tuple(sorted(self.storage[country])), f"{where} is a declared storage location"

    @memoised
    def transfer_location(self, country: str, cover: tuple[Match, ...], store: bool) -> Decision:
        """A country that is not a declared storage location, whose transfer declarations cover
        the flow's types as ``cover`` says (:meth:`transfer_cover`)."""
        exact, broader = [], []
        for d, r in zip(self.transfers_to(country), cover, strict=True):
            if r == "exact":
                exact.append(d.id)
            elif r == "broader":
                broader.append(d.id)
        storage_ids = tuple(sorted({i for v in self.storage.values() for i in v}))
        declared = ", ".join(self.storage_named)
        if (exact or broader) and store and storage_ids:
            why = f"a transfer to {country} is declared, but storage is declared only in {declared}"
            return "ambiguous", tuple(sorted(exact + broader + list(storage_ids))), why
        if exact:
            return "clear", tuple(exact), f"a transfer to {country} is declared"
        if broader:
            return "vague", tuple(broader), f"a transfer to {country} is declared only for broader types"
        if storage_ids:
            why = f"{country} is not a declared location (storage declared in {declared}; no transfer declared there)"
            return "omitted", storage_ids, why
        return "omitted", (), f"the policy declares no storage location or transfer covering {country}"

    @memoised
    def declared_countries(self, types: tuple[str, ...]) -> frozenset[str]:
        """Countries where data of ``types`` may be: storage locations and the transfers covering them."""
        out = set(self.storage)
        for d in self.of("transfer"):
            if self.types_cover(d.types, types) != "none":
                out.update(self.map.places_of(d.locations))
        return frozenset(out)


__all__ = ["Decision", "PolicyIndex", "role_phrase"]
