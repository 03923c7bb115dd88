"""Fides manifests in and out: ``flowatlas import fides`` and ``flowatlas export fides``.

Fides (privacy as code) describes systems with privacy declarations, the systems and datasets
they exchange data with (``egress``/``ingress``), datasets, and its taxonomy of data categories,
uses and subjects. Manifests are parsed and validated by the real ``fideslang`` package (the
``fides`` extra: ``pip install 'flowatlas[fides]'``).

Keys meet flowatlas's vocabulary through the ``fides`` keys the taxonomy carries: a key names
the first term that carries it; a key of no term whose last part is a term's id names that term
(what :func:`export_fides` writes for terms that share a key); any other key becomes a map-level
term under the term of its nearest mapped parent, and is listed. Keys of fideslang before 2.0
are migrated first (``data/fides_legacy.yaml``, the renames of Fides's own migrations).

>>> migrate("data_category", "user.provided.identifiable.date_of_birth")
'user.demographic.date_of_birth'
>>> Vocabulary.base().term("types", "user.contact.email"), Vocabulary.base().term("types", "user.name.contact_person")
('email', 'contact-person')
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter

from flowatlas.analysis import Analysis
from flowatlas.atlas import Map
from flowatlas.errors import MapError, MapValidationError, UsageError
from flowatlas.exports import exporter, formats, register
from flowatlas.extras import require
from flowatlas.inputs import InputProblem, decode, read_bytes
from flowatlas.loader import TODO, TODO_NEEDS, load_map
from flowatlas.model import SECTIONS as MAP_SECTIONS
from flowatlas.model import Flow, MapInfo, Node, Organisation
from flowatlas.source import Source
from flowatlas.yamlio import parse_yaml

#: flowatlas's sections and fideslang's resource types for the same vocabulary.
KINDS: dict[str, str] = {"types": "data_category", "purposes": "data_use", "subjects": "data_subject"}
SECTIONS: dict[str, str] = {"types": "information_types", "purposes": "purposes", "subjects": "data_subjects"}
#: What the errors of reading manifests are in (the head of their message).
MANIFESTS = "Fides manifests"
RESPONSIBILITY_ROLES: dict[str, str] = {
    "Controller": "controller",
    "Processor": "processor",
    "Sub-Processor": "sub_processor",
}
#: GDPR Art. 6(1)'s bases as the map names them and as fideslang's LegalBasisForProcessingEnum does.
LAWFUL_BASES: dict[str, str] = {
    "consent": "Consent",
    "contract": "Contract",
    "legal_obligation": "Legal obligations",
    "vital_interests": "Vital interests",
    "public_task": "Public interest",
    "legitimate_interests": "Legitimate interests",
}
#: Transfer bases as the map names them and as fideslang's LegalBasisForTransfersEnum does
#: (any other basis is "Other").
TRANSFER_BASES: dict[str, str] = {
    "adequacy": "Adequacy Decision",
    "standard_contractual_clauses": "SCCs",
    "binding_corporate_rules": "BCRs",
}
LAWFUL_FROM_FIDES: dict[str, str] = {v: k for k, v in LAWFUL_BASES.items()}
#: fideslang 1.x's ``legal_basis`` of a data use, in the current spelling.
LEGACY_LAWFUL: dict[str, str] = {
    "Consent": "Consent",
    "Contract": "Contract",
    "Legal Obligation": "Legal obligations",
    "Vital Interest": "Vital interests",
    "Public Interest": "Public interest",
    "Legitimate Interests": "Legitimate interests",
}
_FLOW = TypeAdapter(Flow)
_ORG = TypeAdapter(Organisation)
_NODE = TypeAdapter(Node)
_INFO = TypeAdapter(MapInfo)
#: What a system's manifest says that the map models (its flows, owner and transfers): the
#: export writes these from the map; every other field a system has is kept on its node
#: (``fides:``) by the import, and written back by the export.
SYSTEM_MODELLED = frozenset(
    {
        "fides_key",
        "name",
        "organization_fides_key",
        "meta",
        "egress",
        "ingress",
        "dataset_references",
        "responsibility",
        "legal_name",
        "does_international_transfers",
        "legal_basis_for_transfers",
    }
)
#: The same for the organization: its contacts and security policy are kept.
ORGANIZATION_MODELLED = frozenset({"fides_key", "name", "description", "organization_fides_key"})
#: The same for a dataset: all but its key, name and organisation are kept.
DATASET_MODELLED = frozenset({"fides_key", "name", "organization_fides_key", "meta"})
#: What a privacy declaration says that the map's flows give (the rest of a declaration is kept).
DECLARATION_MODELLED = frozenset(
    {
        "data_use",
        "data_categories",
        "data_subjects",
        "egress",
        "ingress",
        "dataset_references",
        "legal_basis_for_processing",
        "retention_period",
        "data_shared_with_third_parties",
        "third_parties",
    }
)
#: A statement file an import may write: a plain file name that is not a map file.
STATEMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def _kept(model: Any, modelled: frozenset[str]) -> dict:
    """What a Fides resource says that the map does not model (its fields but ``modelled``), as
    plain data, as given: an empty list is not "not said"."""
    data = model.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return {k: v for k, v in data.items() if k not in modelled}


def _given(rec: Any, modelled: frozenset[str]) -> dict:
    """What an import kept on a node or organisation (``fides:``) for the export to write back,
    but the fields the export writes from the map."""
    return {k: v for k, v in (rec.fides or {}).items() if k not in modelled}


def _dump(adapter: TypeAdapter, rec: Any) -> dict:
    """A map record as the map writes it (aliases, nothing left at its default)."""
    out: dict = adapter.dump_python(rec, by_alias=True, exclude_none=True, exclude_defaults=True, mode="json")
    return out


def _data(name: str) -> Any:
    return yaml.safe_load((Path(__file__).resolve().parent / "data" / name).read_text("utf-8"))


@functools.cache
def _legacy() -> dict[str, list[dict[str, str]]]:
    return _data("fides_legacy.yaml")


def migrate(kind: str, key: str) -> str:
    """A pre-2.0 fideslang key as today's (unchanged when it is current): each rename table in
    turn, the longest matching prefix first."""
    for table in _legacy().get(kind, []):
        for old in sorted(table, key=len, reverse=True):
            if key == old or key.startswith(old + "."):
                key = table[old] + key[len(old) :]
                break
    return key


@functools.cache
def fides_terms() -> dict[str, dict[str, tuple[str, str | None]]]:
    """fideslang's default taxonomy: ``{kind: {key: (name, parent key)}}``."""
    require("fides", "Fides manifests")
    from fideslang import DEFAULT_TAXONOMY

    out: dict[str, dict[str, tuple[str, str | None]]] = {}
    for kind in KINDS.values():
        out[kind] = {
            t.fides_key: (t.name or t.fides_key, getattr(t, "parent_key", None))
            for t in getattr(DEFAULT_TAXONOMY, kind)
        }
    return out


def _parent_key(key: str) -> str | None:
    return key.rsplit(".", 1)[0] if "." in key else None


