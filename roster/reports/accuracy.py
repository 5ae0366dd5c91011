"""Forecast accuracy tracking: WAPE, bias and band coverage of a month's forecast against what
came, by day and by lead, and the store that keeps each month's forecast for the next report.

The store is a folder of CSV files: ``forecast_YYYY-MM.csv`` (the month's forecast per interval
as published with its plan: ``mean``, the quantile columns and ``aht``, and the day it was
issued) and ``accuracy_YYYY-MM.csv`` (the month's accuracy by day, once its calls are known).
Next month's report reads the first to compare forecast with actual.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "accuracy_by_day",
    "accuracy_by_lead",
    "band_levels",
    "read_forecast",
    "store_forecast",
]


def band_levels(forecast: pd.DataFrame) -> tuple[str, str] | None:
    """The outermost quantile columns (``q0.1``, ``q0.9``...) of a forecast, or None."""
    levels = sorted((c for c in forecast.columns if c.startswith("q")), key=lambda c: float(c[1:]))
    if len(levels) < 2:
        return None
    return levels[0], levels[-1]


def accuracy_by_day(
    forecast: pd.DataFrame, actual: pd.Series, *, issued: pd.Timestamp | None = None
) -> pd.DataFrame:
    """A forecast against the contacts that came, per day.

    Parameters
    ----------
    forecast : pandas.DataFrame
        Per interval start: ``mean`` and optionally quantile columns (``q0.1``...). [contacts]
    actual : pandas.Series
        Contacts offered per interval on the same grid. [contacts]
    issued : pandas.Timestamp, optional
        Day the forecast was made; lead is counted from it (default: the day before the
        forecast's first day).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``date``: ``lead_days`` (days after ``issued``), ``forecast``, ``actual``,
        ``error`` (forecast − actual) [contacts], ``wape`` (Σ|f − a| / Σa over the day's
        intervals), ``bias`` (Σ(f − a) / Σa), ``daily_ape`` (|F − A| / A of the day's
        totals), and with quantile columns ``coverage`` (share of the day's intervals whose
        actual lies within the outermost band, bounds included) and ``band``
        (e.g. ``q0.1-q0.9``).

    Notes
    -----
    WAPE (weighted absolute percentage error) is the MAE scaled by the mean actual, which
    stays finite on intervals with no contacts (Hyndman & Athanasopoulos 2021, §5.8). A band
    whose levels are 0.1 and 0.9 is calibrated when ``coverage`` is near 0.8.

    References
    ----------
    Hyndman, R. J. and Athanasopoulos, G. (2021). Forecasting: principles and practice, 3rd
    ed. OTexts. https://otexts.com/fpp3/
    """
    if "mean" not in forecast.columns:
        raise ValueError(f"forecast: no column 'mean'; columns are {list(forecast.columns)}")
    both = forecast.index.intersection(actual.index)
    if len(both) == 0:
        raise ValueError(
            f"forecast ({_span(forecast.index)}) and actual ({_span(actual.index)}) share no "
            "interval"
        )
    f = forecast.loc[both]
    a = actual.loc[both].astype(float)
    day = pd.DatetimeIndex(both).normalize()
    frame = pd.DataFrame(
        {
            "forecast": f["mean"].to_numpy(float),
            "actual": a.to_numpy(),
            "abs_error": np.abs(f["mean"].to_numpy(float) - a.to_numpy()),
        },
        index=day,
    )
    band = band_levels(forecast)
    if band is not None:
        lo, hi = (f[c].to_numpy(float) for c in band)
        frame["inside"] = ((a.to_numpy() >= lo) & (a.to_numpy() <= hi)).astype(float)
    g = frame.groupby(level=0)
    out = g[["forecast", "actual", "abs_error"]].sum()
    start = (
        pd.Timestamp(issued).normalize()
        if issued is not None
        else day.min() - pd.Timedelta(1, "D")
    )
    out.insert(0, "lead_days", ((out.index - start) // pd.Timedelta(days=1)).astype(int))
    out["error"] = out["forecast"] - out["actual"]
    with np.errstate(invalid="ignore", divide="ignore"):
        total = out["actual"].where(out["actual"] > 0)
        out["wape"] = out["abs_error"] / total
        out["bias"] = out["error"] / total
        out["daily_ape"] = out["error"].abs() / total
    if band is not None:
        out["coverage"] = g["inside"].mean()
        out["band"] = f"{band[0]}-{band[1]}"
    return out.drop(columns="abs_error").rename_axis("date")


def accuracy_by_lead(by_day: pd.DataFrame, *, days: int = 7) -> pd.DataFrame:
    """Accuracy of :func:`accuracy_by_day` pooled over leads of ``days`` days (weeks).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``lead`` (``"1-7"``, ``"8-14"``... days): ``days``, ``forecast``,
        ``actual``, ``wape`` (days pooled: Σ|f − a| over intervals / Σa), ``bias`` and
        ``coverage`` (mean over the days, when the forecast had a band).
    """
    d = by_day.copy()
    week = (d["lead_days"] - 1) // days
    d["abs_error"] = d["wape"].fillna(0) * d["actual"]
    out = d.groupby(week).agg(
        days=("forecast", "size"),
        forecast=("forecast", "sum"),
        actual=("actual", "sum"),
        abs_error=("abs_error", "sum"),
        error=("error", "sum"),
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        total = out["actual"].where(out["actual"] > 0)
        out["wape"] = out["abs_error"] / total
        out["bias"] = out["error"] / total
    if "coverage" in d:
        out["coverage"] = d.groupby(week)["coverage"].mean()
    out.index = [f"{k * days + 1}-{(k + 1) * days}" for k in out.index]
    return out.drop(columns=["abs_error", "error"]).rename_axis("lead")


def store_forecast(
    forecast: pd.DataFrame, folder: str | PathLike, *, aht=None, issued=None
) -> Path:
    """Keep a month's forecast in the store, for next month's report.

    Parameters
    ----------
    forecast : pandas.DataFrame
        Per interval start: ``mean`` and quantile columns. [contacts]
    folder : path-like
        The store (created if missing).
    aht : pandas.Series, optional
        Expected AHT per interval. [s]
    issued : date, optional
        Day the forecast was made (default today).

    Returns
    -------
    pathlib.Path
        ``folder/forecast_YYYY-MM.csv`` of the forecast's first month.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    month = pd.DatetimeIndex(forecast.index)[0].to_period("M")
    out = forecast.copy()
    if aht is not None:
        out["aht"] = aht
    day = pd.Timestamp.now().normalize() if issued is None else pd.Timestamp(issued).normalize()
    out["issued"] = day.date().isoformat()
    path = folder / f"forecast_{month}.csv"
    out.to_csv(path, index_label="interval_start")
    return path


def read_forecast(source: str | PathLike, month=None) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """A stored forecast: from a file, or the store's ``forecast_YYYY-MM.csv`` of ``month``.

    Also reads a plan's ``forecast.csv`` (columns ``interval_start``, ``mean``, quantiles).

    Returns
    -------
    forecast : pandas.DataFrame
        ``mean``, quantile columns and ``aht`` when stored, indexed by interval start.
    issued : pandas.Timestamp or None
        Day it was made, when stored.

    Raises
    ------
    ValueError
        When the file is missing or lacks ``interval_start`` or ``mean``.
    """
    path = Path(source)
    if path.is_dir():
        if month is None:
            raise ValueError(f"{path}: a store folder needs the month to read")
        path = path / f"forecast_{pd.Period(month, freq='M')}.csv"
    if not path.is_file():
        raise ValueError(f"{path}: no such forecast file")
    frame = pd.read_csv(path)
    missing = sorted({"interval_start", "mean"} - set(frame.columns))
    if missing:
        raise ValueError(f"{path}: a forecast needs columns {missing}")
    frame["interval_start"] = pd.to_datetime(frame["interval_start"])
    issued = None
    if "issued" in frame.columns:
        issued = pd.Timestamp(frame["issued"].iloc[0])
        frame = frame.drop(columns="issued")
    return frame.set_index("interval_start").rename_axis("ds"), issued


def _span(index) -> str:
    index = pd.DatetimeIndex(index)
    if len(index) == 0:
        return "empty"
    return f"{index.min():%Y-%m-%d %H:%M} to {index.max():%Y-%m-%d %H:%M}"
