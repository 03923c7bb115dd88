"""The JSON reader: map files in JSON (``.json``), the layout of a YAML map file, as tools
write them. Each record is located at the line and column where its value starts.

>>> [r] = read_json([("flows.json", '{"flows": [\\n  {"id": "f1"},\\n  {"id": "f2"}\\n]}')])
>>> r.data["flows"][1], str(r.locate(("flows", 1)))
({'id': 'f2'}, 'flows.json:3:3')
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from flowatlas.inputs import InputProblem, load_json
from flowatlas.readers.base import Reader, Records, register_reader
from flowatlas.source import Source

_DECODER = json.JSONDecoder()
_NEWLINE = re.compile("\n")
_SPACE = " \t\n\r"


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return i


class _Lines:
    """Line and column of a character offset, by bisection over the line starts."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]

    def __call__(self, i: int) -> Source:
        n = bisect.bisect_right(self.starts, i)
        return Source(self.file, n, i - self.starts[n - 1] + 1)


def positions(file: str, text: str, depth: int = 2) -> dict[tuple[str | int, ...], Source]:
    """The position of every value down to ``depth`` levels (``("flows", 3)`` is two), found by
    walking the text with the standard library's decoder one key or scalar at a time.

    >>> p = positions("e.json", '{"a": [1,\\n {"b": true}]}', depth=3)
    >>> str(p[("a", 1)]), str(p[("a", 1, "b")])
    ('e.json:2:2', 'e.json:2:8')
    """
    out: dict[tuple[str | int, ...], Source] = {}
    where = _Lines(file, text)

    def value(i: int, path: tuple[str | int, ...]) -> int:
        if path:
            out[path] = where(i)
        if len(path) >= depth or text[i] not in "{[":
            return _DECODER.raw_decode(text, i)[1]
        close = "}" if text[i] == "{" else "]"
        i = _skip(text, i + 1)
        n = 0
        while text[i] != close:
            if close == "}":
                key, i = _DECODER.raw_decode(text, i)
                i = _skip(text, _skip(text, i) + 1)  # past ':'
                i = _skip(text, value(i, (*path, key)))
            else:
                i = _skip(text, value(i, (*path, n)))
                n += 1
            if text[i] == ",":
                i = _skip(text, i + 1)
        return i + 1

    start = _skip(text, 0)
    if text.startswith("{", start):
        value(start, ())
    return out


class Positions(Mapping[tuple[str | int, ...], Source]):
    """:func:`positions`, found on demand: the position of a path is looked up by indexing only
    the containers on its way (each child's start, skipped over with the standard library's
    decoder), so a large file whose reader locates a few values, or one value per item of a long
    list, is not walked value by value. ``get`` gives what :func:`positions` would.

    >>> text = '{"a": [1,\\n {"b": true}]}'
    >>> lazy = Positions("e.json", text, depth=3)
    >>> str(lazy.get(("a", 1, "b"))), lazy.get(("a", 1, "b", "c")), dict(lazy) == positions("e.json", text, 3)
    ('e.json:2:8', None, True)
    """

    def __init__(self, file: str, text: str, depth: int = 2) -> None:
        self.file, self.text, self.depth = file, text, depth
        self.where = _Lines(file, text)
        start = _skip(text, 0)
        self._object = text.startswith("{", start)  # positions are of a top-level object's values
        self._offset: dict[tuple[str | int, ...], int] = {(): start}
        self._indexed: set[tuple[str | int, ...]] = set()

    def _index(self, path: tuple[str | int, ...]) -> None:
        """Record the start of every child of the container at ``path``."""
        self._indexed.add(path)
        text, i = self.text, self._offset[path]
        if text[i] not in "{[":
            return
        close = "}" if text[i] == "{" else "]"
        i = _skip(text, i + 1)
        n = 0
        while i < len(text) and text[i] != close:
            if close == "}":
                key, i = _DECODER.raw_decode(text, i)
                i = _skip(text, _skip(text, i) + 1)  # past ':'
                self._offset[(*path, key)] = i
            else:
                self._offset[(*path, n)] = i
                n += 1
            i = _skip(text, _DECODER.raw_decode(text, i)[1])
            if i < len(text) and text[i] == ",":
                i = _skip(text, i + 1)

    def get(self, path: tuple[str | int, ...], default: Any = None) -> Any:
        if not path or len(path) > self.depth or not self._object:
            return default
        got = self._offset.get(path)
        if got is None:  # index the containers on the way, once each
            for n in range(len(path)):
                prefix = path[:n]
                if prefix not in self._offset:
                    return default
                if prefix not in self._indexed:
                    self._index(prefix)
            got = self._offset.get(path)
            if got is None:
                return default
        return self.where(got)

    def __getitem__(self, path: tuple[str | int, ...]) -> Source:
        got = self.get(path)
        if got is None:
            raise KeyError(path)
        return got

    def __iter__(self) -> Iterator[tuple[str | int, ...]]:  # every path: the whole walk
        return iter(positions(self.file, self.text, self.depth))

    def __len__(self) -> int:
        return len(positions(self.file, self.text, self.depth))


def read_json(items: Sequence[tuple[str, str]]) -> list[Any]:
    """Each ``(display name, text)`` as :class:`~flowatlas.readers.base.Records`, or a
    :class:`~flowatlas.yamlio.InputProblem` naming the line and column of a syntax error."""
    out: list[Any] = []
    for file, text in items:
        try:
            data = load_json(text, file)  # duplicate keys, depth and long numbers refused
        except InputProblem as exc:
            out.append(exc)
            continue
        out.append(Records(file, data, Positions(file, text) if isinstance(data, dict) else {}))
    return out


READER = register_reader(Reader("json", (".json",), read_json, "map files in JSON, with line:column of every record"))

__all__ = ["READER", "Positions", "positions", "read_json"]
