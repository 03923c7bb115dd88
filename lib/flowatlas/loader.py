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
from collections.abc import Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.dataclasses import is_pydantic_dataclass
from pydantic.fields import FieldInfo

from flowatlas.atlas import Map
from flowatlas.checks import CHECKS, Build, Refs, field_label, is_country, place_hint
from flowatlas.errors import MapError, MapValidationError
from flowatlas.gcpause import gc_paused
from flowatlas.inert import excerpt
from flowatlas.inputs import InputProblem, read_bytes
from flowatlas.model import (
    ID_PATTERN,
    MAP_FORMAT,
    MAP_FORMATS,
    SECTIONS,
    MapInfo,
    Record,
    Source,
)
from flowatlas.readers import READERS, Located, reader_for, suffixes
from flowatlas.regions import BASE_REGIONS
from flowatlas.suggest import did_you_mean
from flowatlas.yamlio import Document, parse_yaml, read_file

MAX_FILES = 10_000
BASE_TAXONOMY = "taxonomy.yaml"
BASE_CONTEXTS = "contexts.yaml"

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
                    try:
                        target = p.resolve()
                    except RuntimeError:  # links that lead to each other (Path.resolve's "Symlink loop")
                        loop = "this link is part of a loop of links"
                        errors.append(MapError(Source(name(p), 1), loop, "point it at a file, or remove it"))
                        continue
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
    elif os.path.lexists(root):  # a pipe, a device, a link that loops or leads nowhere
        try:
            read_bytes(root, str(path), what="map file")
        except InputProblem as exc:
            raise MapValidationError(exc.errors) from None
        raise MapValidationError([MapError(Source(str(path), 1), "not a map folder or file")])  # pragma: no cover
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
        except InputProblem as exc:
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
            if isinstance(got, InputProblem):
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
        except InputProblem as exc:
            errors.extend(exc.errors)
    return build_map(precise, errors, root=root, digest=digest)


@functools.cache
def _base_document(name: str) -> Document:
    text = resources.files("flowatlas").joinpath("data", name).read_text("utf-8")
    return parse_yaml(text, f"<flowatlas>/{name}")


