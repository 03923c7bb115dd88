"""Load a map folder into a validated :class:`~flowatlas.atlas.Map`.

Every problem of the whole map is collected and reported at once, each located at
file:line:column with what was expected and, for misspellings, a "did you mean". Checks run in
three passes: YAML (syntax, duplicate keys, aliases), shape (pydantic, per record), references
(ids unique across files, references resolve, country codes, durations, hierarchy cycles).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import isodate
import pycountry
from pydantic import BaseModel, ValidationError
from pydantic.dataclasses import is_pydantic_dataclass
from pydantic.fields import FieldInfo

from flowatlas.atlas import Map
from flowatlas.errors import MapError, MapValidationError
from flowatlas.gcpause import gc_paused
from flowatlas.inert import excerpt
from flowatlas.model import (
    ID_PATTERN,
    RETENTION_EVENTS,
    RETENTION_WHILE_SERVICE,
    SECTIONS,
    Declaration,
    Flow,
    MapInfo,
    Policy,
    Purpose,
    Record,
    Source,
)
from flowatlas.readers import READERS, Located, reader_for, suffixes
from flowatlas.regimes import lawful_bases_for, regimes
from flowatlas.regions import BASE_REGIONS, member_codes
from flowatlas.retention import term as retention_term
from flowatlas.statement import missing_quotes, read_statement
from flowatlas.suggest import did_you_mean
from flowatlas.taxonomy import Hierarchy
from flowatlas.yamlio import Document, YamlProblem, parse_yaml, read_file

#: Errors about the items of one list (unknown ids in a flow's types, ...) reported one by one;
#: the rest are counted in one more error.
MAX_ERRORS_PER_LIST = 10
MAX_FILES = 10_000
BASE_TAXONOMY = "taxonomy.yaml"

_COUNTRIES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries)


def is_country(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code that pycountry knows."""
    return code in _COUNTRIES


def _place_hint(code: str, *, countries_only: bool, regions: Sequence[str] = ("EU", "EEA")) -> str:
    choices = _COUNTRIES if countries_only else _COUNTRIES | set(regions)
    found = did_you_mean(code, choices)
    if found:
        return found
    if countries_only:
        return "use a two-letter country code such as SG, US, DE (a region such as EU is not a country here)"
    return f"use a country code such as SG, US, DE or a region id ({', '.join(sorted(regions))})"


# --------------------------------------------------------------------------- entry points

#: Set to 1 to follow symbolic links that lead out of the map folder (refused by default: a map
#: is what its folder holds).
ALLOW_OUTSIDE_LINKS_ENV = "FLOWATLAS_ALLOW_OUTSIDE_LINKS"


#: The value ``flowatlas import`` writes where the source says nothing (a jurisdiction, a
#: retention): validation names each one left, at its file:line.
TODO = "TODO"
TODO_HINT = "an import left this for a person to fill: TODO.md in the map folder says what each one needs"
#: What each field left TODO needs, in the words of a person filling it in (validation's hint,
#: and the lines of the TODO.md an import writes).
TODO_NEEDS: dict[str, str] = {
    "home": "the controller's home country (ISO 3166-1 alpha-2, e.g. DE): it selects the transfer regime",
    "jurisdiction": "the country where it is (ISO 3166-1 alpha-2)",
    "retention": "how long the store keeps data: an ISO 8601 duration (P1Y) or EVENT+DURATION (account_closure+P30D)",
    "engaged_by": "the processor that engaged this sub-processor (an organisation id)",
    "context": "how the data is collected from the person: registration, product_use, inquiry or offline_delivery",
    "types": "the information types the flow carries: no privacy declaration names this flow",
    "purposes": "the purposes of the flow: no privacy declaration names this flow",
}

#: The folder of a map that holds its evidence files (never read as map files).
EVIDENCE_FOLDER = "evidence"


def map_files(root: Path, errors: list[MapError], display_root: str | None = None) -> list[Path]:
    """The YAML files of the map folder ``root``, sorted by their path inside it.

    Nothing is skipped silently: a folder or link that cannot be read, a link that points
    nowhere, leads out of the folder (unless ``FLOWATLAS_ALLOW_OUTSIDE_LINKS=1``) or back into a
    folder already read (a loop), and a ``.yaml`` name that is not a regular file (a FIFO, a
    device) are each an error naming the path. Other files (notebooks, READMEs) are ignored, and
    so is a folder named ``evidence`` at the top of the map (:data:`EVIDENCE_FOLDER`): it holds
    the code scans and infrastructure state the map is reconciled with, not map files.
    """
    shown = (display_root or root.as_posix()).rstrip("/")
    real_root = root.resolve()
    outside_ok = os.environ.get(ALLOW_OUTSIDE_LINKS_ENV) == "1"
    found: list[Path] = []
    seen = {real_root}
    stack = [root]

    def name(p: Path) -> str:
        return f"{shown}/{p.relative_to(root).as_posix()}"

    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            where = name(folder) if folder != root else shown
            errors.append(MapError(Source(where, 1), f"cannot read this folder: {exc.strerror}", "make it readable"))
            continue
        for entry in entries:
            p = Path(entry.path)
            try:
                if entry.is_symlink():
                    target = p.resolve()
                    if not target.exists():
                        errors.append(MapError(Source(name(p), 1), "this link points to nothing", "remove it"))
                        continue
                    if not outside_ok and not target.is_relative_to(real_root):
                        errors.append(
                            MapError(
                                Source(name(p), 1),
                                "this link leads out of the map folder",
                                f"copy the file into the map, or set {ALLOW_OUTSIDE_LINKS_ENV}=1 to follow such links",
                            )
                        )
                        continue
                    if target.is_dir():
                        if target in seen:
                            loop = "this link leads back into a folder already read (a loop)"
                            errors.append(MapError(Source(name(p), 1), loop, "remove the link"))
                        else:
                            seen.add(target)
                            stack.append(p)
                        continue
                elif entry.is_dir():
                    if folder == root and entry.name == EVIDENCE_FOLDER:
                        continue
                    seen.add(p.resolve())
                    stack.append(p)
                    continue
                if reader_for(p.name) is not None:
                    if p.is_file():
                        found.append(p)
                    else:
                        special = "not a regular file (a pipe, socket or device)"
                        errors.append(MapError(Source(name(p), 1), special, "a map file must be a plain file"))
            except OSError as exc:
                errors.append(MapError(Source(name(p), 1), f"cannot read: {exc.strerror}"))
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def load_map(path: str | Path, *, base_taxonomy: bool = True, display: str | None = None) -> Map:
    """Load and validate the map in folder ``path`` (or a single YAML file).

    ``display`` is how the folder is named in every ``file:line`` (errors, findings, tooltips);
    by default ``path`` as given. Callers that resolve paths pass a stable, relative name so
    that outputs do not depend on where the checkout lives.

    Raises :class:`~flowatlas.errors.MapValidationError` listing every problem found.
    """
    root = Path(path)
    display_root = display if display is not None else Path(path).as_posix()
    errors: list[MapError] = []
    if root.is_dir():
        files = map_files(root, errors, display_root)
        if not files and not errors:
            raise MapValidationError(
                [
                    MapError(
                        Source(str(path), 1),
                        f"no map files ({', '.join(suffixes())}) in this folder",
                        "point at a map folder such as dataflows/absoloop",
                    )
                ]
            )
    elif root.is_file():
        files = [root]
    else:
        raise MapValidationError([MapError(Source(str(path), 1), "no such map folder or file")])
    if len(files) > MAX_FILES:
        raise MapValidationError(
            [MapError(Source(str(path), 1), f"{len(files)} YAML files, over the {MAX_FILES} limit")]
        )
    docs: list[Document] = []
    texts: list[tuple[str, str]] = []
    digest = hashlib.sha256()
    docs.extend(_base_documents(base_taxonomy))
    for f in files:
        if root.is_file():
            display = display_root if display is not None else f.as_posix()
        else:
            display = f"{display_root.rstrip('/')}/{f.relative_to(root).as_posix()}"
        try:
            raw, text = read_file(f, display)
        except YamlProblem as exc:
            errors.extend(exc.errors)
            continue
        digest.update(f.relative_to(root).as_posix().encode() if root.is_dir() else f.name.encode())
        digest.update(b"\0")
        digest.update(raw)
        texts.append((display, text))
    m = _parse_and_assemble(texts, docs, errors, root=str(path), digest=digest.hexdigest())
    object.__setattr__(m, "shown", display_root)  # (a field set once, before anyone reads the map)
    return m


