"""Terraform state as evidence: ``terraform show -json`` (state or plan), root and child modules.

Each managed resource becomes a ``location`` observation: its address and the region it is in,
from ``region``, ``location`` or the region part of its ARN, with the country that region is in.
Only those three values are read. A value the state marks sensitive (``sensitive_values``) is
never read, kept or printed; a region marked sensitive is noted as not read.

>>> state = {"format_version": "1.0", "values": {"root_module": {"child_modules": [{"address": "module.m",
...   "resources": [{"address": "module.m.aws_sqs_queue.q", "mode": "managed", "type": "aws_sqs_queue",
...   "values": {"arn": "arn:aws:sqs:eu-central-1:123:q", "policy": "secret"},
...   "sensitive_values": {"policy": True}}]}]}}}
>>> [(o.name, o.region, o.country) for o in read("tf.json", state, {})]
[('module.m.aws_sqs_queue.q', 'eu-central-1', 'DE')]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowatlas.evidence.base import EvidenceReader, Observation, _Collector, cloud_country, items, pick, register

REGION_KEYS: tuple[str, ...] = ("region", "location")


def recognises(data: Any) -> bool:
    return isinstance(data, dict) and "format_version" in data and ("values" in data or "planned_values" in data)


def _sensitive(resource: dict, key: str) -> bool:
    marks = resource.get("sensitive_values")
    return isinstance(marks, dict) and marks.get(key) is True


def _region(resource: dict) -> tuple[str, str]:
    """``(region, note)``: the resource's region, or why it could not be read."""
    got = resource.get("values")
    values: dict = got if isinstance(got, dict) else {}
    for key in REGION_KEYS:
        if key in values and _sensitive(resource, key):
            return "", f"its {key} is marked sensitive: not read"
        v = values.get(key)
        if isinstance(v, str) and v:
            return v, ""
    if not _sensitive(resource, "arn"):
        arn = values.get("arn")
        if isinstance(arn, str) and arn.startswith("arn:"):
            parts = arn.split(":")
            if len(parts) > 3 and parts[3]:
                return parts[3], ""
    return "", ""


def _modules(module: Any, path: tuple) -> list[tuple[dict, tuple]]:
    """Every module under ``module`` (itself first, then depth first) with its JSON path: a
    walk with a stack, so no nesting of modules can exhaust Python's recursion."""
    out: list[tuple[dict, tuple]] = []
    stack = [(module, path)]
    while stack:
        m, p = stack.pop()
        if not isinstance(m, dict):
            continue
        out.append((m, p))
        children = list(enumerate(items(m.get("child_modules"))))
        stack.extend((child, (*p, "child_modules", i)) for i, child in reversed(children))
    return out


def read(file: str, data: Any, positions: Mapping) -> list[Observation]:
    c = _Collector("terraform", file, positions)
    top = "values" if isinstance(data.get("values"), dict) else "planned_values"
    root = pick(data.get(top), "root_module")
    for module, path in _modules(root, (top, "root_module")):
        for i, res in enumerate(items(module.get("resources"))):
            if not isinstance(res, dict) or res.get("mode", "managed") != "managed":
                continue
            address = res.get("address")
            if not isinstance(address, str):
                continue
            region, note = _region(res)
            c.add(
                "location",
                (*path, "resources", i),
                address,
                region=region,
                country=cloud_country(region) if region else "",
                note=note or ("" if region else "no region, location or ARN region in the state"),
            )
    return c.found


READER = register(
    EvidenceReader(
        "terraform",
        "`terraform show -json` output (state or plan): each resource's region",
        recognises,
        read,
    )
)
