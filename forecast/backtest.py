"""Rolling-origin evaluation of the models and the accuracy measures it reports."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.history import HOLIDAY_CLASS, MAKEUP_CLASS
from forecast.quantiles import calibrate_dispersion, count_quantiles

__all__ = ["BacktestResult", "accuracy", "rolling_origin", "special_days"]


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
    """

    days: pd.DatetimeIndex
    actual: np.ndarray
    mean: np.ndarray
    lead: int
    special: np.ndarray
    scale: float
    fit_seconds: float

    def dispersion(self, quantiles=(0.1, 0.5, 0.9)) -> float:
        """Negative-binomial dispersion calibrated on the out-of-sample errors."""
        return calibrate_dispersion(self.actual, self.mean, quantiles)


def rolling_origin(
    model, values: np.ndarray, days: pd.DataFrame, *, lead: int = 1, origins: int = 40
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
    targets = targets[targets - lead + 1 >= need]
    if not len(targets):
        raise ValueError(
            f"history too short for a backtest: {int(has_data.sum())} days with data, "
            f"model needs {need} plus lead {lead}"
        )
    mean = np.full((len(targets), values.shape[1]), np.nan)
    spent = 0.0
    for k, i in enumerate(targets):
        end = i - lead + 1
        start = time.perf_counter()
        fitted = copy.deepcopy(model).fit(values[:end], days.iloc[:end])
        mean[k] = fitted.predict(days.iloc[[i]])[0]
        spent += time.perf_counter() - start
    first = targets[0] - lead + 1
    return BacktestResult(
        days=days.index[targets],
        actual=values[targets],
        mean=mean,
        lead=int(lead),
        special=special_days(days.iloc[targets]),
        scale=_mase_scale(values[:first]),
        fit_seconds=spent / len(targets),
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


def score(result: BacktestResult, quantile_levels=(0.1, 0.5, 0.9), phi=None) -> pd.DataFrame:
    """Accuracy of a backtest on all, normal and special days.

    Quantiles come from the negative-binomial law with the dispersion of the backtest's own
    errors unless ``phi`` is given (pass a dispersion estimated on earlier origins for an
    honest coverage figure).
    """
    phi = result.dispersion(quantile_levels) if phi is None else phi
    qv = count_quantiles(result.mean, phi, quantile_levels)
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
