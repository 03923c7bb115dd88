"""Readers of map files, registered by the suffixes they read (see :mod:`flowatlas.readers.base`).

To add a reader: a module here that defines ``READER`` (producing
:class:`~flowatlas.readers.base.Records` with the provenance of each record), its test, and one
registry line below.
"""

from flowatlas.readers import json_reader, yaml_reader
from flowatlas.readers.base import READERS, Located, Reader, Records, reader_for, register_reader, suffixes

# The registry: one line per reader.
register_reader(yaml_reader.READER)
register_reader(json_reader.READER)

__all__ = ["READERS", "Located", "Reader", "Records", "reader_for", "register_reader", "suffixes"]
