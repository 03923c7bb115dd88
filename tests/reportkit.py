"""Helpers of the notebook and report tests: small maps, and report runs shared by the session.

A report run costs seconds (a kernel per notebook), so each distinct run is made once per test
session and shared, also across pytest-xdist workers (a file lock in the session's shared
temporary folder: the first worker runs it, the others read its result).
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ABSOLOOP = ROOT / "dataflows" / "absoloop"
NOTEBOOKS = ROOT / "notebooks"
FLOWATLAS = [sys.executable, "-m", "flowatlas"]

#: A small map on the base taxonomy: a controller in Singapore, a processor in the US reached
#: without a transfer basis, a purpose the statement does not declare, an unencrypted password.
TINY: dict[str, str] = {
    "map.yaml": """\
map: {id: tiny, name: Tiny Shop, controller: shop, home: SG, policy: tiny-policy}
""",
    "orgs.yaml": """\
organisations:
  - {id: shop, name: Tiny Shop Pte Ltd, role: controller, jurisdiction: SG}
  - {id: mailco, name: MailCo Inc, role: processor, jurisdiction: US}
""",
    "nodes.yaml": """\
nodes:
  - {id: buyer, name: Buyers, kind: subject, subject: account-holder}
  - {id: web, name: Web shop, kind: system, owner: shop, jurisdiction: SG}
  - {id: orders, name: Order database, kind: store, owner: shop, jurisdiction: SG, retention: while_service,
     encrypted_at_rest: true, erase: true, export: true}
  - {id: mailer, name: Mail service, kind: system, owner: mailco, jurisdiction: US}
""",
    "flows.yaml": """\
flows:
  - {id: t-1, from: buyer, to: web, types: [email, name, password], purposes: [provide-service],
     context: registration}
  - {id: t-2, from: web, to: orders, types: [email, name, password], purposes: [provide-service]}
  - {id: t-3, from: web, to: mailer, types: [email, name], purposes: [provide-service, advertising],
     sharing_basis: on_instruction}
""",
    "policy.yaml": """\
policies:
  - id: tiny-policy
    title: Tiny Shop privacy statement
    version: "1"
    controller: shop
    declarations:
      - {id: c1, kind: collection, clause: "1", quote: "we collect your email, name and password",
         subjects: [account-holder], contexts: [registration], types: [email, name, password]}
      - {id: s1, kind: storage, clause: "2", quote: we store your data in Singapore, locations: [SG]}
      - {id: p1, kind: purpose, clause: "3", quote: to provide the service, purposes: [provide-service]}
      - {id: sh1, kind: sharing, clause: "4", quote: service providers acting on our instructions,
         bases: [on_instruction], recipient_roles: [processor]}
""",
}


def write_map(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def hostile(files: dict[str, str]) -> dict[str, str]:
    """``files`` with display names that try to inject HTML and scripts."""
    out = dict(files)
    out["map.yaml"] = out["map.yaml"].replace(
        "name: Tiny Shop,", "name: 'Tiny <script>window.__pwned=1</script> Shop',"
    )
    out["nodes.yaml"] = (
        out["nodes.yaml"]
        .replace("name: Web shop,", "name: '<img src=x onerror=\"window.__pwned=2\">Web & <b>shop</b>',")
        .replace("name: Order database,", "name: '</table><script>window.__pwned=3</script>',")
    )
    out["orgs.yaml"] = out["orgs.yaml"].replace("name: MailCo Inc,", "name: '<svg onload=\"window.__pwned=4\">MailCo',")
    return out


def shared(base: Path, name: str, make: Callable[[Path], dict]) -> dict:
    """Run ``make(folder)`` once per session (across xdist workers); returns its JSON result."""
    base.mkdir(parents=True, exist_ok=True)
    folder, done = base / name, base / f"{name}.json"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                folder.mkdir(parents=True, exist_ok=True)
                done.write_text(json.dumps(make(folder)), encoding="utf-8")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return json.loads(done.read_text("utf-8"))


def session_base(tmp_path_factory) -> Path:
    """A folder shared by all xdist workers of this session."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    return root / "flowatlas-report-runs"


def cli(*args: str, cwd: Path = ROOT, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([*FLOWATLAS, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def run_cli(folder: Path, *args: str) -> dict:
    """``flowatlas report ARGS`` as a subprocess; returns exit code, stdout, stderr."""
    p = cli("report", *args)
    return {"code": p.returncode, "stdout": p.stdout, "stderr": p.stderr, "folder": str(folder)}


def execute(
    notebook: Path,
    output: Path,
    parameters: dict | None = None,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> dict:
    """Execute a notebook with papermill in a child process (``python -m flowatlas.report.worker``).

    Never in the test process: under pytest-xdist a worker's stdout is its channel to the
    controller, and a kernel started from it would inherit (and jam) it.
    """
    job = {
        "input": str(notebook),
        "output": str(output),
        "parameters": parameters or {},
        "cwd": str(cwd or output.parent),
        "kernel": "python3",
    }
    p = subprocess.run(
        [sys.executable, "-m", "flowatlas.report.worker"],
        input=json.dumps(job),
        text=True,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    lines = p.stdout.strip().splitlines()
    assert lines, p.stderr
    return json.loads(lines[-1])
