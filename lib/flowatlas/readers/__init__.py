"""Readers of map files, registered by the suffixes they read (see :mod:`flowatlas.readers.base`).

To add a reader: a module here that registers its ``READER`` beside its code
(``READER = register_reader(Reader(...))``, producing :class:`~flowatlas.readers.base.Records`
with the provenance of each record), its test, and its import below.
"""

# the reader modules: importing one registers its reader (READERS)
from flowatlas.readers import json_reader, yaml_reader  # noqa: F401
from flowatlas.readers.base import READERS, Located, Reader, Records, reader_for, register_reader, suffixes

__all__ = ["READERS", "Located", "Reader", "Records", "reader_for", "register_reader", "suffixes"]
