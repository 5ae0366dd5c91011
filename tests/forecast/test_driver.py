import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import forecast as fc
from forecast.backtest import accuracy
from forecast.quantiles import calibrate_dispersion, count_quantiles, nb_dispersion


@pytest.fixture(scope="module")
def hotline():
    return fc.synthetic_hotline("2025-01-01", "2025-03-31", seed=11)


def test_forecast_series_shape_quantiles_and_details(hotline):
    history = hotline.volume[:-48]
    result = fc.forecast(history, 48, calendar="CN", events=hotline.events)
    out, details = result.values, result.details
    assert list(out.columns) == ["mean", "q0.1", "q0.5", "q0.9"]
    pd.testing.assert_index_equal(out.index, hotline.volume.index[-48:], check_names=False)
    assert (out["q0.1"] <= out["q0.5"]).all() and (out["q0.5"] <= out["q0.9"]).all()
    assert isinstance(details, fc.ForecastDetails)
    assert details.model in fc.AUTO_CANDIDATES
    assert set(details.backtest_wape_pct) == set(fc.AUTO_CANDIDATES)
    # The day's total is forecast within 15% of the true expected total.
    assert out["mean"].sum() == pytest.approx(hotline.rate[-48:].sum(), rel=0.15)


def test_outage_intervals_do_not_poison_history():
    hot = fc.synthetic_hotline("2025-01-06", "2025-04-06", seed=5, day_noise=0.0)
    (event,) = hot.events
    # Forecast the week right after the outage day; with the outage masked the same weekday
    # one week later is not inflated.
    cut = event.start.normalize() + pd.Timedelta(days=1)
    history = hot.volume[: cut - pd.Timedelta("1s")]
    target = pd.date_range(cut + pd.Timedelta(days=6), periods=48, freq="30min")
    result = fc.forecast(history, target, model="same_day_type", calendar="CN", events=hot.events)
    masked = result.values
    raw = fc.forecast(history, target, model="same_day_type", calendar="CN").values
    slot = (target >= target[0] + pd.Timedelta(hours=9)) & (
        target < target[0] + pd.Timedelta(hours=13)
    )
    assert masked.loc[slot, "mean"].sum() < raw.loc[slot, "mean"].sum() * 0.8
    assert result.details.history.outage_masked == 16


def test_business_hours_horizon_skips_closed_hours():
    days = pd.bdate_range("2025-01-06", periods=60)
    rng = np.random.default_rng(0)
    index = pd.DatetimeIndex(
        [d + pd.Timedelta(minutes=30 * k) for d in days for k in range(16, 36)]
    )
    history = pd.Series(rng.poisson(40, len(index)).astype(float), index=index)
    out = fc.forecast(history, 25, model="top_down").values
    # Friday 08:00 history end -> next open intervals are Monday 08:00-17:30 then Tuesday.
    assert out.index[0] == pd.Timestamp("2025-03-31 08:00")
    assert out.index[19] == pd.Timestamp("2025-03-31 17:30")
    assert out.index[20] == pd.Timestamp("2025-04-01 08:00")
    assert (out.index.hour >= 8).all() and (out.index.hour < 18).all()
    assert out["mean"].between(30, 50).all()


def test_long_frame_many_queues(hotline):
    frames = [
        pd.DataFrame({"unique_id": uid, "ds": hotline.volume.index, "y": hotline.volume * k})
        for uid, k in (("care", 1.0), ("billing", 0.5))
    ]
    result = fc.forecast(pd.concat(frames), 12, model="top_down", calendar="CN")
    out = result.values
    assert list(out.columns[:3]) == ["unique_id", "ds", "mean"]
    assert out.groupby("unique_id").size().to_dict() == {"billing": 12, "care": 12}
    care = out[out.unique_id == "care"]["mean"].to_numpy()
    billing = out[out.unique_id == "billing"]["mean"].to_numpy()
    np.testing.assert_allclose(billing, care * 0.5, rtol=1e-6)
    assert set(result.details) == {"care", "billing"}
    assert all(d.model == "top_down" for d in result.details.values())


