"""Terraform state as evidence: ``terraform show -json`` (state or plan), root and child modules.

Each managed resource becomes a ``location`` observation: its address and the region it is in,
from ``region``, ``location``, ``zone`` or the region part of its ARN, with the country that
region is in; failing those, an Azure resource's resource group's location (by its
``resource_group_name``), then, in a plan, the region of the provider configuration the
resource uses (``configuration.provider_config``: its constant ``region``, or the root variable
it names, a module's provider inherited from the module above); the note says which. Only those
values (and resource groups' names) are read.
A value the state marks sensitive (``sensitive_values``) is never read, kept or printed; a
region marked sensitive is noted as not read. Terraform's raw state file (``terraform.tfstate``)
is refused with the command that gives the form read here.

>>> state = {"format_version": "1.0", "values": {"root_module": {"child_modules": [{"address": "module.m",
...   "resources": [{"address": "module.m.aws_sqs_queue.q", "mode": "managed", "type": "aws_sqs_queue",
...   "values": {"arn": "arn:aws:sqs:eu-central-1:123:q", "policy": "secret"},
...   "sensitive_values": {"policy": True}}]}]}}}
>>> [(o.name, o.region, o.country) for o in read("tf.json", state, {})]
[('module.m.aws_sqs_queue.q', 'eu-central-1', 'DE')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from flowatlas.evidence.base import EvidenceReader, Observation, _Collector, cloud_country, items, pick, register

REGION_KEYS: tuple[str, ...] = ("region", "location", "zone")  # zone: Google Cloud's instances and disks
#: Why the sections of ``terraform show -json`` flowatlas does not read hold no resource's region.
SECTION_REASONS: dict[str, str] = {
    "resource_changes": "the plan's changes: each resource's region is read from planned_values",
    "resource_drift": "changes made outside Terraform: the state's values are read",
    "prior_state": "the state before the plan: the planned values are read",
    "output_changes": "outputs are no resources",
    "relevant_attributes": "which attributes the plan used: no region",
    "checks": "the results of check blocks: no region",
    "deferred_changes": "changes the plan could not make yet: no region",
}
READ_SECTIONS: tuple[str, ...] = (
    "format_version",
    "terraform_version",
    "values",
    "planned_values",
    "configuration",
    "variables",
)
READ_SECTIONS += ("timestamp", "applyable", "complete", "errored")  # what kind of plan it is: read to recognise it
#: Why a resource of the state is not used (the reasons the account gives).
DATA_SOURCE = "read by Terraform, not a place data is kept"
MALFORMED = "malformed: nothing to read"
NO_ADDRESS = "nothing to name it by"


def recognises(data: Any) -> bool:
    return isinstance(data, dict) and "format_version" in data and ("values" in data or "planned_values" in data)


def near_miss(data: Any) -> str | None:
    """What to give instead of Terraform's raw state file (``terraform.tfstate``), else None."""
    if isinstance(data, dict) and "terraform_version" in data and "lineage" in data and "resources" in data:
        return (
            f"it is Terraform's raw state (format {data.get('version', '?')}); give what "
            "`terraform show -json terraform.tfstate > state.json` writes (for a plan: `terraform show -json PLANFILE`)"
        )
    return None


_INDEX = re.compile(r"\[[^\]]*\]")  # count and for_each keys: module.m["a"].aws_s3_bucket.b[0]


