"""Map text made inert where it leaves flowatlas: spreadsheets (CSV, XLSX) and terminals.

A map is written by people and tools flowatlas does not control, so any of its text may be
hostile. DOT, SVG and HTML have their own quoting (:mod:`flowatlas.render.text`, nbconvert);
this module covers the rest:

* **CSV and XLSX** (OWASP, "CSV Injection"): a cell that starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return is a formula to a spreadsheet program; such a cell is
  written with a leading apostrophe in CSV, and as a string cell (never a formula) in XLSX.
  Control characters become visible escapes in both (XLSX cannot hold them; a CSV printed to a
  terminal must not act on them).
* **Messages**: an error quotes at most a bounded excerpt of foreign input (:func:`excerpt`).
* **Terminals**: control characters (ESC, BEL, C1 codes...) become visible escapes such as
  ``\\x1b``, so text from a map cannot move the cursor, change colours or ring the bell.

>>> csv_cell("=HYPERLINK(1)"), csv_cell("plain"), csv_cell(3)
("'=HYPERLINK(1)", 'plain', 3)
>>> terminal_text("red \\x1b[31m bell \\x07 ok\\n")
'red \\\\x1b[31m bell \\\\x07 ok\\n'
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowatlas.extras import require
from flowatlas.files import write_whole

if TYPE_CHECKING:  # pandas is imported by the writers' callers; the terminal helpers need none
    import pandas as pd

__all__ = [
    "FORMULA_STARTS",
    "csv_cell",
    "csv_frame",
    "excerpt",
    "markdown_text",
    "sheet_names",
    "terminal_text",
    "write_workbook",
    "write_xlsx",
]

#: First characters that make a spreadsheet cell a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Control characters a terminal acts on: C0 but newline and tab, DEL, C1.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: What an XLSX cell cannot hold (XML 1.0; openpyxl's ILLEGAL_CHARACTERS_RE): C0 but tab, newline, CR.
_XLSX_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def markdown_text(text: str) -> str:
    """Map text made inert in Markdown: no HTML, links, emphasis or table breaks; one line.

    >>> markdown_text("<b>x</b> | [a](b)")
    '\\\\<b\\\\>x\\\\</b\\\\> \\\\| \\\\[a\\\\](b)'
    """
    out = terminal_text(text).replace("\\", "\\\\")
    for ch in "`*_[]<>|#!~":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def excerpt(value: Any, limit: int = 60) -> str:
    """A bounded, quoted excerpt of foreign input for a message: ``'abc…'`` (``repr`` limits).

    >>> excerpt("abcdef", limit=4), excerpt(10**5000)
    ("'abc…'", '(a number of about 5,000 digits)')
    """
    if isinstance(value, int) and value.bit_length() > 10_000:  # repr refuses over 4,300 digits
        return f"(a number of about {int(value.bit_length() * 0.30103):,} digits)"
    text = value if isinstance(value, str) else _REPR.repr(value)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 2, 40, 40, 4, 4


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def terminal_text(text: str) -> str:
    """``text`` with every control character but newline and tab shown as ``\\xNN``."""
    return _CONTROL.sub(_escape, text)


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet reads as a formula (an apostrophe before a risky start),
    and whose control characters are shown as escapes (``\\x1b``), so a CSV printed to a
    terminal cannot move its cursor, clear it or change its title.

    >>> csv_cell("-1"), csv_cell("a\x1b[2Jb\x07")
    ("'-1", 'a\\\\x1b[2Jb\\\\x07')
    """
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub(_escape, value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell passed through :func:`csv_cell`."""
    out = df.copy()
    for col in _text_columns(out):
        out[col] = out[col].map(csv_cell)
    return out


def _text_columns(df: pd.DataFrame) -> list[Any]:
    """The columns that may hold text: object columns and pandas' string columns."""
    from pandas.api.types import is_string_dtype

    return [col for col in df.columns if df[col].dtype == object or is_string_dtype(df[col].dtype)]


def _xlsx_cell(value: Any) -> Any:
    return _XLSX_ILLEGAL.sub(_escape, value) if isinstance(value, str) else value


def write_xlsx(df: pd.DataFrame, path: str | Path, *, sheet: str, max_width: int = 60) -> None:
    """Write ``df`` to ``path`` as one sheet whose text cells are all strings, never formulas
    (:func:`write_workbook`), with a frozen header row and fitted column widths."""
    write_workbook({sheet: df}, path, max_width=max_width)


def sheet_names(names: Sequence[str]) -> list[str]:
    """Names Excel takes for ``names``, in order: at most 31 characters, none of ``[]:*?/\\``,
    no apostrophe first or last, all distinct (a number added where two would clash).

    >>> sheet_names(["tia-a-very-long-exporter-name-b-us-clauses", "tia-a-very-long-exporter-name-b-us-rules", "a/b"])
    ['tia-a-very-long-exporter-name-b', 'tia-a-very-long-exporter-name-2', 'a-b']
    """
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "-", name)[:31].strip("'") or "sheet"
        got, i = base, 1
        while got.lower() in taken:
            i += 1
            got = f"{base[: 31 - len(str(i)) - 1]}-{i}"
        out.append(got)
        taken.add(got.lower())
    return out