def load_texts(texts: dict[str, str], *, base_taxonomy: bool = True) -> Map:
    """Load a map from ``{file name: YAML text}`` (tests, notebooks, synthetic maps)."""
    errors: list[MapError] = []
    docs = _base_documents(base_taxonomy)
    digest = hashlib.sha256()
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + texts[name].encode())
    items = [(name, texts[name]) for name in sorted(texts)]
    return _parse_and_assemble(items, docs, errors, root="<memory>", digest=digest.hexdigest())


def _parse_and_assemble(
    texts: list[tuple[str, str]], docs: list[Any], errors: list[MapError], *, root: str, digest: str
) -> Map:
    """Parse ``(display name, text)`` pairs, each with the reader of its suffix (YAML when none
    claims it), after ``docs``, and build the map (or raise).

    Parsing and building allocate millions of small objects and no cycles: collections
    triggered by them would rescan the growing heap again and again (see flowatlas.gcpause).
    """
    by_reader: dict[str, list[tuple[str, str]]] = {}
    for name, text in texts:
        reader = reader_for(name) or READERS["yaml"]
        by_reader.setdefault(reader.id, []).append((name, text))
    with gc_paused():
        parsed: dict[str, Any] = {}
        for rid, items in by_reader.items():
            for (name, _), got in zip(items, READERS[rid].read(items), strict=True):
                parsed[name] = got
        for name, _ in texts:  # in file order, whichever reader read each
            got = parsed[name]
            if isinstance(got, YamlProblem):
                errors.extend(got.errors)
            else:
                docs.append(got)
        return _assemble(docs, errors, root=root, digest=digest)


def assemble(parts: Sequence[Located], *, base_taxonomy: bool = True, root: str = "<records>") -> Map:
    """Validate map sections from any readers and build the :class:`Map` (or raise
    :class:`~flowatlas.errors.MapValidationError` naming each record's file and position).

    ``parts`` are :class:`~flowatlas.readers.base.Records` (or parsed YAML documents): what the
    evidence importers and other readers produce. The map's digest covers each part's name and
    data.

    >>> from flowatlas.readers import Records
    >>> from flowatlas.model import Source
    >>> head = Records("head.json", {"map": {"id": "m", "name": "M", "controller": "c", "home": "SG"},
    ...                              "organisations": [{"id": "c", "name": "C", "role": "controller",
    ...                                                 "jurisdiction": "SG"}]})
    >>> nodes = Records("scan.json", {"nodes": [{"id": "app", "name": "App", "kind": "sytem", "owner": "c"}]},
    ...                 {("nodes", 0): Source("scan.json", 12, 3)})
    >>> try:
    ...     assemble([head, nodes])
    ... except MapValidationError as exc:
    ...     print(exc.errors[0].src, exc.errors[0].message.split(",")[0])
    scan.json:12:3 'kind' has value 'sytem'

    """
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.file.encode() + b"\0" + json.dumps(part.data, sort_keys=True, default=str).encode())
    docs: list[Any] = _base_documents(base_taxonomy)
    with gc_paused():
        return build_map([*docs, *parts], [], root=root, digest=digest.hexdigest())


def _assemble(docs: list[Any], errors: list[MapError], *, root: str, digest: str) -> Map:
    """:func:`build_map`, with the precise YAML path as the authority whenever anything is wrong.

    Documents read by the fast path (see :mod:`flowatlas.yamlio`) carry the same data as the
    precise path would give. When the map has any error, the fast documents are read again
    precisely and the map is built once more, so every message and position is exactly the
    one the precise path reports: the fast path only ever speeds up valid maps.

    :func:`_parse_and_assemble` holds :func:`~flowatlas.gcpause.gc_paused` around this.
    """
    try:
        return build_map(docs, list(errors), root=root, digest=digest)
    except MapValidationError:
        if not any(d.fast for d in docs):
            raise
    precise: list[Document] = []
    errors = list(errors)
    for d in docs:
        if not d.fast:
            precise.append(d)
            continue
        try:
            precise.append(parse_yaml(d.text or "", d.file, fast=False))
        except YamlProblem as exc:
            errors.extend(exc.errors)
    return build_map(precise, errors, root=root, digest=digest)


