"""GitHub code scanning's ``primaryLocationLineHash``: a rolling hash of each line of a file, so
an alert keeps its identity when lines above it move.

A port of ``hash`` in ``src/fingerprints.ts`` of github/codeql-action (MIT licence), which
``upload-sarif`` runs when a result carries no such fingerprint: for every line, a 64-bit
polynomial rolling hash (base 37) over the next 100 characters that are not spaces or tabs,
counted from the line's start, line endings normalised to ``\\n``; a marker (65535) ends the
file, followed by zeros. The hash is written in hex with ``:n`` for its ``n``-th occurrence
in the file. Characters are UTF-16 code units, as JavaScript reads them.

>>> line_hashes("")
['c129715d7a2bc9a3:1']
>>> line_hashes(" a\\nb\\n  \\t\\tc\\n d")
['271789c17abda88f:1', '54703d4cd895b18:1', '180aee12dab6264:1', 'a23a3dc5e078b07b:1']
"""

from __future__ import annotations

from array import array

__all__ = ["line_hashes"]

_BLOCK = 100
_MOD = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MOD, _BLOCK, 1 << 64)
_EOF = 65535
_TAB, _SPACE, _LF, _CR = 9, 32, 10, 13


def line_hashes(text: str) -> list[str]:
    """The hash of every line of ``text``, in order (line 1 first).

    Examples
    --------
    >>> line_hashes("Lorem ipsum dolor sit amet.\\n" * 2)[:2]
    ['55ec222b86bcae53:1', 'cc97dc7b1d7d8f7b:1']
    """
    window = [0] * _BLOCK
    line_of = [-1] * _BLOCK  # the line a window slot starts, or -1
    out: dict[int, str] = {}
    seen: dict[str, int] = {}
    state = {"hash": 0, "index": 0, "line": 0, "start": True, "cr": False}

    def emit() -> None:
        value = format(state["hash"], "x")
        seen[value] = seen.get(value, 0) + 1
        out[line_of[state["index"]]] = f"{value}:{seen[value]}"
        line_of[state["index"]] = -1

    def update(c: int) -> None:
        i = state["index"]
        begin, window[i] = window[i], c
        state["hash"] = (_MOD * state["hash"] + c - _FIRST_MOD * begin) & _MASK
        state["index"] = (i + 1) % _BLOCK

    def char(c: int) -> None:
        if c in (_SPACE, _TAB) or (state["cr"] and c == _LF):
            state["cr"] = False
            return
        if c == _CR:
            c, state["cr"] = _LF, True
        else:
            state["cr"] = False
        if line_of[state["index"]] != -1:
            emit()
        if state["start"]:
            state["start"] = False
            state["line"] += 1
            line_of[state["index"]] = state["line"]
        if c == _LF:
            state["start"] = True
        update(c)

    units = array("H", text.encode("utf-16-le"))  # JavaScript's charCodeAt: UTF-16 code units
    for c in units:
        char(c)
    char(_EOF)
    for _ in range(_BLOCK):
        if line_of[state["index"]] != -1:
            emit()
        update(0)
    return [out[n] for n in sorted(out)]
