"""Day-level calendar regressors shared by the regression models."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.history import HOLIDAY_CLASS, MAKEUP_CLASS

__all__ = ["calendar_regressors", "holiday_design", "open_steps"]

_COLUMNS = (
    "statutory",
    "break",
    "makeup",
    "after_break",
    "before_break",
    "dom1",
    "dom2",
    "dom3",
    "month_end",
)
#: Regressor of each holiday class (see :data:`forecast.holiday_effects.HOLIDAY_KINDS`).
_KIND_COLUMN = {"statutory": "statutory", "break": "break", "makeup": "makeup"}
#: Weekday a special day is read as when neither the model nor the history knows its class.
_FALLBACK_WEEKDAY = {"statutory": 6, "break": 6, "makeup": 4}


def calendar_regressors(days: pd.DataFrame, *, weekdays: bool) -> pd.DataFrame:
    """0/1 calendar effects per day (and weekday dummies when asked).

    Columns: ``statutory`` (a statutory holiday), ``break`` (any other day of a holiday
    break, or a bridge day), ``makeup`` (make-up workday), ``after_break`` / ``before_break``
    (first / last working day around a break), ``dom1``-``dom3`` (billing-day peak),
    ``month_end`` and, with ``weekdays``, ``dow1``-``dow6`` for ordinary days.
    """
    day_class = days["day_class"].to_numpy()
    statutory = days["is_statutory"].to_numpy().astype(bool)
    dom = days["dom"].to_numpy()
    cols = [
        statutory,
        (day_class == HOLIDAY_CLASS) & ~statutory,
        day_class == MAKEUP_CLASS,
        days["after_break"].to_numpy().astype(bool),
        days["before_break"].to_numpy().astype(bool),
        dom == 1,
        dom == 2,
        dom == 3,
        days["month_end"].to_numpy().astype(bool),
    ]
    names = list(_COLUMNS)
    if weekdays:
        cols += [day_class == w for w in range(1, 7)]
        names += [f"dow{w}" for w in range(1, 7)]
    # One float block: far cheaper than a frame built column by column.
    return pd.DataFrame(np.column_stack(cols).astype(float), index=days.index, columns=names)


def open_weekdays(days: pd.DataFrame, has_data: np.ndarray) -> np.ndarray:
    """Weekdays on which the centre was open on at least half of the recent weeks."""
    weekday = days["weekday"].to_numpy()[-56:]
    seen = has_data[-56:]
    share = np.array(
        [seen[weekday == w].mean() if (weekday == w).any() else 0.0 for w in range(7)]
    )
    return share >= 0.5


def open_steps(
    last_day: pd.Timestamp, future: pd.DatetimeIndex, is_open: np.ndarray
) -> np.ndarray:
    """Open days from ``last_day`` (excluded) to each future day (included)."""
    first = last_day + pd.Timedelta(days=1)
    span = pd.date_range(first, max(future.max(), first), freq="D")
    counts = np.cumsum(is_open[span.day_of_week.to_numpy()])
    pos = ((future - first) // pd.Timedelta(days=1)).to_numpy()
    return np.maximum(counts[np.clip(pos, 0, None)], 1)


def holiday_design(
    X: pd.DataFrame, days: pd.DataFrame, columns, effects
) -> tuple[np.ndarray, np.ndarray]:
    """Design rows for future days, with the class fallback for special days.

    Parameters
    ----------
    X : DataFrame
        :func:`calendar_regressors` of ``days`` (all columns).
    days : DataFrame
        Day features.
    columns : Index
        Columns the model was fitted with (a class never seen in its window is absent).
    effects : HolidayEffects
        Effects learnt from the whole history.

    Returns
    -------
    design : ndarray, shape (len(days), len(columns))
    factor : ndarray, shape (len(days),)
        Multiplier of each day's forecast: the holiday's own effect against its class's
        when the model has the class; the class's whole-history effect on top of the mean
        ordinary workday when it has not.
    """
    from forecast.holiday_effects import holiday_kind

    if not (days["day_class"].to_numpy() >= HOLIDAY_CLASS).any():
        return X[columns].to_numpy(), np.ones(len(days))
    X = X.copy()
    kind, _ = holiday_kind(days)
    factor = effects.adjustment(days)
    log_effect = effects.log_effect(days)
    for i in np.flatnonzero(kind != ""):
        if _KIND_COLUMN[kind[i]] in columns:
            continue
        # The model cannot tell this class: read the day as the mean ordinary workday (the
        # dummies' average: a geometric mean) times the class's effect, or as its fallback
        # weekday when the history never saw the class either.
        X.iloc[i, :] = 0.0
        if np.isfinite(log_effect[i]):
            share, factor[i] = {w: 0.2 for w in range(1, 5)}, np.exp(log_effect[i])
        else:
            share, factor[i] = {_FALLBACK_WEEKDAY[kind[i]]: 1.0}, 1.0
        for w, value in share.items():
            if f"dow{w}" in X.columns and f"dow{w}" in columns:
                X.iloc[i, X.columns.get_loc(f"dow{w}")] = value
        for col in ("dom1", "dom2", "dom3", "month_end"):
            X.iloc[i, X.columns.get_loc(col)] = float(
                calendar_regressors(days.iloc[[i]], weekdays=False)[col].iloc[0]
            )
    return X[columns].to_numpy(), factor
