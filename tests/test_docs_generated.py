"""The docs' generated tables (rules, regimes) are what the registries say today (tools/docs.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("docs_tool", ROOT / "tools" / "docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_generated_block_is_current():
    tool = _tool()
    for path, text in tool.docs().items():
        assert path.read_text("utf-8") == text, f"{path.name} is stale: run `python tools/docs.py`"


def test_each_block_is_in_its_doc_and_a_changed_registry_changes_it():
    tool = _tool()
    for name, (file, write) in tool.BLOCKS.items():
        doc = (ROOT / "docs" / file).read_text("utf-8")
        assert f"<!-- generated: {name} -->\n{write()}\n<!-- end generated -->" in doc, name
    stale = "<!-- generated: audit rules -->\n| old table |\n<!-- end generated -->"
    assert "| old table |" not in tool.render(stale) and "`onward-transfer`" in tool.render(stale)


def test_an_empty_block_is_filled_and_the_next_block_is_kept():
    tool = _tool()
    text = (
        "<!-- generated: evidence formats -->\n<!-- end generated -->\nbetween\n"
        "<!-- generated: reconciliation rules -->\n| old |\n<!-- end generated -->\n"
    )
    out = tool.render(text)
    assert out.count("<!-- generated: ") == 2 and "between" in out and "| old |" not in out
    assert "| privado |" in out and "`evidence-leakage`" in out
