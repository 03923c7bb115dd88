"""Findings as SARIF 2.1.0, the format code-scanning services (GitHub, GitLab, Azure DevOps) read.

One ``reportingDescriptor`` per rule (its title, explanation and what it holds the map
against); one ``result`` per finding at the map file, line and column of the record it is
about, with ``partialFingerprints`` from the finding's stable id (so a finding keeps its
identity across commits, however its file moves), and the places that evidence shows it as
``relatedLocations``.

What GitHub's code scanning asks of an upload (docs.github.com, "SARIF support for code
scanning"): levels of ``note``, ``warning`` or ``error`` only (an ``info`` finding is a
``note``); rule descriptions of at most 1,024 characters (a longer one is cut there, whole in
``help``); file URIs relative to the repository's root under ``uriBaseId`` ``%SRCROOT%``;
regions with their ends; the ``primaryLocationLineHash`` its upload action would compute
(:mod:`flowatlas.linehash`); and ``automationDetails.id`` naming the command, so an audit and a
reconciliation uploaded from one commit do not replace each other.

>>> from flowatlas.findings import Finding
>>> from flowatlas.source import Source
>>> f = Finding("undeclared-purpose", "high", "f1 is used for ads", "declare it", src=Source("m/flows.yaml", 4, 5))
>>> run = sarif_log([f], {"undeclared-purpose": ("Undeclared purpose", "A use the statement omits.", "")})["runs"][0]
>>> r = run["results"][0]
>>> r["level"], r["locations"][0]["physicalLocation"]["region"], r["partialFingerprints"] == {FINGERPRINT: f.id}
('error', {'startLine': 4, 'startColumn': 5}, True)
>>> run["automationDetails"]
{'id': 'flowatlas/audit/'}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path, PurePosixPath
from typing import IO, Any

from flowatlas import __version__
from flowatlas.assess import all_rules
from flowatlas.exports import register
from flowatlas.findings import Finding, sort_findings
from flowatlas.linehash import line_hashes
from flowatlas.source import Source

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
#: A severity as a SARIF level: GitHub takes note, warning and error (not ``none``), so an
#: ``info`` finding is a note too; its ``properties.severity`` says which it is.
LEVELS: dict[str, str] = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
#: The longest rule description GitHub's code scanning accepts.
MAX_DESCRIPTION = 1024
#: The base of URIs relative to the repository's root (the checkout, to a code-scanning service).
SRCROOT = "%SRCROOT%"
FINGERPRINT = "flowatlasFindingId/v2"  # v2: a finding's id is what it is about, not its words
INFORMATION_URI = "https://pypi.org/project/flowatlas/"

#: What SARIF says of a rule: ``{id: (title, explanation, held against)}``.
RuleTexts = Mapping[str, tuple[str, str, str]]


def audit_rule_texts() -> dict[str, tuple[str, str, str]]:
    """The texts of every rule flowatlas has (:func:`flowatlas.assess.all_rules`): the audit's
    and the reconciliation's."""
    return {r.id: (r.title, r.explanation, r.held_against) for r in all_rules().values()}


@cache
def repository_root(folder: Path) -> Path | None:
    """The git repository ``folder`` is in (the nearest folder above it holding ``.git``), or None."""
    for d in (folder, *folder.parents):
        if (d / ".git").exists():
            return d
    return None


def artifact_location(file: str) -> dict[str, str]:
    """A finding's file as a SARIF ``artifactLocation``: relative to its git repository's root
    with ``uriBaseId`` ``%SRCROOT%`` where it is in one (what code-scanning services resolve
    against the checkout), else relative to the current folder, else a ``file:`` URI.

    >>> artifact_location("lib/flowatlas/sarif.py")["uri"]
    'lib/flowatlas/sarif.py'
    """
    p = Path(file)
    absolute = p if p.is_absolute() else Path.cwd() / p
    root = repository_root(absolute.parent) if absolute.is_file() else None
    if root is not None:
        return {"uri": PurePosixPath(*absolute.relative_to(root).parts).as_posix(), "uriBaseId": SRCROOT}
    return {"uri": artifact_uri(file)}


def artifact_uri(file: str) -> str:
    """A file as a URI: relative and in ``/`` form where it is under the current folder, else
    a ``file:`` URI."""
    p = Path(file)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_uri()
    return PurePosixPath(*p.parts).as_posix() if p.parts else file


