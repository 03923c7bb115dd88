"""The JSON Schema of a map file, generated from the pydantic model, published per map format.

``flowatlas/data/map-format-N.schema.json`` is the schema of format N, as the release that
introduced it wrote it; ``flowatlas/data/map.schema.json`` is the current format's (the file the
maps' ``yaml-language-server`` comments name). A test holds the current format's files to the
model, so they change only with it; an earlier format's file is kept as it was.

>>> from flowatlas.model import MAP_FORMATS
>>> [json.loads(published_schema_text(n))["title"] for n in MAP_FORMATS]
['flowatlas map file, format 1']
"""

from __future__ import annotations

import json
from importlib import resources

from flowatlas import model
from flowatlas.errors import UsageError
from flowatlas.model import MAP_FORMAT, MAP_FORMATS, MapFile

SCHEMA_FILE = "map.schema.json"


def schema_file(fmt: int) -> str:
    """The name of the schema file of map format ``fmt``: ``map-format-1.schema.json``."""
    return f"map-format-{fmt}.schema.json"


def schema_id(fmt: int) -> str:
    """The ``$id`` of the schema of map format ``fmt``."""
    return f"https://flowatlas.invalid/schema/{schema_file(fmt)}"


def map_schema() -> dict:
    """The JSON Schema (draft 2020-12) that every map YAML file of the current format conforms to."""
    schema = MapFile.model_json_schema(by_alias=True, mode="validation")
    for name, d in schema.get("$defs", {}).items():
        # records are keyword-only dataclasses, whose required keys pydantic lists out of
        # order: list them in the order the record declares them
        cls = getattr(model, name, None)
        if "required" in d and cls is not None:
            order = [f.alias or n for n, f in cls.__pydantic_fields__.items()]
            d["required"] = sorted(d["required"], key=order.index)
    schema["title"] = f"flowatlas map file, format {MAP_FORMAT}"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": schema_id(MAP_FORMAT), **schema}


def schema_text() -> str:
    """The current format's schema as stable, pretty-printed JSON (what ``flowatlas schema`` prints)."""
    return json.dumps(map_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def shipped_schema_text() -> str:
    """The copy shipped in the package (``flowatlas/data/map.schema.json``)."""
    return resources.files("flowatlas").joinpath("data", SCHEMA_FILE).read_text("utf-8")


def published_schema_text(fmt: int) -> str:
    """The published schema of map format ``fmt`` (``flowatlas schema --format-version N``)."""
    if fmt not in MAP_FORMATS:
        readable = ", ".join(map(str, MAP_FORMATS))
        raise UsageError(f"map format {fmt} is not one this release of flowatlas reads ({readable})")
    return resources.files("flowatlas").joinpath("data", schema_file(fmt)).read_text("utf-8")
