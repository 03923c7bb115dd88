"""Evidence: what machine-made descriptions of the systems show, held against the map.

A reader turns one evidence file (a code scanner's report, Terraform state) into
:class:`Observation` s, each with where it was seen: the evidence file's own line and column,
and the code locations the scanner gives. :func:`read_evidence` reads any mix of files,
choosing each file's reader by its content; :func:`flowatlas.evidence.reconcile.reconcile`
holds them against a map.

To add a kind of evidence: a module here with ``READER`` (an :class:`EvidenceReader`), its
test, and one registry line below.

>>> obs = read_texts([("scan.json", '{"format_version": "1.0", "values": {"root_module": {"resources": '
...     '[{"address": "aws_s3_bucket.logs", "type": "aws_s3_bucket", "values": {"region": "eu-west-1"}}]}}}')])
>>> [(o.kind, o.name, o.country, str(o.at)) for o in obs]
[('location', 'aws_s3_bucket.logs', 'IE', 'scan.json:1:68')]
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from flowatlas.errors import MapError, MapValidationError
from flowatlas.source import Source

#: What an observation is of: data sent to a recipient (``flow``), a data type seen in code
#: (``type``), where a resource is (``location``), data leaking into logs (``leakage``), or that
#: a repository's code was scanned at all (``scan``: one per code-scan file, even one that found
#: nothing).
Kind = Literal["flow", "type", "location", "leakage", "scan"]


@dataclass(frozen=True)
class Observation:
    """One thing evidence shows.

    ``system`` is the repository or component the code belongs to (code scans); ``name`` the
    recipient, resource address or data type as the evidence names it; ``labels`` the data types
    in the evidence's own words and ``types`` those of them the map's vocabulary names;
    ``country`` the place a ``region`` is in; ``recipient_kind`` ``third_party``, ``storage``
    or ``internal_api``; ``note`` what could not be read (a region marked sensitive).
    """

    kind: Kind
    reader: str
    at: Source
    name: str
    system: str = ""
    labels: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    recipient_kind: str = ""
    region: str = ""
    country: str = ""
    code: tuple[Source, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class EvidenceReader:
    """One kind of evidence: how to recognise its parsed JSON, and how to read it."""

    id: str
    description: str
    recognises: Callable[[Any], bool]
    read: Callable[[str, Any, dict], list[Observation]]  # (file, data, positions) -> observations


#: Every evidence reader, by id, in the order they are tried.
EVIDENCE_READERS: dict[str, EvidenceReader] = {}


def register(reader: EvidenceReader) -> None:
    EVIDENCE_READERS[reader.id] = reader


# --------------------------------------------------------------------------- shared helpers


def norm(text: str) -> str:
    """A label compared without case, spaces or punctuation: ``"Email Address"`` → ``"emailaddress"``."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def pick(d: Any, *names: str, default: Any = None) -> Any:
    """``d``'s value under the first of ``names`` it has, however a tool's version spells it
    (``line_number``, ``lineNumber`` and ``LineNumber`` are one key)."""
    if not isinstance(d, dict):
        return default
    keys = {norm(k): k for k in d if isinstance(k, str)}
    for n in names:
        k = keys.get(norm(n))
        if k is not None and d[k] is not None:
            return d[k]
    return default


def items(value: Any) -> list:
    """A list value as a list (a missing or malformed one as empty: evidence is read tolerantly)."""
    return value if isinstance(value, list) else []


@functools.cache
def tables() -> dict[str, dict[str, str]]:
    """The data-type and cloud-region tables of ``data/evidence.yaml``."""
    import yaml

    text = (Path(__file__).resolve().parent.parent / "data" / "evidence.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return {k: {norm(str(a)) if k == "data_types" else str(a).lower(): str(b) for a, b in v.items()}
            for k, v in data.items()}


