"""Rolling-origin evaluation of the models and the accuracy measures it reports."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.history import HOLIDAY_CLASS, MAKEUP_CLASS
from forecast.quantiles import (
    QuantileCalibration,
    calibrate_dispersion,
    calibrate_quantiles,
    count_quantiles,
)

__all__ = ["BacktestResult", "accuracy", "backtest_paths", "rolling_origin", "special_days"]


def special_days(days: pd.DataFrame) -> np.ndarray:
    """Days whose demand departs from the weekly pattern: holiday breaks, make-up
    workdays and the working days right before and after a break."""
    cls = days["day_class"].to_numpy()
    return (
        (cls == HOLIDAY_CLASS)
        | (cls == MAKEUP_CLASS)
        | days["after_break"].to_numpy()
        | days["before_break"].to_numpy()
    )


@dataclass(frozen=True)
class BacktestResult:
    """Forecasts made from rolling origins and the actuals they are scored against.

    Attributes
    ----------
    days : DatetimeIndex
        Target days, one per origin.
    actual, mean : ndarray, shape (n_origins, per_day)
        Observed counts (NaN where not observed) and forecasts.
    lead : int
        Days between the last history day and the target day.
    special : ndarray of bool, shape (n_origins,)
        Target day is special (see :func:`special_days`).
    scale : float
        MASE scale: mean absolute one-week-back change of the history before the first origin.
    fit_seconds : float
        Mean time of one fit + predict. [s]
    leads : ndarray of int, shape (n_origins,), optional
        Lead of each row (all equal to ``lead`` for :func:`rolling_origin`).
    template : model object, optional
        The template later origins were fitted from: with ``refit=False``, one holding the
        parameters estimated at the first origin (see :func:`rolling_origin`).
    fits : int
        Model fits behind these rows (one per origin).
    """

    days: pd.DatetimeIndex
    actual: np.ndarray
    mean: np.ndarray
    lead: int
    special: np.ndarray
    scale: float
    fit_seconds: float
    leads: np.ndarray | None = None
    template: object = None
    fits: int = 0

    def __post_init__(self) -> None:
        if self.leads is None:
            object.__setattr__(self, "leads", np.full(len(self.days), self.lead, dtype=int))

    def concat(self, other: BacktestResult) -> BacktestResult:
        """Rows of both backtests (scale and first lead of ``self``)."""
        n = len(self.days) + len(other.days)
        return BacktestResult(
            days=self.days.append(other.days),
            actual=np.vstack([self.actual, other.actual]),
            mean=np.vstack([self.mean, other.mean]),
            lead=min(self.lead, other.lead),
            special=np.r_[self.special, other.special],
            scale=self.scale,
            fit_seconds=(self.fit_seconds * len(self.days) + other.fit_seconds * len(other.days))
            / n,
            leads=np.r_[self.leads, other.leads],
            template=self.template,
            fits=self.fits + other.fits,
        )

    def calibration(self, quantiles=(0.1, 0.5, 0.9)) -> QuantileCalibration:
        """Quantile calibration per horizon bucket and day kind from these errors."""
        return calibrate_quantiles(self.actual, self.mean, self.leads, self.special, quantiles)

    def dispersion(self, quantiles=(0.1, 0.5, 0.9)) -> float:
        """Negative-binomial dispersion calibrated on the out-of-sample errors."""
        return calibrate_dispersion(self.actual, self.mean, quantiles)


def rolling_origin(
    model,
    values: np.ndarray,
    days: pd.DataFrame,
    *,
    lead: int = 1,
    origins: int = 40,
    refit: bool = True,
) -> BacktestResult:
    """Refit ``model`` at each origin and forecast the day ``lead`` days ahead.

    Parameters
    ----------
    model : model object
        Unfitted template; a copy is fitted at each origin.
    values : ndarray, shape (n_days, per_day)
        The full history.
    days : DataFrame
        Day features aligned with ``values``.
    lead : int, default 1
        1 = day ahead (history through yesterday), 7 = week ahead.
    origins : int, default 40
        Number of target days: the last ``origins`` days with data.
    refit : bool, default True
        Re-estimate every parameter at every origin. With False, a model offering
        ``frozen_template()`` (e.g. the ETS level of :class:`TopDownDaily`) estimates its
        costly parameters at the first origin only and later origins refit the rest
        (nothing after an origin is ever seen).

    Returns
    -------
    BacktestResult
    """
    if not (isinstance(lead, int | np.integer) and lead >= 1):
        raise ValueError(f"lead must be a positive integer of days, got lead={lead!r}")
    if not (isinstance(origins, int | np.integer) and origins >= 1):
        raise ValueError(f"origins must be a positive integer, got origins={origins!r}")
    has_data = np.isfinite(values).any(axis=1)
    targets = np.flatnonzero(has_data)[-origins:]
    need = getattr(model, "min_days", 1)
    # Days with data strictly before each origin's end (end = target - lead + 1).
    seen = np.r_[0, np.cumsum(has_data)]
    ends = targets - lead + 1
    targets = targets[(ends >= 1) & (seen[np.clip(ends, 0, None)] >= need)]
    if not len(targets):
        raise ValueError(
            f"history too short for a backtest: {int(has_data.sum())} days with data, "
            f"model needs {need} plus lead {lead}"
        )
    return _run(model, values, days, targets - lead + 1, lead, refit)


def backtest_paths(
    model,
    values: np.ndarray,
    days: pd.DataFrame,
    *,
    ends,
    max_lead: int,
    refit: bool = False,
) -> BacktestResult:
    """Fit at each origin and forecast every day up to ``max_lead`` days ahead.

    One fit scores a whole horizon: day ahead, week ahead and further, which is what the
    quantile calibration per horizon bucket needs at the cost of one fit per origin.

    Parameters
    ----------
    model, values, days
        As for :func:`rolling_origin`.
    ends : array_like of int
        Origins: each fit sees ``values[:end]``.
    max_lead : int
        Forecast days ``end - 1 + lead`` for ``lead = 1 .. max_lead`` (days past the history
        or without data are left out).
    refit : bool, default False
        See :func:`rolling_origin`.

    Returns
    -------
    BacktestResult
        One row per (origin, target day); ``leads`` holds each row's lead.
    """
    if not (isinstance(max_lead, int | np.integer) and max_lead >= 1):
        raise ValueError(f"max_lead must be a positive integer, got max_lead={max_lead!r}")
    ends = np.unique(np.asarray(ends, dtype=int))
    has_data = np.isfinite(values).any(axis=1)
    seen = np.r_[0, np.cumsum(has_data)]
    need = getattr(model, "min_days", 1)
    ends = ends[(ends >= 1) & (ends < len(values))]
    ends = ends[seen[ends] >= need]
    if not len(ends):
        raise ValueError(
            f"history too short for a backtest: {int(has_data.sum())} days with data, "
            f"model needs {need}"
        )
    return _run(model, values, days, ends, np.arange(1, int(max_lead) + 1), refit)


def _run(model, values, days, ends, leads, refit) -> BacktestResult:
    """Fit at each end and forecast the days ``end - 1 + lead`` that hold data."""
    has_data = np.isfinite(values).any(axis=1)
    leads = np.atleast_1d(leads)
    rows_t, rows_lead, preds = [], [], []
    spent = 0.0
    template = model
    for k, end in enumerate(ends):
        target = end - 1 + leads
        keep = (target < len(values)) & has_data[np.minimum(target, len(values) - 1)]
        if not keep.any():
            continue
        start = time.perf_counter()
        fitted = copy.deepcopy(template).fit(values[:end], days.iloc[:end])
        preds.append(fitted.predict(days.iloc[target[keep]]))
        spent += time.perf_counter() - start
        if not refit and k == 0 and hasattr(fitted, "frozen_template"):
            template = fitted.frozen_template()
        rows_t.append(target[keep])
        rows_lead.append(leads[keep])
    if not preds:
        raise ValueError("history too short for a backtest: no target day with data")
    targets = np.concatenate(rows_t)
    first = int(ends[0])
    return BacktestResult(
        days=days.index[targets],
        actual=values[targets],
        mean=np.vstack(preds),
        lead=int(leads.min()),
        special=special_days(days.iloc[targets]),
        scale=_mase_scale(values[:first]),
        fit_seconds=spent / len(preds),
        leads=np.concatenate(rows_lead),
        template=template,
        fits=len(preds),
    )


def _mase_scale(values: np.ndarray) -> float:
    """Mean absolute change against the same interval one week earlier (in-sample)."""
    if len(values) <= 7:
        return np.nan
    diff = np.abs(values[7:] - values[:-7])
    return float(np.nanmean(diff)) if np.isfinite(diff).any() else np.nan


def accuracy(
    actual,
    mean,
    *,
    scale: float = np.nan,
    quantile_levels=(),
    quantile_values=None,
) -> dict[str, float]:
    """Accuracy of interval forecasts against actuals.

    Parameters
    ----------
    actual, mean : array_like
        Observed counts and mean forecasts; pairs with a NaN are left out.
    scale : float
        MASE denominator (in-sample one-week-back mean absolute change).
    quantile_levels : sequence of float
        Probabilities of ``quantile_values``' last axis.
    quantile_values : array_like, optional
        Quantile forecasts, shape ``mean.shape + (len(quantile_levels),)``.

    Returns
    -------
    dict
        ``wape_pct`` = 100 Σ|y - m| / Σy; ``mape_pct`` = 100 mean(|y - m| / y) over y > 0;
        ``mase`` = mean|y - m| / scale; ``rmse``; ``pinball`` = mean over levels of the mean
        quantile loss; ``coverage_pct`` = share of actuals inside the outermost quantiles
        (nominal ``100 (q_max - q_min)``); ``n`` intervals scored.

    References
    ----------
    Hyndman, R. J. and Koehler, A. B. (2006). Another look at measures of forecast accuracy.
    Int. J. Forecasting 22(4), 679-688.
    """
    y = np.asarray(actual, dtype=float)
    m = np.asarray(mean, dtype=float)
    ok = np.isfinite(y) & np.isfinite(m)
    out = {"n": int(ok.sum())}
    if not ok.any():
        return {**out, "wape_pct": np.nan, "mape_pct": np.nan, "mase": np.nan, "rmse": np.nan}
    err = y[ok] - m[ok]
    out["wape_pct"] = 100 * np.abs(err).sum() / max(y[ok].sum(), 1e-12)
    pos = y[ok] > 0
    out["mape_pct"] = 100 * float(np.mean(np.abs(err[pos]) / y[ok][pos])) if pos.any() else np.nan
    out["mase"] = float(np.abs(err).mean() / scale) if scale and np.isfinite(scale) else np.nan
    out["rmse"] = float(np.sqrt(np.mean(err**2)))
    if quantile_values is not None and len(quantile_levels):
        qv = np.asarray(quantile_values, dtype=float)[ok]
        levels = np.asarray(quantile_levels, dtype=float)
        diff = y[ok][:, None] - qv
        loss = np.maximum(levels * diff, (levels - 1) * diff)
        out["pinball"] = float(loss.mean())
        lo, hi = np.argmin(levels), np.argmax(levels)
        inside = (y[ok] >= qv[:, lo]) & (y[ok] <= qv[:, hi])
        out["coverage_pct"] = 100 * float(inside.mean())
    return out


def score(
    result: BacktestResult, quantile_levels=(0.1, 0.5, 0.9), phi=None, calibration=None
) -> pd.DataFrame:
    """Accuracy of a backtest on all, normal and special days.

    Quantiles come from the negative-binomial law calibrated per horizon bucket and day kind
    on the backtest's own errors, unless a single dispersion ``phi`` or a
    :class:`~forecast.quantiles.QuantileCalibration` is given (pass one estimated on earlier
    origins for an honest coverage figure).
    """
    if phi is not None:
        qv = count_quantiles(result.mean, phi, quantile_levels)
    else:
        cal = result.calibration(quantile_levels) if calibration is None else calibration
        qv = cal.quantiles(result.mean, result.leads, result.special, quantile_levels)
    rows = {}
    for name, sel in (
        ("all", np.ones(len(result.days), dtype=bool)),
        ("normal", ~result.special),
        ("special", result.special),
    ):
        rows[name] = accuracy(
            result.actual[sel],
            result.mean[sel],
            scale=result.scale,
            quantile_levels=quantile_levels,
            quantile_values=qv[sel],
        )
        rows[name]["days"] = int(sel.sum())
    return pd.DataFrame(rows).T