def test_details_are_a_value_beside_the_frame(hotline):
    result = fc.forecast(hotline.volume[:-48], 48, model="top_down", calendar="CN")
    assert isinstance(result, fc.Forecast)
    details = result.details
    assert details.model == "top_down"
    assert details.fits >= 2
    assert details.dispersion == pytest.approx(float(details.calibration.dispersion(1, False)))
    # Nothing rides on the frame: copies, arithmetic and concatenation, which drop
    # DataFrame.attrs, leave the details untouched.
    assert result.values.attrs == {}
    scaled = pd.concat([result.values.copy() * 1.1])
    np.testing.assert_allclose(scaled["mean"], 1.1 * result.values["mean"])
    assert result.details is details
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.details = None


def test_long_frame_details_in_worker_processes(hotline):
    frame = pd.concat(
        pd.DataFrame({"unique_id": uid, "ds": hotline.volume.index, "y": hotline.volume * k})
        for uid, k in (("care", 1.0), ("billing", 0.5))
    )
    serial = fc.forecast(frame, 12, model="top_down", calendar="CN")
    pooled = fc.forecast(frame, 12, model="top_down", calendar="CN", n_jobs=2)
    pd.testing.assert_frame_equal(pooled.values, serial.values)
    assert set(pooled.details) == {"care", "billing"}
    for uid, details in pooled.details.items():
        assert details.model == serial.details[uid].model
        assert details.dispersion == pytest.approx(serial.details[uid].dispersion)
        assert details.fits == serial.details[uid].fits


def test_event_multiplier_scales_forecast(hotline):
    history = hotline.volume[:-48]
    start = hotline.volume.index[-48] + pd.Timedelta(hours=10)
    campaign = fc.Event(
        "SMS campaign", start, start + pd.Timedelta(hours=2), "campaign", 0, 0, 1.5
    )
    base = fc.forecast(history, 48, model="top_down", calendar="CN").values
    lifted = fc.forecast(history, 48, model="top_down", calendar="CN", events=[campaign]).values
    ratio = (lifted["mean"] / base["mean"]).to_numpy()
    np.testing.assert_allclose(ratio[20:24], 1.5)
    np.testing.assert_allclose(np.delete(ratio, range(20, 24)), 1.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": "prophet"}, "prophet"),
        ({"quantiles": (0.1, 1.2)}, "quantiles"),
        ({"horizon": 0}, "horizon"),
        ({"horizon": pd.DatetimeIndex(["2025-01-02 10:00"])}, "not after"),
        ({"horizon": pd.DatetimeIndex(["2026-01-02 10:10"])}, "off the"),
        ({"calendar": "XX"}, "XX"),
    ],
)
def test_bad_input_named(hotline, kwargs, match):
    args = {"horizon": 48, **kwargs}
    with pytest.raises(ValueError, match=match):
        fc.forecast(hotline.volume, **args)


def test_history_too_short_named():
    short = fc.synthetic_hotline("2025-01-01", "2025-01-05").volume
    with pytest.raises(ValueError, match="too short"):
        fc.forecast(short, 10)


def test_accuracy_hand_computed():
    acc = accuracy(
        [10, 20, 0, 30],
        [12, 18, 1, 30],
        scale=2.0,
        quantile_levels=(0.1, 0.9),
        quantile_values=np.array([[8, 11], [15, 25], [0, 2], [29, 31]]),
    )
    assert acc["wape_pct"] == pytest.approx(100 * 5 / 60)
    assert acc["mape_pct"] == pytest.approx(100 * (0.2 + 0.1 + 0) / 3)
    assert acc["mase"] == pytest.approx(1.25 / 2)
    assert acc["rmse"] == pytest.approx(np.sqrt((4 + 4 + 1 + 0) / 4))
    assert acc["coverage_pct"] == pytest.approx(100.0)
    # Pinball by hand: level 0.1 losses .2 .5 0 .1; level 0.9 losses .1 .5 .2 .1.
    assert acc["pinball"] == pytest.approx((0.8 + 0.9) / 8)


