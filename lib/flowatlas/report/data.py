"""The report's data files: findings (CSV, JSON), the diff against the previous run, and the
data inventory (CSV, XLSX). Pure functions of a map's analysis and its findings, plus the writers."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from flowatlas.analysis import Analysis
from flowatlas.diff import DIFF_FIELDS, diff_findings  # noqa: F401  (the report's names for them)
from flowatlas.errors import UsageError
from flowatlas.exports import exporter, formats
from flowatlas.files import compress_large, data_path, read_data
from flowatlas.findings import SEVERITIES, Finding, sort_findings, write_csv
from flowatlas.inputs import InputProblem, decode, load_json, read_bytes
from flowatlas.inventory import inventory, processor_record
from flowatlas.tia import worksheets


def findings_records(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings as JSON-ready dicts, in the stable order of :func:`sort_findings`."""
    return [f.to_dict() for f in sort_findings(list(findings))]


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    """``{severity: count}`` for every severity, most severe first."""
    c: Counter[str] = Counter(f.severity for f in findings)
    return {s: c.get(s, 0) for s in reversed(SEVERITIES)}


# --------------------------------------------------------------------------- diff


def read_findings_json(run_dir: str | Path | None) -> list[dict] | None:
    """``findings.json`` of an earlier run folder, or None when there is none."""
    if not run_dir:
        return None
    found = data_path(Path(run_dir) / "findings.json")  # or findings.json.gz, for a large map
    if found is None:
        return None
    p = found
    go_on = "compare with another run (-p previous_run RUN_FOLDER) or with none (-p previous_run none)"
    try:
        raw = read_bytes(p, str(p), what="findings file")
        if p.suffix == ".gz":
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError) as exc:
                raise UsageError(f"previous run: {p} is not a gzip file ({exc}); {go_on}") from None
        data = load_json(decode(raw, str(p)), str(p))
    except InputProblem as exc:
        raise UsageError(f"previous run: {exc.errors[0]}; {go_on}") from None
    found = data.get("findings") if isinstance(data, dict) else data
    if not isinstance(found, list) or not all(isinstance(d, dict) and isinstance(d.get("id"), str) for d in found):
        raise UsageError(f"previous run: {p} is not a findings file (expected a list of findings with ids); {go_on}")
    return found


def diff_table(diff: dict[str, Any]) -> pd.DataFrame:
    """The diff as one table: change (new, resolved, changed), id, severity, rule, message."""
    rows = []
    for kind in ("new", "resolved"):
        for d in diff[kind]:
            rows.append(
                {
                    "change": kind,
                    "id": d["id"],
                    "severity": d.get("severity", ""),
                    "rule": d.get("rule", ""),
                    "what": d.get("message", ""),
                }
            )
    for d in diff["changed"]:
        what = "; ".join(f"{k}: {d['before'][k]!r} \u2192 {d['after'][k]!r}" for k in d["fields"])
        rows.append(
            {
                "change": "changed",
                "id": d["id"],
                "severity": d["after"].get("severity", ""),
                "rule": d.get("rule") or "",
                "what": what,
            }
        )
    return pd.DataFrame(rows, columns=["change", "id", "severity", "rule", "what"])


# --------------------------------------------------------------------------- writers


