"""Pausing the cyclic garbage collector around bulk allocation.

Loading, graphing and auditing a large map allocate millions of small objects and create no
reference cycles. With the collector running, those allocations trigger collections that walk
the whole (growing) heap again and again: on a 100,000-flow map, parsing with the collector
running made the first load take 4.0 s instead of 2.1 s. Each bulk step runs inside
:func:`gc_paused`; the collector's state is restored afterwards, so callers see no change.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, restoring its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
