"""Intraday re-forecast: the rest of today from the day-ahead forecast and today's counts so far.

The day-ahead forecast fixes the day's shape; what the morning reveals is mostly the day's
level (a busy day is busy all day). :class:`IntradayUpdate` learns from past days how far a
day's level strays from its forecast and how noisy its intervals are around that level, then
updates the level of today from the intervals seen so far (a conjugate gamma update) and
gives the rest of the day a mean and calibrated quantiles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from forecast.interval import interval_length

__all__ = ["IntradayUpdate", "level_posterior"]

#: Smallest spread of the day's level ratio the fit keeps (a coefficient of variation of 1%):
#: a history whose days all sit on their forecast would otherwise freeze the level.
_MIN_LEVEL_VAR = 1e-4
#: Update times per fitted day at which the drift is scored.
_DRIFT_CUTS = 24


def level_posterior(actual, mean, seen, *, prior_mean=1.0, prior_shape=100.0, dispersion=0.0):
    """Gamma posterior of each day's level ratio from the intervals seen so far.

    Parameters
    ----------
    actual : array_like, shape (n_days, per_day)
        Observed counts (only the entries where ``seen`` is True are read). [contacts]
    mean : array_like, shape (n_days, per_day)
        The day-ahead forecast of every interval. [contacts]
    seen : array_like of bool, shape (n_days, per_day)
        Intervals already observed.
    prior_mean : float, default 1
        Prior mean ``r0`` of the ratio of a day's actual level to its forecast.
    prior_shape : float, default 100
        Prior gamma shape ``a`` (the ratio's prior coefficient of variation is ``1/sqrt(a)``).
    dispersion : float, default 0
        Negative-binomial dispersion ``phi`` of an interval around its day's level
        (``Var = mu + phi mu²``); 0 for Poisson.

    Returns
    -------
    shape, rate : ndarray, shape (n_days,)
        Gamma posterior of each day's ratio ``R``: mean ``shape / rate``, variance
        ``shape / rate²``.

    Notes
    -----
    Counts are modelled as ``Y_i | R ~ NB(R m_i, phi)`` with ``R ~ Gamma(a, a / r0)``. With
    ``phi = 0`` the gamma prior is conjugate and the posterior is exact:
    ``Gamma(a + Σ Y_i, a / r0 + Σ m_i)`` over the seen intervals. With ``phi > 0`` each
    interval carries the information of ``w_i = 1 / (1 + phi r0 m_i)`` Poisson counts
    (the ratio of its Poisson to its negative-binomial Fisher information about ``R`` at
    the prior mean), and the update adds ``Σ w_i Y_i`` and ``Σ w_i m_i``: a quasi-likelihood
    gamma update, exact again as ``phi -> 0``.

    References
    ----------
    .. [1] Jongbloed, G. and Koole, G. (2001). Managing uncertainty in call centres using
       Poisson mixtures. Applied Stochastic Models in Business and Industry 17, 307-318.
    .. [2] Weinberg, J., Brown, L. D. and Stroud, J. R. (2007). Bayesian forecasting of an
       inhomogeneous Poisson process with applications to call center data. JASA 102(480),
       1185-1198 (section 5: updating the rest of the day from its early counts).
    """
    y = np.asarray(actual, dtype=float)
    m = np.asarray(mean, dtype=float)
    seen = np.asarray(seen, dtype=bool) & np.isfinite(y) & np.isfinite(m)
    weight = np.where(seen, 1.0 / (1.0 + dispersion * prior_mean * np.nan_to_num(m)), 0.0)
    shape = prior_shape + (weight * np.nan_to_num(y)).sum(axis=-1)
    rate = prior_shape / prior_mean + (weight * np.nan_to_num(m)).sum(axis=-1)
    return shape, rate


def _nb_quantiles(mean, var, levels) -> np.ndarray:
    """Quantiles of the negative binomial with the given mean and variance (Poisson when the
    variance does not exceed the mean)."""
    mean = np.maximum(np.asarray(mean, dtype=float), 0.0)[..., None]
    extra = np.maximum(np.asarray(var, dtype=float)[..., None] - mean, 0.0)
    # NB2 with n = mean² / (var - mean); below a tiny excess it is Poisson to integer precision.
    over = extra > 1e-9 * np.maximum(mean, 1.0)
    n = np.where(over, mean**2 / np.where(over, extra, 1.0), 1.0)
    nb = stats.nbinom.ppf(levels, n, n / (n + np.where(mean > 0, mean, 1.0)))
    out = np.where(over, nb, stats.poisson.ppf(levels, mean))
    return np.where(mean > 0, out, 0.0)


class IntradayUpdate:
    """Bayesian update of the day's level from the counts seen so far.

    Parameters
    ----------
    quantiles : sequence of float, default (0.1, 0.5, 0.9)
        Levels of the updated quantiles when the forecast given to :meth:`update` has no
        quantile columns (otherwise its own levels are used).

    Attributes
    ----------
    prior_mean_ : float
        Mean ratio of a day's actual total to its forecast total over the fitted days
        (a forecast's bias on the day's level).
    prior_shape_ : float
        Gamma shape of the ratio: ``prior_mean_² / var`` with ``var`` the ratio's variance
        across days less what interval noise explains.
    dispersion_ : float
        Negative-binomial dispersion of an interval around its day's actual level.
    drift_ : float
        Variance ``tau²`` of the factor by which the rest of a day's level drifts from the
        level its early intervals show, chosen as the value whose updated quantiles have the
        lowest pinball loss on the fitted days updated at interval boundaries spread over
        the day.
    n_days_ : int
        Days fitted on.

    Notes
    -----
    Each day ``d`` has a level ratio ``R_d`` (actual over forecast level) drawn from
    ``Gamma(a, a / r0)``; its interval counts are ``NB(R_d m_di, phi)`` with ``m_di`` the
    day-ahead forecast. :meth:`fit` estimates ``r0``, ``a`` and ``phi`` by moments from past
    forecasts and actuals: ``r_d = Σ_i y_di / Σ_i m_di``, ``r0 = mean(r_d)``,
    ``phi = Σ[(y - r_d m)² - r_d m] / Σ (r_d m)²`` and ``r0² / a = var(r_d) -
    mean[(r_d M_d + phi r_d² Q_d) / M_d²]`` with ``M_d = Σ_i m_di``, ``Q_d = Σ_i m_di²``.
    :meth:`update` takes the gamma posterior of today's ratio from the intervals seen
    (:func:`level_posterior`) and gives each remaining interval ``j`` the mean
    ``E[R] m_j`` and the variance ``E[R] m_j + phi E[R'²] m_j² + Var(R') m_j²`` with
    ``R' = R S`` the level of the rest of the day, ``S`` a drift factor of mean 1 and
    variance ``tau²`` independent of ``R`` (Poisson noise, over-dispersion around the level,
    what remains unknown of the level and how the afternoon may depart from the morning: the
    imperfect within-day correlation Weinberg, Brown and Stroud model); its quantiles are
    those of the negative binomial with that mean and variance. The method is the
    gamma-Poisson level update of Jongbloed and Koole (2001) applied within the day, as in
    the intraday updating of Weinberg, Brown and Stroud (2007).

    References
    ----------
    .. [1] Jongbloed, G. and Koole, G. (2001). Managing uncertainty in call centres using
       Poisson mixtures. Applied Stochastic Models in Business and Industry 17, 307-318.
    .. [2] Weinberg, J., Brown, L. D. and Stroud, J. R. (2007). Bayesian forecasting of an
       inhomogeneous Poisson process with applications to call center data. JASA 102(480),
       1185-1198.

    Examples
    --------
    >>> import numpy as np
    >>> model = IntradayUpdate().fit_arrays(np.full((20, 4), 10.0), np.full((20, 4), 10.0))
    >>> mean, q = model.predict_arrays(np.array([[20.0, 20, 0, 0]]), np.full((1, 4), 10.0), 2)
    >>> bool(mean[0, 2] > 10)
    True
    """

    def __init__(self, quantiles=(0.1, 0.5, 0.9)):
        self.quantiles = quantiles

    @classmethod
    def from_quantiles(cls, forecast_day, quantiles=(0.1, 0.5, 0.9)) -> IntradayUpdate:
        """An update for a centre with no past forecasts to fit on: the spread of the day's
        level read off the day-ahead forecast's own quantiles.

        Parameters
        ----------
        forecast_day : pandas.DataFrame
            ``mean`` and at least two quantile columns (``q0.1``, ``q0.9``...). [contacts]
        quantiles : sequence of float
            As for the constructor.

        Returns
        -------
        IntradayUpdate
            Fitted with ``prior_mean_ = 1``, ``prior_shape_ = 1 / phi`` where ``phi`` is the
            negative-binomial dispersion the outermost quantiles show (``sd² = m + phi m²``,
            ``sd`` from their normal-approximation width, pooled over intervals), and no
            over-dispersion or drift within the day: all of the forecast's error is taken to be
            the day's level, so the update trusts the morning fully (the fitted :meth:`fit`
            learns how far to trust it).
        """
        mean = _mean_of(forecast_day, "forecast_day").to_numpy(float)
        levels = sorted(_levels(forecast_day))
        if len(levels) < 2:
            raise ValueError("forecast_day: needs at least two quantile columns (q0.1, q0.9...)")
        lo, hi = levels[0], levels[-1]
        width = forecast_day[f"q{hi:g}"].to_numpy(float) - forecast_day[f"q{lo:g}"].to_numpy(float)
        sd = width / (stats.norm.ppf(hi) - stats.norm.ppf(lo))
        ok = mean > 0
        phi = float(np.sum(sd[ok] ** 2 - mean[ok]) / max(np.sum(mean[ok] ** 2), 1e-12))
        model = cls(quantiles=quantiles)
        model.prior_mean_ = 1.0
        model.prior_shape_ = 1.0 / max(phi, _MIN_LEVEL_VAR)
        model.dispersion_ = 0.0
        model.drift_ = 0.0
        model.n_days_ = 0
        return model

    # --- arrays ---------------------------------------------------------------------------

    def fit_arrays(self, actual, mean) -> IntradayUpdate:
        """Fit on past days given as arrays.

        Parameters
        ----------
        actual, mean : array_like, shape (n_days, per_day)
            Observed counts and the day-ahead forecasts made for them (NaN entries are left
            out). [contacts]

        Returns
        -------
        IntradayUpdate
            ``self``, fitted.
        """
        y = np.asarray(actual, dtype=float)
        m = np.asarray(mean, dtype=float)
        if y.shape != m.shape or y.ndim != 2:
            raise ValueError(
                f"actual and mean must be 2-d arrays of one shape, got {y.shape} and {m.shape}"
            )
        ok = np.isfinite(y) & np.isfinite(m) & (m > 0)
        if np.any(y[ok] < 0):
            raise ValueError(f"actual: counts must be >= 0, got min {y[ok].min()}")
        total_m = np.where(ok, m, 0.0).sum(axis=1)
        days = total_m > 0
        if days.sum() < 2:
            raise ValueError(f"history: {int(days.sum())} days with forecasts, need at least 2")
        y, m, ok, total_m = y[days], m[days], ok[days], total_m[days]
        ratio = np.where(ok, y, 0.0).sum(axis=1) / total_m
        level = ratio[:, None] * m
        phi = np.where(ok, (y - level) ** 2 - level, 0.0).sum() / np.where(ok, level**2, 0).sum()
        phi = float(max(phi, 0.0))
        square_m = np.where(ok, m**2, 0.0).sum(axis=1)
        noise = (ratio * total_m + phi * ratio**2 * square_m) / total_m**2
        r0 = float(ratio.mean())
        var = max(float(ratio.var(ddof=1) - noise.mean()), _MIN_LEVEL_VAR * r0**2)
        self.prior_mean_ = r0
        self.prior_shape_ = r0**2 / var
        self.dispersion_ = phi
        self.n_days_ = int(days.sum())
        # Closed intervals (no data on any day) are no update times.
        open_ = ok.any(axis=0)
        self.drift_ = self._fit_drift(
            np.where(ok, y, np.nan)[:, open_], np.where(ok, m, np.nan)[:, open_]
        )
        return self

    def _fit_drift(self, y, m) -> float:
        """The drift variance whose updated quantiles score best on the fitted days, each
        updated at every interval boundary (mean pinball loss over ``quantiles``, normal
        approximation of each count's law)."""
        levels = np.atleast_1d(np.asarray(self.quantiles, dtype=float))
        z = stats.norm.ppf(levels)
        parts = []
        # At most _DRIFT_CUTS update times, spread over the day, keep the fit quick on
        # 5-minute days; the drift is one number and does not need every one.
        for cut in np.unique(np.linspace(1, y.shape[1] - 1, _DRIFT_CUTS).astype(int)):
            seen = np.broadcast_to(np.arange(y.shape[1]) < cut, y.shape)
            r_mean, r_second = self._level_moments(y, m, seen)
            rest = ~seen & np.isfinite(y)
            # Var = mu + phi E[R²] m² + Var(R) m²; a drift tau² adds (1 + phi) E[R²] tau² m².
            base = (self.dispersion_ * r_second + r_second - r_mean**2) * m**2
            slope = (1 + self.dispersion_) * r_second * m**2
            parts.append(np.stack([y[rest], (r_mean * m)[rest], base[rest], slope[rest]]))
        actual, mu, base, slope = np.concatenate(parts, axis=1)
        grid = np.r_[0.0, np.geomspace(1e-5, 0.5, 80)]
        loss = np.zeros(grid.size)
        for k, tau2 in enumerate(grid):
            sd = np.sqrt(mu + base + tau2 * slope)
            diff = actual[:, None] - (mu[:, None] + z[None, :] * sd[:, None])
            loss[k] = np.maximum(levels * diff, (levels - 1) * diff).mean()
        return float(grid[np.argmin(loss)])

    def _level_moments(self, actual, mean, seen):
        """Posterior mean and second moment of each day's level ratio, shape (n_days, 1)."""
        shape, rate = level_posterior(
            actual,
            mean,
            seen,
            prior_mean=self.prior_mean_,
            prior_shape=self.prior_shape_,
            dispersion=self.dispersion_,
        )
        r_mean = (shape / rate)[:, None]
        return r_mean, r_mean**2 + (shape / rate**2)[:, None]

    def predict_arrays(self, actual, mean, seen, levels=None):
        """Updated mean and quantiles of every interval of one or many days.

        Parameters
        ----------
        actual : array_like, shape (n_days, per_day)
            Counts observed so far (entries not seen are ignored). [contacts]
        mean : array_like, shape (n_days, per_day)
            Day-ahead forecast. [contacts]
        seen : int or array_like of bool, shape (n_days, per_day)
            Intervals observed: the first ``seen`` intervals of every day, or a mask.
        levels : sequence of float, optional
            Quantile levels (default ``quantiles``).

        Returns
        -------
        mean : ndarray, shape (n_days, per_day)
            Updated expected counts. [contacts]
        quantiles : ndarray, shape (n_days, per_day, n_levels)
            Updated quantiles (integers as float). [contacts]
        """
        self._check_fitted()
        m = np.asarray(mean, dtype=float)
        if np.ndim(seen) == 0:
            seen = np.broadcast_to(np.arange(m.shape[-1]) < int(seen), m.shape)
        levels = np.atleast_1d(np.asarray(self.quantiles if levels is None else levels, float))
        r_mean, r_second = self._level_moments(actual, m, seen)
        # The rest of the day's level drifts from the morning's by a factor of variance tau².
        drifted = r_second * (1 + self.drift_)
        out = r_mean * m
        var = out + self.dispersion_ * drifted * m**2 + (drifted - r_mean**2) * m**2
        return out, _nb_quantiles(out, var, levels)

    def _check_fitted(self) -> None:
        if not hasattr(self, "prior_shape_"):
            raise ValueError("IntradayUpdate: call fit (or fit_arrays) before update")

    # --- frames ---------------------------------------------------------------------------

    def fit(self, history, forecasts) -> IntradayUpdate:
        """Fit on past days: their actual counts and the day-ahead forecasts made for them.

        Parameters
        ----------
        history : pandas.Series
            Actual counts per interval, indexed by interval start. [contacts]
        forecasts : pandas.DataFrame or pandas.Series
            Day-ahead forecasts of the same intervals (a ``mean`` column, or a Series),
            e.g. :func:`forecast.forecast` run each evening, or a rolling-origin backtest
            (:func:`forecast.rolling_origin` with ``lead=1``). [contacts]

        Returns
        -------
        IntradayUpdate
            ``self``, fitted.
        """
        mean = _mean_of(forecasts, "forecasts")
        if not isinstance(history, pd.Series):
            raise ValueError(f"history: expected a Series of counts, got {type(history).__name__}")
        both = mean.index.intersection(history.index)
        if not len(both):
            raise ValueError("history: no interval in common with forecasts")
        step = pd.Timedelta(seconds=interval_length(both, name="forecasts"))
        days = both.normalize()
        slot = ((both - days) // step).to_numpy()
        rows, day_index = pd.factorize(days)
        per_day = int(pd.Timedelta(days=1) // step)
        y = np.full((len(day_index), per_day), np.nan)
        m = np.full_like(y, np.nan)
        y[rows, slot] = history.reindex(both).to_numpy(float)
        m[rows, slot] = mean.reindex(both).to_numpy(float)
        return self.fit_arrays(y, m)

    def update(self, forecast_day, actuals, now=None) -> pd.DataFrame:
        """The rest of the day, updated by the counts seen so far.

        Parameters
        ----------
        forecast_day : pandas.DataFrame
            The day's day-ahead forecast indexed by interval start: ``mean`` and optional
            quantile columns (``q0.1``...), as :func:`forecast.forecast` returns. [contacts]
        actuals : pandas.Series
            Counts of today's intervals so far, indexed by interval start (every one must be
            an interval of ``forecast_day`` and end by ``now``). [contacts]
        now : Timestamp, optional
            Time of the update; default the end of the last interval in ``actuals`` (the
            day's first interval start when ``actuals`` is empty).

        Returns
        -------
        pandas.DataFrame
            The intervals of ``forecast_day`` starting at or after ``now``: ``mean``, one
            column per quantile level (``forecast_day``'s levels, else ``quantiles``),
            ``day_ahead`` (the forecast's mean) and ``level_ratio`` (posterior mean of the
            day's level against its forecast). [contacts]

        Raises
        ------
        ValueError
            Actuals on intervals the forecast does not have, on another day, ending after
            ``now``, negative or not finite; ``now`` outside the forecast's day; a forecast
            that spans several days.
        """
        self._check_fitted()
        mean = _mean_of(forecast_day, "forecast_day")
        index = pd.DatetimeIndex(mean.index)
        day = index[0].normalize()
        if (index.normalize() != day).any():
            raise ValueError(
                f"forecast_day: spans several days ({day.date()} to "
                f"{index[-1].normalize().date()}); update one day at a time"
            )
        step = pd.Timedelta(seconds=interval_length(index, name="forecast_day", grid=False))
        actuals = _check_actuals(actuals, index, step)
        last_end = actuals.index.max() + step if len(actuals) else index[0]
        now = last_end if now is None else pd.Timestamp(now)
        if not day <= now <= day + pd.Timedelta(days=1):
            raise ValueError(f"now={now} is outside the forecast's day {day.date()}")
        if len(actuals) and last_end > now:
            raise ValueError(
                f"actuals: interval {actuals.index.max()} ends at {last_end}, after now={now}"
            )
        levels = _levels(forecast_day) or tuple(self.quantiles)
        seen = index.isin(actuals.index)
        y = actuals.reindex(index).to_numpy(float)
        new_mean, q = self.predict_arrays(
            y[None, :], mean.to_numpy(float)[None, :], seen[None, :], levels
        )
        ratio, _ = self._level_moments(y[None, :], mean.to_numpy(float)[None, :], seen[None, :])
        rest = index >= now
        out = pd.DataFrame({"mean": new_mean[0, rest]}, index=index[rest])
        for k, level in enumerate(levels):
            out[f"q{level:g}"] = q[0, rest, k]
        out["day_ahead"] = mean.to_numpy(float)[rest]
        out["level_ratio"] = float(ratio[0, 0])
        out.index.name = "ds"
        return out


def _mean_of(frame, name: str) -> pd.Series:
    if isinstance(frame, pd.DataFrame):
        if "mean" not in frame.columns:
            raise ValueError(f"{name}: needs a 'mean' column, got {list(frame.columns)}")
        mean = frame["mean"]
    elif isinstance(frame, pd.Series):
        mean = frame
    else:
        raise ValueError(f"{name}: expected a DataFrame or Series, got {type(frame).__name__}")
    if not isinstance(mean.index, pd.DatetimeIndex) or not len(mean):
        raise ValueError(f"{name}: must be indexed by interval start timestamps, non-empty")
    bad = ~np.isfinite(mean.to_numpy(float)) | (mean.to_numpy(float) < 0)
    if bad.any():
        first = mean.index[np.argmax(bad)]
        raise ValueError(f"{name}: mean must be finite and >= 0, got {mean[first]!r} at {first}")
    return mean.astype(float)


def _levels(frame) -> tuple[float, ...]:
    if not isinstance(frame, pd.DataFrame):
        return ()
    found = []
    for column in frame.columns:
        text = str(column)
        if text.startswith("q"):
            try:
                found.append(float(text[1:]))
            except ValueError:
                continue
    return tuple(found)


def _check_actuals(actuals, index: pd.DatetimeIndex, step: pd.Timedelta) -> pd.Series:
    if isinstance(actuals, pd.DataFrame) and {"ds", "y"} <= set(actuals.columns):
        actuals = pd.Series(actuals["y"].to_numpy(), index=pd.DatetimeIndex(actuals["ds"]))
    if not isinstance(actuals, pd.Series):
        raise ValueError(f"actuals: expected a Series of counts, got {type(actuals).__name__}")
    if len(actuals) == 0:
        return actuals.astype(float)
    if not isinstance(actuals.index, pd.DatetimeIndex):
        raise ValueError("actuals: must be indexed by interval start timestamps")
    values = actuals.to_numpy(float)
    stamps = pd.DatetimeIndex(actuals.index)
    day = index[0].normalize()
    checks = (
        (stamps.normalize() != day, f"is not on the forecast's day {day.date()}"),
        (~stamps.isin(index), "is not an interval of the forecast"),
    )
    for bad, why in checks:
        if bad.any():
            raise ValueError(f"actuals: interval {stamps[np.argmax(bad)]} {why}")
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        k = int(np.argmax(bad))
        raise ValueError(f"actuals: count at {stamps[k]} must be finite and >= 0, got {values[k]}")
    if actuals.index.has_duplicates:
        first = actuals.index[actuals.index.duplicated()][0]
        raise ValueError(f"actuals: interval {first} appears twice")
    return actuals.astype(float).sort_index()
