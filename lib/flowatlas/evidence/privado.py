"""Privado's code scan as evidence: ``privado.json`` (``privado scan``).

From ``dataFlow``: each source (a kind of personal data) reaching a sink is an observation —
``third_parties`` and ``storages`` and ``internal_apis`` as ``flow`` s to that recipient,
``leakages`` as ``leakage`` s — with the first and last code location of each path. From
``collections``: each data type collected at an endpoint is a ``type`` observation. The
repository (``repoName``) is the system the code belongs to. Missing fields are tolerated.

>>> scan = {"repoName": "shop", "sources": [{"id": "Data.Sensitive.ContactData.EmailAddress", "name": "Email Address"}],
...   "dataFlow": {"third_parties": [{"sourceId": "Data.Sensitive.ContactData.EmailAddress", "sinks": [
...     {"id": "ThirdParties.SDK.Mixpanel", "name": "Mixpanel", "domains": ["api.mixpanel.com"],
...      "paths": [{"path": [{"fileName": "src/track.js", "lineNumber": 12, "columnNumber": 3}]}]}]}]}}
>>> [(o.kind, o.name, o.system, o.labels, str(o.code[0])) for o in read("privado.json", scan, {})[1:]]
[('flow', 'Mixpanel', 'shop', ('Email Address',), 'shop/src/track.js:12:3')]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowatlas.evidence.base import EvidenceReader, Observation, _Collector, code_location, items, pick, register

#: ``dataFlow`` sections and what their sinks are.
SECTIONS: dict[str, str] = {"third_parties": "third_party", "storages": "storage", "internal_apis": "internal_api"}
#: Why the sections of privado.json flowatlas does not read are not evidence of a flow.
SECTION_REASONS: dict[str, str] = {
    "sinks": "the sinks Privado knows: those data reaches are read from dataFlow",
    "processing": "where each kind of data is processed in the code: its flows are read from dataFlow",
    "sinkProcessing": "where each sink is called: the ones data reaches are read from dataFlow",
    "probableSinks": "calls Privado could not classify: no recipient to check",
    "violations": "Privado's policy violations: flowatlas holds the map against its own statement",
    "gitMetadata": "the scanned commit",
}
READ_SECTIONS: tuple[str, ...] = ("repoName", "repositoryName", "sources", "dataFlow", "collections")
READ_SECTIONS += (
    "localScanPath",
    "privadoCoreVersion",
    "privadoCLIVersion",
    "privadoMainVersion",
    "createdAt",
    "language",
)


def recognises(data: Any) -> bool:
    return isinstance(data, dict) and ("dataFlow" in data or ("repoName" in data and "sources" in data))


def _label(source_id: str, names: dict[str, str]) -> str:
    return names.get(source_id) or source_id.rsplit(".", 1)[-1]


def _code(sink: dict, repo: str) -> tuple:
    """The first and last step of each path of a sink (where data enters and where it leaves),
    as ``repo/file:line:column``."""
    out = []
    for p in items(pick(sink, "paths")):
        steps = [s for s in (code_location(x, repo) for x in items(pick(p, "path"))) if s is not None]
        for s in (steps[:1] + steps[-1:]) if len(steps) > 1 else steps:
            if s not in out:
                out.append(s)
    return tuple(out)


def read(file: str, data: Any, positions: Mapping) -> list[Observation]:
    c = _Collector("privado", file, positions)
    system = str(pick(data, "repoName", "repositoryName", default="") or "")
    names = {str(s.get("id")): str(s.get("name") or "") for s in items(data.get("sources")) if isinstance(s, dict)}
    flow = pick(data, "dataFlow", default={})
    c.add("scan", ("repoName",), system, system=system)
    c.sections(data, SECTION_REASONS, READ_SECTIONS)
    for section in flow if isinstance(flow, dict) else {}:
        if section not in SECTIONS and section != "leakages" and items(flow[section]):
            c.unused(
                ("dataFlow", section), f"dataFlow section '{section}'", "not a recipient, store or log flowatlas checks"
            )
    for section, what in [*SECTIONS.items(), ("leakages", "leakage")]:
        for i, entry in enumerate(items(pick(flow, section))):
            label = _label(str(pick(entry, "sourceId", "id", default="")), names)
            for j, sink in enumerate(items(pick(entry, "sinks"))):
                if not isinstance(sink, dict):
                    c.unused(
                        ("dataFlow", section, i, "sinks", j),
                        "a sink that is not a mapping",
                        "malformed: nothing to read",
                    )
                    continue
                name = str(pick(sink, "name", "id", default="") or "")
                c.add(
                    "leakage" if what == "leakage" else "flow",
                    ("dataFlow", section, i, "sinks", j),
                    name,
                    system=system,
                    labels=(label,) if label else (),
                    domains=tuple(str(d) for d in items(pick(sink, "domains"))),
                    recipient_kind="" if what == "leakage" else what,
                    code=_code(sink, system),
                )
    for i, group in enumerate(items(data.get("collections"))):
        for j, coll in enumerate(items(pick(group, "collections"))):
            label = _label(str(pick(coll, "sourceId", default="")), names)
            where = tuple(
                s for s in (code_location(o, system) for o in items(pick(coll, "occurrences"))) if s is not None
            )
            if label:
                c.add("type", ("collections", i, "collections", j), label, system=system, labels=(label,), code=where)
    return c.found


READER = register(
    EvidenceReader("privado", "Privado's privado.json: data flows to third parties, storages, logs", recognises, read)
)
