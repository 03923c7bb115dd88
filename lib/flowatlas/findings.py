"""Findings: what the audit reports. The shared contract of audit, diagrams, notebooks and report.

A :class:`Finding` is plain, immutable data. Its ``id`` is the rule and what the finding is
about (:func:`finding_id`): the records it concerns (its nodes, else its flows), the dimension
and what distinguishes it on them (``key``), or the root cause it stands for (``about``). Never
its words, its severity, the types it lists, file names, line numbers or record order: a
finding keeps its identity while its cause stays, so a diff says "changed" when only the reason
changed, and the same map gives the same ids however its files are arranged.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Literal

from flowatlas.exports import register
from flowatlas.inert import csv_cell
from flowatlas.source import Source

Severity = Literal["info", "low", "medium", "high"]
SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high")
#: What the audit and the report say of a map that has no policy.
NO_POLICY = "no policy: only modelling checks ran"
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
#: The one default of ``--fail-on`` (audit, report, reconcile, diff): a high finding fails the run.
DEFAULT_FAIL_ON = "high"
#: What ``--fail-on`` takes: a severity, or ``none`` (never exit 1 on findings: a report read by a person).
FAIL_ON_CHOICES: tuple[str, ...] = (*SEVERITIES, "none")

Disclosure = Literal["clear", "vague", "omitted", "incorrect", "ambiguous"]
DISCLOSURES: tuple[str, ...] = ("clear", "vague", "ambiguous", "omitted", "incorrect")
#: Worse is larger: used to pick "the worst class" of a cell or an edge.
DISCLOSURE_RANK: dict[str, int] = {d: i for i, d in enumerate(DISCLOSURES)}

Dimension = Literal["type", "recipient", "purpose", "location", "safeguard"]


@dataclass(frozen=True, slots=True)
class ClauseRef:
    """A declaration a finding was held against."""

    policy: str  # the policy's id, or the regime's when ``law``
    declaration: str
    clause: str
    quote: str
    law: bool = False  # a provision of the law (a regime's), not a clause of the statement

    @property
    def label(self) -> str:
        """How the text names it: ``clause 2.1`` of the statement, or the law's own citation.

        >>> ClauseRef("privacy", "d-1", "2.1", "We store data in Singapore.").label
        'clause 2.1'
        >>> ClauseRef("SG-PDPA", "contract", "PDPR 2021 reg 11", "A contract binds ...", law=True).label
        'PDPR 2021 reg 11'
        """
        return self.clause if self.law else f"clause {self.clause}"


def cited(refs: Iterable[ClauseRef]) -> str:
    """The clauses and provisions ``refs`` name, each once, in one phrase: the statement's
    clauses first (``clause 2.1``, ``clauses 1.1, 4``), then the law's citations.

    >>> cited([ClauseRef("p", "d1", "1.1", ""), ClauseRef("p", "d2", "4", ""), ClauseRef("p", "d3", "1.1", "")])
    'clauses 1.1, 4'
    >>> cited([ClauseRef("SG-PDPA", "contract", "PDPR 2021 reg 11", "", law=True), ClauseRef("p", "d", "2.1", "")])
    'clause 2.1; PDPR 2021 reg 11'
    """
    refs = list(refs)
    own = list(dict.fromkeys(c.clause for c in refs if not c.law))
    law = list(dict.fromkeys(c.clause for c in refs if c.law))
    parts = [("clause " if len(own) == 1 else "clauses ") + ", ".join(own)] if own else []
    return "; ".join(parts + law)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or, for severity ``info``, one observation) the audit reports."""

    rule: str
    severity: Severity
    message: str
    remedy: str
    disclosure: Disclosure | None = None
    dimension: Dimension | None = None
    flows: tuple[str, ...] = ()
    path: tuple[str, ...] = ()  # node ids, in order, for chains; else the flow's ends
    nodes: tuple[str, ...] = ()  # nodes the finding is about (stores, orphans, ...)
    types: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    clauses: tuple[ClauseRef, ...] = ()
    src: Source | None = None
    key: str = ""  # what distinguishes two findings of one rule on one flow (e.g. the type)
    #: Where evidence (a code scan, infrastructure state) shows what the finding is about.
    evidence: tuple[Source, ...] = ()
    #: What the finding is about when that is a root cause rather than its records (the flows a
    #: cause covers may change; :meth:`Context.one_per_cause`): part of the id, not of the output.
    about: tuple[str, ...] = ()
    id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", finding_id(self))

    @property
    def location(self) -> str:
        return str(self.src) if self.src else ""

    def to_dict(self) -> dict:
        """The finding as plain JSON data (lists, not tuples; ``src`` as ``file:line:col``).
        Built field by field: ``dataclasses.asdict`` deep-copies every value, which cost more
        than the audit itself at 20,000 findings."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "remedy": self.remedy,
            "disclosure": self.disclosure,
            "dimension": self.dimension,
            "flows": list(self.flows),
            "path": list(self.path),
            "nodes": list(self.nodes),
            "types": list(self.types),
            "organisations": list(self.organisations),
            "countries": list(self.countries),
            "clauses": [
                {"policy": c.policy, "declaration": c.declaration, "clause": c.clause, "quote": c.quote, "law": c.law}
                for c in self.clauses
            ],
            "src": self.location,
            "key": self.key,
            "evidence": [str(s) for s in self.evidence],
            "id": self.id,
        }


def finding_id(f: Finding) -> str:
    """``RULE-xxxxxxxxxx``: a short hash of the rule and what the finding is about: its ``about``
    when it stands for a root cause, else the records it concerns (its nodes, else its flows), its
    dimension and ``key``. The message, remedy, severity, class, types and clauses are left out,
    so a finding whose reason changes keeps its id.

    >>> a = Finding("cross-border-basis", "high", "names no transfer basis", "", flows=("f1",), key="basis")
    >>> b = Finding("cross-border-basis", "high", "holds no SCCs", "", flows=("f1",), key="basis")
    >>> a.id == b.id, a.id == Finding("cross-border-basis", "high", "", "", flows=("f2",), key="basis").id
    (True, False)
    """
    if f.about:
        subject = ("about", *f.about)
    else:
        subject = ("nodes", *f.nodes) if f.nodes else ("flows", *f.flows)
        subject = (*subject, "dimension", f.dimension or "", "key", f.key)
    basis = "\x1f".join([f.rule, *subject])
    return f"{f.rule}-{hashlib.sha256(basis.encode()).hexdigest()[:10]}"


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then by rule and id: a stable, meaningful order."""
    return sorted(findings, key=lambda f: (-SEVERITY_RANK[f.severity], f.rule, f.id))


