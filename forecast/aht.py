"""Average handle time per interval: a recent profile per day class shrunk toward its mean."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.calendar import get_calendar
from forecast.history import (
    HOLIDAY_CLASS,
    MAKEUP_CLASS,
    N_CLASSES,
    check_history,
    day_features,
    to_day_grid,
)

__all__ = ["AHTProfile", "forecast_aht"]

#: Where a rare day class borrows its intraday shape: a holiday-break day from Sundays,
#: then the weekend; a make-up workday from Fridays (whose level it takes), then workdays.
_PARENTS = {HOLIDAY_CLASS: ([6], [5, 6]), MAKEUP_CLASS: ([4], [0, 1, 2, 3, 4])}


class AHTProfile:
    """AHT per day class and interval of day, contact-weighted and shrunk toward a mean.

    For an ordinary weekday class ``c`` and interval ``s`` ::

        a[c, s] = (n[c, s] ā[c, s] + shrink m[c]) / (n[c, s] + shrink)

    with ``ā`` the contact-weighted mean AHT of the last ``weeks`` weeks, ``n`` the contacts
    behind it and ``m[c]`` the class's all-day mean: thin night intervals lean on the day's
    mean instead of on a handful of calls. The rare classes (holiday break, make-up workday)
    are shrunk toward the *shape* of a related class instead of a flat line: the Sunday (or
    weekend) profile for a break day, the Friday (or workday) profile for a make-up
    workday, scaled to the class's own (shrunk) mean; their recent days are looked up over
    the whole history (the last ``rare_days`` of them), not only the last weeks. A class
    never seen takes its parent's profile unchanged.

    Parameters
    ----------
    weeks : int, default 8
        Weeks of history in the ordinary classes' profiles.
    shrink : float, default 50
        Pseudo-contacts of the shrinkage target mixed into each interval.
    rare_days : int, default 8
        Most recent days of a rare class used, however old.

    References
    ----------
    Efron, B. and Morris, C. (1975). Data analysis using Stein's estimator and its
    generalizations. JASA 70(350), 311-319.
    """

    min_days = 1

    def __init__(self, weeks: int = 8, shrink: float = 50.0, rare_days: int = 8):
        self.weeks = weeks
        self.shrink = shrink
        self.rare_days = rare_days

    def fit(self, values: np.ndarray, days: pd.DataFrame, weight=None) -> AHTProfile:
        """Learn the profile.

        Parameters
        ----------
        values : ndarray, shape (n_days, per_day)
            Mean handle time per interval, NaN where not observed. [s]
        days : DataFrame
            Day features (:func:`forecast.history.day_features`) aligned with ``values``.
        weight : ndarray, same shape, optional
            Contacts behind each value (answered contacts); equal weights when omitted.
        """
        if not (isinstance(self.weeks, int | np.integer) and self.weeks >= 1):
            raise ValueError(f"weeks must be a positive integer, got weeks={self.weeks!r}")
        if not (np.isfinite(self.shrink) and self.shrink >= 0):
            raise ValueError(f"shrink must be >= 0, got shrink={self.shrink!r}")
        values = np.asarray(values, dtype=float)
        if len(values) != len(days):
            raise ValueError(f"values has {len(values)} days but days has {len(days)}")
        if np.any(values[np.isfinite(values)] <= 0):
            raise ValueError("values: AHT must be positive seconds")
        w = np.ones_like(values) if weight is None else np.asarray(weight, dtype=float)
        if w.shape != values.shape:
            raise ValueError(f"weight has shape {w.shape}, values {values.shape}")
        if np.any(w[np.isfinite(w)] < 0):
            raise ValueError("weight: negative contact counts")
        w = np.where(np.isfinite(values) & np.isfinite(w), w, 0.0)
        a = np.nan_to_num(values)
        if not (w > 0).any():
            raise ValueError("values: no interval with an AHT and a positive weight")
        day_class = days["day_class"].to_numpy()
        recent = np.arange(len(values)) >= len(values) - 7 * self.weeks
        has = (w > 0).any(axis=1)
        use = recent.copy()
        for c in _PARENTS:
            rows = np.flatnonzero((day_class == c) & has)[-self.rare_days :]
            use[rows] = True
        onehot = (np.arange(N_CLASSES)[:, None] == day_class[None, :]) & use[None, :]
        num = onehot.astype(float) @ (a * w)
        den = onehot.astype(float) @ w
        overall = (a * w)[use].sum() / max(w[use].sum(), 1e-12)
        total_num, total_den = num.sum(axis=1), den.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            level = np.where(total_den > 0, total_num / total_den, overall)
            shrunk = (num + self.shrink * level[:, None]) / (den + self.shrink)
        # An interval without contacts is the target itself (no 0/0 for a tiny shrink).
        profile = np.where(den > 0, shrunk, level[:, None])
        for c, groups in _PARENTS.items():
            parent, parent_level = self._parent(num, den, groups, overall)
            # The class's own level, shrunk toward the parent's with ``shrink`` contacts.
            own = (
                (total_num[c] + self.shrink * parent_level) / (total_den[c] + self.shrink)
                if total_den[c] > 0
                else parent_level
            )
            target = parent * own / parent_level
            with np.errstate(invalid="ignore", divide="ignore"):
                shaped = (num[c] + self.shrink * target) / (den[c] + self.shrink)
            profile[c] = np.where(den[c] > 0, shaped, target)
        self.profile_ = profile
        self.overall_ = float(overall)
        return self

    def _parent(self, num, den, groups, overall):
        """Profile and level of the first parent group with contacts."""
        for group in (*groups, list(range(7))):
            n, d = num[group].sum(axis=0), den[group].sum(axis=0)
            if d.sum() > 0:
                level = n.sum() / d.sum()
                with np.errstate(invalid="ignore", divide="ignore"):
                    prof = (n + self.shrink * level) / (d + self.shrink)
                return np.where(d > 0, prof, level), level
        return np.full(num.shape[1], overall), overall

    def predict(self, days: pd.DataFrame) -> np.ndarray:
        """AHT per interval of each day, shape ``(len(days), per_day)``. [s]"""
        if not hasattr(self, "profile_"):
            raise RuntimeError("AHTProfile: call fit before predict")
        return self.profile_[days["day_class"].to_numpy()]


def forecast_aht(
    aht: pd.Series,
    horizon: pd.DatetimeIndex,
    *,
    weight: pd.Series | None = None,
    calendar=None,
    weeks: int = 8,
    shrink: float = 50.0,
) -> pd.Series:
    """Expected AHT of each future interval by :class:`AHTProfile`. [s]

    Parameters
    ----------
    aht : pandas.Series
        Mean handle time per interval, indexed by interval start. [s]
    horizon : pandas.DatetimeIndex
        Interval starts wanted.
    weight : pandas.Series, optional
        Answered contacts per interval (same index as ``aht``); equal weights when omitted.
    calendar : str, calendar or iterable of dates, optional
        Made a calendar once by :func:`forecast.get_calendar`; weekends only when omitted.
    weeks : int, default 8
    shrink : float, default 50
        Pseudo-contacts of the shrinkage target mixed into each interval.

    Returns
    -------
    pandas.Series
        AHT per interval of ``horizon``. [s]
    """
    calendar = get_calendar(calendar)
    series, report = check_history(aht, name="aht")
    if (series <= 0).any():
        raise ValueError(f"aht: values must be positive seconds, got min {series.min()}")
    w = pd.Series(1.0, index=series.index) if weight is None else weight.reindex(series.index)
    w = w.fillna(0.0).astype(float)
    if (w < 0).any():
        raise ValueError("weight: negative contact counts")
    grid = to_day_grid(series, report.interval)
    wgrid = to_day_grid(w, report.interval).values
    model = AHTProfile(weeks, shrink)
    return _aht_on_horizon(
        grid.values, grid.days, wgrid, horizon, report.interval, calendar, model
    )


def _aht_on_horizon(values, hist_days, weight, horizon, interval, calendar, model) -> pd.Series:
    """Fit ``model`` on a days × intervals AHT grid and read it off at ``horizon``."""
    step = pd.Timedelta(seconds=interval)
    target_days = horizon.normalize()
    span = pd.date_range(hist_days[0], max(target_days.max(), hist_days[-1]), freq="D")
    feats = day_features(span, calendar)
    model.fit(values, feats.iloc[: len(hist_days)], weight=np.nan_to_num(weight))
    future = feats.loc[target_days.unique()]
    row = pd.Index(future.index).get_indexer(target_days)
    slot = ((horizon - target_days) // step).to_numpy()
    return pd.Series(model.predict(future)[row, slot], index=horizon, name="aht")