@functools.cache
def _base_document(name: str) -> Document:
    text = resources.files("flowatlas").joinpath("data", name).read_text("utf-8")
    return parse_yaml(text, f"<flowatlas>/{name}")


def _base_documents(base_taxonomy: bool) -> list[Document]:
    """The package's documents read before a map's own: the region groups (always) and the base
    taxonomy (unless ``base_taxonomy`` is false)."""
    docs = [_base_document(BASE_REGIONS)]
    return [*docs, _base_document(BASE_TAXONOMY)] if base_taxonomy else docs


# --------------------------------------------------------------------------- pass 2: shape


def _pydantic_errors(exc: ValidationError, doc: Located, base: tuple[str | int, ...], model: type) -> list[MapError]:
    out: list[MapError] = []
    errs = exc.errors(include_url=False)
    # a list whose items are wrong is reported at the items, not also as "must not be empty"
    item_lists = {tuple(e["loc"][:-1]) for e in errs if e["loc"] and isinstance(e["loc"][-1], int)}
    for e in errs:
        loc = tuple(e["loc"])
        if e["type"] == "too_short" and loc in item_lists:
            continue
        path = base + loc
        kind = e["type"]
        field_name = _field_label(loc)
        if kind in ("extra_forbidden", "unexpected_keyword_argument"):  # records, MapFile
            parent_model = _model_at(model, loc[:-1])
            known = list(_field_names(parent_model)) if parent_model else []
            hint = did_you_mean(field_name, known) or (f"expected one of: {', '.join(sorted(known))}" if known else "")
            out.append(MapError(doc.locate(path), f"unknown key '{field_name}'", hint))
        elif kind == "missing":
            out.append(MapError(doc.locate(path[:-1]), f"missing required key '{field_name}'"))
        elif kind == "literal_error":
            allowed = e.get("ctx", {}).get("expected", "")
            choices = [a.strip().strip("'") for a in allowed.replace(" or ", ",").split(",")]
            value = e.get("input")
            hint = did_you_mean(str(value), choices) or f"expected one of: {allowed}"
            if isinstance(value, bool):
                hint += " (YAML reads unquoted yes/no/on/off as true/false: put the value in quotes)"
            message = f"'{field_name}' has value {excerpt(value)}, which is not allowed"
            out.append(MapError(doc.locate(path), message, hint))
        elif kind == "string_pattern_mismatch":
            value = e.get("input")
            if "Country" in str(e.get("ctx", {}).get("pattern", "")) or e["ctx"]["pattern"] == r"^[A-Z]{2}$":
                out.append(
                    MapError(
                        doc.locate(path),
                        f"{excerpt(value)} is not an ISO 3166-1 alpha-2 country code",
                        _place_hint(str(value), countries_only=True),
                    )
                )
            elif e["ctx"]["pattern"] == r"^[A-Z][A-Z0-9_-]*$":
                out.append(
                    MapError(
                        doc.locate(path),
                        f"{excerpt(value)} is not a country code or region id",
                        _place_hint(str(value), countries_only=False),
                    )
                )
            else:
                out.append(
                    MapError(
                        doc.locate(path),
                        f"{excerpt(value)} is not a valid id",
                        "use letters, digits, '-', '_' and '.', starting with a letter or digit",
                    )
                )
        elif kind in ("model_type", "dataclass_type", "dict_type"):
            out.append(
                MapError(
                    doc.locate(path),
                    f"'{field_name or 'record'}' must be a mapping of keys to values",
                    f"got {type(e.get('input')).__name__}",
                )
            )
        elif kind in ("list_type", "tuple_type"):  # list fields are read as tuples
            out.append(
                MapError(
                    doc.locate(path),
                    f"'{field_name}' must be a list",
                    f"write it as [a, b] or as '- a' lines; got {type(e.get('input')).__name__}",
                )
            )
        elif kind == "too_short":
            out.append(MapError(doc.locate(path), f"'{field_name}' must not be empty"))
        elif kind == "string_type" and isinstance(e.get("input"), bool | int | float | date):
            value = e.get("input")
            read_as = {bool: "true/false", int: "a number", float: "a number"}.get(type(value), "a date")
            shown = repr(value) if isinstance(value, bool) else excerpt(value)
            out.append(
                MapError(
                    doc.locate(path),
                    f"'{field_name}' must be text, but YAML read the unquoted value as {read_as}: {shown}",
                    'put the value in quotes, e.g. version: "1.10" or name: "NO"',
                )
            )
        else:
            out.append(MapError(doc.locate(path), f"'{field_name}': {e['msg']}", f"got {excerpt(e.get('input'))}"))
    return out


def _field_label(loc: tuple[str | int, ...]) -> str:
    """The field an error is about, as a reader names it: ``kind``, or ``contexts[1]`` for an
    item of a list.

    >>> _field_label(("declarations", 0, "contexts", 1)), _field_label(("kind",)), _field_label(())
    ('contexts[1]', 'kind', '')
    """
    if not loc:
        return ""
    if isinstance(loc[-1], int) and len(loc) > 1:
        return f"{loc[-2]}[{loc[-1]}]"
    return str(loc[-1])


def _fields(model: type) -> dict[str, FieldInfo]:
    """The pydantic fields of a record class (or a ``BaseModel``)."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        return model.model_fields
    return model.__pydantic_fields__  # type: ignore[attr-defined]


def _is_record_class(x: Any) -> bool:
    return isinstance(x, type) and (issubclass(x, BaseModel) or is_pydantic_dataclass(x))


def _field_names(model: type) -> list[str]:
    names = []
    for name, f in _fields(model).items():
        if name == "src":
            continue
        names.append(f.alias or name)
    return names


def _model_at(model: type, loc: tuple) -> type | None:
    """The record class found by walking ``loc`` through ``model``'s fields."""
    import typing

    cur: Any = model
    for step in loc:
        if isinstance(step, int):
            continue
        if not _is_record_class(cur):
            return None
        f = None
        for name, fi in _fields(cur).items():
            if step in (name, fi.alias):
                f = fi
                break
        if f is None:
            return None
        ann = f.annotation
        # unwrap list[X] / X | None
        for _ in range(3):
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            if _is_record_class(ann):
                break
            if args:
                ann = args[0]
        cur = ann
    return cur if _is_record_class(cur) else None


def _set_src(rec: Record, src: Source) -> None:
    object.__setattr__(rec, "src", src)


