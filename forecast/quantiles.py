"""Calibrated quantiles: a negative-binomial count law fitted to backtest errors."""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["calibrate_dispersion", "count_quantiles", "nb_dispersion"]


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
        Dispersion (``Var = mean + phi mean²``); 0 gives Poisson quantiles.
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
    if phi == 0:
        out = stats.poisson.ppf(q, m)
    else:
        # NB2: n = 1/phi successes, p = n / (n + mean).
        n = 1.0 / phi
        out = stats.nbinom.ppf(q, n, n / (n + m))
    out = np.where(m == 0, 0.0, out)
    return np.where(np.isfinite(mean)[..., None], out, np.nan)


def calibrate_dispersion(actual, mean, quantiles=(0.1, 0.5, 0.9)) -> float:
    """Dispersion whose negative-binomial quantiles score best on past forecast errors.

    Parameters
    ----------
    actual, mean : array_like
        Observed counts and the out-of-sample forecasts made for them.
    quantiles : sequence of float
        Levels to calibrate.

    Returns
    -------
    float
        The ``phi`` on a logarithmic grid (plus 0 and the moment estimate) with the lowest
        mean pinball loss over ``quantiles``, raised if needed to the smallest ``phi`` whose
        outermost quantiles hold their nominal share of the past actuals (laws scored
        through their normal approximation). The pinball loss is a proper scoring rule for
        quantiles, so its minimiser is the best-calibrated member of the family.

    References
    ----------
    Gneiting, T. and Raftery, A. E. (2007). Strictly proper scoring rules, prediction, and
    estimation. JASA 102(477), 359-378.
    """
    y = np.asarray(actual, dtype=float).ravel()
    m = np.asarray(mean, dtype=float).ravel()
    ok = np.isfinite(y) & np.isfinite(m)
    if not ok.any():
        return 0.0
    y, m = y[ok], m[ok]
    levels = np.atleast_1d(np.asarray(quantiles, dtype=float))
    grid = np.r_[0.0, np.geomspace(1e-4, 1.0, 41), nb_dispersion(y, m)]
    # The search scores the normal approximation of each law (fast, smooth in phi); the
    # quantiles handed out are the exact negative-binomial ones.
    z = stats.norm.ppf(levels)
    sd = np.sqrt(m[None, :] + grid[:, None] * m[None, :] ** 2)
    approx = m[None, :, None] + sd[:, :, None] * z[None, None, :]
    diff = y[None, :, None] - approx
    loss = np.maximum(levels * diff, (levels - 1) * diff).mean(axis=(1, 2))
    if len(levels) < 2:
        return float(grid[int(np.argmin(loss))])
    # Central interval: take the smallest phi whose interval holds its nominal share of the
    # past actuals, unless the pinball optimum is already wider.
    lo, hi = np.argmin(levels), np.argmax(levels)
    inside = (y[None, :] >= approx[:, :, lo]) & (y[None, :] <= approx[:, :, hi])
    coverage = inside.mean(axis=1)
    best = grid[int(np.argmin(loss))]
    enough = np.flatnonzero(coverage >= levels[hi] - levels[lo])
    wide = grid[enough[np.argmin(grid[enough])]] if len(enough) else grid.max()
    return float(max(best, wide))
