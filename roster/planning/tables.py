"""Tables as call centres export them: CSV in UTF-8 or GBK, Excel, Parquet, Chinese headers.

A user's file is read as text, its columns are given the names the library uses (by an
explicit mapping or by a table of common Chinese and English headers), and its times are
parsed without guessing: a day/month order the data cannot settle is an error that asks for
it. Every problem names the file, the data row (1 = the first row after the header) and the
column.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "COLUMN_ALIASES",
    "InputFileError",
    "InputWarning",
    "dates_text",
    "parse_column_map",
    "parse_numbers",
    "parse_times",
    "read_table",
    "read_toml",
    "rename_columns",
    "require_columns",
]

#: The library's column names and the headers CTI systems and planners' sheets use for them
#: (matched without case, spaces, underscores or brackets). ``date`` and ``slot`` (a time of
#: day or a span such as ``08:00-08:30``) are joined into ``ds`` when no ``ds`` is given.
COLUMN_ALIASES = {
    "ds": ("ds", "时间", "日期时间", "开始时间", "时段开始", "datetime", "timestamp",
           "interval", "interval_start", "start"),
    "date": ("date", "日期", "统计日期", "day"),
    "slot": ("slot", "时段", "时间段", "时间区间", "time", "timeslot", "time_slot", "period"),
    "y": ("y", "呼入量", "话务量", "来话量", "进线量", "呼入数", "来电量", "volume", "calls",
          "offered", "contacts", "arrivals"),
    "aht": ("aht", "平均处理时长", "平均处理时间", "平均通话时长", "平均通话时间", "handle_time",
            "average_handle_time"),
    "arrival": ("arrival", "来电时间", "呼入时间", "进线时间", "arrival_time"),
    "answer": ("answer", "应答时间", "接听时间", "接通时间", "answer_time"),
    "end": ("end", "挂机时间", "结束时间", "end_time", "hangup"),
    "caller": ("caller", "主叫号码", "来电号码", "主叫", "ani"),
    "queue": ("queue", "unique_id", "队列", "技能组", "业务线"),
}  # fmt: skip

_ENCODINGS = ("utf-8-sig", "gb18030")


class InputFileError(ValueError):
    """A value in a user's file cannot be used.

    Attributes
    ----------
    path : str
        The file.
    row : int or None
        Data row, 1 for the first row after the header (CSV line ``row + 1``).
    column : str or None
        Column name.
    """

    def __init__(self, path, message, row=None, column=None):
        where = str(path)
        if row is not None:
            where += f", row {row}"
            if str(path).lower().endswith(".csv"):
                where += f" (line {row + 1})"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")
        self.path, self.row, self.column = str(path), row, column


class InputWarning(UserWarning):
    """Something in the user's data a planner should look at: gaps, missing counts, units."""


def dates_text(days, most: int = 5) -> str:
    """The first ``most`` dates as ``2026-03-02, 2026-03-03, ... (12 in all)``."""
    days = [f"{pd.Timestamp(d):%Y-%m-%d}" for d in days]
    shown = ", ".join(days[:most])
    return shown + (f", ... ({len(days)} in all)" if len(days) > most else "")


