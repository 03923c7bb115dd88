"""gc_paused: the collector's state is restored, and no garbage escapes collection."""

from __future__ import annotations

import gc
import weakref

from flowatlas.gcpause import gc_paused


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_state_is_restored():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_objects_made_in_the_block_go_to_the_oldest_generation():
    with gc_paused():
        made = [[i] for i in range(50_000)]
    assert gc.get_count()[0] < 1_000  # the young generation was not left holding the block's objects
    assert any(x is made[-1] for x in gc.get_objects(generation=2))


def test_cyclic_garbage_made_in_the_block_is_still_collected():
    with gc_paused():
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        ref = weakref.ref(a)
        del a, b
    assert ref() is not None  # a cycle: refcounting alone cannot free it
    gc.collect()
    assert ref() is None