class _Collected:
    """Records of each section, with the document and path each came from."""

    def __init__(self) -> None:
        self.by_section: dict[str, list[Record]] = {s: [] for s in SECTIONS}
        self.maps: list[MapInfo] = []
        self.where: dict[int, tuple[Located, tuple]] = {}  # id(record) -> (doc, path)
        self.failed_ids: set[str] = set()  # ids of records whose shape was wrong (reported)
        self.failed_sections: set[str] = set()  # sections with a record whose id could not be read
        #: records whose shape was wrong, as written: (section, mapping, document, path), so that
        #: their references are checked too and one run reports everything
        self.failed_raw: list[tuple[str, dict, Located, tuple]] = []


def _validate_shapes(docs: Sequence[Located], errors: list[MapError]) -> _Collected:
    got = _Collected()
    allowed = ["map", *SECTIONS]
    for doc in docs:
        data = doc.data
        if data is None:
            continue
        if not isinstance(data, dict):
            errors.append(
                MapError(
                    doc.locate(()),
                    "a map file must be a mapping of sections",
                    f"expected top-level keys among: {', '.join(allowed)}",
                )
            )
            continue
        for section, body in data.items():
            if section == "map":
                if not isinstance(body, dict):
                    errors.append(MapError(doc.locate(("map",)), "'map' must be a mapping"))
                    continue
                rec = _validate_one(MapInfo, body, doc, ("map",), errors, got.where)
                if rec is not None:
                    got.maps.append(rec)
                continue
            model = SECTIONS.get(section)
            if model is None:
                hint = did_you_mean(section, allowed) or f"expected one of: {', '.join(allowed)}"
                errors.append(MapError(doc.locate((section,)), f"unknown section '{section}'", hint))
                continue
            if body is None:
                continue
            if not isinstance(body, list):
                errors.append(
                    MapError(
                        doc.locate((section,)),
                        f"section '{section}' must be a list of records",
                        "start each record with '- id: ...'",
                    )
                )
                continue
            recs = _validate_all(model, body, doc, section, got.where)
            if recs is not None:
                got.by_section[section].extend(recs)
                continue
            for i, item in enumerate(body):
                rec = _validate_one(model, item, doc, (section, i), errors, got.where)
                if rec is not None:
                    got.by_section[section].append(rec)
                    continue
                if isinstance(item, dict):
                    got.failed_raw.append((section, item, doc, (section, i)))
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    got.failed_ids.add(item["id"])
                else:  # its id is unknown: references to this section may mean it
                    got.failed_sections.add(section)
    return got


def _validator(model: type[Record]) -> Any:
    """The pydantic-core validator of one record of ``model``, built when the class was defined
    (a ``TypeAdapter`` would build another, which costs milliseconds per class in every new
    process: a sizeable part of loading a small map)."""
    return model.__pydantic_validator__  # type: ignore[attr-defined]


def _validate_all(model: type[Record], body: list, doc: Located, section: str, where: dict) -> list[Record] | None:
    """Every record of a section, validated, or None when any record is wrong.

    When one fails, the caller validates record by record so each error is reported with its
    own record's position.
    """
    if not all(isinstance(item, dict) and "src" not in item for item in body):
        return None  # an item that is not a mapping, or sets src itself: reported record by record
    validate = _validator(model).validate_python
    try:
        recs = [validate(item) for item in body]
    except ValidationError:
        return None
    if model.__name__ == "Policy":
        for i, rec in enumerate(recs):
            _attach(rec, doc, (section, i), where)
        return recs
    locate = doc.locate
    if doc.fast:
        # where (record -> position of each of its keys) serves error messages only, and a map
        # with any error is read again through the precise path (see _assemble): not needed here
        setattr_ = object.__setattr__  # records are frozen: the loader alone sets src
        srcs = doc.index.sections.get(section) if doc.index is not None else None
        if srcs is None:  # a section the line index could not read: positions from the node tree
            srcs = [locate((section, i)) for i in range(len(recs))]
        for rec, src in zip(recs, srcs, strict=True):  # _attach, inlined: once per record
            setattr_(rec, "src", src)
        return recs
    for i, rec in enumerate(recs):
        path = (section, i)
        _set_src(rec, locate(path))
        where[id(rec)] = (doc, path)
    return recs


def _validate_one(model: type[Record], item: Any, doc: Located, path: tuple, errors: list[MapError], where: dict):
    if isinstance(item, dict) and "src" in item:
        errors.append(MapError(doc.locate((*path, "src")), "unknown key 'src'", "src is set by flowatlas; remove it"))
        return None
    try:
        rec = _validator(model).validate_python(item)
    except ValidationError as exc:
        errors.extend(_pydantic_errors(exc, doc, path, model))
        return None
    _attach(rec, doc, path, where)
    return rec


def _attach(rec: Record, doc: Located, path: tuple, where: dict) -> None:
    """Give a validated record (and a policy's declarations) its source position."""
    _set_src(rec, doc.locate(path))
    where[id(rec)] = (doc, path)
    if type(rec).__name__ == "Policy":
        for j, d in enumerate(rec.declarations):  # type: ignore[attr-defined]
            _set_src(d, doc.locate((*path, "declarations", j)))
            where[id(d)] = (doc, (*path, "declarations", j))


# --------------------------------------------------------------------------- pass 3: references