def _slug(key_part: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", key_part.lower()).strip("-") or "term"


@dataclass
class Vocabulary:
    """The terms of a map (or of the base taxonomy): id, parent and fides key by kind."""

    terms: dict[str, dict[str, tuple[str | None, str | None]]]  # kind -> id -> (parent, fides)

    @classmethod
    def base(cls) -> Vocabulary:
        data = _data("taxonomy.yaml")
        return cls({k: {t["id"]: (t.get("parent"), t.get("fides")) for t in data.get(SECTIONS[k], [])} for k in KINDS})

    @classmethod
    def of(cls, m: Any) -> Vocabulary:
        """A map's terms: the base taxonomy's in its own order (which of the terms sharing a key is
        first), then the map's, by id."""
        tables = {"types": m.types, "purposes": m.purposes, "subjects": m.subjects}
        base = cls.base().terms
        return cls(
            {
                k: {
                    i: (v[i].parent, v[i].fides)
                    for i in [*(i for i in base[k] if i in v), *sorted(set(v) - set(base[k]))]
                }
                for k, v in tables.items()
            }
        )

    def term(self, kind: str, key: str) -> str | None:
        """The term a fides key names (the first that carries it; else one whose id is its last part)."""
        for tid, (_, fides) in self.terms[kind].items():
            if fides == key:
                return tid
        last = _slug(key.rsplit(".", 1)[-1])
        return last if last in self.terms[kind] else None

    def key(self, kind: str, tid: str) -> str:
        """The fides key to write for a term: its own when it is the first to carry it, else
        ``PARENT_KEY.its_id`` under its nearest ancestor's key (so that import finds it again)."""
        parent, fides = self.terms[kind].get(tid, (None, None))
        if fides and self.term(kind, fides) == tid:
            return fides
        base = fides
        p = parent
        seen = {tid}
        while base is None and p is not None and p not in seen:
            seen.add(p)
            base = self.key(kind, p)
            p = self.terms[kind].get(p, (None, None))[0]
        base = base or {"types": "user", "purposes": "essential", "subjects": "customer"}[kind]
        return f"{base}.{tid.replace('-', '_')}" if kind != "subjects" else tid.replace("-", "_")


# --------------------------------------------------------------------------- reading manifests


@dataclass
class Resource:
    kind: str  # organization, system, dataset, data_category, data_use, data_subject, policy
    data: dict
    src: Source
    model: Any = None  # the fideslang model, once validated
    problems: tuple[MapError, ...] = ()  # why a resource the import only lists could not be read


def _manifest_files(paths: Sequence[str | Path]) -> list[Path]:
    """The manifest files at ``paths``: each file given (a pipe or a device is refused when it is
    read), and the ``.yml``/``.yaml`` files of each folder; a folder with none is an error."""
    out: list[Path] = []
    errors: list[MapError] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(x for x in p.rglob("*") if x.suffix in (".yml", ".yaml") and not x.is_dir())
            if not found:
                errors.append(MapError(Source(str(p), 1), "no Fides manifests (.yml, .yaml) in this folder"))
            out.extend(found)
        elif os.path.lexists(p):
            out.append(p)
        else:
            errors.append(MapError(Source(str(p), 1), "no such manifest file or folder"))
    if errors:
        raise MapValidationError(errors, subject=MANIFESTS)
    return out


def _migrate_resource(kind: str, data: dict) -> dict:
    """A resource with its legacy taxonomy keys renamed (categories and uses, where they appear)."""

    def cats(v: Any) -> Any:
        return [migrate("data_category", c) if isinstance(c, str) else c for c in v] if isinstance(v, list) else v

    out = dict(data)
    if kind in ("data_category", "data_use") and isinstance(out.get("fides_key"), str):
        out["fides_key"] = migrate(kind, out["fides_key"])
        if isinstance(out.get("parent_key"), str):
            out["parent_key"] = migrate(kind, out["parent_key"])
    # a value of the wrong shape is left as it is, for fideslang's model to name at its line
    if kind == "system" and isinstance(out.get("privacy_declarations", []), list):
        decls = []
        for d in out.get("privacy_declarations") or []:
            if isinstance(d, dict):
                d = dict(d)
                d["data_categories"] = cats(d.get("data_categories"))
                if isinstance(d.get("data_use"), str):
                    d["data_use"] = migrate("data_use", d["data_use"])
            decls.append(d)
        out["privacy_declarations"] = decls
    if kind == "system":  # fideslang 1.x's legal fields, in the current spelling
        title = out.get("data_responsibility_title")
        if isinstance(title, str) and not out.get("responsibility"):
            out["responsibility"] = [title]
        if out.get("third_country_transfers") and out.get("does_international_transfers") is None:
            out["does_international_transfers"] = True
        for side in ("egress", "ingress"):
            if isinstance(out.get(side), list):
                out[side] = [
                    ({**x, "data_categories": cats(x.get("data_categories"))} if isinstance(x, dict) else x)
                    for x in out[side]
                ] or None
    if kind == "dataset":
        if isinstance(out.get("collections", []), list):
            out["collections"] = [_migrate_fields(c, cats) for c in out.get("collections") or []]
        out["data_categories"] = cats(out.get("data_categories"))
    return out


def _migrate_fields(c: Any, cats: Any) -> Any:
    if not isinstance(c, dict):
        return c
    c = dict(c)
    c["data_categories"] = cats(c.get("data_categories"))
    if isinstance(c.get("fields"), list):
        c["fields"] = [_migrate_fields(f, cats) for f in c["fields"]]
    return c


def read_manifests(paths: Sequence[str | Path]) -> list[Resource]:
    """Every resource of the Fides manifests at ``paths`` (files, or folders of ``.yml``),
    migrated and validated by fideslang's models; raises :class:`MapValidationError` naming each
    invalid resource's file:line and field."""
    require("fides", "reading Fides manifests")
    from fideslang import model_map
    from pydantic import ValidationError

    errors: list[MapError] = []
    out: list[Resource] = []
    seen: dict[tuple[str, str], Source] = {}  # (resource type, fides_key) -> where first given
    for f in _manifest_files(paths):
        name = f.as_posix()
        try:  # a plain file, bounded, UTF-8 (an error names its line and column)
            doc = parse_yaml(decode(read_bytes(f, name, what="manifest"), name), name, fast=False)
        except InputProblem as exc:
            errors.extend(exc.errors)
            continue
        if not isinstance(doc.data, dict):
            errors.append(MapError(Source(name, 1), "not a Fides manifest", "expected keys such as system: [...]"))
            continue
        for kind, items in doc.data.items():
            if kind not in model_map:
                hint = f"Fides resource types: {', '.join(sorted(model_map))}"
                errors.append(MapError(doc.locate((kind,)), f"unknown Fides resource type '{kind}'", hint))
                continue
            for i, item in enumerate(items if isinstance(items, list) else [items]):
                src = doc.locate((kind, i))
                if not isinstance(item, dict):
                    errors.append(MapError(src, f"a {kind} must be a mapping"))
                    continue
                key = item.get("fides_key")
                if isinstance(key, str):
                    if (kind, key) in seen:
                        errors.append(
                            MapError(
                                src,
                                f"{kind} fides_key '{key}' is given twice (first at {seen[(kind, key)]})",
                                "a fides_key names one resource: rename one of them",
                            )
                        )
                        continue
                    seen[(kind, key)] = src
                data = _migrate_resource(kind, item)
                try:
                    model = model_map[kind].model_validate(data)
                except ValidationError as exc:
                    found = []
                    for e in exc.errors(include_url=False):
                        where = doc.locate((kind, i, *e["loc"]))
                        field_name = ".".join(str(x) for x in e["loc"]) or kind
                        found.append(MapError(where, f"{kind} '{item.get('fides_key', i)}': {field_name}: {e['msg']}"))
                    if kind == "policy":  # a map holds no Fides policy: one that is malformed blocks nothing
                        out.append(Resource(kind, data, src, None, tuple(found)))
                    else:
                        errors.extend(found)
                    continue
                out.append(Resource(kind, data, src, model))
    if not errors and not out:
        errors.append(MapError(Source(str(paths[0]) if paths else ".", 1), "the manifests hold no Fides resource"))
    if errors:
        raise MapValidationError(errors, subject=MANIFESTS)
    return out


# --------------------------------------------------------------------------- import


@dataclass
class Imported:
    """A map folder built from manifests: its files' texts, and what the person must do."""

    files: dict[str, str]
    todo: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, what to fill)
    added_terms: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, fides key, new id)
    left_out: list[str] = field(default_factory=list)  # what the manifests say that no map can hold, and why
    #: (system, its legal bases for transfers, the countries it names) where it says it transfers
    #: abroad: which flows is a person's call
    transfers: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    #: what the manifests say that became no part of the map, each with why and what to do
    unread: list[str] = field(default_factory=list)


