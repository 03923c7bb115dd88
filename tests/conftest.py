"""Shared fixtures: small maps written to temporary folders."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ABSOLOOP = ROOT / "dataflows" / "absoloop"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def write_map(folder: Path, files: dict[str, str]) -> Path:
    """Write ``{name: yaml text}`` into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def make_map(tmp_path):
    """Factory: ``make_map({name: text})`` -> folder path."""
    counter = iter(range(10_000))

    def _make(files: dict[str, str]) -> Path:
        return write_map(tmp_path / f"map{next(counter)}", files)

    return _make