class _Refs:
    """Checks references, reporting at the record's source line with the key's name."""

    def __init__(
        self,
        errors: list[MapError],
        where: dict[int, tuple[Located, tuple]],
        failed: set[str],
        unsure: tuple[dict, ...] = (),
    ) -> None:
        self.errors = errors
        self.where = where
        self.failed = failed  # ids already reported as malformed: no cascade of "unknown" errors
        self.unsure = {id(t) for t in unsure}  # tables with a record whose id could not be read
        self.suppressed = 0  # unknown-id errors into those tables, not reported

    def err(self, rec: Record, message: str, hint: str = "", at: tuple = (), *, consequential: bool = False) -> None:
        """Report at the key ``at`` (a path inside the record) or at the record itself."""
        w = self.where.get(id(rec))
        src = w[0].locate(w[1] + at) if w else (rec.src or Source("<unknown>", 1))
        self.errors.append(MapError(src, message, hint, consequential))

    def ref(self, rec: Record, key: str, value: str | None, table: dict, what: str, at: tuple | None = None) -> bool:
        if value is None or value in table:
            return True
        if value in self.failed:
            return False
        hint = did_you_mean(value, table, _names(table)) or _define_hint(what, value)
        if id(table) in self.unsure:  # a record that failed its checks may have this id: count it
            self.suppressed += 1
            return False
        label = _field_label(at) if at else key
        at = (key,) if at is None else at
        self.err(rec, f"{label}: unknown {what} {excerpt(value)}", hint, at, consequential=True)
        return False

    def refs(self, rec: Record, key: str, values: tuple[str, ...], table: dict, what: str) -> None:
        if all(v in table for v in values):
            return
        reported = 0
        for i, v in enumerate(values):
            if not self.ref(rec, key, v, table, what, (key, i)) and v not in self.failed:
                reported += 1
                if reported == MAX_ERRORS_PER_LIST:
                    rest = sum(1 for u in values[i + 1 :] if u not in table and u not in self.failed)
                    if rest:
                        more = f"{key}: and {rest:,} more unknown {what} ids like these"
                        self.err(rec, more, "", (key,), consequential=True)
                    return

    def country(self, rec: Record, key: str, code: str | None, at: tuple | None = None) -> None:
        if code is not None and not is_country(code):
            self.err(
                rec,
                f"{key}: '{code}' is not an ISO 3166-1 alpha-2 country code",
                _place_hint(code, countries_only=True),
                (key,) if at is None else at,
            )

    def place(self, rec: Record, key: str, code: str, regions: dict, at: tuple) -> None:
        """A country code or the id of a region (shipped or the map's own)."""
        if not is_country(code) and code not in regions:
            self.err(
                rec,
                f"{_field_label(at)}: '{code}' is neither an ISO 3166-1 country code nor a region id",
                _place_hint(code, countries_only=False, regions=sorted(regions))
                + f" (regions: {', '.join(sorted(regions))}; define others in 'regions')",
                at,
            )

    def retention(self, rec: Record, key: str, value: str | None) -> None:
        if value is None or value in (RETENTION_WHILE_SERVICE, "indefinite"):
            return
        try:
            got = retention_term(value)
        except (isodate.ISO8601Error, ValueError) as exc:
            event = value.partition("+")[0].strip() if "+" in value else ""
            if event and event not in RETENTION_EVENTS:
                hint = did_you_mean(event, RETENTION_EVENTS) or f"events: {', '.join(RETENTION_EVENTS)}"
                self.err(rec, f"{key}: {excerpt(value)}: unknown event {excerpt(event)}", hint, (key,))
                return
            self.err(
                rec,
                f"{key}: {excerpt(value)} is not an ISO 8601 duration" + (f" ({exc})" if "+" in value else ""),
                "write e.g. P30D, P6M, P7Y, account_closure+P30D, contract_end+P7Y, or 'while_service' or 'indefinite'",
                (key,),
            )
            return
        except OverflowError:
            self.err(rec, f"{key}: {excerpt(value)} is too long a duration", "write 'indefinite' for no limit", (key,))
            return
        if got.days <= 0 and "+" not in value:
            self.err(rec, f"{key}: {excerpt(value)} is not a positive duration", "give a duration above zero", (key,))
        elif got.days < 0:
            self.err(rec, f"{key}: {excerpt(value)} is a negative duration", "give a duration of zero or more", (key,))


def _index(records: list[Record], what: str, errors: list[MapError]) -> dict:
    """``{id: record}``; a duplicate id is reported at the second record and the first kept."""
    by_id = {r.id: r for r in records}  # type: ignore[attr-defined]
    if len(by_id) == len(records):
        return by_id
    out: dict[str, Record] = {}  # an id repeats: find each repeat, in order
    for r in records:
        rid = r.id  # type: ignore[attr-defined]
        if rid in out:
            first = out[rid].src
            errors.append(
                MapError(
                    r.src or Source("<unknown>", 1),
                    f"duplicate {what} id '{rid}' (first defined at {first})",
                    "ids must be unique across all files of a map",
                )
            )
            continue
        out[rid] = r
    return out


def _hierarchy_checks(table: dict, what: str, chk: _Refs) -> None:
    for r in table.values():
        if r.parent is not None:
            chk.ref(r, "parent", r.parent, table, what)
    h = Hierarchy({k: (v.parent if v.parent in table else None) for k, v in table.items()})
    cyc = h.find_cycle()
    if cyc:
        chk.err(table[cyc[0]], f"{what} hierarchy has a cycle: {' > '.join(cyc)}", "one of these parents must change")


def _without_cascade(errors: list[MapError], unread: list[MapError], suppressed: int) -> tuple[list[MapError], str]:
    """``errors`` less the consequential ones when a file could not be read (``unread``), and a
    line saying how many errors were left out (with the ``suppressed`` unknown ids that records
    which failed their checks may define)."""
    kept = [e for e in errors if not e.consequential] if unread else errors
    left_out = len(errors) - len(kept) + suppressed
    if not left_out:
        return kept, ""
    return kept, (
        f"({left_out:,} error(s) about unknown ids not shown: the files or records that failed above may "
        "define them; fix those first, then validate again)"
    )


