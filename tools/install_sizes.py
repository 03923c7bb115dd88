"""How much each install of flowatlas brings: packages and megabytes in a fresh virtual environment.

    .venv/bin/python tools/install_sizes.py [--extras core,report,lab,fides,all] [--json FILE]

Builds the wheel from this checkout, then for each install creates a fresh virtual environment
(no system site packages), installs ``flowatlas-*.whl[EXTRAS]`` at the versions of
``constraints.txt`` from the package index, and prints the number of distributions installed
(pip, setuptools and flowatlas itself left out) and the size of the environment on disk. The
README's table of install sizes is this script's output.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def build_wheel(out: Path) -> Path:
    """The wheel of this checkout, built offline (hatchling is a test dependency)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = out.glob("flowatlas-*.whl")
    return wheel


def install(wheel: Path, extras: str, venv: Path) -> dict:
    """Install ``wheel`` with ``extras`` ("core": none) into a fresh ``venv``; what it took."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    base = _size_mb(venv)
    spec = str(wheel) if extras == "core" else f"{wheel}[{extras}]"
    t0 = time.perf_counter()
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-c", str(ROOT / "constraints.txt"),
         spec],
        check=True, capture_output=True, timeout=1800,
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    listed = subprocess.run(
        [str(py), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    names = sorted(d["name"] for d in json.loads(listed) if d["name"].lower() not in ("pip", "setuptools", "flowatlas"))
    return {
        "install": extras,
        "packages": len(names),
        "mb": round(_size_mb(venv), 1),
        "mb_added": round(_size_mb(venv) - base, 1),
        "seconds": round(seconds, 1),
        "has_jupyterlab": "jupyterlab" in names,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--extras", default="core,report,lab,fides,all", help="comma-separated installs to measure")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="flowatlas-sizes-") as tmp:
        wheel = build_wheel(Path(tmp))
        print("| install | packages | MB on disk (venv) | install s |")
        print("|---|---|---|---|")
        for extras in args.extras.split(","):
            row = install(wheel, extras, Path(tmp) / f"venv-{extras}")
            rows.append(row)
            name = "`pip install flowatlas`" if extras == "core" else f"`pip install 'flowatlas[{extras}]'`"
            print(f"| {name} | {row['packages']} | {row['mb']:.0f} | {row['seconds']:.0f} |", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