def distinct_ids(findings: list[Finding]) -> list[Finding]:
    """``findings`` as they are, after checking that no two share an id: each id is one finding's
    (a rule whose ``key`` does not tell two of its findings apart is a bug, caught here rather
    than by a diff that merges them).

    >>> distinct_ids([Finding("r", "low", "", "", key="a"), Finding("r", "low", "", "", key="b")])[1].key
    'b'
    """
    seen: dict[str, Finding] = {}
    for f in findings:
        other = seen.setdefault(f.id, f)
        if other is not f:
            raise RuntimeError(
                f"two findings of rule {f.rule} share the id {f.id}: {other.message!r} and {f.message!r}"
            )
    return findings


#: Disclosure classes under which a declaration covers the flow: exactly (clear) or through a
#: broader term (vague). Every other class is a problem the rules report.
DECLARED = frozenset({"clear", "vague"})
#: Disclosure classes the rules report as problems: the statement does not cover the flow
#: (omitted), contradicts it (incorrect), or its declarations disagree (ambiguous).
PROBLEM_CLASSES: tuple[str, ...] = ("omitted", "incorrect", "ambiguous")
#: The problem classes that make a flow an undeclared transfer (DESIGN.md, "Undeclared transfers").
UNDECLARED = frozenset({"omitted", "incorrect"})


def is_declared(disclosure: str | None) -> bool:
    """Whether a disclosure class means a declaration covers the item (:data:`DECLARED`).

    >>> is_declared("vague"), is_declared("ambiguous"), is_declared(None)
    (True, False, False)
    """
    return disclosure in DECLARED


def worst_disclosure(classes: Iterable[str]) -> Disclosure | None:
    """The worst of some disclosure classes (incorrect > omitted > ambiguous > vague > clear),
    or None when there are none.

    >>> worst_disclosure(["clear", "omitted", "vague"]), worst_disclosure([])
    ('omitted', None)
    """
    worst = max(classes, key=DISCLOSURE_RANK.__getitem__, default=None)
    return worst  # type: ignore[return-value]