def _config_resources(module: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """``(address, provider config key)`` of every resource of a plan's ``configuration``."""
    stack = [(module, prefix)]
    while stack:
        m, pre = stack.pop()
        if not isinstance(m, dict):
            continue
        for r in items(m.get("resources")):
            address, key = pick(r, "address"), pick(r, "provider_config_key")
            if isinstance(address, str) and isinstance(key, str):
                yield pre + address, key
        calls = m.get("module_calls")
        for name, call in sorted(calls.items()) if isinstance(calls, dict) else ():
            if isinstance(call, dict):
                stack.append((call.get("module"), f"{pre}module.{name}."))


def _key_and_parents(key: str) -> Iterator[str]:
    """``key``, then the keys of the provider configurations it inherits from: a module's
    ``module.a.module.b:aws`` (or ``b:aws``) falls back to ``module.a:aws``, then ``aws``."""
    path, _, provider = key.rpartition(":")
    yield key
    parts = path.split(".") if path else []
    for i in range(len(parts) - 1, 0, -1):
        yield ".".join(parts[:i]) + ":" + provider
    if path:
        yield provider


def _provider_regions(data: dict) -> dict[str, tuple[str, str]]:
    """``{resource address without indexes: (region, provider key)}`` from a plan's provider
    configurations; a resource whose provider gives no region is left out."""
    conf = data.get("configuration")
    if not isinstance(conf, dict) or not isinstance(conf.get("provider_config"), dict):
        return {}
    providers: dict = conf["provider_config"]
    got = data.get("variables")
    variables: dict = got if isinstance(got, dict) else {}

    def region_of(key: str) -> str:
        expr = pick(pick(providers.get(key), "expressions"), "region")
        if not isinstance(expr, dict):
            return ""
        value = expr.get("constant_value")
        refs = items(expr.get("references"))
        if value is None and ":" not in key and refs and isinstance(refs[0], str) and refs[0].startswith("var."):
            value = pick(variables.get(refs[0][4:]), "value")  # a root variable, as the plan gives it
        return value if isinstance(value, str) else ""

    out: dict[str, tuple[str, str]] = {}
    for address, key in _config_resources(conf.get("root_module")):
        for k in _key_and_parents(key):
            if k in providers and (region := region_of(k)):
                out[_INDEX.sub("", address)] = (region, k)
                break
            if k in providers and pick(providers[k], "expressions"):
                break  # configured here without a region: the environment decides, not the plan
    return out


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


def _resource_groups(modules: list[tuple[dict, tuple]]) -> dict[str, tuple[str, str]]:
    """``{name: (location, address)}`` of every Azure resource group of the state: an Azure
    resource that names no location of its own is where its resource group is."""
    out: dict[str, tuple[str, str]] = {}
    for module, _ in modules:
        for res in items(module.get("resources")):
            values = pick(res, "values", default={})
            if pick(res, "type") != "azurerm_resource_group" or not isinstance(values, dict):
                continue
            name, where = values.get("name"), values.get("location")
            if _sensitive(res, "name") or _sensitive(res, "location"):
                continue
            if isinstance(name, str) and isinstance(where, str) and where:
                out.setdefault(name, (where, str(res.get("address"))))
    return out


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
    from_provider = _provider_regions(data)
    c.sections(data, SECTION_REASONS, READ_SECTIONS)
    modules = _modules(root, (top, "root_module"))
    groups = _resource_groups(modules)
    for module, path in modules:
        for i, res in enumerate(items(module.get("resources"))):
            if not isinstance(res, dict):
                c.unused((*path, "resources", i), "a resource that is not a mapping", MALFORMED)
                continue
            address = res.get("address")
            if res.get("mode", "managed") != "managed":
                c.unused((*path, "resources", i), f"data source '{address}'", DATA_SOURCE)
                continue
            if not isinstance(address, str):
                c.unused((*path, "resources", i), "a resource without an address", NO_ADDRESS)
                continue
            region, note = _region(res)
            values = pick(res, "values", default={})
            group = values.get("resource_group_name") if isinstance(values, dict) else None
            readable = isinstance(group, str) and group in groups and not _sensitive(res, "resource_group_name")
            if not region and not note and readable:
                where, by = groups[str(group)]
                region, note = where, f"the location of its resource group '{group}' ({by})"
            if not region and not note and (got := from_provider.get(_INDEX.sub("", address))):
                region, note = got[0], f"the region of its provider configuration '{got[1]}'"
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
        near_miss,
        versions="`terraform show -json` of a state or a plan (format 0.x and 1.x), UTF-8 or UTF-16 with a BOM; the "
        "raw `terraform.tfstate` is refused with the command that converts it",
        uses={
            "values, planned_values": "each managed resource of every module: its region (`region`, `location`, "
            "`zone`, its ARN; an Azure resource's resource group) and that region's country",
            "configuration.provider_config, variables": "a plan's provider regions (aliases, modules inheriting "
            "them, root variables) for resources that name none",
            "format_version, terraform_version": "to recognise the file",
        },
        not_used={**SECTION_REASONS, "a data source": DATA_SOURCE, "a resource without an address": NO_ADDRESS},
    )
)
