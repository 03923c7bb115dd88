"""Reports: the notebooks' helpers and the papermill runner behind ``flowatlas report``.

Notebooks import this module as ``fr`` and call one function per cell; nothing the notebooks
show is computed anywhere else.

>>> import flowatlas.report as fr
>>> s = fr.check_parameters("audit", map_dir="dataflows/absoloop")  # doctest: +SKIP
>>> a, findings = s.analysis, s.findings                           # doctest: +SKIP
>>> fr.findings_by_rule(findings)                                  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> module defining it (imported on first use, so `flowatlas report --help` is quick)
_EXPORTS: dict[str, str] = {
    "assessments_view": "flowatlas.report.views",
    "DEFAULT_MAP": "flowatlas.report.params",
    "NO_PREVIOUS": "flowatlas.report.params",
    "ParameterError": "flowatlas.report.params",
    "Session": "flowatlas.report.params",
    "at_a_glance": "flowatlas.report.views",
    "breach_frame": "flowatlas.report.views",
    "breach_view": "flowatlas.report.views",
    "check_parameters": "flowatlas.report.params",
    "choices": "flowatlas.report.views",
    "default_node": "flowatlas.report.views",
    "default_subject": "flowatlas.report.views",
    "default_type": "flowatlas.report.views",
    "diagram": "flowatlas.report.views",
    "diagram_specs": "flowatlas.report.views",
    "diff_findings": "flowatlas.report.data",
    "diff_view": "flowatlas.report.views",
    "disclosure_legend": "flowatlas.report.views",
    "disclosure_matrix": "flowatlas.report.views",
    "erase_frame": "flowatlas.report.views",
    "evidence_findings": "flowatlas.report.views",
    "evidence_frame": "flowatlas.report.views",
    "evidence_view": "flowatlas.report.views",
    "erase_view": "flowatlas.report.views",
    "findings_by_rule": "flowatlas.report.views",
    "findings_frame": "flowatlas.report.views",
    "findings_explorer": "flowatlas.report.views",
    "findings_table": "flowatlas.findings",
    "first_screen": "flowatlas.report.views",
    "fix_first": "flowatlas.report.views",
    "grid": "flowatlas.report.views",
    "heading": "flowatlas.report.views",
    "headline": "flowatlas.report.views",
    "inventory": "flowatlas.inventory",
    "inventory_view": "flowatlas.report.views",
    "lineage_frame": "flowatlas.report.views",
    "lineage_specs": "flowatlas.report.views",
    "lineage_view": "flowatlas.report.views",
    "note": "flowatlas.report.views",
    "outputs_root": "flowatlas.report.params",
    "picker": "flowatlas.report.views",
    "processor_record_view": "flowatlas.report.views",
    "repo_root": "flowatlas.report.params",
    "resolve_map_dir": "flowatlas.report.params",
    "run_diff": "flowatlas.report.views",
    "run_time": "flowatlas.report.views",
    "severity_counts": "flowatlas.report.data",
    "show_diagrams": "flowatlas.report.views",
    "show_tables": "flowatlas.report.views",
    "statement_frame": "flowatlas.report.views",
    "statement_summary": "flowatlas.report.views",
    "statement_view": "flowatlas.report.views",
    "style_disclosure": "flowatlas.report.views",
    "style_severity": "flowatlas.report.views",
    "table": "flowatlas.report.views",
    "top_findings": "flowatlas.report.views",
    "trend_view": "flowatlas.report.views",
    "read_history": "flowatlas.report.data",
    "type_choices": "flowatlas.report.views",
    "undeclared_transfers": "flowatlas.report.views",
    "write_diagrams": "flowatlas.report.views",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'flowatlas.report' has no attribute {name!r}")


def skip_iri_grammar() -> None:
    """Keep jsonschema (imported by nbformat, under papermill and nbconvert) from building the
    ``rfc3987_syntax`` grammar at import, for an "iri" format no notebook schema uses: about 2 s
    in each process that imports papermill (Absoloop report, see CHANGELOG). Call it before
    those imports; once jsonschema is imported it changes nothing.

    >>> skip_iri_grammar()
    >>> import sys
    >>> "rfc3987_syntax" in sys.modules
    True
    """
    import sys

    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
