"""Average handle time per interval: a recent profile shrunk toward the day's mean."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.calendar import get_calendar
from forecast.history import N_CLASSES, check_history, day_features, to_day_grid

__all__ = ["forecast_aht"]


def forecast_aht(
    aht: pd.Series,
    horizon: pd.DatetimeIndex,
    *,
    weight: pd.Series | None = None,
    calendar=None,
    weeks: int = 8,
    shrink: float = 50.0,
) -> pd.Series:
    """Expected AHT of each future interval. [s]

    For each day class (weekday, holiday break, make-up workday) and interval of day the
    estimate is the contact-weighted mean AHT of the last ``weeks`` weeks, shrunk toward the
    class's all-day mean: ``(n a_s + shrink a_day) / (n + shrink)`` with ``n`` the contacts
    behind ``a_s``. Thin night intervals therefore lean on the day's mean instead of on a
    handful of calls.

    Parameters
    ----------
    aht : pandas.Series
        Mean handle time per interval, indexed by interval start. [s]
    horizon : pandas.DatetimeIndex
        Interval starts wanted.
    weight : pandas.Series, optional
        Answered contacts per interval (same index as ``aht``); equal weights when omitted.
    calendar : str or calendar, optional
    weeks : int, default 8
    shrink : float, default 50
        Pseudo-contacts of the day mean mixed into each interval.

    Returns
    -------
    pandas.Series
        AHT per interval of ``horizon``. [s]

    References
    ----------
    James, W. and Stein, C. (1961); in the empirical-Bayes form of Efron, B. and Morris, C.
    (1975). Data analysis using Stein's estimator. JASA 70(350), 311-319.
    """
    if not (isinstance(weeks, int | np.integer) and weeks >= 1):
        raise ValueError(f"weeks must be a positive integer, got weeks={weeks!r}")
    if not (np.isfinite(shrink) and shrink >= 0):
        raise ValueError(f"shrink must be >= 0, got shrink={shrink!r}")
    series, report = check_history(aht, name="aht")
    if (series <= 0).any():
        raise ValueError(f"aht: values must be positive seconds, got min {series.min()}")
    w = pd.Series(1.0, index=series.index) if weight is None else weight.reindex(series.index)
    w = w.fillna(0.0).astype(float)
    if (w < 0).any():
        raise ValueError("weight: negative contact counts")
    grid = to_day_grid(series, report.freq)
    wgrid = to_day_grid(w, report.freq).values
    step = report.freq
    keep = slice(-7 * weeks, None)
    a, wt = grid.values[keep], np.nan_to_num(wgrid[keep]) * np.isfinite(grid.values[keep])
    a = np.nan_to_num(a)
    cal = get_calendar(calendar)
    target_days = horizon.normalize()
    span = pd.date_range(grid.days[0], max(target_days.max(), grid.days[-1]), freq="D")
    feats = day_features(span, cal)
    cls = feats["day_class"].to_numpy()[: len(grid.days)][keep]
    onehot = (np.arange(N_CLASSES)[:, None] == cls[None, :]).astype(float)
    num = onehot @ (a * wt)
    den = onehot @ wt
    overall = (a * wt).sum() / max(wt.sum(), 1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        day_mean = np.where(den.sum(axis=1) > 0, num.sum(axis=1) / den.sum(axis=1), overall)
        profile = (num + shrink * day_mean[:, None]) / (den + shrink)
    profile = np.where(np.isfinite(profile), profile, overall)
    future_cls = feats.loc[target_days, "day_class"].to_numpy()
    slot = ((horizon - target_days) // step).to_numpy()
    return pd.Series(profile[future_cls, slot], index=horizon, name="aht")