def worst_severity(items: Iterable[Finding | str]) -> Severity | None:
    """The highest severity among some findings (or severities), or None when there are none.

    >>> worst_severity(["low", "high", "info"]), worst_severity([])
    ('high', None)
    """
    ranks = (SEVERITY_RANK[x if isinstance(x, str) else x.severity] for x in items)
    top = max(ranks, default=None)
    return None if top is None else SEVERITIES[top]  # type: ignore[return-value]


def is_undeclared_transfer(f: Finding) -> bool:
    """A finding that makes its flows undeclared transfers: omitted or incorrect on a dimension (a
    cross-border transfer without a valid basis is omitted or incorrect on its safeguard).

    >>> is_undeclared_transfer(Finding("r", "high", "", "", disclosure="incorrect", flows=("f1",)))
    True
    >>> is_undeclared_transfer(Finding("r", "info", "", "", disclosure="vague", flows=("f1",)))
    False
    """
    return bool(f.flows) and f.disclosure in UNDECLARED


#: The one table layout of findings: ``findings.csv`` of a report, ``flowatlas audit --format
#: csv``, and the frames notebooks show.
TABLE_COLUMNS: tuple[str, ...] = (
    "id",
    "severity",
    "rule",
    "disclosure",
    "dimension",
    "undeclared",
    "message",
    "remedy",
    "flows",
    "path",
    "nodes",
    "types",
    "organisations",
    "countries",
    "clauses",
    "src",
    "key",
    "evidence",
)


def table_rows(findings: Iterable[Finding]) -> list[tuple]:
    """The findings as rows of :data:`TABLE_COLUMNS`, most severe first (the order of
    :func:`sort_findings`): lists joined with ", ", the path with " → ", each clause as
    ``clause “quote”``; ``undeclared`` is :func:`is_undeclared_transfer`."""
    return [
        (
            f.id,
            f.severity,
            f.rule,
            f.disclosure or "",
            f.dimension or "",
            is_undeclared_transfer(f),
            f.message,
            f.remedy,
            ", ".join(f.flows),
            " → ".join(f.path),
            ", ".join(f.nodes),
            ", ".join(f.types),
            ", ".join(f.organisations),
            ", ".join(f.countries),
            "; ".join(f"{c.label}: “{c.quote}”" for c in f.clauses),
            f.location,
            f.key,
            ", ".join(str(s) for s in f.evidence),
        )
        for f in sort_findings(list(findings))
    ]


def findings_table(findings: Iterable[Finding]):
    """The findings as a pandas DataFrame of :func:`table_rows`."""
    import pandas as pd

    return pd.DataFrame(table_rows(findings), columns=list(TABLE_COLUMNS))


@register("findings", "json", "one JSON object per finding, every field")
def write_json(findings: Iterable[Finding], out: IO[str]) -> None:
    """The findings as a JSON array, one finding per line, written as it goes: each finding is
    encoded by the standard library's C encoder (an indented dump goes through the pure-Python
    one, several times slower)."""
    out.write("[")
    sep = "\n"
    for f in findings:
        out.write(sep)
        out.write(json.dumps(f.to_dict(), ensure_ascii=False))
        sep = ",\n"
    out.write("\n]\n")


@register("findings", "csv", "one row per finding, the table layout (TABLE_COLUMNS)")
def write_csv(findings: Iterable[Finding], out: IO[str]) -> None:
    """The findings as CSV in :data:`TABLE_COLUMNS`, no cell readable as a formula
    (:func:`flowatlas.inert.csv_cell`), written row by row with the csv module."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(TABLE_COLUMNS)
    for row in table_rows(findings):
        w.writerow([csv_cell(v) for v in row])


def at_or_above(findings: list[Finding], severity: str | None) -> list[Finding]:
    """Findings whose severity is at least ``severity`` (none for ``none`` or None: ``--fail-on none``).

    >>> fs = [Finding("r", "high", "one", "fix"), Finding("r", "low", "two", "fix")]
    >>> [f.message for f in at_or_above(fs, "medium")], at_or_above(fs, "none")
    (['one'], [])
    """
    if severity is None or severity == "none":
        return []
    floor = SEVERITY_RANK[severity]
    return [f for f in findings if SEVERITY_RANK[f.severity] >= floor]
