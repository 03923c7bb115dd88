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
from flowatlas.linehash import line_hashes
from flowatlas.sarif import FINGERPRINT, MAX_DESCRIPTION, sarif_log

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
    assert levels <= {"error", "warning", "note"} and "error" in levels


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


# --------------------------------------------------------------------------- what GitHub asks of an upload

# Test vectors of github/codeql-action's src/fingerprints.test.ts (commit 06fb4821bc50, MIT licence):
# the hashes its upload-sarif action computes for each line of these texts.
CODEQL_ACTION_VECTORS = {
    "": ["c129715d7a2bc9a3:1"],
    " a\nb\n  \t\tc\n d": ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
    " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End": [
        "8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1",
        "b86d3392aea1be30:1", "e6ceba753e1a442:1",
    ],
    " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n": [
        "e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
        "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1",
    ],
    " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n": [
        "e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
        "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1",
    ],
    "Lorem ipsum dolor sit amet.\n" * 10: [
        "a7f2ff13bc495cf2:1", "a7f2ff13bc495cf2:2", "a7f2ff13bc495cf2:3", "a7f2ff13bc495cf2:4",
        "a7f2ff13bc495cf2:5", "a7f2ff13bc495cf2:6", "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1",
        "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1",
    ],
}  # fmt: skip


@pytest.mark.parametrize("text", list(CODEQL_ACTION_VECTORS), ids=range(len(CODEQL_ACTION_VECTORS)))
def test_line_hashes_are_the_ones_githubs_upload_action_computes(text):
    assert line_hashes(text) == CODEQL_ACTION_VECTORS[text]


def test_results_carry_the_line_hash_and_keep_it_when_lines_are_added_above(capsys, tmp_path):
    copy = tmp_path / "kliniko"
    shutil.copytree(KLINIKO, copy)
    before = _sarif(capsys, "audit", str(copy))["runs"][0]["results"]
    for r in before:
        loc = r["locations"][0]["physicalLocation"]
        text = _path(loc["artifactLocation"]["uri"]).read_text("utf-8")
        assert r["partialFingerprints"]["primaryLocationLineHash"] == line_hashes(text)[loc["region"]["startLine"] - 1]
    for f in copy.rglob("*.yaml"):  # a comment above every record moves every line down
        f.write_text("# reviewed\n" + f.read_text("utf-8"), "utf-8")
    after = _sarif(capsys, "audit", str(copy))["runs"][0]["results"]
    line = {r["partialFingerprints"][FINGERPRINT]: r["locations"][0]["physicalLocation"]["region"] for r in after}
    for r in before:
        region = r["locations"][0]["physicalLocation"]["region"]
        assert line[r["partialFingerprints"][FINGERPRINT]]["startLine"] == region["startLine"] + 1
    assert [r["partialFingerprints"] for r in after] == [r["partialFingerprints"] for r in before]


def test_levels_descriptions_regions_and_categories_are_what_github_accepts(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # run from outside the repository: URIs are still relative to its root
    for command in ("audit", "reconcile"):
        run = _sarif(capsys, command, str(ABSOLOOP))["runs"][0]
        assert run["automationDetails"] == {"id": f"flowatlas/{command}/"}  # two uploads, two categories
        rules = run["tool"]["driver"]["rules"]
        assert {r["defaultConfiguration"]["level"] for r in rules} <= {"note", "warning", "error"}
        assert all(len(r[k]["text"]) <= MAX_DESCRIPTION for r in rules for k in ("shortDescription", "fullDescription"))
        for res in run["results"]:
            assert res["level"] in {"note", "warning", "error"}
            loc = res["locations"][0]["physicalLocation"]
            assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
            assert loc["artifactLocation"]["uri"].startswith("dataflows/absoloop/")
            file = ROOT / loc["artifactLocation"]["uri"]
            region = loc["region"]
            line = file.read_text("utf-8").splitlines()[region["startLine"] - 1]
            assert region["endLine"] == region["startLine"] and region["endColumn"] == len(line) + 1


def test_a_description_longer_than_github_takes_is_cut_and_kept_whole_in_help():
    long = "word " * 300
    (rule,) = sarif_log([], {"long-rule": ("Long", long.strip(), "the statement")})["runs"][0]["tool"]["driver"][
        "rules"
    ]
    text = rule["fullDescription"]["text"]
    assert len(text) <= MAX_DESCRIPTION and text.endswith("\u2026") and long.startswith(text[:-1])
    assert rule["help"]["text"] == long.strip() + " Held against: the statement."