def cloud_country(region: str) -> str:
    """The country (or region group) of a cloud region or zone, or ``""`` when not known.

    >>> cloud_country("ap-southeast-1"), cloud_country("europe-west3-b"), cloud_country("Southeast Asia")
    ('SG', 'DE', 'SG')
    """
    known = tables()["cloud_regions"]
    r = region.strip().lower()
    for candidate in (r, r.replace(" ", ""), re.sub(r"-[a-z]$", "", r), re.sub(r"(\d)[a-z]$", r"\1", r)):
        if candidate in known:
            return known[candidate]
    return ""


def code_location(step: Any, repo: str = "") -> Source | None:
    """A scanner's code location (``fileName``/``filename``, ``lineNumber``/``line_number``,
    ``columnNumber``) as a Source (its file under ``repo/`` when the repository is known), or
    None without a file."""
    file = pick(step, "fileName", "filename", "file", "path")
    if not isinstance(file, str) or not file:
        return None
    if repo:
        file = f"{repo}/{file.lstrip('/')}"
    line = pick(step, "lineNumber", "line_number", "line", "startLine", default=1)
    col = pick(step, "columnNumber", "column_number", "column", "startColumn", default=1)
    return Source(file, line if isinstance(line, int) and line > 0 else 1, col if isinstance(col, int) and col > 0 else 1)


def at(positions: dict, file: str, path: tuple) -> Source:
    """Where the value at ``path`` is in the evidence file (its nearest located parent)."""
    for n in range(len(path), 0, -1):
        got = positions.get(tuple(path[:n]))
        if got is not None:
            return got
    return Source(file, 1, 1)


# --------------------------------------------------------------------------- reading


#: How deep JSON positions are kept: deep enough for a scanner's path steps.
POSITION_DEPTH = 8


def read_texts(texts: Sequence[tuple[str, str]]) -> list[Observation]:
    """Observations of ``(display name, text)`` evidence files, in file order. Raises
    :class:`~flowatlas.errors.MapValidationError` naming the file (and line) of one that is not
    JSON or that no reader recognises."""
    from flowatlas.readers.json_reader import positions

    errors: list[MapError] = []
    out: list[Observation] = []
    for file, text in texts:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            errors.append(MapError(Source(file, exc.lineno, exc.colno), f"evidence is not JSON: {exc.msg}"))
            continue
        reader = next((r for r in EVIDENCE_READERS.values() if r.recognises(data)), None)
        if reader is None:
            known = "; ".join(f"{r.id}: {r.description}" for r in EVIDENCE_READERS.values())
            errors.append(
                MapError(Source(file, 1), "no evidence reader recognises this file", f"give one of: {known}")
            )
            continue
        out.extend(reader.read(file, data, positions(file, text, POSITION_DEPTH) if isinstance(data, dict) else {}))
    if errors:
        raise MapValidationError(errors)
    return out


def read_evidence(paths: Iterable[str | Path]) -> list[Observation]:
    """Observations of the evidence files at ``paths`` (a folder: its ``.json`` files, sorted)."""
    texts: list[tuple[str, str]] = []
    errors: list[MapError] = []
    for p in map(Path, paths):
        files = sorted(p.rglob("*.json")) if p.is_dir() else [p]
        for f in files:
            try:
                texts.append((f.as_posix(), f.read_text("utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
                errors.append(MapError(Source(f.as_posix(), 1), f"cannot read this evidence file: {why}"))
    if errors:
        raise MapValidationError(errors)
    return read_texts(texts)


@dataclass
class _Collector:
    """Observations one reader builds (a helper of the reader modules)."""

    reader: str
    file: str
    positions: dict
    found: list[Observation] = field(default_factory=list)

    def add(self, kind: Kind, path: tuple, name: str, **kw: Any) -> None:
        self.found.append(Observation(kind, self.reader, at(self.positions, self.file, path), name, **kw))


# The registry: one line per reader (their modules use the helpers above).
from flowatlas.evidence import bearer, privado, terraform  # noqa: E402

register(privado.READER)
register(bearer.READER)
register(terraform.READER)

__all__ = [
    "EVIDENCE_READERS",
    "EvidenceReader",
    "Observation",
    "cloud_country",
    "norm",
    "pick",
    "read_evidence",
    "read_texts",
    "register",
]
