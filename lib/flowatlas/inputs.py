"""Every input read one careful way: map files, evidence files and Fides manifests.

* :func:`read_bytes` refuses, before opening anything, a path that is not a plain file (a pipe,
  a socket, a device such as ``/dev/zero``) and a link that loops; then reads at most the size
  limit, so a file that grows while it is read cannot exhaust memory;
* :func:`decode` gives the text: UTF-8 (a byte-order mark set aside), and, where the input may
  be machine-made (evidence), UTF-16 with its byte-order mark; anything else is an error at the
  line and column where the text stops being readable;
* :func:`load_json` parses JSON refusing what JSON allows but no one means: a key twice in one
  object, nesting deeper than :data:`MAX_DEPTH`, an integer longer than :data:`MAX_DIGITS`
  digits; each error names the file, line and column.

Every problem is an :class:`InputProblem` carrying :class:`~flowatlas.errors.MapError` s, which
the callers report with their other errors (exit 2 in the CLI). YAML is read by
:mod:`flowatlas.yamlio` on top of :func:`read_bytes` and :func:`decode`.

>>> load_json('{"a": [1, 2]}', "e.json")
{'a': [1, 2]}
>>> try:
...     load_json('{"a": 1,\\n "a": 2}', "e.json")
... except InputProblem as exc:
...     print(exc.errors[0])
e.json:2:2: the key "a" appears twice in one object (keep one; JSON keys are unique)
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from flowatlas.errors import MapError
from flowatlas.source import Source

#: No input file is read past this many bytes (a 100,000-flow map is about 25 MB).
MAX_INPUT_BYTES = 256 * 1024 * 1024
#: JSON nested deeper than this is refused (the deepest real input, a Terraform plan of nested
#: modules, is a few dozen levels).
MAX_DEPTH = 200
#: An integer of more digits than this is refused (no map or scanner writes one).
MAX_DIGITS = 100


class InputProblem(Exception):
    """An input that cannot be read; carries :class:`~flowatlas.errors.MapError` s."""

    def __init__(self, errors: list[MapError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def _problem(display: str, message: str, hint: str = "", line: int = 1, column: int = 1) -> InputProblem:
    return InputProblem([MapError(Source(display, line, column), message, hint)])


def read_bytes(path: Path, display: str, *, limit: int = MAX_INPUT_BYTES, what: str = "file") -> bytes:
    """The bytes of the plain file at ``path`` (``display``: how messages name it).

    Parameters
    ----------
    path : Path
        The file; a link is followed when it leads to a plain file.
    display : str
        The name errors give it (``file:line``).
    limit : int
        Refuse a file of more bytes.
    what : str
        What the file is, in messages (``evidence file``, ``map file``).

    Returns
    -------
    bytes

    Raises
    ------
    InputProblem
        Not a plain file (a pipe, socket or device), a link that loops or points to nothing, a
        file too large, or one that cannot be read.

    Examples
    --------
    >>> try:
    ...     read_bytes(Path("/dev/zero"), "scan.json")
    ... except InputProblem as exc:
    ...     print(exc.errors[0].message)
    not a plain file (a device): flowatlas reads files, never pipes, sockets or devices
    """
    try:
        info = os.stat(path)
    except RuntimeError:  # pragma: no cover - os.stat reports loops as OSError (ELOOP); Path.resolve raises this
        raise _problem(display, "this link is part of a loop of links", "point it at a file") from None
    except OSError as exc:
        if exc.errno == 40:  # ELOOP: links that lead to each other
            raise _problem(display, "this link is part of a loop of links", "point it at a file") from None
        if os.path.islink(path):
            raise _problem(display, "this link points to nothing", "remove it, or point it at a file") from None
        raise _problem(display, f"cannot read this {what}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = _kind(info.st_mode)
        raise _problem(
            display,
            f"not a plain file ({kind}): flowatlas reads files, never pipes, sockets or devices",
            f"give the path of a {what}",
        )
    if info.st_size > limit:
        raise _problem(display, f"{what} is {info.st_size:,} bytes, over the {limit:,}-byte limit", "split it")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise _problem(display, f"cannot read this {what}: {exc.strerror}") from None
    if len(raw) > limit:
        raise _problem(display, f"{what} grew past the {limit:,}-byte limit while it was read", "split it")
    return raw


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def decode(raw: bytes, display: str, *, utf16: bool = False) -> str:
    """The text of ``raw``: UTF-8 (a byte-order mark set aside), or, with ``utf16``, UTF-16 with
    its byte-order mark (as PowerShell writes). Raises :class:`InputProblem` at the line and
    column where the text stops being UTF-8.

    >>> decode("é".encode("utf-16"), "plan.json", utf16=True), decode(b"\\xef\\xbb\\xbfok", "a.json")
    ('é', 'ok')
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        if not utf16:
            raise _problem(display, "the file is UTF-16 text, not UTF-8", "save the file as UTF-8", 1, 1)
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _problem(display, f"not UTF-16 text: {exc.reason}", "save the file as UTF-8") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputProblem([encoding_error(raw, exc, display)]) from None


