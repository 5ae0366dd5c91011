import copy

import numpy as np
import pandas as pd
import pytest

import forecast as fc
from forecast.backtest import backtest_paths, rolling_origin
from forecast.calendar import PlainCalendar


def _weekday_history(n_days=120, seed=0, business=False):
    rng = np.random.default_rng(seed)
    days = fc.day_features(pd.date_range("2025-01-06", periods=n_days, freq="D"), PlainCalendar())
    level = np.array([120, 100, 100, 100, 90, 50, 40.0])[days["weekday"].to_numpy()]
    trend = np.exp(np.cumsum(rng.normal(0, 0.02, n_days)))
    values = rng.poisson((level * trend)[:, None] * np.array([0.2, 0.5, 0.3])).astype(float)
    if business:
        values[days["weekday"].to_numpy() >= 5] = np.nan
    return values, days


def test_paths_score_every_lead_from_one_fit():
    values, days = _weekday_history()
    res = backtest_paths(fc.SeasonalNaive(), values, days, ends=[100, 110], max_lead=9)
    assert len(res.days) == 18
    np.testing.assert_array_equal(res.leads, np.tile(np.arange(1, 10), 2))
    # Seasonal naive from the fit ending at ``end``: the latest same weekday before end.
    for row, (day, lead) in enumerate(zip(res.days, res.leads, strict=True)):
        target = days.index.get_loc(day)
        end = target - lead + 1
        source = max(i for i in range(end) if (target - i) % 7 == 0)
        np.testing.assert_array_equal(res.mean[row], values[source])


def test_paths_skip_closed_days_and_days_past_the_history():
    values, days = _weekday_history(business=True)
    res = backtest_paths(fc.SameDayTypeAverage(2), values, days, ends=[113], max_lead=14)
    assert (res.days.day_of_week < 5).all()
    assert res.days.max() == days.index[-1]


def test_rolling_origin_needs_days_with_data_not_calendar_days():
    # A business-hours history: 28 open days need about 40 calendar days.
    values, days = _weekday_history(n_days=45, business=True)
    res = rolling_origin(fc.TopDownDaily(), values, days, lead=1, origins=10)
    open_days = np.isfinite(values).any(axis=1)
    for day in res.days:
        end = days.index.get_loc(day)
        assert open_days[:end].sum() >= fc.TopDownDaily.min_days


def test_frozen_ets_reuses_parameters_without_look_ahead():
    values, days = _weekday_history(n_days=150)
    first = fc.TopDownDaily(level="ets").fit(values[:120], days.iloc[:120])
    template = first.frozen_template()
    assert template.ets_params == pytest.approx(
        tuple(
            first.ets_.params[k] for k in ("smoothing_level", "smoothing_trend", "damping_trend")
        )
    )
    # Refitting with frozen smoothing parameters on the same data gives the same forecast.
    again = copy.deepcopy(template).fit(values[:120], days.iloc[:120])
    np.testing.assert_allclose(
        again.predict(days.iloc[120:127]), first.predict(days.iloc[120:127]), rtol=0.02
    )
    fast = rolling_origin(fc.TopDownDaily(level="ets"), values, days, origins=10, refit=False)
    full = rolling_origin(fc.TopDownDaily(level="ets"), values, days, origins=10)
    np.testing.assert_allclose(fast.mean, full.mean, rtol=0.05)


def test_auto_chooses_among_candidates_with_ets_and_calibrates_special_days():
    hot = fc.synthetic_hotline("2024-10-01", "2025-02-20", seed=3)
    details = fc.forecast(hot.volume, 96, calendar="CN", events=hot.events).details
    assert "top_down_ets" in fc.AUTO_CANDIDATES
    assert set(details.backtest_wape_pct) == set(fc.AUTO_CANDIDATES)
    cal = details.calibration
    # The Spring Festival break is in the history: special days were backtested apart.
    assert cal.days[:, 1].sum() > 0
    assert np.all(cal.phi[:, 1] >= cal.phi[:, 0])
    assert details.dispersion == pytest.approx(cal.phi[0, 0])


def test_ets_path_matches_statsmodels_forecast():
    values, days = _weekday_history(n_days=150, seed=5)
    model = fc.TopDownDaily(level="ets").fit(values, days)
    steps = np.array([1, 2, 5, 9, 30])
    reference = np.asarray(model.ets_.forecast(30))[steps - 1]
    np.testing.assert_allclose(model._ets_path(steps), reference, rtol=1e-10)


def test_fixed_holt_matches_statsmodels_least_squares_initial_states():
    import warnings

    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    from forecast.models.topdown import _FixedHolt

    rng = np.random.default_rng(4)
    y = 7 + np.cumsum(rng.normal(0.002, 0.01, 150)) + rng.normal(0, 0.04, 150)
    alpha, beta, phi = 0.35, 0.04, 0.92
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = ExponentialSmoothing(
            y, trend="add", damped_trend=True, initialization_method="estimated"
        ).fit(
            smoothing_level=alpha,
            smoothing_trend=beta,
            damping_trend=phi,
            method="least_squares",
            use_brute=False,
        )
    ours = _FixedHolt(y, alpha, beta, phi)
    assert ours.sse == pytest.approx(reference.sse, rel=1e-6)
    assert ours.level[-1] == pytest.approx(reference.level[-1], abs=1e-6)
    assert ours.trend[-1] == pytest.approx(reference.trend[-1], abs=1e-6)
