"""Privado's code scan as evidence: ``privado.json`` (``privado scan``).

Each source (a kind of personal data the code handles) is a ``type`` observation, at the code
locations of its ``processing``; each data type collected at an endpoint (``collections``) is
one too. From ``dataFlow``: each source reaching a sink is an observation — ``third_parties``,
``storages`` and ``internal_apis`` as ``flow`` s to that recipient, ``leakages`` as
``leakage`` s — with the first and last code location of each path. Privado's generic "Third
Party API" sink is named by the domain it calls (its ``domains``, else the host of its
``apiUrl``), a storage by its database's name where the scan could read one. A ``violation``
of Privado's own policies is noted on the observations of the flows it names. Paths are made
relative to the scanned repository (``localScanPath``, or ``/app/code`` where Privado's
container mounted it). The repository (``repoName``) is the system the code belongs to.
Missing fields are tolerated; whatever is not used is accounted for as ``unused``.

>>> scan = {"repoName": "shop", "localScanPath": "/home/ci/shop",
...   "sources": [{"id": "Data.Sensitive.ContactData.EmailAddress", "name": "Email Address"}],
...   "dataFlow": {"third_parties": [{"sourceId": "Data.Sensitive.ContactData.EmailAddress", "sinks": [
...     {"id": "ThirdParties.SDK.Mixpanel", "name": "Mixpanel", "domains": ["api.mixpanel.com"],
...      "paths": [{"path": [{"fileName": "/home/ci/shop/src/track.js", "lineNumber": 12, "columnNumber": 3}]}]}]}]}}
>>> [(o.kind, o.name, [str(s) for s in o.code]) for o in read("privado.json", scan, {})[1:]]
[('flow', 'Mixpanel', ['shop/src/track.js:12:3']), ('type', 'Email Address', [])]
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flowatlas.evidence.base import EvidenceReader, Observation, _Collector, code_location, items, pick, register
from flowatlas.source import Source

#: ``dataFlow`` sections and what their sinks are.
SECTIONS: dict[str, str] = {"third_parties": "third_party", "storages": "storage", "internal_apis": "internal_api"}
#: Why the sections of privado.json flowatlas does not read are not evidence of a flow.
SECTION_REASONS: dict[str, str] = {
    "sinkProcessing": "where each sink is called: the calls personal data reaches are read from dataFlow",
    "probableSinks": "calls Privado could not classify: no recipient to check",
}
READ_SECTIONS: tuple[str, ...] = (
    "repoName",
    "repositoryName",
    "sources",
    "processing",
    "sinks",
    "dataFlow",
    "collections",
    "violations",
    "gitMetadata",
    "localScanPath",
    "privadoCoreVersion",
    "privadoCLIVersion",
    "privadoMainVersion",
    "createdAt",
    "language",
)
#: Why an element of privado.json is not used (the reasons the account gives).
NO_DATA_REACHES = "Privado found this call, but no personal data reaches it in this scan"
UNRESOLVED_API = "an API call whose address the scan could not resolve: no recipient to check"
NO_FLOW_NAMED = "names no flow of dataFlow: flowatlas holds the map against its own statement, not Privado's policies"
OTHER_FLOW_SECTION = "not a recipient, store or log flowatlas checks"
#: Where Privado's container mounts the repository it scans (its paths start there).
CONTAINER_ROOT = "/app/code"
#: Privado's rule for a call to an HTTP API it has no rule for (``ThirdParties.API``, or
#: ``ThirdParties.API.<domain>``, named "Third Party API"): not a recipient's name.
GENERIC_API_ID = re.compile(r"^(Sinks\.)?ThirdParties\.API(\.|$)")
GENERIC_API_NAME = "third party api"


def recognises(data: Any) -> bool:
    return isinstance(data, dict) and ("dataFlow" in data or ("repoName" in data and "sources" in data))


def _label(source_id: str, names: dict[str, str]) -> str:
    return names.get(source_id) or source_id.rsplit(".", 1)[-1]


def _host(url: str) -> str:
    """The host an API URL names (``https://api.x.io/v1`` → ``api.x.io``), or "" for a template
    the scan could not resolve (``${BASE_URL}/v1``)."""
    if "${" in url or "{{" in url:
        return ""
    host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    return host if "." in host else ""


def _concrete(value: Any) -> str:
    """A value the scan read from the code, or "" for a placeholder (``${DB_NAME}``)."""
    text = str(value or "")
    return "" if not text or "${" in text or "{{" in text else text


def _recipient(sink: dict, what: str) -> tuple[str, tuple[str, ...]]:
    """The name and domains of the recipient a sink is; ``("", ...)`` for Privado's generic API
    sink when neither its domains, its ``apiUrl`` nor its id name the host it calls."""
    sid = str(pick(sink, "id", default="") or "")
    name = str(pick(sink, "name", "id", default="") or "")
    domains = [str(d) for d in items(pick(sink, "domains")) if isinstance(d, str) and d]
    hosts = [h for u in items(pick(sink, "apiUrl")) if isinstance(u, str) and (h := _host(u))]
    if what == "third_party" and (GENERIC_API_ID.match(sid) or name.strip().lower() == GENERIC_API_NAME):
        suffix = GENERIC_API_ID.sub("", sid)
        named = hosts + domains + ([suffix] if "." in suffix else [])
        name = named[0] if named else ""
    if what == "storage":
        db = pick(sink, "databaseDetails", default={})
        name = _concrete(pick(db, "dbName")) or name
        if host := _host(_concrete(pick(db, "dbLocation"))):
            hosts.append(host)
    return name, tuple(dict.fromkeys(domains + hosts))


def _sensitive(source: Any) -> bool:
    """Privado marks the data element sensitive (``isSensitive``, or ``sensitivity: high``)."""
    flag = pick(source, "isSensitive", "is_sensitive")
    return flag is True or str(flag).lower() == "true" or str(pick(source, "sensitivity", default="")).lower() == "high"


def _code(sink: dict, repo: str, roots: tuple[str, ...]) -> tuple[Source, ...]:
    """The first and last step of each path of a sink (where data enters and where it leaves),
    as ``repo/file:line:column``."""
    out: list[Source] = []
    for p in items(pick(sink, "paths")):
        steps = [s for s in (code_location(x, repo, roots) for x in items(pick(p, "path"))) if s is not None]
        for s in (steps[:1] + steps[-1:]) if len(steps) > 1 else steps:
            if s not in out:
                out.append(s)
    return tuple(out)


def _scan_note(data: dict) -> str:
    git = pick(data, "gitMetadata", default={})
    commit, branch = str(pick(git, "commitId", default="") or ""), str(pick(git, "branchName", default="") or "")
    return f"commit {commit}" + (f" on {branch}" if branch else "") if commit else ""


def read(file: str, data: Any, positions: Mapping) -> list[Observation]:
    c = _Collector("privado", file, positions)
    system = str(pick(data, "repoName", "repositoryName", default="") or "")
    roots = tuple(r for r in (str(pick(data, "localScanPath", default="") or ""), CONTAINER_ROOT) if r)
    sources = {str(pick(s, "id")): s for s in items(data.get("sources")) if isinstance(s, dict)}
    names = {k: str(pick(s, "name", default="") or "") for k, s in sources.items()}
    c.add("scan", ("repoName",), system, system=system, note=_scan_note(data))
    c.sections(data, SECTION_REASONS, READ_SECTIONS)

    # Privado's own verdicts, by the (source, sink) pairs they name.
    flagged: dict[tuple[str, str], list[str]] = defaultdict(list)
    for v in items(data.get("violations")):
        details = pick(v, "policyDetails", default={})
        title = str(pick(details, "name", default="") or pick(v, "policyId", default="") or "")
        for pair in items(pick(v, "dataFlow")):
            flagged[(str(pick(pair, "sourceId", default="")), str(pick(pair, "sinkId", default="")))].append(title)
    seen_pairs: set[tuple[str, str]] = set()
    reached: set[str] = set()

    flow = pick(data, "dataFlow", default={})
    for section in flow if isinstance(flow, dict) else {}:
        if section not in SECTIONS and section != "leakages" and items(flow[section]):
            c.unused(("dataFlow", section), f"dataFlow section '{section}'", OTHER_FLOW_SECTION)
    for section, what in [*SECTIONS.items(), ("leakages", "leakage")]:
        for i, entry in enumerate(items(pick(flow, section))):
            source_id = str(pick(entry, "sourceId", "id", default=""))
            label = _label(source_id, names)
            for j, sink in enumerate(items(pick(entry, "sinks"))):
                if not isinstance(sink, dict):
                    c.unused(
                        ("dataFlow", section, i, "sinks", j),
                        "a sink that is not a mapping",
                        "malformed: nothing to read",
                    )
                    continue
                sink_id = str(pick(sink, "id", default="") or "")
                reached.add(sink_id)
                name, domains = _recipient(sink, what)
                if not name:
                    urls = ", ".join(str(u) for u in items(pick(sink, "apiUrl"))) or "none given"
                    c.unused(
                        ("dataFlow", section, i, "sinks", j),
                        f"{label} sent to '{pick(sink, 'name', 'id', default='?')}'",
                        f"{UNRESOLVED_API} (apiUrl: {urls})",
                    )
                    continue
                said = flagged.get((source_id, sink_id), [])
                if said:
                    seen_pairs.add((source_id, sink_id))
                c.add(
                    "leakage" if what == "leakage" else "flow",
                    ("dataFlow", section, i, "sinks", j),
                    name,
                    system=system,
                    labels=(label,) if label else (),
                    domains=domains,
                    recipient_kind="" if what == "leakage" else what,
                    code=_code(sink, system, roots),
                    note="; ".join(f"Privado flags it: {t}" for t in dict.fromkeys(said)),
                    sensitive=_sensitive(sources.get(source_id)),
                )

    # What the code handles: each source, where it is processed.
    processed: dict[str, list[Source]] = defaultdict(list)
    processing_at: dict[str, int] = {}
    for i, entry in enumerate(items(data.get("processing"))):
        sid = str(pick(entry, "sourceId", default=""))
        processing_at.setdefault(sid, i)
        processed[sid] += [
            s for s in (code_location(o, system, roots) for o in items(pick(entry, "occurrences"))) if s is not None
        ]
    for i, (sid, source) in enumerate(sources.items()):
        label = _label(sid, names)
        c.add(
            "type",
            ("sources", i),
            label,
            system=system,
            labels=(label,),
            code=tuple(dict.fromkeys(processed.get(sid, ()))),
            sensitive=_sensitive(source),
        )
    for sid, i in processing_at.items():
        if sid not in sources and sid:
            label = _label(sid, names)
            c.add("type", ("processing", i), label, system=system, labels=(label,), code=tuple(processed[sid]))

    for i, group in enumerate(items(data.get("collections"))):
        for j, coll in enumerate(items(pick(group, "collections"))):
            sid = str(pick(coll, "sourceId", default=""))
            label = _label(sid, names)
            where = tuple(
                s for s in (code_location(o, system, roots) for o in items(pick(coll, "occurrences"))) if s is not None
            )
            if label:
                c.add(
                    "type",
                    ("collections", i, "collections", j),
                    label,
                    system=system,
                    labels=(label,),
                    code=where,
                    sensitive=_sensitive(sources.get(sid)),
                )

    for i, sink in enumerate(items(data.get("sinks"))):
        sid = str(pick(sink, "id", default="") or "")
        if sid not in reached:
            c.unused(
                ("sinks", i),
                f"sink '{pick(sink, 'name', 'id', default='?')}'",
                NO_DATA_REACHES,
            )
    for i, v in enumerate(items(data.get("violations"))):
        pairs = {
            (str(pick(p, "sourceId", default="")), str(pick(p, "sinkId", default="")))
            for p in items(pick(v, "dataFlow"))
        }
        if not pairs & seen_pairs:
            title = pick(pick(v, "policyDetails", default={}), "name", default="") or pick(v, "policyId", default="?")
            c.unused(
                ("violations", i),
                f"violation '{title}'",
                NO_FLOW_NAMED,
            )
    return c.found


READER = register(
    EvidenceReader(
        "privado",
        "Privado's privado.json: the data the code handles, its flows to third parties, storages and logs",
        recognises,
        read,
        versions="`privado.json` of `privado scan` (read on Privado core 1.1.8, CLI v2.2.0)",
        uses={
            "repoName": "the system: the node whose `evidence.repository` names it",
            "sources, processing": "the data the code handles (each source, at the places it is processed)",
            "collections": "data collected at endpoints",
            "dataFlow.third_parties, storages, internal_apis": "flows to that recipient, with the first and last "
            "step of each path; the generic API sink named by its apiUrl's host, a storage by its database",
            "dataFlow.leakages": "data written to logs",
            "violations": "said on the flows they name (`Privado flags it: ...`)",
            "sinks": "checked against dataFlow",
            "localScanPath": "made relative, with `/app/code`: paths are the repository's",
            "gitMetadata": "the scanned commit",
        },
        not_used={
            **SECTION_REASONS,
            "a sink no data reaches": NO_DATA_REACHES,
            "a generic API sink with no address": UNRESOLVED_API,
            "a violation": NO_FLOW_NAMED,
            "another dataFlow section": OTHER_FLOW_SECTION,
        },
    )
)