def _base_documents(base_taxonomy: bool) -> list[Document]:
    """The package's documents read before a map's own: the region groups and the contexts of
    collection (always) and the base taxonomy (unless ``base_taxonomy`` is false)."""
    docs = [_base_document(BASE_REGIONS), _base_document(BASE_CONTEXTS)]
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
        field_name = field_label(loc)
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
                        place_hint(str(value), countries_only=True),
                    )
                )
            elif e["ctx"]["pattern"] == r"^[A-Z][A-Z0-9_-]*$":
                out.append(
                    MapError(
                        doc.locate(path),
                        f"{excerpt(value)} is not a country code or region id",
                        place_hint(str(value), countries_only=False),
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


#: The sections whose terms flowatlas ships (the base taxonomy, the region groups), and what
#: a record of each is called.
SHIPPED_TERMS: dict[str, str] = {
    "information_types": "information type",
    "purposes": "purpose",
    "data_subjects": "data subject",
    "contexts": "context of collection",
    "regions": "region",
}


def _shipped(r: Record) -> bool:
    """Whether a record is flowatlas's own (the base taxonomy, the region groups)."""
    return r.src is not None and r.src.file.startswith("<flowatlas>")


def _own_terms_win(records: list[Record], what: str, notes: list[MapError]) -> list[Record]:
    """``records`` less the shipped ones (``<flowatlas>/...``) whose id the map defines for
    itself: a map valid today stays valid when the base taxonomy gains a term it already has, and
    its own definition is the one it means. Each such term is noted at the map's record."""
    shipped = {r.id: r for r in records if _shipped(r)}  # type: ignore[attr-defined]
    own = {r.id for r in records if not _shipped(r)}  # type: ignore[attr-defined]
    clash = own & shipped.keys()
    if not clash:
        return records
    out = []
    for r in records:
        rid = r.id  # type: ignore[attr-defined]
        if rid in clash and r is shipped[rid]:
            continue
        if rid in clash:
            notes.append(
                MapError(
                    r.src or Source("<unknown>", 1),
                    f"{what} '{rid}' is also in flowatlas's own vocabulary ({shipped[rid].src}): "
                    "this map's definition is used",
                    "rename it to keep both, or remove it to use flowatlas's",
                )
            )
        out.append(r)
    return out


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


def _check_format(docs: Sequence[Located]) -> None:
    """Refuse a map written in a format this release does not read, before anything else is
    checked: its other errors would be the format's, not the map's. No ``format`` is format 1.

    >>> try:
    ...     load_texts({"map.yaml": "map:\\n  id: m\\n  format: 2\\n"})
    ... except MapValidationError as exc:
    ...     print(exc.errors[0].src, exc.errors[0].message)
    map.yaml:3:3 map format 2 is newer than the formats this release of flowatlas reads (1)
    """
    readable = ", ".join(map(str, MAP_FORMATS))
    for doc in docs:
        info = doc.data.get("map") if isinstance(doc.data, dict) else None
        if not isinstance(info, dict) or "format" not in info:
            continue
        given = info["format"]
        if type(given) is int and given in MAP_FORMATS:
            continue
        if type(given) is int and given > max(MAP_FORMATS):
            message = f"map format {given} is newer than the formats this release of flowatlas reads ({readable})"
            hint = (
                f"upgrade flowatlas to a release that reads format {given} (pip install -U flowatlas), "
                f"or keep the map in format {readable}"
            )
        else:
            shown = excerpt(given) if isinstance(given, str) else excerpt(given)[1:-1]  # a string quoted, else bare
            message = f"map format {shown} is not a format this release of flowatlas reads ({readable})"
            hint = f"write 'format: {MAP_FORMAT}' (a number), or leave it out: a map without one is format {MAP_FORMAT}"
        raise MapValidationError([MapError(doc.locate(("map", "format")), message, hint)])


def build_map(docs: Sequence[Located], errors: list[MapError], *, root: str, digest: str) -> Map:
    """Validate documents already parsed and assemble the :class:`Map` (or raise).

    Pass 2 checks each record's shape; pass 3 runs every registered check of the references
    (:data:`flowatlas.checks.CHECKS`). ``errors`` holds the problems of the files that could not
    be read or parsed, if any; while there are such, errors that may only follow from them
    (unknown ids) are counted, not listed.
    """
    unread = list(errors)
    _check_format(docs)
    got = _validate_shapes(docs, errors)
    notes: list[MapError] = []
    tables: dict[str, dict] = {}
    for section, what in SECTION_NAMES.items():
        records = got.by_section[section]
        if section in SHIPPED_TERMS:
            records = _own_terms_win(records, what, notes)
        tables[section] = _index(records, what, errors)
    chk = Refs(errors, got.where, got.failed_ids, tuple(tables[s] for s in got.failed_sections if s in tables))
    b = Build(docs=docs, root=root, tables=tables, maps=got.maps, chk=chk, failed_raw=got.failed_raw, notes=notes)
    for run in CHECKS:
        run(b)
    if errors or b.info is None:
        errors = _todo_first(docs, errors)
        kept, note = _without_cascade(errors, unread, chk.suppressed)
        raise MapValidationError(kept, note=note)
    files = tuple(sorted({d.file for d in docs if not d.file.startswith("<flowatlas>")}))
    return Map.create(
        info=b.info,
        types=tables["information_types"],
        purposes=tables["purposes"],
        subjects=tables["data_subjects"],
        contexts=tables["contexts"],
        organisations=tables["organisations"],
        nodes=tables["nodes"],
        flows=tables["flows"],
        policies=tables["policies"],
        regions=tables["regions"],
        root=root,
        files=files,
        digest=digest,
        notes=tuple(sorted(notes, key=lambda n: n.src)),
    )


#: Each section of a map, and what a record of it is called in messages.
SECTION_NAMES: dict[str, str] = {
    "information_types": "information type",
    "purposes": "purpose",
    "data_subjects": "data subject",
    "contexts": "context of collection",
    "organisations": "organisation",
    "nodes": "node",
    "flows": "flow",
    "policies": "policy",
    "regions": "region",
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


__all__ = ["ID_PATTERN", "assemble", "did_you_mean", "is_country", "load_map", "load_texts"]
