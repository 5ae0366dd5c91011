"""Calibrated quantiles: a negative-binomial count law fitted to backtest errors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

__all__ = [
    "HORIZON_BUCKETS",
    "QuantileCalibration",
    "calibrate_dispersion",
    "calibrate_quantiles",
    "count_quantiles",
    "horizon_bucket",
    "nb_dispersion",
]


def nb_dispersion(actual, mean) -> float:
    """Method-of-moments dispersion ``phi`` of ``Var = mean + phi mean²`` from forecast errors.

    Parameters
    ----------
    actual, mean : array_like
        Observed counts and the out-of-sample forecasts made for them (NaN pairs ignored).

    Returns
    -------
    float
        ``phi >= 0``; 0 means Poisson noise explains the errors.

    Notes
    -----
    ``phi = Σ[(y - m)² - m] / Σ m²`` (pooled moment estimator), clipped at 0. Using
    out-of-sample errors folds the model's own error into the count law, which is what makes
    the quantiles calibrated.

    References
    ----------
    Cameron, A. C. and Trivedi, P. K. (2013). Regression Analysis of Count Data, 2nd ed.,
    section 3.2 (NB2 variance function).
    """
    y = np.asarray(actual, dtype=float).ravel()
    m = np.asarray(mean, dtype=float).ravel()
    ok = np.isfinite(y) & np.isfinite(m) & (m > 0)
    if not ok.any():
        return 0.0
    y, m = y[ok], m[ok]
    phi = (((y - m) ** 2 - m).sum()) / (m**2).sum()
    return float(max(phi, 0.0))


def count_quantiles(mean, phi: float, q) -> np.ndarray:
    """Quantiles of a negative-binomial count with the given mean and dispersion.

    Parameters
    ----------
    mean : array_like
        Expected counts (>= 0). NaN stays NaN.
    phi : float
        Dispersion (``Var = mean + phi mean²``); 0 (or below 1e-9) gives Poisson quantiles.
    q : array_like
        Probabilities in (0, 1).

    Returns
    -------
    ndarray, shape ``mean.shape + (len(q),)``
        Integer-valued quantiles (as float).
    """
    mean = np.asarray(mean, dtype=float)
    q = np.atleast_1d(np.asarray(q, dtype=float))
    if np.any((q <= 0) | (q >= 1)):
        raise ValueError(f"quantiles must lie in (0, 1), got {q.tolist()}")
    if not (np.isfinite(phi) and phi >= 0):
        raise ValueError(f"phi must be finite and >= 0, got {phi!r}")
    m = np.where(np.isfinite(mean), np.maximum(mean, 0.0), 0.0)[..., None]
    # Below ~1e-9 the negative binomial's n = 1/phi defeats scipy's ppf in floating point,
    # and the law is Poisson to far better than integer resolution anyway.
    if phi < 1e-9:
        out = stats.poisson.ppf(q, m)
    else:
        # NB2: n = 1/phi successes, p = n / (n + mean).
        n = 1.0 / phi
        out = stats.nbinom.ppf(q, n, n / (n + m))
    out = np.where(m == 0, 0.0, out)
    return np.where(np.isfinite(mean)[..., None], out, np.nan)


def calibrate_dispersion(actual, mean, quantiles=(0.1, 0.5, 0.9), *, shape=None) -> float:
    """Dispersion whose negative-binomial quantiles score best on past forecast errors.

    Parameters
    ----------
    actual, mean : array_like
        Observed counts and the out-of-sample forecasts made for them.
    quantiles : sequence of float
        Levels to calibrate.
    shape : array_like, optional
        Relative dispersion of each count (broadcast to ``actual``): the law of a count is
        ``NB(mean, phi * shape)``. Omitted: 1 for all.

    Returns
    -------
    float
        The ``phi`` with the lowest mean pinball loss over ``quantiles`` (a logarithmic grid,
        plus 0 and the moment estimate, refined between the neighbours of the best grid
        point), raised if needed to the smallest ``phi`` whose outermost quantiles hold their
        nominal share of the past actuals plus the finite-sample margin of split-conformal
        prediction, ``(1 - nominal) / (n + 1)`` for ``n`` rows (forecast days: the counts of
        one day share its error), so that the interval holds its nominal share of a new
        day's counts. The pinball loss is a proper scoring rule for quantiles, so its
        minimiser is the best-calibrated member of the family.

    Notes
    -----
    Both searches score the normal approximation of each law, ``mean + z_q sd`` with
    ``sd² = mean + phi shape mean²`` (fast and smooth in ``phi``); the quantiles handed out
    are the exact negative-binomial ones. The coverage floor is exact, not a grid point: a
    count ``y`` lies inside the interval once ``phi`` reaches
    ``((|y - mean| - 1/2)² / z² - mean) / (shape mean²)`` (``z`` of the level on ``y``'s
    side; the half is the continuity correction of integer quantiles, which include both
    ends), and the floor is the order statistic of these entry points that covers the
    target share. A grid step of the dispersion widens the interval by about 12 % for large
    counts, several points of coverage, so taking the first grid point above the target
    over-covered.

    References
    ----------
    Gneiting, T. and Raftery, A. E. (2007). Strictly proper scoring rules, prediction, and
    estimation. JASA 102(477), 359-378.
    Lei, J., G'Sell, M., Rinaldo, A., Tibshirani, R. J. and Wasserman, L. (2018).
    Distribution-free predictive inference for regression. JASA 113(523), 1094-1111.
    """
    y = np.asarray(actual, dtype=float)
    m = np.asarray(mean, dtype=float)
    rows = len(y)
    s = np.ones_like(m) if shape is None else np.broadcast_to(np.asarray(shape, float), m.shape)
    y, m, s = y.ravel(), m.ravel(), s.ravel()
    ok = np.isfinite(y) & np.isfinite(m) & np.isfinite(s)
    if not ok.any():
        return 0.0
    y, m, s = y[ok], m[ok], s[ok]
    levels = np.atleast_1d(np.asarray(quantiles, dtype=float))
    moment = nb_dispersion(y, m) / max(float(np.average(s, weights=m**2 + 1e-12)), 1e-12)
    best = _pinball_optimum(y, m, s, levels, moment)
    if len(levels) < 2:
        return best
    # Central interval: the smallest phi whose interval holds its nominal share of the
    # past actuals (with the conformal margin), unless the pinball optimum is already wider.
    lo, hi = np.argmin(levels), np.argmax(levels)
    nominal = levels[hi] - levels[lo]
    target = nominal + (1 - nominal) / (rows + 1)
    return float(max(best, _coverage_floor(y, m, s, levels[lo], levels[hi], target)))


#: Dispersion grid of the pinball search (refined between neighbours of its best point).
_PHI_GRID = np.r_[0.0, np.geomspace(1e-4, 1.0, 41)]


def _pinball_optimum(y, m, s, levels, moment) -> float:
    """The ``phi`` minimising the mean pinball loss of the normal-approximated quantiles."""
    z = stats.norm.ppf(levels)

    def loss(phi):
        sd = np.sqrt(m[None, :] + np.atleast_1d(phi)[:, None] * s[None, :] * m[None, :] ** 2)
        diff = y[None, :, None] - (m[None, :, None] + sd[:, :, None] * z[None, None, :])
        return np.maximum(levels * diff, (levels - 1) * diff).mean(axis=(1, 2))

    grid = np.r_[_PHI_GRID, moment]
    scores = loss(grid)
    k = int(np.argmin(scores))
    best, low = float(grid[k]), float(scores[k])
    if best > 0 and np.any(levels != 0.5):
        # The loss is smooth in log phi: a bounded search between the grid neighbours.
        step = _PHI_GRID[2] / _PHI_GRID[1]
        found = optimize.minimize_scalar(
            lambda u: float(loss(np.exp(u))[0]),
            bounds=(np.log(best / step), np.log(best * step)),
            method="bounded",
            options={"xatol": 1e-3},
        )
        if found.fun < low:
            best = float(np.exp(found.x))
    return best


def _coverage_floor(y, m, s, low, high, target) -> float:
    """Smallest ``phi`` whose normal-approximated ``[low, high]`` quantiles (continuity
    corrected) hold a share ``target`` of the counts ``y``; at most 1."""
    z = np.where(y >= m, stats.norm.ppf(high), -stats.norm.ppf(low))
    gap = np.maximum(np.abs(y - m) - 0.5, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        entry = np.where(z > 0, (gap / z) ** 2 - m, np.where(gap > 0, np.inf, -np.inf))
        entry = np.where(m > 0, entry / (s * m**2), np.where(gap > 0, np.inf, 0.0))
    k = min(int(np.ceil(target * len(y))), len(y))
    return float(np.clip(np.partition(entry, k - 1)[k - 1], 0.0, 1.0))


#: Upper lead of each horizon bucket (days between the last history day and the target):
#: day ahead, week ahead, month ahead and beyond.
HORIZON_BUCKETS = (1, 7, 31)


def horizon_bucket(lead) -> np.ndarray:
    """Index into :data:`HORIZON_BUCKETS` of each lead (leads past the last bucket join it).

    Parameters
    ----------
    lead : array_like of int
        Days from the last history day to the target day (1 = day ahead).
    """
    lead = np.asarray(lead)
    if np.any(lead < 1):
        raise ValueError(f"lead must be >= 1 day, got min {lead.min()}")
    return np.minimum(np.searchsorted(HORIZON_BUCKETS, lead), len(HORIZON_BUCKETS) - 1)


@dataclass(frozen=True)
class QuantileCalibration:
    """Negative-binomial dispersions per horizon bucket and day kind, from backtest errors.

    Attributes
    ----------
    levels : tuple of float
        Quantile levels calibrated.
    phi : ndarray, shape (len(HORIZON_BUCKETS), 2)
        Dispersion for normal (column 0) and special (column 1) target days.
    days : ndarray of int, same shape
        Backtest target days behind each estimate (0 = borrowed, see
        :func:`calibrate_quantiles`).
    """

    levels: tuple
    phi: np.ndarray
    days: np.ndarray

    def dispersion(self, lead, special) -> np.ndarray:
        """Dispersion for targets at ``lead`` days, special (True) or normal days."""
        special = np.asarray(special, dtype=bool)
        return self.phi[horizon_bucket(lead), special.astype(int)]

    def quantiles(self, mean, lead, special, q=None) -> np.ndarray:
        """Count quantiles of ``mean`` (shape ``(n,)`` or ``(n, per_day)``) whose rows are
        targets at ``lead`` days, special or not; shape ``mean.shape + (len(q),)``."""
        q = self.levels if q is None else q
        mean = np.asarray(mean, dtype=float)
        phi = np.broadcast_to(self.dispersion(lead, special), mean.shape[:1])
        out = np.full((*mean.shape, len(np.atleast_1d(q))), np.nan)
        for value in np.unique(phi):
            rows = phi == value
            out[rows] = count_quantiles(mean[rows], float(value), q)
        return out


def calibrate_quantiles(actual, mean, lead, special, quantiles=(0.1, 0.5, 0.9)):
    """Calibrate negative-binomial quantiles per horizon bucket and day kind.

    Parameters
    ----------
    actual, mean : array_like, shape (n, per_day)
        Observed counts and the out-of-sample forecasts made for them (rows = target days).
    lead : array_like of int, shape (n,)
        Days from each forecast's last history day to its target day.
    special : array_like of bool, shape (n,)
        Target day is special (holiday break, make-up workday, days around a break).
    quantiles : sequence of float

    Returns
    -------
    QuantileCalibration

    Notes
    -----
    Each bucket of :data:`HORIZON_BUCKETS` gets the dispersion of
    :func:`calibrate_dispersion` on its normal target days: the pinball-best member of the
    negative-binomial family, widened if needed until its central interval holds the
    nominal share of the past actuals (a split-conformal step on the family's spread).
    A bucket with no backtest day borrows from the nearest shorter bucket. Buckets are
    not forced to widen with the horizon: with few day-ahead rows the conformal margin of the
    day bucket is wide, and carrying it to the longer buckets made them over-cover. Special days
    are few, so they share one ratio to the normal dispersion of their bucket, calibrated on
    all of them and shrunk toward 1 by ``SPECIAL_PRIOR_DAYS`` pseudo-days; their
    dispersion is never below the normal one, and equals it when the backtest saw no
    special day.

    References
    ----------
    Gneiting, T. and Raftery, A. E. (2007). Strictly proper scoring rules, prediction, and
    estimation. JASA 102(477), 359-378.
    Vovk, V., Gammerman, A. and Shafer, G. (2005). Algorithmic Learning in a Random World,
    ch. 2 and 4 (conformal prediction).
    """
    y = np.asarray(actual, dtype=float)
    m = np.asarray(mean, dtype=float)
    if y.shape != m.shape:
        raise ValueError(f"actual and mean must have one shape, got {y.shape} and {m.shape}")
    y, m = y.reshape(len(y), -1), m.reshape(len(m), -1)
    lead = np.asarray(lead)
    special = np.asarray(special, dtype=bool)
    if lead.shape != (len(y),) or special.shape != (len(y),):
        raise ValueError(f"lead and special need one entry per row of actual ({len(y)})")
    levels = tuple(float(q) for q in np.atleast_1d(quantiles))
    bucket = horizon_bucket(lead) if len(lead) else lead.astype(int)
    seen = (np.isfinite(y) & np.isfinite(m)).any(axis=1)
    n_buckets = len(HORIZON_BUCKETS)
    phi = np.zeros((n_buckets, 2))
    days = np.zeros((n_buckets, 2), dtype=int)
    for b in range(n_buckets):
        rows = seen & (bucket == b) & ~special
        days[b, 0] = int(rows.sum())
        if rows.any():
            phi[b, 0] = calibrate_dispersion(y[rows], m[rows], levels)
        elif b > 0:
            phi[b, 0] = phi[b - 1, 0]
        elif (seen & ~special).any():
            # No day-ahead rows: take the shortest horizon that has some.
            first = int(bucket[seen & ~special].min())
            rows = seen & (bucket == first) & ~special
            phi[b, 0] = calibrate_dispersion(y[rows], m[rows], levels)
    rows = seen & special
    days[:, 1] = [int((rows & (bucket == b)).sum()) for b in range(n_buckets)]
    # Poisson-like normal days (phi 0) still give special days a scale to multiply.
    floor = np.maximum(phi[:, 0], _PHI_FLOOR)
    ratio = _special_ratio(y[rows], m[rows], floor[bucket[rows]], levels)
    phi[:, 1] = phi[:, 0] if ratio == 1.0 else np.maximum(phi[:, 0], floor * ratio)
    return QuantileCalibration(levels=levels, phi=phi, days=days)


#: Smallest dispersion a special-day ratio multiplies (the calibration grid's first step).
_PHI_FLOOR = 1e-4
#: Pseudo-days of "special = normal" behind a special-day ratio (see :func:`_special_ratio`).
SPECIAL_PRIOR_DAYS = 5.0


def _special_ratio(actual, mean, normal_phi, levels) -> float:
    """Ratio of special-day to normal-day dispersion, shrunk toward 1 when days are few."""
    n = len(actual)
    if n == 0:
        return 1.0
    scale = float(normal_phi.mean())
    ratio = calibrate_dispersion(actual, mean, levels, shape=normal_phi[:, None] / scale) / scale
    # Log-ratio shrunk by n / (n + n0): a handful of special days says little on its own.
    shrunk = np.exp(np.log(max(ratio, 1e-3)) * n / (n + SPECIAL_PRIOR_DAYS))
    return float(max(shrunk, 1.0))