def encoding_error(raw: bytes, exc: UnicodeDecodeError, display: str) -> MapError:
    """Where text stops being UTF-8, as a line and column (the column counts the characters
    before the bad byte), and what the file probably is."""
    line_start = raw.rfind(b"\n", 0, exc.start) + 1
    line = raw.count(b"\n", 0, exc.start) + 1
    column = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
    byte = raw[exc.start : exc.start + 1].hex()
    latin = raw[exc.start] >= 0x80
    hint = "save the file as UTF-8" + ("; it looks like Latin-1 or Windows-1252" if latin else "")
    return MapError(Source(display, line, column), f"not UTF-8 text: byte 0x{byte} ({exc.reason})", hint)


# --------------------------------------------------------------------------- JSON


class _Refused(Exception):
    """Raised inside the decoder's hooks; the locating pass then finds where."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Refused
    return out


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _Refused
    return int(text)


_STRICT = json.JSONDecoder(object_pairs_hook=_pairs, parse_int=_int)


def load_json(text: str, display: str) -> Any:
    """Parse ``text`` (from ``display``) as JSON, refusing duplicate keys, nesting deeper than
    :data:`MAX_DEPTH` and integers longer than :data:`MAX_DIGITS` digits.

    Parameters
    ----------
    text : str
        The whole file's text.
    display : str
        How errors name the file.

    Returns
    -------
    Any
        The parsed value.

    Raises
    ------
    InputProblem
        At the line and column of the syntax error, the second key, the value too deep, or the
        number too long.

    Examples
    --------
    >>> try:
    ...     load_json("[" * 300 + "]" * 300, "deep.json")
    ... except InputProblem as exc:
    ...     print(exc.errors[0].src, exc.errors[0].message)
    deep.json:1:201 JSON nested deeper than 200 levels
    """
    try:
        value, end = _STRICT.raw_decode(text, _skip(text, 0))
    except json.JSONDecodeError as exc:
        raise _problem(display, f"JSON syntax error: {exc.msg}", "", exc.lineno, exc.colno) from None
    except (_Refused, RecursionError, ValueError):
        raise InputProblem([_locate(text, display)]) from None
    end = _skip(text, end)
    if end != len(text):
        line, column = _line_column(text, end)
        raise _problem(display, "not JSON: extra data after the value", "one value per file", line, column)
    if isinstance(value, list | dict) and _deeper_than(value, MAX_DEPTH):
        raise InputProblem([_locate(text, display)])
    return value


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n\r":
        i += 1
    return i


def _line_column(text: str, i: int) -> tuple[int, int]:
    line = text.count("\n", 0, i) + 1
    return line, i - (text.rfind("\n", 0, i) + 1) + 1


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests containers more than ``limit`` deep (an iterative walk: no
    recursion however deep)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if depth > limit:
            return True
        children = v.values() if isinstance(v, dict) else v
        stack.extend((c, depth + 1) for c in children if isinstance(c, list | dict))
    return False


_SCALAR = json.JSONDecoder(parse_int=str)  # numbers as written: the locating pass checks their length


def _locate(text: str, display: str) -> MapError:
    """The first duplicate key, too-deep value or too-long integer of ``text``, found by walking
    it token by token (no recursion): only run when the fast parse refused the text."""
    stack: list[set[str] | None] = []  # per open container: the keys seen (None for a list)
    i = _skip(text, 0)
    expect_key = False
    while i < len(text):
        ch = text[i]
        if ch in "{[":
            if len(stack) >= MAX_DEPTH:
                line, column = _line_column(text, i)
                return MapError(
                    Source(display, line, column),
                    f"JSON nested deeper than {MAX_DEPTH} levels",
                    "no map, manifest or scan nests this deep: check how the file was made",
                )
            stack.append(set() if ch == "{" else None)
            expect_key = ch == "{"
            i = _skip(text, i + 1)
            continue
        if ch in "}]":
            if stack:
                stack.pop()
            i = _skip(text, i + 1)
            expect_key = False
            continue
        if ch == ",":
            expect_key = bool(stack) and stack[-1] is not None
            i = _skip(text, i + 1)
            continue
        if ch == ":":
            i = _skip(text, i + 1)
            expect_key = False
            continue
        try:
            value, end = _SCALAR.raw_decode(text, i)
        except (json.JSONDecodeError, RecursionError):
            break
        keys = stack[-1] if stack else None
        if expect_key and keys is not None:
            if value in keys:
                line, column = _line_column(text, i)
                return MapError(
                    Source(display, line, column),
                    f"the key {json.dumps(value)} appears twice in one object",
                    "keep one; JSON keys are unique",
                )
            keys.add(value)
        elif isinstance(value, str) and text[i] != '"' and len(value.lstrip("-")) > MAX_DIGITS:
            line, column = _line_column(text, i)
            return MapError(
                Source(display, line, column),
                f"a number of {len(value.lstrip('-')):,} digits, over the {MAX_DIGITS} allowed",
                "write it as text in quotes if it is an identifier",
            )
        expect_key = False
        i = _skip(text, end)
    return MapError(Source(display, 1), "not JSON that flowatlas reads", "check how the file was made")


__all__ = [
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_INPUT_BYTES",
    "InputProblem",
    "decode",
    "encoding_error",
    "load_json",
    "read_bytes",
]
