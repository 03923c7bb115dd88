"""flowatlas: a data-flow atlas for personal information.

Load a map (``load_map``), derive what it implies once (``Analysis``: its graph, facts,
verdicts and findings), audit it against the declared policy (``flowatlas.audit``), and draw
it (``flowatlas.render``).

The names below are imported on first use (PEP 562), so that ``flowatlas --version`` and
``--help`` do not load pydantic, networkx and the rest.

>>> import flowatlas
>>> flowatlas.load_texts.__module__
'flowatlas.loader'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.3.0"

#: public name -> module defining it
_EXPORTS: dict[str, str] = {
    "FlowatlasError": "flowatlas.errors",
    "Map": "flowatlas.atlas",
    "MapError": "flowatlas.errors",
    "MapValidationError": "flowatlas.errors",
    "build_graph": "flowatlas.analysis.graph",
    "load_map": "flowatlas.loader",
    "load_texts": "flowatlas.loader",
    "reach": "flowatlas.analysis.graph",
}

if TYPE_CHECKING:
    from flowatlas.analysis.graph import build_graph, reach
    from flowatlas.atlas import Map
    from flowatlas.errors import FlowatlasError, MapError, MapValidationError
    from flowatlas.loader import load_map, load_texts


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'flowatlas' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "FlowatlasError",
    "Map",
    "MapError",
    "MapValidationError",
    "__version__",
    "build_graph",
    "load_map",
    "load_texts",
    "reach",
]
