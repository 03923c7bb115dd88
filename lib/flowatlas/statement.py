"""The statement's own text beside its encoding: which declaration quotes which sentence.

A policy may name the file holding the statement's text (``statement: statement.txt``, in the
map folder). :func:`missing_quotes` finds the declarations whose quote the text does not hold
(``flowatlas validate`` reports each at its file:line); :func:`sentences` marks each sentence of
the text with the declarations that quote it, so ``flowatlas statement MAP`` can show the
sentences no declaration encodes.

Quotes match whitespace and case aside; an ellipsis (``...`` or ``…``) in a quote stands for
text left out, so each part must occur, in order.

>>> text = "We collect your name.  We never sell your data. We keep logs for 30 days."
>>> quote_found("we  never sell your data", text), quote_found("We collect ... logs", text)
(True, True)
>>> quote_found("We sell your data", text)
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flowatlas.atlas import Map
from flowatlas.model import Declaration, Policy

#: The text a policy may name: a file of the map folder, read as UTF-8.
MAX_STATEMENT_BYTES = 4 * 1024 * 1024

_ELLIPSIS = re.compile(r"\.\.\.|…")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n\s*\n")
_ENUMERATOR = re.compile(r"^(?:#+\s*)?(?:\d+(?:\.\d+)*|[A-Za-z](?:\.\d+)*)\.$")  # "1.", "a.", "## A."


def normalise(text: str) -> str:
    """Whitespace runs as one space, lower case, no surrounding punctuation."""
    return " ".join(text.split()).lower().strip(" .,;:")


def quote_parts(quote: str) -> list[str]:
    """The parts of a quote around its ellipses, normalised."""
    return [normalise(p) for p in _ELLIPSIS.split(quote) if normalise(p)]


def quote_found(quote: str, text: str) -> bool:
    """Whether every part of ``quote`` occurs in ``text``, in order."""
    haystack = " ".join(text.split()).lower()
    at = 0
    for part in quote_parts(quote):
        at = haystack.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


def missing_quotes(policy: Policy, text: str) -> list[Declaration]:
    """The declarations of ``policy`` whose quote ``text`` does not hold, in declaration order."""
    return [d for d in policy.declarations if not quote_found(d.quote, text)]


def read_statement(root: Path, name: str) -> str:
    """The text of the statement file ``name`` of the map folder ``root``.

    Raises ``ValueError`` naming what to change when it is not a readable UTF-8 file inside
    the folder."""
    path = (root / name).resolve()
    if root.resolve() not in path.parents:
        raise ValueError(f"'{name}' is outside the map folder: keep the statement's text in the map folder")
    if not path.is_file():
        raise ValueError(f"no statement file '{name}' in the map folder: add it, or fix the name")
    raw = path.read_bytes()
    if len(raw) > MAX_STATEMENT_BYTES:
        raise ValueError(f"'{name}' is over {MAX_STATEMENT_BYTES // 1024 // 1024} MiB: is it the statement's text?")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"'{name}' is not UTF-8 text (byte {exc.start}): save it as UTF-8") from None


@dataclass(frozen=True)
class Sentence:
    """One sentence of the statement and the ids of the declarations that quote it."""

    text: str
    declarations: tuple[str, ...]


def sentences(policy: Policy, text: str) -> list[Sentence]:
    """The statement cut into sentences (and headings), each with the declarations one of whose
    quote parts lies in it or overlaps it."""
    pieces: list[str] = []
    for piece in _SENTENCE_END.split(text):
        piece = " ".join(piece.split())
        if not piece:
            continue
        if pieces and _ENUMERATOR.match(pieces[-1]):  # "1." or "a." numbers what follows
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    flat = " ".join(pieces).lower()
    starts, at = [], 0
    for piece in pieces:
        starts.append(at)
        at += len(piece) + 1
    found: list[set[str]] = [set() for _ in pieces]
    for d in policy.declarations:
        pos = 0
        for part in quote_parts(d.quote):
            hit = flat.find(part, pos)
            if hit < 0:
                break
            end = hit + len(part)
            for i, (start, piece) in enumerate(zip(starts, pieces, strict=True)):
                if start < end and hit < start + len(piece):
                    found[i].add(d.id)
            pos = end
    return [Sentence(piece, tuple(sorted(ids))) for piece, ids in zip(pieces, found, strict=True)]


__all__ = [
    "MAX_STATEMENT_BYTES",
    "Sentence",
    "map_statement",
    "missing_quotes",
    "normalise",
    "quote_found",
    "quote_parts",
    "read_statement",
    "sentences",
]


def map_statement(m: Map, policy: Policy) -> list[Sentence] | None:
    """The sentences of ``policy``'s statement text in map ``m``'s folder, each with the
    declarations that encode it; None when the policy names no text or the map has no folder
    (read from memory)."""
    if policy.statement is None:
        return None
    root = Path(m.root)
    folder = root if root.is_dir() else root.parent
    if not folder.is_dir():
        return None
    return sentences(policy, read_statement(folder, policy.statement))
