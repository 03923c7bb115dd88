"""The export registry: every format flowatlas writes, each registered beside its code.

An :class:`Export` writes one kind of thing in one format:

* ``findings``: ``write(findings, out)`` to a text stream (JSON and CSV in
  :mod:`flowatlas.findings`, SARIF in :mod:`flowatlas.sarif`);
* ``inventory``: ``write(frame, path)``, the record of processing (CSV and XLSX in
  :mod:`flowatlas.inventory`);
* ``map``: ``write(map, folder)``, the map in another tool's format (Fides manifests in
  :mod:`flowatlas.fides`).

``flowatlas audit --format``, ``reconcile --format``, ``flowatlas export`` and the report read the
registry, so a new format is one registration away. The registry depends on nothing: the modules
that define the formats fill it when they are imported, and the commands import those they offer.

>>> import flowatlas.fides, flowatlas.inventory, flowatlas.sarif
>>> formats("findings"), formats("inventory"), formats("map")
(['csv', 'json', 'sarif'], ['csv', 'xlsx'], ['fides'])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flowatlas.errors import UsageError


@dataclass(frozen=True)
class Export:
    """One format of one kind of output."""

    kind: str  # findings | inventory | map
    format: str  # its name on the command line: json, csv, sarif, xlsx, fides
    title: str  # what it is, in a few words (help texts, docs)
    write: Callable[..., Any]


#: ``{(kind, format): Export}``, every registered export.
EXPORTS: dict[tuple[str, str], Export] = {}


def register(kind: str, fmt: str, title: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the writer of ``kind`` in format ``fmt``."""

    def deco(write: Callable[..., Any]) -> Callable[..., Any]:
        EXPORTS[(kind, fmt)] = Export(kind, fmt, title, write)
        return write

    return deco


def formats(kind: str) -> list[str]:
    """The formats ``kind`` can be written in (of the modules imported so far), sorted."""
    return sorted(f for k, f in EXPORTS if k == kind)


def exporter(kind: str, fmt: str) -> Export:
    """The export of ``kind`` in ``fmt``; an unknown one raises :class:`~flowatlas.errors.UsageError`
    naming those there are."""
    got = EXPORTS.get((kind, fmt))
    if got is None:
        raise UsageError(f"no {kind} export in format '{fmt}' (known: {', '.join(formats(kind))})")
    return got


__all__ = ["EXPORTS", "Export", "exporter", "formats", "register"]