class _Terms:
    """Term lookup during an import, adding map-level terms for keys no term names."""

    def __init__(self, custom: Mapping[str, Mapping[str, tuple[str, str | None]]]) -> None:
        self.vocab = Vocabulary.base()
        self.custom = custom  # kind -> key -> (name, parent key) given in the manifests
        self.added: dict[str, dict[str, dict]] = defaultdict(dict)  # kind -> id -> record

    def __call__(self, kind: str, key: str) -> str:
        got = self.vocab.term(kind, key)
        if got is not None:
            return got
        fkind = KINDS[kind]
        name, parent_key = self.custom.get(fkind, {}).get(key) or fides_terms()[fkind].get(key) or (None, None)
        parent_key = parent_key or _parent_key(key)
        parent = self(kind, parent_key) if parent_key else None
        taken = {i for k in KINDS for i in (*self.vocab.terms[k], *self.added[k])}  # ids of every kind
        parts = key.split(".")
        tid = next(
            (t for n in range(1, len(parts) + 1) if (t := _bounded(_slug("-".join(parts[-n:])), key)) not in taken),
            _bounded(_slug(key), key),
        )
        record: dict[str, Any] = {"id": tid, "name": name or key.rsplit(".", 1)[-1].replace("_", " ").capitalize()}
        if parent and kind != "subjects":
            record["parent"] = parent
        record["fides"] = key
        self.added[kind][tid] = record
        self.vocab.terms[kind][tid] = (record.get("parent"), key)
        return tid


def _id(key: str) -> str:
    """A fides key as a flowatlas id (ids allow letters, digits, '-', '_' and '.', at most
    :data:`MAX_ID` characters: a longer one keeps its start and a digest of the whole key).

    >>> _id("web app"), len(_id("a." * 300))
    ('web-app', 200)
    """
    return _bounded(re.sub(r"[^A-Za-z0-9_.-]+", "-", key).strip("-") or "x", key)


#: The longest id a map allows (:data:`flowatlas.model.Id`).
MAX_ID = 200


def _bounded(tid: str, key: str) -> str:
    """``tid``, or, when longer than :data:`MAX_ID`, its start and a digest of ``key``."""
    if len(tid) <= MAX_ID:
        return tid
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return tid[: MAX_ID - 11].rstrip("-._") + "-" + digest


