"""The optional parts of flowatlas and what each needs installed.

``pip install flowatlas`` brings what validate, audit, render, diff, reconcile, SARIF and the
CSV/JSON exports need. The rest are extras (``pip install 'flowatlas[report]'``): a command
that needs one calls :func:`require`, which names the extra to install when a module is missing.
The extras themselves are declared in ``pyproject.toml``; a test holds the two to agree.
"""

from __future__ import annotations

import importlib.util

from flowatlas.errors import UsageError

#: ``{extra: (what it is for, the modules it brings)}``.
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "report": (
        "the scheduled report: notebooks run by papermill, HTML by nbconvert, the XLSX inventory",
        ("papermill", "nbconvert", "nbformat", "ipykernel", "xlsxwriter"),
    ),
    "lab": (
        "JupyterLab with the notebooks' pickers and interactive tables (the report extra included)",
        ("jupyterlab", "ipywidgets", "itables"),
    ),
    "fides": ("Fides manifests: import and export, read and validated by fideslang", ("fideslang",)),
    "xlsx": ("spreadsheets (the inventory and assessments as XLSX) from Python", ("xlsxwriter",)),
}


def missing(extra: str) -> list[str]:
    """The modules of ``extra`` this Python cannot import.

    >>> missing("xlsx")  # in the test environment, every extra is installed
    []
    >>> missing("spreadsheets")
    Traceback (most recent call last):
    ...
    KeyError: 'spreadsheets'
    """
    return [m for m in EXTRAS[extra][1] if importlib.util.find_spec(m) is None]


def require(extra: str, what: str) -> None:
    """Raise :class:`UsageError` naming the extra to install when ``what`` needs modules of
    ``extra`` that are missing; return quietly when they are all installed.

    >>> require("report", "flowatlas report")
    """
    gone = missing(extra)
    if gone:
        raise UsageError(
            f"{what} needs the '{extra}' extra ({', '.join(gone)} not installed): pip install 'flowatlas[{extra}]'"
        )


__all__ = ["EXTRAS", "missing", "require"]
