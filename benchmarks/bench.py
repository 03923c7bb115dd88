"""flowatlas at enterprise size, measured against the YAML parsing floor.

    .venv/bin/python benchmarks/bench.py                 # the tables in docs/performance.md
    .venv/bin/python benchmarks/bench.py --sizes 1000,10000 --repeat 1 --e2e-sizes 1000 --e2e-repeat 1

First, end to end: each command users run (``--e2e``: validate, audit in each format, render,
report) as a whole process on each of ``--e2e-sizes``, timed from start to exit with its peak
memory, against a fresh process reading the same files with the fastest YAML library
(:func:`measure_e2e`). Then the in-process breakdown below.

For each size it writes a synthetic map (``flowatlas synth``, seed 1, nodes = flows / 10,
300 information types) into ``--maps`` (kept between runs: same seed, same bytes), then runs
every measurement in a fresh Python process so peak memory is that of one size alone. The
measurements are made in ``--repeat`` rounds; each round measures every size in turn, and for
each size the floor and the pipeline in turn, so that a drift in the machine's speed weighs
alike on the floor and the pipeline and on every size:

* **floor**: the fastest way a YAML library on PyPI reads the map's files into Python objects.
  Candidates: ``yaml-rs`` (``yaml_rs.loads``), ``rapidyaml`` (``ryml`` tree, emitted as JSON,
  read by ``json.loads``: its fastest route to Python objects) and, for the small sizes only,
  PyYAML's C loader (``yaml.CSafeLoader``; about 10× slower, it would dominate the run time).
  Each candidate reads the files from disk with the garbage collector paused, three times in
  one fresh process per round. Two floors, each compared like with like:

  - *first read*: the median over rounds of the first read, as the pipeline's stages are
    measured (the first load of a fresh process); ``pipeline / floor`` uses it;
  - *warm*: the best read of all, with the library and the allocator warmed up: the parser's
    best case, compared with the pipeline's best warm run (``warm / warm``).
* **pipeline stages**, in one process per round: ``load_map`` (read + validate),
  the graph (``Analysis(m).graph``), ``audit`` of that analysis (every rule, default policy) and the overview diagram
  (``render.overview`` with the audit's findings, collapsed to the organisation summary above
  ``DEFAULT_MAX_NODES`` nodes, laid out to SVG by graphviz, each layout attempt limited to
  15 s: the target). Peak memory is the process's maximum resident set size
  (``resource.getrusage``) after each stage: the high-water mark of everything up to and
  including that stage. Times are the median over the rounds (the overview, slow and steady,
  is drawn in the first round only); the spread over the rounds is printed below the table.
  Each process then runs load + graph + audit twice more, on a fresh Map each time; the best
  of these runs over all rounds is the *warm* pipeline, the same statistic as the warm floor
  (the best read of all).

A stage whose module is not installed yet is shown as ``pending``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = (1_000, 5_000, 10_000, 50_000, 100_000)
TYPES = 300
SEED = 1
PYYAML_MAX_FLOWS = 10_000


# --------------------------------------------------------------------------- workers


def _files(folder: str) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.suffix in (".yaml", ".yml"))


def _worker_floor(folder: str, lib: str) -> dict:
    """Best of three: read every file of the map into Python objects with ``lib``."""
    import gc

    files = _files(folder)
    if lib == "yaml-rs":
        import yaml_rs

        def load(text: str):
            return yaml_rs.loads(text)
    elif lib == "rapidyaml":
        import ryml

        def load(text: str):
            tree = ryml.parse_in_arena(text.encode())
            return json.loads(ryml.emit_json_malloc(tree, tree.root_id()))
    elif lib == "pyyaml-c":
        import yaml

        def load(text: str):
            return yaml.load(text, Loader=yaml.CSafeLoader)
    else:  # pragma: no cover
        raise SystemExit(f"unknown library {lib}")
    times = []
    gc.disable()
    for _ in range(3):
        t0 = time.perf_counter()
        data = [load(p.read_text(encoding="utf-8")) for p in files]
        times.append(time.perf_counter() - t0)
        del data
    # cold: the first read in a fresh process (as the pipeline's first run); warm: the best of
    # the three, with the allocator's memory and the library already warmed up
    return {"lib": lib, "cold": times[0], "seconds": min(times)}


def _rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _worker_pipeline(folder: str, render: str = "render", warm_runs: str = "warm") -> dict:
    """One run of every stage, with the peak RSS after each (the overview only if asked); then,
    if asked, the best of two more runs of the pipeline in the same (warm) process."""
    warm = warm_runs == "warm"
    from flowatlas.analysis import Analysis
    from flowatlas.loader import load_map

    try:
        from flowatlas.audit import audit
    except ImportError:
        audit = None
    try:
        from flowatlas.render import DEFAULT_MAX_NODES, overview, to_svg
    except ImportError:
        overview = to_svg = None
    out: dict = {"rss_start": _rss_mib()}
    t0 = time.perf_counter()
    m = load_map(folder)
    out["load"] = time.perf_counter() - t0
    out["rss_load"] = _rss_mib()
    t0 = time.perf_counter()
    analysis = Analysis(m)  # what the CLI and the notebooks make: one per map
    analysis.graph  # noqa: B018 - the graph stage
    out["graph"] = time.perf_counter() - t0
    out["rss_graph"] = _rss_mib()
    findings = None
    if audit is not None:
        t0 = time.perf_counter()
        findings = audit(analysis)
        out["audit"] = time.perf_counter() - t0
        out["rss_audit"] = _rss_mib()
        out["findings"] = len(findings)
    if overview is not None and render == "render":
        # the collapsed overview: what `overview` draws above max_nodes (by organisation, or by
        # jurisdiction when there are too many organisations); small maps are collapsed too
        max_nodes = min(DEFAULT_MAX_NODES, len(m.nodes) - 1)
        t0 = time.perf_counter()
        try:
            svg = to_svg(overview(Analysis(m), findings, max_nodes=max_nodes))
            out["svg_bytes"] = len(svg)
        except Exception as exc:  # reported in the table, not hidden
            out["render_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        out["render"] = time.perf_counter() - t0
        out["rss_render"] = _rss_mib()
    out["nodes"], out["flows"] = len(m.nodes), len(m.flows)
    if warm:  # the same stages again in this process, on a fresh Map each time: the best of two
        del m, findings, analysis
        best = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            m = load_map(folder)
            analysis = Analysis(m)
            analysis.graph  # noqa: B018
            if audit is not None:
                audit(analysis)
            best = min(best, time.perf_counter() - t0)
            del m
        out["warm"] = best
    return out


#: Seconds one graphviz layout attempt may take (the renderer tries several layouts): the
#: target for the collapsed overview is 15 s, so a slower attempt has missed it anyway.
DOT_TIMEOUT = "15"


def _run_worker(*args: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    env = {**os.environ, "PYTHONHASHSEED": "0", "FLOWATLAS_DOT_TIMEOUT": DOT_TIMEOUT}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"worker {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- driver


def _ensure_map(maps: Path, flows: int) -> Path:
    import hashlib

    from flowatlas import synth

    out = maps / f"flows-{flows}"
    stamp = out / ".complete"
    # regenerate when the generator changes (same generator and seed: same bytes)
    version = hashlib.sha256(Path(synth.__file__).read_bytes()).hexdigest()[:16]
    want = f"{flows} {max(20, flows // 10)} {TYPES} {SEED} {version}\n"
    if not stamp.exists() or stamp.read_text() != want:
        synth.write_synth(out, nodes=max(20, flows // 10), flows=flows, types=TYPES, seed=SEED, force=True)
        stamp.write_text(want)
    return out


def _fmt_t(x: float | None) -> str:
    return "pending" if x is None else f"{x:.2f}"


def measure(sizes: list[int], repeat: int, maps: Path, log=print) -> list[dict]:
    folders = {flows: _ensure_map(maps, flows) for flows in sizes}
    # Everything is measured in rounds: in each round every size in turn, and for each size the
    # floor and the pipeline in turn. A change in the machine's speed (this VM's varies by tens
    # of per cent within minutes) then weighs alike on the floor and the pipeline, and on every
    # size (growth compares sizes). The overview is laid out in the first round only: graphviz
    # is slow, and its time does not vary much between runs.
    reads: dict[int, dict[str, list[dict]]] = {}
    runs: dict[int, list[dict]] = {flows: [] for flows in sizes}
    for flows in sizes:
        libs = ["yaml-rs", "rapidyaml"] + (["pyyaml-c"] if flows <= PYYAML_MAX_FLOWS else [])
        reads[flows] = {lib: [] for lib in libs}
    for i in range(repeat):
        for flows in sizes:
            folder = str(folders[flows])
            for lib in list(reads[flows]):
                try:
                    reads[flows][lib].append(_run_worker("floor", folder, lib))
                except SystemExit as exc:  # a candidate that is not installed is simply not a candidate
                    log(f"  ({lib} not measured: {str(exc).splitlines()[-1]})")
                    del reads[flows][lib]
            runs[flows].append(_run_worker("pipeline", folder, "render" if i == 0 else "skip", "warm"))
        log(f"  round {i + 1} of {repeat} done")
    rows = []
    for flows in sizes:
        files = _files(str(folders[flows]))
        row: dict = {"flows": flows, "nodes": max(20, flows // 10), "types": TYPES, "files": len(files)}
        row["mbytes"] = sum(p.stat().st_size for p in files) / 1e6
        row["rounds"] = repeat
        row["parsers"] = {lib: min(g["seconds"] for g in got) for lib, got in reads[flows].items()}
        row["parsers_cold"] = {lib: statistics.median(g["cold"] for g in got) for lib, got in reads[flows].items()}
        row["floor_lib"], row["floor"] = min(row["parsers"].items(), key=lambda kv: kv[1])
        row["floor_cold_lib"], row["floor_cold"] = min(row["parsers_cold"].items(), key=lambda kv: kv[1])
        for key in ("load", "graph", "audit", "render"):
            vals = [r[key] for r in runs[flows] if key in r]
            row[key] = statistics.median(vals) if vals else None
        for key in ("rss_load", "rss_graph", "rss_audit", "rss_render", "findings"):
            vals = [r[key] for r in runs[flows] if key in r]
            row[key] = max(vals) if vals else None
        row["render_error"] = next((r["render_error"] for r in runs[flows] if "render_error" in r), None)
        row["pipeline"] = sum(row[k] or 0.0 for k in ("load", "graph", "audit"))
        # every round's first run and first read, for the spread (the table shows the medians)
        row["pipeline_runs"] = [sum(r.get(k, 0.0) for k in ("load", "graph", "audit")) for r in runs[flows]]
        row["floor_cold_runs"] = [g["cold"] for g in reads[flows][row["floor_cold_lib"]]]
        row["ratio"] = row["pipeline"] / row["floor_cold"]
        # the best warm run of all, as the warm floor is the best read of all
        warms = [r["warm"] for r in runs[flows] if "warm" in r]
        row["warm"] = min(warms) if warms else None
        row["ratio_warm"] = row["warm"] / row["floor"] if row["warm"] else None
        rows.append(row)
        log(
            f"  {flows:>7,} flows: floor {row['floor_cold']:.2f}s ({row['floor_cold_lib']}), "
            f"load {row['load']:.2f}s, graph {row['graph']:.2f}s, audit {_fmt_t(row['audit'])}, "
            f"pipeline {row['pipeline']:.2f}s = {row['ratio']:.1f}× floor; warm {_fmt_t(row['warm'])}s "
            f"= {row['ratio_warm'] or 0:.1f}× warm floor {row['floor']:.2f}s; render {_fmt_t(row['render'])}"
        )
    return rows


def table(rows: list[dict]) -> str:
    head = (
        "| flows | nodes | files | MB | floor s, first read (library) | load+validate s | graph s | audit s | "
        "pipeline s | pipeline / floor | floor s, warm | pipeline s, warm | warm / warm | "
        "peak MiB (pipeline) | overview s | peak MiB (+overview) | growth |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    prev = None
    for r in rows:
        growth = "-"
        if prev is not None:
            growth = f"{r['pipeline'] / prev['pipeline']:.1f}× for {r['flows'] / prev['flows']:.0f}× flows"
        peak = r["rss_audit"] or r["rss_graph"]
        peak_render = "-" if r["rss_render"] is None else f"{r['rss_render']:,.0f}"
        render = _fmt_t(r["render"]) + (" (failed)" if r.get("render_error") else "")
        warm = "-" if r.get("warm") is None else f"{r['warm']:.2f} | {r['ratio_warm']:.1f}×"
        if r.get("warm") is None:
            warm += " | -"
        lines.append(
            f"| {r['flows']:,} | {r['nodes']:,} | {r['files']} | {r['mbytes']:.1f} | "
            f"{r['floor_cold']:.2f} ({r['floor_cold_lib']}) | {r['load']:.2f} | {r['graph']:.2f} | "
            f"{_fmt_t(r['audit'])} | {r['pipeline']:.2f} | {r['ratio']:.1f}× | "
            f"{r['floor']:.2f} ({r['floor_lib']}) | {warm} | {peak:,.0f} | {render} | {peak_render} | {growth} |"
        )
        prev = r
    by_flows = {r["flows"]: r for r in rows}
    tens = [(a, a * 10) for a in by_flows if a * 10 in by_flows]
    if tens:
        lines.append("")
        lines.append("10× the flows: " + "; ".join(
            f"{a:,} → {b:,}: {by_flows[b]['pipeline'] / by_flows[a]['pipeline']:.1f}× the time" for a, b in tens
        ))  # fmt: skip
    if rows and len(rows[0].get("pipeline_runs", ())) > 1:
        lines.append("")
        lines.append("Spread over the rounds (first runs; first reads of the floor's library): " + "; ".join(
            f"{r['flows']:,}: pipeline {min(r['pipeline_runs']):.3f}-{max(r['pipeline_runs']):.3f} s, "
            f"floor {min(r['floor_cold_runs']):.3f}-{max(r['floor_cold_runs']):.3f} s" for r in rows
        ))  # fmt: skip
    for r in rows:
        if r.get("render_error"):
            lines.append(f"\noverview at {r['flows']:,} flows failed: {r['render_error']}")
    parsers = sorted({lib for r in rows for lib in r["parsers"]})
    lines.append("")
    lines.append("| flows | " + " | ".join(f"{p} s (first read / warm)" for p in parsers) + " |")
    lines.append("|---|" + "---|" * len(parsers))
    for r in rows:
        cells = [f"{r['parsers_cold'][p]:.3f} / {r['parsers'][p]:.3f}" if p in r["parsers"] else "-" for p in parsers]
        lines.append(f"| {r['flows']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- end to end

#: The commands users run, measured as whole processes: name -> flowatlas arguments after the map.
E2E_COMMANDS: dict[str, list[str]] = {
    "validate": ["validate"],
    "audit json": ["audit", "--format", "json"],
    "audit csv": ["audit", "--format", "csv"],
    "audit table": ["audit"],
    "render overview": ["render", "--view", "overview", "--format", "svg"],
    "report": ["report", "-q", "--jobs", "2"],
}
#: A command that has not finished after this many seconds is stopped and shown as "> N s".
E2E_TIMEOUT = float(os.environ.get("FLOWATLAS_BENCH_TIMEOUT", "300"))

FLOOR_SCRIPT = {
    "yaml-rs": "import sys, pathlib, yaml_rs\n"
    "[yaml_rs.loads(p.read_text(encoding='utf-8')) for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml'))]",
    "rapidyaml": "import sys, json, pathlib, ryml\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml')):\n"
    "    t = ryml.parse_in_arena(p.read_bytes()); json.loads(ryml.emit_json_malloc(t, t.root_id()))",
}


def _timed(cmd: list[str], timeout: float, cwd: Path) -> dict:
    """Wall time, exit code and peak resident memory of one whole process (``os.wait4``)."""
    import tempfile
    import threading

    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=cwd)
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t0
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-1:] or [""]
    return {
        "seconds": seconds,
        "code": p.returncode,
        "rss_mib": usage.ru_maxrss / 1024,
        "timed_out": seconds >= timeout,
        "stderr": tail[0][:300],
    }


def _run_folder_size(out: Path) -> dict:
    """The size of the newest run folder under ``out`` (``out/MAP/STAMP``) and of its report.html, in MB."""
    last = max((p for p in out.glob("*/*") if p.is_dir()), key=lambda p: p.name)
    return {
        "run_mb": sum(f.stat().st_size for f in last.rglob("*") if f.is_file()) / 1e6,
        "html_mb": (last / "report.html").stat().st_size / 1e6,
    }


def measure_e2e(
    sizes: list[int], repeat: int, maps: Path, commands: list[str], report_max: int, log=print
) -> list[dict]:
    """Each command of ``commands`` as a whole process on each size, ``repeat`` times in rounds
    (the median), against a fresh process reading the same files with the fastest YAML library."""
    import tempfile

    flowatlas = [sys.executable, "-m", "flowatlas"]
    folders = {flows: _ensure_map(maps, flows) for flows in sizes}
    got: dict[int, dict[str, list[dict]]] = {flows: {} for flows in sizes}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for i in range(repeat):
            for flows in sizes:
                folder = str(folders[flows])
                for lib, script in FLOOR_SCRIPT.items():
                    r = _timed([sys.executable, "-c", script, folder], E2E_TIMEOUT, work)
                    if r["code"] == 0:
                        got[flows].setdefault("floor " + lib, []).append(r)
                for name in commands:
                    if name == "report" and flows > report_max:
                        continue
                    extra = ["--out", str(work / f"out-{flows}")] if name.startswith(("render", "report")) else []
                    r = _timed([*flowatlas, E2E_COMMANDS[name][0], folder, *E2E_COMMANDS[name][1:], *extra],
                               E2E_TIMEOUT, work)  # fmt: skip
                    if name == "report" and r["code"] in (0, 1):
                        r.update(_run_folder_size(work / f"out-{flows}"))
                    got[flows].setdefault(name, []).append(r)
            log(f"  end to end: round {i + 1} of {repeat} done")
    rows = []
    for flows in sizes:
        row: dict = {"flows": flows, "commands": {}}
        floors = {
            k[6:]: statistics.median(r["seconds"] for r in v) for k, v in got[flows].items() if k.startswith("floor ")
        }
        row["floor_lib"], row["floor"] = min(floors.items(), key=lambda kv: kv[1])
        for name in commands:
            runs = got[flows].get(name)
            if not runs:
                continue
            row["commands"][name] = {
                "seconds": statistics.median(r["seconds"] for r in runs),
                "runs": [round(r["seconds"], 3) for r in runs],
                "ratio": statistics.median(r["seconds"] for r in runs) / row["floor"],
                "rss_mib": max(r["rss_mib"] for r in runs),
                "codes": sorted({r["code"] for r in runs}),
                "timed_out": any(r["timed_out"] for r in runs),
                "stderr": next((r["stderr"] for r in runs if r["code"] not in (0, 1)), ""),
            }
            if sized := [r for r in runs if "run_mb" in r]:  # the report's run folder (issue 27: ≤ 60 MB at 50,000)
                row["commands"][name].update(
                    run_mb=max(r["run_mb"] for r in sized), html_mb=max(r["html_mb"] for r in sized)
                )
        rows.append(row)
        log(f"  {flows:>7,} flows: floor {row['floor']:.2f}s ({row['floor_lib']}); " + "; ".join(
            f"{n} {c['seconds']:.2f}s" + (f" (run folder {c['run_mb']:.1f} MB, report.html {c['html_mb']:.1f} MB)"
                                          if "run_mb" in c else "")
            for n, c in row["commands"].items()
        ))  # fmt: skip
    return rows


#: The embedded map the report target is set on (issue 18: ≤ 10 s on the project's machine).
ABSOLOOP = Path(__file__).resolve().parents[1] / "dataflows" / "absoloop"


def measure_absoloop(repeat: int, log=print) -> dict:
    """``flowatlas report`` of the embedded Absoloop map as a whole process, ``repeat`` times:
    the median, every run and the peak memory."""
    import tempfile

    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            cmd = [sys.executable, "-m", "flowatlas", "report", str(ABSOLOOP), "--out", tmp, "-q"]
            runs.append(_timed(cmd, E2E_TIMEOUT, Path(tmp)))
    out = {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "runs": [round(r["seconds"], 3) for r in runs],
        "rss_mib": max(r["rss_mib"] for r in runs),
        "codes": sorted({r["code"] for r in runs}),
    }
    log(
        f"\nAbsoloop report (flowatlas report dataflows/absoloop, whole process): median {out['seconds']:.2f} s "
        f"of {repeat} (runs {', '.join(f'{x:.2f}' for x in out['runs'])}), peak {out['rss_mib']:,.0f} MiB, "
        f"exit {'/'.join(map(str, out['codes']))}; target ≤ 10 s"
    )
    return out


def e2e_table(rows: list[dict]) -> str:
    """Whole commands, each against a fresh-process read of the same files (the floor)."""
    names = [n for n in E2E_COMMANDS if any(n in r["commands"] for r in rows)]
    head = "| flows | floor s (library) | " + " | ".join(f"{n} s (× floor, peak MiB)" for n in names) + " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    prev: dict | None = None
    for r in rows:
        cells = []
        for n in names:
            c = r["commands"].get(n)
            if c is None:
                cells.append("-")
                continue
            if c["timed_out"]:
                cells.append(f"> {E2E_TIMEOUT:.0f} (stopped)")
                continue
            bad = "" if set(c["codes"]) <= {0, 1} else f", exit {'/'.join(map(str, c['codes']))}"
            size = f"; run folder {c['run_mb']:.0f} MB" if "run_mb" in c else ""
            cells.append(f"{c['seconds']:.2f} ({c['ratio']:.1f}×, {c['rss_mib']:,.0f}{bad}{size})")
        lines.append(f"| {r['flows']:,} | {r['floor']:.2f} ({r['floor_lib']}) | " + " | ".join(cells) + " |")
        prev = r
    del prev
    by = {r["flows"]: r for r in rows}
    tens = [(a, a * 10) for a in by if a * 10 in by]
    for a, b in tens:
        growth = [
            f"{n} {by[b]['commands'][n]['seconds'] / by[a]['commands'][n]['seconds']:.1f}×"
            for n in names
            if n in by[a]["commands"] and n in by[b]["commands"]
        ]
        lines.append(f"\n{a:,} → {b:,} flows: " + ", ".join(growth))
    failed = [(r["flows"], n, c["stderr"]) for r in rows for n, c in r["commands"].items() if c["stderr"]]
    for flows, n, why in failed:
        lines.append(f"\n{n} at {flows:,} flows: {why}")
    return "\n".join(lines)


def _bearer_report(megabytes: float) -> str:
    """A Bearer privacy report of about ``megabytes`` MB: third parties whose names repeat (many
    scans of the same code), each with two data types."""
    row = '{"third_party": "Vendor %d", "data_types": ["Email Address", "Phone Number"]}'
    rows = int(megabytes * 1_000_000 / (len(row) + 4))
    return '{"third_party": [\n' + ",\n".join(row % (i % 50) for i in range(rows)) + "\n]}"


def measure_evidence(sizes_mb: list[float], repeat: int, log=print) -> list[dict]:
    """``flowatlas reconcile MAP --evidence FILE`` on evidence of each size, whole processes
    (median of ``repeat``): reading is linear when seconds per MB stay flat."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="flowatlas-bench-evidence-") as tmp:
        folder = Path(tmp)
        absoloop = Path(__file__).resolve().parents[1] / "dataflows" / "absoloop"
        for mb in sizes_mb:
            report = folder / f"web-{mb:g}mb.bearer.json"
            report.write_text(_bearer_report(mb), "utf-8")
            cmd = [sys.executable, "-m", "flowatlas", "reconcile", str(absoloop), "--evidence", str(report),
                   "--format", "json"]  # fmt: skip
            runs = [_timed(cmd, 900, folder) for _ in range(repeat)]
            seconds = statistics.median(r["seconds"] for r in runs)
            size = report.stat().st_size / 1e6
            rows.append({"megabytes": round(size, 1), "seconds": round(seconds, 2),
                         "seconds_per_mb": round(seconds / size, 3), "exit": runs[-1]["code"]})  # fmt: skip
            log(f"evidence {size:6.1f} MB: {seconds:6.2f} s ({seconds / size:.3f} s/MB), exit {runs[-1]['code']}")
            report.unlink()
    return rows


