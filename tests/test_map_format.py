"""The map format's version: ``map.format`` (1, the default), refused when this release does not
read it, with the schema of each format published."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from reportkit import ABSOLOOP, ROOT

from flowatlas.analysis import Analysis
from flowatlas.assess import assess
from flowatlas.errors import MapValidationError
from flowatlas.loader import load_map
from flowatlas.model import MAP_FORMAT, MAP_FORMATS

KLINIKO = ROOT / "dataflows" / "kliniko"


def _with_format(src: Path, dest: Path, line: str | None) -> Path:
    """A copy of the map at ``src`` whose ``map:`` section starts with ``line`` (None: as it is)."""
    shutil.copytree(src, dest)
    (header,) = [p for p in dest.rglob("*.yaml") if "\nmap:" in "\n" + p.read_text("utf-8")]
    if line is not None:
        text = header.read_text("utf-8")
        header.write_text(text.replace("\nmap:\n", f"\nmap:\n  {line}\n", 1) if "\nmap:\n" in text else text, "utf-8")
        assert line in header.read_text("utf-8"), "the map section is not in block style"
    return dest


@pytest.mark.parametrize("source", [ABSOLOOP, KLINIKO], ids=["absoloop", "kliniko"])
def test_no_format_and_format_1_read_the_same(source, tmp_path):
    plain = load_map(_with_format(source, tmp_path / "plain", None))
    one = load_map(_with_format(source, tmp_path / "one", f"format: {MAP_FORMAT}"))
    assert plain.info.format == one.info.format == 1
    assert plain.summary() == one.summary()
    as_found = [(f.id, f.severity, f.message.replace("/plain/", "/")) for f in assess(Analysis(plain))]
    assert as_found and as_found == [(f.id, f.severity, f.message.replace("/one/", "/")) for f in assess(Analysis(one))]


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("format: 2", "map format 2 is newer than the formats this release of flowatlas reads (1)",
         "upgrade flowatlas to a release that reads format 2"),
        ('format: "1"', "map format '1' is not a format this release of flowatlas", "write 'format: 1' (a number)"),
        ("format: true", "map format True is not a format this release of flowatlas", "leave it out"),
        ("format: 0", "map format 0 is not a format this release of flowatlas", "write 'format: 1'"),
    ],
)  # fmt: skip
def test_a_format_this_release_does_not_read_is_refused_first(line, message, hint, tmp_path):
    folder = _with_format(KLINIKO, tmp_path / "map", line)
    flows = next(p for p in folder.rglob("*.yaml") if "flows:" in p.read_text("utf-8"))
    flows.write_text(flows.read_text("utf-8") + "\nunknown_section: []\n", "utf-8")  # an error format 2 may explain
    with pytest.raises(MapValidationError) as caught:
        load_map(folder)
    (error,) = caught.value.errors  # the format alone: the rest would be noise
    assert message in error.message and hint in (error.hint or "")
    assert error.src.file.endswith(".yaml") and error.src.line > 1
    out = subprocess.run([sys.executable, "-m", "flowatlas", "validate", str(folder)], capture_output=True, text=True)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_each_format_has_its_published_schema():
    for fmt in MAP_FORMATS:
        out = subprocess.run(
            [sys.executable, "-m", "flowatlas", "schema", "--format-version", str(fmt)], capture_output=True, text=True
        )
        schema = json.loads(out.stdout)
        assert schema["$id"].endswith(f"/map-format-{fmt}.schema.json") and schema["title"].endswith(f"format {fmt}")
        assert schema["$defs"]["MapInfo"]["properties"]["format"]["default"] == fmt
    gone = subprocess.run(
        [sys.executable, "-m", "flowatlas", "schema", "--format-version", "9"], capture_output=True, text=True
    )
    assert gone.returncode == 2 and "map format 9 is not one this release of flowatlas reads (1)" in gone.stderr
