"""Statistics over independent simulation replications: ratios of tallies, means and t-based
half-widths."""

from __future__ import annotations

import numpy as np
from scipy import stats


def ratio(num, den):
    """``num / den`` where ``den > 0``, nan elsewhere (no calls, no ratio)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def mean_half_width(values, confidence):
    """Mean over axis 0 ignoring nan, and the t-based half-width of that mean (nan with
    fewer than two values)."""
    values = np.asarray(values, dtype=float)
    n = np.sum(~np.isnan(values), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.nansum(values, axis=0)
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        dev = np.where(np.isnan(values), 0.0, values - mean)
        var = np.sum(dev**2, axis=0) / np.maximum(n - 1, 1)
        t = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
        half = np.where(n > 1, t * np.sqrt(var / np.maximum(n, 1)), np.nan)
    return mean, half
