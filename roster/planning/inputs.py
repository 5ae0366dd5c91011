"""Inputs of a plan: the user's history or call-record files, read and checked row by row.

Every problem found in a file is reported with the file, the data row (1 = the first row
after the header) and the column, so that the planner can fix it in the spreadsheet.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

import forecast as fc
from roster.planning.tables import (
    InputFileError,
    InputWarning,
    dates_text,
    join_date_and_slot,
    parse_numbers,
    parse_times,
    read_table,
    rename_columns,
    require_columns,
)

__all__ = [
    "SAMPLE_DAILY_VOLUME",
    "InputFileError",
    "PlanHistory",
    "bundled_sample",
    "open_index",
    "plan_horizon",
    "prepare_history",
    "read_calls",
    "read_history",
]


@dataclass(frozen=True)
class PlanHistory:
    """A checked history ready to forecast.

    Attributes
    ----------
    volume : pandas.Series
        Contacts per interval, indexed by interval start.
    aht : pandas.Series or float
        AHT per interval (same index) or one value. [s]
    weight : pandas.Series or None
        Answered contacts per interval behind ``aht``, when known.
    interval : int
        Interval length. [s]
    report : pandas.DataFrame
        ``item``, ``value``: what was read, skipped, repaired.
    """

    volume: pd.Series
    aht: pd.Series | float
    weight: pd.Series | None
    interval: int
    report: pd.DataFrame


def read_history(
    path,
    *,
    encoding: str | None = None,
    columns: dict | None = None,
    dayfirst=None,
    queues: bool = False,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A history file: interval start ``ds``, contacts ``y`` and optionally ``aht`` [s].

    Columns are found under the names used here, under common Chinese and English headers
    (:data:`roster.planning.tables.COLUMN_ALIASES`: 时间, 呼入量, 平均处理时长 ...) or as
    ``columns`` maps them; a date column and a time-slot column (日期 + 时段 such as
    ``08:00-08:30``) are joined into ``ds``. A ``queue`` column, if present, must hold a
    single queue.

    Parameters
    ----------
    path : str or path-like
        CSV (UTF-8 or GBK), Excel or Parquet (:func:`roster.planning.tables.read_table`).
    encoding : str, optional
        Text encoding of a CSV file; detected by default.
    columns : dict, optional
        Library name -> header, e.g. ``{"ds": "时间", "y": "呼入量"}``.
    dayfirst : bool, optional
        Order of day and month in dates such as ``04/03/2026`` when the data cannot tell.
    queues : bool, default False
        The file holds several queues: a ``queue`` column (队列, 技能组 ...) is required and
        comes back as ``unique_id``, one row per queue and interval.
    table : pandas.DataFrame, optional
        The file as :func:`roster.planning.tables.read_table` read it, when the caller has
        read it already (to look at its queues); ``path`` then only names it in errors.

    Returns
    -------
    pandas.DataFrame
        Columns ``ds``, ``y`` and ``aht`` when given (and ``unique_id`` first with
        ``queues``), checked row by row.

    Raises
    ------
    InputFileError
        Naming the file, the row and the column of the first bad value.
    """
    frame = read_table(path, encoding=encoding) if table is None else table
    frame = rename_columns(
        frame, path, ["ds", "date", "slot", "y", "aht", "queue"], columns=columns
    )
    frame = join_date_and_slot(frame, path)
    require_columns(frame, path, ["ds", "y", "queue"] if queues else ["ds", "y"])
    if not queues and "queue" in frame.columns and frame["queue"].nunique() > 1:
        ids = sorted(map(str, frame["queue"].unique()))[:5]
        raise InputFileError(
            path, f"holds several queues {ids}; plan one queue at a time", column="queue"
        )
    out = pd.DataFrame(
        {
            "ds": parse_times(frame, path, "ds", dayfirst=dayfirst),
            "y": parse_numbers(frame, path, "y", low=0.0, allow_empty=True),
        }
    )
    if queues:
        out.insert(0, "unique_id", frame["queue"].astype(str).str.strip().to_numpy())
    if "aht" in frame.columns:
        out["aht"] = parse_numbers(frame, path, "aht", positive=True, allow_empty=True)
        median = out["aht"].median()
        if median < 30:
            warnings.warn(
                f"{path}: column 'aht' has a median of {median:g} s; AHT is in seconds "
                "(minutes given?)",
                InputWarning,
                stacklevel=2,
            )
    keys = ["unique_id", "ds"] if queues else ["ds"]
    clash = out[out.duplicated(keys, keep=False)]
    if len(clash):
        first = clash.groupby(keys)["y"].nunique()
        conflict = first[first > 1]
        if len(conflict):
            key = conflict.index[0]
            ds = key[-1] if queues else key
            same = (out["ds"] == ds) & ((out["unique_id"] == key[0]) if queues else True)
            rows = [int(i) + 1 for i in out.index[same]]
            raise InputFileError(
                path,
                f"rows {rows} give {ds} different counts; one row per interval",
                row=rows[1],
                column="ds",
            )
    return out


