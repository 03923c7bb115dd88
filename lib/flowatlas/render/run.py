"""Run graphviz under a time limit, fall back to cheaper layouts, and count the edges drawn.

Graphviz is known to drop edges silently on some clustered layouts and to run for a very long
time on others. :func:`layout` therefore

1. runs each attempt (engine + arguments) in a subprocess with a timeout; on a timeout, a
   crash or a lost edge it moves on to the next, cheaper attempt (straight splines, no
   clusters, then ``sfdp`` and ``neato``);
2. counts ``<g class="edge">`` groups in the SVG it gets back and compares them with the
   ``->`` edge statements in the DOT source. A layout that lost an edge is never returned: when
   every attempt loses one, :class:`EdgeCountError` says how many and where.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from flowatlas.errors import FlowatlasError
from flowatlas.render.legend import without_country_boxes

#: Seconds one graphviz attempt may take before it is killed (override: FLOWATLAS_DOT_TIMEOUT).
DEFAULT_TIMEOUT = float(os.environ.get("FLOWATLAS_DOT_TIMEOUT", "60"))


class RenderError(FlowatlasError):
    """Graphviz could not produce a diagram (not installed, every attempt failed or timed out)."""


class EdgeCountError(RenderError):
    """The SVG graphviz returned holds fewer (or more) edges than the DOT asked for."""

    def __init__(self, requested: int, drawn: int, attempts: Sequence[str]) -> None:
        self.requested, self.drawn = requested, drawn
        super().__init__(
            f"graphviz drew {drawn} of the {requested} edges requested "
            f"(tried: {'; '.join(attempts)}); refusing to write a diagram that hides flows. "
            "Try a smaller view (--view summary, or lineage:TYPE)."
        )


@dataclass(frozen=True)
class Attempt:
    """One way of laying a graph out."""

    engine: str
    args: tuple[str, ...] = ()
    unclustered: bool = False  # rename cluster subgraphs so the engine ignores them

    def __str__(self) -> str:
        extra = " ".join(self.args)
        return f"{self.engine}{' ' + extra if extra else ''}{' (clusters off)' if self.unclustered else ''}"


#: dot with straight edges and bounded crossing reduction and network simplex: what makes dot
#: finish on hundreds of labelled edges (measured on synthetic overviews, 2 cores: 300 edges
#: 3.5 s with the full layout, 0.2 s so; 500 edges 14.7 s and 0.7 s; 1,000 edges over 60 s and
#: 5 s). The crossings are reduced less and the edges are straight lines.
BOUNDED_DOT = Attempt("dot", ("-Gsplines=line", "-Gmclimit=0.1", "-Gnslimit=2", "-Gnslimit1=2"))
SFDP = Attempt("sfdp", ("-Goverlap=prism", "-Gsplines=line"))
NEATO = Attempt("neato", ("-Goverlap=false", "-Gsplines=line"))

#: Tried in order until one returns every edge within the timeout.
ATTEMPTS: tuple[Attempt, ...] = (
    Attempt("dot"),
    Attempt("dot", ("-Gsplines=line",)),
    Attempt("dot", ("-Gsplines=line",), unclustered=True),
    SFDP,
    NEATO,
)

#: Up to this many edges dot's full layout takes about a second (150 edges: 0.2 s).
FULL_DOT_EDGES = 200
#: Up to this many, :data:`BOUNDED_DOT` takes a second or two (500 edges: 0.7 s; 1,000: 5-8 s);
#: beyond, force-directed sfdp (1,000 edges: 0.4 s).
BOUNDED_DOT_EDGES = 600


@dataclass(frozen=True)
class Plan:
    """The layouts to try for a diagram of a given size, and why: chosen before running graphviz,
    so that a layout that would not finish in seconds is never waited for."""

    attempts: tuple[Attempt, ...]
    reason: str
    note: str = ""  # what the diagram itself says of its layout ("" for the full dot layout)


_EDGE_STMT = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|[^\s\[]+)\s*->\s*("(?:[^"\\]|\\.)*"|[^\s\[;]+)', re.MULTILINE)


def edge_pairs(source: str) -> int:
    r"""How many distinct (tail, head) pairs the edge statements of a DOT source join: what dot's
    layout time grows with (5,000 parallel flows between two nodes lay out at once; 1,000 flows
    between 1,000 pairs do not).

    >>> edge_pairs('digraph { "a" -> "b" [label=x]\n "a" -> "b"\n "b" -> "c" }')
    2
    """
    return len({(m.group(1), m.group(2)) for m in _EDGE_STMT.finditer(source)})


def plan_for(source: str) -> Plan:
    """The layout plan of a DOT source (:func:`plan` of its :func:`edge_pairs`)."""
    return plan(edge_pairs(source))


def plan(edges: int) -> Plan:
    """The layout plan for a diagram whose edges join ``edges`` distinct pairs of nodes.

    >>> plan(78).attempts[0].engine, plan(600).attempts[0] == BOUNDED_DOT, plan(5000).attempts[0].engine
    ('dot', True, 'sfdp')
    """
    if edges <= FULL_DOT_EDGES:
        return Plan(ATTEMPTS, f"dot, full layout ({edges:,} node pairs joined)")
    if edges <= BOUNDED_DOT_EDGES:
        return Plan(
            (BOUNDED_DOT, SFDP, NEATO),
            f"dot with straight edges and bounded crossing reduction: {edges:,} node pairs joined would keep dot's "
            "full layout busy for minutes",
            f"layout: dot, straight edges, fewer crossing passes ({edges:,} node pairs joined)",
        )
    return Plan(
        (SFDP, NEATO),
        f"sfdp, force-directed: {edges:,} node pairs joined are more than dot lays out in seconds",
        f"layout: sfdp, force-directed ({edges:,} node pairs joined)",
    )


@dataclass
class Layout:
    """What :func:`layout` returns: the bytes, the attempt that made them, and what it took."""

    data: bytes
    attempt: Attempt
    seconds: float
    edges: int
    notes: list[str] = field(default_factory=list)

    @property
    def svg(self) -> str:
        return self.data.decode("utf-8")


_EDGE_G = re.compile(rb'<g id="[^"]*" class="edge"')  # "edgeN", or the id an arrow was given
_CLUSTER = re.compile(r"^(\s*subgraph\s+\"?)cluster", re.MULTILINE)


#: What :func:`count_dot_edges` looks at: strings (skipped whole), comments, HTML-label brackets, arrows.
_DOT_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|/\*.*?(?:\*/|\Z)|^(?:#|//)[^\n]*|[<>]|->|--', re.DOTALL | re.MULTILINE)


def count_dot_edges(source: str) -> int:
    """Number of edges a DOT source asks for: ``->`` / ``--`` outside strings and HTML labels.

    >>> count_dot_edges('digraph { a -> b [label="x -> y"]; c [label=<p -- q>]; b -> c }')
    2
    """
    # a regular expression finds the tokens, not a loop over characters: 0.75 -> 0.3 s for an
    # 8.9 MB lineage DOT of the 50,000-flow map (it runs before every layout)
    n = depth = 0
    for tok in _DOT_TOKEN.findall(source):
        if tok == "<":
            depth += 1
        elif tok == ">":
            depth = max(depth - 1, 0)
        elif depth == 0 and tok in ("->", "--"):
            n += 1
    return n


def count_svg_edges(svg: bytes | str) -> int:
    """Number of edge groups (``<g id="edgeN" class="edge">``, or the arrow's own ``id``) in an SVG graphviz wrote."""
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    return len(_EDGE_G.findall(data))


def run_engine(source: str, fmt: str, attempt: Attempt, timeout: float) -> bytes:
    """Run one graphviz attempt; raises :class:`RenderError` on failure or timeout."""
    text = _CLUSTER.sub(r"\1group", source) if attempt.unclustered else source
    if attempt.unclustered or attempt.engine in ("sfdp", "neato"):  # no country boxes: the legend says so
        text = without_country_boxes(text)
    cmd = [attempt.engine, f"-T{fmt}", *attempt.args]
    try:
        proc = subprocess.run(cmd, input=text.encode("utf-8"), capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise RenderError(
            f"graphviz '{attempt.engine}' is not installed or not on PATH (apt install graphviz)"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"{attempt} timed out after {timeout:g}s") from exc
    if proc.returncode != 0 or not proc.stdout:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"{attempt} failed (exit {proc.returncode}): {err[-1] if err else 'no output'}")
    return proc.stdout


def layout(
    source: str,
    fmt: str = "svg",
    *,
    timeout: float | None = None,
    attempts: Sequence[Attempt] | None = None,
) -> Layout:
    """Lay ``source`` out as ``fmt`` with the first attempt that works and keeps every edge:
    the attempts of :func:`plan` for its size, unless ``attempts`` are given.

    For ``fmt="svg"`` the edge count is checked; for other formats, call :func:`layout` for SVG
    first and pass ``attempts=[result.attempt]`` so both files share one checked layout.
    """
    limit = DEFAULT_TIMEOUT if timeout is None else timeout
    requested = count_dot_edges(source)
    chosen = plan_for(source)
    if attempts is None:
        attempts = chosen.attempts
    notes: list[str] = [chosen.reason]
    tried: list[str] = []
    lost: tuple[int, int] | None = None
    for attempt in attempts:
        t0 = time.perf_counter()
        try:
            data = run_engine(source, fmt, attempt, limit)
        except RenderError as exc:
            notes.append(str(exc))
            tried.append(f"{attempt}: {exc}")
            if "not installed" in str(exc) and attempt.engine == "dot":
                raise
            continue
        seconds = time.perf_counter() - t0
        if fmt == "svg":
            drawn = count_svg_edges(data)
            if drawn != requested:
                notes.append(f"{attempt} drew {drawn} of {requested} edges")
                tried.append(f"{attempt}: {drawn} of {requested} edges")
                lost = (requested, drawn)
                continue
        return Layout(data, attempt, seconds, requested, notes)
    if lost is not None:
        raise EdgeCountError(lost[0], lost[1], tried)
    raise RenderError("graphviz could not lay the diagram out: " + "; ".join(tried))
