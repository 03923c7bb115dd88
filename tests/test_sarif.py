"""``--format sarif``: SARIF 2.1.0 that validates against the OASIS schema (shipped in
tests/schemas), one rule descriptor per rule, results at file:line:column, and fingerprints
that keep a finding's identity when its record moves to another file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import jsonschema
import pytest

from flowatlas.audit.rules import RULES
from flowatlas.cli import main
from flowatlas.evidence.reconcile import RECONCILE_RULES
from flowatlas.sarif import FINGERPRINT

from conftest import ABSOLOOP, ROOT

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text("utf-8"))
KLINIKO = ROOT / "dataflows" / "kliniko"


def _path(uri: str) -> Path:
    """The file a result's URI names: relative to the working folder, or a file: URI."""
    return Path(unquote(urlparse(uri).path)) if uri.startswith("file:") else Path(uri)


def _sarif(capsys, *argv: str) -> dict:
    main([*argv, "--format", "sarif"])
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    "argv",
    [("audit", str(ABSOLOOP)), ("audit", str(KLINIKO)), ("reconcile", str(ABSOLOOP))],
    ids=["audit-absoloop", "audit-kliniko", "reconcile-absoloop"],
)
def test_sarif_validates_against_the_schema(capsys, argv):
    log = _sarif(capsys, *argv)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][: len(RULES)] == list(RULES)  # every rule, described, in registry order
    assert {r["id"] for r in rules} == set(RULES) | set(RECONCILE_RULES)
    assert run["results"], "each of these maps has findings"
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert _path(uri).is_file()


def test_results_point_at_the_record_and_keep_their_fingerprint_when_it_moves(capsys, tmp_path):
    copy = tmp_path / "absoloop"
    shutil.copytree(ABSOLOOP, copy)
    before = _sarif(capsys, "audit", str(copy))["runs"][0]["results"]
    # move every flow of one file into another file: same findings, other places
    sharing = (copy / "flows-sharing.yaml").read_text("utf-8")
    (copy / "flows-sharing.yaml").unlink()
    (copy / "zz-moved").mkdir()
    (copy / "zz-moved" / "flows.yaml").write_text(sharing, "utf-8")
    after = _sarif(capsys, "audit", str(copy))["runs"][0]["results"]
    fp = lambda rs: {r["partialFingerprints"][FINGERPRINT]: r for r in rs}  # noqa: E731
    assert fp(before).keys() == fp(after).keys()
    moved = [
        k
        for k, r in fp(after).items()
        if "zz-moved" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    ]
    assert moved, "findings on the moved flows now point at the new file"
    for k in moved:
        r = fp(after)[k]
        loc = r["locations"][0]["physicalLocation"]
        line = _path(loc["artifactLocation"]["uri"]).read_text("utf-8").splitlines()[loc["region"]["startLine"] - 1]
        assert "id:" in line  # the result is on the record's first line
    levels = {r["level"] for r in after}
    assert levels <= {"error", "warning", "note", "none"} and "error" in levels


def test_reconcile_results_carry_the_evidence_as_related_locations(capsys):
    results = _sarif(capsys, "reconcile", str(ABSOLOOP))["runs"][0]["results"]
    mixpanel = next(r for r in results if r["ruleId"] == "evidence-unmapped-recipient")
    related = [x["physicalLocation"]["artifactLocation"]["uri"] for x in mixpanel["relatedLocations"]]
    assert any(u.endswith("evidence/absoloop-rtc-sdk.privado.json") for u in related)
    assert "absoloop-rtc-sdk/src/analytics/usage.ts" in related


def test_sarif_output_is_byte_identical_between_runs(capsys):
    main(["audit", str(KLINIKO), "--format", "sarif"])
    one = capsys.readouterr().out
    main(["audit", str(KLINIKO), "--format", "sarif"])
    assert capsys.readouterr().out == one
