"""Counts in English: ``1 finding``, ``2 findings``.

>>> counted(1, "finding"), counted(2, "finding"), counted(1_200, "recipient")
('1 finding', '2 findings', '1,200 recipients')
>>> counted(1, "transfer abroad", "transfers abroad"), counted(0, "transfer abroad", "transfers abroad")
('1 transfer abroad', '0 transfers abroad')
"""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1 (``plural``, default ``noun + 's'``)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
