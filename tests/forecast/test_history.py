import numpy as np
import pandas as pd
import pytest

from forecast import Event, check_history, day_features, get_calendar, to_day_grid


def _series(n=96, freq="30min", start="2025-03-03"):
    index = pd.date_range(start, periods=n, freq=freq)
    return pd.Series(np.arange(n, dtype=float), index=index)


def test_sorted_and_exact_duplicates_repaired_and_reported():
    s = _series()
    messy = pd.concat([s.iloc[::-1], s.iloc[:3]])
    clean, report = check_history(messy)
    pd.testing.assert_series_equal(clean, s.rename(None).rename_axis("ds"), check_freq=False)
    assert report.sorted
    assert report.duplicates_dropped == 3
    assert report.rows == len(messy)
    assert report.interval == 1800


def test_conflicting_duplicates_named():
    s = _series()
    bad = pd.concat([s, pd.Series([999.0], index=[s.index[5]])])
    with pytest.raises(ValueError, match="2025-03-03 02:30"):
        check_history(bad)


def test_negative_and_infinite_counts_named():
    s = _series()
    s.iloc[7] = -4
    with pytest.raises(ValueError, match=r"negative.*-4"):
        check_history(s)
    s.iloc[7] = np.inf
    with pytest.raises(ValueError, match="infinite"):
        check_history(s)


def test_mixed_frequencies_rejected():
    s = _series()
    odd = pd.Series([1.0], index=[pd.Timestamp("2025-03-03 10:10")])
    with pytest.raises(ValueError, match="off the 0 days 00:30:00 grid"):
        check_history(pd.concat([s, odd]))


def test_bad_types_and_freq():
    with pytest.raises(ValueError, match="DatetimeIndex"):
        check_history(pd.Series([1.0, 2.0]))
    with pytest.raises(ValueError, match="does not divide a day"):
        check_history(_series(), freq="7min")
    with pytest.raises(TypeError, match="DataFrame"):
        check_history(_series().to_frame())


def test_outage_masked_and_counted():
    s = _series()
    outage = Event("IVR down", "2025-03-03 10:00", "2025-03-03 11:00", kind="outage")
    campaign = Event("SMS", "2025-03-03 12:00", "2025-03-03 13:00", kind="campaign")
    clean, report = check_history(s, events=[outage, campaign])
    assert report.outage_masked == 2
    assert clean["2025-03-03 10:00":"2025-03-03 10:30"].isna().all()
    assert clean["2025-03-03 12:00"] == s["2025-03-03 12:00"]


def test_business_hours_gaps_are_not_zeros():
    # Open 08:00-12:00 on weekdays only.
    days = pd.bdate_range("2025-03-03", periods=10)
    index = pd.DatetimeIndex(
        [d + pd.Timedelta(minutes=30 * k) for d in days for k in range(16, 24)]
    )
    s = pd.Series(5.0, index=index)
    clean, report = check_history(s)
    grid = to_day_grid(clean, report.interval)
    assert grid.values.shape == (12, 48)
    assert np.isnan(grid.values[5]).all()  # Saturday: closed, not zero
    assert grid.present[0, 16:24].all() and not grid.present[0, :16].any()
    assert np.nansum(grid.values) == s.sum()


def test_day_features_classes_and_breaks():
    days = pd.date_range("2025-09-26", "2025-10-12")
    feats = day_features(days, get_calendar("CN"))
    cls = feats["day_class"]
    assert cls["2025-10-03"] == 7 and cls["2025-10-04"] == 7  # inside the break
    assert cls["2025-09-28"] == 8 and cls["2025-10-11"] == 8  # make-up workdays
    assert cls["2025-09-29"] == 0  # ordinary Monday
    assert feats.loc["2025-10-09", "after_break"]
    assert feats.loc["2025-09-30", "before_break"]
    assert feats["after_break"].sum() == 1 and feats["before_break"].sum() == 1
