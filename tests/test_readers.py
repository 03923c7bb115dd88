"""The reader seam: map sections with provenance from any reader, assembled into one map."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from _audit_maps import spec, texts

from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.errors import MapValidationError
from flowatlas.loader import assemble, load_map
from flowatlas.model import Source
from flowatlas.readers import READERS, Reader, Records, reader_for, register_reader


def _as_json(files: dict[str, str]) -> dict[str, str]:
    """The same map files, each written as JSON (one record per line, as tools write them)."""
    out = {}
    for name, text in files.items():
        data = yaml.safe_load(text)
        out[name.replace(".yaml", ".json")] = json.dumps(data, indent=1)
    return out


def test_a_folder_of_yaml_and_json_files_is_one_map(tmp_path):
    files = texts(spec(), base_taxonomy=True)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    yaml_map = load_map(tmp_path)
    (tmp_path / "flows.yaml").unlink()
    (tmp_path / "flows.json").write_text(_as_json({"flows.yaml": files["flows.yaml"]})["flows.json"])
    mixed = load_map(tmp_path)
    assert list(mixed.flows) == list(yaml_map.flows)
    assert mixed.flows["f-save"].src.file.endswith("flows.json") and mixed.flows["f-save"].src.line > 1
    assert [f.id for f in audit(Analysis(mixed))] == [f.id for f in audit(Analysis(yaml_map))]


def test_an_error_in_a_json_file_names_its_line_and_column(tmp_path):
    files = texts(spec(), base_taxonomy=True)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    data = yaml.safe_load(files.pop("flows.yaml"))
    (tmp_path / "flows.yaml").unlink()
    data["flows"][1]["to"] = "nowhere"
    (tmp_path / "flows.json").write_text(json.dumps(data, indent=2))
    with pytest.raises(MapValidationError) as exc:
        load_map(tmp_path)
    [err] = exc.value.errors
    lines = (tmp_path / "flows.json").read_text().splitlines()
    assert err.src.file.endswith("flows.json") and lines[err.src.line - 1].strip() == "{"
    assert "unknown node 'nowhere'" in err.message
    (tmp_path / "flows.json").write_text('{"flows": [\n  {"id": "x",}\n]}')
    run = subprocess.run([sys.executable, "-m", "flowatlas", "validate", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 2 and "flows.json:2:" in run.stderr and "JSON syntax error" in run.stderr


def test_records_from_any_reader_carry_their_provenance_into_errors_and_findings():
    files = {n: yaml.safe_load(t) for n, t in texts(spec(), base_taxonomy=True).items()}
    flows = files.pop("flows.yaml")
    flows["flows"].append({"id": "f-leak", "from": "app", "to": "db", "types": ["email"], "purposes": ["advertising"]})
    scanned = Records("scan/privado.json", flows, {("flows", 2): Source("scan/privado.json", 40, 7)})
    parts = [Records(name, data) for name, data in files.items()] + [scanned]
    m = assemble(parts)
    assert m.flows["f-leak"].src == Source("scan/privado.json", 40, 7)
    purpose = [f for f in audit(Analysis(m)) if f.rule == "undeclared-purpose" and f.flows == ("f-leak",)]
    assert purpose and str(purpose[0].src) == "scan/privado.json:40:7"
    flows["flows"][2]["to"] = "nowhere"
    with pytest.raises(MapValidationError) as exc:
        assemble(parts)
    assert [str(e.src) for e in exc.value.errors] == ["scan/privado.json:40:7"]


def test_a_reader_is_one_registration_away(tmp_path):
    """A reader of a made-up tab-separated flow list: its module would be this function."""

    def read_tsv(items):
        out = []
        for file, text in items:
            rows = [line.split("\t") for line in text.splitlines() if line.strip()]
            flows = [
                {"id": r[0], "from": r[1], "to": r[2], "types": r[3].split(","), "purposes": ["service"]} for r in rows
            ]
            out.append(Records(file, {"flows": flows}, {("flows", i): Source(file, i + 1) for i in range(len(rows))}))
        return out

    register_reader(Reader("tsv", (".flows.tsv",), read_tsv))
    try:
        files = texts(spec(), base_taxonomy=True)
        for name, text in files.items():
            (tmp_path / name).write_text(text)
        (tmp_path / "extra.flows.tsv").write_text("f-tsv\tapp\tnowhere\temail\n")
        assert reader_for("extra.flows.tsv").id == "tsv"
        with pytest.raises(MapValidationError) as exc:
            load_map(tmp_path)
        assert {str(e.src) for e in exc.value.errors} == {f"{tmp_path.as_posix()}/extra.flows.tsv:1:1"}
        assert any("unknown node 'nowhere'" in e.message for e in exc.value.errors)
    finally:
        del READERS["tsv"]
