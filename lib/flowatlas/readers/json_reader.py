"""The JSON reader: map files in JSON (``.json``), the layout of a YAML map file, as tools
write them. Each record is located at the line and column where its value starts.

>>> [r] = read_json([("flows.json", '{"flows": [\\n  {"id": "f1"},\\n  {"id": "f2"}\\n]}')])
>>> r.data["flows"][1], str(r.locate(("flows", 1)))
({'id': 'f2'}, 'flows.json:3:3')
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence
from typing import Any

from flowatlas.errors import MapError
from flowatlas.readers.base import Reader, Records, register_reader
from flowatlas.source import Source
from flowatlas.yamlio import YamlProblem

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return i


class _Lines:
    """Line and column of a character offset, by bisection over the line starts."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.starts = [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n")]

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


def read_json(items: Sequence[tuple[str, str]]) -> list[Any]:
    """Each ``(display name, text)`` as :class:`~flowatlas.readers.base.Records`, or a
    :class:`~flowatlas.yamlio.YamlProblem` naming the line and column of a syntax error."""
    out: list[Any] = []
    for file, text in items:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            out.append(YamlProblem([MapError(Source(file, exc.lineno, exc.colno), f"JSON syntax error: {exc.msg}")]))
            continue
        out.append(Records(file, data, positions(file, text) if isinstance(data, dict) else {}))
    return out


READER = register_reader(Reader("json", (".json",), read_json, "map files in JSON, with line:column of every record"))

__all__ = ["READER", "positions", "read_json"]
