"""Holding a cross-border transfer's basis against its regime: one checker per requirement.

A regime's basis (``flowatlas/data/regimes.yaml``) names what makes it valid in a given case, its
``requires``: ``contract``, ``scc``, ``adequacy``... Each requirement is one function here,
registered with :func:`requirement`; :func:`check_basis` does what every basis shares (is the
basis of this regime, in force on the map's date, is the recipient's safeguard still valid) and
then asks the basis's checker.

>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> from flowatlas.regimes import regime_for
>>> m = load_texts(EXAMPLE)
>>> v = check_basis(m, regime_for("SG"), "contract", exporter="acme", recipient="mailer", destination="US")
>>> v.valid, v.disclosure, v.reason
(False, 'incorrect', "recipient 'mailer' holds no contract safeguard (PDPR 2021 reg 11(1)(b), 11(2))")
>>> check_basis(m, regime_for("SG"), None, exporter="acme", recipient="mailer", destination="US").reason
'the flow names no transfer basis'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flowatlas.atlas import Map
from flowatlas.findings import Disclosure
from flowatlas.model import Safeguard
from flowatlas.regimes import REQUIREMENTS, Basis, Regime, Volume, regimes
from flowatlas.regions import in_force


@dataclass(frozen=True)
class BasisVerdict:
    """The outcome of holding a flow's transfer basis against the regime (:func:`check_basis`).

    Examples
    --------
    >>> BasisVerdict(False, "omitted", "the flow names no transfer basis").valid
    False
    """

    valid: bool
    disclosure: Disclosure  # clear | omitted | incorrect
    reason: str
    basis: Basis | None = None


@dataclass(frozen=True)
class Transfer:
    """What a requirement's checker reads of one transfer: the basis it names under ``regime``,
    who exports and who receives it, where to, and the recipient's safeguards in force.

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> from flowatlas.regimes import regime_for
    >>> sg = regime_for("SG")
    >>> t = Transfer(load_texts(EXAMPLE), sg, sg.bases["contract"], False, "acme", "mailer", "US", {})
    >>> t.who, CHECKERS["contract"][0](t).valid
    ("recipient 'mailer'", False)
    """

    map: Map
    regime: Regime
    basis: Basis
    in_transit: bool
    exporter: str | None  # organisation id
    recipient: str | None  # organisation id
    destination: str  # country
    held: dict[str, list[Safeguard]]  # the recipient's safeguards in force on the regime's date, by kind
    subjects_per_year: int | None = None  # how many people's data a year, as the flow records it
    sensitive: bool = False  # whether the flow carries sensitive data

    @property
    def who(self) -> str:
        """How a reason names the recipient."""
        return f"recipient '{self.recipient}'" if self.recipient else "the recipient"

    def valid(self, why: str) -> BasisVerdict:
        """A valid basis, ``why`` followed by the basis's citation."""
        return BasisVerdict(True, "clear", f"{why} ({self.basis.cite})", self.basis)

    def invalid(self, why: str) -> BasisVerdict:
        """An invalid basis (incorrect), ``why`` followed by the basis's citation."""
        return BasisVerdict(False, "incorrect", f"{why} ({self.basis.cite})", self.basis)


Checker = Callable[[Transfer], BasisVerdict]

#: ``{requirement: (checker, the safeguard kinds it rests on)}``, one per requirement of regimes.yaml.
CHECKERS: dict[str, tuple[Checker, tuple[str, ...]]] = {}


def requirement(name: str, *, rests_on: tuple[str, ...] = ()) -> Callable[[Checker], Checker]:
    """Register the checker of requirement ``name``; ``rests_on`` names the safeguard kinds whose
    expiry makes the basis lapse. Every requirement regimes.yaml may name has one.

    Examples
    --------
    >>> from flowatlas.regimes import REQUIREMENTS
    >>> sorted(CHECKERS) == sorted(REQUIREMENTS), CHECKERS["scc"][1]
    (True, ('standard_contractual_clauses',))
    """
    if name not in REQUIREMENTS:  # pragma: no cover - a programming error, caught by the tests
        raise ValueError(f"unknown requirement {name!r} (regimes.yaml knows {', '.join(REQUIREMENTS)})")

    def deco(func: Checker) -> Checker:
        CHECKERS[name] = (func, rests_on)
        return func

    return deco


