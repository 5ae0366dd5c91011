"""Baselines: seasonal naive and the N-week same-day-type average."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.profiles import recent_class_mean

__all__ = ["SameDayTypeAverage", "SeasonalNaive"]


def _check_fitted(model) -> None:
    if not hasattr(model, "values_"):
        raise RuntimeError(f"{type(model).__name__}: call fit before predict")


def _check_min_days(name: str, values: np.ndarray, days: pd.DataFrame, need: int) -> None:
    if len(values) != len(days):
        raise ValueError(f"{name}: values has {len(values)} days but days has {len(days)}")
    have = int(np.isfinite(values).any(axis=1).sum())
    if have < need:
        raise ValueError(f"{name}: history has {have} days with data, needs at least {need}")


class SeasonalNaive:
    """Each interval repeats the same interval one week earlier (the latest such day).

    Calendar-blind by design: the reference every model must beat.
    """

    min_days = 1

    def fit(self, values: np.ndarray, days: pd.DataFrame) -> SeasonalNaive:
        _check_min_days("SeasonalNaive", values, days, self.min_days)
        self.values_ = values
        self.weekday_ = days["weekday"].to_numpy()
        return self

    def predict(self, days: pd.DataFrame) -> np.ndarray:
        _check_fitted(self)
        weekday = days["weekday"].to_numpy()
        # One day back of the same weekday; the ordinary-weekday class is the weekday.
        return recent_class_mean(self.values_, self.weekday_, weekday, weekday, 1)


class SameDayTypeAverage:
    """Mean of the last ``n`` days of the same day type, interval by interval.

    Parameters
    ----------
    n : int, default 4
        Days of the same type averaged: ``n=4`` is the planner's 4-week same-weekday average.
        Holiday-break days average the latest break days (falling back to Sundays), make-up
        workdays the latest make-up workdays (falling back to workdays).

    References
    ----------
    Taylor, J. W. (2008). A comparison of univariate time series methods for forecasting
    intraday arrivals at a call center. Management Science 54(2), 253-265.
    """

    def __init__(self, n: int = 4):
        self.n = n

    @property
    def min_days(self) -> int:
        return self.n

    def fit(self, values: np.ndarray, days: pd.DataFrame) -> SameDayTypeAverage:
        if not (isinstance(self.n, int | np.integer) and self.n >= 1):
            raise ValueError(f"n must be a positive integer, got n={self.n!r}")
        _check_min_days("SameDayTypeAverage", values, days, 1)
        self.values_ = values
        self.day_class_ = days["day_class"].to_numpy()
        return self

    def predict(self, days: pd.DataFrame) -> np.ndarray:
        _check_fitted(self)
        return recent_class_mean(
            self.values_,
            self.day_class_,
            days["day_class"].to_numpy(),
            days["weekday"].to_numpy(),
            self.n,
        )