def read_calls(
    path, *, encoding: str | None = None, columns: dict | None = None, dayfirst=None
) -> pd.DataFrame:
    """A call-record file: ``arrival``, ``answer`` (empty if abandoned), ``end``; optional
    ``caller`` and ``queue``. Headers, encoding and dates as for :func:`read_history`
    (来电时间, 应答时间, 挂机时间 ...).

    Raises
    ------
    InputFileError
        Naming the file, the row and the column of the first unreadable time.
    """
    frame = read_table(path, encoding=encoding)
    wanted = ["arrival", "answer", "end", "caller", "queue"]
    frame = rename_columns(frame, path, wanted, columns=columns)
    require_columns(frame, path, ["arrival", "answer", "end"])
    out = pd.DataFrame(
        {
            "arrival": parse_times(frame, path, "arrival", dayfirst=dayfirst),
            "answer": parse_times(frame, path, "answer", optional=True, dayfirst=dayfirst),
            "end": parse_times(frame, path, "end", dayfirst=dayfirst),
        }
    )
    for extra in ("caller", "queue"):
        if extra in frame.columns:
            out[extra] = frame[extra].to_numpy()
    return out


def prepare_history(
    history=None, *, calls=None, aht=None, events=None, freq="30min"
) -> PlanHistory:
    """Contacts and AHT per interval from a history (Series or frame) or call records.

    Parameters
    ----------
    history : pandas.Series or pandas.DataFrame, optional
        Counts indexed by interval start, or a frame with ``ds``, ``y`` (and optionally
        ``aht`` [s], ``unique_id`` with one value).
    calls : pandas.DataFrame, optional
        Call records, aggregated into ``freq`` intervals.
    aht : float or pandas.Series, optional
        AHT when the history has none. [s]
    events : iterable of forecast.Event, optional
        Outage windows are counted in the report (the forecast masks them).
    freq : str, default ``"30min"``
        Interval of the aggregation of call records.
    """
    if (history is None) == (calls is None):
        raise ValueError("give exactly one of history and calls")
    rows: list[tuple[str, object]] = []
    weight = None
    if calls is not None:
        if "queue" in calls.columns and calls["queue"].nunique() > 1:
            raise ValueError(
                f"calls: several queues {sorted(map(str, calls['queue'].unique()))[:5]}; "
                "plan one queue at a time"
            )
        agg = fc.intervals_from_calls(calls, freq, queue=None)
        table, rec = agg.intervals, agg.report
        rows += [("call records", rec.rows), ("records used", rec.used)]
        rows += [(f"records skipped: {k}", v) for k, v in rec.malformed.items()]
        rows += [("redials folded", rec.redials_folded)]
        volume = table["offered"].astype(float)
        weight = table["answered"].astype(float)
        history_aht = table["aht"]
    elif isinstance(history, pd.Series):
        volume, history_aht = history, None
    elif isinstance(history, pd.DataFrame):
        if "unique_id" in history.columns and history["unique_id"].nunique() > 1:
            raise ValueError("history: several unique_id; plan one queue at a time")
        missing = {"ds", "y"} - set(history.columns)
        if missing:
            raise ValueError(f"history: frame lacks columns {sorted(missing)}")
        frame = history.sort_values("ds", kind="stable")
        idx = pd.DatetimeIndex(frame["ds"], name="ds")
        volume = pd.Series(frame["y"].to_numpy(float), index=idx)
        history_aht = (
            pd.Series(frame["aht"].to_numpy(float), index=idx) if "aht" in frame else None
        )
    else:
        raise TypeError(f"history: expected a Series or DataFrame, got {type(history).__name__}")

    given = freq if calls is not None else None
    series, report = fc.check_history(volume, freq=given, events=events or ())
    gaps, nan_days = _gaps(series, volume)
    rows += [
        ("intervals given", report.rows),
        ("rows sorted", report.sorted),
        ("duplicates dropped", report.duplicates_dropped),
        ("missing counts", report.missing),
        ("outage intervals masked", report.outage_masked),
        ("interval [s]", report.interval),
        ("first interval", series.index[0]),
        ("last interval", series.index[-1]),
        ("contacts", float(series.sum())),
        ("days without data", len(gaps)),
        ("days without data (dates)", dates_text(gaps, most=10)),
        ("days with missing counts", len(nan_days)),
        ("days with missing counts (dates)", dates_text(nan_days, most=10)),
    ]
    if len(gaps):
        warnings.warn(
            f"history: no data on {len(gaps)} days the centre opens: {dates_text(gaps)}",
            InputWarning,
            stacklevel=2,
        )
    if len(nan_days):
        warnings.warn(
            f"history: {report.missing} intervals with missing counts on {len(nan_days)} "
            f"days: {dates_text(nan_days)}",
            InputWarning,
            stacklevel=2,
        )
    if aht is not None:
        if isinstance(aht, pd.Series):
            history_aht = aht
        else:
            value = float(aht)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"aht must be a positive number of seconds, got {aht!r}")
            history_aht = value
    elif history_aht is not None:
        history_aht = history_aht[~history_aht.index.duplicated()]
        if not history_aht.notna().any():
            raise ValueError("aht: the history's AHT column is empty; give aht= (seconds)")
    else:
        raise ValueError("aht: the history carries no handle times; give aht= (seconds)")
    if isinstance(history_aht, pd.Series):
        history_aht = history_aht.dropna()
        rows.append(("AHT intervals", len(history_aht)))
        if weight is not None:
            weight = weight.reindex(history_aht.index)
    report_frame = pd.DataFrame(rows, columns=["item", "value"])
    return PlanHistory(
        volume=series,
        aht=history_aht,
        weight=weight,
        interval=report.interval,
        report=report_frame,
    )