def build_map(docs: Sequence[Located], errors: list[MapError], *, root: str, digest: str) -> Map:
    """Validate documents already parsed and assemble the :class:`Map` (or raise).

    ``errors`` holds the problems of the files that could not be read or parsed, if any; while
    there are such, errors that may only follow from them (unknown ids) are counted, not listed.
    """
    unread = list(errors)
    got = _validate_shapes(docs, errors)
    s = got.by_section
    types = _index(s["information_types"], "information type", errors)
    purposes = _index(s["purposes"], "purpose", errors)
    subjects = _index(s["data_subjects"], "data subject", errors)
    orgs = _index(s["organisations"], "organisation", errors)
    nodes = _index(s["nodes"], "node", errors)
    flows = _index(s["flows"], "flow", errors)
    policies = _index(s["policies"], "policy", errors)
    regions = _index(s["regions"], "region", errors)
    tables = {"information_types": types, "purposes": purposes, "data_subjects": subjects, "organisations": orgs,
              "nodes": nodes, "flows": flows, "policies": policies, "regions": regions}  # fmt: skip
    chk = _Refs(errors, got.where, got.failed_ids, tuple(tables[s] for s in got.failed_sections if s in tables))

    _hierarchy_checks(types, "information type", chk)
    _hierarchy_checks(purposes, "purpose", chk)
    _hierarchy_checks(subjects, "data subject", chk)

    _region_checks(regions, chk)

    info: MapInfo | None = None
    if not got.maps:
        if not any(isinstance(d.data, dict) and "map" in d.data for d in docs):  # (one that failed is reported)
            first = next((d.file for d in docs if not d.file.startswith("<flowatlas>")), root)
            errors.append(
                MapError(
                    Source(first, 1),
                    "the map has no 'map' section",
                    "add one file with 'map: {id: ..., name: ..., controller: ..., home: SG}'",
                    consequential=True,
                )
            )
    else:
        info = got.maps[0]
        for extra in got.maps[1:]:
            errors.append(
                MapError(
                    extra.src or Source(root, 1),
                    f"a second 'map' section (first at {info.src})",
                    "keep one 'map' section per map",
                )
            )
        if (
            chk.ref(info, "controller", info.controller, orgs, "organisation")
            and orgs[info.controller].role != "controller"
        ):
            chk.err(
                info,
                f"controller: organisation '{info.controller}' has role "
                f"'{orgs[info.controller].role}', expected 'controller'",
                "",
                ("controller",),
            )
        chk.country(info, "home", info.home)
        chk.ref(info, "policy", info.policy, policies, "policy")

    for o in orgs.values():
        chk.country(o, "jurisdiction", o.jurisdiction)
        chk.ref(o, "engaged_by", o.engaged_by, orgs, "organisation")
        for i, sg in enumerate(o.safeguards):
            for j, c in enumerate(sg.countries):
                chk.place(o, "countries", c, regions, ("safeguards", i, "countries", j))
            if sg.kind == "contract" and not sg.countries:
                chk.err(
                    o,
                    "safeguards: a contract must name the countries it covers (countries: [..])",
                    "PDPR 2021 reg 12(1)(b) needs the contract to specify the destination countries",
                    ("safeguards", i),
                )
            if sg.kind == "certification" and sg.scheme is None:
                chk.err(
                    o,
                    "safeguards: a certification needs a scheme",
                    "scheme: APEC-CBPR, APEC-PRP, Global-CBPR, Global-PRP or other",
                    ("safeguards", i),
                )
        if o.role == "sub_processor" and o.engaged_by is None:
            chk.err(o, "a sub_processor needs engaged_by: the organisation that engaged it")

    store_only = ("retention", "encrypted_at_rest", "erase", "export", "backup_of", "replica_of")
    for n in nodes.values():
        chk.ref(n, "owner", n.owner, orgs, "organisation")
        chk.country(n, "jurisdiction", n.jurisdiction)
        if n.kind == "subject":
            if n.subject is None:
                chk.err(
                    n,
                    "a subject node needs 'subject': the data-subject category",
                    f"one of: {', '.join(sorted(subjects))}",
                )
            else:
                chk.ref(n, "subject", n.subject, subjects, "data subject")
        else:
            if n.subject is not None:
                chk.err(n, f"'subject' is only for subject nodes, not for a {n.kind}")
            if n.owner is None:
                chk.err(n, f"a {n.kind} needs 'owner': the organisation that runs it")
            if n.jurisdiction is None:
                chk.err(n, f"a {n.kind} needs 'jurisdiction': the country it is located in")
        if n.generates:
            if n.kind != "system":
                chk.err(n, f"'generates' is only for systems, not for a {n.kind}", "", ("generates",))
            chk.refs(n, "generates", n.generates, types, "information type")
        if n.kind != "store":
            for k in store_only:
                if getattr(n, k) not in (None, False):
                    chk.err(n, f"'{k}' is only for stores, not for a {n.kind}", "set kind: store or remove it", (k,))
        else:
            if n.retention is None:
                chk.err(n, "a store needs 'retention'", "an ISO 8601 duration such as P30D, or while_service")
            chk.retention(n, "retention", n.retention)
            chk.refs(n, "retention_purposes", n.retention_purposes, purposes, "purpose")
            for k in ("backup_of", "replica_of"):
                v = getattr(n, k)
                if v is not None and chk.ref(n, k, v, nodes, "node") and nodes[v].kind != "store":
                    chk.err(n, f"{k}: '{v}' is a {nodes[v].kind}, expected a store")

    # Checked for the whole map first; the checks per flow below, which report each problem at
    # its own flow, run only when this finds something (they take 4x as long on 50,000 flows).
    fl = list(flows.values())
    refs_ok = (
        {f.source for f in fl} | {f.target for f in fl} <= nodes.keys()
        and {t for f in fl for t in f.types} <= types.keys()
        and {p for f in fl for p in f.purposes} <= purposes.keys()
        and {s for f in fl for s in f.subjects} <= subjects.keys()
    )
    kind_of = {k: n.kind for k, n in nodes.items()}
    flows_ok = refs_ok and all(
        f.source != f.target  # no flow to itself
        and (kind_of[f.source] == "subject") == (f.context is not None)  # a context exactly on collections
        and not (kind_of[f.source] == "subject" and kind_of[f.target] == "subject")
        and len(set(f.types)) == len(f.types)  # nothing listed twice
        and len(set(f.purposes)) == len(f.purposes)
        for f in fl
    )
    for f in () if flows_ok else fl:
        if refs_ok:
            ok_s = ok_t = True
        else:
            ok_s = chk.ref(f, "from", f.source, nodes, "node")
            ok_t = chk.ref(f, "to", f.target, nodes, "node")
            chk.refs(f, "types", f.types, types, "information type")
            chk.refs(f, "purposes", f.purposes, purposes, "purpose")
            chk.refs(f, "subjects", f.subjects, subjects, "data subject")
        for key, vals in (("types", f.types), ("purposes", f.purposes)):
            if len(set(vals)) == len(vals):
                continue
            dup = sorted(v for v, n in Counter(vals).items() if n > 1)
            if dup:
                more = len(dup) - MAX_ERRORS_PER_LIST
                shown = ", ".join(dup[:MAX_ERRORS_PER_LIST]) + (f" and {more:,} more" if more > 0 else "")
                chk.err(f, f"{key}: listed twice: {shown}", "list each once", (key,))
        if f.source == f.target:
            chk.err(f, f"flow goes from '{f.source}' to itself", "a flow joins two different nodes")
        if ok_s and ok_t:
            src_subject = kind_of[f.source] == "subject"
            if src_subject and f.context is None:
                chk.err(
                    f,
                    "a flow from a data subject needs 'context'",
                    "one of: registration, product_use, inquiry, offline_delivery",
                )
            if not src_subject and f.context is not None:
                chk.err(f, "'context' is only for flows that start at a data subject", "", ("context",))
            if src_subject and kind_of[f.target] == "subject":
                chk.err(f, "a flow cannot join two data subjects directly", "route it through a system")

    home = info.home if info is not None else ""
    lawful = lawful_bases_for(home)
    _lawful_checks(home, lawful, purposes.values(), fl, chk)
    categories = {o.category for o in orgs.values() if o.category}
    for p in policies.values():
        chk.ref(p, "controller", p.controller, orgs, "organisation")
        seen: dict[str, Declaration] = {}
        for d in p.declarations:
            if d.id in seen:
                chk.err(d, f"duplicate declaration id '{d.id}' in policy '{p.id}' (first at {seen[d.id].src})")
            seen[d.id] = d
            chk.refs(d, "subjects", d.subjects, subjects, "data subject")
            chk.refs(d, "types", d.types, types, "information type")
            chk.refs(d, "purposes", d.purposes, purposes, "purpose")
            for j, c in enumerate(d.locations):
                chk.place(d, "locations", c, regions, ("locations", j))
            chk.retention(d, "retention", d.retention)
            for j, b in enumerate(d.lawful_bases):
                _lawful_check(home, lawful, d, b, ("lawful_bases", j), chk)
            for j, who in enumerate(d.recipients):
                if who not in orgs and who not in categories:
                    hint = did_you_mean(who, [*orgs, *categories]) or (
                        "name an organisation id, or a category that organisations give in 'category'"
                    )
                    message = f"recipients[{j}]: '{who}' is neither an organisation nor a category"
                    chk.err(d, message, hint, ("recipients", j))
            _declaration_shape(d, chk)
        if p.statement is not None:
            _check_statement(p, root, chk)

    _raw_refs(got.failed_raw, tables, chk)

    if errors or info is None:
        errors = _todo_first(docs, errors)
        kept, note = _without_cascade(errors, unread, chk.suppressed)
        raise MapValidationError(kept, note=note)
    files = tuple(sorted({d.file for d in docs if not d.file.startswith("<flowatlas>")}))
    return Map.create(
        info=info,
        types=types,
        purposes=purposes,
        subjects=subjects,
        organisations=orgs,
        nodes=nodes,
        flows=flows,
        policies=policies,
        regions=regions,
        root=root,
        files=files,
        digest=digest,
    )


