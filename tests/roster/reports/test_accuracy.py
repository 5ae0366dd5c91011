"""Forecast accuracy by day and lead, against sums written out interval by interval, and the
store's round trip."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roster.reports.accuracy import (
    accuracy_by_day,
    accuracy_by_lead,
    read_forecast,
    store_forecast,
)


def _frames(seed=0, days=14):
    rng = np.random.default_rng(seed)
    index = pd.date_range("2026-02-01", periods=days * 48, freq="30min")
    mean = rng.uniform(5, 50, len(index))
    forecast = pd.DataFrame(
        {"mean": mean, "q0.1": mean * 0.7, "q0.5": mean, "q0.9": mean * 1.3}, index=index
    )
    actual = pd.Series(rng.poisson(mean).astype(float), index=index)
    return forecast, actual


def test_accuracy_by_day_against_loops():
    forecast, actual = _frames()
    out = accuracy_by_day(forecast, actual, issued="2026-01-25")
    for day in ("2026-02-01", "2026-02-09"):
        f, a = forecast.loc[day], actual.loc[day]
        abs_err = sum(abs(x - y) for x, y in zip(f["mean"], a, strict=True))
        inside = sum(lo <= y <= hi for lo, hi, y in zip(f["q0.1"], f["q0.9"], a, strict=True))
        row = out.loc[pd.Timestamp(day)]
        assert row["wape"] == pytest.approx(abs_err / a.sum())
        assert row["bias"] == pytest.approx((f["mean"].sum() - a.sum()) / a.sum())
        assert row["coverage"] == pytest.approx(inside / 48)
        assert row["band"] == "q0.1-q0.9"
    assert out["lead_days"].iloc[0] == 7  # 25 January to 1 February
    lead = accuracy_by_lead(out)
    # leads 7 to 20: one day in the first week, seven in the second, six in the third
    assert list(lead.index) == ["1-7", "8-14", "15-21"]
    assert list(lead["days"]) == [1, 7, 6]
    week = out[out["lead_days"].between(8, 14)]
    assert lead.loc["8-14", "wape"] == pytest.approx(
        (week["wape"] * week["actual"]).sum() / week["actual"].sum()
    )


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.5, 2.0))
def test_wape_bounds_bias_and_perfect_forecast(seed, scale):
    forecast, actual = _frames(seed, days=2)
    forecast = forecast * scale
    out = accuracy_by_day(forecast, actual)
    assert (out["wape"] >= out["bias"].abs() - 1e-12).all()
    assert out["coverage"].between(0, 1).all()
    perfect = accuracy_by_day(forecast.assign(mean=actual), actual)
    assert (perfect["wape"] == 0).all() and (perfect["bias"] == 0).all()


def test_store_round_trip_and_errors(tmp_path):
    forecast, _ = _frames(days=3)
    aht = pd.Series(300.0, index=forecast.index)
    path = store_forecast(forecast, tmp_path, aht=aht, issued="2026-01-28")
    assert path.name == "forecast_2026-02.csv"
    back, issued = read_forecast(tmp_path, month="2026-02")
    assert issued == pd.Timestamp("2026-01-28")
    pd.testing.assert_frame_equal(
        back.drop(columns="aht"), forecast, check_names=False, check_freq=False
    )
    with pytest.raises(ValueError, match=r"forecast_2026-03\.csv: no such forecast file"):
        read_forecast(tmp_path, month="2026-03")
    with pytest.raises(ValueError, match="share no interval"):
        accuracy_by_day(forecast, pd.Series(1.0, index=forecast.index + pd.Timedelta(days=30)))