def _dump(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


def write_findings(findings: list[Finding], out_dir: str | Path, *, map_id: str, digest: str) -> list[Path]:
    """Write ``findings.json`` and ``findings.csv`` into ``out_dir``; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    js, csv = out / "findings.json", out / "findings.csv"
    _dump(
        js,
        {"map": map_id, "digest": digest, "counts": severity_counts(findings), "findings": findings_records(findings)},
    )
    with open(csv, "w", encoding="utf-8", newline="") as fh:
        write_csv(findings, fh)
    return [compress_large(csv), compress_large(js)]


#: What ``diff.json`` gives of a new finding: its whole record is in ``findings.json``, by id
#: (with its message, a first run's diff of the 50,000-flow map was 1.0 MB compressed).
NEW_FIELDS = ("id", "severity", "rule")


def write_diff(diff: dict[str, Any], out_dir: str | Path, previous_run: str | None) -> Path:
    """Write ``diff.json``: the diff, each new finding by :data:`NEW_FIELDS` (the run's
    ``findings.json`` holds it whole; a first run's diff would copy the whole file), each
    resolved one whole (no later file holds it), each changed one with its fields before and after."""
    p = Path(out_dir) / "diff.json"
    new = [{k: d.get(k) for k in NEW_FIELDS} for d in diff["new"]]
    _dump(p, {"previous_run": previous_run} | diff | {"new": new})
    return compress_large(p)


# --------------------------------------------------------------------------- history

#: How many runs the trend keeps (a weekly schedule: a year).
HISTORY_RUNS = 52
HISTORY = "history.json"


def history(findings: list[Finding], run_dir: str | Path, previous: str | Path | None) -> dict[str, Any]:
    """How the findings moved over the runs of this map up to this one: each run's counts by
    severity (the last :data:`HISTORY_RUNS`), and the run each of this run's findings first
    appeared in (its folder name, which says when): the previous run's when it had the finding,
    else this run. Read from the
    previous run's ``history.json`` (one file, however many runs came before), or, for a run
    written before history was kept, from its ``findings.json``.

    A finding that was resolved and came back is first seen again when it came back."""
    name = Path(run_dir).name
    prev = read_history(previous)
    if previous and not prev["runs"]:  # an earlier run without history: it is the first point
        earlier = read_findings_json(previous) or []
        counts = Counter(str(d.get("severity")) for d in earlier)
        when = Path(previous).name
        prev = {
            "runs": [{"run": when, "counts": {s: counts.get(s, 0) for s in reversed(SEVERITIES)}}],
            "first_seen": {d["id"]: when for d in earlier},
        }
    seen = prev["first_seen"]
    runs = [r for r in prev["runs"] if isinstance(r, dict) and r.get("run") != name]
    runs.append({"run": name, "counts": severity_counts(findings)})
    return {
        "runs": runs[-HISTORY_RUNS:],
        "first_seen": {f.id: str(seen.get(f.id) or name) for f in sort_findings(list(findings))},
    }


def write_history(findings: list[Finding], run_dir: str | Path, previous: str | Path | None) -> Path:
    """Write :func:`history` as the run's ``history.json`` (``.gz`` when large: the 50,000-flow
    map's is 1.5 MB of finding ids, 0.3 MB compressed)."""
    p = Path(run_dir) / HISTORY
    _dump(p, history(findings, run_dir, previous))
    return compress_large(p)


def read_history(run_dir: str | Path | None) -> dict[str, Any]:
    """A run's ``history.json`` (no runs and no dates where there is none: a notebook run by hand)."""
    try:
        got = json.loads(read_data(Path(run_dir) / HISTORY)) if run_dir else {}
    except (OSError, ValueError, EOFError):  # none, unreadable, corrupt: no history
        got = {}
    ok = isinstance(got, dict) and isinstance(got.get("runs"), list) and isinstance(got.get("first_seen"), dict)
    return got if ok else {"runs": [], "first_seen": {}}


def write_assessments(a: Analysis, out_dir: str | Path) -> list[Path]:
    """Write the transfer impact assessment worksheets as ``tia.md``, ``tia.json`` and ``tia.xlsx``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sheets = worksheets(a)
    written = []
    for fmt, suffix in (("markdown", "md"), ("json", "json"), ("xlsx", "xlsx")):
        path = out / f"tia.{suffix}"
        write = exporter("tia", fmt).write
        if fmt == "xlsx":
            write(a, sheets, path)
        else:
            with path.open("w", encoding="utf-8", newline="\n") as f:
                write(a, sheets, f)
            path = compress_large(path)
        written.append(path)
    return written


def write_inventory(a: Analysis, findings: list[Finding] | None, out_dir: str | Path) -> list[Path]:
    """Write the data inventory of the map ``a`` analyses as ``inventory.csv`` and ``inventory.xlsx``,
    and, when the map's organisation processes for clients, its processor record as
    ``processor-record.csv`` and ``processor-record.xlsx`` (GDPR Art. 30(2))."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    frames = {"inventory": inventory(a, findings), "processor-record": processor_record(a)}
    for kind, df in frames.items():
        if kind != "inventory" and df.empty:
            continue
        for fmt in formats(kind):
            path = out / f"{kind}.{fmt}"
            exporter(kind, fmt).write(df, path)
            written.append(path if fmt == "xlsx" else compress_large(path))  # (an XLSX is zipped already)
    return written