#: The references of each section's records: key -> (table, what it names).
_RAW_REFS: dict[str, dict[str, tuple[str, str]]] = {
    "flows": {
        "from": ("nodes", "node"),
        "to": ("nodes", "node"),
        "types": ("information_types", "information type"),
        "purposes": ("purposes", "purpose"),
        "subjects": ("data_subjects", "data subject"),
    },
    "nodes": {
        "owner": ("organisations", "organisation"),
        "subject": ("data_subjects", "data subject"),
        "generates": ("information_types", "information type"),
        "retention_purposes": ("purposes", "purpose"),
        "backup_of": ("nodes", "node"),
        "replica_of": ("nodes", "node"),
    },
    "organisations": {"engaged_by": ("organisations", "organisation")},
    "information_types": {"parent": ("information_types", "information type")},
    "purposes": {"parent": ("purposes", "purpose")},
    "data_subjects": {"parent": ("data_subjects", "data subject")},
}


def _todo_first(docs: Sequence[Located], errors: list[MapError]) -> list[MapError]:
    """``errors`` with every value still :data:`TODO` named first, at its file:line, and the
    errors that only follow from a TODO (a TODO that is not a country, an unknown id 'TODO')
    left out. Run only on a map that has errors: a valid map has no TODO in a checked field."""
    todo: list[MapError] = []
    for doc in docs:
        if doc.file.startswith("<flowatlas>"):
            continue
        stack: list[tuple[Any, tuple[str | int, ...]]] = [(doc.data, ())]  # a loop: nesting may be deep
        while stack:
            value, path = stack.pop()
            if isinstance(value, dict):
                stack.extend((v, (*path, k)) for k, v in value.items())
            elif isinstance(value, list):
                stack.extend((v, (*path, i)) for i, v in enumerate(value))
            elif value == TODO:
                name = next((p for p in reversed(path) if isinstance(p, str)), "value")
                need = f"fill it in with {TODO_NEEDS[name]}" if name in TODO_NEEDS else "fill it in"
                todo.append(MapError(doc.locate(path), f"'{name}' is still {TODO}: {need}", TODO_HINT))
    if not todo:
        return errors
    at = {e.src for e in todo}
    rest = [e for e in errors if e.src not in at and f"'{TODO}'" not in e.message]
    return sorted(todo, key=lambda e: e.src) + rest


def _raw_refs(failed: list[tuple[str, dict, Located, tuple]], tables: dict, chk: _Refs) -> None:
    """The references of records whose shape was wrong, read from what was written: an unknown
    node or type there is reported in the same run as the shape error."""
    for section, item, doc, path in failed:
        for key, (table_name, what) in _RAW_REFS.get(section, {}).items():
            value = item.get(key)
            values: list[tuple[str, tuple[str | int, ...]]] = [(value, (key,))] if isinstance(value, str) else []
            if isinstance(value, list):
                values = [(v, (key, j)) for j, v in enumerate(value) if isinstance(v, str)]
            table = tables[table_name]
            for v, at in values[:MAX_ERRORS_PER_LIST]:
                if v in table or v in chk.failed:
                    continue
                if id(table) in chk.unsure:  # a record of that table that failed may define it
                    chk.suppressed += 1
                    continue
                src = doc.locate(path + at)
                suggestion = did_you_mean(v, table, _names(table))
                if not ID_PATTERN.match(v):  # already reported as no valid id: add the suggestion there
                    for k, e in enumerate(chk.errors):
                        if e.src == src and suggestion and "not a valid id" in e.message:
                            chk.errors[k] = MapError(e.src, e.message, f"{suggestion} ids {e.hint}", e.consequential)
                    continue
                hint = suggestion or _define_hint(what, v)
                chk.errors.append(MapError(src, f"{_field_label(at)}: unknown {what} {excerpt(v)}", hint, True))


