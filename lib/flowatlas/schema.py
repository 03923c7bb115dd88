"""The JSON Schema of a map file, generated from the pydantic model."""

from __future__ import annotations

import json
from importlib import resources

from flowatlas import model
from flowatlas.model import MapFile

SCHEMA_ID = "https://flowatlas.invalid/schema/map.schema.json"
SCHEMA_FILE = "map.schema.json"


def map_schema() -> dict:
    """The JSON Schema (draft 2020-12) that every map YAML file conforms to."""
    schema = MapFile.model_json_schema(by_alias=True, mode="validation")
    for name, d in schema.get("$defs", {}).items():
        # records are keyword-only dataclasses, whose required keys pydantic lists out of
        # order: list them in the order the record declares them
        cls = getattr(model, name, None)
        if "required" in d and cls is not None:
            order = [f.alias or n for n, f in cls.__pydantic_fields__.items()]
            d["required"] = sorted(d["required"], key=order.index)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def schema_text() -> str:
    """The schema as stable, pretty-printed JSON (what ``flowatlas schema`` prints)."""
    return json.dumps(map_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def shipped_schema_text() -> str:
    """The copy shipped in the package (``flowatlas/data/map.schema.json``)."""
    return resources.files("flowatlas").joinpath("data", SCHEMA_FILE).read_text("utf-8")