@settings(max_examples=30, deadline=None)
@given(mean=st.floats(0.5, 500), phi=st.sampled_from([0.0, 0.01, 0.2]))
def test_count_quantiles_match_scipy(mean, phi):
    q = count_quantiles(np.array([mean]), phi, (0.1, 0.5, 0.9))[0]
    if phi == 0:
        ref = stats.poisson(mean).ppf([0.1, 0.5, 0.9])
    else:
        r = 1 / phi
        ref = stats.nbinom(r, r / (r + mean)).ppf([0.1, 0.5, 0.9])
    np.testing.assert_array_equal(q, ref)
    # Variance of the law is mean + phi mean^2.
    if phi > 0:
        r = 1 / phi
        assert stats.nbinom(r, r / (r + mean)).var() == pytest.approx(mean + phi * mean**2)


def test_dispersion_recovered_and_calibrated():
    rng = np.random.default_rng(3)
    mean = rng.uniform(20, 200, size=3000)
    phi = 0.05
    r = 1 / phi
    y = rng.negative_binomial(r, r / (r + mean))
    assert nb_dispersion(y, mean) == pytest.approx(phi, rel=0.2)
    fitted = calibrate_dispersion(y, mean, (0.1, 0.9))
    q = count_quantiles(mean, fitted, (0.1, 0.9))
    coverage = np.mean((y >= q[:, 0]) & (y <= q[:, 1]))
    assert 0.76 < coverage < 0.86


def test_rolling_origin_uses_only_past(hotline):
    series, report = fc.check_history(hotline.volume)
    grid = fc.to_day_grid(series, report.interval)
    days = fc.day_features(grid.days, fc.get_calendar("CN"))
    res = fc.rolling_origin(fc.SeasonalNaive(), grid.values, days, lead=7, origins=5)
    # Week-ahead seasonal naive = the same weekday 7 days earlier, exactly.
    targets = np.flatnonzero(np.isin(grid.days, res.days))
    np.testing.assert_array_equal(res.mean, grid.values[targets - 7])
    table = fc.score(res)
    assert {"wape_pct", "mase", "coverage_pct"} <= set(table.columns)


def test_aht_profile_shrinks_thin_intervals():
    index = pd.date_range("2025-03-03", periods=48 * 28, freq="30min")
    slot = np.tile(np.arange(48), 28)
    aht = pd.Series(np.where(slot == 3, 600.0, 300.0), index=index)
    weight = pd.Series(np.where(slot == 3, 1.0, 100.0), index=index)
    target = pd.date_range("2025-03-31", periods=48, freq="30min")
    out = fc.forecast_aht(aht, target, weight=weight, shrink=50.0)
    assert out.iloc[10] == pytest.approx(300.0, rel=0.02)
    # Slot 3: 4 contacts per class of 600 s against 50 pseudo-contacts of the day mean.
    day_mean = (47 * 100 * 300 + 1 * 600) / (47 * 100 + 1)
    n = 4.0  # one Monday-interval per week for 4 weeks, weight 1 each
    assert out.iloc[3] == pytest.approx((n * 600 + 50 * day_mean) / (n + 50), rel=1e-6)


def test_long_frame_error_names_the_series(hotline):
    good = pd.DataFrame({"unique_id": "care", "ds": hotline.volume.index, "y": hotline.volume})
    bad = good.assign(unique_id="billing")
    bad.iloc[100, bad.columns.get_loc("y")] = -3
    with pytest.raises(ValueError, match=r"unique_id='billing'.*negative"):
        fc.forecast(pd.concat([good, bad]), 4, model="same_day_type")
    with pytest.raises(ValueError, match="unique_id"):
        fc.forecast(good.drop(columns="unique_id"), 4)
