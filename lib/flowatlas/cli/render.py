"""``flowatlas render``: draw views of a map as DOT, SVG and PNG files with stable names.

    flowatlas render dataflows/absoloop --view overview --view lineage:email \\
        --format svg,png,dot --out outputs/diagrams

File names: ``overview``, ``lineage-TYPE``, ``findings``, ``summary-organisation``,
``summary-jurisdiction`` (after ``--prefix``, if given), each with the format's extension. Findings come from
``flowatlas.audit.audit`` when that module is installed (``--no-audit`` skips it).
"""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path

from flowatlas.render.views import view_help

EXIT_OK = 0
#: The longest file name (bytes) most file systems allow.
NAME_MAX = 255


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("map", help="map folder (e.g. dataflows/absoloop) or a single YAML file")
    p.add_argument(
        "--view",
        action="append",
        metavar="VIEW",
        help=f"{view_help()}; repeat or comma-separate for several (default: overview)",
    )
    p.add_argument("--format", default="svg", help="comma list of svg, png, dot (default: svg)")
    p.add_argument("--out", default="outputs/diagrams", help="output folder (default: outputs/diagrams)")
    p.add_argument("--prefix", default="", help="prefix for file names, e.g. 'absoloop-' gives absoloop-overview.svg")
    p.add_argument("--max-nodes", type=int, default=None, help="above this many nodes the overview opens the atlas, 40")
    p.add_argument("--timeout", type=float, default=None, help="seconds per graphviz attempt (default 60)")
    p.add_argument("--no-audit", action="store_true", help="draw without findings")
    p.add_argument("--no-provenance", action="store_true", help="leave file:line out of tooltips")


def main(args: argparse.Namespace) -> int:
    from flowatlas.analysis import Analysis
    from flowatlas.assess import assess
    from flowatlas.errors import UsageError
    from flowatlas.loader import load_map
    from flowatlas.render import DEFAULT_MAX_NODES, build_view, parse_formats, source, write
    from flowatlas.render.run import plan_for
    from flowatlas.report.atlas import write_atlas

    specs = [s.strip() for v in (args.view or ["overview"]) for s in v.split(",") if s.strip()]
    formats = parse_formats(args.format)
    max_nodes = DEFAULT_MAX_NODES if args.max_nodes is None else args.max_nodes
    if max_nodes < 1:
        raise UsageError("--max-nodes must be at least 1")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    a = Analysis(load_map(args.map))
    findings = None if args.no_audit else assess(a)
    views = [build_view(a, s, findings, max_nodes=max_nodes, provenance=not args.no_provenance) for s in specs]
    out = Path(args.out)
    longest = max((len(f"{args.prefix}{stem}.{fmt}".encode()) for stem, _ in views for fmt in formats), default=0)
    if longest > NAME_MAX:
        raise UsageError(f"--prefix is too long: file names would have {longest} bytes, over the {NAME_MAX} allowed")
    missing = [d for d in (out, *out.parents) if not d.exists()]
    written: list[Path] = []
    try:
        for stem, g in views:
            t0 = time.perf_counter()
            paths = write(g, out, args.prefix + stem, formats, timeout=args.timeout)
            written += paths.values()
            took = time.perf_counter() - t0
            chosen = plan_for(source(g))
            why = f"; {chosen.reason}" if chosen.note else ""
            print(f"{stem}: {', '.join(str(p) for p in paths.values())} ({took:.2f}s{why})")
            if refused := getattr(g, "png_refused", ""):
                print(f"{stem}: {refused}")
        if any(g.opens for _, g in views):  # its boxes open the atlas's pages: written beside it
            t0 = time.perf_counter()
            folder = out / next(g.opens for _, g in views if g.opens)
            new = not folder.exists()
            pages = write_atlas(a, findings, folder, provenance=not args.no_provenance)
            written += [*pages, folder / "flowatlas.js", folder / "flowatlas.css"]
            if new:
                missing.insert(0, folder)
            print(f"atlas: {len(pages)} pages in {folder} ({time.perf_counter() - t0:.2f}s), first {pages[0]}")
    except BaseException:  # all views or none: remove what this run wrote, and the folders it made
        for path in written:
            path.unlink(missing_ok=True)
        for folder in missing:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return EXIT_OK
