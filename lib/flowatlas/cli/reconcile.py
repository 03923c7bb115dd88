"""``flowatlas reconcile MAP [--evidence PATH...]... [--format table|csv|json|sarif] [--fail-on SEVERITY]``.

Holds the map against evidence files (code scans, Terraform state): those given, else those the
map names in ``map.evidence``. Exit 0 when no finding reaches ``--fail-on`` (default: high), 1
when one does, 2 on invalid input. Every element of the evidence read but not used (a section
or risk that is no flow, a data source) is counted on stderr, the first ones with their
file:line and why.
"""

from __future__ import annotations

import argparse
import sys

from flowatlas.cli.audit import add_output_arguments
from flowatlas.findings import at_or_above
from flowatlas.inert import terminal_text
from flowatlas.words import counted

#: How many elements read but not used the command names on stderr (it counts them all).
UNUSED_SHOWN = 10


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("map", help="map folder (e.g. dataflows/absoloop)")
    p.add_argument(
        "--evidence",
        action="extend",
        nargs="+",
        metavar="PATH",
        help="evidence files or folders of .json files (one or more, and repeatable; default: the map's map.evidence)",
    )
    add_output_arguments(p, policy_help="policy whose declarations findings cite (default: the map's)")


def main(args: argparse.Namespace) -> int:
    from flowatlas.analysis import Analysis
    from flowatlas.cli.audit import write_findings
    from flowatlas.evidence import evidence_paths, read_evidence
    from flowatlas.evidence.reconcile import reconcile
    from flowatlas.loader import load_map

    m = load_map(args.map)
    observations = read_evidence(evidence_paths(m, args.evidence))
    findings = reconcile(Analysis(m, args.policy), observations, args.rule)
    write_findings(findings, args, sys.stdout.isatty())
    unused = [o for o in observations if o.kind == "unused"]
    if unused:  # nothing read is dropped silently: what was not used, where, and why
        print(
            f"flowatlas reconcile: {counted(len(unused), 'element')} of the evidence read but not used:",
            file=sys.stderr,
        )
        for o in unused[:UNUSED_SHOWN]:
            print(terminal_text(f"  {o.at}: {o.name}: {o.note}"), file=sys.stderr)
        if len(unused) > UNUSED_SHOWN:
            print(f"  ... and {len(unused) - UNUSED_SHOWN} more", file=sys.stderr)
    return 1 if at_or_above(findings, args.fail_on) else 0
