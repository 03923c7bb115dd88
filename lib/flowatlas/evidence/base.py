"""What evidence readers share: the :class:`Observation` they make, the :class:`EvidenceReader`
they register as, and helpers for reading tools' JSON tolerantly."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from flowatlas.source import Source

#: What an observation is of: data sent to a recipient (``flow``), a data type seen in code
#: (``type``), where a resource is (``location``), data leaking into logs (``leakage``), or that
#: a repository's code was scanned at all (``scan``: one per code-scan file, even one that found
#: nothing).
Kind = Literal["flow", "type", "location", "leakage", "scan", "unused"]


@dataclass(frozen=True)
class Observation:
    """One thing evidence shows.

    ``system`` is the repository or component the code belongs to (code scans); ``name`` the
    recipient, resource address or data type as the evidence names it; ``labels`` the data types
    in the evidence's own words and ``types`` those of them the map's vocabulary names;
    ``country`` the place a ``region`` is in; ``recipient_kind`` ``third_party``, ``storage``
    or ``internal_api``; ``note`` what could not be read (a region marked sensitive), why an
    ``unused`` element was not used, or what the tool itself said of it (a policy it flags).
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
    #: The evidence itself marks this data sensitive (Privado's ``isSensitive``, say): a label
    #: that names no type of the map is then reported as high, not low.
    sensitive: bool = False


@dataclass(frozen=True)
class EvidenceReader:
    """One kind of evidence: how to recognise its parsed JSON, and how to read it."""

    id: str
    description: str
    recognises: Callable[[Any], bool]
    read: Callable[[str, Any, Mapping], list[Observation]]  # (file, data, positions) -> observations
    #: For a file it does not recognise but one of its tool wrote: what to do instead (else None).
    near_miss: Callable[[Any], str | None] | None = None
    #: The tool's versions and output forms it reads (for docs/evidence.md).
    versions: str = ""
    #: What it uses: each part of the file, and what that part becomes.
    uses: Mapping[str, str] = field(default_factory=dict)
    #: What it reads and does not use, and why: each such element is listed by file:line.
    not_used: Mapping[str, str] = field(default_factory=dict)


#: Every evidence reader, by id, in the order they are tried (the order their modules are
#: imported in :mod:`flowatlas.evidence`).
EVIDENCE_READERS: dict[str, EvidenceReader] = {}


def register(reader: EvidenceReader) -> EvidenceReader:
    """Add ``reader`` to :data:`EVIDENCE_READERS` (each reader module does, in one line beside its
    code); returns it."""
    EVIDENCE_READERS[reader.id] = reader
    return reader


# --------------------------------------------------------------------------- shared helpers


@functools.lru_cache(maxsize=65_536)  # evidence repeats its labels: 8 MB of scans, 897,263 calls, 1.6 -> 0.1 s
def norm(text: str) -> str:
    """A label compared without case, spaces or punctuation: ``"Email Address"`` → ``"emailaddress"``."""
    return _NOT_ALNUM.sub("", text.lower())


_NOT_ALNUM = re.compile(r"[^a-z0-9]")


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
    return {
        k: {norm(str(a)) if k == "data_types" else str(a).lower(): str(b) for a, b in v.items()}
        for k, v in data.items()
    }


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


def code_location(step: Any, repo: str = "", roots: Iterable[str] = ()) -> Source | None:
    """A scanner's code location (``fileName``/``filename``, ``lineNumber``/``line_number``,
    ``columnNumber``) as a Source (its file under ``repo/`` when the repository is known), or
    None without a file. A file under one of ``roots`` (the folder the scanner was run in) is
    made relative to it first, so an absolute path of the scanning machine never leaks in.

    >>> str(code_location({"fileName": "/home/ci/shop/src/a.py", "lineNumber": 3}, "shop", ["/home/ci/shop"]))
    'shop/src/a.py:3:1'
    """
    file = pick(step, "fileName", "filename", "file", "path")
    if not isinstance(file, str) or not file:
        return None
    for root in roots:
        base = root.rstrip("/") + "/"
        if root and file.startswith(base):
            file = file[len(base) :]
            break
    if repo:
        file = f"{repo}/{file.lstrip('/')}"
    line = pick(step, "lineNumber", "line_number", "line", "startLine", "start_line_number", default=1)
    col = pick(step, "columnNumber", "column_number", "column", "startColumn", "start_column_number", default=1)
    return Source(
        file, line if isinstance(line, int) and line > 0 else 1, col if isinstance(col, int) and col > 0 else 1
    )


def at(positions: Mapping, file: str, path: tuple) -> Source:
    """Where the value at ``path`` is in the evidence file (its nearest located parent)."""
    for n in range(len(path), 0, -1):
        got = positions.get(tuple(path[:n]))
        if got is not None:
            return got
    return Source(file, 1, 1)


@dataclass
class _Collector:
    """Observations one reader builds (a helper of the reader modules)."""

    reader: str
    file: str
    positions: Mapping
    found: list[Observation] = field(default_factory=list)

    def add(self, kind: Kind, path: tuple, name: str, **kw: Any) -> None:
        self.found.append(Observation(kind, self.reader, at(self.positions, self.file, path), name, **kw))

    def unused(self, path: tuple, what: str, why: str) -> None:
        """Account for an element read and not used: ``what`` it is, at ``path``, and ``why``."""
        self.add("unused", path, what, note=why)

    def sections(self, data: dict, reasons: Mapping[str, str], read: Iterable[str]) -> None:
        """Account for each top-level section of ``data`` that is not one of ``read``: with its
        reason from ``reasons``, else as a section this reader does not know."""
        for key in data:
            if isinstance(key, str) and key not in read and data[key] not in (None, [], {}, ""):
                self.unused((key,), f"section '{key}'", reasons.get(key, "a section this reader does not know"))


def formats_markdown(readers: Iterable[EvidenceReader]) -> str:
    """The table of docs/evidence.md: each format and version read, what is used, and what is
    listed as not used (and why)."""

    def key(k: str) -> str:  # a part of the file in code type, an element described in words
        return ", ".join(x if " " in x else f"`{x}`" for x in k.split(", "))

    def cell(parts: Mapping[str, str]) -> str:
        return "<br>".join(f"{key(k)}: {v}" for k, v in parts.items()).replace("|", "\\|")

    rows = ["| format | versions read | used | listed as not used, and why |", "| --- | --- | --- | --- |"]
    for r in readers:
        rows.append(f"| {r.id} | {r.versions.replace('|', chr(92) + '|')} | {cell(r.uses)} | {cell(r.not_used)} |")
    return "\n".join(rows)


__all__ = [
    "EvidenceReader",
    "Kind",
    "Observation",
    "at",
    "cloud_country",
    "code_location",
    "formats_markdown",
    "items",
    "norm",
    "pick",
    "tables",
]