def import_fides(resources: Sequence[Resource]) -> Imported:
    """The map folder the manifests describe. What a manifest does not say (where an
    organisation or node is, a store's retention, a collection's context, a transfer's basis)
    is written as ``TODO`` for a person to fill, and listed."""
    by_kind: dict[str, list[Resource]] = defaultdict(list)
    for r in resources:
        by_kind[r.kind].append(r)
    custom = {
        k: {
            r.model.fides_key: (r.model.name or r.model.fides_key, getattr(r.model, "parent_key", None))
            for r in by_kind.get(k, [])
        }
        for k in KINDS.values()
    }
    term = _Terms(custom)
    orgs = [r.model for r in by_kind.get("organization", [])]
    controller = orgs[0].fides_key if orgs else "organisation"
    organisations: dict[str, dict] = {}
    for o in orgs or [None]:
        oid = _id(o.fides_key) if o else controller
        organisations[oid] = {
            "id": oid,
            "name": (o.name if o else None) or oid,
            "role": "controller",
            "jurisdiction": TODO,
        }
        if o is not None and o.description:
            organisations[oid]["description"] = o.description
        if o is not None and (extra := _kept(o, ORGANIZATION_MODELLED)):
            organisations[oid]["fides"] = extra
    nodes: dict[str, dict] = {}
    flows: dict[tuple[str, str], dict] = {}
    systems = [r.model for r in by_kind.get("system", [])]
    datasets = {r.model.fides_key: r.model for r in by_kind.get("dataset", [])}

    def meta(model: Any) -> dict:
        m = getattr(model, "meta", None) or {}
        return m.get("flowatlas", {}) if isinstance(m.get("flowatlas"), dict) else {}

    def owner_of(model: Any, fm: dict) -> str:
        """The organisation a system or dataset belongs to (added when new): its flowatlas owner,
        else the organisation its legal name names, else the controller."""
        owner = fm.get("owner") or _id(controller)
        legal = getattr(model, "legal_name", None)
        if not fm.get("owner") and legal and legal not in {o["name"] for o in organisations.values()}:
            owner = _slug(legal)
        if owner not in organisations:  # (owner_name, owner_role...: the meta of exports before owner_record)
            roles = [getattr(x, "value", x) for x in (getattr(model, "responsibility", None) or [])]
            role = next(
                (RESPONSIBILITY_ROLES[r] for r in roles if r in RESPONSIBILITY_ROLES and r != "Controller"),
                fm.get("owner_role") or "third_party",
            )
            organisations[owner] = {
                "id": owner,
                "name": fm.get("owner_name") or legal or owner,
                "role": role,
                "jurisdiction": fm.get("owner_jurisdiction") or TODO,
            }
            if role == "sub_processor":
                organisations[owner]["engaged_by"] = fm.get("owner_engaged_by") or TODO
        whole = fm.get("owner_record")
        if isinstance(whole, dict) and whole.get("id") == owner:  # a flowatlas export: the record as it was
            organisations[owner] = dict(whole)
        return owner

    carried_whole: set[str] = set()  # the nodes a flowatlas export carried whole, with their flows

    def whole(model: Any, fm: dict, rec: dict) -> dict:
        """``rec``, or the node as the map had it where a flowatlas export carries it whole."""
        given = fm.get("node_record")
        if isinstance(given, dict) and given.get("id") == rec["id"]:
            carried_whole.add(rec["id"])
            return dict(given)
        return rec

    for s in systems:
        fm = meta(s)
        owner = owner_of(s, fm)
        rec = {
            "id": _id(s.fides_key),
            "name": s.name or s.fides_key,
            "kind": "system",
            "owner": owner,
            "jurisdiction": fm.get("jurisdiction") or TODO,
        }
        if extra := _kept(s, SYSTEM_MODELLED):
            rec["fides"] = extra
        nodes[_id(s.fides_key)] = whole(s, fm, rec)
    raw_datasets = {str(r.data.get("fides_key")): r for r in by_kind.get("dataset", [])}
    said_retention: list[str] = []  # fideslang 1.x retentions the map holds otherwise, or cannot
    for key, d in datasets.items():
        fm = meta(d)
        rec = {
            "id": _id(key),
            "name": d.name or key,
            "kind": "store",
            "owner": owner_of(d, fm),
            "jurisdiction": fm.get("jurisdiction") or TODO,
            "retention": fm.get("retention") or TODO,
        }
        given = raw_datasets.get(key)
        if given is not None and not fm.get("retention"):
            rec["retention"], notes = _dataset_retention(given)
            said_retention += notes
        if extra := _kept(d, DATASET_MODELLED):
            rec["fides"] = extra
        nodes[_id(key)] = whole(d, fm, rec)
    carried = next(
        (mr for model in [*systems, *datasets.values()] if isinstance(mr := meta(model).get("map_record"), dict)),
        None,
    )
    if carried is not None:  # a flowatlas export: the map's header, terms, organisations, people, policies
        for o in carried.get("organisations") or []:
            if isinstance(o, dict) and isinstance(o.get("id"), str):
                organisations[o["id"]] = dict(o)
        for n in carried.get("nodes") or []:
            if isinstance(n, dict) and isinstance(n.get("id"), str):
                nodes[n["id"]] = dict(n)

    def subject_node(key: str) -> str:
        sid = term("subjects", key)
        nid = f"subj-{sid}"
        nodes.setdefault(
            nid, {"id": nid, "name": sid.replace("-", " ").capitalize(), "kind": "subject", "subject": sid}
        )
        return nid

    def dataset_types(d: Any) -> list[str]:
        keys: list[str] = list(d.data_categories or [])

        def walk(fields: Iterable[Any]) -> None:
            for f in fields or []:
                keys.extend(f.data_categories or [])
                walk(f.fields or [])

        for c in d.collections or []:
            keys.extend(c.data_categories or [])
            walk(c.fields)
        return sorted({term("types", k) for k in keys})

    def add_flow(
        src: str, dst: str, types: Iterable[str], purposes: Iterable[str], subject: bool, lawful: Iterable[Any] = ()
    ) -> None:
        f = flows.setdefault((src, dst), {"types": set(), "purposes": set(), "subject": subject, "lawful": set()})
        f["types"].update(types)
        f["purposes"].update(purposes)
        f["lawful"].update(lawful)

    used: set[int] = set()  # the declarations (by id()) some flow carries

    # fideslang 1.x put the lawful basis on the data use: a declaration without its own takes it
    use_basis = {
        migrate("data_use", str(r.data.get("fides_key"))): LEGACY_LAWFUL.get(str(r.data.get("legal_basis")))
        for r in by_kind.get("data_use", [])
        if r.data.get("legal_basis")
    }

    def lawful_of(decls: Iterable[Any]) -> set:
        """The lawful bases the declarations give (their fideslang names; None where one gives none)."""
        return {
            getattr(d.legal_basis_for_processing, "value", d.legal_basis_for_processing) or use_basis.get(d.data_use)
            for d in decls
        }

    unread: list[str] = [*said_retention]  # what the manifests say that became no part of the map, and why
    for s in systems:
        sid = _id(s.fides_key)
        decls = list(s.privacy_declarations or [])
        for side in ("ingress", "egress"):
            for df in getattr(s, side) or []:
                naming = [d for d in decls if df.fides_key in (getattr(d, side) or [])] or (
                    decls if df.type == "user" else []
                )
                used.update(id(d) for d in naming)
                cats = df.data_categories or [c for d in naming for c in d.data_categories]
                types = {term("types", c) for c in cats}
                purposes = {term("purposes", d.data_use) for d in naming}
                if df.type == "user":  # each declaration says whose data it is, and which
                    for d in naming:
                        for key in d.data_subjects or ["customer"]:
                            nid = subject_node(key)
                            pair = (nid, sid) if side == "ingress" else (sid, nid)
                            add_flow(
                                *pair,
                                {term("types", c) for c in d.data_categories},
                                {term("purposes", d.data_use)},
                                subject=True,
                                lawful=lawful_of([d]),
                            )
                else:
                    other = _id(df.fides_key)
                    pair = (other, sid) if side == "ingress" else (sid, other)
                    # the sender's declarations give a flow's lawful basis, not the receiver's
                    add_flow(
                        *pair, types, purposes, subject=False, lawful=lawful_of(naming) if side == "egress" else ()
                    )
        for ref in [*(s.dataset_references or []), *(r for d in decls for r in (d.dataset_references or []))]:
            if ref not in datasets:
                unread.append(
                    f"`{s.fides_key}` references dataset `{ref}`, which no manifest given defines: no flow to it"
                )
            if ref in datasets:
                users = [d for d in decls if ref in (d.dataset_references or [])] or decls
                used.update(id(d) for d in users)
                periods = {_retention(d.retention_period) for d in users if d.retention_period}
                store = nodes[_id(ref)]
                if store.get("retention") == TODO and len(periods) == 1 and (got := periods.pop()):
                    store["retention"] = got  # the declaration that writes to it says how long
                add_flow(
                    sid,
                    _id(ref),
                    dataset_types(datasets[ref]),
                    {term("purposes", d.data_use) for d in users},
                    subject=False,
                    lawful=lawful_of(users),
                )
    for key, d in datasets.items():
        for e in meta(d).get("egress") or []:
            if isinstance(e, dict) and isinstance(e.get("to"), str):
                add_flow(
                    _id(key),
                    _id(e["to"]),
                    {term("types", c) for c in e.get("data_categories") or []},
                    {term("purposes", u) for u in e.get("data_uses") or []},
                    subject=False,
                )
    exact = [
        rec
        for model in [*systems, *datasets.values()]
        for rec in (meta(model).get("flows") or [])
        if isinstance(rec, dict) and isinstance(rec.get("from"), str) and isinstance(rec.get("to"), str)
    ]
    for rec in exact:  # flows a flowatlas export carries whole: their people, as the import names them
        for end in (rec["from"], rec["to"]):
            if end.startswith("subj-") and end not in nodes:
                subject_node(end[len("subj-") :])
    for s in systems:
        for d in s.privacy_declarations or []:
            if id(d) not in used and not meta(s).get("flows"):
                cats, subjects = ", ".join(d.data_categories) or "no categories", ", ".join(d.data_subjects) or "none"
                unread.append(
                    f"`{s.fides_key}` declaration '{d.name or d.data_use}' ({d.data_use}: {cats}; subjects "
                    f"{subjects}): no egress, ingress or dataset reference names it, so no flow carries it: "
                    "add the flows it describes"
                )
    own_policies = {_id(str(p.get("id"))) for p in (carried or {}).get("policies") or [] if isinstance(p, dict)}
    for r in by_kind.get("policy", []):
        what = f"policy `{r.data.get('fides_key', '?')}` ({r.src})"
        if r.data.get("fides_key") in own_policies and not r.problems:
            continue  # the export's rendering of the map's own policy, which the map record carries whole
        if r.problems:
            unread.append(f"{what} not read: {'; '.join(f'{p.src}: {p.message}' for p in r.problems)}")
        else:
            unread.append(
                f"{what} not imported: a map holds the privacy statement's declarations as its policy "
                "(docs/map-format.md); write the statement's clauses there"
            )
    raw = {id(r.model): r.data for r in by_kind.get("system", [])}
    transfers = [
        (
            s.fides_key,
            sorted(str(b) for b in (s.legal_basis_for_transfers or [])),
            sorted(str(c) for c in (raw.get(id(s), {}).get("third_country_transfers") or [])),  # fideslang 1.x
        )
        for s in systems
        if s.does_international_transfers and not meta(s).get("flows")
    ]
    out = _write(controller, organisations, nodes, flows, term, orgs, exact, transfers, unread, carried, carried_whole)
    return out


