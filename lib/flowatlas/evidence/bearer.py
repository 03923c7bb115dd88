"""Bearer's code scan as evidence: the JSON privacy report (``bearer scan --report privacy``) and
the data-flow report (``--report dataflow``), in the key spellings of Bearer's versions.

Privacy report: each ``third_party`` entry (its data types) is a ``flow`` to that recipient.
Data-flow report: each component that is a third party or a data store is a ``flow`` to it
(with its code locations), each detected data type a ``type``, and each risk of a logger
detector a ``leakage`` of its data types. Bearer's reports do not name the repository: the
system is the evidence file's name up to its first dot (``webapp.bearer.json`` → ``webapp``).

>>> report = {"third_party": [{"third_party": "Sentry", "data_types": ["Email Address"]}]}
>>> [(o.kind, o.name, o.system, o.labels) for o in read("webapp.bearer.json", report, {})]
[('scan', 'webapp', 'webapp', ()), ('flow', 'Sentry', 'webapp', ('Email Address',))]
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from flowatlas.evidence.base import EvidenceReader, Observation, _Collector, code_location, items, pick, register

THIRD_PARTY_KEYS = ("third_party", "third_parties", "thirdParty", "thirdParties")


def recognises(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    return pick(data, *THIRD_PARTY_KEYS, "data_types", "components", "subjects") is not None


def _labels(value: Any) -> tuple[str, ...]:
    out = []
    for v in items(value):
        name = v if isinstance(v, str) else pick(v, "name", "data_type", "dataType")
        if isinstance(name, str) and name and name not in out:
            out.append(name)
    return tuple(out)


def _locations(entry: Any) -> tuple:
    return tuple(s for s in (code_location(x) for x in items(pick(entry, "locations"))) if s is not None)


def read(file: str, data: Any, positions: Mapping) -> list[Observation]:
    c = _Collector("bearer", file, positions)
    system = PurePosixPath(file).name.split(".", 1)[0]
    c.add("scan", (), system, system=system)
    tp_key = next((k for k in data if isinstance(k, str) and k.replace("_", "").lower().startswith("thirdpart")), None)
    for i, tp in enumerate(items(data.get(tp_key)) if tp_key else []):
        name = pick(tp, "third_party", "thirdParty", "name")
        if isinstance(name, str) and name:
            labels = _labels(pick(tp, "data_types", "dataTypes"))
            c.add("flow", (tp_key, i), name, system=system, labels=labels, recipient_kind="third_party")
    for i, comp in enumerate(items(pick(data, "components"))):
        name, kind, sub = (
            pick(comp, "name"),
            str(pick(comp, "type", default="")),
            str(pick(comp, "sub_type", "subType", default="")),
        )
        what = (
            "third_party"
            if "third_party" in (kind, sub) or kind == "external_service"
            else ("storage" if kind == "data_store" or sub in ("database", "storage") else "")
        )
        if isinstance(name, str) and name and what:
            c.add("flow", ("components", i), name, system=system, recipient_kind=what, code=_locations(comp))
    for i, dt in enumerate(items(pick(data, "data_types", "dataTypes"))):
        name = pick(dt, "name")
        if isinstance(name, str) and name:
            where = tuple(s for d in items(pick(dt, "detectors")) for s in _locations(d))
            c.add("type", ("data_types", i), name, system=system, labels=(name,), code=where)
    for i, risk in enumerate(items(pick(data, "risks"))):
        detector = str(pick(risk, "detector_id", "detectorId", "rule_id", default=""))
        if "logger" not in detector and "log" not in detector.split("_"):
            continue
        for j, dt in enumerate(items(pick(risk, "data_types", "dataTypes"))):
            name = pick(dt, "name")
            if isinstance(name, str) and name:
                c.add(
                    "leakage",
                    ("risks", i, "data_types", j),
                    detector,
                    system=system,
                    labels=(name,),
                    code=_locations(dt),
                )
    return c.found


READER = register(
    EvidenceReader(
        "bearer", "Bearer's JSON privacy or data-flow report: third parties, data types, logged data", recognises, read
    )
)
