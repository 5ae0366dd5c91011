"""The intraday re-forecast: the gamma level update against brute force, its calibration on
a known process, and its errors."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from forecast import IntradayUpdate, level_posterior

PROFILE = np.r_[np.linspace(20, 80, 8), np.linspace(80, 30, 12)]


def _days(rng, n_days, cv=0.15, phi=0.02, drift=0.0):
    """Counts of days whose level ratio is Gamma(mean 1, cv²), intervals NB around it."""
    ratio = rng.gamma(1 / cv**2, cv**2, size=(n_days, 1))
    half = PROFILE.size // 2
    shift = np.ones((n_days, PROFILE.size))
    if drift:
        shift[:, half:] = rng.gamma(1 / drift, drift, size=(n_days, 1))
    rate = ratio * shift * PROFILE
    if phi:
        rate = rng.gamma(1 / phi, phi * rate)
    return rng.poisson(rate).astype(float), np.broadcast_to(PROFILE, (n_days, PROFILE.size))


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(0, 60), min_size=1, max_size=6),
    shape=st.floats(2.0, 200.0),
    prior_mean=st.floats(0.5, 1.5),
)
def test_poisson_posterior_matches_numerical_integration(counts, shape, prior_mean):
    # With phi = 0 the posterior mean of the ratio is the ratio of two integrals of the
    # Poisson likelihood times the gamma prior, computed here by quadrature.
    y = np.array(counts, dtype=float)
    m = np.linspace(5.0, 30.0, y.size)
    a, b = level_posterior(
        y[None], m[None], np.ones((1, y.size), bool), prior_mean=prior_mean, prior_shape=shape
    )
    prior = stats.gamma(shape, scale=prior_mean / shape)

    mode = (y.sum() + shape) / (m.sum() + shape / prior_mean)

    def log_weight(r):
        return stats.poisson.logpmf(y, r * m).sum() + prior.logpdf(r)

    top = log_weight(mode)

    def weight(r, power):
        return r**power * np.exp(log_weight(r) - top)

    hi = 10.0 * (1 + mode)
    opts = {"limit": 400, "points": [mode], "epsabs": 0, "epsrel": 1e-10}
    num = integrate.quad(weight, 1e-12, hi, args=(1,), **opts)[0]
    den = integrate.quad(weight, 1e-12, hi, args=(0,), **opts)[0]
    assert a[0] / b[0] == pytest.approx(num / den, rel=1e-5)


def test_unseen_intervals_leave_the_prior():
    a, b = level_posterior(
        np.full((2, 3), 99.0), np.ones((2, 3)), np.zeros((2, 3), bool), prior_shape=50
    )
    np.testing.assert_allclose(a / b, 1.0)
    np.testing.assert_allclose(a, 50.0)


def test_fit_recovers_level_spread_and_dispersion():
    y, m = _days(np.random.default_rng(0), 400, cv=0.15, phi=0.02)
    model = IntradayUpdate().fit_arrays(y, m)
    assert model.prior_mean_ == pytest.approx(1.0, abs=0.03)
    assert 1 / np.sqrt(model.prior_shape_) == pytest.approx(0.15, rel=0.15)
    assert model.dispersion_ == pytest.approx(0.02, rel=0.3)


@pytest.mark.parametrize("drift", [0.0, 0.02])
def test_update_beats_day_ahead_and_is_calibrated(drift):
    rng = np.random.default_rng(1)
    train_y, train_m = _days(rng, 200, cv=0.2, phi=0.005, drift=drift)
    test_y, test_m = _days(rng, 400, cv=0.2, phi=0.005, drift=drift)
    model = IntradayUpdate(quantiles=(0.1, 0.9)).fit_arrays(train_y, train_m)
    cut = 8
    mean, q = model.predict_arrays(test_y, test_m, cut)
    rest = (slice(None), slice(cut, None))
    wape_update = np.abs(test_y[rest] - mean[rest]).sum()
    wape_day = np.abs(test_y[rest] - test_m[rest]).sum()
    assert wape_update < 0.8 * wape_day
    inside = (test_y[rest] >= q[rest][..., 0]) & (test_y[rest] <= q[rest][..., 1])
    assert inside.mean() == pytest.approx(0.8, abs=0.04)
    # a drift in the afternoon is learned, not ignored
    assert (model.drift_ > 0.005) == (drift > 0)


@pytest.fixture
def fitted():
    y, m = _days(np.random.default_rng(2), 60)
    return IntradayUpdate().fit_arrays(y, m)


@pytest.fixture
def day():
    index = pd.date_range("2026-03-02 08:00", periods=PROFILE.size, freq="30min", name="ds")
    return pd.DataFrame({"mean": PROFILE, "q0.1": PROFILE * 0.8, "q0.9": PROFILE * 1.2}, index)


def test_update_frame_gives_the_rest_of_the_day(fitted, day):
    actuals = pd.Series(1.5 * PROFILE[:4], index=day.index[:4])
    out = fitted.update(day, actuals)
    assert out.index[0] == day.index[4] and out.index.equals(day.index[4:])
    assert list(out.columns) == ["mean", "q0.1", "q0.9", "day_ahead", "level_ratio"]
    assert (out["mean"] > out["day_ahead"]).all()
    assert (out["q0.1"] <= out["mean"]).all() and (out["mean"] <= out["q0.9"]).all()
    # a later now drops the intervals before it; an empty morning keeps the prior
    later = fitted.update(day, actuals, now=day.index[6])
    assert later.index.equals(day.index[6:])
    prior = fitted.update(day, actuals.iloc[:0])
    np.testing.assert_allclose(prior["mean"], fitted.prior_mean_ * day["mean"])


def test_fit_on_frames_equals_fit_on_arrays():
    y, m = _days(np.random.default_rng(3), 30)
    index = pd.DatetimeIndex(
        [
            pd.Timestamp("2026-01-01") + pd.Timedelta(days=d, hours=8, minutes=30 * i)
            for d in range(30)
            for i in range(PROFILE.size)
        ]
    )
    frame = IntradayUpdate().fit(
        pd.Series(y.ravel(), index), pd.DataFrame({"mean": m.ravel()}, index)
    )
    arrays = IntradayUpdate().fit_arrays(y, m)
    for name in ("prior_mean_", "prior_shape_", "dispersion_", "drift_"):
        assert getattr(frame, name) == pytest.approx(getattr(arrays, name))


def test_prior_from_the_forecasts_own_quantiles(day):
    from forecast.quantiles import count_quantiles

    phi = 0.02
    mean = np.linspace(200.0, 600.0, PROFILE.size)
    q = count_quantiles(mean, phi, (0.1, 0.9))
    frame = pd.DataFrame({"mean": mean, "q0.1": q[:, 0], "q0.9": q[:, 1]}, index=day.index)
    model = IntradayUpdate.from_quantiles(frame)
    assert 1 / model.prior_shape_ == pytest.approx(phi, rel=0.1)
    assert model.dispersion_ == 0 and model.drift_ == 0
    with pytest.raises(ValueError, match="two quantile columns"):
        IntradayUpdate.from_quantiles(frame[["mean", "q0.1"]])


def test_bad_actuals_are_named(fitted, day):
    good = pd.Series(PROFILE[:3], index=day.index[:3])
    with pytest.raises(ValueError, match=r"^actuals: interval .* after now="):
        fitted.update(day, good, now=day.index[2])
    with pytest.raises(ValueError, match=r"^actuals: interval .* not on the forecast's day"):
        fitted.update(day, pd.Series([3.0], index=[day.index[0] + pd.Timedelta(days=1)]))
    with pytest.raises(ValueError, match=r"^actuals: interval .* not an interval"):
        fitted.update(day, pd.Series([3.0], index=[day.index[0] - pd.Timedelta(hours=1)]))
    with pytest.raises(ValueError, match=r"^actuals: count at .* >= 0, got -1.0"):
        fitted.update(day, pd.Series([-1.0], index=day.index[:1]))
    with pytest.raises(ValueError, match=r"^now=.* outside the forecast's day"):
        fitted.update(day, good, now="2026-03-05 10:00")
    with pytest.raises(ValueError, match="call fit"):
        IntradayUpdate().update(day, good)
