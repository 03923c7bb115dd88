"""Write the docs' generated tables from the registries: one source of truth for what the docs list.

A generated block sits between ``<!-- generated: NAME -->`` and ``<!-- end generated -->`` in a
Markdown file; :data:`BLOCKS` says which function writes each. ``python tools/docs.py`` rewrites
them; ``tests/test_docs_generated.py`` fails when a committed doc differs from what this writes.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from flowatlas.audit import RULES  # noqa: E402
from flowatlas.evidence import EVIDENCE_READERS  # noqa: E402
from flowatlas.evidence.base import formats_markdown  # noqa: E402
from flowatlas.evidence.reconcile import RECONCILE_RULES  # noqa: E402
from flowatlas.regimes import regimes_markdown  # noqa: E402
from flowatlas.rules import rules_markdown  # noqa: E402

#: ``{block name: (file under docs/, the function writing its text)}``
BLOCKS: dict[str, tuple[str, Callable[[], str]]] = {
    "audit rules": ("audit.md", lambda: rules_markdown(RULES.values())),
    "reconciliation rules": ("evidence.md", lambda: rules_markdown(RECONCILE_RULES.values())),
    "evidence formats": ("evidence.md", lambda: formats_markdown(EVIDENCE_READERS.values())),
    # dated as the docs were last written: a regime's region groups are read on that day
    "transfer regimes": ("audit.md", lambda: regimes_markdown(DOCS_DATE)),
}

#: The day the regime tables are read as of (a decision's region members are those of that day).
DOCS_DATE = date(2026, 12, 7)

# an empty block ("-->\n<!-- end") is a block too: it must not run on to the next block's end
_BLOCK = re.compile(r"(<!-- generated: (?P<name>[^>]+?) -->\n)(?P<body>.*?)(\n?<!-- end generated -->)", re.S)


def render(text: str) -> str:
    """``text`` with every generated block written anew."""

    def fill(m: re.Match) -> str:
        _, write = BLOCKS[m.group("name")]
        return m.group(1) + write() + "\n<!-- end generated -->"

    return _BLOCK.sub(fill, text)


def docs() -> dict[Path, str]:
    """``{doc path: its text with the blocks written}`` for every doc holding a block."""
    files = sorted({ROOT / "docs" / f for f, _ in BLOCKS.values()})
    return {p: render(p.read_text("utf-8")) for p in files}


if __name__ == "__main__":
    for path, text in docs().items():
        if path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
            print(f"written: {path.relative_to(ROOT)}")