_PERIOD = re.compile(r"(\d+)\s*(day|week|month|year)s?", re.IGNORECASE)


def _dataset_retention(r: Any) -> tuple[str, list[str]]:
    """A fideslang 1.x dataset's ``retention`` (on the dataset, its collections or fields) as the
    store's retention, and what TODO.md must say: a retention flowatlas cannot read, or parts
    kept for another time than the dataset (a map holds one retention per store).

    >>> class R: data = {"fides_key": "d", "retention": "90 days", "collections": [{"name": "c",
    ...     "fields": [{"name": "f", "retention": "1 year"}]}]}; src = "d.yml:2:5"
    >>> kept, notes = _dataset_retention(R)
    >>> kept, notes[0][:55]
    ('P90D', 'dataset `d` (d.yml:2:5) keeps c.f for 1 year, not the d')
    """
    data = r.data
    top = data.get("retention")
    parts: list[tuple[str, str]] = []

    def walk(items: Any, path: str) -> None:
        for x in items if isinstance(items, list) else []:
            if isinstance(x, dict):
                here = f"{path}{x.get('name', '?')}"
                if isinstance(x.get("retention"), str) and x["retention"] != top:
                    parts.append((here, x["retention"]))
                walk(x.get("fields"), here + ".")

    walk(data.get("collections"), "")
    key = data.get("fides_key")
    notes = [
        f"dataset `{key}` ({r.src}) keeps {where} for {ret}, not the dataset's {top or 'retention (none given)'}: "
        "a map holds one retention per store (the dataset's); split the store if that matters"
        for where, ret in parts
    ]
    if not isinstance(top, str) or not top:
        return TODO, notes
    got = _retention(top)
    if not got:
        notes.insert(0, f"dataset `{key}` ({r.src}) retention '{top}': not a duration flowatlas reads; write it as one")
    return got or TODO, notes


def _retention(period: str) -> str:
    """A declaration's ``retention_period`` as a map retention: ``30 days`` → ``P30D``; an
    ISO 8601 duration or a flowatlas retention as written; anything else "" (left to a person).

    >>> _retention("30 days"), _retention("2 Years"), _retention("P6M"), _retention("account_closure+P30D")
    ('P30D', 'P2Y', 'P6M', 'account_closure+P30D')
    >>> _retention("as long as needed")
    ''
    """
    text = period.strip()
    if got := _PERIOD.fullmatch(text):
        return f"P{got.group(1)}{got.group(2)[0].upper()}"
    if re.fullmatch(r"(?:[a-z_]+\+)?P[0-9YMWDTHS]+|while_service", text):
        return text
    return ""


def _write(
    controller: str,
    organisations: dict,
    nodes: dict,
    flows: dict,
    term: _Terms,
    orgs: list,
    exact: Sequence[dict] = (),
    transfers: Sequence[tuple[str, list[str], list[str]]] = (),
    unread: Sequence[str] = (),
    map_record: dict | None = None,
    carried_whole: set[str] | frozenset[str] = frozenset(),
) -> Imported:
    out = Imported({})
    out.transfers = list(transfers)
    out.unread = list(unread)
    kept_map = map_record or {}
    home = organisations.get(_id(controller), {}).get("jurisdiction", TODO)
    cid = _id(controller)
    name = (orgs[0].name if orgs else None) or cid
    head: dict[str, Any] = {
        "map": {
            "id": cid,
            "name": name,
            "controller": cid,
            "home": home,  # where the controller is, when the export said
            "description": "Imported from Fides manifests by flowatlas import fides.",
        }
    }
    if isinstance(kept_map.get("map"), dict):
        head = {"map": {k: v for k, v in kept_map["map"].items() if k != "evidence"}}
        if named := kept_map["map"].get("evidence"):  # files beside the map, which no manifest holds
            out.unread.append(
                f"the map's evidence ({', '.join(map(str, named))}): Fides manifests do not hold evidence files; "
                "copy them into this folder and list them in map.evidence again"
            )
    own = {kind: {r["id"] for r in kept_map.get(SECTIONS[kind]) or [] if isinstance(r, dict)} for kind in KINDS}
    for kind in KINDS:
        added = [term.added[kind][i] for i in sorted(term.added[kind]) if i not in own[kind]]
        if kept_map.get(SECTIONS[kind]) or added:
            head[SECTIONS[kind]] = [*(kept_map.get(SECTIONS[kind]) or []), *added]
        out.added_terms += [(kind, r["fides"], r["id"]) for r in added]
    for section in ("contexts", "regions"):
        if kept_map.get(section):
            head[section] = kept_map[section]
    known = set(nodes)
    flow_records = []
    whole = {(r["from"], r["to"]) for r in exact}
    for carried in sorted(exact, key=lambda r: str(r.get("id"))):  # each flow as the map had it
        if carried["from"] in known and carried["to"] in known:
            flow_records.append(carried)
    for (src, dst), f in sorted(flows.items()):
        if (src, dst) in whole or (dst if src.startswith("subj-") else src) in carried_whole:
            continue  # the export carried these flows whole (with their ids, people and bases)
        if src not in known or dst not in known:
            continue  # an egress to something the manifests do not define: listed below
        if src == dst:  # a map's flow joins two nodes: say so rather than write a map validate refuses
            out.left_out.append(f"`{src}`: its egress or ingress names the system itself; no flow written")
            continue
        rec: dict[str, Any] = {
            "id": f"{src}--{dst}",
            "from": src,
            "to": dst,
            "types": sorted(f["types"]) or TODO,
            "purposes": sorted(f["purposes"]) or TODO,
        }
        if f["subject"] and src.startswith("subj-"):
            rec["context"] = TODO
        lawful = f["lawful"]
        if len(lawful) == 1 and (basis := LAWFUL_FROM_FIDES.get(next(iter(lawful)) or "")):
            rec["lawful_basis"] = basis  # every declaration behind the flow gives this one
        flow_records.append(rec)
    missing = sorted({x for pair in flows for x in pair} - known)
    ends = {r[k] for r in flow_records for k in ("from", "to")}
    people = {n["id"] for n in (kept_map.get("nodes") or []) if isinstance(n, dict)}
    for nid in [i for i, n in nodes.items() if n.get("kind") == "subject" and i not in ends | people]:
        del nodes[nid]  # a person only the flows carried whole were from: they name the map's own
    docs = {
        "map.yaml": head,
        "organisations.yaml": {"organisations": [organisations[i] for i in sorted(organisations)]},
        "nodes.yaml": {"nodes": [nodes[i] for i in sorted(nodes)]},
        "flows.yaml": {"flows": flow_records},
    }
    if kept_map.get("policies"):
        docs["policy.yaml"] = {"policies": kept_map["policies"]}
        for name, text in sorted((kept_map.get("statements") or {}).items()):
            if STATEMENT_NAME.match(str(name)) and not str(name).endswith((".yaml", ".yml")) and isinstance(text, str):
                out.files[str(name)] = text
            else:
                out.unread.append(f"the statement `{name}`: not a plain file name a map folder can hold; not written")
    for fname, data in docs.items():
        text = "# Written by `flowatlas import fides`: review it, and fill in each TODO (TODO.md lists them).\n"
        text += yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        out.files[fname] = text
        for n, line in enumerate(text.splitlines(), 1):
            m = re.search(r"(\w+): TODO\b", line)
            if m:
                out.todo.append((fname, n, m.group(1)))
    out.files["TODO.md"] = _todo_md(out, missing)
    return out