def check_basis(
    m: Map,
    regime: Regime | None,
    basis_id: str | None,
    *,
    in_transit: bool = False,
    exporter: str | None,
    recipient: str | None,
    destination: str,
    subjects_per_year: int | None = None,
    sensitive: bool = False,
) -> BasisVerdict:
    """Hold a cross-border flow's transfer basis against ``regime``.

    Parameters
    ----------
    m : Map
        The map (its organisations' safeguards and regions).
    regime : Regime or None
        The regime of the exporting organisation, as it stood on the map's date; None when
        flowatlas ships none for it (then any named basis is accepted).
    basis_id : str or None
        The basis the flow names (a flow that passes ``in_transit`` and names none relies on the
        regime's in-transit basis, where it has one).
    in_transit, exporter, recipient, destination
        Whether the flow says the data only passes through; the organisations at its two ends
        (the recipient's safeguards count); the destination country.
    subjects_per_year, sensitive
        How many people's data the flow carries a year (None: not recorded) and whether any of
        it is sensitive: what a basis with volume limits reads (PIPL's thresholds).

    Returns
    -------
    BasisVerdict
        ``clear`` when valid, ``omitted`` when no basis is named, ``incorrect`` otherwise, with
        the reason and the provision relied on.

    Examples
    --------
    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> from flowatlas.regimes import regime_for
    >>> m = load_texts(EXAMPLE)
    >>> check_basis(m, regime_for("SG"), "adequacy", exporter="acme", recipient="mailer", destination="US").reason
    "'adequacy' is not a transfer basis under SG-PDPA (a basis of EU-GDPR, GB-UKGDPR, CH-FADP, BR-LGPD)"
    """
    if regime is not None and not regime.in_force:
        return BasisVerdict(
            True, "clear", f"no transfer rule of {regime.id} is in force on {regime.on} (from {regime.since})"
        )
    if basis_id is None and in_transit and regime is not None and "in_transit" in regime.bases:
        basis_id = "in_transit"  # the flow says the data only passes through
    if basis_id is None:
        return BasisVerdict(False, "omitted", "the flow names no transfer basis")
    if regime is None:
        return BasisVerdict(True, "clear", f"basis '{basis_id}' (no regime shipped for home {m.home})")
    basis = regime.bases.get(basis_id)
    if basis is None:
        others = [r.id for r in regimes() if basis_id in r.bases]
        where = f" (a basis of {', '.join(others)})" if others else ""
        return BasisVerdict(False, "incorrect", f"'{basis_id}' is not a transfer basis under {regime.id}{where}")
    if not in_force(basis.since, basis.until, regime.on):
        return BasisVerdict(
            False,
            "incorrect",
            f"'{basis_id}' was not a transfer basis under {regime.id} on {regime.on}"
            + _window(basis.since, basis.until),
            basis,
        )
    org = m.organisations[recipient] if recipient else None
    held: dict[str, list[Safeguard]] = {}
    expired: list[Safeguard] = []
    for sg in org.safeguards if org else ():
        held.setdefault(sg.kind, [])
        if sg.valid_until is not None and sg.valid_until < regime.on:
            expired.append(sg)
        else:
            held[sg.kind].append(sg)
    transfer = Transfer(
        m, regime, basis, in_transit, exporter, recipient, destination, held, subjects_per_year, sensitive
    )
    if basis.volume is not None:
        over = _over_volume(transfer, basis.volume)
        if over:
            return transfer.invalid(over)
    checker, rests_on = CHECKERS[basis.requires]
    lapsed = [sg for sg in expired if sg.kind in rests_on]
    if lapsed and not any(held.get(sg.kind) for sg in lapsed):
        sg = lapsed[0]
        return transfer.invalid(
            f"the {sg.kind.replace('_', ' ')} safeguard of {transfer.who} expired on {sg.valid_until} "
            f"(the map is read as of {regime.on})"
        )
    return checker(transfer)


# --------------------------------------------------------------------------- the requirements