def read_table(path, *, encoding: str | None = None) -> pd.DataFrame:
    """A CSV, Excel or Parquet file as a DataFrame (by suffix), every column as read.

    Parameters
    ----------
    path : str or path-like
        ``.csv`` / ``.txt``, ``.xlsx`` / ``.xlsm`` (first sheet) or ``.parquet``.
    encoding : str, optional
        Text encoding of a CSV file. By default UTF-8 (with or without a byte-order mark)
        and then GB18030, the superset of GBK and GB2312 that Chinese exports use.

    Raises
    ------
    InputFileError
        The path is missing or a folder, the type unknown, or the text undecodable.
    """
    path = Path(path)
    if path.is_dir():
        raise InputFileError(path, "is a folder; give a file")
    if not path.is_file():
        raise InputFileError(path, "no such file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        if suffix in (".csv", ".txt"):
            text = _decode(path, path.read_bytes(), encoding)
            return pd.read_csv(
                StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True
            )
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise InputFileError(path, f"cannot be read ({exc})") from None
    raise InputFileError(
        path, f"unknown file type {suffix!r}; give a .csv, .xlsx or .parquet file"
    )


def read_toml(path, name: str) -> dict:
    """A TOML file's tables (a config, a centre, escalation rules); a file that cannot be read
    or parsed is a one-line ``ValueError`` that starts with ``name``."""
    import tomllib

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ValueError(f"{name}: cannot be read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{name}: not valid TOML ({exc})") from None


def _decode(path, data: bytes, encoding: str | None) -> str:
    if encoding is not None:
        try:
            return data.decode(encoding)
        except LookupError:
            raise InputFileError(path, f"unknown encoding={encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise InputFileError(
                path, f"is not {encoding} text (byte {exc.start}); give the file's encoding"
            ) from None
    for name in _ENCODINGS:
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    raise InputFileError(path, "is neither UTF-8 nor GBK/GB18030 text; give its encoding")


def parse_column_map(text: str | None) -> dict:
    """``"ds=时间,y=呼入量"`` as ``{"ds": "时间", "y": "呼入量"}`` (None gives ``{}``)."""
    if not text:
        return {}
    out = {}
    for part in text.split(","):
        name, sep, header = part.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise ValueError(f"columns={text!r}: write name=header pairs, e.g. ds=时间,y=呼入量")
        out[name.strip()] = header.strip()
    return out


def _key(header) -> str:
    return re.sub(r"[\s_()（）\[\]【】]", "", str(header)).lower()


def rename_columns(
    frame: pd.DataFrame, path, wanted, *, columns: dict | None = None
) -> pd.DataFrame:
    """``frame`` with the columns ``wanted`` under the library's names.

    Parameters
    ----------
    frame : pandas.DataFrame
        As read by :func:`read_table`.
    path : str or path-like
        Names the file in errors.
    wanted : iterable of str
        Library names to look for (keys of :data:`COLUMN_ALIASES`).
    columns : dict, optional
        Library name -> header in the file; these win over the alias table.

    Raises
    ------
    InputFileError
        A mapped header missing from the file, or two headers matching one name.
    """
    columns = dict(columns or {})
    unknown = sorted(set(columns) - set(COLUMN_ALIASES))
    if unknown:
        raise ValueError(f"columns: unknown names {unknown}; known: {sorted(COLUMN_ALIASES)}")
    rename = {}
    for name, header in columns.items():
        if header not in frame.columns:
            raise InputFileError(
                path, f"columns maps {name}={header!r}, not a column of {list(frame.columns)}"
            )
        rename[header] = name
    by_key = {}
    for header in frame.columns:
        by_key.setdefault(_key(header), []).append(header)
    for name in wanted:
        if name in rename.values():
            continue
        found = [h for alias in COLUMN_ALIASES[name] for h in by_key.get(_key(alias), [])]
        found = [h for h in dict.fromkeys(found) if h not in rename]
        if len(found) > 1:
            raise InputFileError(
                path, f"columns {found} could each be {name!r}; choose with columns {name}=..."
            )
        if found:
            rename[found[0]] = name
    return frame.rename(columns=rename)


def join_date_and_slot(frame: pd.DataFrame, path) -> pd.DataFrame:
    """A ``ds`` column from ``date`` and ``slot`` (``08:00``, ``8:00:00`` or ``08:00-08:30``)
    when the file gives the two apart; unchanged otherwise."""
    if "ds" in frame.columns or not {"date", "slot"} <= set(frame.columns):
        return frame
    slot = frame["slot"].astype(str).str.strip()
    start = slot.str.extract(r"^(\d{1,2}:\d{2}(?::\d{2})?)", expand=False)
    bad = start.isna() & (slot != "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputFileError(
            path, f"{frame['slot'].iloc[i]!r} is not a time of day", row=i + 1, column="slot"
        )
    date = frame["date"].astype(str).str.strip()
    return frame.assign(ds=(date + " " + start.fillna("")).where(date != "", ""))


_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\b")


def require_columns(frame: pd.DataFrame, path, columns) -> None:
    """Raise naming the file and the columns ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputFileError(
            path, f"missing column(s) {missing}; the file has columns {list(frame.columns)}"
        )


def _text(raw: pd.Series):
    """Values as stripped text where they are text, and which are empty."""
    if pd.api.types.is_object_dtype(raw) or pd.api.types.is_string_dtype(raw):
        text = raw.astype(str).str.strip()
        return text, raw.isna().to_numpy() | (text == "").to_numpy()
    return raw, raw.isna().to_numpy()


def parse_numbers(
    frame: pd.DataFrame, path, column: str, *, low=None, positive=False, allow_empty=False
) -> pd.Series:
    """Numbers of one column, every value read or the first bad one named (empty, not a
    number, infinite, or below ``low`` / not above 0 with ``positive``)."""
    raw = frame[column]
    text, empty = _text(raw)
    values = pd.to_numeric(text.where(~empty), errors="coerce").astype(float)
    empty = pd.Series(empty, index=raw.index)
    bad = (values.isna() & ~empty) | ~np.isfinite(values.fillna(0.0))
    if not allow_empty:
        bad |= empty
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        what = "is empty" if empty.iloc[i] else f"{raw.iloc[i]!r} is not a number"
        raise InputFileError(path, what, row=i + 1, column=column)
    limit = values <= 0 if positive else values < (-np.inf if low is None else low)
    if limit.any():
        i = int(np.flatnonzero(limit.to_numpy())[0])
        need = "> 0" if positive else f">= {low:g}"
        raise InputFileError(path, f"{values.iloc[i]:g} must be {need}", row=i + 1, column=column)
    return values


def parse_times(
    frame: pd.DataFrame, path, column: str, *, optional=False, dayfirst: bool | None = None
) -> pd.Series:
    """Times of one column, every value read or the first bad one named.

    Dates written day and month first (``04/03/2026``) are read in the order the data
    settles (a first field above 12 is a day, a second one above 12 a day) or as
    ``dayfirst`` says; when neither does, that is an error, never a guess. Dates with the
    year first (``2026-03-04``, ``2026/3/4``) are unambiguous.

    Raises
    ------
    InputFileError
        An empty (unless ``optional``) or unreadable value, or an unsettled day/month order.
    """
    raw = frame[column]
    text, empty = _text(raw)
    empty = pd.Series(empty, index=raw.index)
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw
    else:
        text = text.astype(str)  # numbers read from a Parquet column, say
        order = dayfirst if dayfirst is not None else _day_order(text[~empty], path, column)
        parsed = pd.to_datetime(
            text.where(~empty), errors="coerce", format="mixed", dayfirst=bool(order)
        )
    bad = parsed.isna() & ~empty
    if not optional:
        bad |= empty
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        what = "is empty" if empty.iloc[i] else f"{raw.iloc[i]!r} is not a date and time"
        raise InputFileError(path, what, row=i + 1, column=column)
    return parsed


def _day_order(text: pd.Series, path, column: str) -> bool:
    """Whether day/month-first dates are day first, from the values themselves."""
    fields = text.str.extract(_NUMERIC_DATE)
    fields = fields.dropna().astype(int)
    if fields.empty:
        return False
    first, second = fields[0], fields[1]
    day_first, month_first = (first > 12).any(), (second > 12).any()
    if day_first and month_first:
        i = int(fields.index[(second > 12).to_numpy()][0])
        raise InputFileError(
            path, "mixes day-first and month-first dates", row=i + 1, column=column
        )
    if not day_first and not month_first:
        raise InputFileError(
            path,
            f"dates such as {text.loc[fields.index[0]]!r} may be day or month first; "
            "say which with --dayfirst / --monthfirst (dayfirst= in Python)",
            column=column,
        )
    return bool(day_first)