def machine() -> str:
    def sh(cmd: str) -> str:
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:  # pragma: no cover
            return "?"

    model = next(
        (line.split(":", 1)[1].strip() for line in sh("lscpu").splitlines() if line.startswith("Model name")), "?"
    )
    mem = sh("free -g | sed -n 2p").split()
    ram = f", {mem[1]} GiB RAM" if len(mem) > 1 else ""
    system = f"{platform.system()} {platform.machine()}"
    return f"{sh('nproc')} cores ({model}), {system}, Python {platform.python_version()}{ram}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default=",".join(map(str, SIZES)), help="flow counts, comma-separated")
    p.add_argument("--repeat", type=int, default=5, help="rounds: runs per size (median)")
    p.add_argument("--maps", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "flowatlas-bench-maps")
    p.add_argument("--json", type=Path, help="also write the measurements here")
    p.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    p.add_argument(
        "--e2e",
        default=",".join(E2E_COMMANDS),
        help=f"whole commands to measure, comma-separated (default: all of {', '.join(E2E_COMMANDS)}; empty: none)",
    )
    p.add_argument("--e2e-sizes", default="1000,10000,50000,100000", help="flow counts for the end-to-end table")
    p.add_argument("--e2e-repeat", type=int, default=3, help="rounds of the end-to-end table (median)")
    p.add_argument("--report-max", type=int, default=10_000, help="largest map the report is run on (default 10,000)")
    p.add_argument("--no-stages", action="store_true", help="skip the in-process stage breakdown")
    p.add_argument("--absoloop-repeat", type=int, default=5, help="runs of the Absoloop report (median; 0: none)")
    p.add_argument(
        "--evidence",
        default="",
        metavar="MB,...",
        help="also time reconcile on evidence of these sizes in MB, e.g. 8,16,32,64 (linear reading)",
    )
    args = p.parse_args(argv)
    if args.worker:
        kind, *rest = args.worker
        res = _worker_floor(*rest) if kind == "floor" else _worker_pipeline(*rest)
        print(json.dumps(res))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"machine: {machine()}", flush=True)
    commands = [c.strip() for c in args.e2e.split(",") if c.strip()]
    unknown = [c for c in commands if c not in E2E_COMMANDS]
    if unknown:
        p.error(f"unknown command(s) {', '.join(unknown)}; choose from {', '.join(E2E_COMMANDS)}")
    e2e = []
    if commands:
        e2e_sizes = [int(s) for s in args.e2e_sizes.split(",") if s]
        e2e = measure_e2e(e2e_sizes, args.e2e_repeat, args.maps, commands, args.report_max,
                          log=lambda s: print(s, flush=True))  # fmt: skip
        print("\nEnd to end (whole processes, median of the rounds):\n")
        print(e2e_table(e2e))
    say = lambda s: print(s, flush=True)  # noqa: E731
    evidence = []
    if args.evidence:
        evidence = measure_evidence([float(x) for x in args.evidence.split(",") if x], max(1, args.e2e_repeat), say)
    absoloop = measure_absoloop(args.absoloop_repeat, log=say) if args.absoloop_repeat else None
    rows = [] if args.no_stages else measure(sizes, args.repeat, args.maps, log=lambda s: print(s, flush=True))
    if rows:
        print("\nIn-process stages (the breakdown):\n")
        print(table(rows))
    if args.json:
        text = json.dumps(
            {"machine": machine(), "e2e": e2e, "absoloop_report": absoloop, "evidence": evidence, "rows": rows},
            indent=2,
        )
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