@requirement("none")
def _as_stated(t: Transfer) -> BasisVerdict:
    """Valid as stated: the map records the fact (consent after a summary, necessity...)."""
    return BasisVerdict(True, "clear", f"{t.basis.id} ({t.basis.cite})", t.basis)


@requirement("in_transit")
def _passing_through(t: Transfer) -> BasisVerdict:
    """The flow must say the data only passes through."""
    if t.in_transit:
        return t.valid("data in transit")
    return BasisVerdict(False, "incorrect", "basis 'in_transit' but the flow does not say in_transit: true", t.basis)


@requirement("contract", rests_on=("contract",))
def _contract(t: Transfer) -> BasisVerdict:
    """A contract of the recipient that names the destination (or a region holding it)."""
    m, contracts = t.map, t.held.get("contract", [])
    if any(t.destination in m.places_of(sg.countries) for sg in contracts):
        return t.valid(f"contract naming {t.destination}")
    if not contracts:
        return t.invalid(f"{t.who} holds no contract safeguard")
    named = sorted({c for sg in contracts for c in sg.countries})
    shown = [c if m.places(c) == {c} else f"{c} ({', '.join(sorted(m.places(c)))})" for c in named]
    return t.invalid(f"the contract of {t.who} names {', '.join(shown)} but not the destination {t.destination}")


@requirement("bcr_related", rests_on=("binding_corporate_rules",))
def _binding_corporate_rules(t: Transfer) -> BasisVerdict:
    """Binding corporate rules, held by the recipient, between related organisations only."""
    if not (t.exporter and t.recipient and t.map.related(t.exporter, t.recipient)):
        return t.invalid(f"binding corporate rules between unrelated organisations '{t.exporter}' and '{t.recipient}'")
    if not t.held.get("binding_corporate_rules"):
        return t.invalid(f"{t.who} holds no binding corporate rules")
    return t.valid("binding corporate rules within the group")


@requirement("binding_instrument", rests_on=("binding_instrument",))
def _binding_instrument(t: Transfer) -> BasisVerdict:
    """Another legally binding instrument held by the recipient."""
    if t.held.get("binding_instrument"):
        return t.valid("binding instrument")
    return t.invalid(f"{t.who} holds no binding_instrument safeguard")


def _over_volume(t: Transfer, v: Volume) -> str:
    """Why the flow's volume is outside what basis ``t.basis`` allows, or ``""`` when it is within."""
    n = t.subjects_per_year
    if not v.sensitive and t.sensitive:
        return f"basis '{t.basis.id}' is not for sensitive personal information, and the flow carries some"
    limit = v.sensitive_subjects_below if t.sensitive and v.sensitive_subjects_below is not None else v.subjects_below
    if limit is None:
        return ""
    if n is None:
        return (
            f"basis '{t.basis.id}' holds only below {limit:,} people a year{' (sensitive)' if t.sensitive else ''}, "
            "and the flow records no subjects_per_year"
        )
    if n >= limit:
        kind = "people's sensitive personal information" if t.sensitive else "people"
        return f"the flow carries {n:,} {kind} a year; basis '{t.basis.id}' holds only below {limit:,}"
    return ""


@requirement("scc", rests_on=("standard_contractual_clauses",))
def _standard_clauses(t: Transfer) -> BasisVerdict:
    """Standard contractual clauses held by the recipient, of clauses the regime accepts on its date
    (a safeguard naming none is the regime's default clauses, where it has them)."""
    held = t.held.get("standard_contractual_clauses", [])
    accepted = [sg for sg in held if t.regime.clauses_in_force(sg.scheme)]
    if accepted:
        name = accepted[0].scheme or t.regime.default_clauses or "standard contractual clauses"
        return t.valid(f"standard contractual clauses ({name})")
    if not held:
        return t.invalid(f"{t.who} holds no standard contractual clauses")
    have = sorted({sg.scheme or "clauses naming no instrument" for sg in held})
    wanted = ", ".join(sorted(t.regime.clauses)) or "none"
    return t.invalid(f"the clauses {t.who} holds ({', '.join(have)}) are not ones {t.regime.id} accepts ({wanted})")


@requirement("certification", rests_on=("certification",))
def _certification(t: Transfer) -> BasisVerdict:
    """A certification of a scheme the regime recognises on its date (some for processors only)."""
    return _certified(t, [], "certification")


