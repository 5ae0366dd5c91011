import numpy as np
import pandas as pd
import pytest

from forecast import get_calendar
from forecast.synthetic import synthetic_hotline


@pytest.fixture(scope="module")
def year():
    return synthetic_hotline("2024-01-01", "2024-12-31", seed=3)


def test_shape_and_reproducible(year):
    assert len(year.volume) == 366 * 48
    assert year.volume.index.freq == pd.Timedelta("30min")
    assert year.volume.dtype == np.int64
    again = synthetic_hotline("2024-01-01", "2024-12-31", seed=3)
    pd.testing.assert_series_equal(year.volume, again.volume)
    other = synthetic_hotline("2024-01-01", "2024-12-31", seed=4)
    assert not year.volume.equals(other.volume)


def test_counts_are_poisson_around_rate(year):
    # Total count: Poisson sum, sd = sqrt(total rate).
    total = year.rate.sum()
    assert abs(year.volume.sum() - total) < 5 * np.sqrt(total)


def test_calendar_effects_in_rate(year):
    daily = year.rate.resample("D").sum()
    days = get_calendar("CN").day_types(daily.index)
    # Spring Festival 2024 (Feb 10-17) well below the surrounding workdays.
    sf = daily["2024-02-10":"2024-02-17"].mean()
    workdays = daily[days["day_type"].eq("workday").to_numpy()]
    assert sf < 0.6 * workdays["2024-01-15":"2024-03-15"].mean()
    # Make-up workdays (Sundays Feb 4 and Feb 18) look like workdays, not Sundays.
    sundays = daily[(days["weekday"] == 6).to_numpy() & ~days["in_break"].to_numpy()]
    assert daily["2024-02-04"] > 1.3 * sundays["2024-01":"2024-03"].median()
    # Billing-day peak: the 1st-3rd of a month above mid-month on matching day types.
    wd = days["day_type"].eq("workday").to_numpy()
    first = daily[wd & (daily.index.day <= 3)].mean()
    mid = daily[wd & (daily.index.day >= 10) & (daily.index.day <= 20)].mean()
    assert first > 1.05 * mid


def test_outage_injected_inside_history(year):
    (event,) = year.events
    assert event.kind == "outage"
    lo, hi = event.window
    inside = year.rate[lo : hi - pd.Timedelta("1ns")]
    same_slot_week_before = year.rate[
        lo - pd.Timedelta(days=7) : hi - pd.Timedelta(days=7, nanoseconds=1)
    ]
    assert inside.sum() > 1.8 * same_slot_week_before.sum()


def test_aht_is_seconds_around_mean(year):
    assert 250 < year.aht.mean() < 420
    assert (year.aht > 0).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"freq": "7min"}, "freq"),
        ({"end": "2023-01-01"}, "end"),
        ({"daily_volume": -1}, "daily_volume"),
        ({"day_noise": 1.5}, "day_noise"),
    ],
)
def test_bad_arguments_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        synthetic_hotline(**{"start": "2024-01-01", "end": "2024-01-10", **kwargs})
