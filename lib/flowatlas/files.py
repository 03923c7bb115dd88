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

import gzip
import os
import tempfile
from pathlib import Path

from flowatlas.errors import UsageError

__all__ = ["COMPRESS_OVER", "compress_large", "data_path", "read_data", "write_whole"]

#: A data file of a run larger than this is kept gzip-compressed beside where it would be
#: (``findings.json.gz``): the 50,000-flow synthetic map wrote 240 MB of JSON, CSV and Markdown
#: into each run folder, most of it repeated text that gzip takes down about tenfold (past 1 MB
#: and not 4: its history.json, 1.5 MB of finding ids, is kept in 0.3 MB).
COMPRESS_OVER = 1_000_000


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


def compress_large(path: str | Path, over: int | None = None) -> Path:
    """``path``, or, when the file is larger than ``over`` bytes (:data:`COMPRESS_OVER`), ``path.gz`` in its place:
    gzip with no name or time in its header, so the same file gives the same bytes.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> small, big = Path(d, "a.json"), Path(d, "b.json")
    >>> _ = small.write_text("{}"); _ = big.write_text("x" * 100)
    >>> compress_large(small, over=50).name, compress_large(big, over=50).name, big.exists()
    ('a.json', 'b.json.gz', False)
    >>> read_data(Path(d, "b.json")) == "x" * 100
    True
    """
    p = Path(path)
    if p.stat().st_size <= (COMPRESS_OVER if over is None else over):
        return p
    gz = p.with_name(p.name + ".gz")
    with open(p, "rb") as fh:
        data = gzip.compress(fh.read(), compresslevel=9, mtime=0)  # 6: 8% larger, 1 s less for 47 MB of JSON
    write_whole(gz, data)
    p.unlink()
    return gz


def data_path(path: str | Path) -> Path | None:
    """The file a run keeps for ``path``: itself, or ``path.gz``; None when neither is there."""
    p = Path(path)
    if p.is_file():
        return p
    gz = p.with_name(p.name + ".gz")
    return gz if gz.is_file() else None


def read_data(path: str | Path) -> str:
    """The text of ``path``, or of ``path.gz`` (:func:`compress_large`), as UTF-8.

    Raises
    ------
    FileNotFoundError
        When neither is there.
    """
    found = data_path(path)
    if found is None:
        raise FileNotFoundError(str(path))
    raw = found.read_bytes()
    return (gzip.decompress(raw) if found.suffix == ".gz" else raw).decode("utf-8")
