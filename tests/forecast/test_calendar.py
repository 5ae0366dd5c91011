"""Calendar checked against the State Council's published holiday notices."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import DAY_TYPES, ChineseCalendar, Event, HolidayCalendar, get_calendar

CN = get_calendar("CN")


def _types(start, end):
    return CN.day_types(pd.date_range(start, end))["day_type"]


# Official notices (国务院办公厅关于2024年/2025年部分节假日安排的通知), written out by hand.
NOTICES = {
    # Spring Festival 2024: Feb 10-17 off, Feb 4 (Sun) and Feb 18 (Sun) worked.
    "2024 Spring Festival": (("2024-02-10", "2024-02-17"), ["2024-02-04", "2024-02-18"]),
    # Qingming 2024: Apr 4-6 off, Apr 7 (Sun) worked.
    "2024 Qingming": (("2024-04-04", "2024-04-06"), ["2024-04-07"]),
    # Labour Day 2024: May 1-5 off, Apr 28 (Sun) and May 11 (Sat) worked.
    "2024 Labour Day": (("2024-05-01", "2024-05-05"), ["2024-04-28", "2024-05-11"]),
    # Mid-Autumn 2024: Sep 15-17 off, Sep 14 (Sat) worked.
    "2024 Mid-Autumn": (("2024-09-15", "2024-09-17"), ["2024-09-14"]),
    # National Day 2024: Oct 1-7 off, Sep 29 (Sun) and Oct 12 (Sat) worked.
    "2024 National Day": (("2024-10-01", "2024-10-07"), ["2024-09-29", "2024-10-12"]),
    # Spring Festival 2025: Jan 28 - Feb 4 off, Jan 26 (Sun) and Feb 8 (Sat) worked.
    "2025 Spring Festival": (("2025-01-28", "2025-02-04"), ["2025-01-26", "2025-02-08"]),
    # Labour Day 2025: May 1-5 off, Apr 27 (Sun) worked.
    "2025 Labour Day": (("2025-05-01", "2025-05-05"), ["2025-04-27"]),
    # Dragon Boat 2025: May 31 - Jun 2 off.
    "2025 Dragon Boat": (("2025-05-31", "2025-06-02"), []),
    # National Day + Mid-Autumn 2025: Oct 1-8 off, Sep 28 (Sun) and Oct 11 (Sat) worked.
    "2025 National Day": (("2025-10-01", "2025-10-08"), ["2025-09-28", "2025-10-11"]),
}


@pytest.mark.parametrize("name", list(NOTICES))
def test_official_breaks_and_makeup_workdays(name):
    (first, last), makeups = NOTICES[name]
    table = CN.day_types(pd.date_range(first, last))
    assert not table["is_workday"].any()
    assert table["in_break"].all()
    # The day before and after the break are working days.
    day = pd.Timedelta(days=1)
    edges = CN.day_types([pd.Timestamp(first) - day, pd.Timestamp(last) + day])
    assert edges["is_workday"].all()
    made_up = CN.day_types(makeups)
    assert (made_up["day_type"] == "makeup_workday").all()
    assert made_up["is_workday"].all()
    assert (made_up["weekday"] >= 5).all()


def test_statutory_days_2024_spring_festival():
    # 2024 law: Spring Festival is lunar day 1-3 (Feb 10-12); Feb 13-16 are moved days off.
    table = CN.day_types(pd.date_range("2024-02-09", "2024-02-18"))
    assert table["is_statutory"].tolist() == [False, True, True, True] + [False] * 6
    assert table["day_type"].tolist() == [
        "workday",
        "holiday",
        "holiday",
        "holiday",
        "bridge",
        "bridge",
        "bridge",
        "bridge",
        "weekend",
        "makeup_workday",
    ]
    assert (table.loc["2024-02-10":"2024-02-17", "holiday"] != "").all()
    assert table.loc["2024-02-18", "makeup_for"] != ""


def test_statutory_days_2025_new_law():
    # The 2024 revision adds New Year's Eve (Jan 28 2025) and May 2 as statutory days.
    table = CN.day_types(["2025-01-28", "2025-05-02", "2025-10-06", "2025-10-07"])
    assert table["is_statutory"].tolist() == [True, True, True, False]


def test_provisional_years():
    assert not CN.day_types(["2026-06-01"])["provisional"].item()
    later = CN.day_types([f"{CN.last_announced_year + 1}-06-01"])
    assert later["provisional"].item()
    # Lunar rules still place the Spring Festival in a provisional year: 2030-02-03.
    assert CN.day_types(["2030-02-03"])["day_type"].item() == "holiday"


def test_overrides_win_and_are_not_provisional():
    cal = ChineseCalendar(overrides={"2031-02-01": ("bridge", "Local extra day")})
    row = cal.day_types(["2031-02-01"]).iloc[0]
    assert row["day_type"] == "bridge"
    assert not row["provisional"]
    cal2 = CN.with_overrides({"2024-02-19": "holiday"})
    assert cal2.day_types(["2024-02-19"])["is_statutory"].item()
    assert CN.day_types(["2024-02-19"])["day_type"].item() == "workday"


def test_month_flags():
    table = CN.day_types(pd.date_range("2024-02-26", "2024-03-04"))
    # February 2024 has 29 days.
    assert table["month_end"].tolist() == [False, True, True, True, False, False, False, False]
    assert table["month_start"].tolist() == [False] * 4 + [True] * 3 + [False]


def test_index_is_normalized_dates_given():
    stamps = pd.DatetimeIndex(["2024-10-02 13:30", "2024-10-02 08:00", "2024-09-29 23:30"])
    table = CN.day_types(stamps)
    assert list(table.index) == list(stamps.normalize())
    assert table.index.name == "date"


def test_other_country_same_interface():
    us = get_calendar("US")
    table = us.day_types(["2026-11-26", "2026-07-03", "2026-07-04", "2026-07-06"])
    # Thanksgiving; Independence Day on a Saturday observed Friday Jul 3.
    assert table["day_type"].tolist() == ["holiday", "bridge", "holiday", "workday"]
    assert isinstance(get_calendar("US-CA"), HolidayCalendar)
    assert get_calendar(CN) is CN


@pytest.mark.parametrize("bad", ["XX", "ZZZ", "US-QQ", 12])
def test_unknown_code_is_named(bad):
    with pytest.raises(ValueError, match=str(bad)):
        get_calendar(bad)


def test_bad_override_named():
    with pytest.raises(ValueError, match="festival"):
        ChineseCalendar(overrides={"2024-01-05": "festival"})


def test_events_window():
    outage = Event("IVR down", "2024-03-05 10:00", "2024-03-05 12:00", kind="outage", lag=1800)
    assert outage.window == (pd.Timestamp("2024-03-05 10:00"), pd.Timestamp("2024-03-05 12:30"))
    cal = CN.with_events([outage])
    assert cal.events == (outage,)
    with pytest.raises(ValueError, match="kind"):
        Event("x", "2024-01-01", "2024-01-02", kind="meteor")
    with pytest.raises(ValueError, match="end"):
        Event("x", "2024-01-02", "2024-01-01")


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2029, 12, 31)),
        min_size=1,
        max_size=30,
    )
)
def test_day_type_invariants(dates):
    table = CN.day_types(dates)
    assert len(table) == len(dates)
    assert table["day_type"].isin(DAY_TYPES).all()
    types = table["day_type"]
    np.testing.assert_array_equal(
        table["is_workday"], types.isin(["workday", "makeup_workday"]).to_numpy()
    )
    np.testing.assert_array_equal(table["is_statutory"], (types == "holiday").to_numpy())
    # Make-up workdays fall on weekends; bridge days on weekdays unless a one-off extension.
    assert (table.loc[types == "makeup_workday", "weekday"] >= 5).all()
    # Statutory holidays are inside a break and named.
    assert table.loc[table["is_statutory"], "in_break"].all()
    assert (table.loc[table["is_statutory"], "holiday"] != "").all()
    # A query of scattered dates agrees with a query of the whole range.
    whole = CN.day_types(pd.date_range(min(dates), max(dates)))
    pd.testing.assert_frame_equal(table, whole.loc[table.index])
