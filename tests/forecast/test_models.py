import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import (
    CountRegression,
    Method95598,
    MultiSeasonal,
    SameDayTypeAverage,
    SeasonalNaive,
    TopDownDaily,
    day_features,
    get_calendar,
)
from forecast.calendar import PlainCalendar

PLAIN = PlainCalendar()


def _features(start, n_days, calendar=PLAIN):
    return day_features(pd.date_range(start, periods=n_days, freq="D"), calendar)


def test_same_day_type_average_hand_computed():
    # 5 weeks of 2 intervals per day; Mondays hold 1, 2, 3, 4, 5 in interval 0.
    days = _features("2025-03-03", 35)
    values = np.full((35, 2), 10.0)
    values[::7, 0] = [1, 2, 3, 4, 5]
    future = _features("2025-04-07", 2)  # a Monday and a Tuesday
    pred = SameDayTypeAverage(4).fit(values, days).predict(future)
    assert pred[0, 0] == pytest.approx((2 + 3 + 4 + 5) / 4)
    assert pred[1, 0] == 10.0
    naive = SeasonalNaive().fit(values, days).predict(future)
    assert naive[0, 0] == 5.0


def test_same_day_type_skips_missing_days_and_intervals():
    days = _features("2025-03-03", 28)
    values = np.full((28, 3), 4.0)
    values[21] = np.nan  # last Monday lost entirely
    values[14, 1] = np.nan
    pred = SameDayTypeAverage(2).fit(values, days).predict(_features("2025-03-31", 1))
    np.testing.assert_allclose(pred[0], [4.0, 4.0, 4.0])


def test_holiday_days_fall_back_to_sundays():
    cn = get_calendar("CN")
    days = _features("2025-08-04", 56, cn)  # no break in August-September before Oct 1
    values = np.where(days["weekday"].to_numpy()[:, None] == 6, 3.0, 9.0) * np.ones((56, 2))
    future = _features("2025-10-02", 1, cn)  # National Day
    pred = SameDayTypeAverage(4).fit(values, days).predict(future)
    np.testing.assert_allclose(pred, 3.0)


@settings(max_examples=6, deadline=None)
@given(
    level=st.floats(5, 500),
    shape=st.lists(st.floats(0.1, 3.0), min_size=4, max_size=4),
)
def test_models_reproduce_a_noiseless_weekly_pattern(level, shape):
    # A pure day-of-week × interval pattern with no noise and no trend must be forecast
    # exactly (to numerical tolerance) by every calendar-aware model.
    n_days = 70
    days = _features("2025-01-06", n_days)
    weekday_factor = np.array([1.2, 1.0, 1.0, 1.0, 0.9, 0.5, 0.4])
    values = level * weekday_factor[days["weekday"].to_numpy()][:, None] * np.array(shape)
    future = _features("2025-03-17", 7)
    expected = level * weekday_factor[future["weekday"].to_numpy()][:, None] * np.array(shape)
    for model in (SameDayTypeAverage(4), TopDownDaily(), CountRegression()):
        pred = model.fit(values, days).predict(future)
        np.testing.assert_allclose(pred, expected, rtol=2e-3, err_msg=type(model).__name__)


def test_count_regression_recovers_month_start_effect():
    # Poisson data with a +30% billing-day lift on days 1-3: the fitted effect, an
    # exp(coefficient), should match within sampling error.
    rng = np.random.default_rng(1)
    days = _features("2024-01-01", 364)
    base = np.array([20.0, 60.0, 80.0, 30.0])
    lift = np.where(days["dom"].to_numpy() <= 3, 1.3, 1.0)
    values = rng.poisson(lift[:, None] * base).astype(float)
    model = CountRegression(half_life=1e6, iterations=6).fit(values, days)
    cols = list(model.columns_)
    effects = np.exp(model.beta_[[cols.index(c) for c in ("dom1", "dom2", "dom3")]])
    np.testing.assert_allclose(effects, 1.3, atol=0.05)


def test_top_down_glm_matches_statsmodels_directly():
    # The daily GLM inside TopDownDaily equals a Poisson GLM fitted by hand on day totals.
    rng = np.random.default_rng(2)
    days = _features("2025-01-06", 56)
    values = rng.poisson(50, size=(56, 4)).astype(float)
    model = TopDownDaily(half_life=1e9).fit(values, days)
    totals = values.sum(axis=1)
    dates = days.index
    wd = dates.day_of_week.to_numpy()
    dom = dates.day.to_numpy()
    month_end = dom > dates.days_in_month.to_numpy() - 3
    X = np.column_stack(
        [np.ones(56)]
        + [(dom == k).astype(float) for k in (1, 2, 3)]
        + [month_end.astype(float)]
        + [(wd == w).astype(float) for w in range(1, 7)]
        + [((dates - dates[-1]).days.to_numpy()) / 365.25]
    )
    ref = sm.GLM(totals, X, family=sm.families.Poisson()).fit()
    np.testing.assert_allclose(model.glm_.params, ref.params, rtol=1e-6)


def test_95598_hand_computed_level():
    # 100 per workday, 50 per weekend day; the rule worked out by hand on the day totals.
    days = _features("2025-01-06", 91)
    per_day = np.where(days["weekday"].to_numpy() < 5, 100.0, 50.0)
    values = np.column_stack([per_day * 0.25] * 4)
    model = Method95598().fit(values, days)
    recent, before = per_day[-30:].mean(), per_day[-60:-30].mean()
    assert model.monthly_mean_ == pytest.approx(recent)
    assert model.recent_change_ == pytest.approx(recent / before - 1)
    future = _features("2025-04-08", 2)  # Tuesday, Wednesday (not month start/end)
    pred = model.predict(future).sum(axis=1)
    workday_ratio = 100.0 / per_day[-91:].mean()
    expected = recent * (recent / before) * workday_ratio
    np.testing.assert_allclose(pred, expected, rtol=1e-9)


