"""The benchmark runs end to end at small sizes and reports every figure the README table shows.

No timing is asserted here (figures depend on the machine); the table itself is the benchmark's
output. This only checks that the measurement still works and is internally consistent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


def test_benchmark_small_sizes(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--sizes", "200,2000", "--repeat", "1", "--maps", str(tmp_path / "maps"),
         "--json", str(out), "--e2e", "validate,audit json,audit table,render overview", "--e2e-sizes", "200,2000",
         "--e2e-repeat", "1", "--absoloop-repeat", "1"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "10× the flows: 200 → 2,000" in done.stdout
    assert "| 2,000 | 200 |" in done.stdout
    assert "End to end (whole processes" in done.stdout and "In-process stages" in done.stdout
    assert "200 → 2,000 flows: validate" in done.stdout
    data = json.loads(out.read_text())
    for r in data["e2e"]:
        assert set(r["commands"]) == {"validate", "audit json", "audit table", "render overview"}
        assert r["floor"] > 0 and r["floor_lib"] in ("yaml-rs", "rapidyaml")
        for c in r["commands"].values():
            assert c["seconds"] > 0 and c["ratio"] == c["seconds"] / r["floor"] and c["rss_mib"] > 0
            assert set(c["codes"]) <= {0, 1} and not c["timed_out"], c
    absoloop = data["absoloop_report"]
    assert absoloop["runs"] == [round(absoloop["seconds"], 3)] and absoloop["codes"] == [1], absoloop  # high findings
    assert "Absoloop report (flowatlas report dataflows/absoloop, whole process): median" in done.stdout
    rows = data["rows"]
    assert [r["flows"] for r in rows] == [200, 2000]
    for r in rows:
        assert r["findings"] > 0 and r["render_error"] is None
        assert r["floor_cold_lib"] in r["parsers_cold"] and r["floor_lib"] in r["parsers"]
        assert r["floor"] == min(r["parsers"].values()) and r["floor_cold"] == min(r["parsers_cold"].values())
        assert r["pipeline"] == r["load"] + r["graph"] + r["audit"]
        assert r["rounds"] == 1 and r["pipeline_runs"] == [r["pipeline"]]  # one round: its run is the median
        assert r["floor_cold_runs"] == [r["floor_cold"]]
        assert r["ratio"] == r["pipeline"] / r["floor_cold"]
        assert r["warm"] > 0 and r["ratio_warm"] == r["warm"] / r["floor"]
        assert r["rss_audit"] >= r["rss_load"] > 0
