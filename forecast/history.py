"""Checking and repairing an interval history, and laying it out as days × intervals of day.

Models see a history as a matrix with one row per calendar day and one column per interval of
the day. Intervals absent from the input (closed hours, closed days, lost data) and marked
outage intervals are NaN: neither zeros to learn from nor intervals to forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.calendar import HolidayCalendar
from forecast.events import event_mask
from forecast.interval import interval_length

__all__ = ["DayGrid", "HistoryReport", "check_history", "day_features", "to_day_grid"]

#: Day classes used by the profile models: 0-6 ordinary days by weekday (Monday = 0),
#: 7 a day inside a holiday break or a bridge day, 8 a make-up workday.
HOLIDAY_CLASS = 7
MAKEUP_CLASS = 8
N_CLASSES = 9


@dataclass(frozen=True)
class HistoryReport:
    """Repairs made to a history, each with the number of intervals it touched.

    Attributes
    ----------
    rows : int
        Rows given.
    sorted : bool
        Whether the rows had to be sorted by time.
    duplicates_dropped : int
        Exact repeats (same time, same count) dropped.
    missing : int
        Missing counts (NaN) kept as missing.
    outage_masked : int
        Intervals inside an outage event's window, treated as missing.
    interval : int
        The interval length found (or given), see :func:`forecast.interval_length`. [s]
    """

    rows: int
    sorted: bool = False
    duplicates_dropped: int = 0
    missing: int = 0
    outage_masked: int = 0
    interval: int = 1800


def check_history(
    history: pd.Series, *, freq=None, events=(), name: str = "history"
) -> tuple[pd.Series, HistoryReport]:
    """Validate one series of interval counts; repair what can be repaired safely.

    Parameters
    ----------
    history : pandas.Series
        Counts per interval, indexed by interval start.
    freq : int, str or Timedelta, optional
        Interval length (int: seconds); inferred by :func:`forecast.interval_length` (the
        most common spacing) when omitted.
    events : iterable of Event
        Intervals in the window of an ``outage`` event are set to NaN.
    name : str
        Name used in error messages (the series id for long frames).

    Returns
    -------
    series : pandas.Series
        Sorted, de-duplicated float counts (NaN = missing).
    report : HistoryReport

    Raises
    ------
    ValueError
        Not a DatetimeIndex; conflicting duplicate timestamps; negative or infinite counts;
        an interval that is not whole seconds dividing a day, fewer than two distinct
        timestamps when ``freq`` is not given, or timestamps off the interval grid (mixed
        frequencies), see :func:`forecast.interval_length`.

    Notes
    -----
    Repairs: rows are sorted; exact repeats are dropped; NaN counts stay missing. Time-zone
    aware indexes are converted to local wall time.
    """
    if isinstance(history, pd.DataFrame):
        raise TypeError(f"{name}: expected a Series, got a DataFrame (use a long frame driver)")
    if not isinstance(history, pd.Series):
        raise TypeError(f"{name}: expected a pandas Series, got {type(history).__name__}")
    if not isinstance(history.index, pd.DatetimeIndex):
        raise ValueError(f"{name}: index must be a DatetimeIndex of interval starts")
    rows = len(history)
    values = pd.to_numeric(history, errors="coerce").astype(float)
    index = history.index
    if index.tz is not None:
        index = index.tz_localize(None)
    if index.hasnans:
        raise ValueError(f"{name}: index holds missing timestamps (NaT)")
    series = pd.Series(values.to_numpy(), index=index)
    was_sorted = series.index.is_monotonic_increasing
    if not was_sorted:
        series = series.sort_index(kind="stable")
    dropped = 0
    if series.index.has_duplicates:
        frame = series.rename("y").reset_index()
        frame.columns = ["ds", "y"]
        exact = frame.duplicated(["ds", "y"])
        dropped = int(exact.sum())
        frame = frame[~exact]
        conflict = frame["ds"].duplicated(keep=False)
        if conflict.any():
            first = frame.loc[conflict, "ds"].iloc[0]
            raise ValueError(
                f"{name}: {int(conflict.sum())} rows share a timestamp with different "
                f"counts (first at {first}); aggregate them before forecasting"
            )
        series = pd.Series(frame["y"].to_numpy(), index=pd.DatetimeIndex(frame["ds"]))
    bad = series.to_numpy()
    if np.isinf(bad).any():
        raise ValueError(f"{name}: infinite counts at {series.index[np.isinf(bad)][0]}")
    negative = bad < 0
    if negative.any():
        raise ValueError(
            f"{name}: {int(negative.sum())} negative counts "
            f"(first {bad[negative][0]} at {series.index[negative][0]})"
        )
    interval = interval_length(series.index, freq, name=name, arg="freq")
    masked = 0
    events = tuple(events or ())
    if events:
        outage = event_mask(series.index, events, kinds=["outage"]) & series.notna().to_numpy()
        masked = int(outage.sum())
        series[outage] = np.nan
    report = HistoryReport(
        rows=rows,
        sorted=not was_sorted,
        duplicates_dropped=dropped,
        missing=int(series.isna().sum()) - masked,
        outage_masked=masked,
        interval=interval,
    )
    series.index.name = "ds"
    return series, report


@dataclass(frozen=True)
class DayGrid:
    """A history as a days × intervals-of-day matrix.

    Attributes
    ----------
    values : numpy.ndarray, shape (n_days, per_day)
        Counts; NaN where not observed (closed, missing, outage).
    observed : numpy.ndarray of bool, same shape
        Interval present in the input with a count (after outage masking).
    present : numpy.ndarray of bool, same shape
        Interval present in the input at all (open), even if its count is missing.
    days : pandas.DatetimeIndex
        Consecutive calendar days, first to last day of the history.
    interval : int
        Interval length. [s]
    """

    values: np.ndarray
    observed: np.ndarray
    present: np.ndarray
    days: pd.DatetimeIndex
    interval: int

    @property
    def per_day(self) -> int:
        return self.values.shape[1]


def to_day_grid(series: pd.Series, interval: int) -> DayGrid:
    """Lay a checked series out as a :class:`DayGrid`.

    Parameters
    ----------
    series : pandas.Series
        A series checked by :func:`check_history`.
    interval : int
        Interval length, as ``HistoryReport.interval``. [s]
    """
    step = pd.Timedelta(seconds=interval)
    days_of = series.index.normalize()
    first, last = days_of[0], days_of[-1]
    days = pd.date_range(first, last, freq="D")
    per_day = int(pd.Timedelta(days=1) / step)
    row = ((days_of - first) // pd.Timedelta(days=1)).to_numpy()
    col = ((series.index - days_of) // step).to_numpy()
    values = np.full((len(days), per_day), np.nan)
    present = np.zeros((len(days), per_day), dtype=bool)
    values[row, col] = series.to_numpy()
    present[row, col] = True
    return DayGrid(
        values=values,
        observed=~np.isnan(values),
        present=present,
        days=days,
        interval=int(interval),
    )


def day_features(days: pd.DatetimeIndex, calendar: HolidayCalendar) -> pd.DataFrame:
    """Calendar features per day used by the models.

    Returns
    -------
    DataFrame indexed by day with the calendar's columns plus ``day_class`` (see
    ``HOLIDAY_CLASS``, ``MAKEUP_CLASS``), ``after_break`` (first working day after a
    holiday break), ``before_break`` (last working day before one) and ``t`` (days since
    2000-01-01, for trends).
    """
    # Pad by two weeks so that break edges at either end are seen.
    pad = pd.Timedelta(days=14)
    wide = pd.date_range(days[0] - pad, days[-1] + pad, freq="D")
    info = calendar.day_types(wide)
    in_break = (
        info["in_break"].to_numpy() | info["day_type"].isin(["holiday", "bridge"]).to_numpy()
    )
    workday = info["is_workday"].to_numpy()
    day_class = info["weekday"].to_numpy().copy()
    day_class[info["day_type"].eq("makeup_workday").to_numpy()] = MAKEUP_CLASS
    day_class[in_break] = HOLIDAY_CLASS
    # The nearest working day after (before) a break: walk across ordinary weekends too.
    after = np.zeros(len(wide), dtype=bool)
    before = np.zeros(len(wide), dtype=bool)
    idx_work = np.flatnonzero(workday)
    if len(idx_work) > 1:
        breaks_so_far = np.cumsum(in_break)
        crossed = breaks_so_far[idx_work[1:]] > breaks_so_far[idx_work[:-1]]
        after[idx_work[1:][crossed]] = True
        before[idx_work[:-1][crossed]] = True
    info = info.assign(
        day_class=day_class,
        in_break=in_break,
        after_break=after,
        before_break=before,
        t=((wide - pd.Timestamp("2000-01-01")) // pd.Timedelta(days=1)).to_numpy(),
        dom=wide.day.to_numpy(),
    )
    out = info.loc[days[0] : days[-1]]
    # Models slice this frame at every backtest origin: NumPy-backed text columns are taken
    # far faster than Arrow-backed ones.
    text = [c for c in out.columns if pd.api.types.is_string_dtype(out[c].dtype)]
    return out.astype(dict.fromkeys(text, object)) if text else out
