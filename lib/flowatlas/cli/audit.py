"""``flowatlas audit MAP [--format table|csv|json|sarif] [--fail-on SEVERITY] [--rule ID]... [--policy ID]``.

Lists every finding of the map (:func:`flowatlas.assess.assess`): the audit's, and, when the map
names its evidence (``map.evidence``), where the evidence disagrees with it (``--no-evidence``:
the audit's alone). Exit 0 when no finding reaches ``--fail-on`` (default: high), 1 when one
does, 2 on invalid input or an unknown rule.
"""

from __future__ import annotations

import argparse
import functools
import io
import sys

import flowatlas.sarif  # noqa: F401 - registers the SARIF export beside JSON and CSV (flowatlas.exports)
from flowatlas.exports import EXPORTS, exporter, formats
from flowatlas.findings import DEFAULT_FAIL_ON, FAIL_ON_CHOICES, NO_POLICY, SEVERITIES, Finding, at_or_above
from flowatlas.inert import terminal_text

EXIT_OK, EXIT_FINDINGS = 0, 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("map", help="map folder (e.g. dataflows/absoloop) or a single YAML file")
    p.add_argument(
        "--no-evidence",
        action="store_true",
        help="leave out the evidence the map names (map.evidence): the audit's findings alone",
    )
    add_output_arguments(p, policy_help="policy to audit (default: the map's)")


#: The formats every command that lists findings writes (:func:`write_findings`): a table for a
#: person, and every registered findings export (flowatlas.exports).
FORMATS: tuple[str, ...] = ("table", *formats("findings"))


def add_output_arguments(p: argparse.ArgumentParser, *, policy_help: str) -> None:
    """The options of a command that lists findings (``audit``, ``reconcile``): format, fail-on,
    rule, policy and limit."""
    p.add_argument(
        "--format",
        choices=list(FORMATS),
        default="table",
        help="output format (table); "
        + "; ".join(f"{e.format}: {e.title}" for e in EXPORTS.values() if e.kind == "findings"),
    )
    p.add_argument(
        "--fail-on",
        choices=list(FAIL_ON_CHOICES),
        default=DEFAULT_FAIL_ON,
        help="exit 1 when a finding is at least this severe (none: never)",
    )
    p.add_argument("--rule", action="append", metavar="ID", help="run only this rule (repeatable)")
    p.add_argument("--policy", metavar="ID", help=policy_help)
    p.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="the table lists the first N findings, after a summary by rule and severity (default: 50 on a "
        "terminal, all otherwise; 0: all)",
    )


#: Above this many findings the table opens with a summary by rule and severity.
SUMMARY_FROM = 20


def _summary(findings: list[Finding]) -> list[str]:
    by_rule: dict[str, dict[str, int]] = {}
    for f in findings:
        counts = by_rule.setdefault(f.rule, {})
        counts[f.severity] = counts.get(f.severity, 0) + 1
    order = sorted(by_rule, key=lambda r: (-max(SEVERITIES.index(s) for s in by_rule[r]), r))
    lines = [f"{'rule':<24} " + " ".join(f"{s:>7}" for s in reversed(SEVERITIES))]
    for r in order:
        lines.append(f"{r:<24} " + " ".join(f"{by_rule[r].get(s, 0) or '':>7}" for s in reversed(SEVERITIES)))
    return [*lines, ""]


def _table(findings: list[Finding], limit: int | None = None) -> str:
    if not findings:
        return "no findings\n"
    lines = _summary(findings) if len(findings) > SUMMARY_FROM else []
    shown = findings if not limit else findings[:limit]
    for f in shown:
        head = f"{f.severity.upper():<6} {f.rule:<22} {f.id}  {f.location}"
        cls = f" [{f.dimension}: {f.disclosure}]" if f.disclosure else ""
        lines.append(head + cls)
        lines.append(f"       {f.message}")
        if f.path:
            lines.append(f"       path: {' > '.join(f.path)}")
        for c in f.clauses:
            lines.append(f'       {c.label}: "{c.quote}"')
        if f.evidence:
            lines.append(f"       observed: {', '.join(str(s) for s in f.evidence)}")
        lines.append(f"       remedy: {f.remedy}")
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    summary = ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES) if s in counts)
    if len(shown) < len(findings):
        lines.append(f"... and {len(findings) - len(shown):,} more (--limit 0 lists them all; --format csv or json)")
    lines.append(f"{len(findings):,} findings ({summary})")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from flowatlas.analysis import Analysis
    from flowatlas.assess import assess
    from flowatlas.loader import load_map

    m = load_map(args.map)
    findings = assess(Analysis(m, args.policy), with_evidence=not args.no_evidence, rules=args.rule)
    tty = sys.stdout.isatty()
    write_findings(findings, args, tty)
    if not m.policies:
        print(f"flowatlas: note: map {m.info.id!r} has {NO_POLICY}", file=sys.stderr)
    return EXIT_FINDINGS if at_or_above(findings, args.fail_on) else EXIT_OK


def write_findings(findings: list[Finding], args: argparse.Namespace, tty: bool) -> None:
    """Write findings to standard output in ``args.format`` (``table`` paged by ``args.limit``);
    shared by ``audit`` and ``reconcile``."""
    if args.format in formats("findings"):
        export = exporter("findings", args.format).write
        # SARIF names the command that made it, so a service keeps audit and reconcile apart
        write = functools.partial(export, category=args.command) if args.format == "sarif" else export
        if tty:  # a terminal shows text from the map without its control characters
            buf = io.StringIO()
            write(findings, buf)
            sys.stdout.write(terminal_text(buf.getvalue()))
        else:
            write(findings, sys.stdout)
    else:
        limit = args.limit if args.limit is not None else (50 if tty else 0)
        sys.stdout.write(terminal_text(_table(findings, limit)))
