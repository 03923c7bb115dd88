"""Faults a report run must survive: killed with SIGKILL at any point, it leaves ``latest``
where it was, a run folder that says it is incomplete (``run.json``), and no process behind;
``flowatlas report --clean`` removes such folders and nothing else."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reportkit import ABSOLOOP

FLOWATLAS = [sys.executable, "-m", "flowatlas"]


def _descendants(pid: int) -> set[int]:
    """Every process whose parent chain reaches ``pid`` (from /proc), and every flowatlas worker."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    out: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - out
        out |= frontier
    return out


def _workers(mark: str) -> set[int]:
    """The report workers and kernels started under the environment marker ``mark`` (so that
    the processes of tests running alongside are not counted)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                env = (entry / "environ").read_bytes()
            except OSError:
                continue
            if (b"flowatlas.report.worker" in cmd or b"ipykernel_launcher" in cmd) and mark.encode() in env:
                found.add(int(entry.name))
    return found


def _gone(pids: set[int], seconds: float = 15) -> set[int]:
    """The pids of ``pids`` still alive after up to ``seconds`` (zombies count as gone)."""
    deadline = time.monotonic() + seconds
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        for pid in list(alive):
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                state = "X"
            if state in ("X", "Z"):
                alive.discard(pid)
        time.sleep(0.2)
    return alive


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("after", [0.5, "notebooks"])
def test_report_killed_leaves_latest_and_no_process(tmp_path, after):
    """Killed before its notebooks, or while the Absoloop notebooks run (several seconds each:
    a worker that outlived the runner would still be there when the check looks)."""
    tiny = tmp_path / "absoloop"
    shutil.copytree(ABSOLOOP, tiny)
    out = tmp_path / "out"
    first = subprocess.run([*FLOWATLAS, "report", str(tiny), "--out", str(out), "-q"], capture_output=True, text=True,
                           timeout=600)  # fmt: skip
    assert first.returncode in (0, 1), first.stderr
    map_out = out / "absoloop"
    latest_before = (map_out / "latest").resolve()
    mark = f"FLOWATLAS_FAULT_TEST={tmp_path}"
    before = _workers(mark)

    run = subprocess.Popen(
        [*FLOWATLAS, "report", str(tiny), "--out", str(out)],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "FLOWATLAS_FAULT_TEST": str(tmp_path)},
    )
    if after == "notebooks":  # wait until the notebooks are running
        deadline = time.monotonic() + 120
        line = ""
        while "running" not in line and time.monotonic() < deadline:
            line = run.stderr.readline() if run.stderr else ""
        time.sleep(1.0)
    else:
        time.sleep(float(after))
    children = _descendants(run.pid)
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=30)

    assert (map_out / "latest").resolve() == latest_before, "latest moved or was lost"
    assert (latest_before / "report.html").is_file()
    left = _gone(children | (_workers(mark) - before), seconds=4)  # the kernels poll their worker each second
    assert not left, f"processes left behind: {left}"
    killed = [p for p in map_out.iterdir() if p.is_dir() and not p.is_symlink() and p != latest_before]
    for run_dir in killed:
        manifest = json.loads((run_dir / "run.json").read_text())
        assert manifest["status"] == "incomplete"
    cleaned = subprocess.run([*FLOWATLAS, "report", str(tiny), "--out", str(out), "--clean"], capture_output=True,
                             text=True, timeout=120)  # fmt: skip
    assert cleaned.returncode == 0, cleaned.stderr
    assert sorted(p for p in map_out.iterdir() if p.is_dir() and not p.is_symlink()) == [latest_before]
    assert (map_out / "latest").resolve() == latest_before


def test_clean_keeps_runs_still_going_and_finished_ones(tmp_path):
    from flowatlas.report.runs import INCOMPLETE, clean_incomplete, mark_incomplete, point_latest

    map_out = tmp_path / "m"
    done, going, dead, broken = (map_out / name for name in ("20260101T000000Z", "20260102T000000Z",
                                                             "20260103T000000Z", "20260104T000000Z"))  # fmt: skip
    for d in (done, going, dead, broken):
        d.mkdir(parents=True)
    (done / "run.json").write_text(json.dumps({"status": "ok"}))
    point_latest(map_out, done)
    mark_incomplete(going, "now")  # this process: still running
    mark_incomplete(dead, "then")
    manifest = json.loads((dead / "run.json").read_text())
    assert manifest["status"] == INCOMPLETE
    dead_pid = subprocess.Popen(["true"])
    dead_pid.wait()
    (dead / "run.json").write_text(json.dumps(manifest | {"pid": dead_pid.pid}))
    (broken / "run.json").write_text("{not json")
    other = map_out / "20260105T000000Z"  # another scheduler's run (no process to ask): kept while recent
    other.mkdir()
    mark_incomplete(other, "now", pid=0)
    assert json.loads((other / "run.json").read_text())["pid"] is None
    assert clean_incomplete(map_out) == [dead]  # broken and other have no process to ask, and are recent
    old = time.time() - 2 * 24 * 3600
    for d in (broken, other):
        os.utime(d, (old, old))
    assert clean_incomplete(map_out) == [broken, other]
    assert sorted(p.name for p in map_out.iterdir()) == sorted([done.name, going.name, "latest"])