def test_mstl_follows_weekly_and_daily_cycles():
    days = _features("2025-01-06", 56)
    hours = np.arange(8)
    daily = 10 + 5 * np.sin(hours / 8 * 2 * np.pi)
    weekday = np.array([1.2, 1.0, 1.0, 1.0, 0.9, 0.6, 0.5])
    values = weekday[days["weekday"].to_numpy()][:, None] * daily
    pred = MultiSeasonal(weeks=6).fit(values, days).predict(_features("2025-03-03", 7))
    expected = weekday[np.arange(7)][:, None] * daily
    np.testing.assert_allclose(pred, expected, atol=0.5)


@pytest.mark.parametrize(
    "model", [SameDayTypeAverage(4), TopDownDaily(), CountRegression(), Method95598()]
)
def test_too_short_history_named(model):
    days = _features("2025-01-06", 3)
    values = np.ones((3, 4))
    if isinstance(model, SameDayTypeAverage):
        with pytest.raises(RuntimeError, match="fit"):
            SameDayTypeAverage().predict(days)
        return
    with pytest.raises(ValueError, match="needs at least"):
        model.fit(values, days)


def test_bad_hyperparameters_named():
    days = _features("2025-01-06", 28)
    with pytest.raises(ValueError, match="n must be"):
        SameDayTypeAverage(0).fit(np.ones((28, 2)), days)
    with pytest.raises(ValueError, match="level"):
        TopDownDaily(level="arima").fit(np.ones((28, 2)), days)


def test_mstl_keeps_holidays_out_of_the_weekly_pattern_and_scales_them():
    # Chinese calendar: break days run at 30% of a workday, make-up workdays at a workday's
    # level; the weekly pattern after a break and the next break's depth must both hold.
    cn = get_calendar("CN")
    days = _features("2024-06-03", 480, cn)
    hours = np.arange(6)
    daily = 10 + 4 * np.sin(hours / 6 * 2 * np.pi)
    weekday = np.array([1.2, 1.0, 1.0, 1.0, 0.9, 0.6, 0.5])
    cls = days["day_class"].to_numpy()
    factor = np.where(cls == 7, 0.3, np.where(cls == 8, 1.0, weekday[np.minimum(cls, 6)]))
    values = 10 * factor[:, None] * daily
    model = MultiSeasonal().fit(values, days)
    future = _features(days.index[-1] + pd.Timedelta(days=1), 14, cn)
    pred = model.predict(future)
    fcls = future["day_class"].to_numpy()
    ordinary = fcls < 7
    expected = 10 * weekday[future["weekday"].to_numpy()][:, None] * daily
    np.testing.assert_allclose(pred[ordinary], expected[ordinary], rtol=0.05)
    assert (fcls == 7).any()
    ratio = pred[fcls == 7].sum(axis=1) / (10 * 1.0 * daily.sum())
    np.testing.assert_allclose(ratio, 0.3, rtol=0.1)


@pytest.mark.parametrize("horizon", [1, 7])
def test_multi_step_level_recovers_the_local_level_constant(horizon):
    # A local-level process (ARIMA(0,1,1)) with smoothing constant 0.3: simple exponential
    # smoothing with the true constant is the best forecast at every lead, so both the
    # one-step and the multi-step fit must find it.
    from forecast.models.mstl import multi_step_level

    rng = np.random.default_rng(3)
    noise = rng.normal(0, 1, 3000)
    level = 10 + np.cumsum(0.3 * noise)
    y = np.r_[10.0, level[:-1]] + noise
    alpha, last = multi_step_level(y, horizon)
    assert alpha == pytest.approx(0.3, abs=0.05)
    assert last == pytest.approx(level[-1], abs=0.5)


def test_multi_step_level_smooths_noise_around_a_constant():
    from forecast.models.mstl import multi_step_level

    rng = np.random.default_rng(4)
    # Mean-reverting day noise (AR(1), 0.6) around 5: the next day is partly predictable,
    # later days are not, so the level for a month of leads must be far smoother.
    e = np.zeros(600)
    for t in range(1, 600):
        e[t] = 0.6 * e[t - 1] + rng.normal(0, 0.1)
    one, _ = multi_step_level(5 + e, 1)
    month, last = multi_step_level(5 + e, 28)
    assert month < 0.2 < one
    assert last == pytest.approx(5, abs=0.1)
    with pytest.raises(ValueError, match="horizon"):
        multi_step_level(5 + e, 0)


def test_95598_forecasts_an_open_holiday_after_a_closed_one():
    """A bank open on weekdays only, shut on Labour Day, asked for Columbus Day (a holiday
    in the calendar, open in fact): the holiday ratio it never observed falls back instead
    of leaving the day without a forecast."""
    import forecast as fc

    days = pd.bdate_range("2003-06-02", "2003-10-10")
    days = days[days != pd.Timestamp("2003-09-01")]
    index = pd.DatetimeIndex(
        [d + pd.Timedelta(minutes=30 * k) for d in days for k in range(14, 42)]
    )
    rng = np.random.default_rng(0)
    history = pd.Series(rng.poisson(100, len(index)).astype(float), index=index)
    target = pd.date_range("2003-10-13 07:00", periods=28, freq="30min")
    out = fc.forecast(history, target, model="95598", calendar="US")
    assert np.isfinite(out.values["mean"]).all()
    assert out.values["mean"].mean() == pytest.approx(100, rel=0.2)
