"""Errors that reach a user: each names file, line, column, what is wrong and what to change."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from flowatlas.source import Source


@dataclass(frozen=True, order=True, slots=True)
class MapError:
    """One problem in a map, located at ``src``.

    ``consequential`` marks an error that may only follow from another one (an unknown id that
    a file which could not be read may define): those are counted, not listed, while such a
    file is reported.
    """

    src: Source
    message: str
    hint: str = ""
    consequential: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        text = f"{self.src}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class FlowatlasError(Exception):
    """Base of every error flowatlas reports to a user (exit code 2 in the CLI)."""


#: In a message, errors of one kind (the same text but for quoted values) listed one by one;
#: the rest are counted in one line ("and 199,990 more like this").
MAX_SHOWN_PER_KIND = 20
_QUOTED = re.compile(r"'[^']*'")


def error_kind(message: str) -> str:
    """An error message with its quoted values blanked: what errors "of one kind" share.

    >>> error_kind("types: unknown information type 't19' (define ...)")
    "types: unknown information type '…' (define ...)"
    """
    return _QUOTED.sub("'…'", message)


class MapValidationError(FlowatlasError):
    """A map failed validation; ``errors`` holds every problem found, sorted by location.

    The message lists at most :data:`MAX_SHOWN_PER_KIND` errors of each kind and counts the
    rest; ``note`` (e.g. how many consequential errors were left out) ends it. ``subject`` names
    what was read (``map``, ``Fides manifests``, ``evidence``).
    """

    def __init__(self, errors: list[MapError], *, note: str = "", subject: str = "map") -> None:
        self.errors = sorted(set(errors))
        self.note = note
        n = len(self.errors)
        shown: Counter[str] = Counter()
        lines = []
        for e in self.errors:
            kind = error_kind(e.message)
            shown[kind] += 1
            if shown[kind] <= MAX_SHOWN_PER_KIND:
                lines.append(f"  {e}")
        lines += [
            f"  and {count - MAX_SHOWN_PER_KIND:,} more like this: {kind}"
            for kind, count in shown.items()
            if count > MAX_SHOWN_PER_KIND
        ]
        if note:
            lines.append(f"  {note}")
        head = f"{n:,} error{'s' if n != 1 else ''} in {subject}"
        super().__init__(head + ":\n" + "\n".join(lines))


class UsageError(FlowatlasError):
    """Bad arguments or parameters (not a map problem)."""
