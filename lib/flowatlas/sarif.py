"""Findings as SARIF 2.1.0, the format code-scanning services (GitHub, GitLab, Azure DevOps) read.

One ``reportingDescriptor`` per rule (its title, explanation and what it holds the map
against); one ``result`` per finding at the map file, line and column of the record it is
about, with ``partialFingerprints`` from the finding's stable id (so a finding keeps its
identity across commits, however its file moves), and the places that evidence shows it as
``relatedLocations``.

>>> from flowatlas.findings import Finding
>>> from flowatlas.source import Source
>>> f = Finding("undeclared-purpose", "high", "f1 is used for ads", "declare it", src=Source("m/flows.yaml", 4, 5))
>>> run = sarif_log([f], {"undeclared-purpose": ("Undeclared purpose", "A use the statement omits.", "")})["runs"][0]
>>> r = run["results"][0]
>>> r["level"], r["locations"][0]["physicalLocation"]["region"], r["partialFingerprints"] == {FINGERPRINT: f.id}
('error', {'startLine': 4, 'startColumn': 5}, True)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import IO, Any

from flowatlas import __version__
from flowatlas.assess import all_rules
from flowatlas.exports import register
from flowatlas.findings import Finding, sort_findings
from flowatlas.source import Source

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
#: SARIF has four levels; an ``info`` finding is an observation, not a problem.
LEVELS: dict[str, str] = {"high": "error", "medium": "warning", "low": "note", "info": "none"}
FINGERPRINT = "flowatlasFindingId/v2"  # v2: a finding's id is what it is about, not its words
INFORMATION_URI = "https://pypi.org/project/flowatlas/"

#: What SARIF says of a rule: ``{id: (title, explanation, held against)}``.
RuleTexts = Mapping[str, tuple[str, str, str]]


def audit_rule_texts() -> dict[str, tuple[str, str, str]]:
    """The texts of every rule flowatlas has (:func:`flowatlas.assess.all_rules`): the audit's
    and the reconciliation's."""
    return {r.id: (r.title, r.explanation, r.held_against) for r in all_rules().values()}


def artifact_uri(file: str) -> str:
    """A finding's file as a SARIF URI: relative and in ``/`` form where it is under the current
    folder (what code-scanning services resolve against the repository), else a ``file:`` URI."""
    p = Path(file)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_uri()
    return PurePosixPath(*p.parts).as_posix() if p.parts else file


def _location(src: Source, text: str | None = None) -> dict[str, Any]:
    loc: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(src.file)},
            "region": {"startLine": max(src.line, 1), "startColumn": max(src.col, 1)},
        }
    }
    if text:
        loc["message"] = {"text": text}
    return loc


def _rule(rid: str, texts: tuple[str, str, str], severity: str) -> dict[str, Any]:
    title, explanation, held = texts
    desc: dict[str, Any] = {
        "id": rid,
        "name": "".join(w.capitalize() for w in rid.split("-")),
        "shortDescription": {"text": title or rid},
        "fullDescription": {"text": explanation or title or rid},
        "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
        "properties": {"tags": ["privacy"]},
    }
    if held:
        desc["help"] = {"text": f"Held against: {held}."}
    return desc


def _result(f: Finding, index: int) -> dict[str, Any]:
    text = f.message + (f" Remedy: {f.remedy}" if f.remedy else "")
    res: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": LEVELS[f.severity],
        "message": {"text": text},
        "partialFingerprints": {FINGERPRINT: f.id},
        "properties": {
            "severity": f.severity,
            "flows": list(f.flows),
            "types": list(f.types),
            "organisations": list(f.organisations),
            "countries": list(f.countries),
            "clauses": [f"{c.label}: \u201c{c.quote}\u201d" for c in f.clauses],
        },
    }
    if f.disclosure:
        res["properties"]["disclosure"] = f.disclosure
        res["properties"]["dimension"] = f.dimension
    if f.src is not None:
        res["locations"] = [_location(f.src)]
    if f.evidence:
        res["relatedLocations"] = [{"id": i, **_location(s, "observed here")} for i, s in enumerate(f.evidence, 1)]
    return res


def sarif_log(findings: Iterable[Finding], rules: RuleTexts | None = None, *, tool_version: str = "") -> dict:
    """The findings as one SARIF log (one run of flowatlas). ``rules`` gives each rule's texts
    (default: every rule flowatlas has); the rule list holds them all, in their registry order,
    so a rule with no result today is still described."""
    texts = dict(rules if rules is not None else audit_rule_texts())
    found = sort_findings(list(findings))
    for f in found:  # a finding of a rule the texts do not know still gets a descriptor
        texts.setdefault(f.rule, (f.rule, "", ""))
    severity = {f.rule: f.severity for f in reversed(found)}
    index = {rid: i for i, rid in enumerate(texts)}
    driver = {
        "name": "flowatlas",
        "version": tool_version or __version__,
        "informationUri": INFORMATION_URI,
        "rules": [_rule(rid, t, severity.get(rid, _default_severity(rid))) for rid, t in texts.items()],
    }
    return {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index[f.rule]) for f in found],
            }
        ],
    }


def _default_severity(rid: str) -> str:
    r = all_rules().get(rid)
    return r.severity if r else "medium"


@register("findings", "sarif", "SARIF 2.1.0, for code-scanning services")
def write_sarif(findings: Iterable[Finding], out: IO[str], rules: RuleTexts | None = None) -> None:
    """Write :func:`sarif_log` as indented JSON (keys in a fixed order: the same input gives the
    same bytes)."""
    json.dump(sarif_log(findings, rules), out, ensure_ascii=False, indent=2)
    out.write("\n")


__all__ = ["FINGERPRINT", "LEVELS", "artifact_uri", "audit_rule_texts", "sarif_log", "write_sarif"]