def _xlsx_value(value: Any) -> Any:
    """A frame's cell as it is written: None for missing, Python scalars for numpy's, other
    objects as their text, illegal characters escaped."""
    if isinstance(value, str):  # most cells: before anything else
        return _xlsx_cell(value)
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return _xlsx_cell(str(value))
    import pandas as pd

    if value is None or pd.isna(value):
        return None
    if hasattr(value, "item"):  # numpy's scalars
        value = value.item()
    if isinstance(value, (bool, int, float)):
        return value
    return _xlsx_cell(str(value))  # dates and the rest: their ISO text, as in the CSV


def write_workbook(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    max_width: int = 60,
    links: Mapping[str, Mapping[int, tuple[str, int]]] | None = None,
) -> None:
    """Write each frame of ``sheets`` to ``path`` as a sheet of its own (named by
    :func:`sheet_names`): every text cell a string, never a formula or a link; a bold, frozen
    header row; fitted column widths. Written whole or not at all; the same frames give the same
    bytes (XlsxWriter in memory dates its parts 1 January 1980, and so do the properties).

    ``links`` maps a sheet's key to ``{row index: (key of a sheet, row index there)}``: that
    row's first cell links to the other row (an index sheet's entries open their worksheets);
    a row index of -1 is the other sheet's header.

    >>> import pandas as pd, tempfile, os, hashlib
    >>> df = pd.DataFrame({"item": ["=1+1", "b"], "n": [1, None]})
    >>> d = tempfile.mkdtemp()
    >>> for name in ("a.xlsx", "b.xlsx"):
    ...     write_workbook({"x": df}, os.path.join(d, name))
    >>> len({hashlib.sha256(open(os.path.join(d, n), "rb").read()).digest() for n in ("a.xlsx", "b.xlsx")})
    1
    """
    require("xlsx", "an XLSX spreadsheet")
    import datetime
    import io

    import xlsxwriter

    names = dict(zip(sheets, sheet_names(list(sheets)), strict=True))
    buf = io.BytesIO()
    # XlsxWriter rather than openpyxl: a 50,000-flow map's tia.xlsx (251 sheets, 215,000 rows)
    # took 19.2 s with openpyxl, 8.3 s with it; and write_string never makes a formula or a link.
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": datetime.datetime(1980, 1, 1)})
    bold = wb.add_format({"bold": True})
    for key, df in sheets.items():
        ws = wb.add_worksheet(names[key])
        widths = [len(str(c)) for c in df.columns]
        for c, name in enumerate(df.columns):
            ws.write_string(0, c, _xlsx_cell(str(name)), bold)
        for r, row in enumerate(df.itertuples(index=False, name=None), start=1):
            for c, raw in enumerate(row):
                value = _xlsx_value(raw)
                if value is None or value == "":  # a blank cell, ready to be filled in
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                else:
                    ws.write_number(r, c, value)
                widths[c] = max(widths[c], len(str(value)))
        for c, width in enumerate(widths):
            ws.set_column(c, c, min(max(width + 2, 10), max_width))
        for row_index, (target, target_row) in (links or {}).get(key, {}).items():
            at = f"internal:'{names[target]}'!A{target_row + 2 if target_row >= 0 else 1}"
            text = _xlsx_value(df.iat[row_index, 0])
            ws.write_url(row_index + 1, 0, at, string=str(text or ""))
        ws.freeze_panes(1, 0)
    wb.close()
    write_whole(path, buf.getvalue())
