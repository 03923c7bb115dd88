"""Files written whole or not at all: a reader (a person, a schedule, a browser) never sees half a
diagram, spreadsheet or worksheet, and a failed write leaves the old file in place.

>>> import tempfile, os
>>> p = os.path.join(tempfile.mkdtemp(), "a.txt")
>>> write_whole(p, b"one"); open(p, "rb").read()
b'one'
>>> try:
...     write_whole(os.path.join(p, "x.txt"), b"x")  # a file where a folder should be
... except UsageError as exc:
...     print(str(exc).endswith("a.txt/x.txt: Not a directory"))
True
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flowatlas.errors import UsageError

__all__ = ["write_whole"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_whole(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file beside it and a rename.

    Raises
    ------
    UsageError
        When the file cannot be written (no such folder, a name too long, a folder in its
        place, no space), naming the file and the reason.
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.", dir=path.parent)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
