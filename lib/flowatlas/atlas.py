"""The validated, immutable :class:`Map` that everything downstream works on.

Records are held in dicts sorted by id, so iteration order never depends on file or record
order. Nothing here reads YAML (that is :mod:`flowatlas.loader`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from types import MappingProxyType

import isodate

from flowatlas.errors import MapError
from flowatlas.model import (
    RETENTION_WHILE_SERVICE,
    CollectionContext,
    Flow,
    InformationType,
    MapInfo,
    Node,
    Organisation,
    Policy,
    Purpose,
    Region,
    SubjectCategory,
)
from flowatlas.regions import base_regions, countries_of
from flowatlas.taxonomy import Hierarchy

#: Days of an ``indefinite`` retention (``while_service`` has no number of days: None).
INDEFINITE = math.inf


@functools.lru_cache(maxsize=4096)  # a map repeats a few durations on thousands of stores
def retention_days(value: str | None) -> float | None:
    """Days for an ISO 8601 duration; ``inf`` for ``indefinite``; None for ``while_service``.

    >>> retention_days("P30D"), retention_days("P1Y"), retention_days("while_service")
    (30.0, 365.25, None)
    """
    if value is None or value == RETENTION_WHILE_SERVICE:
        return None
    if value == "indefinite":
        return INDEFINITE
    d = isodate.parse_duration(value)
    if isinstance(d, isodate.Duration):
        years, months, rest = float(d.years), float(d.months), d.tdelta
    else:
        years, months, rest = 0.0, 0.0, d
    return years * 365.25 + months * 30.4375 + rest.total_seconds() / 86400.0


def _ro(d: dict) -> Mapping:
    return MappingProxyType(dict(sorted(d.items())))


@dataclass(frozen=True)
class Map:
    """A validated map: every reference resolves, every id is unique, every code is checked."""

    info: MapInfo
    types: Mapping[str, InformationType]
    purposes: Mapping[str, Purpose]
    subjects: Mapping[str, SubjectCategory]
    organisations: Mapping[str, Organisation]
    nodes: Mapping[str, Node]
    flows: Mapping[str, Flow]
    policies: Mapping[str, Policy]
    regions: Mapping[str, Region] = field(default_factory=base_regions)  # shipped and the map's own
    #: the contexts of collection flows and declarations may name: the base list and the map's own
    contexts: Mapping[str, CollectionContext] = field(default_factory=dict)
    root: str = ""  # the folder it was loaded from, as given
    files: tuple[str, ...] = ()
    digest: str = ""  # sha256 over the files' names and bytes
    shown: str = ""  # how the folder is named in every file:line (load_map's display), else root
    #: what validation noted without refusing the map (a term of its own that flowatlas's
    #: vocabulary also has: the map's is used), at the record's file:line
    notes: tuple[MapError, ...] = ()

    @classmethod
    def create(cls, **kw) -> Map:
        kw.setdefault("regions", base_regions())
        for name in (
            "types",
            "purposes",
            "subjects",
            "contexts",
            "organisations",
            "nodes",
            "flows",
            "policies",
            "regions",
        ):
            kw[name] = _ro(kw.get(name, {}))
        return cls(**kw)

    # -- hierarchies -------------------------------------------------------------------
    @cached_property
    def type_tree(self) -> Hierarchy:
        return Hierarchy({k: t.parent for k, t in self.types.items()})

    @cached_property
    def purpose_tree(self) -> Hierarchy:
        return Hierarchy({k: p.parent for k, p in self.purposes.items()})

    @cached_property
    def subject_tree(self) -> Hierarchy:
        return Hierarchy({k: s.parent for k, s in self.subjects.items()})

    def sensitivity(self, type_id: str) -> str:
        """``sensitive`` or ``ordinary``, inherited from the nearest ancestor that says."""
        for t in self.type_tree.ancestors(type_id):
            s = self.types[t].sensitivity
            if s is not None:
                return s
        return "ordinary"

    def is_sensitive(self, type_id: str) -> bool:
        return self.sensitivity(type_id) == "sensitive"

    # -- convenience -------------------------------------------------------------------
    @property
    def controller(self) -> Organisation:
        return self.organisations[self.info.controller]

    @property
    def home(self) -> str:
        return self.info.home

    @property
    def policy(self) -> Policy | None:
        """The policy audited by default: the map's ``policy``, else the latest effective."""
        if self.info.policy:
            return self.policies[self.info.policy]
        if not self.policies:
            return None
        return max(self.policies.values(), key=lambda p: (str(p.effective or ""), p.version, p.id))

    @cached_property
    def as_of(self) -> date:
        """The date the map is read as of: its ``as_of``, else today (UTC), fixed at first use so
        that one run reads the whole map as of one day."""
        return self.info.as_of or datetime.now(UTC).date()

    @cached_property
    def region_countries(self) -> Mapping[str, frozenset[str]]:
        """Each region's countries on :attr:`as_of` (:func:`~flowatlas.regions.countries_of`)."""
        day = self.as_of
        return MappingProxyType({r: countries_of(r, self.regions, day) for r in self.regions})

    def places(self, code: str) -> frozenset[str]:
        """The countries a place (a country, or a region id) stands for on :attr:`as_of`."""
        got = self.region_countries.get(code)
        return frozenset((code,)) if got is None else got

    def places_of(self, codes: Iterable[str]) -> frozenset[str]:
        """The countries some places stand for, together."""
        return frozenset().union(*(self.places(c) for c in codes))

    def owner(self, node_id: str) -> Organisation | None:
        o = self.nodes[node_id].owner
        return self.organisations[o] if o else None

    def location(self, node_id: str) -> str | None:
        """Country of a node (subjects may have none)."""
        return self.nodes[node_id].jurisdiction

    def related(self, a: str, b: str) -> bool:
        """Two organisations are related when they are the same or share a group."""
        if a == b:
            return True
        ga, gb = self.organisations[a].group, self.organisations[b].group
        return ga is not None and ga == gb

    def summary(self) -> dict[str, int]:
        return {
            "information_types": len(self.types),
            "purposes": len(self.purposes),
            "data_subjects": len(self.subjects),
            "organisations": len(self.organisations),
            "nodes": len(self.nodes),
            "flows": len(self.flows),
            "policies": len(self.policies),
            "declarations": sum(len(p.declarations) for p in self.policies.values()),
        }
