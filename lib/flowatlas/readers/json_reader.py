"""The JSON reader: map files in JSON (``.json``), the layout of a YAML map file, as tools
write them. Each record is located at the line and column where its value starts.

>>> [r] = read_json([("flows.json", '{"flows": [\\n  {"id": "f1"},\\n  {"id": "f2"}\\n]}')])
>>> r.data["flows"][1], str(r.locate(("flows", 1)))
({'id': 'f2'}, 'flows.json:3:3')
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from flowatlas.errors import MapError
from flowatlas.readers.base import Reader, Records
from flowatlas.source import Source
from flowatlas.yamlio import YamlProblem

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return i


def _where(file: str, text: str, i: int) -> Source:
    line = text.count("\n", 0, i) + 1
    return Source(file, line, i - (text.rfind("\n", 0, i) + 1) + 1)


def _positions(file: str, text: str) -> dict[tuple[str | int, ...], Source]:
    """The position of each top-level key and of each item of a top-level list, found by
    decoding the top-level object one value at a time with the standard library's decoder."""
    out: dict[tuple[str | int, ...], Source] = {}
    i = _skip(text, 0)
    if not text.startswith("{", i):
        return out
    i = _skip(text, i + 1)
    while i < len(text) and text[i] != "}":
        key, i = _DECODER.raw_decode(text, i)
        i = _skip(text, _skip(text, i) + 1)  # past ':'
        out[(key,)] = _where(file, text, i)
        if text.startswith("[", i):
            i = _skip(text, i + 1)
            n = 0
            while text[i] != "]":
                out[(key, n)] = _where(file, text, i)
                _, i = _DECODER.raw_decode(text, i)
                i = _skip(text, i)
                if text[i] == ",":
                    i = _skip(text, i + 1)
                n += 1
            i += 1
        else:
            _, i = _DECODER.raw_decode(text, i)
        i = _skip(text, i)
        if i < len(text) and text[i] == ",":
            i = _skip(text, i + 1)
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
        out.append(Records(file, data, _positions(file, text) if isinstance(data, dict) else {}))
    return out


READER = Reader("json", (".json",), read_json, "map files in JSON, with line:column of every record")

__all__ = ["READER", "read_json"]
