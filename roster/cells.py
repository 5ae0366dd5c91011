"""Text from user data kept as text in the workbooks and CSV files the library writes.

Agent, shift and queue names come from HR and CTI files. A name such as
``=HYPERLINK("http://x","click")`` must never become a live formula in a spreadsheet (CSV or
formula injection): workbooks store every cell the library writes as a value, and CSV text
starting with a character a spreadsheet reads as a formula gets a leading apostrophe.

References
----------
.. [1] OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FORMULA_STARTS", "as_text_cells", "escape_csv_text"]

#: Leading characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escape(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def escape_csv_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text value, label and column name that a spreadsheet would read as
    a formula prefixed by an apostrophe; numbers and dates are left as they are."""
    out = frame.copy()
    for column in out.columns:
        if _text(out[column].dtype):
            out[column] = out[column].map(_escape)
    if _text(out.columns.dtype):
        out.columns = out.columns.map(_escape)
    if _text(out.index.dtype):
        out.index = out.index.map(_escape)
    return out


def _text(dtype) -> bool:
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def as_text_cells(worksheet) -> int:
    """Store every formula cell of an openpyxl worksheet as the text it holds.

    The library writes values only, so a cell read as a formula came from text in the data.

    Returns
    -------
    int
        Cells changed.
    """
    changed = 0
    for row in worksheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
                changed += 1
    return changed
