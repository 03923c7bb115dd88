"""The YAML reader: map files as written by hand (``.yaml``, ``.yml``), with line and column of
every record (:mod:`flowatlas.yamlio`)."""

from __future__ import annotations

from flowatlas.readers.base import Reader, register_reader
from flowatlas.yamlio import parse_texts

READER = register_reader(
    Reader("yaml", (".yaml", ".yml"), parse_texts, "map files in YAML, with line:column of every record")
)

__all__ = ["READER"]
