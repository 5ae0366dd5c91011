"""Interval-level Poisson regression: day type × interval of day plus calendar effects."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

from forecast.history import HOLIDAY_CLASS, N_CLASSES
from forecast.holiday_effects import holiday_effects, holiday_kind
from forecast.models.baselines import _check_fitted, _check_min_days
from forecast.models.design import calendar_regressors, holiday_design
from forecast.profiles import fallback_classes

__all__ = ["CountRegression"]


class CountRegression:
    """Log-linear Poisson model of every interval count.

    ``log E[y(d, s)] = a[class(d), s] + x(d)·b + c·t(d)``: a level for each day class
    (weekday, holiday break, make-up workday) and interval of day, day-level calendar effects
    ``x`` (statutory day, other break days, days around a break, billing-day peak, month end)
    and a linear trend ``t`` in years. Observations are weighted by recency with half-life
    ``half_life`` days, so the level follows the recent weeks.

    The maximum-likelihood fit alternates two exact steps: given ``b, c`` the class-interval
    levels have the closed form ``exp(a) = Σ w y / Σ w exp(x b + c t)``; given ``a`` the day
    effects are a Poisson GLM of day totals with offset ``log Σ_s exp(a)`` (statsmodels),
    because ``x`` does not vary within a day. The rare classes (holiday break, make-up
    workday) are shrunk toward their fallback class with ``prior_days`` pseudo-days. Each
    holiday's own depth, learnt from the whole history, adjusts its class's effect, and a
    class the window never saw borrows its effect from the whole history
    (:mod:`forecast.holiday_effects`).

    Parameters
    ----------
    half_life : float, default 56
        Recency half-life. [days]
    window : int, default 364
        Days of history used.
    prior_days : float, default 2
        Pseudo-days of the fallback class mixed into each class level.
    iterations : int, default 3
        Alternations of the two steps.

    References
    ----------
    Brown, L. et al. (2005). Statistical analysis of a telephone call center: a
    queueing-science perspective. JASA 100(469), 36-50 (Poisson arrivals with day-type
    by time-of-day rates).
    """

    min_days = 14

    def __init__(
        self,
        half_life: float = 56.0,
        window: int = 364,
        prior_days: float = 2.0,
        iterations: int = 3,
    ):
        self.half_life = half_life
        self.window = window
        self.prior_days = prior_days
        self.iterations = iterations

    def fit(self, values: np.ndarray, days: pd.DataFrame) -> CountRegression:
        _check_min_days("CountRegression", values, days, self.min_days)
        self.holiday_ = holiday_effects(values, days)
        values, days = values[-self.window :], days.iloc[-self.window :]
        n_days = len(values)
        observed = np.isfinite(values)
        y = np.where(observed, values, 0.0)
        day_class = days["day_class"].to_numpy()
        age = (n_days - 1 - np.arange(n_days)).astype(float)
        weight = 0.5 ** (age / self.half_life)
        X = calendar_regressors(days, weekdays=False)
        has_day = observed.any(axis=1)
        keep = (X[has_day].std().to_numpy() > 0) & (X[has_day].sum().to_numpy() >= 1)
        self.columns_ = X.columns[keep]
        t = (days["t"].to_numpy() - days["t"].to_numpy()[-1]) / 365.25
        self.t_last_ = days["t"].to_numpy()[-1]
        Z = np.column_stack([X[self.columns_].to_numpy(), t])
        beta = np.zeros(Z.shape[1])
        wy = weight[:, None] * y
        for _ in range(self.iterations):
            day_effect = np.exp(Z @ beta)
            exposure = weight[:, None] * observed * day_effect[:, None]
            level = self._class_levels(wy, exposure, day_class, weight * has_day)
            rate = np.nan_to_num(level[day_class])
            offset = np.log(np.maximum((rate * observed).sum(axis=1), 1e-12))
            totals = y.sum(axis=1)
            glm = sm.GLM(
                totals[has_day],
                Z[has_day],
                family=sm.families.Poisson(),
                offset=offset[has_day],
                var_weights=weight[has_day],
            )
            with warnings.catch_warnings():
                # A calendar effect seen on few days can be fitted exactly; that is fine.
                warnings.simplefilter("ignore")
                beta = glm.fit(start_params=beta).params
        day_effect = np.exp(Z @ beta)
        exposure = weight[:, None] * observed * day_effect[:, None]
        self.level_ = self._class_levels(wy, exposure, day_class, weight * has_day)
        self.beta_ = beta
        self.values_ = values
        return self

    def _class_levels(self, wy, exposure, day_class, day_weight) -> np.ndarray:
        """exp(a[c, s]) per class and interval, shrunk toward the fallback class."""
        per_day = wy.shape[1]
        onehot = (np.arange(N_CLASSES)[:, None] == day_class[None, :]).astype(float)
        num = onehot @ wy
        den = onehot @ exposure
        days_in = np.bincount(day_class, weights=day_weight, minlength=N_CLASSES)
        level = np.full((N_CLASSES, per_day), np.nan)
        for c in range(N_CLASSES):
            weekday = c if c < 7 else 6
            parent = np.full(per_day, np.nan)
            for group in fallback_classes(c, weekday)[1:]:
                with np.errstate(invalid="ignore", divide="ignore"):
                    cand = num[group].sum(axis=0) / den[group].sum(axis=0)
                parent = np.where(np.isnan(parent), cand, parent)
            # prior_days pseudo-days of the parent rate, in units of this class's mean
            # exposure per (weighted) day.
            # Only the rare classes (holiday break, make-up workday) borrow strength.
            rare = c >= HOLIDAY_CLASS
            pseudo = (
                self.prior_days * den[c] / days_in[c] if rare and days_in[c] > 0 else 0 * den[c]
            )
            with np.errstate(invalid="ignore", divide="ignore"):
                own = num[c] / den[c]
                mix = (num[c] + pseudo * np.nan_to_num(parent)) / (den[c] + pseudo)
            level[c] = np.where(den[c] > 0, np.where(np.isnan(parent), own, mix), parent)
        return level

    def predict(self, days: pd.DataFrame) -> np.ndarray:
        _check_fitted(self)
        X, factor = holiday_design(
            calendar_regressors(days, weekdays=False), days, self.columns_, self.holiday_
        )
        t = (days["t"].to_numpy() - self.t_last_) / 365.25
        effect = np.exp(np.column_stack([X, t]) @ self.beta_) * factor
        level = self.level_[days["day_class"].to_numpy()]
        # A class the window never saw, with an effect from the whole history, is read as
        # the mean ordinary workday times that effect (see holiday_design).
        if not (days["day_class"].to_numpy() >= HOLIDAY_CLASS).any():
            return level * effect[:, None]
        kind, _ = holiday_kind(days)
        log_effect = self.holiday_.log_effect(days)
        with np.errstate(divide="ignore"):
            workday = np.exp(np.log(self.level_[:5]).mean(axis=0))
        for i in np.flatnonzero(kind != ""):
            if kind[i] not in self.columns_ and np.isfinite(log_effect[i]):
                level[i] = workday
        return level * effect[:, None]
