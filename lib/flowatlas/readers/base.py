"""The reader seam: map sections with the provenance of every record, from any kind of file.

A reader turns files into :class:`Records` (or, for YAML, :class:`~flowatlas.yamlio.Document` s,
which answer the same two questions: ``data`` and ``locate``). :func:`flowatlas.loader.assemble`
validates records from any mix of readers and builds the :class:`~flowatlas.atlas.Map`; every
error and finding then points at the file and position the record came from.

>>> r = Records("evidence.json", {"flows": [{"id": "f1"}]}, {("flows", 0): Source("evidence.json", 3, 5)})
>>> str(r.locate(("flows", 0, "types"))), str(r.locate(("nodes",)))
('evidence.json:3:5', 'evidence.json:1:1')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from flowatlas.source import Source


class Located(Protocol):
    """What map assembly reads from a parsed file: its display name, its sections, and where
    the value at a path (``("flows", 3, "types")``) is."""

    file: str
    data: Any

    @property
    def fast(self) -> bool:
        """Read by YAML's fast path: read again precisely when the map has an error."""
        ...

    @property
    def index(self) -> Any:
        """The fast path's line index, or None."""
        ...

    def locate(self, path: tuple[str | int, ...]) -> Source: ...


@dataclass
class Records:
    """Map sections (``{section: [record, ...]}``, the layout of a map file) read by some
    reader, with ``positions``: the source of the value at each path that has one. A path with
    no position of its own is located at its nearest parent that has one, else the file's start."""

    file: str
    data: dict[str, Any]
    positions: Mapping[tuple[str | int, ...], Source] = field(default_factory=dict)
    fast: bool = False  # never read again by another parser (see flowatlas.loader)
    index: Any = None

    def locate(self, path: tuple[str | int, ...]) -> Source:
        for n in range(len(path), 0, -1):
            got = self.positions.get(path[:n])
            if got is not None:
                return got
        return Source(self.file, 1, 1)


#: ``read(items)``: parse ``(display name, text)`` pairs; each result is the parsed file, or an
#: exception carrying the :class:`~flowatlas.errors.MapError` s of a file that cannot be read.
ReadTexts = Callable[[Sequence[tuple[str, str]]], list[Any]]


@dataclass(frozen=True)
class Reader:
    """One registered reader: the file suffixes it reads and how."""

    id: str
    suffixes: tuple[str, ...]
    read: ReadTexts
    description: str = ""


#: Every reader, by id, in registration order (see :mod:`flowatlas.readers`).
READERS: dict[str, Reader] = {}


def register_reader(reader: Reader) -> Reader:
    """Add ``reader`` to :data:`READERS` (each reader module does, in one line beside its code);
    returns it."""
    READERS[reader.id] = reader
    return reader


def reader_for(name: str) -> Reader | None:
    """The reader of a file name (by suffix, case-insensitive), or None."""
    lower = name.lower()
    return next((r for r in READERS.values() if lower.endswith(r.suffixes)), None)


def suffixes() -> tuple[str, ...]:
    """Every suffix a registered reader reads."""
    return tuple(s for r in READERS.values() for s in r.suffixes)


__all__ = ["READERS", "Located", "ReadTexts", "Reader", "Records", "reader_for", "register_reader", "suffixes"]
