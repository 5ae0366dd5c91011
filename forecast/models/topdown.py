"""Top-down: daily totals from statsmodels, spread over the day by an intraday profile."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from forecast.holiday_effects import holiday_effects
from forecast.models.baselines import _check_fitted, _check_min_days
from forecast.models.design import (
    calendar_regressors,
    holiday_design,
    open_steps,
    open_weekdays,
)
from forecast.profiles import intraday_profiles

__all__ = ["TopDownDaily", "daily_totals"]


def daily_totals(values: np.ndarray, profiles: np.ndarray, day_class: np.ndarray) -> np.ndarray:
    """Day totals, scaled up for days with some intervals missing.

    A day whose observed intervals hold less than half of its class profile gets NaN.
    """
    observed = np.isfinite(values)
    prof = np.nan_to_num(profiles[day_class])
    covered = (prof * observed).sum(axis=1)
    total = np.nansum(values, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(covered >= 0.5, total / covered, np.nan)


class _FixedHolt:
    """Damped-trend Holt with given smoothing parameters and least-squares initial states.

    With the smoothing parameters fixed, the one-step errors are linear in the initial level
    and trend, so the least-squares initial states (statsmodels' ``"estimated"``
    initialisation) are one linear solve: the recursion runs once on the data from zero
    states and once from each unit initial state. Holds the attributes of a statsmodels
    results object that :class:`TopDownDaily` reads (``params``, ``level``, ``trend``).
    """

    def __init__(self, y: np.ndarray, alpha: float, beta: float, phi: float):
        y = np.asarray(y, dtype=float)
        # Three responses run side by side (plain floats: this loop is the hot path): to the
        # data from zero states, to a unit initial level, to a unit initial trend.
        l0, l1, l2, b0, b1, b2 = 0.0, 1.0, 0.0, 0.0, 0.0, 1.0
        errors = np.empty((len(y), 3))
        a1, damp = 1.0 - alpha, (1.0 - beta) * phi
        for t, value in enumerate(y.tolist()):
            p0, p1, p2 = l0 + phi * b0, l1 + phi * b1, l2 + phi * b2
            errors[t] = (value - p0, -p1, -p2)
            n0, n1, n2 = alpha * value + a1 * p0, a1 * p1, a1 * p2
            b0, b1, b2 = (
                beta * (n0 - l0) + damp * b0,
                beta * (n1 - l1) + damp * b1,
                beta * (n2 - l2) + damp * b2,
            )
            l0, l1, l2 = n0, n1, n2
        level, trend = np.array([l0, l1, l2]), np.array([b0, b1, b2])
        start, *_ = np.linalg.lstsq(errors[:, 1:], -errors[:, 0], rcond=None)
        weights = np.r_[1.0, start]
        self.params = {
            "smoothing_level": alpha,
            "smoothing_trend": beta,
            "damping_trend": phi,
            "initial_level": float(start[0]),
            "initial_trend": float(start[1]),
        }
        self.level = np.array([level @ weights])
        self.trend = np.array([trend @ weights])
        self.sse = float(((errors @ weights) ** 2).sum())


class TopDownDaily:
    """Daily totals × intraday profile per day type.

    The daily model is a quasi-Poisson GLM of day totals on calendar effects (weekday,
    holiday break, statutory day, make-up workday, days around a break, billing-day peak,
    month end) fitted over the last ``window`` days. Each holiday's own depth, learnt from
    the whole history, adjusts its class's effect; a class the window never saw takes the
    day's ordinary weekday times the class's effect over the whole history
    (:mod:`forecast.holiday_effects`), or the fallback weekday (Sunday for a break day,
    Friday for a make-up workday) when the history never saw it at all. The level comes
    either from the same GLM with recency weights (half-life ``half_life`` days) and a linear trend
    (``level="glm"``, fast), or from damped-trend exponential smoothing (Holt) of the
    calendar-adjusted log totals (``level="ets"``). Intraday shares are the
    recent profile of the day's class shrunk toward the pooled workday or day-off profile.

    Parameters
    ----------
    level : {"glm", "ets"}, default "glm"
        How the level of the daily totals is followed.
    window : int, default 182
        Days of history the daily models use.
    half_life : float, default 28
        Recency half-life of the GLM level. [days]
    profile_days : int, default 8
        Recent complete days of a class in its intraday profile.
    ets_params : tuple of float, optional
        ``(smoothing_level, smoothing_trend, damping_trend)`` of the ETS level, held fixed
        (only the initial states are refitted); estimated by maximum likelihood when
        omitted. :meth:`frozen_template` hands out a template holding the estimates, which
        a rolling-origin backtest reuses at later origins (estimated once, not refitted at
        every origin, as statsforecast's cross-validation with ``refit=False``).

    References
    ----------
    Gardner, E. S. (1985). Exponential smoothing: the state of the art. J. Forecasting 4, 1-28.
    McCullagh, P. and Nelder, J. A. (1989). Generalized Linear Models, 2nd ed., ch. 6.
    """

    min_days = 28

    def __init__(
        self,
        level: str = "glm",
        window: int = 182,
        half_life: float = 28.0,
        profile_days: int = 8,
        ets_params: tuple[float, float, float] | None = None,
    ):
        self.level = level
        self.window = window
        self.half_life = half_life
        self.profile_days = profile_days
        self.ets_params = ets_params

    def fit(self, values: np.ndarray, days: pd.DataFrame) -> TopDownDaily:
        if self.level not in ("glm", "ets"):
            raise ValueError(f"level must be 'glm' or 'ets', got level={self.level!r}")
        _check_min_days("TopDownDaily", values, days, self.min_days)
        # Holiday effects come from the whole history: last year's breaks lie outside the
        # window but say how deep this year's will be.
        self.holiday_ = holiday_effects(values, days)
        values, days = values[-self.window :], days.iloc[-self.window :]
        day_class = days["day_class"].to_numpy()
        self.profiles_ = intraday_profiles(values, day_class, n=self.profile_days)
        totals = daily_totals(values, self.profiles_, day_class)
        use = np.isfinite(totals) & (totals > 0)
        X = calendar_regressors(days, weekdays=True)
        keep = X[use].std().to_numpy() > 0
        self.columns_ = X.columns[keep]
        design = sm.add_constant(X.loc[use, self.columns_].to_numpy(), has_constant="add")
        t = (days["t"].to_numpy() - days["t"].to_numpy()[-1]) / 365.25
        if self.level == "glm":
            # Local level by recency weights, a linear trend inside the window.
            age = (len(days) - 1 - np.arange(len(days))).astype(float)
            weight = 0.5 ** (age / self.half_life)
            design = np.column_stack([design, t[use]])
            glm = sm.GLM(
                totals[use], design, family=sm.families.Poisson(), var_weights=weight[use]
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.glm_ = glm.fit(scale="X2")
            self.ets_ = None
        else:
            glm = sm.GLM(totals[use], design, family=sm.families.Poisson())
            self.glm_ = glm.fit(scale="X2")
            factor = np.exp(design[:, 1:] @ self.glm_.params[1:])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if self.ets_params is None:
                    ets = ExponentialSmoothing(
                        np.log(totals[use] / factor),
                        trend="add",
                        damped_trend=True,
                        initialization_method="estimated",
                    )
                    # Least squares from statsmodels' start values: the default brute-force
                    # grid + L-BFGS-B costs about ten times more for the same backtest
                    # accuracy on daily totals.
                    self.ets_ = ets.fit(method="least_squares", use_brute=False)
                else:
                    self.ets_ = _FixedHolt(np.log(totals[use] / factor), *self.ets_params)
        self.t_last_ = days["t"].to_numpy()[-1]
        self.last_day_ = days.index[-1]
        self.open_ = open_weekdays(days, use)
        self.values_ = values
        return self

    def _ets_path(self, steps: np.ndarray) -> np.ndarray:
        """Damped-trend forecast ``l + (phi + ... + phi^h) b`` from the final states (the
        closed form statsmodels' ``forecast`` evaluates, without its per-call overhead)."""
        phi = float(self.ets_.params["damping_trend"])
        level, trend = float(self.ets_.level[-1]), float(self.ets_.trend[-1])
        h = np.arange(1, int(steps.max()) + 1)
        damped = np.cumsum(phi**h)
        return (level + damped * trend)[steps - 1]

    def frozen_template(self) -> TopDownDaily:
        """An unfitted copy that reuses this fit's ETS smoothing parameters."""
        _check_fitted(self)
        params = None
        if self.ets_ is not None:
            p = self.ets_.params
            params = (
                float(p["smoothing_level"]),
                float(p["smoothing_trend"]),
                float(p["damping_trend"]),
            )
        return TopDownDaily(
            level=self.level,
            window=self.window,
            half_life=self.half_life,
            profile_days=self.profile_days,
            ets_params=params,
        )

    def predict(self, days: pd.DataFrame) -> np.ndarray:
        _check_fitted(self)
        X, factor = holiday_design(
            calendar_regressors(days, weekdays=True), days, self.columns_, self.holiday_
        )
        if self.ets_ is None:
            t = (days["t"].to_numpy() - self.t_last_) / 365.25
            design = np.column_stack([np.ones(len(days)), X, t])
            total = np.exp(design @ self.glm_.params) * factor
        else:
            steps = open_steps(self.last_day_, days.index, self.open_)
            total = np.exp(self._ets_path(steps) + X @ self.glm_.params[1:]) * factor
        return total[:, None] * self.profiles_[days["day_class"].to_numpy()]