@cache
def _lines(file: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The lines of ``file`` and their code-scanning hashes, or None when it cannot be read."""
    try:
        text = Path(file).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return tuple(text.splitlines()), tuple(line_hashes(text))


def _location(src: Source, text: str | None = None) -> dict[str, Any]:
    line, col = max(src.line, 1), max(src.col, 1)
    region: dict[str, int] = {"startLine": line, "startColumn": col}
    known = _lines(src.file)
    if known is not None and line <= len(known[0]):  # the region: the record's first line, to its end
        region |= {"endLine": line, "endColumn": max(len(known[0][line - 1]) + 1, col)}
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": artifact_location(src.file), "region": region}}
    if text:
        loc["message"] = {"text": text}
    return loc


def _line_hash(src: Source) -> str | None:
    known = _lines(src.file)
    line = max(src.line, 1)
    return known[1][line - 1] if known is not None and line <= len(known[1]) else None


def _description(text: str) -> str:
    """``text`` cut to :data:`MAX_DESCRIPTION` characters at a word, marked with an ellipsis."""
    if len(text) <= MAX_DESCRIPTION:
        return text
    return text[: MAX_DESCRIPTION - 1].rsplit(" ", 1)[0] + "\u2026"


def _rule(rid: str, texts: tuple[str, str, str], severity: str) -> dict[str, Any]:
    title, explanation, held = texts
    desc: dict[str, Any] = {
        "id": rid,
        "name": "".join(w.capitalize() for w in rid.split("-")),
        "shortDescription": {"text": _description(title or rid)},
        "fullDescription": {"text": _description(explanation or title or rid)},
        "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
        "properties": {"tags": ["privacy"], "severity": severity},
    }
    parts = [explanation] if len(explanation) > MAX_DESCRIPTION else []  # whole where the description is cut
    if held:
        parts.append(f"Held against: {held}.")
    if parts:
        desc["help"] = {"text": " ".join(parts)}
    return desc


def _result(f: Finding, index: int) -> dict[str, Any]:
    text = f.message + (f" Remedy: {f.remedy}" if f.remedy else "")
    res: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": LEVELS[f.severity],
        "message": {"text": text},
        "partialFingerprints": {FINGERPRINT: f.id},  # the line's hash joins it below
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
        line_hash = _line_hash(f.src)
        if line_hash is not None:
            res["partialFingerprints"]["primaryLocationLineHash"] = line_hash
    if f.evidence:
        res["relatedLocations"] = [{"id": i, **_location(s, "observed here")} for i, s in enumerate(f.evidence, 1)]
    return res


def sarif_log(
    findings: Iterable[Finding], rules: RuleTexts | None = None, *, tool_version: str = "", category: str = "audit"
) -> dict:
    """The findings as one SARIF log (one run of flowatlas). ``rules`` gives each rule's texts
    (default: every rule flowatlas has); the rule list holds them all, in their registry order,
    so a rule with no result today is still described. ``category`` (the command: audit,
    reconcile) names the run, so a service keeps each command's results apart."""
    _lines.cache_clear()  # the files as they are now (a long-lived kernel may have changed them)
    repository_root.cache_clear()
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
                "automationDetails": {"id": f"flowatlas/{category}/"},
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index[f.rule]) for f in found],
            }
        ],
    }


def _default_severity(rid: str) -> str:
    r = all_rules().get(rid)
    return r.severity if r else "medium"


@register("findings", "sarif", "SARIF 2.1.0, for code-scanning services")
def write_sarif(
    findings: Iterable[Finding], out: IO[str], rules: RuleTexts | None = None, *, category: str = "audit"
) -> None:
    """Write :func:`sarif_log` as indented JSON (keys in a fixed order: the same input gives the
    same bytes)."""
    json.dump(sarif_log(findings, rules, category=category), out, ensure_ascii=False, indent=2)
    out.write("\n")


__all__ = [
    "FINGERPRINT",
    "LEVELS",
    "MAX_DESCRIPTION",
    "SRCROOT",
    "artifact_location",
    "artifact_uri",
    "audit_rule_texts",
    "repository_root",
    "sarif_log",
    "write_sarif",
]
