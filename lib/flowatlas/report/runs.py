"""Run folders: ``outputs/<map>/<UTC stamp>/``, the ``latest`` pointer, and runs that never finished.

>>> utc_stamp(datetime(2026, 12, 1, 19, 55, 24, tzinfo=UTC))
'20261201T195524Z'
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from flowatlas.report.params import ParameterError


def utc_stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def run_date(name: str) -> str:
    """The day a run folder's name says it started (``20261201T195524Z`` → ``2026-12-01``), or
    the name itself when it is not a run's.

    >>> run_date("20261201T195524Z-2"), run_date("by-hand")
    ('2026-12-01', 'by-hand')
    """
    return f"{name[:4]}-{name[4:6]}-{name[6:8]}" if is_run_stamp(name) else name


def run_when(name: str) -> str:
    """The day and minute (UTC) a run folder's name says it started: ``2026-12-01 19:55``.

    >>> run_when("20261201T195524Z")
    '2026-12-01 19:55'
    """
    return f"{run_date(name)} {name[9:11]}:{name[11:13]}" if is_run_stamp(name) else name


def is_run_stamp(name: str) -> bool:
    """``name`` is a run folder's (``20261201T195524Z``, or ``...Z-2`` for a second run that second)."""
    return len(name) >= 16 and name[8] == "T" and name[:8].isdigit() and name[9:15].isdigit()


def new_run_dir(map_out: Path, stamp: str) -> Path:
    """A fresh ``map_out/<stamp>`` (``<stamp>-2``, ... if a run started in the same second)."""
    try:
        map_out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ParameterError(f"cannot create the run folder in {map_out}: a file is in the way (check --out)") from None
    except OSError as exc:
        raise ParameterError(f"cannot create the run folder in {map_out}: {exc.strerror}") from None
    for i in range(1, 1000):
        d = map_out / (stamp if i == 1 else f"{stamp}-{i}")
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
    raise ParameterError(f"cannot create a run folder in {map_out}")


def latest_run(map_out: Path) -> Path | None:
    """The run ``map_out/latest`` points at: a symlink, or a text file naming the folder."""
    p = map_out / "latest"
    if p.is_symlink() or p.is_dir():
        target = p.resolve()
        return target if target.is_dir() else None
    if p.is_file():
        name = p.read_text("utf-8").strip()
        target = map_out / name
        return target if name and target.is_dir() else None
    return None


def point_latest(map_out: Path, run_dir: Path) -> None:
    """Move ``latest`` to ``run_dir`` atomically; a text pointer file where symlinks fail."""
    link = map_out / "latest"
    tmp = map_out / f".latest-{os.getpid()}"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(run_dir.name, tmp, target_is_directory=True)
        os.replace(tmp, link)
    except OSError:
        if tmp.is_symlink():
            tmp.unlink()
        if link.is_symlink():
            link.unlink()
        tmp.write_text(run_dir.name + "\n", encoding="utf-8")
        os.replace(tmp, link)


#: ``status`` in the ``run.json`` a run writes as it starts; the finished run replaces it.
INCOMPLETE = "incomplete"


def mark_incomplete(run_dir: Path, started: str, *, pid: int | None = None) -> None:
    """Write ``run.json`` saying the run has started and not finished, with the id of the
    process that runs it (``pid``, default this one; None when another scheduler runs it), so
    :func:`clean_incomplete` can tell a dead run from one still going."""
    manifest = {"run": run_dir.name, "status": INCOMPLETE, "started": started, "host": platform.node(),
                "pid": os.getpid() if pid is None else pid or None}  # fmt: skip
    (run_dir / "run.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


#: An incomplete run with no process to ask about (started by another scheduler, or with no
#: readable run.json) counts as dead once its folder is this old (seconds).
STALE_SECONDS = 24 * 3600


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_incomplete(map_out: Path) -> list[Path]:
    """Remove the run folders under ``map_out`` that never finished: ``run.json`` says
    ``incomplete`` (or is missing or unreadable) and the process that started it, on this host,
    is gone (a run with no such process: once it is :data:`STALE_SECONDS` old). ``latest``,
    finished runs and runs still going are never touched; returns the folders removed."""
    keep = latest_run(map_out)
    removed = []
    for run in sorted(p for p in map_out.iterdir() if p.is_dir() and not p.is_symlink() and p.name[:2] == "20"):
        if run == keep:
            continue
        try:
            manifest = json.loads((run / "run.json").read_text("utf-8"))
        except (OSError, ValueError):
            manifest = {"status": INCOMPLETE}
        if manifest.get("status") != INCOMPLETE:
            continue
        pid = manifest.get("pid")
        if isinstance(pid, int) and manifest.get("host") == platform.node():
            if _alive(pid):
                continue  # still running
        elif time.time() - run.stat().st_mtime < STALE_SECONDS:
            continue  # no process to ask: maybe another scheduler's run still going
        shutil.rmtree(run)
        removed.append(run)
    return removed


__all__ = [
    "INCOMPLETE",
    "STALE_SECONDS",
    "clean_incomplete",
    "latest_run",
    "mark_incomplete",
    "new_run_dir",
    "point_latest",
    "utc_stamp",
]
