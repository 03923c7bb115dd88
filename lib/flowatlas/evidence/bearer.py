"""Bearer's code scan as evidence: the JSON privacy report (``bearer scan --report privacy``) and
the data-flow report (``--report dataflow``), in the key spellings of Bearer's versions.

Privacy report: each ``third_party`` entry (its data types) is a ``flow`` to that recipient
(Bearer's placeholder ``Unknown`` is no data type: the note says it could not tell which), and
each ``subjects`` entry a ``type`` of that subject's data (its subject and count in the note).
Data-flow report: each component that is a third party or a data store is a ``flow`` to it
(with its code locations), each detected data type a ``type``, each risk of a logger detector
a ``leakage`` of its data types, and each risk of a third-party detector
(``ruby_third_parties_sentry``) a ``flow`` of its data types to that party (named as the
report's component of that name, else from the detector). Risks come in two forms: Bearer's
current one (since 2023: ``risks[].locations[].data_types``, lines as ``start_line_number``)
and the earlier ``risks[].data_types[].locations``. A report wrapped for Bearer's platform
(``{"dataflow": {...}}``) is read inside. Bearer's reports do not name the repository: the
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
from flowatlas.words import counted

THIRD_PARTY_KEYS = ("third_party", "third_parties", "thirdParty", "thirdParties")
#: Why the sections of a Bearer report flowatlas does not read are not evidence of a flow.
SECTION_REASONS: dict[str, str] = {
    "languages": "the languages of the code: no data flow",
    "dependencies": "the code's dependencies: a third party shows in components when the code uses it",
    "errors": "Bearer's own errors while scanning",
    "files": "the files Bearer scanned",
    "findings": "Bearer's rule findings: the risks behind them are read",
}
#: Why an element of a Bearer report is not used (the reasons the account gives).
NOT_A_PARTY_OR_STORE = "neither a third party nor a data store"
PARTY_WITHOUT_DATA = "a third party's detector that names no data type"
OTHER_RISK = "a risk of Bearer's rules that is neither a logger (a leakage) nor a third party (a flow)"
#: What Bearer writes where it could not tell a data type or subject.
PLACEHOLDER = "Unknown"


def recognises(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    inner = data.get("dataflow")
    if isinstance(inner, dict) and "files" in data:  # the report Bearer sends its platform
        data = inner
    return pick(data, *THIRD_PARTY_KEYS, "data_types", "components", "subjects") is not None


def _risk_data_types(risk: Any) -> list[tuple[tuple, str, tuple]]:
    """``(path, data type, code locations)`` of a risk, in either form Bearer has written."""
    out: list[tuple[tuple, str, tuple]] = []
    for j, loc in enumerate(items(pick(risk, "locations"))):  # current: locations[].data_types[]
        where = tuple(s for s in (code_location(loc),) if s is not None)
        for k, dt in enumerate(items(pick(loc, "data_types", "dataTypes"))):
            name = pick(dt, "name")
            if isinstance(name, str) and name:
                out.append((("locations", j, "data_types", k), name, where))
    for j, dt in enumerate(items(pick(risk, "data_types", "dataTypes"))):  # earlier: data_types[].locations[]
        name = pick(dt, "name")
        if isinstance(name, str) and name:
            out.append((("data_types", j), name, _locations(dt)))
    return out


def _third_party(detector: str, components: list) -> str:
    """The party a third-party detector names (``ruby_third_parties_sentry`` → Sentry), as the
    report's component of that name spells it where there is one."""
    _, found, rest = detector.partition("third_parties_")
    if not found or not rest:
        return ""
    named = {str(pick(c, "name", default="")).replace(" ", "").lower(): pick(c, "name") for c in components}
    spelled = named.get(rest.replace("_", "").lower())
    return spelled if isinstance(spelled, str) and spelled else rest.replace("_", " ").title()


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
    inner = data.get("dataflow")
    wrapper: dict = {}
    if isinstance(inner, dict) and "files" in data:  # the platform's wrapper: its positions under "dataflow"
        positions = {p[1:]: v for p, v in positions.items() if p[:1] == ("dataflow",)}
        wrapper = {k: v for k, v in data.items() if k != "dataflow"}
        data = inner
    c = _Collector("bearer", file, positions)
    system = PurePosixPath(file).name.split(".", 1)[0]
    c.add("scan", (), system, system=system)
    c.sections(data, SECTION_REASONS, (*THIRD_PARTY_KEYS, "data_types", "dataTypes", "components", "risks", "subjects"))
    c.sections(wrapper, SECTION_REASONS, ())
    tp_key = next((k for k in data if isinstance(k, str) and k.replace("_", "").lower().startswith("thirdpart")), None)
    for i, tp in enumerate(items(data.get(tp_key)) if tp_key else []):
        name = pick(tp, "third_party", "thirdParty", "name")
        if isinstance(name, str) and name:
            given = _labels(pick(tp, "data_types", "dataTypes"))
            labels = tuple(x for x in given if x != PLACEHOLDER)
            note = "Bearer could not tell which data it receives" if PLACEHOLDER in given and not labels else ""
            c.add("flow", (tp_key, i), name, system=system, labels=labels, recipient_kind="third_party", note=note)
    for i, subj in enumerate(items(pick(data, "subjects"))):
        name, subject = pick(subj, "name"), pick(subj, "subject_name", "subjectName", default="")
        if isinstance(name, str) and name and name != PLACEHOLDER:
            count = pick(subj, "detection_count", "detectionCount")
            who = (
                f"of subject {subject}" if subject and subject != PLACEHOLDER else "of a subject Bearer could not tell"
            )
            note = f"{who}; detected {counted(count, 'time')}" if isinstance(count, int) else who
            c.add("type", ("subjects", i), name, system=system, labels=(name,), note=note)
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
        else:
            c.unused(("components", i), f"component '{name}' ({kind}/{sub})", NOT_A_PARTY_OR_STORE)
    for i, dt in enumerate(items(pick(data, "data_types", "dataTypes"))):
        name = pick(dt, "name")
        if isinstance(name, str) and name:
            where = tuple(s for d in items(pick(dt, "detectors")) for s in _locations(d))
            c.add("type", ("data_types", i), name, system=system, labels=(name,), code=where)
    components = items(pick(data, "components"))
    for i, risk in enumerate(items(pick(data, "risks"))):
        detector = str(pick(risk, "detector_id", "detectorId", "rule_id", default=""))
        found = _risk_data_types(risk)
        party = _third_party(detector, components)
        if party and found:  # data handed to a third party's SDK: a flow to it, with each place
            labels = tuple(dict.fromkeys(name for _, name, _ in found))
            code = tuple(dict.fromkeys(s for _, _, where in found for s in where))
            c.add("flow", ("risks", i), party, system=system, labels=labels, recipient_kind="third_party", code=code)
            continue
        if "logger" not in detector and "log" not in detector.split("_"):
            c.unused(("risks", i), f"risk '{detector}'", PARTY_WITHOUT_DATA if party else OTHER_RISK)
            continue
        for path, name, where in found:
            c.add("leakage", ("risks", i, *path), detector, system=system, labels=(name,), code=where)
    return c.found


READER = register(
    EvidenceReader(
        "bearer",
        "Bearer's JSON privacy or data-flow report: third parties, data types, logged data",
        recognises,
        read,
        versions="`bearer scan --report privacy|dataflow --format json`, both key spellings (`third_party`, "
        "`thirdParty`); risks in the current form (2023 on) and the earlier one; the report Bearer's platform "
        "receives",
        uses={
            "third_party": "flows to that party, with its data types (`Unknown` is no type)",
            "subjects": "the data types of each subject",
            "data_types": "the data the code handles, with its locations",
            "components": "flows to third parties and data stores",
            "risks": "a logger's: data written to logs; a third party's detector with data types: a flow to it",
            "dataflow": "the platform's wrapper, read inside",
        },
        not_used={
            **SECTION_REASONS,
            "a component": NOT_A_PARTY_OR_STORE,
            "a third party's risk": PARTY_WITHOUT_DATA,
            "another risk": OTHER_RISK,
        },
    )
)
