"""Region groups (EU, EEA, or a map's own) and the countries they stand for on a given date.

A *place* is a country code or a region id. Wherever a map names a place (storage and
transfer locations, a contract's countries, a regime's area), flowatlas reads it as the set of
countries it stands for on the map's ``as_of`` date: :func:`countries_of` is the one definition.

>>> from datetime import date
>>> regions = base_regions()
>>> "GB" in countries_of("EU", regions, date(2019, 6, 1)), "GB" in countries_of("EU", regions, date(2026, 1, 1))
(True, False)
>>> len(countries_of("EU", regions, date(2026, 1, 1))), len(countries_of("EEA", regions, date(2026, 1, 1)))
(27, 30)
>>> sorted(countries_of("SG", regions, date(2026, 1, 1)))
['SG']
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib import resources

from pydantic import TypeAdapter

from flowatlas.model import Region, RegionMember
from flowatlas.yamlio import parse_yaml

#: The package file of the shipped region groups.
BASE_REGIONS = "regions.yaml"


@cache
def base_regions() -> Mapping[str, Region]:
    """The region groups shipped with flowatlas (``flowatlas/data/regions.yaml``), by id."""
    text = resources.files("flowatlas").joinpath("data", BASE_REGIONS).read_text("utf-8")
    data = parse_yaml(text, f"<flowatlas>/{BASE_REGIONS}").data["regions"]
    return {r.id: r for r in TypeAdapter(list[Region]).validate_python(data)}


def in_force(since: date | None, until: date | None, on: date) -> bool:
    """Whether a window of dates (either end open, both inclusive) holds ``on``.

    >>> in_force(date(2026, 3, 2), None, date(2026, 3, 1)), in_force(None, None, date(2026, 3, 1))
    (False, True)
    """
    return (since is None or since <= on) and (until is None or on <= until)


def countries_of(place: str, regions: Mapping[str, Region], on: date) -> frozenset[str]:
    """The countries ``place`` stands for on ``on``: itself when it is no region of ``regions``;
    a region's members (regions among them expanded) whose membership holds that day; nothing
    for a region outside its own validity window."""
    return _expand(place, regions, on, frozenset())


def _expand(place: str, regions: Mapping[str, Region], on: date, seen: frozenset[str]) -> frozenset[str]:
    region = regions.get(place)
    if region is None:
        return frozenset({place})
    if place in seen or not in_force(region.valid_from, region.valid_until, on):
        return frozenset()
    out: set[str] = set()
    for m in region.members:
        code, since, until = (m.country, m.since, m.until) if isinstance(m, RegionMember) else (m, None, None)
        if in_force(since, until, on):
            out |= _expand(code, regions, on, seen | {place})
    return frozenset(out)


def member_codes(region: Region) -> tuple[str, ...]:
    """The codes a region lists (countries and regions), whatever their dates."""
    return tuple(m.country if isinstance(m, RegionMember) else m for m in region.members)


__all__ = ["BASE_REGIONS", "base_regions", "countries_of", "in_force", "member_codes"]
