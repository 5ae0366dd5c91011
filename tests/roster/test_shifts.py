import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from roster.shifts import (
    DAY,
    BreakRule,
    ShiftTemplate,
    clock,
    parse_clock,
    shift_family,
    twelve_hour_bands,
)

H = 3600


def test_parse_and_format_clock():
    assert parse_clock("08:30") == 8 * H + 1800
    assert parse_clock("0830") == 8 * H + 1800
    assert parse_clock("32:00") == DAY + 8 * H
    assert parse_clock(123) == 123
    assert clock(DAY) == "24:00"
    assert clock(DAY + H) == "01:00"
    with pytest.raises(ValueError, match="8h30"):
        parse_clock("8h30")


def test_day_shift_times_and_pay():
    t = ShiftTemplate.from_clock(
        "08:00", "17:00", breaks=(BreakRule(3600, 3 * H, 5 * H),), short_breaks=300
    )
    assert t.name == "0800-1700"
    assert (t.start, t.length, t.end) == (8 * H, 9 * H, 17 * H)
    assert not t.crosses_midnight
    assert t.paid_time == 8 * H  # 9 h attendance minus the unpaid hour
    # 8 h off break, less 5 min of every hour
    assert t.work_time == pytest.approx(8 * H * (1 - 300 / 3600))
    assert t.night_class == "none"


def test_explicit_paid_time_overrides_derivation():
    t = ShiftTemplate("X", 0, 8 * H, paid=7 * H)
    assert t.paid_time == 7 * H


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("08:00", "17:00", "none"),
        ("13:00", "21:59", "none"),
        ("14:00", "22:00", "small"),  # manual: ends 22:00 -> small night
        ("15:00", "23:00", "small"),  # ends 23:00 -> small night
        ("16:00", "23:59", "big"),  # ends 23:59 -> big night
        ("13:00", "24:00", "big"),  # late 13-24 shift of the manual
        ("16:00", "00:30", "big"),  # crosses midnight
        ("20:00", "08:00", "big"),  # twelve-hour night band
        ("00:00", "08:00", "big"),
        ("18:00", "09:00", "big"),  # worked through the night
        ("00:00", "09:00", "none"),  # the rule looks at the end only
        ("05:00", "13:00", "none"),
        ("08:00", "20:00", "none"),
    ],
)
def test_night_class_by_end_time(start, end, expected):
    assert ShiftTemplate.from_clock(start, end).night_class == expected


def test_crossing_midnight_coverage_runs_into_next_day():
    t = ShiftTemplate.from_clock("20:00", "08:00")
    assert t.crosses_midnight and t.end == DAY + 8 * H and t.end_clock == 8 * H
    cov = t.coverage(1800)
    assert cov.shape == (96,)
    assert cov.sum() == 24  # twelve hours of half-hours
    assert cov[40] == 1 and cov[39] == 0 and cov[48 + 15] == 1 and cov[48 + 16] == 0
    np.testing.assert_array_equal(t.intervals(1800), np.arange(40, 64))


def test_partial_interval_coverage_is_fractional():
    t = ShiftTemplate("Q", 8 * H + 900, 8 * H)
    cov = t.coverage(1800)
    assert cov[16] == 0.5 and cov[17] == 1.0 and cov[32] == 0.5
    assert cov.sum() == pytest.approx(16)


def test_split_shift_segments():
    t = ShiftTemplate("S", 7 * H, 4 * H, second_start=17 * H, second_length=4 * H)
    assert t.is_split and t.span == 14 * H and t.attendance == 8 * H
    assert t.segments == ((7 * H, 11 * H), (17 * H, 21 * H))
    cov = t.coverage(3600)
    np.testing.assert_array_equal(np.flatnonzero(cov), [7, 8, 9, 10, 17, 18, 19, 20])
    assert t.night_class == "none"


def test_break_starts_inside_window():
    t = ShiftTemplate("M", 8 * H, 9 * H, breaks=(BreakRule(1800, 3 * H, 5 * H),))
    starts = t.break_starts(t.breaks[0], 1800)
    np.testing.assert_array_equal(starts, np.arange(22, 27))  # 11:00 .. 13:00
    with pytest.raises(ValueError, match="interval=3600"):
        t.break_starts(t.breaks[0], 3600)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"start": DAY}, "start"),
        ({"start": -1}, "start"),
        ({"length": 0}, "length"),
        ({"short_breaks": 3600}, "short_breaks"),
        ({"second_start": 10 * H, "second_length": H}, "second_start"),
        ({"second_length": H}, "second_length"),
        ({"breaks": (BreakRule(1800, 8 * H, 9 * H),)}, "break window"),
        ({"length": 2 * DAY}, "ends"),
    ],
)
def test_bad_templates_name_the_argument(kwargs, match):
    args = {"name": "T", "start": 8 * H, "length": 9 * H} | kwargs
    with pytest.raises(ValueError, match=match):
        ShiftTemplate(**args)


def test_bad_break_rule():
    with pytest.raises(ValueError, match="latest"):
        BreakRule(1800, 3 * H, 2 * H)
    with pytest.raises(TypeError, match="length"):
        BreakRule(30.5, 0, 10)


def test_shift_family_counts_and_names():
    fam = shift_family([8 * H, 9 * H], step=1800, earliest="06:00", latest="14:00")
    assert len(fam) == 17 * 2
    names = [t.name for t in fam]
    assert len(set(names)) == len(names)
    assert "0600-1400" in names and "1400-2300" in names
    assert all(len(t.breaks) == 1 and t.short_breaks == 300 for t in fam)
    late = shift_family([8 * H], earliest="20:00", latest="20:00")
    assert late[0].crosses_midnight and late[0].night_class == "big"


def test_twelve_hour_bands():
    bands = twelve_hour_bands()
    assert [t.name for t in bands] == ["0800-2000", "0900-2100", "2000-0800", "2100-0900"]
    assert [t.night_class for t in bands] == ["none", "none", "big", "big"]
    assert all(t.paid_time == 11 * H for t in bands)


@given(
    start=st.integers(0, 95).map(lambda i: i * 900),
    length=st.integers(1, 64).map(lambda i: i * 900),
)
def test_coverage_sums_to_attendance(start, length):
    t = ShiftTemplate("P", start, length)
    for interval in (900, 1800, 3600):
        assert t.coverage(interval).sum() * interval == pytest.approx(t.attendance)
        assert t.coverage(interval).min() >= 0 and t.coverage(interval).max() <= 1
