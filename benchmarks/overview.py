"""Time the collapsed overview of one map: ``python benchmarks/overview.py MAP_DIR``.

Loads and audits the map (not timed), then times ``overview(Analysis(m), findings)`` and ``to_svg`` (what
``bench.py`` reports as "overview"). Run it under ``/usr/bin/time -v`` for the peak RSS, with
``FLOWATLAS_DOT_TIMEOUT=15`` as ``bench.py`` does.
"""

from __future__ import annotations

import resource
import sys
import time

from flowatlas import load_map
from flowatlas.analysis import Analysis
from flowatlas.audit import audit
from flowatlas.render import overview, to_svg


def main(folder: str) -> None:
    m = load_map(folder)
    findings = audit(Analysis(m))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    g = overview(Analysis(m), findings)
    src = g.source
    t1 = time.perf_counter()
    try:
        to_svg(g)
        ok = "ok"
    except Exception as exc:  # report any failure as a measurement
        ok = f"FAILED {type(exc).__name__}: {str(exc)[:200]}"
    t2 = time.perf_counter()
    print(
        f"{folder}: nodes={len(m.nodes)} flows={len(m.flows)} view={g.name} build={t1 - t0:.2f}s "
        f"svg={t2 - t1:.2f}s overview_total={t2 - t0:.2f}s dot_bytes={len(src)} edges={src.count(' -> ')} "
        f"rss_before_overview={rss:.0f}MiB {ok}"
    )


if __name__ == "__main__":
    main(sys.argv[1])