def _gaps(series: pd.Series, given: pd.Series) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """Days with no interval at all on weekdays the centre opens (at least half of those
    weekdays in the span have data), and days whose counts are missing in the data given
    (outage intervals masked on purpose are reported apart)."""
    present = pd.DatetimeIndex(series.index.normalize().unique())
    span = pd.date_range(present[0], present[-1], freq="D")
    open_days = [
        wd
        for wd in range(7)
        if (present.day_of_week == wd).sum() >= 0.5 * max((span.day_of_week == wd).sum(), 1)
    ]
    absent = span.difference(present)
    gaps = absent[absent.day_of_week.isin(open_days)]
    missing = pd.to_numeric(given, errors="coerce").isna().to_numpy()
    nan_days = pd.DatetimeIndex(pd.DatetimeIndex(given.index[missing]).normalize().unique())
    return gaps, nan_days


#: Expected contacts on an ordinary Wednesday of the bundled sample: a mid-size city line
#: that a team of 120 agents can just about staff under the default targets and rules.
SAMPLE_DAILY_VOLUME = 3800.0


def bundled_sample(seed: int = 0) -> fc.SyntheticHotline:
    """The sample of ``seatplan plan``: two years (2024-2025) of 30-minute history of a
    synthetic 12345-style hotline (:func:`forecast.synthetic_hotline`), with its outage."""
    return fc.synthetic_hotline(
        start="2024-01-01", end="2025-12-31", seed=seed, daily_volume=SAMPLE_DAILY_VOLUME
    )


def plan_horizon(month, days: int | None, last_history: pd.Timestamp) -> pd.DatetimeIndex:
    """The days planned: ``days`` days (default all) of ``month``, or of the next month.

    Parameters
    ----------
    month : str, pandas.Period or None
        ``"YYYY-MM"``; None plans the calendar month after the one the history ends in.
    days : int or None
        Plan only the first ``days`` days of the month (e.g. a week).
    last_history : pandas.Timestamp
        Last interval of the history; the plan must start after it.
    """
    if month is None:
        period = pd.Timestamp(last_history).to_period("M") + 1
    else:
        try:
            period = pd.Period(month, freq="M")
        except (ValueError, TypeError):
            raise ValueError(f"month must be YYYY-MM, got {month!r}") from None
    dates = pd.date_range(period.start_time, period.end_time.normalize(), freq="D")
    if days is not None:
        if not (isinstance(days, int | np.integer) and 1 <= days <= len(dates)):
            raise ValueError(f"days must be a whole number in [1, {len(dates)}], got {days!r}")
        dates = dates[:days]
    if dates[0] <= pd.Timestamp(last_history):
        raise ValueError(
            f"month={str(period)!r} starts on {dates[0].date()}, not after the history's end "
            f"{pd.Timestamp(last_history)}"
        )
    return dates


def open_index(volume: pd.Series, dates: pd.DatetimeIndex, interval: int) -> pd.DatetimeIndex:
    """Intervals of the planned days that the centre is open, as learned from the history.

    An interval of the day is open on a weekday if the history has it on at least half of the
    last four such weekdays (a 24 h line is open throughout).
    """
    step = pd.Timedelta(seconds=interval)
    grid = pd.date_range(dates[0], dates[-1] + pd.Timedelta(days=1), freq=step, inclusive="left")
    recent = volume.index[volume.index >= volume.index[-1] - pd.Timedelta(days=28)]
    seen = pd.DataFrame(
        {"weekday": recent.day_of_week, "slot": (recent - recent.normalize()) // step}
    )
    days_seen = pd.Series(recent.normalize()).groupby(recent.day_of_week).nunique()
    hits = seen.groupby(["weekday", "slot"]).size()
    share = hits / days_seen.reindex(hits.index.get_level_values(0)).to_numpy()
    open_slots = set(share[share >= 0.5].index)
    slot = (grid - grid.normalize()) // step
    keep = [(w, s) in open_slots for w, s in zip(grid.day_of_week, slot, strict=True)]
    index = grid[np.asarray(keep, dtype=bool)]
    if len(index) == 0:
        raise ValueError("history: no open intervals on the weekdays of the planned days")
    return index.rename("ds")
