"""The 95598 method: the power-grid hotline's own monthly forecasting rule."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.history import HOLIDAY_CLASS
from forecast.models.baselines import _check_fitted, _check_min_days
from forecast.models.topdown import daily_totals
from forecast.profiles import intraday_profiles

__all__ = ["Method95598"]

#: Categories tried in turn for a day's ratio.
_FALLBACK = {
    "month_start": ("month_start", "workday"),
    "month_end": ("month_end", "workday"),
    "holiday": ("holiday", "weekend", "workday"),
    "weekend": ("weekend", "workday"),
}


class Method95598:
    """Daily volume by the 95598 rule, spread by the recent intraday profile.

    For a target day ::

        volume = M × (1 + r) × (1 + g) × ratio(category of the day)

    * ``M`` — recent monthly mean: mean daily volume of the last 30 days;
    * ``r`` — recent change: that mean against the 30 days before it, minus 1;
    * ``g`` — historical change: the same month-over-month change (target month against the
      month before) one year earlier, 0 when the history is shorter;
    * ``ratio`` — the category's share relative to the mean day over the last 3 months
      (~91 days), categories being ordinary workdays, month-start workdays (days 1-3),
      month-end workdays (last 3 days), weekend days (the recent weekend decline ratio) and
      holiday-break days. Outage days are already missing in the history, which is how the
      method's "outage days replaced by the daily mean" is honoured; the outage factor is
      left to events with a multiplier.

    Parameters
    ----------
    profile_days : int, default 8
        Recent complete days of a class in the intraday profile.

    References
    ----------
    State Grid customer service centre practice, as summarised in the project's domain notes
    (``shared/domain.md``, "The 95598 method").
    """

    min_days = 60

    def __init__(self, profile_days: int = 8):
        self.profile_days = profile_days

    def fit(self, values: np.ndarray, days: pd.DataFrame) -> Method95598:
        _check_min_days("Method95598", values, days, self.min_days)
        day_class = days["day_class"].to_numpy()
        self.profiles_ = intraday_profiles(values, day_class, n=self.profile_days)
        totals = pd.Series(daily_totals(values, self.profiles_, day_class), index=days.index)
        last = days.index[-1]
        recent = totals[last - pd.Timedelta(days=29) :]
        before = totals[last - pd.Timedelta(days=59) : last - pd.Timedelta(days=30)]
        self.monthly_mean_ = recent.mean()
        self.recent_change_ = recent.mean() / before.mean() - 1 if before.notna().any() else 0.0
        # Month means a year back, for the historical month-over-month change.
        monthly = totals.groupby(totals.index.to_period("M")).mean()
        self.monthly_means_ = monthly
        window = totals[last - pd.Timedelta(days=90) :]
        cats = self._categories(days.loc[window.index])
        base = window.mean()
        # a category seen only on closed days (a holiday the centre shut) has no ratio: its
        # days take the next category of _FALLBACK instead of a missing value
        ratios = (window.groupby(cats).mean() / base).dropna()
        self.ratios_ = ratios
        self.totals_ = totals
        self.values_ = values
        return self

    @staticmethod
    def _categories(days: pd.DataFrame) -> np.ndarray:
        cat = np.where(days["is_workday"].to_numpy(), "workday", "weekend").astype(object)
        dom = days["dom"].to_numpy()
        workday = days["is_workday"].to_numpy()
        cat[workday & (dom <= 3)] = "month_start"
        cat[workday & days["month_end"].to_numpy()] = "month_end"
        cat[days["day_class"].to_numpy() == HOLIDAY_CLASS] = "holiday"
        return cat

    def _ratio(self, category: str) -> float:
        """The category's ratio, else that of the nearest category with one, else 1."""
        for name in _FALLBACK.get(category, (category, "workday")):
            if name in self.ratios_.index:
                return float(self.ratios_[name])
        return 1.0

    def _historical_change(self, month: pd.Period) -> float:
        now, prev = month - 12, month - 13
        m = self.monthly_means_
        if now in m.index and prev in m.index and np.isfinite(m[now] / m[prev]):
            return float(m[now] / m[prev] - 1)
        return 0.0

    def predict(self, days: pd.DataFrame) -> np.ndarray:
        _check_fitted(self)
        cats = self._categories(days)
        ratio = np.array([self._ratio(c) for c in cats])
        months = days.index.to_period("M")
        hist = np.array([self._historical_change(m) for m in months])
        daily = self.monthly_mean_ * (1 + self.recent_change_) * (1 + hist) * ratio
        return daily[:, None] * self.profiles_[days["day_class"].to_numpy()]