def _todo_md(out: Imported, missing: Sequence[str]) -> str:
    lines = [
        "# To do after `flowatlas import fides`",
        "",
        "Fides manifests do not record where systems, datasets and organisations are, how long datasets",
        "keep data, or how data is collected from people. Each such value is written as `TODO`;",
        "`flowatlas validate` names every one left, at its file:line.",
        "",
        "## Values to fill in",
        "",
    ]
    lines += [f"- `{f}:{n}` `{what}`: {TODO_NEEDS.get(what, 'fill it in')}" for f, n, what in out.todo] or ["(none)"]
    lines += [
        "",
        "## Then",
        "",
        "- Once jurisdictions are filled, `flowatlas audit` reports each flow that crosses a border without a",
        "  `transfer_basis` (cross-border-basis): record the basis on the flow.",
        "- Organisations other than the controller were inferred from the systems' `responsibility` and",
        "  `legal_name`: check their roles (processor, third_party, ...).",
        *(
            []
            if "policy.yaml" in out.files
            else ["- Add the privacy statement as a policy (`policies:`, docs/map-format.md) to audit the map."]
        ),
    ]
    if out.unread:
        lines += ["", "## Read but not in the map", ""]
        lines += [f"- {why}" for why in out.unread]
    if out.transfers:
        lines += ["", "## Transfers the manifests declare", ""]
        lines += [
            f"- `{system}` says it transfers data abroad"
            + (f" (to {', '.join(countries)})" if countries else "")
            + (f" on: {', '.join(bases)}" if bases else " (no legal basis for transfers given)")
            + ": record `transfer_basis` on its flows that cross a border (adequacy, standard_contractual_clauses,"
            " binding_corporate_rules, ... for the sender's regime: `flowatlas taxonomy MAP --kind transfer`)."
            for system, bases, countries in out.transfers
        ]
    if out.added_terms:
        lines += ["", "## Keys flowatlas's taxonomy does not have, added as map-level terms (map.yaml)", ""]
        lines += [f"- {kind}: `{key}` \u2192 `{tid}`" for kind, key, tid in out.added_terms]
    if missing or out.left_out:
        lines += ["", "## Flows left out", ""]
    if missing:
        lines += ["These egress/ingress targets are defined in no manifest given:", ""]
        lines += [f"- `{m}`" for m in missing]
    if out.left_out:
        lines += ["", "What the manifests say that a map cannot hold:", ""] if missing else []
        lines += [f"- {why}" for why in out.left_out]
    return "\n".join(lines) + "\n"


def write_map_folder(files: Mapping[str, str], out: str | Path) -> list[Path]:
    """Write ``files`` into the new (or empty) folder ``out``, all or nothing: they are written
    into a folder beside it, which then takes its place. Refuses a non-empty folder, a file, and
    a link (to nothing or to anything)."""
    folder = Path(out)
    if folder.is_symlink() or (os.path.lexists(folder) and not folder.is_dir()):
        raise UsageError(f"{folder} is a file or a link: give a new folder for --out")
    if folder.is_dir() and any(folder.iterdir()):
        raise UsageError(f"{folder} is not empty: give a new folder for --out")
    staging = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    try:
        staging.mkdir(parents=True)
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        if folder.is_dir():
            folder.rmdir()
        os.replace(staging, folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise UsageError(f"cannot write {folder}: {exc.strerror or exc}") from None
    return [folder / name for name in files]


# --------------------------------------------------------------------------- export


def export_fides(m: Any) -> dict[str, str]:
    """The map as Fides manifests (``{file name: YAML}``) that fideslang's models parse: the
    controller as the organisation; each system with its egress and ingress (by flow) and one
    privacy declaration per purpose; each store as a dataset; the map's own terms as taxonomy
    extensions; and the policy as a Fides policy whose rule flags any data use the statement
    does not declare (``matches: OTHER``). The law goes into Fides' own fields, so its data map
    and record of processing show it: each declaration's ``legal_basis_for_processing`` (where
    its flows agree on one), each system's ``does_international_transfers`` and
    ``legal_basis_for_transfers`` (held under the sender's regime), the third parties a
    declaration shares with. Where a node is, who owns it, how long a store keeps data, and each
    flow whole (its id, bases, assessment) travel in ``meta.flowatlas``, so that importing the
    export gives the same map, flow for flow."""
    a = m if isinstance(m, Analysis) else Analysis(m)
    m = a.map
    vocab = Vocabulary.of(m)
    org = m.info.controller
    systems, datasets = [], []
    recorded = _flows_by_node(m)
    for n in sorted(m.nodes.values(), key=lambda n: n.id):
        fm: dict[str, Any] = {"owner": n.owner, "jurisdiction": n.jurisdiction}
        if recorded.get(n.id):
            fm["flows"] = recorded[n.id]
        if n.kind != "subject":  # the node whole: its fields Fides has no place for come back
            fm["node_record"] = _dump(_NODE, n)
        owner = m.organisations.get(n.owner) if n.owner else None
        if owner is not None:  # the organisation whole (safeguards, role, where): importing finds it again
            fm["owner_record"] = _ORG.dump_python(
                owner, by_alias=True, exclude_none=True, exclude_defaults=True, mode="json"
            )
        if n.kind == "store":
            cats = sorted({vocab.key("types", t) for f in m.flows.values() if f.target == n.id for t in f.types})
            fm["retention"] = n.retention
            onward = [f for f in m.flows.values() if f.source == n.id and m.nodes[f.target].kind == "store"]
            if onward:  # Fides has no flows between datasets (backups, replicas): they travel in meta
                fm["egress"] = [
                    {
                        "to": f.target,
                        "data_categories": sorted({vocab.key("types", t) for t in f.types}),
                        "data_uses": sorted({vocab.key("purposes", x) for x in f.purposes}),
                    }
                    for f in sorted(onward, key=lambda f: f.id)
                ]
            datasets.append(_dataset(n, fm, org, cats))
        elif n.kind == "system":
            systems.append(_system(a, vocab, n, fm, org))
    holder = systems[0] if systems else datasets[0] if datasets else None
    if holder is not None:
        holder["meta"]["flowatlas"]["map_record"] = _map_record(m)
    custom: dict[str, list[dict]] = defaultdict(list)
    defaults = fides_terms()
    for kind, fkind in KINDS.items():
        for tid in sorted(vocab.terms[kind]):
            key = vocab.key(kind, tid)
            if key not in defaults[fkind]:
                rec = {"fides_key": key, "organization_fides_key": org, "name": _term_name(m, kind, tid)}
                if kind != "subjects":
                    rec["parent_key"] = _parent_key(key)
                custom[fkind].append(rec)
    files = {
        "organization.yml": {"organization": [_organization(m.organisations[org])]},
        "system.yml": {"system": systems},
        "dataset.yml": {"dataset": datasets},
    }
    for fkind in KINDS.values():
        if custom[fkind]:
            files[f"{fkind}.yml"] = {fkind: _parents_first(custom[fkind], defaults[fkind])}
    policy = _policy(m, vocab, org)
    if policy:
        files["policy.yml"] = {"policy": [policy]}
    return {name: yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100) for name, data in files.items()}


