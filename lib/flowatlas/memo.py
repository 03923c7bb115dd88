"""``memoised``: a method whose results are cached, per object, on its arguments.

The objects that own derived data (:class:`~flowatlas.analysis.policy_index.PolicyIndex`, for
instance) are immutable once built, so a method's result depends only on its arguments: it can
be cached on them with :func:`functools.cache`, and the cache lives and dies with the object.

>>> class Squares:
...     calls = 0
...     @memoised
...     def of(self, n: int) -> int:
...         Squares.calls += 1
...         return n * n
>>> s = Squares()
>>> s.of(3), s.of(3), Squares.calls
(9, 9, 1)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

S = TypeVar("S")
P = ParamSpec("P")
R = TypeVar("R")


class memoised(Generic[S, P, R]):
    """Decorate a method of an immutable object: each object caches its results on the arguments
    (which must be hashable), in a :func:`functools.cache` of its own."""

    def __init__(self, func: Callable[Concatenate[S, P], R]) -> None:
        self.func = func
        self.name = func.__name__
        functools.update_wrapper(self, func)  # type: ignore[arg-type]

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, objtype: Any = None) -> memoised[S, P, R]: ...
    @overload
    def __get__(self, obj: S, objtype: Any = None) -> Callable[P, R]: ...
    def __get__(self, obj: S | None, objtype: Any = None) -> memoised[S, P, R] | Callable[P, R]:
        if obj is None:
            return self
        method: Callable[P, R] = self.func.__get__(obj)
        bound = functools.cache(method)
        obj.__dict__[self.name] = bound  # later lookups find the cache itself
        return bound  # type: ignore[return-value]


__all__ = ["memoised"]
