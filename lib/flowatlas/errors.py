"""Errors that reach a user: each names file, line, column, what is wrong and what to change."""

from __future__ import annotations

from dataclasses import dataclass

from flowatlas.model import Source


@dataclass(frozen=True, order=True, slots=True)
class MapError:
    """One problem in a map, located at ``src``."""

    src: Source
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.src}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class FlowatlasError(Exception):
    """Base of every error flowatlas reports to a user (exit code 2 in the CLI)."""


class MapValidationError(FlowatlasError):
    """A map failed validation; ``errors`` holds every problem found, sorted by location."""

    def __init__(self, errors: list[MapError]) -> None:
        self.errors = sorted(set(errors))
        n = len(self.errors)
        head = f"{n} error{'s' if n != 1 else ''} in map"
        super().__init__(head + ":\n" + "\n".join(f"  {e}" for e in self.errors))


class UsageError(FlowatlasError):
    """Bad arguments or parameters (not a map problem)."""
