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


def test_coverage_floor_matches_a_brute_force_search():
    # The floor is the smallest dispersion whose (continuity-corrected, normal-approximated)
    # 10%-90% interval holds the target share; a fine brute-force scan over phi must agree.
    from scipy import stats

    from forecast.quantiles import _coverage_floor

    rng = np.random.default_rng(5)
    m = rng.uniform(3, 400, 600)
    y = rng.poisson(m * rng.gamma(1 / 0.02, 0.02, 600)).astype(float)
    s = np.ones_like(m)
    target = 0.8 + 0.2 / 61
    floor = _coverage_floor(y, m, s, 0.1, 0.9, target)
    grid = np.linspace(0, 0.1, 200_001)
    z = stats.norm.ppf(0.9)
    gap = np.maximum(np.abs(y - m) - 0.5, 0.0)
    covered = np.array([np.mean(gap <= z * np.sqrt(m + g * m**2)) for g in grid[::100]])
    coarse = grid[::100][np.argmax(covered >= target)]
    fine = grid[(grid >= coarse - 5e-5) & (grid <= coarse)]
    covered = np.array([np.mean(gap <= z * np.sqrt(m + g * m**2)) for g in fine])
    assert floor == pytest.approx(fine[np.argmax(covered >= target)], abs=1e-6)


@pytest.mark.parametrize(("low", "high", "phi"), [(5, 40, 0.02), (600, 1500, 0.0071)])
def test_coverage_of_fresh_days_matches_the_true_law(low, high, phi):
    # Gamma-Poisson days of known dispersion: calibrated on 1500 days, the band must hold
    # as many of 1500 fresh days' counts as the true law's own integer quantiles do (exact
    # negative-binomial probabilities; above 80% for small counts, both ends being
    # included). For large counts the dispersion must not be rounded up to a grid point:
    # 0.0071 lies between two points of the search grid, 12% apart in spread.
    from scipy import stats

    rng = np.random.default_rng(int(high))
    profile = rng.uniform(low, high, 8)
    mean = np.tile(profile, (1500, 1))
    lead, special = np.ones(1500, int), np.zeros(1500, bool)
    fitted = calibrate_quantiles(_gamma_poisson(rng, profile, phi, 1500), mean, lead, special)
    q = fitted.quantiles(mean, lead, special)
    n, p = 1 / phi, 1 / (1 + phi * profile)
    lo, hi = stats.nbinom.ppf(0.1, n, p), stats.nbinom.ppf(0.9, n, p)
    exact = float(np.mean(stats.nbinom.cdf(hi, n, p) - stats.nbinom.cdf(lo - 1, n, p)))
    coverage = _coverage(_gamma_poisson(rng, profile, phi, 1500), q)
    assert coverage == pytest.approx(exact, abs=0.025)
    assert 0.775 < coverage < 0.85
    if low > 100:
        assert exact < 0.81
        assert fitted.phi[0, 0] == pytest.approx(phi, rel=0.08)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 60),
    low=st.sampled_from([0.05, 0.1, 0.25]),
    high=st.sampled_from([0.75, 0.9, 0.95]),
    zeros=st.booleans(),
)
def test_coverage_floor_is_the_smallest_dispersion_reaching_the_target(seed, n, low, high, zeros):
    from scipy import stats

    from forecast.quantiles import _coverage_floor

    rng = np.random.default_rng(seed)
    m = rng.uniform(0, 200, n) * (rng.random(n) > 0.2 if zeros else 1)
    y = rng.poisson(m * rng.gamma(5, 0.2, n)).astype(float)
    target = (high - low) + (1 - high + low) / (n + 1)
    phi = _coverage_floor(y, m, np.ones(n), low, high, target)
    assert 0 <= phi <= 1

    def covered(p):
        sd = np.sqrt(m + p * m**2)
        gap = np.abs(y - m) - 0.5
        z = np.where(y >= m, stats.norm.ppf(high), -stats.norm.ppf(low))
        return np.mean(gap <= z * sd + 1e-9)

    if phi < 1:
        assert covered(phi) >= target - 1e-12
    if phi > 0:
        assert covered(phi * (1 - 1e-6)) < target