@requirement("approved_code", rests_on=("approved_code", "certification"))
def _approved_code(t: Transfer) -> BasisVerdict:
    """An approved code of conduct, or a recognised certification, held by the recipient."""
    return _certified(t, t.held.get("approved_code", []), "approved code")


def _certified(t: Transfer, codes: list[Safeguard], what: str) -> BasisVerdict:
    r = t.regime
    role = t.map.organisations[t.recipient].role if t.recipient else ""
    recognised = {
        s
        for s in r.schemes
        if r.scheme_in_force(s) and (s not in r.processor_only_schemes or role in ("processor", "sub_processor"))
    }
    certs = [sg for sg in t.held.get("certification", []) if sg.scheme in recognised]
    if codes or certs:
        return t.valid(f"{what} held by {t.who}")
    have = sorted(str(sg.scheme) for sg in t.held.get("certification", []))
    not_yet = [s for s in have if s in r.schemes and not r.scheme_in_force(s)]
    if not_yet:
        since, until = r.schemes[not_yet[0]]
        extra = f" (holds {', '.join(have)}; {not_yet[0]} is recognised{_span(since, until)}, not on {r.on})"
    else:
        extra = f" (holds {', '.join(have)}, not recognised here)" if have else ""
    return t.invalid(f"{t.who} holds no recognised {what}{extra}")


@requirement("adequacy")
def _adequacy(t: Transfer) -> BasisVerdict:
    """An adequacy decision in force for the destination (or, for conditional ones, a recipient
    certified under the scheme the decision names; or for the international organisation the
    recipient is). A decision before a court still counts; the reason says so."""
    r, dest = t.regime, t.destination
    io = t.map.organisations[t.recipient].international_organisation if t.recipient else None
    if io and io in r.organisations and in_force(r.organisations[io].since, r.organisations[io].until, r.on):
        return t.valid(f"adequacy decision for the international organisation {io}")
    if r.adequate_on(dest):
        return t.valid(f"adequacy decision for {dest}" + _challenged(r, dest))
    if dest in r.adequate:
        since, until = r.adequate[dest]
        return t.invalid(f"the adequacy decision for {dest} applies{_span(since, until)}, not on {r.on}")
    cond = r.conditional.get(dest)
    if cond and in_force(*cond[1], r.on):
        scheme = r.decisions[dest].scheme
        if any(sg.scheme in (scheme, "other") for sg in t.held.get("certification", [])):
            return t.valid(cond[0] + _challenged(r, dest))
        note = f"; {cond[0]}"
    elif cond:
        note = f"; {cond[0]}, in force{_span(*cond[1])}, not on {r.on}"
    else:
        note = ""
    return t.invalid(f"no adequacy decision covers {dest}{note}")


def _challenged(r: Regime, dest: str) -> str:
    """``"; the decision is challenged: ..."`` when a court is hearing a challenge to it."""
    d = r.decisions.get(dest)
    return f"; the decision is under legal challenge ({d.challenge})" if d and d.challenge else ""


@requirement("assessment", rests_on=("security_assessment",))
def _security_assessment(t: Transfer) -> BasisVerdict:
    """A regulator's approval after a security assessment, recorded on the recipient and in force."""
    if t.held.get("security_assessment"):
        return t.valid("security assessment approved")
    return t.invalid(f"no security_assessment approval is recorded for the transfer to {t.who}")


@requirement("not_restricted")
def _not_restricted(t: Transfer) -> BasisVerdict:
    """The destination is not one the regime forbids on its date."""
    if t.regime.restricted_on(t.destination):
        since, until = t.regime.restricted[t.destination]
        return t.invalid(f"transfers to {t.destination} are restricted{_span(since, until)}")
    return t.valid(f"{t.destination} is not a restricted destination")


def _span(since: date | None, until: date | None) -> str:
    if since and until:
        return f" from {since} to {until}"
    if since:
        return f" from {since}"
    return f" until {until}" if until else ""


def _window(since: date | None, until: date | None) -> str:
    text = _span(since, until)
    return f" (in force{text})" if text else ""


__all__ = ["CHECKERS", "BasisVerdict", "Checker", "Transfer", "check_basis", "requirement"]