#: For a term a map may add: the section it goes in, and the command listing the existing ones.
_ADD_TERM = {
    "information type": ("information_types", "parent: personal", "types"),
    "purpose": ("purposes", "parent: provide-service", "purposes"),
    "data subject": ("data_subjects", "parent: account-holder", "subjects"),
}


def _define_hint(what: str, value: str) -> str:
    """How to fix an unknown id: for a taxonomy term, how to add it to the map (it is in no
    taxonomy yet); for anything else, define it or fix the id.

    >>> hint = _define_hint("information type", "tax_number")
    >>> hint.split(":")[0], "information_types: [{id: tax_number, name: ..., parent: personal}]" in hint
    ("no information type 'tax_number' in the taxonomy", True)
    """
    if what in _ADD_TERM:
        section, parent, kind = _ADD_TERM[what]
        return (
            f"no {what} {excerpt(value)} in the taxonomy: add it to the map, e.g. {section}: "
            f"[{{id: {value}, name: ..., {parent}}}] (flowatlas taxonomy --kind {kind} lists them)"
        )
    return f"define {what} {excerpt(value)} or fix the id"


def _names(table: dict) -> dict[str, str]:
    """``{id: name}`` of a table's records that have a name (for did-you-mean by name)."""
    return {k: v.name for k, v in table.items() if isinstance(getattr(v, "name", None), str)}


def _lawful_check(home: str, lawful: dict, rec: Record, basis: str, at: tuple, chk: _Refs) -> None:
    if basis in lawful:
        return
    elsewhere = [r.id for r in regimes() if basis in r.lawful_bases]
    label = _field_label(at)
    if elsewhere:
        message = f"{label}: '{basis}' is a lawful basis under {', '.join(elsewhere)}, not under the regime of {home}"
    else:
        message = f"{label}: unknown lawful basis '{basis}'"
    hint = did_you_mean(basis, lawful) or f"one of: {', '.join(sorted(lawful))} (flowatlas taxonomy --kind bases)"
    chk.err(rec, message, hint, at)


def _lawful_checks(home: str, lawful: dict, purposes: Iterable[Purpose], flows: list[Flow], chk: _Refs) -> None:
    """Lawful bases named on purposes and flows are the regime's (checked record by record only
    when the map names one the regime lacks)."""
    records: list[Purpose | Flow] = [*purposes, *flows]
    if {r.lawful_basis for r in records if r.lawful_basis} <= lawful.keys():
        return
    for rec in records:
        b = rec.lawful_basis
        if b:
            _lawful_check(home, lawful, rec, b, ("lawful_basis",), chk)


def _region_checks(regions: dict, chk: _Refs) -> None:
    """A region is no country code, lists known countries or regions, and contains no cycle."""
    for r in regions.values():
        if is_country(r.id):
            chk.err(r, f"region id '{r.id}' is a country code", "give the group another id", ("id",))
        for j, code in enumerate(member_codes(r)):
            if code == r.id:
                chk.err(r, f"members[{j}]: region '{r.id}' lists itself", "remove it", ("members", j))
            elif not is_country(code) and code not in regions:
                hint = _place_hint(code, countries_only=False, regions=sorted(regions))
                chk.err(r, f"members[{j}]: '{code}' is neither a country code nor a region id", hint, ("members", j))
        if r.valid_from and r.valid_until and r.valid_until < r.valid_from:
            chk.err(r, "valid_until is before valid_from", "swap the dates", ("valid_until",))
    import networkx as nx

    g = nx.DiGraph((r.id, c) for r in regions.values() for c in member_codes(r) if c in regions and c != r.id)
    try:
        cycle = [a for a, _ in nx.find_cycle(g)]
    except nx.NetworkXNoCycle:
        return
    chk.err(
        regions[cycle[0]],
        f"regions contain each other: {' > '.join([*cycle, cycle[0]])}",
        "one must not list the other",
    )


_NEEDS: dict[str, tuple[str, ...]] = {
    "collection": ("types",),
    "storage": ("locations",),
    "purpose": ("purposes",),
    "sharing": ("bases",),
    "transfer": ("locations",),
    "right": ("rights",),
    "security": ("measures",),
}


def _check_statement(p: Policy, root: str, chk: _Refs) -> None:
    """The policy's statement file exists in the map folder and holds every declaration's quote.
    Maps read from memory or from other readers' records have no folder: nothing to read."""
    folder = Path(root)
    if not (folder.is_dir() or folder.is_file()):
        return
    if folder.is_file():
        folder = folder.parent
    try:
        text = read_statement(folder, p.statement or "")
    except (ValueError, OSError) as exc:
        chk.err(p, f"statement: {exc}", at=("statement",))
        return
    missing = missing_quotes(p, text)
    for d in missing[:MAX_ERRORS_PER_LIST]:
        chk.err(
            d,
            f"quote not found in {p.statement}: {excerpt(d.quote)}",
            "copy the words exactly as the statement has them (spacing and case aside; '...' for a cut)",
            ("quote",),
        )
    if len(missing) > MAX_ERRORS_PER_LIST:
        chk.err(p, f"{len(missing) - MAX_ERRORS_PER_LIST} more declarations quote text {p.statement} does not hold")


#: What each kind of prohibition needs.
_PROHIBITION_NEEDS: dict[str, tuple[str, ...]] = {
    "sharing": ("recipient_roles",),
    "storage": ("types",),
    "use": ("purposes",),
    "location": ("locations",),
    "sale": (),
}


def _declaration_shape(d: Declaration, chk: _Refs) -> None:
    for key in _NEEDS.get(d.kind, ()):
        if not getattr(d, key):
            chk.err(d, f"a '{d.kind}' declaration needs '{key}'")
    if d.prohibits is not None and d.kind != "prohibition":
        chk.err(d, f"'prohibits' is only for prohibitions, not for a '{d.kind}' declaration", at=("prohibits",))
    if d.kind == "prohibition":
        what = d.prohibits or "sharing"
        for key in _PROHIBITION_NEEDS[what]:
            if not getattr(d, key):
                hint = "" if d.prohibits else "or set 'prohibits' (storage, use, location, sale) for another kind"
                chk.err(d, f"a prohibition of {what} needs '{key}'", hint)
    if d.kind == "retention" and d.retention is None and not d.purposes:
        chk.err(d, "a 'retention' declaration needs 'retention' (the limit) or 'purposes' (the exceptions)")


__all__ = ["ID_PATTERN", "assemble", "did_you_mean", "is_country", "load_map", "load_texts"]
