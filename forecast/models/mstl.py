"""Multiple seasonality: MSTL decomposition with a damped-trend forecast of the remainder."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from statsmodels.tsa.seasonal import MSTL

from forecast.models.baselines import _check_fitted, _check_min_days
from forecast.models.design import open_steps, open_weekdays

__all__ = ["MultiSeasonal"]


class MultiSeasonal:
    """Daily and weekly seasonality by MSTL, trend by damped Holt, on open intervals only.

    The observed intervals of the last ``weeks`` weeks are taken in time order (closed hours
    dropped, short gaps filled by the same interval a week earlier), decomposed by MSTL with
    periods of one open day and one open week, the trend plus remainder is forecast by
    damped-trend exponential smoothing, and the seasonal components are carried forward by
    weekday and interval of day (the mean of the last two weeks). Calendar-blind: it knows
    weeks and days, not holidays.

    Parameters
    ----------
    weeks : int, default 8
        Weeks of history decomposed.

    References
    ----------
    Bandara, K., Hyndman, R. J. and Bergmeir, C. (2021). MSTL: a seasonal-trend
    decomposition algorithm for time series with multiple seasonal patterns.
    arXiv:2107.13462.
    """

    min_days = 21

    def __init__(self, weeks: int = 8):
        self.weeks = weeks

    def fit(self, values: np.ndarray, days: pd.DataFrame) -> MultiSeasonal:
        _check_min_days("MultiSeasonal", values, days, self.min_days)
        n = 7 * self.weeks
        values, days = values[-n:], days.iloc[-n:]
        has_data = np.isfinite(values).any(axis=1)
        self.open_ = open_weekdays(days, has_data)
        weekday = days["weekday"].to_numpy()
        open_slots = np.isfinite(values[has_data]).mean(axis=0) >= 0.5
        rows = self.open_[weekday]
        grid = values[rows][:, open_slots]
        # Fill gaps with the same interval a week (open days per week) earlier, then later.
        per_week = int(self.open_.sum())
        filled = pd.DataFrame(grid)
        filled = filled.fillna(filled.shift(per_week)).fillna(filled.shift(-per_week))
        filled = filled.ffill().bfill().fillna(0.0).to_numpy()
        y = filled.ravel()
        per_day = int(open_slots.sum())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = MSTL(
                y, periods=(per_day, per_day * per_week), stl_kwargs={"robust": False}
            ).fit()
            seasonal = np.asarray(res.seasonal).sum(axis=1).reshape(filled.shape)
            deseason = y - seasonal.ravel()
            # Forecast day means of the deseasonalised series: one step per open day.
            day_level = deseason.reshape(filled.shape).mean(axis=1)
            self.ets_ = ExponentialSmoothing(
                day_level, trend="add", damped_trend=True, initialization_method="estimated"
            ).fit()
        wd = weekday[rows]
        table = np.full((7, values.shape[1]), np.nan)
        for w in np.unique(wd):
            last_two = np.flatnonzero(wd == w)[-2:]
            table[w, open_slots] = seasonal[last_two].mean(axis=0)
        self.seasonal_ = table
        self.last_day_ = days.index[-1]
        self.values_ = values
        return self

    def predict(self, days: pd.DataFrame) -> np.ndarray:
        _check_fitted(self)
        steps = open_steps(self.last_day_, days.index, self.open_)
        level = np.asarray(self.ets_.forecast(int(steps.max())))[steps - 1]
        mean = level[:, None] + self.seasonal_[days["weekday"].to_numpy()]
        return np.maximum(mean, 0.0)
