"""``flowatlas audit MAP [--format table|csv|json] [--fail-on SEVERITY] [--rule ID]... [--policy ID]``.

Exit 0 when no finding reaches ``--fail-on`` (default: high), 1 when one does, 2 on invalid input
or an unknown rule.
"""

from __future__ import annotations

import argparse
import json
import sys

from flowatlas.findings import NO_POLICY, SEVERITIES, Finding, at_or_above
from flowatlas.inert import csv_frame, terminal_text

EXIT_OK, EXIT_FINDINGS = 0, 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("map", help="map folder (e.g. dataflows/absoloop) or a single YAML file")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format (table)")
    p.add_argument(
        "--fail-on", choices=list(SEVERITIES), default="high", help="exit 1 when a finding is at least this severe"
    )
    p.add_argument("--rule", action="append", metavar="ID", help="run only this rule (repeatable)")
    p.add_argument("--policy", metavar="ID", help="policy to audit (default: the map's)")


def _table(findings: list[Finding]) -> str:
    if not findings:
        return "no findings\n"
    lines = []
    for f in findings:
        head = f"{f.severity.upper():<6} {f.rule:<22} {f.id}  {f.location}"
        cls = f" [{f.dimension}: {f.disclosure}]" if f.disclosure else ""
        lines.append(head + cls)
        lines.append(f"       {f.message}")
        if f.path:
            lines.append(f"       path: {' > '.join(f.path)}")
        for c in f.clauses:
            lines.append(f'       clause {c.clause}: "{c.quote}"')
        lines.append(f"       remedy: {f.remedy}")
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    summary = ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES) if s in counts)
    lines.append(f"{len(findings)} findings ({summary})")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from flowatlas.audit import audit, findings_frame
    from flowatlas.loader import load_map

    m = load_map(args.map)
    findings = audit(m, policy=args.policy, rules=args.rule)
    if args.format == "json":
        print(json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False))
    elif args.format == "csv":
        frame = csv_frame(findings_frame(findings))
        if sys.stdout.isatty():
            sys.stdout.write(terminal_text(frame.to_csv(index=False, lineterminator="\n")))
        else:
            frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        sys.stdout.write(terminal_text(_table(findings)))
    if not m.policies:
        print(f"flowatlas: note: map {m.info.id!r} has {NO_POLICY}", file=sys.stderr)
    return EXIT_FINDINGS if at_or_above(findings, args.fail_on) else EXIT_OK


#: The entry registered in :data:`flowatlas.cli.COMMANDS`.
COMMAND = ("audit a map against its privacy policy; list findings (exit 1 at --fail-on)", add_arguments, run)
