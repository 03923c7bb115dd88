"""Where a record came from (a module of its own, so that errors and findings need no pydantic)."""

from __future__ import annotations

from typing import NamedTuple


class Source(NamedTuple):
    """Where a record came from: path relative to the map folder, 1-based line and column.

    A named tuple (immutable, ordered by file, line, column): the loader makes one per record,
    and 56,000 of them take 17-20 ms to make, against 30 ms as a frozen dataclass.
    """

    file: str
    line: int
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


__all__ = ["Source"]
