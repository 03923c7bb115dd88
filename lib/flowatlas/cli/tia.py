"""``flowatlas tia MAP [--format markdown|json|xlsx] [--out PATH]``: the transfer impact assessment
worksheets of every transfer that relies on a tool needing one (EDPB Recommendations 01/2020).

Markdown and JSON go to stdout unless ``--out`` names a file; XLSX (one editable sheet per
transfer) needs ``--out``. Exit 0, 2 on invalid input.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from flowatlas import tia  # registers the worksheet exports
from flowatlas.analysis import Analysis
from flowatlas.errors import UsageError
from flowatlas.exports import exporter, formats
from flowatlas.files import write_whole
from flowatlas.loader import load_map


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("map", help="map folder (e.g. dataflows/absoloop)")
    p.add_argument("--format", choices=formats("tia"), default="markdown", help="output format (markdown)")
    p.add_argument("--out", metavar="PATH", help="the file to write (required for xlsx; default: stdout)")


def main(args: argparse.Namespace) -> int:
    if args.format == "xlsx" and not args.out:
        raise UsageError("--format xlsx writes a file: give --out PATH (e.g. --out tia.xlsx)")
    a = Analysis(load_map(args.map))
    sheets = tia.worksheets(a)
    write = exporter("tia", args.format).write
    if args.format == "xlsx":
        write(a, sheets, Path(args.out))
    elif args.out:
        buf = io.StringIO()
        write(a, sheets, buf)
        write_whole(args.out, buf.getvalue().encode("utf-8"))
    else:
        write(a, sheets, sys.stdout)
    if args.out:
        print(f"{args.out}: {len(sheets)} worksheet(s)", file=sys.stderr)
    return 0
