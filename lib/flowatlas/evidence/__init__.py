"""Evidence: what machine-made descriptions of the systems show, held against the map.

A reader turns one evidence file (a code scanner's report, Terraform state) into
:class:`Observation` s, each with where it was seen: the evidence file's own line and column,
and the code locations the scanner gives. :func:`read_evidence` reads any mix of files,
choosing each file's reader by its content; :func:`flowatlas.evidence.reconcile.reconcile`
holds them against a map.

To add a kind of evidence: a module here that registers its ``READER`` beside its code
(``READER = register(EvidenceReader(...))``), its test, and its import below, where it goes in
the order readers are tried.

>>> obs = read_texts([("scan.json", '{"format_version": "1.0", "values": {"root_module": {"resources": '
...     '[{"address": "aws_s3_bucket.logs", "type": "aws_s3_bucket", "values": {"region": "eu-west-1"}}]}}}')])
>>> [(o.kind, o.name, o.country, str(o.at)) for o in obs]
[('location', 'aws_s3_bucket.logs', 'IE', 'scan.json:1:68')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from flowatlas.atlas import Map
from flowatlas.errors import MapError, MapValidationError, UsageError
from flowatlas.inputs import InputProblem, decode, load_json, read_bytes

# the reader modules, in the order they are tried: importing one registers its reader
from flowatlas.evidence import privado  # noqa: F401  # isort: skip
from flowatlas.evidence import bearer  # noqa: F401  # isort: skip
from flowatlas.evidence import terraform  # noqa: F401  # isort: skip
from flowatlas.evidence.base import (
    EVIDENCE_READERS,
    EvidenceReader,
    Observation,
    cloud_country,
    norm,
    pick,
    register,
    tables,
)
from flowatlas.readers.json_reader import Positions
from flowatlas.source import Source

# --------------------------------------------------------------------------- reading


#: How deep JSON positions are kept: deep enough for a scanner's path steps.
POSITION_DEPTH = 8


def read_texts(texts: Sequence[tuple[str, str]]) -> list[Observation]:
    """Observations of ``(display name, text)`` evidence files, in file order. Raises
    :class:`~flowatlas.errors.MapValidationError` naming the file (and line) of one that is not
    JSON or that no reader recognises."""
    errors: list[MapError] = []
    out: list[Observation] = []
    for file, text in texts:
        try:
            data = load_json(text, file)  # duplicate keys, depth and long numbers refused, located
        except InputProblem as exc:
            errors.extend(exc.errors)
            continue
        reader = next((r for r in EVIDENCE_READERS.values() if r.recognises(data)), None)
        if reader is None:
            advice = next((a for r in EVIDENCE_READERS.values() if r.near_miss and (a := r.near_miss(data))), None)
            if advice:  # a file of a tool flowatlas reads, in a form it does not: say which form to give
                errors.append(MapError(Source(file, 1), "not a form of evidence flowatlas reads", advice))
                continue
            known = "; ".join(f"{r.id}: {r.description}" for r in EVIDENCE_READERS.values())
            errors.append(MapError(Source(file, 1), "no evidence reader recognises this file", f"give one of: {known}"))
            continue
        out.extend(reader.read(file, data, Positions(file, text, POSITION_DEPTH) if isinstance(data, dict) else {}))
    if errors:
        raise MapValidationError(errors, subject="evidence")
    return out


def evidence_paths(m: Map, given: Sequence[str] | None = None) -> list[tuple[Path, str]]:
    """The evidence to read, each with how it is named in file:line: ``given`` (as given), else
    the map's ``map.evidence`` (relative to its folder, named under the map's own name). Raises
    :class:`~flowatlas.errors.UsageError` when there is neither.

    >>> from flowatlas.examples import EXAMPLE
    >>> from flowatlas.loader import load_texts
    >>> evidence_paths(load_texts(EXAMPLE), ["scan.json"])
    [(PosixPath('scan.json'), 'scan.json')]
    """
    if given:
        return [(Path(p), Path(p).as_posix()) for p in given]
    if not m.info.evidence:
        raise UsageError(
            f"no evidence: give --evidence PATH, or list the map's evidence files in map.evidence of {m.info.id}"
        )
    root = Path(m.root)
    base, shown = (root, m.shown or m.root) if root.is_dir() else (root.parent, str(Path(m.shown or m.root).parent))
    return [(base / p, f"{shown.rstrip('/')}/{p}") for p in m.info.evidence]


def read_evidence(paths: Iterable[str | Path | tuple[str | Path, str]]) -> list[Observation]:
    """Observations of the evidence files at ``paths`` (a folder: its ``.json`` files, sorted).
    A path may come with the name to give it in file:line (``(path, name)``)."""
    texts: list[tuple[str, str]] = []
    errors: list[MapError] = []
    for item in paths:
        p, name = (Path(item[0]), item[1]) if isinstance(item, tuple) else (Path(item), Path(item).as_posix())
        files = (
            [(f, f"{name}/{f.relative_to(p).as_posix()}") for f in sorted(p.rglob("*.json"))]
            if p.is_dir()
            else [(p, name)]
        )
        for f, shown in files:
            try:  # plain files only (a pipe or a device is refused before it is opened), bounded
                texts.append((shown, decode(read_bytes(f, shown, what="evidence file"), shown, utf16=True)))
            except InputProblem as exc:
                errors.extend(exc.errors)
    if errors:
        raise MapValidationError(errors, subject="evidence")
    return read_texts(texts)


__all__ = [
    "EVIDENCE_READERS",
    "EvidenceReader",
    "Observation",
    "cloud_country",
    "evidence_paths",
    "norm",
    "pick",
    "read_evidence",
    "read_texts",
    "register",
    "tables",
]
