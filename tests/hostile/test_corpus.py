"""The hostile corpus (tests/hostile/cases.py) through validate, audit, render and report.

For every case: the exit code of each command; no traceback and never the CLI's last-resort
handler (exit 70); the ``file:line`` the first error names; time and memory bounds; no output
left behind by a command that failed. For the valid hostile cases, what flowatlas writes is
checked to be inert: the SVG parses and holds no script or event handler, CSV and XLSX cells
are no formulas, and the terminal sees no control character.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from cases import INJECTIONS, Case, cases, clean

from flowatlas.inert import FORMULA_STARTS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CASES = cases()
#: Seconds and bytes one command may take (the slow group: larger inputs).
SECONDS, SLOW_SECONDS, REPORT_SECONDS = 10, 20, 120
PEAK_BYTES = 2 * 1024**3
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
NOBODY = 65534


def test_the_corpus_covers_every_category():
    assert len(CASES) >= 100
    assert len({c.name for c in CASES}) == len(CASES)
    wanted = {"syntax", "yaml-1.1", "encoding", "unknown-key", "wrong-type", "reference", "country", "scale",
              "cascade", "folder", "content", "inert-text", "parameters", "output", "evidence", "json-map",
              "fides"}  # fmt: skip
    assert wanted <= {c.category for c in CASES}


def _commands(case: Case, folder: Path, map_path: Path) -> list[tuple[list[str], int | None, str]]:
    """``(argv, expected exit, text expected in stderr)`` for each command of ``case``."""
    out: list[tuple[list[str], int | None, str]] = []
    if case.map_commands:
        valid = case.exit in (0, 1)
        out += [
            (["validate", str(map_path)], 0 if valid else 2, ""),
            (["audit", str(map_path), "--format", "csv"], case.exit, ""),
            (
                [
                    "render",
                    str(map_path),
                    "--view",
                    "overview,findings",
                    "--format",
                    "dot,svg",
                    "--out",
                    str(folder / "render"),
                ],
                0 if valid else 2,
                "",
            ),
        ]
        if case.category == "inert-text":
            out.append((["audit", str(map_path)], case.exit, ""))
    for argv, code, text in case.extra:
        args = [a.replace("{map}", str(map_path)).replace("{dir}", str(folder)) for a in argv]
        if args[0] == "report" and "--out" not in args:
            args += ["--out", str(folder / "out")]
        out.append((args, code, text))
    return out


def _drive(argvs: list[list[str]], *, as_nobody: bool) -> dict:
    extra = ["--as-uid", str(NOBODY)] if as_nobody else []
    p = subprocess.run(
        [sys.executable, str(HERE / "drive.py"), *extra],
        input=json.dumps(argvs), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.splitlines()[-1])


def _first_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    if lines and re.match(r"flowatlas: [\d,]+ errors? in map:$", lines[0]):
        return lines[1] if len(lines) > 1 else ""
    return lines[0] if lines else ""


def _check_inert_svg(path: Path) -> None:
    text = path.read_text("utf-8")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text), "a character XML cannot hold"
    root = ET.fromstring(text)  # parses: no text broke out of its attribute or element
    for el in root.iter():
        assert not el.tag.endswith("script"), "a <script> element in the SVG"
        assert not any(a.lower().startswith("on") for a in el.attrib), el.attrib
        assert not any("javascript:" in v.lower() for v in el.attrib.values())


def _check_inert_csv(text: str) -> None:
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), f"a live formula cell: {cell[:40]!r}"
            assert not CONTROL.search(cell.replace("\t", "")), f"a control character in a cell: {cell[:60]!r}"


def _check_inert_outputs(case: Case, folder: Path, map_path: Path, results: list[dict]) -> None:
    from flowatlas.analysis import Analysis
    from flowatlas.assess import assess
    from flowatlas.loader import load_map
    from flowatlas.report.data import write_findings, write_inventory

    for svg in (folder / "render").glob("*.svg"):
        _check_inert_svg(svg)
    for r in results:  # every CSV written to standard output: the audit's, reconcile's
        if "--format" in r["argv"] and r["argv"][r["argv"].index("--format") + 1] == "csv":
            _check_inert_csv(r["stdout"])
    table = next(r for r in results if r["argv"][0] == "audit" and "--format" not in r["argv"])
    assert not CONTROL.search(table["stdout"].replace("\t", "")), "raw control characters reach the terminal"
    m = load_map(map_path)
    a = Analysis(m)
    findings = assess(a)
    data = folder / "data"
    write_inventory(a, findings, data)
    write_findings(findings, data, map_id=m.info.id, digest=m.digest)
    for name in ("inventory.csv", "findings.csv"):
        _check_inert_csv((data / name).read_text("utf-8"))
    book = openpyxl.load_workbook(data / "inventory.xlsx")
    for row in book.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"a formula in inventory.xlsx: {cell.value!r}"
            if isinstance(cell.value, str):
                assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", cell.value)


@pytest.mark.parametrize("case", [c for c in CASES if not c.slow], ids=lambda c: c.name)
def test_case(case: Case):
    _run_case(case)


@pytest.mark.slow
@pytest.mark.xdist_group("hostile-slow")  # the large inputs, one after another on one worker (--dist loadgroup)
@pytest.mark.parametrize("case", [c for c in CASES if c.slow], ids=lambda c: c.name)
def test_slow_case(case: Case):
    _run_case(case)


def _run_case(case: Case) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"hostile-{case.name[:20]}-"))
    os.chmod(folder, 0o755)  # the cases run as another user need to reach it
    try:
        map_path = case.build(folder)
        planned = _commands(case, folder, map_path)
        as_nobody = (case.as_nobody or case.name.startswith("unreadable-")) and os.geteuid() == 0
        got = _drive([argv for argv, _, _ in planned], as_nobody=as_nobody)
        assert got["peak_bytes"] < PEAK_BYTES, f"{got['peak_bytes'] / 2**20:.0f} MiB"
        for (argv, code, text), r in zip(planned, got["results"], strict=True):
            what = f"{case.name}: flowatlas {' '.join(argv)[:120]}"
            assert not r["escaped"], f"{what}: an exception escaped the CLI:\n{r['escaped'][-2000:]}"
            assert "Traceback" not in r["stderr"], f"{what}:\n{r['stderr'][-2000:]}"
            assert r["exit"] != 70, f"{what}: the last-resort handler ran: {r['stderr'][-500:]}"
            limit = REPORT_SECONDS if argv[0] == "report" else SLOW_SECONDS if case.slow else SECONDS
            assert r["seconds"] < limit, f"{what}: {r['seconds']} s"
            if code is not None:
                assert r["exit"] == code, f"{what}: exit {r['exit']}, expected {code}:\n{r['stderr'][-1500:]}"
            if text:
                assert text in r["stderr"], f"{what}: {text!r} not in:\n{r['stderr'][-1500:]}"
            if r["exit"] == 2 and case.where and argv[0] in ("validate", "audit", "render"):
                first = _first_error(r["stderr"])
                assert case.where in first, f"{what}: the first error should name {case.where!r}:\n{r['stderr'][:1500]}"
            assert len(r["stderr"]) < 20_000, f"{what}: {len(r['stderr']):,} characters of errors"
            assert "SECRETHASH" not in r["stderr"] + r["stdout"], f"{what}: echoed a foreign file's content"
            if r["exit"] == 2:  # nothing left behind by a command that failed
                assert not (folder / "render").exists() or argv[0] != "render", what
                out = folder / "out"
                runs = [p for p in out.rglob("*") if p.is_dir() and p.name[:2] == "20"] if out.exists() else []
                assert not runs, f"{what}: left {runs}"
        if case.category == "inert-text":
            _check_inert_outputs(case, folder, map_path, got["results"])
    finally:
        clean(folder)


@pytest.mark.slow
def test_report_of_a_map_with_every_hostile_text_is_inert(tmp_path):
    """One report run on a map holding every injection text at once: it succeeds (exit 1, the
    map has high findings), and report.html, the CSVs and the XLSX are inert."""
    from cases import _files, injection

    files: dict[str, str] = {}
    for i, text in enumerate(INJECTIONS.values()):
        built = injection(text)(tmp_path / f"b{i}")
        if not files:
            files = {p.name: p.read_text("utf-8") for p in built.iterdir()}
        else:  # more types and flows carrying each text
            extra = (built / "types.yaml").read_text("utf-8").replace("custom-thing", f"custom-thing-{i}")
            files[f"types-{i}.yaml"] = extra.replace("information_types:\n", "information_types:\n", 1)
            flows = (built / "flows.yaml").read_text("utf-8").splitlines()[-1]
            files[f"flows-{i}.yaml"] = (
                "flows:\n"
                + flows.replace("id: f-4", f"id: f-4-{i}").replace("custom-thing", f"custom-thing-{i}")
                + "\n"
            )
    map_path = _files(tmp_path / "all", files)
    out = tmp_path / "out"
    p = subprocess.run(
        [sys.executable, "-m", "flowatlas", "report", str(map_path), "--out", str(out), "--fail-on", "high", "-q"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert p.returncode == 1, p.stderr[-3000:]
    latest = out / "hostile" / "latest"
    html = (latest / "report.html").read_text("utf-8")
    assert "<script>alert(1)" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    assert "\x1b" not in html and "\x07" not in html
    for name in ("findings.csv", "inventory.csv"):
        _check_inert_csv((latest / name).read_text("utf-8"))
    book = openpyxl.load_workbook(latest / "inventory.xlsx")
    assert not [c.value for row in book.active.iter_rows() for c in row if c.data_type == "f"]
    for svg in (latest / "diagrams").glob("*.svg"):
        _check_inert_svg(svg)