def _organization(o: Any) -> dict:
    """The controller as a Fides organization: what its manifest said that the map does not model
    (contacts, security policy) as it was, under the map's name and description."""
    extra = _given(o, ORGANIZATION_MODELLED)
    return {"fides_key": o.id, "name": o.name, **({"description": o.description} if o.description else {}), **extra}


def _term_name(m: Any, kind: str, tid: str) -> str:
    table = {"types": m.types, "purposes": m.purposes, "subjects": m.subjects}[kind]
    return table[tid].name if tid in table else tid


def _parents_first(records: list[dict], defaults: Mapping[str, Any]) -> list[dict]:
    """Custom terms with every missing parent key added (named after its last part), parents first."""
    have = {r["fides_key"] for r in records}
    extra = []
    for r in records:
        p = r.get("parent_key")
        while p and p not in defaults and p not in have:
            have.add(p)
            extra.append(
                {
                    "fides_key": p,
                    "organization_fides_key": r["organization_fides_key"],
                    "name": p.rsplit(".", 1)[-1],
                    "parent_key": _parent_key(p),
                }
            )
            p = _parent_key(p)
    return sorted(records + extra, key=lambda r: (r["fides_key"].count("."), r["fides_key"]))


def _flows_by_node(m: Any) -> dict[str, list[dict]]:
    """Every flow of ``m`` whole, as the map writes it, under the node that records it in the
    export: its source, or its target when the source is a person (whose node travels in the
    map record, :func:`_map_record`)."""
    out: dict[str, list[dict]] = defaultdict(list)
    for f in sorted(m.flows.values(), key=lambda f: f.id):
        holder = f.target if m.nodes[f.source].kind == "subject" else f.source
        out[holder].append(_dump(_FLOW, f))
    return out


def _own(records: Iterable[Any]) -> list[Any]:
    """The records a map defines itself (not flowatlas's shipped taxonomy, contexts or regions)."""
    return [r for r in records if r.src is None or not str(r.src.file).startswith("<flowatlas>")]


def _map_record(m: Any) -> dict:
    """What the map holds that Fides has no place for: its header, its own terms, contexts and
    regions, every organisation, its people, and its policies with their statements' text. The
    export carries it in the first system's (or dataset's) ``meta.flowatlas.map_record``."""
    out: dict[str, Any] = {"map": _dump(_INFO, m.info)}
    tables = {
        "information_types": m.types,
        "purposes": m.purposes,
        "data_subjects": m.subjects,
        "contexts": m.contexts,
        "regions": m.regions,
        "organisations": m.organisations,
        "policies": m.policies,
    }
    for section, table in tables.items():
        own = _own(table.values())
        if own:
            adapter = TypeAdapter(MAP_SECTIONS[section])
            out[section] = [_dump(adapter, r) for r in own]
    people = [n for n in m.nodes.values() if n.kind == "subject"]
    if people:
        out["nodes"] = [_dump(_NODE, n) for n in sorted(people, key=lambda n: n.id)]
    statements = {}
    for p in m.policies.values():
        path = Path(m.root) / p.statement if p.statement and m.root else None
        if path is not None and path.is_file():
            statements[p.statement] = path.read_text("utf-8")
    if statements:
        out["statements"] = statements
    return out


def _categories(collections: Iterable[Any]) -> set[str]:
    """Every data category of a dataset's collections and their fields, at any depth."""
    out: set[str] = set()
    for c in collections:
        if isinstance(c, dict):
            out.update(str(x) for x in c.get("data_categories") or [])
            out |= _categories(c.get("fields") or [])
    return out


def _dataset(n: Any, fm: dict, org: str, cats: list[str]) -> dict:
    """A store as a Fides dataset: what its manifest said that the map does not model, as it was
    (collections, fields, their categories and ``fides_meta``), and a ``records`` collection
    for the categories the map's flows bring that none of those fields has."""
    kept = _given(n, DATASET_MODELLED)
    collections = list(kept.pop("collections", None) or [])
    missing = [c for c in cats if c not in _categories(collections)]
    if missing or not collections:
        collections.append(
            {"name": "records", "fields": [{"name": c.replace(".", "_"), "data_categories": [c]} for c in missing]}
        )
    return {
        "fides_key": n.id,
        "name": n.name,
        "organization_fides_key": org,
        "meta": {"flowatlas": fm},
        **kept,
        "collections": collections,
    }


def _with_kept(derived: list[dict], kept: list[Any], system_name: str) -> list[dict]:
    """The declarations the map's flows give, each with what the manifest's declaration of the
    same data use said that the map does not model (its name, features, special-category basis,
    ...), then the manifest's declarations that no flow gave and that named no flow: as they were."""
    kept = [d for d in kept if isinstance(d, dict)]
    matched: set[int] = set()
    out = []
    for d in derived:
        same = [
            (i, k)
            for i, k in enumerate(kept)
            if k.get("data_use") == d["data_use"] and set(k.get("data_subjects") or ()) <= set(d["data_subjects"])
        ]
        if same:
            i, k = same[0]
            matched.add(i)
            d = {**d, **{f: v for f, v in k.items() if f not in DECLARATION_MODELLED}}
        out.append(d)
    for i, k in enumerate(kept):
        if i not in matched and not any(k.get(x) for x in ("egress", "ingress", "dataset_references")):
            out.append({"name": f"{system_name}: {k.get('data_use')}", **k} if not k.get("name") else k)
    return out  # (every declaration named: fideslang sorts a system's declarations by name)


