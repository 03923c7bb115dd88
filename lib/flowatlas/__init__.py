"""flowatlas: a data-flow atlas for personal information.

Load a map (``load_map``), derive what it implies once (``Analysis``: its graph, facts,
verdicts and findings), audit it against the declared policy (``flowatlas.audit``), and draw
it (``flowatlas.render``).
"""

from flowatlas.atlas import Map
from flowatlas.errors import FlowatlasError, MapError, MapValidationError
from flowatlas.graph import build_graph, reach
from flowatlas.loader import load_map, load_texts

__version__ = "0.2.0"

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
