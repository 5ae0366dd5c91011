import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import forecast as fc
from forecast.aht import AHTProfile
from forecast.calendar import PlainCalendar
from forecast.history import HOLIDAY_CLASS

CN = fc.get_calendar("CN")


def _days(start, n, calendar=CN):
    return fc.day_features(pd.date_range(start, periods=n, freq="D"), calendar)


def _true_aht(days, per_day):
    """A known AHT law: a cosine day shape, longer on days off, a U shape on break days."""
    hours = (np.arange(per_day) + 0.5) * 24 / per_day
    work = 300 * (1 + 0.15 * np.cos(2 * np.pi * (hours - 3) / 24))
    off = 330 * (1 + 0.25 * np.cos(2 * np.pi * (hours - 3) / 24))
    table = np.vstack([work] * 5 + [off] * 2 + [off * 1.1, work])
    return table[days["day_class"].to_numpy()], table


def test_recovers_a_known_profile_from_noisy_contacts():
    # Each interval's AHT is the mean of Poisson-many exponential handle times around the
    # true profile: the weighted estimate must land within a few percent of the truth.
    rng = np.random.default_rng(4)
    days = _days("2025-06-02", 56, PlainCalendar())
    per_day = 12
    truth, table = _true_aht(days, per_day)
    contacts = rng.poisson(400, size=truth.shape).astype(float)
    sums = rng.gamma(np.maximum(contacts, 1), truth)  # sum of exponential handle times
    observed = np.where(contacts > 0, sums / np.maximum(contacts, 1), np.nan)
    model = AHTProfile(weeks=8, shrink=5.0).fit(observed, days, weight=contacts)
    future = _days("2025-07-28", 7, PlainCalendar())
    pred = model.predict(future)
    expected = table[future["day_class"].to_numpy()]
    np.testing.assert_allclose(pred, expected, rtol=0.05)  # 3.5 standard errors


def test_rare_day_class_keeps_a_shape_not_a_flat_line():
    # Eight weeks of history with no break day in them: the National Day forecast must
    # borrow the Sunday shape (scaled), not a flat mean.
    days = _days("2025-08-04", 56)
    per_day = 24
    truth, _ = _true_aht(days, per_day)
    assert not (days["day_class"] == HOLIDAY_CLASS).any()
    model = AHTProfile(weeks=8).fit(truth, days, weight=np.full(truth.shape, 40.0))
    national_day = _days("2025-10-02", 1)
    pred = model.predict(national_day)[0]
    sunday = model.predict(_days("2025-09-28", 1))[0]
    assert np.corrcoef(pred, sunday)[0, 1] > 0.99
    assert pred.max() / pred.min() > 1.3  # the shape kept, not a flat line


def test_old_break_days_are_used_beyond_the_window():
    # Break days older than the window still inform the break profile (level 10% above
    # the Sunday one in the truth).
    days = _days("2025-01-06", 230)
    truth, table = _true_aht(days, 8)
    model = AHTProfile(weeks=4).fit(truth, days, weight=np.full(truth.shape, 100.0))
    pred = model.predict(_days("2025-10-02", 1))[0]
    np.testing.assert_allclose(pred, table[HOLIDAY_CLASS], rtol=0.03)


@settings(max_examples=15, deadline=None)
@given(level=st.floats(60, 900), shrink=st.floats(0, 200))
def test_constant_aht_is_forecast_exactly(level, shrink):
    days = _days("2025-03-03", 28)
    values = np.full((28, 6), level)
    pred = AHTProfile(shrink=shrink).fit(values, days).predict(_days("2025-09-29", 10))
    np.testing.assert_allclose(pred, level, rtol=1e-9)


def test_bad_input_named():
    days = _days("2025-03-03", 7)
    with pytest.raises(ValueError, match="positive"):
        AHTProfile().fit(np.full((7, 2), -1.0), days)
    with pytest.raises(ValueError, match="weeks"):
        AHTProfile(weeks=0).fit(np.ones((7, 2)), days)
    with pytest.raises(RuntimeError, match="fit"):
        AHTProfile().predict(days)


def test_forecast_returns_aht_beside_volume():
    hot = fc.synthetic_hotline("2025-01-01", "2025-03-31", seed=11)
    out = fc.forecast(
        hot.volume[:-48], 48, model="same_day_type", calendar="CN", aht=hot.aht
    ).values
    assert list(out.columns) == ["mean", "q0.1", "q0.5", "q0.9", "aht"]
    # The generator's AHT: a smooth profile with 3% noise around 330 s (thin night
    # intervals are pulled toward the day's mean, so they miss a little more).
    assert np.mean(np.abs(out["aht"] / hot.aht[-48:] - 1)) < 0.05
    ref = fc.forecast_aht(hot.aht[:-48], out.index, weight=hot.volume[:-48], calendar="CN")
    np.testing.assert_allclose(out["aht"], ref, rtol=1e-9)
    frame = pd.DataFrame(
        {"unique_id": "care", "ds": hot.volume.index[:-48], "y": hot.volume[:-48]}
    )
    aht = pd.DataFrame({"unique_id": "care", "ds": hot.aht.index, "aht": hot.aht})
    long = fc.forecast(frame, 48, model="same_day_type", calendar="CN", aht=aht).values
    np.testing.assert_allclose(long["aht"], out["aht"])
