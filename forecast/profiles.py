"""Intraday profiles and same-day-type averages over a days × intervals matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.history import HOLIDAY_CLASS, MAKEUP_CLASS

__all__ = ["fallback_classes", "intraday_profiles", "recent_class_mean"]


def fallback_classes(day_class: int, weekday: int) -> list[np.ndarray]:
    """Day classes to borrow from, nearest first, when a class has no history.

    A holiday-break day borrows from Sundays, then Saturdays; a make-up workday from the
    weekday it stands in for (Friday's level), then any ordinary workday; an ordinary day
    from its weekday, then the other days of its kind (workday or weekend).
    """
    workdays = np.arange(5)
    weekend = np.array([5, 6])
    if day_class == HOLIDAY_CLASS:
        return [np.array([HOLIDAY_CLASS]), np.array([6]), weekend, np.arange(7)]
    if day_class == MAKEUP_CLASS:
        return [np.array([MAKEUP_CLASS]), workdays, np.arange(7)]
    kind = workdays if weekday < 5 else weekend
    return [np.array([day_class]), kind, np.arange(7)]


def recent_class_mean(
    values: np.ndarray,
    day_class: np.ndarray,
    target_class: np.ndarray,
    target_weekday: np.ndarray,
    n: int,
) -> np.ndarray:
    """Mean of each interval over the last ``n`` history days of each target's day class.

    Parameters
    ----------
    values : ndarray, shape (n_days, per_day)
        History; NaN = not observed.
    day_class : ndarray of int, shape (n_days,)
    target_class, target_weekday : ndarray of int, shape (h,)
    n : int
        Days of the same class to average (4 = a 4-week same-weekday average).

    Returns
    -------
    ndarray, shape (h, per_day)
        NaN where no day of the class or its fallbacks has the interval observed.
    """
    has_data = np.isfinite(values).any(axis=1)
    out = np.full((len(target_class), values.shape[1]), np.nan)
    cache: dict[tuple[int, int], np.ndarray] = {}
    for j, (c, w) in enumerate(zip(target_class, target_weekday, strict=True)):
        key = (int(c), int(w))
        if key not in cache:
            row = np.full(values.shape[1], np.nan)
            for group in fallback_classes(*key):
                rows = np.flatnonzero(np.isin(day_class, group) & has_data)[-n:]
                if len(rows):
                    with np.errstate(invalid="ignore"), _quiet():
                        mean = np.nanmean(values[rows], axis=0)
                    row = np.where(np.isnan(row), mean, row)
                    if not np.isnan(row).any():
                        break
            cache[key] = row
        out[j] = cache[key]
    return out


def intraday_profiles(
    values: np.ndarray, day_class: np.ndarray, *, n: int = 8, shrink: float = 4.0
) -> np.ndarray:
    """Share of the day's volume in each interval, per day class, shrunk toward its kind.

    Parameters
    ----------
    values : ndarray, shape (n_days, per_day)
    day_class : ndarray of int, shape (n_days,)
    n : int
        Recent complete days of a class used.
    shrink : float
        Pseudo-days of the pooled profile (workdays or days off) mixed into a class profile:
        ``p = (k p_class + shrink p_pool) / (k + shrink)`` with ``k`` days of the class.

    Returns
    -------
    ndarray, shape (N_CLASSES, per_day)
        Rows sum to 1 over the intervals open on that class (NaN where never open).
    """
    from forecast.history import N_CLASSES

    open_ = np.isfinite(values)
    totals = np.nansum(values, axis=1)
    # A day is complete if it has every interval its class usually has.
    usual = np.zeros((N_CLASSES, values.shape[1]), dtype=bool)
    for c in range(N_CLASSES):
        rows = day_class == c
        if rows.any():
            usual[c] = open_[rows].mean(axis=0) >= 0.5
    complete = (open_ | ~usual[day_class]).all(axis=1) & (totals > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = values / totals[:, None]

    def mean_share(rows):
        rows = np.flatnonzero(rows & complete)[-n:]
        if not len(rows):
            return None, 0
        with _quiet():
            return np.nanmean(shares[rows], axis=0), len(rows)

    pools = {
        "work": mean_share(np.isin(day_class, [0, 1, 2, 3, 4, MAKEUP_CLASS])),
        "off": mean_share(np.isin(day_class, [5, 6, HOLIDAY_CLASS])),
        "all": mean_share(np.ones(len(day_class), dtype=bool)),
    }
    profiles = np.full((N_CLASSES, values.shape[1]), np.nan)
    for c in range(N_CLASSES):
        pool_key = "work" if c in (0, 1, 2, 3, 4, MAKEUP_CLASS) else "off"
        pool, _ = pools[pool_key]
        if pool is None:
            pool, _ = pools["all"]
        own, k = mean_share(day_class == c)
        if own is None:
            prof = pool
        elif pool is None:
            prof = own
        else:
            prof = np.where(
                np.isnan(own), pool, (k * own + shrink * np.nan_to_num(pool)) / (k + shrink)
            )
        if prof is None:
            continue
        prof = np.where(np.isnan(prof), 0.0, prof)
        total = prof.sum()
        if total > 0:
            profiles[c] = prof / total
    return profiles


class _quiet:
    """Silence 'mean of empty slice' warnings where all-NaN columns are expected."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def weekday_of(days: pd.DatetimeIndex) -> np.ndarray:
    return days.day_of_week.to_numpy()