def _system(a: Any, vocab: Vocabulary, n: Any, fm: dict, org: str) -> dict:
    m = a.map

    def side(flows: Iterable[Any], other: str) -> list[dict]:
        by: dict[tuple[str, str], set[str]] = defaultdict(set)
        for f in flows:
            node = m.nodes[getattr(f, other)]
            kind = {"subject": "user", "system": "system", "store": "dataset"}[node.kind]
            by[("user" if kind == "user" else node.id, kind)].update(vocab.key("types", t) for t in f.types)
        return [{"fides_key": k, "type": t, "data_categories": sorted(c)} for (k, t), c in sorted(by.items())]

    out_flows = [f for f in m.flows.values() if f.source == n.id]
    in_flows = [f for f in m.flows.values() if f.target == n.id]

    def user_subject(f: Any) -> str | None:
        """The subject category of a flow from or to a person (None for one between systems)."""
        other = m.nodes[f.target if f.source == n.id else f.source]
        return (other.subject or other.id) if other.kind == "subject" else None

    # One declaration per purpose, and per subject for the flows with people: Fides's "user"
    # flows name no subject, the declarations do (so importing the export finds each again).
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for f in out_flows + in_flows:
        for p in f.purposes:
            groups[(p, user_subject(f) or "")].append(f)
    decls = []
    for (p, subject), mine in sorted(groups.items()):
        subjects = [subject] if subject else sorted({s for f in mine for s in _subjects(m, f)})
        decl: dict[str, Any] = {
            "name": f"{n.name}: {_term_name(m, 'purposes', p)}" + (f" ({subject})" if subject else ""),
            "data_use": vocab.key("purposes", p),
            "data_categories": sorted({vocab.key("types", t) for f in mine for t in f.types}),
            "data_subjects": sorted({vocab.key("subjects", s) for s in subjects}) or ["customer"],
        }
        lawful = {f.lawful_basis or m.purposes[p].lawful_basis if p in m.purposes else f.lawful_basis for f in mine}
        if len(lawful) == 1 and (basis := LAWFUL_BASES.get(next(iter(lawful)) or "")):
            decl["legal_basis_for_processing"] = basis  # Fides' field: one basis per declaration
        kept = sorted(
            {
                str(m.nodes[f.target].retention)
                for f in mine
                if f.source == n.id and m.nodes[f.target].kind == "store" and m.nodes[f.target].retention
            }
        )
        if kept:  # how long the stores this purpose writes to keep the data
            decl["retention_period"] = "; ".join(kept)
        shared = sorted(
            {
                m.organisations[m.nodes[f.target].owner].name
                for f in mine
                if f.source == n.id
                and m.nodes[f.target].owner not in (None, org)
                and a.flow_facts[f.id].leaves_controller
            }
        )
        if shared:
            decl["data_shared_with_third_parties"] = True
            decl["third_parties"] = "; ".join(shared)
        egress = sorted({"user" if subject else f.target for f in mine if f.source == n.id})
        ingress = sorted({"user" if subject else f.source for f in mine if f.target == n.id})
        if egress:  # fideslang refuses an empty list where the system has none
            decl["egress"] = egress
        if ingress:
            decl["ingress"] = ingress
        decls.append(decl)
    owner = m.organisations.get(n.owner)
    role = {
        "controller": "Controller",
        "affiliate": "Controller",
        "processor": "Processor",
        "sub_processor": "Sub-Processor",
    }.get(owner.role if owner else "", "Controller")
    extra = _given(n, SYSTEM_MODELLED)
    rec: dict[str, Any] = {
        "fides_key": n.id,
        "name": n.name,
        "organization_fides_key": org,
        "system_type": "Service",
        **extra,
        "meta": {"flowatlas": fm},
        "responsibility": [role],
        "privacy_declarations": _with_kept(decls, extra.get("privacy_declarations") or [], n.name),
    }
    if owner is not None and n.owner != org:
        rec["legal_name"] = owner.name
    transfers = [f for f in out_flows if a.flow_facts[f.id].is_transfer]
    rec["does_international_transfers"] = bool(transfers)
    if transfers:
        rec["legal_basis_for_transfers"] = sorted(
            {TRANSFER_BASES.get(f.transfer_basis or "", "Other") for f in transfers if f.transfer_basis}
        )
    if out_flows:
        rec["egress"] = side(out_flows, "target")
    if in_flows:
        rec["ingress"] = side(in_flows, "source")
    return rec


def _subjects(m: Any, f: Any) -> tuple[str, ...]:
    if f.subjects:
        return tuple(f.subjects)
    src = m.nodes[f.source]
    return (src.subject,) if src.kind == "subject" and src.subject else ()


def _policy(m: Any, vocab: Vocabulary, org: str) -> dict | None:
    p = m.policy
    if p is None:
        return None
    everyone = sorted({vocab.key("subjects", s) for s in vocab.terms["subjects"]})
    declared = sorted({vocab.key("purposes", x) for d in p.declarations if d.kind == "purpose" for x in d.purposes})

    def rule(name: str, matches: str, uses: list[str]) -> dict:
        """A Fides policy rule on the data uses ``uses`` (any data, anyone's)."""
        return {
            "name": name,
            "data_categories": {"matches": "ANY", "values": ["user"]},
            "data_uses": {"matches": matches, "values": uses},
            "data_subjects": {"matches": "ANY", "values": everyone},
        }

    forbidden = sorted(
        {
            vocab.key("purposes", x)
            for d in p.declarations
            if d.kind == "prohibition" and (d.prohibits in (None, "sharing", "use", "sale"))
            for x in d.purposes
        }
    )
    rules = ([rule("Undeclared uses", "OTHER", declared)] if declared else []) + (
        [rule("Prohibited uses", "ANY", forbidden)] if forbidden else []
    )
    if not rules:
        return None
    return {
        "fides_key": _id(p.id),
        "name": p.title,
        "organization_fides_key": org,
        "description": f"{p.title}, version {p.version}: the uses it declares, as a Fides policy (flowatlas export).",
        "rules": rules,
    }


# --------------------------------------------------------------------------- the commands


def add_import_arguments(p: Any) -> None:
    p.add_argument("format", choices=["fides"], help="what to import (fides: Fides manifests)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="manifest files or folders of .yml files")
    p.add_argument("--out", required=True, metavar="DIR", help="a new map folder to write")


def import_main(args: Any) -> int:
    got = import_fides(read_manifests(args.paths))
    write_map_folder(got.files, args.out)
    print(
        f"{args.out}: wrote {len(got.files)} files; {len(got.todo)} values to fill in (TODO.md), "
        f"{len(got.added_terms)} keys added as map-level terms"
        + (f", {len(got.left_out)} things the manifests say left out (TODO.md)" if got.left_out else "")
        + (f", {len(got.unread)} read but not in the map (TODO.md)" if got.unread else "")
    )
    return 0


@register("map", "fides", "Fides manifests that fideslang validates")
def write_fides(m: Map, out: str | Path) -> dict[str, str]:
    """Write the Fides manifests of ``m`` (:func:`export_fides`) into the new folder ``out``;
    returns them by file name."""
    files = export_fides(m)
    write_map_folder(files, out)
    return files


def add_export_arguments(p: Any) -> None:
    p.add_argument("format", choices=formats("map"), help="what to export to (fides: Fides manifests)")
    p.add_argument("map", help="map folder")
    p.add_argument("--out", required=True, metavar="DIR", help="a new folder for the manifests")


def export_main(args: Any) -> int:
    files = exporter("map", args.format).write(load_map(args.map), args.out)
    print(f"{args.out}: wrote {', '.join(files)}")
    return 0


__all__ = ["Imported", "Vocabulary", "export_fides", "import_fides", "migrate", "read_manifests"]
