import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.quantiles import (
    HORIZON_BUCKETS,
    calibrate_quantiles,
    count_quantiles,
    horizon_bucket,
)

LEVELS = (0.1, 0.5, 0.9)


def _gamma_poisson(rng, mean, phi, n_days):
    """Counts of a Poisson process whose rate carries one Gamma(mean 1, var phi) shock per
    day, shared by all its intervals: each interval is negative binomial with dispersion
    phi, and the errors are correlated within a day as real forecast errors are."""
    shock = rng.gamma(1 / phi, phi, size=(n_days, 1)) if phi > 0 else np.ones((n_days, 1))
    return rng.poisson(mean * shock).astype(float)


def _coverage(y, q):
    return float(np.mean((y >= q[..., 0]) & (y <= q[..., -1])))


def test_calibrated_coverage_near_nominal_per_bucket_and_day_kind():
    # A known process: dispersion grows with the lead and is larger on special days.
    # Calibrate on one simulated backtest, score the coverage on a fresh one.
    rng = np.random.default_rng(0)
    per_day = 8
    profile = rng.uniform(20, 200, per_day)
    truth = {(1, False): 0.004, (5, False): 0.01, (20, False): 0.02, (1, True): 0.06}

    def sample(n_days):
        actual, mean, lead, special = [], [], [], []
        for (ld, sp), phi in truth.items():
            days = n_days // 2 if sp else n_days
            actual.append(_gamma_poisson(rng, profile, phi, days))
            mean.append(np.tile(profile, (days, 1)))
            lead += [ld] * days
            special += [sp] * days
        return np.vstack(actual), np.vstack(mean), np.array(lead), np.array(special)

    fitted = calibrate_quantiles(*sample(300), LEVELS)
    actual, mean, lead, special = sample(400)
    q = fitted.quantiles(mean, lead, special)
    for ld, sp in truth:
        rows = (lead == ld) & (special == sp)
        assert 0.75 < _coverage(actual[rows], q[rows]) < 0.85, (ld, sp)
    # Special days were only simulated at lead 1: their pooled dispersion stands for all
    # buckets, never below the normal one.
    assert fitted.phi[0, 1] == pytest.approx(truth[(1, True)], rel=0.35)
    assert np.all(fitted.phi[:, 1] >= fitted.phi[:, 0])
    np.testing.assert_array_equal(fitted.days[:, 0], [300, 300, 300])


def test_poisson_errors_give_poisson_quantiles():
    rng = np.random.default_rng(1)
    mean = np.tile(rng.uniform(5, 80, 16), (300, 1))
    actual = rng.poisson(mean).astype(float)
    fitted = calibrate_quantiles(actual, mean, np.ones(300, int), np.zeros(300, bool))
    assert fitted.phi[0, 0] < 0.002
    fresh = rng.poisson(mean).astype(float)
    q = fitted.quantiles(mean, np.ones(300, int), np.zeros(300, bool))
    assert 0.77 < _coverage(fresh, q) < 0.88  # discrete quantiles cover a little more


def test_empty_buckets_borrow_from_shorter_horizons():
    rng = np.random.default_rng(2)
    mean = np.full((50, 4), 100.0)
    actual = _gamma_poisson(rng, mean[0], 0.01, 50)
    fitted = calibrate_quantiles(actual, mean, np.full(50, 1), np.zeros(50, bool))
    # Week and month buckets saw nothing: they take the day-ahead dispersion; special days
    # were never seen: they take the normal one.
    assert fitted.phi[1, 0] == fitted.phi[2, 0] == fitted.phi[0, 0] > 0
    np.testing.assert_array_equal(fitted.phi[:, 1], fitted.phi[:, 0])
    np.testing.assert_array_equal(fitted.days[1:], 0)


def test_horizon_bucket_edges_and_bad_lead():
    np.testing.assert_array_equal(horizon_bucket([1, 2, 7, 8, 31, 90]), [0, 1, 1, 2, 2, 2])
    assert HORIZON_BUCKETS[0] == 1
    with pytest.raises(ValueError, match="lead"):
        horizon_bucket([0])
    with pytest.raises(ValueError, match="one entry per row"):
        calibrate_quantiles(np.ones((3, 2)), np.ones((3, 2)), [1, 1], [False] * 3)


@settings(max_examples=40, deadline=None)
@given(
    low=st.floats(0.0, 300.0),
    extra=st.floats(0.0, 300.0),
    phi=st.sampled_from([0.0, 0.003, 0.05, 0.5]),
)
def test_quantiles_monotone_in_level_and_probability(low, extra, phi):
    q = count_quantiles(np.array([low, low + extra]), phi, (0.05, 0.1, 0.5, 0.9, 0.95))
    assert np.all(np.diff(q, axis=1) >= 0)  # in the probability
    assert np.all(q[1] >= q[0])  # in the level
    assert np.all(q >= 0)


@settings(max_examples=30, deadline=None)
@given(mean=st.floats(1.0, 500.0), phi=st.floats(0.0, 0.3), more=st.floats(0.0, 0.3))
def test_wider_dispersion_widens_the_interval(mean, phi, more):
    narrow = count_quantiles(np.array([mean]), phi, (0.1, 0.9))[0]
    wide = count_quantiles(np.array([mean]), phi + more, (0.1, 0.9))[0]
    assert wide[0] <= narrow[0] and wide[1] >= narrow[1]
