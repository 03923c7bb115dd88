"""Where a report's notebooks come from, and copies of them for a person to edit.

The four notebooks live in the top-level ``notebooks/`` folder of the repository; the wheel
carries them inside the package as ``flowatlas/notebooks/`` (``pyproject.toml``,
``tool.hatch.build.targets.wheel.force-include``). A run takes, in this order:

1. the folder given with ``flowatlas report --notebooks DIR``;
2. the map's own ``notebooks/`` folder, when it holds one (``dataflows/<map>/notebooks/``);
3. the copies that came with the installed package (:func:`packaged_dir`).

>>> sorted(p.name for p in notebook_paths(packaged_dir()).values())
['audit.ipynb', 'diagrams.ipynb', 'explore.ipynb', 'report.ipynb']
"""

from __future__ import annotations

import contextlib
import os
import shutil
from importlib.resources import files
from pathlib import Path

from flowatlas.errors import UsageError

__all__ = ["NOTEBOOKS", "copy_notebooks", "find_notebooks", "notebook_paths", "packaged_dir"]

#: The notebooks of a report; none depends on another. Listed longest first, the order they
#: start in, so that ``--jobs 2`` finishes soonest.
NOTEBOOKS: tuple[str, ...] = ("diagrams", "report", "explore", "audit")


def packaged_dir() -> Path:
    """The notebooks that came with the installed package.

    In a wheel they are ``flowatlas/notebooks/``; in a source checkout (an editable install, or
    ``lib/`` on the path) they are the checkout's ``notebooks/``, the folder the wheel copies.

    Raises
    ------
    UsageError
        When neither folder holds the notebooks (a broken install).
    """
    inside = Path(str(files("flowatlas"))) / "notebooks"
    source = Path(__file__).resolve().parents[3] / "notebooks"
    for folder in (inside, source):
        if all((folder / f"{name}.ipynb").is_file() for name in NOTEBOOKS):
            return folder
    raise UsageError(f"the flowatlas notebooks are missing from {inside}: reinstall flowatlas")


def notebook_paths(folder: str | Path) -> dict[str, Path]:
    """``{name: folder/name.ipynb}`` for the suite's notebooks.

    Raises
    ------
    UsageError
        When ``folder`` is not a folder or lacks one of the notebooks (named).
    """
    path = Path(folder)
    if not path.is_dir():
        raise UsageError(f"notebooks folder '{folder}': no such folder")
    missing = [f"{name}.ipynb" for name in NOTEBOOKS if not (path / f"{name}.ipynb").is_file()]
    if missing:
        raise UsageError(f"notebooks folder '{folder}' lacks {', '.join(missing)} (a report needs all of them)")
    return {name: path / f"{name}.ipynb" for name in NOTEBOOKS}


def find_notebooks(explicit: str | Path | None, map_path: Path) -> Path:
    """The folder a run takes its notebooks from (see the module docstring for the order).

    ``map_path`` is the map's folder (or YAML file); its ``notebooks/`` subfolder is used when
    it exists, and must then hold every notebook.
    """
    if explicit:
        notebook_paths(explicit)
        return Path(explicit).resolve()
    own = (map_path if map_path.is_dir() else map_path.parent) / "notebooks"
    if own.is_dir():
        notebook_paths(own)
        return own.resolve()
    return packaged_dir()


def copy_notebooks(dest: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Copy the packaged notebooks into ``dest`` (created if missing) for a person to edit.

    Existing files are kept unless ``overwrite``; a notebook there that is a link is replaced
    by the copy, never written through. Each copy is written beside its place and then moved
    into it, all or none: a failure leaves ``dest`` as it was. Returns the paths written.

    Raises
    ------
    UsageError
        When ``dest`` is a file, cannot be created or written, or would overwrite a notebook
        without ``overwrite``.
    """
    target = Path(dest)
    if os.path.lexists(target) and not target.is_dir():
        raise UsageError(f"'{dest}' is a file (or a link to nothing): give a folder to copy the notebooks into")
    sources = notebook_paths(packaged_dir())
    clash = [p.name for p in sources.values() if os.path.lexists(target / p.name)]
    if clash and not overwrite:
        raise UsageError(f"'{dest}' already holds {', '.join(clash)}: pass --force to overwrite")
    made: list[Path] = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for src in sources.values():
            tmp = target / f".{src.name}.{os.getpid()}.tmp"
            made.append(tmp)
            shutil.copyfile(src, tmp)
        for src, tmp in zip(sources.values(), made, strict=True):
            os.replace(tmp, target / src.name)  # replaces a link itself, not the file it points to
    except OSError as exc:
        for tmp in made:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise UsageError(f"cannot copy the notebooks into '{dest}': {exc.strerror or exc}") from None
    return [target / src.name for src in sources.values()]
