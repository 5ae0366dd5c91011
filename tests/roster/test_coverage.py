"""What a roster puts on the floor per interval, and meal placement."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roster.coverage import place_meals, roster_coverage
from roster.shifts import BreakRule, ShiftTemplate


def test_roster_coverage_partial_intervals_and_meals():
    templates = [ShiftTemplate("D", start=9 * 3600, length=4 * 3600, short_breaks=360)]
    a = pd.DataFrame(
        {
            "shift": ["D", "D"],
            "start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:15"]),
            "end": pd.to_datetime(["2026-03-02 13:00", "2026-03-02 10:45"]),
            "break_start": pd.to_datetime(["2026-03-02 10:00", None]),
            "break_end": pd.to_datetime(["2026-03-02 10:30", None]),
        }
    )
    index = pd.date_range("2026-03-02 09:00", periods=4, freq="30min")
    cov = roster_coverage(a, templates, index, 1800)
    assert list(cov["at_work"]) == [1.5, 2.0, 2.0, 1.5]
    assert list(cov["on_break"]) == [0.0, 0.0, 1.0, 0.0]
    np.testing.assert_allclose(cov["net"], np.array([1.5, 2.0, 1.0, 1.5]) * 0.9)
    # a second meal of the first shift, 12:00-12:15, given in the table of every meal
    meals = pd.DataFrame(
        {
            "shift": ["D", "D"],
            "start": pd.to_datetime(["2026-03-02 10:00", "2026-03-02 12:00"]),
            "end": pd.to_datetime(["2026-03-02 10:30", "2026-03-02 12:15"]),
        }
    )
    index = pd.date_range("2026-03-02 09:00", periods=8, freq="30min")
    cov = roster_coverage(a, templates, index, 1800, meals)
    assert list(cov["on_break"]) == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.5, 0.0]
    np.testing.assert_allclose(cov["net"], (cov["at_work"] - cov["on_break"]) * 0.9)


def test_place_meals_hands_out_stage_one_blocks_then_fills_the_rest():
    meal = BreakRule(1800, earliest=2 * 3600, latest=3 * 3600)
    templates = [ShiftTemplate("D", start=8 * 3600, length=6 * 3600, breaks=(meal,))]
    day = pd.Timestamp("2026-03-02")
    a = pd.DataFrame(
        {
            "agent": ["A3", "A1", "A2"],
            "date": [day] * 3,
            "shift": ["D"] * 3,
            "start": [day + pd.Timedelta(hours=8)] * 3,
            "end": [day + pd.Timedelta(hours=14)] * 3,
            "break_start": pd.NaT,
            "break_end": pd.NaT,
        }
    )
    blocks = pd.DataFrame(
        {
            "date": [day, day],
            "shift": ["D", "D"],
            "break": ["meal", "meal"],
            "start": [day + pd.Timedelta(hours=11), day + pd.Timedelta(hours=10)],
            "end": [day + pd.Timedelta(hours=11.5), day + pd.Timedelta(hours=10.5)],
            "agents": [1, 1],
        }
    )
    required = pd.Series(
        [0.0, 0.0, 3.0, 3.0],
        index=pd.date_range(day + pd.Timedelta(hours=10), periods=4, freq="30min"),
    )
    out = place_meals(a, blocks, templates, required, 1800).set_index("agent")
    assert out.at["A1", "break_start"] == day + pd.Timedelta(hours=10)
    assert out.at["A2", "break_start"] == day + pd.Timedelta(hours=11)
    # A3 had no block: its meal goes where the surplus is largest (10:00 and 10:30 need none)
    assert out.at["A3", "break_start"] in (
        day + pd.Timedelta(hours=10),
        day + pd.Timedelta(hours=10.5),
    )
    assert (out["break_end"] - out["break_start"] == pd.Timedelta(minutes=30)).all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 95), st.integers(1, 40), st.integers(0, 30), st.integers(1, 8)),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from([300, 900, 1800]),
    st.integers(0, 600),
)
def test_coverage_is_never_negative_and_meals_only_take_time_at_work(shifts, interval, short):
    """Shifts and meals at arbitrary quarter hours: the floor never holds fewer than nobody,
    and with no meal the agents at work add up to the hours worked."""
    day = pd.Timestamp("2026-03-02")
    templates = [ShiftTemplate("S", start=0, length=3600, short_breaks=short)]
    q = pd.Timedelta(minutes=15)
    starts = [day + s * q for s, *_ in shifts]
    ends = [day + (s + n) * q for s, n, *_ in shifts]
    meal_start = [st_ + min(m, n - 1) * q for st_, (_, n, m, _) in zip(starts, shifts)]
    meal_end = [min(ms + k * q, e) for ms, e, (*_, k) in zip(meal_start, ends, shifts)]
    a = pd.DataFrame(
        {
            "shift": "S",
            "start": starts,
            "end": ends,
            "break_start": meal_start,
            "break_end": meal_end,
        }
    )
    index = pd.date_range(day, day + pd.Timedelta(days=2), freq=f"{interval}s", inclusive="left")
    cov = roster_coverage(a, templates, index, interval)
    assert (cov["net"] >= 0).all() and (cov["on_break"] >= -1e-12).all()
    assert (cov["on_break"] <= cov["at_work"] + 1e-9).all()
    plain = roster_coverage(
        a.drop(columns=["break_start", "break_end"]), templates, index, interval
    )
    hours = sum((e - s).total_seconds() for s, e in zip(starts, ends)) / 3600
    assert plain["at_work"].sum() * interval / 3600 == pytest.approx(hours)
