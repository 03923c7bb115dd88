"""Retention periods as terms: an event the clock starts at, plus a duration.

A map writes retention (on a store, or a retention declaration) as

* an ISO 8601 duration, counted from collection: ``P90D``;
* ``EVENT+DURATION``: ``account_closure+P30D`` ("for 30 days after you close your account"),
  ``contract_end+P7Y``, ``collection+P90D``;
* ``while_service`` (until the service ends: ``service_end+P0D``) or ``indefinite``.

:func:`term` reads one; :func:`compare` holds a store's term against a declared limit, like with
like, and says what it compared.

>>> term("account_closure+P30D")
Term(event='account_closure', days=30.0, text='account_closure+P30D')
>>> compare(term("P90D"), term("collection+P30D")).exceeds
True
>>> compare(term("while_service"), term("account_closure+P30D")).exceeds
False
>>> print(compare(term("account_closure+P30D"), term("contract_end+P7Y")).how)
account_closure+P30D and contract_end+P7Y count from different events (account closure, end of contract): not compared
"""

from __future__ import annotations

import math
from typing import NamedTuple

from flowatlas.atlas import retention_days
from flowatlas.model import RETENTION_EVENTS, RETENTION_WHILE_SERVICE

#: Events that end the relationship with the data subject: a clock from one is a clock from the other.
END_OF_SERVICE = frozenset({"service_end", "account_closure"})

#: How messages name each event.
EVENT_NAMES = {
    "collection": "collection",
    "service_end": "the end of the service",
    "account_closure": "account closure",
    "contract_end": "end of contract",
    "last_activity": "the last activity",
    "consent_withdrawal": "withdrawal of consent",
}


class Term(NamedTuple):
    """A retention period: ``days`` after ``event`` (None for ``indefinite``: ``days`` is inf)."""

    event: str | None
    days: float
    text: str


def term(value: str) -> Term:
    """Read a retention value (see the module). Raises ValueError for an unknown event and
    isodate's ISO8601Error for a malformed duration."""
    if value == "indefinite":
        return Term(None, math.inf, value)
    if value == RETENTION_WHILE_SERVICE:
        return Term("service_end", 0.0, value)
    event, plus, duration = value.partition("+")
    if not plus:
        event, duration = "collection", value
    event = event.strip()
    if event not in RETENTION_EVENTS:
        raise ValueError(f"unknown event '{event}'")
    days = retention_days(duration.strip())
    return Term(event, float(days if days is not None else 0.0), value)


def _same_clock(a: str | None, b: str | None) -> bool:
    return a == b or (a in END_OF_SERVICE and b in END_OF_SERVICE)


class Comparison(NamedTuple):
    """A store's term held against a limit: whether it exceeds it, and how they were compared."""

    exceeds: bool
    comparable: bool
    how: str


def compare(held: Term, limit: Term) -> Comparison:
    """Hold ``held`` against ``limit``.

    * ``indefinite`` exceeds every limit but ``indefinite``; nothing exceeds ``indefinite``.
    * Two terms on the same clock compare their durations.
    * A clock from collection against a limit from the end of the service (or of the account):
      data collected on the last day lives the whole duration after the end, so the duration is
      compared with the limit's (a fixed 30-day timer exceeds ``while_service``).
    * Other pairs (the account's end against a limit from collection, different end events)
      cannot be compared without knowing how long the account lasts: not reported.
    """
    if limit.event is None:
        return Comparison(False, True, f"{held.text} is within the declared '{limit.text}'")
    if held.event is None:
        return Comparison(True, True, f"{held.text} outlasts the declared '{limit.text}'")
    if _same_clock(held.event, limit.event):
        how = f"{held.text} against the declared {limit.text}, both counted from {EVENT_NAMES[limit.event]}"
        return Comparison(held.days > limit.days, True, how)
    if held.event == "collection" and limit.event in END_OF_SERVICE:
        how = (
            f"{held.text} (a timer from collection) against the declared {limit.text} (counted from "
            f"{EVENT_NAMES[limit.event]}): data collected on the last day stays {held.text} after it"
        )
        return Comparison(held.days > limit.days, True, how)
    events = f"{EVENT_NAMES[held.event]}, {EVENT_NAMES[limit.event]}"
    how = f"{held.text} and {limit.text} count from different events ({events}): not compared"
    return Comparison(False, False, how)


__all__ = ["END_OF_SERVICE", "EVENT_NAMES", "Comparison", "Term", "compare", "term"]
